#!/usr/bin/env python3
"""Differential test of ruledex's EQL parser against Elastic's `eql` package.

Parses every EQL query of the Elastic corpus (rules with `language = "eql"`
and hunting queries whose language is EQL), plus any extra query files given
on the command line (JSON arrays of strings, or text files with one query per
line), with both implementations, and prints agreement:

  accept/accept and reject/reject agree; accept/reject and reject/accept are
  disagreements, listed with the reference message and our diagnostics.

The reference runs the way detection-rules validates EQL: Elasticsearch
syntax, unknown functions allowed, no optimizations, and the sample / runs /
missing-event features of current stacks enabled.

`probes.txt` next to this script holds hand-written edge cases (one query
per line); `mutate.py` writes seeded mutants of the corpus queries.

Usage (from the repository root):
  python3 -m venv /tmp/eqlvenv && /tmp/eqlvenv/bin/pip install eql
  cargo build --release -p ruledex-eql --example eql_check
  /tmp/eqlvenv/bin/python tools/diff/eql/diff.py [--corpus DIR] [extra.json|extra.txt ...]
  e.g. ... diff.py tools/diff/eql/probes.txt /tmp/mutants.json
"""
import argparse
import glob
import json
import os
import subprocess
import sys
import tomllib

import eql

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
# `../shared` next to the checkout (main) or two levels up (a worktree).
DEFAULT_CORPUS = next(
    (c for c in (os.path.join(ROOT, "..", "shared", "corpus", "elastic__detection-rules"),
                 os.path.join(ROOT, "..", "..", "shared", "corpus", "elastic__detection-rules"))
     if os.path.isdir(c)),
    os.path.join(ROOT, "..", "shared", "corpus", "elastic__detection-rules"))
CHECKER = os.path.join(ROOT, "target", "release", "examples", "eql_check")

CONFIG = eql.parser.ParserConfig(allow_negation=True, allow_runs=True, allow_sample=True)


def reference_parse(query):
    """Return None when the reference accepts the query, else its message."""
    try:
        with eql.parser.elasticsearch_syntax, eql.parser.ignore_missing_functions, \
                eql.parser.skip_optimizations, CONFIG:
            eql.parse_query(query)
        return None
    except Exception as exc:  # the reference raises various types; all are rejections
        first = str(exc).strip().splitlines()
        return f"{type(exc).__name__}: {first[0] if first else ''}"


def corpus_queries(corpus):
    out = []
    for path in sorted(glob.glob(os.path.join(corpus, "**", "*.toml"), recursive=True)):
        with open(path, "rb") as fh:
            try:
                data = tomllib.load(fh)
            except tomllib.TOMLDecodeError:
                continue
        rel = os.path.relpath(path, corpus)
        rule = data.get("rule")
        if isinstance(rule, dict):
            language = rule.get("language")
            languages = language if isinstance(language, list) else [language]
            if any(str(l).lower() == "eql" for l in languages) and isinstance(rule.get("query"), str):
                out.append((rel, rule["query"]))
        hunt = data.get("hunt")
        if isinstance(hunt, dict):
            languages = hunt.get("language") or []
            languages = languages if isinstance(languages, list) else [languages]
            if [str(l).lower() for l in languages] == ["eql"]:
                queries = hunt.get("query") or []
                for i, q in enumerate(queries if isinstance(queries, list) else [queries]):
                    out.append((f"{rel}#{i + 1}", q))
    return out


def extra_queries(path):
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    if path.endswith(".json"):
        return [(f"{os.path.basename(path)}:{i + 1}", q) for i, q in enumerate(json.loads(text))]
    return [(f"{os.path.basename(path)}:{i + 1}", line) for i, line in enumerate(text.splitlines()) if line.strip()]


def ours(queries):
    proc = subprocess.run([CHECKER], input=json.dumps(queries), capture_output=True, text=True, check=True)
    return json.loads(proc.stdout)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default=DEFAULT_CORPUS)
    parser.add_argument("extra", nargs="*")
    args = parser.parse_args()

    items = corpus_queries(args.corpus) if os.path.isdir(args.corpus) else []
    corpus_count = len(items)
    for path in args.extra:
        items.extend(extra_queries(path))
    results = ours([q for _, q in items])

    counts = {"accept/accept": 0, "reject/reject": 0, "accept/reject": 0, "reject/accept": 0}
    disagreements = []
    corpus_ok = 0
    for index, ((name, query), mine) in enumerate(zip(items, results)):
        reference = reference_parse(query)
        ref_ok = reference is None
        key = f"{'accept' if ref_ok else 'reject'}/{'accept' if mine['ok'] else 'reject'}"
        counts[key] += 1
        if index < corpus_count and mine["ok"]:
            corpus_ok += 1
        if ref_ok != mine["ok"]:
            disagreements.append((name, query, reference, mine["diagnostics"]))

    total = len(items)
    agree = counts["accept/accept"] + counts["reject/reject"]
    print(f"queries: {total} (corpus {corpus_count}, extra {total - corpus_count})")
    for key, value in counts.items():
        print(f"  reference/ours {key}: {value}")
    if total:
        print(f"agreement: {agree}/{total} = {100.0 * agree / total:.2f}%")
    if corpus_count:
        print(f"corpus EQL parse rate (ours): {corpus_ok}/{corpus_count} = {100.0 * corpus_ok / corpus_count:.2f}%")
    for name, query, reference, mine in disagreements:
        print(f"\n--- {name}\n{query}\n  reference: {reference or 'accepts'}")
        print("  ours: " + ("accepts" if not mine else "; ".join(f"{d['code']} {d['message']}" for d in mine)))
    return 0 if not disagreements else 1


if __name__ == "__main__":
    sys.exit(main())
