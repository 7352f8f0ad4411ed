#!/usr/bin/env python3
"""Compare our verdicts with Microsoft's parser's verdicts.

Usage: compare.py queries.jsonl ms.jsonl ours.jsonl [--show N] [--source S]

Prints the corpus parse rates and the agreement, then the disagreements
(query id, both parsers' first error, and the line of the query around our
error or theirs).
"""
import argparse
import collections
import json


def load(path):
    return {r["id"]: r for r in map(json.loads, open(path, encoding="utf-8"))}


def excerpt(query, offset):
    start = query.rfind("\n", 0, offset) + 1
    end = query.find("\n", offset)
    end = len(query) if end < 0 else end
    return query[start:end].strip()[:160]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("queries")
    ap.add_argument("ms")
    ap.add_argument("ours")
    ap.add_argument("--show", type=int, default=40)
    args = ap.parse_args()
    queries = load(args.queries)
    ms = load(args.ms)
    ours = load(args.ours)
    groups = collections.defaultdict(lambda: [0, 0, 0, 0])  # total, ours ok, ms ok, agree
    disagreements = []
    for qid, q in queries.items():
        group = (q["source"].split("__")[0], q["kind"])
        g = groups[group]
        o, m = ours[qid]["ok"], ms[qid]["ok"]
        g[0] += 1
        g[1] += o
        g[2] += m
        g[3] += o == m
        if o != m:
            disagreements.append((qid, o, m))
    total = [sum(g[i] for g in groups.values()) for i in range(4)]
    for name, g in sorted(groups.items()) + [(("all", ""), total)]:
        print(f"{name[0]:>12} {name[1]:>5}: {g[0]:5} queries, ours ok {g[1] / g[0]:7.2%}, "
              f"ms ok {g[2] / g[0]:7.2%}, agreement {g[3] / g[0]:7.2%} ({g[0] - g[3]} differ)")
    for qid, o, m in disagreements[: args.show]:
        q = queries[qid]["query"]
        print(f"\n== {qid}: ours {'ok' if o else 'REJECT'}, ms {'ok' if m else 'REJECT'}")
        if not o:
            e = ours[qid]["errors"][0]
            print(f"   ours: {e[0]} {e[1]} @ {excerpt(q, e[2])!r}")
        if not m:
            d = ms[qid]["diagnostics"][0]
            print(f"   ms:   {d[0]} {d[1]} @ {excerpt(q, d[2])!r}")


if __name__ == "__main__":
    main()
