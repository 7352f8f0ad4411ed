#!/usr/bin/env python3
"""Rough field-usage survey of the rule corpora, per language.

Counts how often each field name is *compared* in rule logic, using cheap
regex/YAML extraction (not the real parsers): Sigma detection keys, KQL
identifiers before comparison operators, ECS names in Elastic queries, SPL
field names before `=`/`IN`, YARA-L `$e.` paths, Panther `Detection` keys and
the key paths of Panther test events.

With `--mapping crates/logsource/data/fields.toml` it also reports the share of
field *occurrences* that the mapping covers, per language.

    python3 tools/survey/fields.py --corpus ../shared/corpus \
        --mapping crates/logsource/data/fields.toml --out /tmp/ruledex-survey

Writes `fields.json` (all counts) and `fields.md` (top lists, coverage) to
`--out`, which should be outside the repository.
"""
import argparse
import collections
import glob
import json
import os
import re
import sys
import tomllib

try:
    import yaml
except ImportError:  # pragma: no cover
    sys.exit("needs PyYAML (pip install pyyaml)")


class Loader(yaml.SafeLoader):
    pass


# Sigma and Splunk YAML sometimes hold tags/dates PyYAML chokes on; keep strings.
Loader.add_constructor("tag:yaml.org,2002:timestamp", lambda l, n: l.construct_scalar(n))

KQL_OPS = (
    r"==|!=|=~|!~|<=|>=|<|>|\bhas_any\b|\bhas_all\b|\bhas_cs\b|\b!?has\b|!has|\b!?contains(?:_cs)?\b|!contains"
    r"|\b!?startswith(?:_cs)?\b|!startswith|\b!?endswith(?:_cs)?\b|!endswith|\bmatches\s+regex\b"
    r"|\bin~|\bin\b|!in~?|\bbetween\b|\bhasprefix\b|\bhassuffix\b"
)
KQL_CMP = re.compile(r"(?<![\w.\"'])([A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)*)\s*(?:" + KQL_OPS + r")")
KQL_FUNC = re.compile(r"\b(?:isnotempty|isempty|isnotnull|isnull|ipv4_is_private|ipv4_is_in_range)\(\s*([A-Za-z_][\w.]*)")
KQL_STOP = {
    "and", "or", "not", "let", "where", "by", "on", "extend", "project", "summarize", "count", "now", "ago",
    "true", "false", "todynamic", "tostring", "toint", "tolower", "toupper", "dynamic", "datetime", "in",
    "kind", "isfuzzy", "then", "else", "case", "iff", "iif", "timeframe", "lookback", "starttime", "endtime",
    "threshold", "query_frequency", "query_period",
}

ELASTIC_CMP = re.compile(
    r"(?<![\w.\"'\\])([A-Za-z_@][\w@]*(?:\.[\w@]+)+|[A-Za-z_@][\w@]*)\s*"
    r"(?::(?!/)|==|!=|>=|<=|(?<=\s)>|(?<=\s)<|\blike~?\s|\bregex~?\s|\bin~?\s*\(|\s:\s|\bnot\s+in\s*\(|\bLIKE\b|\bRLIKE\b|\bIN\s*\()"
)
ELASTIC_STOP = {"and", "or", "not", "where", "by", "sequence", "until", "with", "maxspan", "runs", "from", "keep",
                "stats", "eval", "sort", "limit", "metadata", "true", "false", "null", "any", "http", "https", "C", "c"}

SPL_CMP = re.compile(r"(?<![\w.\"'$])([A-Za-z_][\w.]*(?:\{\})?)\s*(?:!=|=(?!=)|==|\s+IN\s*\(|\s+in\s*\()")
SPL_STOP = {"count", "span", "values", "as", "by", "where", "eval", "summariesonly", "allow_old_summaries",
            "datamodel", "nodename", "fillnull_value", "max", "min", "earliest", "latest", "threshold", "limit",
            "output", "outputnew", "field", "mode", "maxspan", "AND", "OR", "NOT", "type", "is", "x", "s",
            "prestats", "append", "local", "fields", "dc", "sum", "avg", "distinct_count", "time_window",
            "index", "unit", "replace", "delim", "allowempty"}

YARAL_PATH = re.compile(r"\$\w+\.((?:[a-z_]+)(?:\.[a-z_\[\]\"0-9]+)*)")

SIGMA_META = {"condition", "timeframe"}


def walk_sigma(node, counter):
    if isinstance(node, dict):
        for key, value in node.items():
            if not isinstance(key, str):
                continue
            field = key.split("|", 1)[0]
            if field:
                counter[field] += 1
            if isinstance(value, (dict,)):
                walk_sigma(value, counter)
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, dict):
                        walk_sigma(item, counter)
    elif isinstance(node, list):
        for item in node:
            walk_sigma(item, counter)


def survey_sigma(root):
    counter = collections.Counter()
    for path in glob.glob(os.path.join(root, "**", "*.yml"), recursive=True):
        try:
            docs = list(yaml.load_all(open(path, encoding="utf-8"), Loader=Loader))
        except Exception:
            continue
        for doc in docs:
            if not isinstance(doc, dict) or not isinstance(doc.get("detection"), dict):
                continue
            for name, selection in doc["detection"].items():
                if name in SIGMA_META:
                    continue
                walk_sigma(selection, counter)
    return counter


def strip_kql_strings(query):
    query = re.sub(r"//[^\n]*", "", query)
    query = re.sub(r"@?\"(?:[^\"\\\n]|\\.)*\"", '""', query)
    query = re.sub(r"@?'(?:[^'\\\n]|\\.)*'", "''", query)
    return query


def kql_fields(query, counter):
    query = strip_kql_strings(query)
    lets = set(re.findall(r"\blet\s+([A-Za-z_]\w*)", query))
    for regex in (KQL_CMP, KQL_FUNC):
        for match in regex.finditer(query):
            field = match.group(1)
            if field in KQL_STOP or field in lets or field.isdigit():
                continue
            counter[field] += 1


def survey_sentinel(root):
    counter = collections.Counter()
    for path in glob.glob(os.path.join(root, "**", "*.y*ml"), recursive=True):
        try:
            doc = yaml.load(open(path, encoding="utf-8"), Loader=Loader)
        except Exception:
            continue
        if isinstance(doc, dict) and isinstance(doc.get("query"), str):
            kql_fields(doc["query"], counter)
    return counter


def survey_defender(root):
    counter = collections.Counter()
    for path in glob.glob(os.path.join(root, "**", "*"), recursive=True):
        if not path.endswith((".md", ".txt", ".csl")):
            continue
        text = open(path, encoding="utf-8", errors="replace").read()
        if path.endswith(".md"):
            blocks = re.findall(r"```[^\n]*\n(.*?)```", text, re.S)
            text = "\n".join(blocks)
        kql_fields(text, counter)
    return counter


def survey_elastic(root):
    counter = collections.Counter()
    for path in glob.glob(os.path.join(root, "**", "*.toml"), recursive=True):
        try:
            doc = tomllib.load(open(path, "rb"))
        except Exception:
            continue
        rule = doc.get("rule", {})
        query = rule.get("query")
        if not isinstance(query, str):
            continue
        query = re.sub(r"//[^\n]*", "", query)
        query = re.sub(r'"""(?:.|\n)*?"""', '""', query)
        query = re.sub(r'"(?:[^"\\\n]|\\.)*"', '""', query)
        for match in ELASTIC_CMP.finditer(query):
            field = match.group(1)
            if field in ELASTIC_STOP or field.isdigit():
                continue
            counter[field.replace("`", "")] += 1
    return counter


def survey_splunk(root):
    counter = collections.Counter()
    for path in glob.glob(os.path.join(root, "detections", "**", "*.yml"), recursive=True):
        try:
            doc = yaml.load(open(path, encoding="utf-8"), Loader=Loader)
        except Exception:
            continue
        if not isinstance(doc, dict) or not isinstance(doc.get("search"), str):
            continue
        search = re.sub(r'"(?:[^"\\]|\\.)*"', '""', doc["search"])
        search = re.sub(r"`[^`]*`", " ", search)
        for match in SPL_CMP.finditer(search):
            field = match.group(1)
            if field in SPL_STOP or field.isdigit():
                continue
            counter[field] += 1
    return counter


def survey_yaral(root):
    counter = collections.Counter()
    for path in glob.glob(os.path.join(root, "**", "*.yaral"), recursive=True):
        text = open(path, encoding="utf-8", errors="replace").read()
        match = re.search(r"\bevents\s*:(.*?)(?:\bmatch\s*:|\boutcome\s*:|\bcondition\s*:|\Z)", text, re.S)
        if not match:
            continue
        body = re.sub(r"//[^\n]*", "", match.group(1))
        for path_match in YARAL_PATH.finditer(body):
            field = re.sub(r"\[[^\]]*\]", "", path_match.group(1)).rstrip(".")
            counter[field] += 1
    return counter


def flatten_keys(node, prefix, out):
    if isinstance(node, dict):
        for key, value in node.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            if isinstance(value, dict) and value:
                flatten_keys(value, path, out)
            else:
                out.add(path)


def survey_panther(root):
    detection = collections.Counter()
    tests = collections.Counter()
    for path in glob.glob(os.path.join(root, "**", "*.yml"), recursive=True):
        try:
            doc = yaml.load(open(path, encoding="utf-8"), Loader=Loader)
        except Exception:
            continue
        if not isinstance(doc, dict):
            continue
        for item in doc.get("Detection") or []:
            if isinstance(item, dict):
                for key in ("Key", "KeyPath", "DeepKey"):
                    if isinstance(item.get(key), str):
                        detection[item[key].replace("[*]", "")] += 1
        for test in doc.get("Tests") or []:
            log = test.get("Log") if isinstance(test, dict) else None
            keys = set()
            flatten_keys(log, "", keys)
            for key in keys:
                tests[key] += 1
    return detection, tests


def load_mapping(path):
    """Every name the mapping knows, per vocabulary, lower-cased."""
    if not path:
        return None
    data = tomllib.load(open(path, "rb"))
    known = collections.defaultdict(set)
    for field in data.get("field", []):
        known["ecs"].add(field["id"].lower())
        for vocab in ("sigma", "sentinel", "ecs", "cim", "udm", "native"):
            for entry in field.get(vocab, []):
                name = entry if isinstance(entry, str) else entry.get("name", "")
                known[vocab].add(name.lower())
    return known


# Which vocabularies of the mapping a corpus's field names are looked up in
# (the same order as `Vocabulary::lookup_order` in the crate).
CORPUS_VOCABS = {
    "sigma": ("sigma", "native"),
    "sentinel": ("sentinel",),
    "defender": ("sentinel",),
    "elastic": ("ecs",),
    "splunk": ("cim", "sigma", "native"),
    "chronicle": ("udm",),
    "panther_detection": ("native",),
    "panther_tests": ("native",),
}


def coverage(counter, known, vocabs):
    names = set()
    for vocab in vocabs:
        names |= known.get(vocab, set())
    total = sum(counter.values())
    hit = sum(n for f, n in counter.items() if f.lower() in names)
    top = counter.most_common(100)
    top_total = sum(n for _, n in top)
    top_hit = sum(n for f, n in top if f.lower() in names)
    distinct_hit = sum(1 for f in counter if f.lower() in names)
    return {
        "occurrences": total,
        "covered": hit,
        "share": round(hit / total, 4) if total else 0.0,
        "top100_share": round(top_hit / top_total, 4) if top_total else 0.0,
        "distinct": len(counter),
        "distinct_covered": distinct_hit,
        "top_uncovered": [(f, n) for f, n in counter.most_common(400) if f.lower() not in names][:40],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--mapping")
    parser.add_argument("--out", required=True)
    parser.add_argument("--top", type=int, default=60)
    args = parser.parse_args()

    corpora = {
        "sigma": lambda: survey_sigma(os.path.join(args.corpus, "SigmaHQ__sigma")),
        "sentinel": lambda: survey_sentinel(os.path.join(args.corpus, "cloudflare__Azure-Sentinel")),
        "defender": lambda: survey_defender(os.path.join(args.corpus, "microsoft__Microsoft-365-Defender-Hunting-Queries")),
        "elastic": lambda: survey_elastic(os.path.join(args.corpus, "elastic__detection-rules")),
        "splunk": lambda: survey_splunk(os.path.join(args.corpus, "splunk__security_content")),
        "chronicle": lambda: survey_yaral(os.path.join(args.corpus, "chronicle__detection-rules")),
    }
    counts = {name: run() for name, run in corpora.items()}
    detection, tests = survey_panther(os.path.join(args.corpus, "panther-labs__panther-analysis"))
    counts["panther_detection"] = detection
    counts["panther_tests"] = tests

    known = load_mapping(args.mapping)
    os.makedirs(args.out, exist_ok=True)
    report = {name: {"fields": dict(counter.most_common())} for name, counter in counts.items()}
    lines = ["# Field usage survey", ""]
    if known:
        lines += ["| corpus | occurrences | covered | share | top-100 share | distinct | distinct covered |",
                  "|---|---|---|---|---|---|---|"]
        for name, counter in counts.items():
            cov = coverage(counter, known, CORPUS_VOCABS[name])
            report[name]["coverage"] = cov
            lines.append(f"| {name} | {cov['occurrences']} | {cov['covered']} | {cov['share']:.1%} | "
                         f"{cov['top100_share']:.1%} | {cov['distinct']} | {cov['distinct_covered']} |")
        lines.append("")
    for name, counter in counts.items():
        lines += [f"## {name} (top {args.top})", ""]
        lines += [f"- {field}: {count}" for field, count in counter.most_common(args.top)]
        if known:
            lines += ["", "Top uncovered: " + ", ".join(f"{f} ({n})" for f, n in report[name]["coverage"]["top_uncovered"])]
        lines.append("")
    with open(os.path.join(args.out, "fields.json"), "w") as handle:
        json.dump(report, handle, indent=1)
    with open(os.path.join(args.out, "fields.md"), "w") as handle:
        handle.write("\n".join(lines))
    if known:
        for name in counts:
            cov = report[name]["coverage"]
            print(f"{name:18} {cov['share']:6.1%} of {cov['occurrences']} occurrences "
                  f"(top-100 {cov['top100_share']:.1%})")
    print(f"wrote {args.out}/fields.md and fields.json")


if __name__ == "__main__":
    main()
