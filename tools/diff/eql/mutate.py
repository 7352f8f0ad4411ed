#!/usr/bin/env python3
"""Write mutated EQL queries (from the corpus) to a JSON file, for diff.py.

Each corpus query yields a few deterministic mutants: truncated at a random
point, one token deleted, one token duplicated, an operator swapped, a quote
or bracket dropped. Most mutants are invalid, which exercises agreement on
rejections as well as acceptance.

  /tmp/eqlvenv/bin/python tools/diff/eql/mutate.py out.json [--per-query 4]
"""
import argparse
import json
import random
import re
import sys

sys.path.insert(0, __import__("os").path.dirname(__file__))
from diff import DEFAULT_CORPUS, corpus_queries  # noqa: E402

TOKEN = re.compile(r'"""[^\n]*?"""|"(?:\\.|[^"\\\n])*"|\w+|==|!=|<=|>=|![\[]|\S')
SWAPS = {"==": ["!=", "=", ":", "<"], ":": ["==", "like", "regex", "in"], "and": ["or", "not", "and and"],
         "or": ["and", "or or"], "in": ["in~", "not in", ":"], "like~": ["like", "regex~"], "by": ["with", ","],
         "where": ["WHERE", "when"], "[": ["![", "("], "(": ["[", ""], ")": ["", "]"], "maxspan": ["maxspan", "span"]}


def mutants(query, rng, count):
    tokens = [m for m in TOKEN.finditer(query)]
    out = []
    if not tokens:
        return out
    for _ in range(count):
        kind = rng.randrange(5)
        t = tokens[rng.randrange(len(tokens))]
        s, e = t.span()
        if kind == 0:
            out.append(query[: rng.randrange(1, len(query))])
        elif kind == 1:
            out.append(query[:s] + query[e:])
        elif kind == 2:
            out.append(query[:e] + " " + t.group() + query[e:])
        elif kind == 3:
            swaps = SWAPS.get(t.group())
            if swaps:
                out.append(query[:s] + rng.choice(swaps) + query[e:])
            else:
                out.append(query[:s] + t.group()[::-1] + query[e:])
        else:
            quotes = [m.start() for m in re.finditer(r'["\[\]()]', query)]
            if quotes:
                p = rng.choice(quotes)
                out.append(query[:p] + query[p + 1:])
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--per-query", type=int, default=4)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    result = []
    for _, query in corpus_queries(DEFAULT_CORPUS):
        result.extend(mutants(query, rng, args.per_query))
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump(result, fh)
    print(f"{len(result)} mutants written to {args.out}")


if __name__ == "__main__":
    main()
