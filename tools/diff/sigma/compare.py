#!/usr/bin/env python3
"""Compare pySigma's dump with ruledex's and print the exact-match shares.

Usage: compare.py pysigma.jsonl ruledex.jsonl [--show N]

For every rule pySigma accepts, the rule matches exactly when ruledex
accepts it too, every detection has the same multiset of
(field, modifiers, values) items, and the conditions have the same
structure. Also reported: the same with pySigma's final (modified) values,
the detection nesting, and acceptance agreement on all rules.
"""

import json
import sys
from collections import Counter

ALIASES = {"i": "ignorecase", "m": "multiline", "dotall": "s", "utf16le": "wide"}


def load(path):
    out = {}
    for line in open(path, encoding="utf-8"):
        d = json.loads(line)
        out[d["file"]] = d
    return out


def items(rule, key):
    res = {}
    for name, det in rule["detections"].items():
        res[name] = sorted(
            json.dumps(
                [i["field"], [ALIASES.get(m, m) for m in i["modifiers"]], i[key], i["linking"]],
                ensure_ascii=False,
            )
            for i in det["items"]
        )
    return res


def main():
    py, rs = load(sys.argv[1]), load(sys.argv[2])
    show = int(sys.argv[sys.argv.index("--show") + 1]) if "--show" in sys.argv else 10
    stats = Counter()
    examples = {}

    def miss(kind, file, detail):
        stats["mismatch:" + kind] += 1
        examples.setdefault(kind, []).append((file, detail))

    for file, p in py.items():
        r = rs.get(file)
        if r is None:
            miss("file missing in ruledex", file, "")
            continue
        prules, rrules = p["rules"], r["rules"]
        if p["error"] and not prules:
            # pySigma failed the whole file (YAML error, exception).
            stats["files rejected whole by pySigma"] += 1
            if any(x["accepted"] for x in rrules):
                miss("file rejected by pySigma, accepted by ruledex", file, p["error"][:200])
            continue
        if len(prules) != len(rrules):
            miss("rule count", file, f"{len(prules)} vs {len(rrules)}")
        for i, pr in enumerate(prules):
            stats["rules"] += 1
            rr = rrules[i] if i < len(rrules) else None
            p_ok = pr["accepted"] and not (p["error"] and not prules)
            r_ok = rr is not None and rr["accepted"]
            stats[f"acceptance py={p_ok} rs={r_ok}"] += 1
            if p_ok != r_ok:
                if not p_ok and r_ok and any("pipe syntax" in e for e in pr["errors"]):
                    # By design: ruledex parses the deprecated aggregation
                    # pipes (with warning SIG013); pySigma rejects them.
                    stats["by design: pipe accepted with a warning"] += 1
                else:
                    miss("acceptance", file, f"py={pr['errors'][:1]} rs={(rr or {}).get('errors', [])[:2]}")
            if not p_ok:
                continue
            stats["accepted by pySigma"] += 1
            if rr is None:
                continue
            same_items = items(pr, "values") == items(rr, "values")
            same_cond = pr["conditions"] == rr["conditions"]
            same_expanded = items(pr, "expanded") == items(rr, "expanded")
            same_tree = {k: v["tree"] for k, v in pr["detections"].items()} == {
                k: v["tree"] for k, v in rr["detections"].items()
            }
            same_corr = pr["correlation"] == rr["correlation"]
            same_filter = pr["filter"] == rr["filter"]
            if same_items and same_cond and same_corr and same_filter and r_ok:
                stats["exact (field, modifiers, values) + condition"] += 1
            if same_expanded and r_ok:
                stats["exact expanded values"] += 1
            if same_tree:
                stats["exact detection nesting"] += 1
            if not same_items:
                pi, ri = items(pr, "values"), items(rr, "values")
                diff = {k: (pi.get(k), ri.get(k)) for k in set(pi) | set(ri) if pi.get(k) != ri.get(k)}
                miss("items", file, json.dumps(diff, ensure_ascii=False)[:600])
            if not same_expanded and same_items:
                pi, ri = items(pr, "expanded"), items(rr, "expanded")
                diff = {k: (pi.get(k), ri.get(k)) for k in set(pi) | set(ri) if pi.get(k) != ri.get(k)}
                miss("expanded", file, json.dumps(diff, ensure_ascii=False)[:600])
            if not same_cond:
                miss("condition", file, f"{pr['conditions']} vs {rr['conditions']}")
            if not same_tree:
                miss("nesting", file, "")
            if not same_corr:
                miss("correlation", file, f"{pr['correlation']} vs {rr['correlation']}")
            if not same_filter:
                miss("filter", file, f"{pr['filter']} vs {rr['filter']}")
    acc = stats["accepted by pySigma"] or 1
    print(f"files: {len(py)}  rules: {stats['rules']}  accepted by pySigma: {stats['accepted by pySigma']}")
    for key in (
        "exact (field, modifiers, values) + condition",
        "exact expanded values",
        "exact detection nesting",
    ):
        print(f"{key}: {stats[key]}/{acc} = {100.0 * stats[key] / acc:.2f} %")
    for k, v in sorted(stats.items()):
        if k.startswith(("acceptance", "mismatch", "by design", "files rejected")):
            print(f"  {k}: {v}")
    for kind, exs in examples.items():
        print(f"\n== {kind} ({len(exs)})")
        for file, detail in exs[:show]:
            print(f"  {file}: {detail}")


if __name__ == "__main__":
    main()
