#!/usr/bin/env python3
"""Differential test of ruledex's YARA-L event predicates against `yaraast`.

yaraast (PyPI, MIT) parses YARA-L 2.0 into a tree whose events section holds
`EventAssignment`s: `$e.field op value` with the operator and value as
written, and raw text for everything else (calls, parenthesized groups, the
rest of an `or` chain). For every rule yaraast accepts, this compares its
(UDM field, operator, value) triples with ours (from
`cargo run --release -p ruledex-yaral --example predicates_jsonl`), and
prints the agreement rate and every disagreement, classified:

  agree              same field, operator and value, and ours is not negated
  not-dropped        same triple, but ours is under `not`: yaraast drops a
                     leading `not` (its reading is wrong)
  list-name-lost     `in regex %list` / `in cidr %list`: yaraast keeps
                     `regex`/`cidr` as the value and loses the list name
  raw-as-regex       `= \`C:\\x\`` (a raw string): yaraast reads the
                     backtick string as a regular expression
  other              anything else (listed in full)

Rules yaraast rejects are counted by its error message (it rejects `!$e`
in conditions). Triples only we have come from statements yaraast keeps as
raw text; they are counted, not compared.

Usage (from the repository root):
  python3 -m venv /tmp/yaraast && /tmp/yaraast/bin/pip install yaraast
  cargo run --release -p ruledex-yaral --example predicates_jsonl -- CORPUS > /tmp/ours.jsonl
  /tmp/yaraast/bin/python tools/diff/yaral/diff.py CORPUS /tmp/ours.jsonl [--show N]
"""
import argparse
import collections
import json
import os
import sys

from yaraast.yaral import ast_nodes as A
from yaraast.yaral.parser import YaraLParser


def reference(path):
    """yaraast's triples per rule name, or raise its error."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    parsed = YaraLParser(text).parse()
    out = []
    for rule in parsed.rules:
        triples = []
        statements = rule.events.statements if rule.events else []
        for s in statements:
            if not isinstance(s, A.EventAssignment):
                continue
            op, value = s.operator, s.value
            if isinstance(value, A.RegexPattern):
                op, value = ("= regex" if op == "=" else "!= regex"), value.pattern
            elif isinstance(value, A.ReferenceList):
                value = "%" + value.name
            elif isinstance(value, A.EventVariable) or isinstance(value, A.UDMFieldAccess):
                continue  # placeholders and joins: not literal predicates
            elif isinstance(value, (A.FunctionCall,)):
                continue
            if op == "in" and value in ("regex", "cidr"):
                op, value = f"in {value}", None
            if isinstance(value, str) and value.startswith("$"):
                continue
            triples.append((s.field_path.path, op, norm(value)))
        out.append((rule.name, triples))
    return out


def norm(v):
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, str):
        try:
            return float(v) if v.strip() != v or False else v
        except ValueError:
            return v
    return v


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("ours")
    ap.add_argument("--show", type=int, default=15)
    args = ap.parse_args()

    ours = collections.defaultdict(dict)
    with open(args.ours, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            ours[r["path"]][len(ours[r["path"]])] = r

    classes = collections.Counter()
    examples = collections.defaultdict(list)
    rejected = collections.Counter()
    rejected_examples = collections.defaultdict(list)
    rules_compared = only_ours = 0
    for path in sorted(ours):
        try:
            ref = reference(os.path.join(args.corpus, path))
        except Exception as exc:  # yaraast raises several types
            msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            key = msg[:110]
            rejected[key] += 1
            rejected_examples[key].append(path)
            continue
        for index, (name, triples) in enumerate(ref):
            mine = ours[path].get(index)
            if mine is None:
                classes["rule-not-found"] += 1
                examples["rule-not-found"].append((path, name))
                continue
            rules_compared += 1
            pool = [p for p in mine["predicates"] if not p["function"]]
            used = [False] * len(pool)
            for field, op, value in triples:
                found = None
                for i, p in enumerate(pool):
                    if used[i] or p["field"] != field:
                        continue
                    if op.startswith("in ") and value is None and p["op"] == op:
                        found = (i, "list-name-lost")
                        break
                    if p["op"] == op and norm(p["value"]) == value:
                        found = (i, "not-dropped" if p["negated"] else "agree")
                        break
                    if op == "= regex" and p["op"] == "=" and norm(p["value"]) == value:
                        found = (i, "raw-as-regex")
                        break
                if found is None:
                    classes["other"] += 1
                    examples["other"].append((path, name, field, op, value))
                    continue
                used[found[0]] = True
                classes[found[1]] += 1
                examples[found[1]].append((path, name, field, op, value))
            only_ours += used.count(False)

    total = sum(classes.values())
    print(f"rules yaraast accepts and we compared: {rules_compared}")
    print(f"rules yaraast rejects: {sum(rejected.values())}")
    for msg, n in rejected.most_common():
        print(f"  {n:4}  {msg}   e.g. {rejected_examples[msg][0]}")
    print(f"yaraast event triples: {total}")
    for cls in ("agree", "not-dropped", "list-name-lost", "raw-as-regex", "other",
                "rule-not-found"):
        n = classes.get(cls, 0)
        print(f"  {cls:15} {n:6}  ({100.0 * n / max(total, 1):.2f} %)")
    right = classes["agree"]
    wrong_ref = classes["not-dropped"] + classes["list-name-lost"] + classes["raw-as-regex"]
    print(f"agreement where yaraast's reading is right: "
          f"{right}/{total - wrong_ref} = {100.0 * right / max(total - wrong_ref, 1):.2f} %")
    print(f"our non-function comparisons yaraast keeps as raw text: {only_ours}")
    for cls in ("not-dropped", "list-name-lost", "raw-as-regex", "other", "rule-not-found"):
        for ex in examples[cls][: args.show]:
            print(f"{cls}: {ex}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
