#!/usr/bin/env python3
"""Time ruledex's EQL parser against Elastic's `eql` package on the same queries.

Both parse every EQL query of the Elastic corpus (rules and EQL hunting
queries); the reference runs the way detection-rules validates rules. Each
side repeats the whole set several times and reports the best round.
ruledex's time is measured inside its own process (no process start-up).

Usage (from the repository root):
  python3 -m venv /tmp/eqlvenv && /tmp/eqlvenv/bin/pip install eql
  cargo build --release -p ruledex-eql --example eql_check
  /tmp/eqlvenv/bin/python tools/bench/eql/bench.py [--rounds 3]
"""
import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "diff", "eql"))
from diff import CHECKER, CONFIG, DEFAULT_CORPUS, corpus_queries  # noqa: E402

import eql  # noqa: E402


def reference_round(queries):
    start = time.perf_counter()
    accepted = 0
    for q in queries:
        try:
            with eql.parser.elasticsearch_syntax, eql.parser.ignore_missing_functions, \
                    eql.parser.skip_optimizations, CONFIG:
                eql.parse_query(q)
            accepted += 1
        except Exception:  # rejections count as parsed work too
            pass
    return time.perf_counter() - start, accepted


def ours(queries, rounds, mode):
    args = [CHECKER, "--bench", str(rounds)]
    if mode == "analyze":
        args.append("--analyze")
    proc = subprocess.run(args, input=json.dumps(queries), capture_output=True, text=True, check=True)
    return json.loads(proc.stdout)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default=DEFAULT_CORPUS)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    queries = [q for _, q in corpus_queries(args.corpus)]
    if not queries:
        print("no EQL queries found; is the corpus present?")
        return 1
    total_bytes = sum(len(q.encode()) for q in queries)
    best_ref, accepted = min(reference_round(queries) for _ in range(args.rounds))
    print(f"queries: {len(queries)} ({total_bytes / 1024:.0f} KiB)")
    print(f"eql (Python) parse_query: {best_ref:.3f} s per round, {accepted} accepted")
    for mode in ("parse", "analyze"):
        mine = ours(queries, max(args.rounds * 20, 20), mode)
        seconds = mine["seconds_per_round"]
        print(f"ruledex-eql {mode:>7}: {seconds * 1000:.2f} ms per round, {mine['valid']} valid"
              f" -> {best_ref / seconds:.0f}x faster")
    return 0


if __name__ == "__main__":
    sys.exit(main())
