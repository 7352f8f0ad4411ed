#!/usr/bin/env python3
"""Differential test of ruledex-lucene against luqum (a Python Lucene parser).

Usage:
    diff.py QUERIES.jsonl [--generated N] [--seed S] [--show K]

Queries come from three places: the `lucene` lines of QUERIES.jsonl (made by
tools/bench/elastic-langs/extract.py), the fixtures under
crates/lucene/tests/fixtures (`*.lucene`), and N generated queries. Each
query is parsed by luqum and by `cargo run -p ruledex-lucene --example
sexpr`; both trees are printed as the same S-expression and compared.
Reports: accept/reject agreement, tree agreement when both accept, and the
first K disagreements.

Known, intended differences: luqum has no `&&`, `||` or `!` (Lucene does),
so those cases are generated only with --lucene-ops.
Install luqum in a scratch virtualenv: `pip install luqum`.
"""
import argparse
import json
import pathlib
import random
import subprocess
import sys

from luqum import tree
from luqum.parser import parser

ROOT = pathlib.Path(__file__).resolve().parents[3]


def unescape(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def q(text: str) -> str:
    # Rust's {:?} for simple strings: double quotes, escape \\ and ".
    return json.dumps(text, ensure_ascii=False)


def num(value) -> str:
    text = str(value)
    return text[:-2] if text.endswith(".0") else text


def sexpr(node) -> str:
    t = type(node)
    if t is tree.UnknownOperation:
        return "(implicit " + " ".join(sexpr(c) for c in node.children) + ")"
    if t is tree.OrOperation:
        return "(or " + " ".join(sexpr(c) for c in node.children) + ")"
    if t is tree.AndOperation:
        return "(and " + " ".join(sexpr(c) for c in node.children) + ")"
    if t is tree.Not:
        return f"(not {sexpr(node.a)})"
    if t is tree.Plus:
        return f"(+ {sexpr(node.a)})"
    if t is tree.Prohibit:
        return f"(- {sexpr(node.a)})"
    if t is tree.SearchField:
        return f"(field {q(unescape(node.name))} {sexpr(node.expr)})"
    if t in (tree.Group, tree.FieldGroup):
        return f"(group {sexpr(node.expr)})"
    if t is tree.Word:
        return f"(term {q(unescape(node.value))})"
    if t is tree.Phrase:
        return f"(phrase {q(unescape(node.value[1:-1]))})"
    if t is tree.Regex:
        return f"(regex {q(node.value[1:-1].replace(chr(92) + '/', '/'))})"
    if t is tree.Range:
        low = unescape(getattr(node.low, "value", str(node.low))).strip('"')
        high = unescape(getattr(node.high, "value", str(node.high))).strip('"')
        return "(range {} {} {} {})".format(
            "[" if node.include_low else "{", q(low), q(high),
            "]" if node.include_high else "}")
    if t is tree.From:
        op = ">=" if node.include else ">"
        return f"(cmp {op} {q(unescape(node.a.value))})"
    if t is tree.To:
        op = "<=" if node.include else "<"
        return f"(cmp {op} {q(unescape(node.a.value))})"
    if t in (tree.Fuzzy, tree.Proximity):
        # luqum fills in 0.5 for a bare `~`; we keep what was written.
        written = str(node).rsplit("~", 1)[-1]
        degree = num(node.degree) if written.strip() else "-"
        return f"(tilde {sexpr(node.term)} {degree})"
    if t is tree.Boost:
        return f"(boost {sexpr(node.expr)} {num(node.force)})"
    return f"(unknown {t.__name__})"


def luqum_sexpr(text: str) -> str:
    if not text.strip():
        return "EMPTY"
    try:
        return sexpr(parser.parse(text))
    except Exception:  # noqa: BLE001 - any parse failure is a reject
        return "ERR"


WORDS = ["a", "b", "cmd.exe", "S-1-5-18", "g+s", "x*", "*y*", "ab?c", "42",
         "C\\:\\\\temp", "foo\\ bar", "2024-01-01", "TOx", "ORacle"]
FIELDS = ["f", "process.name", "event.code", "user.name", "_exists_"]


def generate(rng: random.Random, depth: int = 0) -> str:
    choice = rng.randrange(14 if depth < 3 else 6)
    if choice < 3:
        return rng.choice(WORDS)
    if choice == 3:
        return '"' + " ".join(rng.sample(WORDS[:4], 2)) + '"'
    if choice == 4:
        return f"{rng.choice(FIELDS)}:{rng.choice(WORDS)}"
    if choice == 5:
        lo, hi = rng.choice([("1", "5"), ("*", "10"), ("a", "z")])
        return f"f:{rng.choice('[{')}{lo} TO {hi}{rng.choice(']}')}"
    if choice == 6:
        return f"{rng.choice(FIELDS)}:({generate(rng, depth + 1)} {generate(rng, depth + 1)})"
    if choice == 7:
        return f"{generate(rng, depth + 1)} AND {generate(rng, depth + 1)}"
    if choice == 8:
        return f"{generate(rng, depth + 1)} OR {generate(rng, depth + 1)}"
    if choice == 9:
        return f"NOT {generate(rng, depth + 1)}"
    if choice == 10:
        return f"{rng.choice('+-')}{generate(rng, depth + 1)}"
    if choice == 11:
        return f"({generate(rng, depth + 1)})"
    if choice == 12:
        return rng.choice(["a~", "a~2", '"a b"~3', "a^2", "f:>=10", "f:<5", "/ab+c/"])
    # Deliberately broken input: both parsers should reject it.
    return rng.choice(["(a", "a)", "f:", "[1 TO", '"open', "a AND", "OR b", "f:[1 5]"])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("queries")
    ap.add_argument("--generated", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--show", type=int, default=15)
    args = ap.parse_args()

    cases = []
    for line in open(args.queries, encoding="utf-8"):
        item = json.loads(line)
        if item["language"] == "lucene":
            cases.append(("corpus", item["query"]))
    for path in sorted((ROOT / "crates/lucene/tests/fixtures").rglob("*.lucene")):
        cases.append(("fixture", path.read_text(encoding="utf-8")))
    rng = random.Random(args.seed)
    for _ in range(args.generated):
        cases.append(("generated", generate(rng)))

    stdin = "".join(json.dumps(text) + "\n" for _, text in cases)
    ours = subprocess.run(
        ["cargo", "run", "-q", "--release", "-p", "ruledex-lucene", "--example", "sexpr"],
        input=stdin, capture_output=True, text=True, cwd=ROOT, check=True,
    ).stdout.splitlines()

    stats: dict[str, dict[str, int]] = {}
    shown = 0
    for (origin, text), mine in zip(cases, ours):
        theirs = luqum_sexpr(text)
        s = stats.setdefault(origin, {"cases": 0, "both_accept": 0, "both_reject": 0,
                                      "same_tree": 0, "only_ours": 0, "only_luqum": 0})
        s["cases"] += 1
        if mine == "ERR" and theirs == "ERR":
            s["both_reject"] += 1
            continue
        if mine == "ERR":
            s["only_luqum"] += 1
        elif theirs == "ERR":
            s["only_ours"] += 1
        else:
            s["both_accept"] += 1
            if mine == theirs:
                s["same_tree"] += 1
                continue
        if shown < args.show:
            shown += 1
            print(f"--- {origin}: {text!r}\n  ours : {mine}\n  luqum: {theirs}")
    total = {k: sum(s[k] for s in stats.values()) for k in next(iter(stats.values()))}
    for origin, s in list(stats.items()) + [("total", total)]:
        agree = s["both_reject"] + s["same_tree"]
        print(f"{origin:9} cases {s['cases']:5}  agree {agree:5} ({100 * agree / s['cases']:.1f} %)"
              f"  same tree {s['same_tree']}/{s['both_accept']} both-accepted"
              f"  both reject {s['both_reject']}  only ours accept {s['only_ours']}"
              f"  only luqum accepts {s['only_luqum']}")


if __name__ == "__main__":
    sys.exit(main())
