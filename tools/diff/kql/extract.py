#!/usr/bin/env python3
"""Extract every KQL query from the Sentinel and Defender hunting corpora.

Writes one JSON object per line: {"id", "source", "path", "kind", "query"}.
`kind` is "yaml" (Sentinel `query:` key), "md" (fenced block in Markdown) or
"text" (whole .txt/.csl/.kql file).

Usage: extract.py CORPUS_ROOT OUT.jsonl [--all]

With --all, every `owner__repo` folder under CORPUS_ROOT is read, not only
the two corpora: that is how a held-back set laid out the same way is read.
"""
import json
import os
import re
import sys

import yaml

SENTINEL = "cloudflare__Azure-Sentinel"
DEFENDER = "microsoft__Microsoft-365-Defender-Hunting-Queries"
FENCE = re.compile(r"^[ \t]*```[ \t]*([A-Za-z]*)[ \t]*$")
KQL_INFO = {"", "kusto", "kql"}


def walk(root):
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            yield os.path.join(dirpath, name)


def yaml_queries(path):
    try:
        with open(path, encoding="utf-8-sig") as f:
            doc = yaml.safe_load(f)
    except Exception:  # noqa: BLE001 - a broken file just has no query
        return
    if isinstance(doc, dict) and isinstance(doc.get("query"), str):
        yield doc["query"]


def markdown_queries(path):
    with open(path, encoding="utf-8-sig", errors="replace") as f:
        lines = f.read().splitlines()
    block = None
    for line in lines:
        m = FENCE.match(line)
        if block is None:
            if m and m.group(1).lower() in KQL_INFO:
                block = []
            elif m:
                block = None
                # a non-KQL fence: skip until its closing fence
                block = "skip"
        elif m and (m.group(1) == "" or (
                # A closing fence with a language tag ends a KQL block, as
                # ruledex's Markdown loader reads it (CommonMark would not),
                # unless it can close a multi-line string.
                block != "skip" and "\n".join(block).count("```") % 2 == 0)):
            if block != "skip" and "".join(block).strip():
                yield "\n".join(block) + "\n"
            block = None
        elif block != "skip":
            block.append(line)


def main():
    root, out_path = sys.argv[1], sys.argv[2]
    sources = (SENTINEL, DEFENDER)
    if "--all" in sys.argv[3:]:
        sources = sorted(d for d in os.listdir(root)
                         if os.path.isdir(os.path.join(root, d)))
    count = 0
    with open(out_path, "w", encoding="utf-8") as out:
        for source in sources:
            base = os.path.join(root, source)
            for path in walk(base):
                rel = os.path.relpath(path, base)
                ext = os.path.splitext(path)[1].lower()
                if ext in (".yaml", ".yml"):
                    kind, queries = "yaml", yaml_queries(path)
                elif ext == ".md":
                    kind, queries = "md", markdown_queries(path)
                elif ext in (".txt", ".csl", ".kql"):
                    with open(path, encoding="utf-8-sig", errors="replace") as f:
                        text = f.read()
                    kind, queries = "text", ([text] if text.strip() else [])
                else:
                    continue
                for i, q in enumerate(queries):
                    rec = {"id": f"{source}/{rel}#{i}", "source": source,
                           "path": rel, "kind": kind, "query": q}
                    out.write(json.dumps(rec) + "\n")
                    count += 1
    print(f"{count} queries -> {out_path}", file=sys.stderr)


if __name__ == "__main__":
    main()
