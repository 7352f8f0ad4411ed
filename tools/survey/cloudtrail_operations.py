#!/usr/bin/env python3
"""Which CloudTrail operations (eventName) the corpora's rules name, and with
which eventSource, to check the provider-inference table against.

Rough regex extraction of quoted CamelCase values near an eventName-like field
in every language; pairs (eventSource, eventName) from Panther test events.

    python3 tools/survey/cloudtrail_operations.py --corpus ../shared/corpus \
        [--providers crates/logsource/data/providers.toml]

Prints operations by number of rules; with --providers, the ones the table
does not cover.
"""
import argparse
import collections
import glob
import os
import re
import tomllib

import yaml

FIELD = r"(?:eventName|EventName|event\.action|event_name|product_event_type|eventname|api\.operation|command)"
VALUE = r"[\"']([A-Z][A-Za-z0-9]+)[\"']"


def texts(corpus):
    for pattern in ("SigmaHQ__sigma/**/*.yml", "elastic__detection-rules/**/*.toml",
                    "cloudflare__Azure-Sentinel/**/*.yaml", "splunk__security_content/detections/**/*.yml",
                    "chronicle__detection-rules/**/*.yaral"):
        for path in glob.glob(os.path.join(corpus, pattern), recursive=True):
            text = open(path, encoding="utf-8", errors="replace").read()
            if re.search(r"cloudtrail|CloudTrail|AWSCloudTrail|AMAZON|aws", text):
                yield path, text


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--providers")
    args = parser.parse_args()
    ops = collections.Counter()
    pairs = collections.defaultdict(collections.Counter)
    for path, text in texts(args.corpus):
        found = set()
        for match in re.finditer(FIELD + r"[^\n]{0,12}?(?:\(|\[|:|=|in|\|)([^\n]*)", text):
            for value in re.findall(VALUE, match.group(1)):
                found.add(value)
        # Sigma lists under eventName:
        for block in re.finditer(r"eventName(?:\|\w+)?:\s*\n((?:\s+-\s*\S+\n)+)", text):
            for value in re.findall(r"-\s*'?([A-Z][A-Za-z0-9]+)'?", block.group(1)):
                found.add(value)
        for value in found:
            ops[value] += 1
    for path in glob.glob(os.path.join(args.corpus, "panther-labs__panther-analysis/**/*.yml"), recursive=True):
        try:
            doc = yaml.safe_load(open(path, encoding="utf-8"))
        except Exception:
            continue
        if not isinstance(doc, dict) or "AWS.CloudTrail" not in (doc.get("LogTypes") or []):
            continue
        for test in doc.get("Tests") or []:
            log = test.get("Log") or {}
            if isinstance(log, dict) and isinstance(log.get("eventName"), str):
                ops[log["eventName"]] += 1
                if isinstance(log.get("eventSource"), str):
                    pairs[log["eventName"]][log["eventSource"]] += 1
    known = {}
    if args.providers:
        data = tomllib.load(open(args.providers, "rb"))
        for provider in data.get("provider", []):
            if provider.get("logsource") == "aws.cloudtrail":
                for op in provider.get("operations", []):
                    known[op.lower()] = provider["provider"]
    for op, count in ops.most_common():
        seen = ",".join(pairs.get(op, {}).keys())
        mark = known.get(op.lower(), "-" if args.providers else "")
        print(f"{count:4} {op:45} {seen:40} {mark}")
    if args.providers:
        missing = [op for op in ops if op.lower() not in known]
        print(f"\n{len(ops)} operations, {len(ops) - len(missing)} covered; uncovered: {len(missing)}")


if __name__ == "__main__":
    main()
