#!/usr/bin/env python3
"""Write mutated variants of extracted queries, to compare the two parsers
on (mostly) invalid input as well.

Usage: mutate.py queries.jsonl OUT.jsonl [--seed N] [--per-query K]

Each variant applies one edit: a character-level truncation, deletion,
duplication or swap, or a token-level deletion, insertion or replacement
with a KQL keyword or punctuation.
"""
import argparse
import json
import random
import re

TOKEN = re.compile(r"\s+|//[^\n]*|\"(?:\\.|[^\"\\\n])*\"|'(?:\\.|[^'\\\n])*'"
                   r"|[A-Za-z_][\w-]*|\d+(?:\.\d+)?[a-z]*|==|!=|=~|!~|<=|>=|\.\.|\S")
INSERTS = ["|", "(", ")", ",", "=", "==", "and", "or", "by", "on", "with", "in", "!",
           "has", "[", "]", "{", "}", "*", "-", ";", "let", "where", "project",
           "summarize", "take", "10", '"x"', "x", ".", "between", "in~", "!in",
           "has_any", "datetime(2020-01-01)", "dynamic([1])", "1d", "to", "of", "asc",
           "typeof(long)"]


def char_edit(q, rng):
    i = rng.randrange(len(q))
    j = min(len(q), i + rng.randint(1, 8))
    kind = rng.choice(["trunc", "del", "dup", "swap"])
    if kind == "trunc":
        return kind, q[:i]
    if kind == "del":
        return kind, q[:i] + q[j:]
    if kind == "dup":
        return kind, q[:j] + q[i:j] + q[j:]
    k = j + (j - i)
    return kind, q[:i] + q[j:k] + q[i:j] + q[k:]


def token_edit(q, rng):
    tokens = TOKEN.findall(q)
    real = [i for i, t in enumerate(tokens) if not t.isspace() and not t.startswith("//")]
    if not real:
        return None, q
    i = rng.choice(real)
    kind = rng.choice(["tok-del", "tok-ins", "tok-rep"])
    if kind == "tok-del":
        tokens[i] = ""
    elif kind == "tok-ins":
        tokens[i] = tokens[i] + " " + rng.choice(INSERTS) + " "
    else:
        tokens[i] = rng.choice(INSERTS)
    return kind, "".join(tokens)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("queries")
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--per-query", type=int, default=3)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    n = 0
    with open(args.out, "w", encoding="utf-8") as out:
        for line in open(args.queries, encoding="utf-8"):
            r = json.loads(line)
            q = r["query"]
            if len(q) < 20:
                continue
            for k in range(args.per_query):
                edit = char_edit if k % 2 == 0 else token_edit
                kind, mutated = edit(q, rng)
                if kind is None:
                    continue
                out.write(json.dumps({"id": f"{r['id']}~{k}{kind}", "source": r["source"],
                                      "kind": kind, "query": mutated}) + "\n")
                n += 1
    print(f"{n} mutants -> {args.out}")


if __name__ == "__main__":
    main()
