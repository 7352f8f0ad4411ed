#!/usr/bin/env python3
"""Log-source and action coverage of a catalog export, per language.

Reads `ruledex export --jsonl` output (a file, or stdin) and the log-source
table, and lists, per language and by number of rules:

- the data sources (tables, functions, connectors' data types, indexes,
  Sigma logsources, sourcetypes, log types) of rules that resolved to no log
  source, and filter values on name fields (`event.dataset`, `sourcetype`,
  `metadata.log_type`, ...);
- the cloud rules (log sources of category cloud, identity or saas) that have
  no action: the log source, and the fields they filter positively with a
  few values (to find the operation field the table misses).

    target/release/ruledex export --jsonl --source ../shared/corpus > /tmp/export.jsonl
    python3 tools/survey/logsources.py /tmp/export.jsonl \
        --table crates/logsource/data/logsources.toml [--top 40] [--language kql]

The summary line per language uses the same definitions as `ruledex stats`.
"""
import argparse
import collections
import json
import sys
import tomllib

CLOUD = {"cloud", "identity", "saas"}
NAME_FIELDS = {
    "event.dataset", "data_stream.dataset", "sourcetype", "source", "metadata.log_type",
    "metadata.product_name", "metadata.event_type", "p_log_type", "Type",
}
POSITIVE = {"eq", "in", "has", "has_any", "wildcard", "contains", "startswith", "endswith"}


def load_table(path):
    """Log-source id -> (category, is_action)."""
    data = tomllib.load(open(path, "rb"))
    out = {}
    for source in data.get("source", []):
        sections = [source.get(p) or {} for p in ("sentinel", "sigma", "elastic", "splunk", "chronicle", "panther")]
        is_action = all(not s.get("operation") for s in sections)
        out[source["id"]] = (source["category"], is_action)
    return out


def describe(data_source):
    kind, name = data_source.get("kind"), data_source.get("name", "")
    attributes = data_source.get("attributes") or {}
    if kind == "connector" and attributes.get("dataTypes"):
        return f"connector {name} -> {attributes['dataTypes']}"
    if kind == "logsource":
        parts = [f"{k}={attributes[k]}" for k in ("product", "category", "service") if k in attributes]
        return "logsource " + " ".join(parts)
    return f"{kind} {name}"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("export", nargs="?", help="JSONL export (default: stdin)")
    parser.add_argument("--table", default="crates/logsource/data/logsources.toml")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--language", action="append", help="only these languages")
    args = parser.parse_args()
    table = load_table(args.table)
    stream = open(args.export, encoding="utf-8") if args.export else sys.stdin

    summary = collections.defaultdict(collections.Counter)
    unresolved = collections.defaultdict(collections.Counter)
    unresolved_examples = {}
    no_action = collections.defaultdict(collections.Counter)
    no_action_fields = collections.defaultdict(lambda: collections.defaultdict(collections.Counter))
    no_action_examples = {}

    for line in stream:
        rule = json.loads(line)
        language = rule.get("language", "?")
        if args.language and language not in args.language:
            continue
        catalog = rule.get("catalog") or {}
        logsources = catalog.get("logsources") or []
        actions = catalog.get("actions") or []
        s = summary[language]
        s["rules"] += 1
        s["with_logsource"] += bool(logsources)
        has_operation = any(a.get("operation") for a in actions)
        key = catalog.get("key") or rule.get("id")
        if not logsources:
            names = {describe(d) for d in rule.get("data_sources") or []}
            for indicator in rule.get("indicators") or []:
                if indicator.get("field") in NAME_FIELDS and not indicator.get("negated"):
                    for value in indicator.get("values") or []:
                        names.add(f"{indicator['field']}: {value}")
            if not names:
                names = {"(no data source)"}
            for name in names:
                unresolved[language][name] += 1
                unresolved_examples.setdefault((language, name), key)
        cloud = [ls for ls in logsources if table.get(ls, ("", False))[0] in CLOUD]
        if cloud:
            s["cloud_rules"] += 1
            ok = has_operation or any(table[ls][1] for ls in cloud)
            s["cloud_with_action"] += ok
            if not ok:
                label = ",".join(cloud)
                no_action[language][label] += 1
                no_action_examples.setdefault((language, label), key)
                seen = set()
                for indicator in rule.get("indicators") or []:
                    if indicator.get("negated") or indicator.get("exclusion"):
                        continue
                    if indicator.get("kind") not in POSITIVE:
                        continue
                    field = f"{indicator['field']} ({indicator['kind']})"
                    values = [str(v) for v in indicator.get("values") or []][:2]
                    if field not in seen:
                        no_action_fields[(language, label)][field][" | ".join(values)[:60]] += 1
                        seen.add(field)

    for language in sorted(summary):
        s = summary[language]
        pct = lambda a, b: f"{100.0 * a / b:5.1f}%" if b else "   - "
        print(f"== {language}: {s['rules']} rules, log source {s['with_logsource']} ({pct(s['with_logsource'], s['rules'])}),"
              f" cloud {s['cloud_rules']} with action {s['cloud_with_action']} ({pct(s['cloud_with_action'], s['cloud_rules'])})")
        print(f"-- unresolved data sources ({s['rules'] - s['with_logsource']} rules)")
        for name, count in unresolved[language].most_common(args.top):
            print(f"{count:5}  {name}    e.g. {unresolved_examples[(language, name)]}")
        print(f"-- cloud rules without an action ({s['cloud_rules'] - s['cloud_with_action']} rules)")
        for label, count in no_action[language].most_common(args.top):
            print(f"{count:5}  {label}    e.g. {no_action_examples[(language, label)]}")
            fields = no_action_fields[(language, label)]
            ranked = sorted(fields.items(), key=lambda kv: -sum(kv[1].values()))[:6]
            for field, values in ranked:
                top = "; ".join(v for v, _ in values.most_common(3))
                print(f"         {sum(values.values()):4} {field}: {top}")
        print()


if __name__ == "__main__":
    main()
