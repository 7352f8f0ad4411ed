#!/usr/bin/env python3
"""Dump what pySigma understands of Sigma rule files, as JSON lines.

One line per file:

    {"file": "<path relative to ROOT>", "error": null | "<why the whole file failed>",
     "rules": [<rule>, ...]}

and per rule (in the order pySigma creates them: one per rule document, after
`action: global` / `repeat` merging; `global` and `reset` documents create none):

    {"index": 0, "type": "rule" | "correlation" | "filter",
     "accepted": true | false, "errors": ["..."],
     "detections": {"<name>": {"items": [<item>, ...], "tree": "<nesting>"}},
     "conditions": ["and(selection,not(filter))", ...],
     "correlation": {...} | null, "filter": {...} | null}

An item is {"field": str|null, "modifiers": [...], "values": [...],
"expanded": [...], "linking": "or"|"and"}: `values` are the values as written
(typed, wildcards parsed), `expanded` the values after pySigma applied the
modifiers. Values are canonical strings (see `canon`), the same ones the Rust
side (`cargo run -p ruledex-sigma --example sigma_dump`) prints, so the two
dumps compare with `compare.py`.

Usage: pysigma_dump.py ROOT [FILE...] > pysigma.jsonl
(without FILEs: every *.yml and *.yaml under ROOT, sorted).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml
from sigma.collection import SigmaCollection
from sigma.conditions import (
    ConditionAND,
    ConditionIdentifier,
    ConditionNOT,
    ConditionOR,
    ConditionSelector,
)
from sigma.correlations import SigmaCorrelationRule, SigmaExtendedCorrelationCondition
from sigma.filters import SigmaFilter
from sigma.rule import SigmaDetection, SigmaDetectionItem
from sigma.types import (
    Placeholder,
    SigmaBool,
    SigmaCasedString,
    SigmaCIDRExpression,
    SigmaCompareExpression,
    SigmaExists,
    SigmaExpansion,
    SigmaFieldReference,
    SigmaNull,
    SigmaNumber,
    SigmaRegularExpression,
    SigmaString,
    SigmaTimestampPart,
    SpecialChars,
)
from sigma.modifiers import reverse_modifier_mapping


def canon_string(s: SigmaString) -> str:
    out = []
    for part in s.s:
        if isinstance(part, str):
            for c in part:
                if c in "\\*?%":
                    out.append("\\")
                out.append(c)
        elif part == SpecialChars.WILDCARD_MULTI:
            out.append("*")
        elif part == SpecialChars.WILDCARD_SINGLE:
            out.append("?")
        elif isinstance(part, Placeholder):
            out.append("%" + part.name + "%")
        else:
            out.append(repr(part))
    return "".join(out)


def canon_number(n) -> str:
    if isinstance(n, bool):
        return "b:" + str(n).lower()
    if isinstance(n, int):
        return str(n)
    return repr(float(n))


def canon(v) -> str:
    if isinstance(v, SigmaCasedString):
        return "cased:" + canon_string(v)
    if isinstance(v, SigmaString):
        return "s:" + canon_string(v)
    if isinstance(v, SigmaTimestampPart):
        return "ts:" + v.timestamp_part.name.lower() + ":" + canon_number(v.number)
    if isinstance(v, SigmaNumber):
        return "n:" + canon_number(v.number)
    if isinstance(v, SigmaBool):
        return "b:" + str(v.boolean).lower()
    if isinstance(v, SigmaNull):
        return "null"
    if isinstance(v, SigmaRegularExpression):
        flags = "".join(sorted(SigmaRegularExpression.sigma_to_re_flag[f] for f in v.flags))
        return "re:" + flags + ":" + str(v.regexp)
    if isinstance(v, SigmaCIDRExpression):
        return "cidr:" + v.cidr
    if isinstance(v, SigmaCompareExpression):
        return "cmp:" + v.op.name.lower() + ":" + canon(v.number)
    if isinstance(v, SigmaFieldReference):
        return (
            "fieldref:"
            + ("*" if v.starts_with else "")
            + v.field
            + ("*" if v.ends_with else "")
        )
    if isinstance(v, SigmaExists):
        return "exists:" + str(v.exists).lower()
    if isinstance(v, SigmaExpansion):
        return "any:" + json.dumps(
            [canon(x) for x in v.values], ensure_ascii=False, separators=(",", ":")
        )
    return "?" + type(v).__name__ + ":" + str(v)


def dump_item(item: SigmaDetectionItem) -> dict:
    return {
        "field": item.field,
        "modifiers": [reverse_modifier_mapping[m.__name__] for m in item.modifiers],
        "values": [canon(v) for v in (item.original_value or [])],
        "expanded": [canon(v) for v in item.value],
        "linking": "and" if item.value_linking is ConditionAND else "or",
    }


def items_of(detection: SigmaDetection, out: list) -> str:
    """Collect the items of a detection into `out`; return its nesting as text."""
    parts = []
    for d in detection.detection_items:
        if isinstance(d, SigmaDetection):
            parts.append(items_of(d, out))
        else:
            out.append(dump_item(d))
            parts.append("i")
    op = "and" if detection.item_linking is ConditionAND else "or"
    return op + "(" + ",".join(parts) + ")"


def cond_tree(node) -> str:
    if isinstance(node, ConditionIdentifier):
        return node.identifier
    if isinstance(node, ConditionSelector):
        return "of(" + str(node.args[0]) + "," + str(node.args[1]) + ")"
    if isinstance(node, ConditionNOT):
        return "not(" + cond_tree(node.args[0]) + ")"
    if isinstance(node, (ConditionAND, ConditionOR)):
        op = "and" if isinstance(node, ConditionAND) else "or"
        return op + "(" + ",".join(cond_tree(a) for a in node.args) + ")"
    return "?" + type(node).__name__


def dump_detections(detections, rule_errors: list) -> tuple[dict, list]:
    out = {}
    for name, detection in detections.detections.items():
        items: list = []
        tree = items_of(detection, items)
        items.sort(key=lambda i: json.dumps(i, sort_keys=True))
        out[name] = {"items": items, "tree": tree}
    conditions = []
    for cond in getattr(detections, "parsed_condition", []):
        try:
            conditions.append(cond_tree(cond.parse(postprocess=False)))
            cond.parse(postprocess=True)  # undefined detections fail here
        except Exception as e:  # noqa: BLE001 - any failure is a rejection
            rule_errors.append(f"{type(e).__name__}: {e}")
    return out, conditions


def dump_rule(index: int, rule) -> dict:
    errors = [f"{type(e).__name__}: {e}" for e in rule.errors]
    out = {
        "index": index,
        "type": "rule",
        "detections": {},
        "conditions": [],
        "correlation": None,
        "filter": None,
    }
    if isinstance(rule, SigmaCorrelationRule):
        out["type"] = "correlation"
        cond = rule.condition
        if isinstance(cond, SigmaExtendedCorrelationCondition):
            condition = {"expression": cond.expression}
        else:
            condition = {
                "op": cond.op.name.lower(),
                "count": cond.count,
                "field": cond.fieldref,
            }
        out["correlation"] = {
            "type": str(rule.type) if rule.type is not None else None,
            "rules": [r.reference for r in (rule.rules or [])],
            "group_by": rule.group_by,
            "timespan": getattr(rule.timespan, "spec", None),
            "condition": condition,
        }
    elif isinstance(rule, SigmaFilter):
        out["type"] = "filter"
        dets, conds = dump_detections(rule.filter, errors)
        out["detections"], out["conditions"] = dets, conds
        rules = rule.filter.rules
        out["filter"] = {
            "rules": rules if isinstance(rules, str) else [r.reference for r in rules]
        }
    else:
        dets, conds = dump_detections(rule.detection, errors)
        out["detections"], out["conditions"] = dets, conds
    out["accepted"] = not errors
    out["errors"] = errors
    return out


def dump_file(root: Path, path: Path) -> dict:
    rel = path.relative_to(root).as_posix()
    try:
        text = path.read_text(encoding="utf-8")
        collection = SigmaCollection.from_yaml(
            text, collect_errors=True, collect_filters=True, resolve_references=False
        )
    except Exception as e:  # noqa: BLE001
        return {"file": rel, "error": f"{type(e).__name__}: {e}", "rules": []}
    rules = list(collection.rules) + list(collection.filters)
    # Keep pySigma's document order: rules and filters were created in file order.
    dumped = [dump_rule(i, r) for i, r in enumerate(order_by_document(collection, rules))]
    error = "; ".join(f"{type(e).__name__}: {e}" for e in collection.errors if not any(
        e in r.errors for r in rules)) or None
    return {"file": rel, "error": error, "rules": dumped}


def order_by_document(collection, rules):
    # SigmaCollection keeps rules and filters apart; files mixing both are rare
    # and the creation order is recoverable from the object ids' creation order
    # only heuristically, so rules come first, then filters (the Rust side does
    # the same for the comparison).
    return rules


def main() -> None:
    root = Path(sys.argv[1])
    files = [Path(f) for f in sys.argv[2:]] or sorted([*root.rglob("*.yml"), *root.rglob("*.yaml")])
    for path in files:
        print(json.dumps(dump_file(root, path), ensure_ascii=False, sort_keys=True))


if __name__ == "__main__":
    main()
