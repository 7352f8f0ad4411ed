#!/usr/bin/env python3
"""Write mutated copies of Sigma rules for a harsher differential test.

Usage: mutate.py SRC_ROOT OUT_DIR [COUNT] [SEED]

Each output file is one input file with one to three text-level mutations
(an extra modifier, a value of another type, a changed condition, a broken
metadata field). Run both dumps over OUT_DIR and compare: acceptance and
(field, modifiers, values) must still agree with pySigma. OUT_DIR is
scratch data derived from the corpus: keep it out of the repository.
"""

import random
import re
import sys
from pathlib import Path

MODIFIERS = [
    "contains", "startswith", "endswith", "all", "base64", "base64offset", "wide",
    "utf16", "utf16be", "windash", "re", "i", "m", "s", "cased", "cidr", "exists",
    "expand", "fieldref", "gt", "gte", "lt", "lte", "hour", "neq", "bogus",
]
VALUES = [
    "5", "yes", "null", "''", "'a*b'", "[]", "{}", "'10.0.0.0/8'", "'10.0.0.1/8'",
    "'(?=x)'", "'(a|b)'", "'%p%'", "' -x /y'", "1.5", "'*'", "'\\\\*'", "true",
    "2024-01-01", "[a, [b]]", "'é'", "0x10", "~", "'a\\'",
]
CONDITIONS = [
    "{a} and not {b}", "1 of {p}*", "all of them", "{a} or", "not ({a} or {b})",
    "{a} and and {b}", "any of {a}", "{a} | count() > 5", "{a}x", "1 of nomatch*",
    "({a}", "{a} AND {b}",
]
META = [
    ("level", "bogus"), ("status", "wip"), ("date", "2020-13-01"), ("date", "'2020/1/2'"),
    ("id", "not-a-uuid"), ("tags", "attack.t1059"), ("title", "42"), ("author", "[a]"),
    ("modified", "20200101"), ("references", "x"),
]

KEY = re.compile(r"^(\s+)([\w.\-]+(?:\|\w+)*)(:\s*)(.*)$")


def mutate(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    names = re.findall(r"^    (\w+):\s*$", text, re.M) or ["selection"]
    for _ in range(rng.randint(1, 3)):
        kind = rng.choice(["modifier", "value", "condition", "meta"])
        if kind == "meta":
            key, value = rng.choice(META)
            idx = [i for i, l in enumerate(lines) if l.startswith(key + ":")]
            if idx:
                lines[idx[0]] = f"{key}: {value}"
            continue
        if kind == "condition":
            idx = [i for i, l in enumerate(lines) if l.strip().startswith("condition:")]
            if idx:
                tpl = rng.choice(CONDITIONS)
                a, b = rng.choice(names), rng.choice(names)
                cond = tpl.format(a=a, b=b, p=a[: max(1, len(a) // 2)])
                indent = lines[idx[0]][: len(lines[idx[0]]) - len(lines[idx[0]].lstrip())]
                lines[idx[0]] = f"{indent}condition: {cond}"
            continue
        idx = [
            i for i, l in enumerate(lines)
            if KEY.match(l) and len(KEY.match(l).group(1)) >= 8
        ]
        if not idx:
            continue
        i = rng.choice(idx)
        m = KEY.match(lines[i])
        indent, key, sep, value = m.groups()
        if kind == "modifier":
            key = key + "|" + rng.choice(MODIFIERS)
        elif value.strip():
            value = rng.choice(VALUES)
        lines[i] = f"{indent}{key}{sep}{value}"
    return "\n".join(lines)


def main() -> None:
    src, out = Path(sys.argv[1]), Path(sys.argv[2])
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 2000
    rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 1)
    files = sorted(src.rglob("*.yml"))
    out.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        path = rng.choice(files)
        text = path.read_text(encoding="utf-8")
        (out / f"m{n:05d}.yml").write_text(mutate(text, rng), encoding="utf-8")


if __name__ == "__main__":
    main()
