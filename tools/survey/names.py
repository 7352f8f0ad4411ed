#!/usr/bin/env python3
"""Which log-source names the corpora use that the log-source table lacks,
for platforms whose rules the catalog may not parse yet.

Rough extraction straight from the rule files (not the parsers): Sigma
logsource triples, Elastic index patterns and event.dataset values, Splunk
data_source names, sourcetypes and leading macros, Chronicle
metadata.log_type / product_name values, Panther LogTypes. Each name is looked
up in crates/logsource/data/logsources.toml the simple way (case-insensitive,
`*` globs in the table; Sigma triples need every key the rule sets), so a
listed name is a candidate to add, not proof of a gap.

    python3 tools/survey/names.py --corpus ../shared/corpus \
        [--table crates/logsource/data/logsources.toml] [--top 40]
"""
import argparse
import collections
import fnmatch
import glob
import os
import re
import tomllib

import yaml

PLATFORM_KEYS = {
    "elastic_index": ("elastic", "indexes"),
    "elastic_dataset": ("elastic", "datasets"),
    "splunk_data_source": ("splunk", "data_sources"),
    "splunk_sourcetype": ("splunk", "sourcetypes"),
    "splunk_macro": ("splunk", "macros"),
    "chronicle_log_type": ("chronicle", "log_types"),
    "chronicle_product": ("chronicle", "products"),
    "panther_log_type": ("panther", "log_types"),
}


def table_names(path):
    data = tomllib.load(open(path, "rb"))
    names = collections.defaultdict(list)
    sigma = []
    for source in data.get("source", []):
        for key, (section, selector) in PLATFORM_KEYS.items():
            for entry in (source.get(section) or {}).get(selector, []):
                names[key].append((entry if isinstance(entry, str) else entry["name"]).lower())
        for entry in (source.get("sigma") or {}).get("logsource", []):
            sigma.append({k: entry[k].lower() for k in ("product", "category", "service") if k in entry})
    return names, sigma


def known(name, patterns):
    name = name.lower()
    for pattern in patterns:
        if pattern == name or fnmatch.fnmatchcase(name, pattern) or fnmatch.fnmatchcase(pattern, name):
            return True
    return False


def sigma_known(rule, entries):
    for entry in entries:
        if all(entry.get(k) == v for k, v in rule.items() if k != "product" or "product" in entry) and any(
            entry.get(k) == v for k, v in rule.items()
        ):
            if all(k in rule and rule[k] == v for k, v in entry.items()):
                return True
    return False


def corpus_names(corpus):
    out = collections.defaultdict(collections.Counter)
    for path in glob.glob(os.path.join(corpus, "SigmaHQ__sigma/**/*.yml"), recursive=True):
        try:
            doc = yaml.safe_load(open(path, encoding="utf-8"))
        except Exception:
            continue
        if isinstance(doc, dict) and isinstance(doc.get("logsource"), dict):
            ls = {k: str(doc["logsource"][k]).lower() for k in ("product", "category", "service") if k in doc["logsource"]}
            if ls:
                out["sigma"][tuple(sorted(ls.items()))] += 1
    for path in glob.glob(os.path.join(corpus, "elastic__detection-rules/**/*.toml"), recursive=True):
        try:
            doc = tomllib.load(open(path, "rb"))
        except Exception:
            continue
        rule = doc.get("rule") or {}
        for index in rule.get("index") or []:
            out["elastic_index"][index] += 1
        query = rule.get("query") or ""
        for value in re.findall(r"(?:event\.dataset|data_stream\.dataset)\s*(?::|==)\s*\(?\s*\"?([\w.\-]+)", query):
            out["elastic_dataset"][value] += 1
    for path in glob.glob(os.path.join(corpus, "splunk__security_content/detections/**/*.yml"), recursive=True):
        try:
            doc = yaml.safe_load(open(path, encoding="utf-8"))
        except Exception:
            continue
        if not isinstance(doc, dict):
            continue
        for name in doc.get("data_source") or []:
            out["splunk_data_source"][name] += 1
        search = doc.get("search") or ""
        for value in re.findall(r"sourcetype\s*=\s*\"?([\w:\-\*\./]+)", search):
            out["splunk_sourcetype"][value] += 1
        first = re.match(r"\s*\|?\s*`(\w+)`", search)
        if first:
            out["splunk_macro"][first.group(1)] += 1
    for path in glob.glob(os.path.join(corpus, "chronicle__detection-rules/**/*.yaral"), recursive=True):
        text = open(path, encoding="utf-8", errors="replace").read()
        for value in re.findall(r"metadata\.log_type\s*=\s*\"([^\"]+)\"", text):
            out["chronicle_log_type"][value] += 1
        for value in re.findall(r"metadata\.product_name\s*=\s*\"([^\"]+)\"", text):
            out["chronicle_product"][value] += 1
    for path in glob.glob(os.path.join(corpus, "panther-labs__panther-analysis/**/*.yml"), recursive=True):
        try:
            doc = yaml.safe_load(open(path, encoding="utf-8"))
        except Exception:
            continue
        if isinstance(doc, dict):
            for value in doc.get("LogTypes") or []:
                out["panther_log_type"][value] += 1
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--table", default="crates/logsource/data/logsources.toml")
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    names, sigma = table_names(args.table)
    for kind, counter in sorted(corpus_names(args.corpus).items()):
        if kind == "sigma":
            missing = [(dict(k), n) for k, n in counter.items() if not sigma_known(dict(k), sigma)]
            label = lambda k: " ".join(f"{a}={b}" for a, b in k.items())
        else:
            missing = [(k, n) for k, n in counter.items() if not known(k, names[kind])]
            label = str
        total = sum(counter.values())
        lost = sum(n for _, n in missing)
        print(f"== {kind}: {len(counter)} names in {total} uses; not in the table: {len(missing)} names, {lost} uses")
        for name, count in sorted(missing, key=lambda kv: -kv[1])[: args.top]:
            print(f"{count:5}  {label(name)}")
        print()


if __name__ == "__main__":
    main()
