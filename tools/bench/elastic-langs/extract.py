#!/usr/bin/env python3
"""Extract Elastic detection-rule queries into a JSONL file, one query a line.

Usage: extract.py CORPUS_DIR OUT.jsonl

Each line is {"path", "key", "language", "query"} where `language` is one of
kuery, lucene, eql, esql. Rules give the language of `query`; `threat_query`
(threat_match rules) is always kuery-or-lucene as `threat_language` says.
Hunting files list languages (`["ES|QL"]`) and hold `query = [ ... ]` arrays;
each element is extracted, ES|QL ones only (SQL is not ours).
The output is scratch data: keep it outside the repository.
"""
import json
import pathlib
import sys
import tomllib

LANGS = {"kuery": "kuery", "lucene": "lucene", "eql": "eql", "esql": "esql",
         "es|ql": "esql"}


def main() -> None:
    root = pathlib.Path(sys.argv[1])
    out = open(sys.argv[2], "w", encoding="utf-8")
    counts: dict[str, int] = {}
    for path in sorted(root.rglob("*.toml")):
        try:
            doc = tomllib.loads(path.read_text(encoding="utf-8"))
        except Exception as err:  # noqa: BLE001 - report and go on
            print(f"skip {path}: {err}", file=sys.stderr)
            continue
        rel = str(path.relative_to(root))
        rule = doc.get("rule") or doc.get("hunt") or {}
        lang = rule.get("language")
        query = rule.get("query")
        items = []
        if isinstance(lang, str) and isinstance(query, str):
            items.append(("query", LANGS.get(lang.lower()), query))
        elif isinstance(lang, list) and query is not None:
            queries = query if isinstance(query, list) else [query]
            langs = [LANGS.get(l.lower()) for l in lang]
            for i, q in enumerate(queries):
                # Hunting queries: guess per query when several languages
                # are listed (ES|QL pipelines start with FROM/ROW).
                guess = "esql" if q.lstrip().lower().startswith(("from", "row", "show")) else None
                if "esql" in langs and guess == "esql":
                    items.append((f"query[{i}]", "esql", q))
                elif len(langs) == 1 and langs[0] == "eql":
                    items.append((f"query[{i}]", "eql", q))
        tq = rule.get("threat_query")
        if isinstance(tq, str):
            tl = rule.get("threat_language", "kuery")
            items.append(("threat_query", LANGS.get(tl.lower()), tq))
        for key, language, text in items:
            if language is None:
                continue
            counts[language] = counts.get(language, 0) + 1
            out.write(json.dumps({"path": rel, "key": key, "language": language,
                                  "query": text}) + "\n")
    print(json.dumps(counts, sort_keys=True), file=sys.stderr)


if __name__ == "__main__":
    main()
