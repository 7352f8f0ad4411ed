#!/usr/bin/env python3
r"""Differential test of ruledex-kuery against kibana-ql (a Python parser
built from Kibana's kuery grammar).

Usage:
    diff.py QUERIES.jsonl [--generated N] [--seed S] [--show K]

Queries: the `kuery` lines of QUERIES.jsonl (tools/bench/elastic-langs/
extract.py; rule queries and threat_match `threat_query`s), the fixtures
under crates/kuery/tests/fixtures, and N generated queries. Both trees are
put in one canonical form (groups dropped, and/or chains flattened, value
words joined by one space) and compared. Install the reference in a scratch
virtualenv: `pip install kibana-ql`.

Known, intended differences (kibana-ql follows an older Kibana grammar):
- `not` followed by a line break: kibana-ql drops the negation; Kibana's
  grammar (and ours) keep it.
- `\uXXXX` and `\and`/`\or`/`\not` escapes: decoded by Kibana and by us,
  kept as written by kibana-ql.
- An empty quoted value `""` is rejected by kibana-ql only.
- A trailing keyword (`a : b and`) is a word of the value for kibana-ql
  (a keyword needs a space after it); we report a missing operand.
- `not not x` is accepted by us only.
"""
import argparse
import json
import pathlib
import random
import subprocess
import sys

from kibana_ql import KqlParser

ROOT = pathlib.Path(__file__).resolve().parents[3]
PARSER = KqlParser()


def lit(value):
    if isinstance(value, tuple):
        return ["w", " ".join(" ".join(value).split())]
    return ["q", value]


def children(node, op):
    kids = []
    for key in ("left", "right"):
        if key in node:
            kids.append(node[key])
    kids.extend(node.get("exprs", []))
    out = []
    for kid in kids:
        if isinstance(kid, dict) and kid.get("op") == op:
            out.extend(children(kid, op))
        else:
            out.append(kid)
    return out


def vcanon(node):
    if isinstance(node, dict) and node.get("op") in ("and", "or"):
        return [node["op"], [vcanon(k) for k in children(node, node["op"])]]
    if isinstance(node, dict) and node.get("op") == "not":
        return ["not", vcanon(node["expr"])]
    return lit(node)


def canon(node):
    if node.get("op") in ("and", "or") and "field" not in node:
        return [node["op"], [canon(k) for k in children(node, node["op"])]]
    if node.get("op") == "not":
        return ["not", canon(node["expr"])]
    if "field" in node and "op" in node:
        return ["range", node["field"], node["op"], lit(node["value"])]
    if "field" in node:
        value = node["value"]
        if isinstance(value, dict) and ("field" in value or (
                value.get("op") in ("and", "or", "not") and has_field(value))):
            return ["nested", node["field"], canon(value)]
        return ["field", node["field"], vcanon(value)]
    return ["value", lit(node["value"])]


def has_field(node):
    if not isinstance(node, dict):
        return False
    if "field" in node:
        return True
    return any(has_field(k) for k in children(node, node.get("op")) + [node.get("expr")])


def reference(text):
    if not text.strip():
        return "EMPTY"
    try:
        return canon(PARSER.ast(PARSER.parse(text)))
    except Exception:  # noqa: BLE001 - any failure is a reject
        return "ERR"


WORDS = ["a", "cmd.exe", "S-1-5-*", "*\\\\Temp\\\\*", "x*y", "42", '"quoted text"',
         '"C:\\\\Windows"', "foo bar", "\\:colon", "*"]
FIELDS = ["f", "process.name", "event.code", "user.name"]


def generate(rng, depth=0):
    choice = rng.randrange(10 if depth < 3 else 4)
    if choice < 2:
        return f"{rng.choice(FIELDS)} : {rng.choice(WORDS)}"
    if choice == 2:
        bound = rng.choice(["5", '"now-1d"'])
        return f"{rng.choice(FIELDS)} {rng.choice(['<', '<=', '>', '>='])} {bound}"
    if choice == 3:
        return f"{rng.choice(FIELDS)} : ({rng.choice(WORDS)} or {rng.choice(WORDS)} or not {rng.choice(WORDS)})"
    if choice == 4:
        return f"{generate(rng, depth + 1)} and {generate(rng, depth + 1)}"
    if choice == 5:
        return f"{generate(rng, depth + 1)} or {generate(rng, depth + 1)}"
    if choice == 6:
        return f"not {generate(rng, depth + 1)}"
    if choice == 7:
        return f"({generate(rng, depth + 1)})"
    if choice == 8:
        return f"parent : {{ {rng.choice(FIELDS)} : {rng.choice(WORDS)} }}"
    return rng.choice(["(a : b", "a : b)", "a :", "and a : b", "a : b and", 'a : "open',
                       "a : (b or)", "a > b*"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("queries")
    ap.add_argument("--generated", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--show", type=int, default=15)
    args = ap.parse_args()

    cases = []
    for line in open(args.queries, encoding="utf-8"):
        item = json.loads(line)
        if item["language"] == "kuery":
            cases.append(("corpus", item["query"]))
    for path in sorted((ROOT / "crates/kuery/tests/fixtures").glob("*.kuery")):
        cases.append(("fixture", path.read_text(encoding="utf-8")))
    rng = random.Random(args.seed)
    cases.extend(("generated", generate(rng)) for _ in range(args.generated))

    stdin = "".join(json.dumps(text) + "\n" for _, text in cases)
    ours = subprocess.run(
        ["cargo", "run", "-q", "--release", "-p", "ruledex-kuery", "--example", "canon"],
        input=stdin, capture_output=True, text=True, cwd=ROOT, check=True,
    ).stdout.splitlines()

    stats = {}
    shown = 0
    for (origin, text), line in zip(cases, ours):
        mine = json.loads(line)
        theirs = reference(text)
        s = stats.setdefault(origin, dict(cases=0, both_accept=0, both_reject=0, same_tree=0,
                                          only_ours=0, only_reference=0))
        s["cases"] += 1
        if mine == "ERR" and theirs == "ERR":
            s["both_reject"] += 1
            continue
        if mine == "ERR":
            s["only_reference"] += 1
        elif theirs == "ERR":
            s["only_ours"] += 1
        else:
            s["both_accept"] += 1
            if mine == theirs:
                s["same_tree"] += 1
                continue
        if shown < args.show:
            shown += 1
            print(f"--- {origin}: {text!r}\n  ours     : {json.dumps(mine)}\n  kibana-ql: {json.dumps(theirs)}")
    total = {k: sum(s[k] for s in stats.values()) for k in next(iter(stats.values()))}
    for origin, s in list(stats.items()) + [("total", total)]:
        agree = s["both_reject"] + s["same_tree"]
        print(f"{origin:9} cases {s['cases']:5}  agree {agree:5} ({100 * agree / s['cases']:.1f} %)"
              f"  same tree {s['same_tree']}/{s['both_accept']} both-accepted"
              f"  both reject {s['both_reject']}  only ours accept {s['only_ours']}"
              f"  only kibana-ql accepts {s['only_reference']}")


if __name__ == "__main__":
    sys.exit(main())
