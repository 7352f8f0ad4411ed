#!/usr/bin/env python3
r"""Sigma -> SPL -> ruledex round trip: do converted rules keep their indicators?

Usage: roundtrip.py SIGMA_ROOT OUT_DIR [--limit N] [--show N]

Converts every Sigma rule under SIGMA_ROOT with pysigma-backend-splunk
(pySigma 1.5.x): the plain output (`splunk_windows_pipeline`), and the CIM
data-model output (`splunk_cim_data_model`, `tstats … from datamodel=…`)
for the rules that backend supports. Each (rule, SPL) pair goes through
`cargo run -p ruledex-spl --example sigma_roundtrip`, which prints the
(canonical field, kind family, value) keys of the Sigma rule and of the SPL
as ruledex reads them. A converted rule agrees when both key sets are
equal after the normalizations below. Writes OUT_DIR/pairs.jsonl (derived
from the corpus: keep OUT_DIR out of the repository) and prints the
agreement per output format with the classes of disagreement.

Normalizations, each a documented difference of the backend's output rather
than of the reading:
- Sigma `field: null` is written `NOT field=*`: `eq null` counts as
  `not_exists`.
- Sigma `?` wildcards become `*` in SPL (the backend has no one-character
  wildcard): in a Sigma glob (`wildcard` keys; in `eq`/`contains`/…
  keys a `?` is literal text) `?` is read as `*`, and the glob is
  classified again by where its `*`s are, as the SPL reading does.
- SPL cannot escape `*` (Search Manual, "Backslashes": the backslash can't
  escape the asterisk); the backend still writes a literal `*` as `\*`,
  which Splunk reads as a backslash and a wildcard: a Sigma value with a
  literal `*` is compared as that glob.
- `windash` expands every dash that starts a word (`\B[-/]\b`, pySigma's
  pattern) into its five variants independently; the Sigma rule keeps the
  value as written: SPL keys that are such variants of a Sigma key count
  as that key.
- The encoding modifiers (`base64`, `base64offset`, `wide`, `utf16*`)
  write a value as its encoded forms; the Sigma rule's indicators keep the
  value as written: SPL keys that are pySigma's encoded forms of a Sigma
  key count as that key.
- Sigma's `re|i` is written as a leading `(?i)`, and a key carries no case:
  a leading `(?i)` of a regular expression is left out.
- `NOT field=*` (negated `exists`) is `not_exists`, and a negated
  `not_exists` is `exists`; an excluded negative kind is its positive kind
  (`| regex f!="re"`, the backend's `not f|re`, is `!f|regex|re` as the
  Sigma `not` is).
- A Sigma value matching anything (`*`) is written `field="*"`, which
  Splunk reads as the field existing: it counts as `exists`.
- The plain pipeline adds the log source as `source=`/`sourcetype=`
  conditions: SPL keys on those fields (the catalog's `event.dataset`) are
  the log source, stated in the Sigma rule's `logsource`, and are left out.
- The data-model pipeline maps Sigma's `TargetObject` (the full registry
  path, the catalog's `registry.path`) to CIM `Registry.registry_key_name`
  (`splunk_windows_registry_cim_mapping`), which in CIM and in Splunk's
  own detections is the key without its value (`registry.key`): in the
  data-model output, `registry.key` keys are read as `registry.path`.
- The data-model output repeats the whole condition in the `tstats … where`
  before the `rex`/`eval` that define the `<field>Condition` flags of
  regular expressions (`processCondition="true"`): there they are fields
  the data model does not have, placeholders for the regular expression
  that the later `search` applies. Those unmapped `…Condition=true` keys of
  the data-model output are left out (the regular expression itself is
  read from the `rex`).
"""

import argparse
import itertools
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

DASHES = ["-", "/", "\u2013", "\u2014", "\u2015"]
# Conditions the backend's pipelines add from the Sigma logsource block
# (`source="WinEventLog:Security"`): the log source, which the Sigma rule
# states in its `logsource`, not in its detection.
DATA_FIELDS = {"source", "sourcetype", "index", "eventtype", "event.dataset"}


def convert(root, limit):
    from sigma.backends.splunk import SplunkBackend
    from sigma.collection import SigmaCollection
    from sigma.pipelines.splunk import splunk_cim_data_model, splunk_windows_pipeline

    plain = SplunkBackend(processing_pipeline=splunk_windows_pipeline())
    cim = SplunkBackend(processing_pipeline=splunk_cim_data_model())
    files = sorted(p for p in Path(root).rglob("*.yml") if "deprecated" not in p.parts)
    if limit:
        files = files[:limit]
    pairs, failures = [], Counter()
    for path in files:
        text = path.read_text(encoding="utf-8")
        if "\ndetection:" not in "\n" + text or "\ncorrelation:" in "\n" + text:
            continue
        for fmt, backend, output in (("plain", plain, "default"), ("data_model", cim, "data_model")):
            try:
                collection = SigmaCollection.from_yaml(text)
                queries = backend.convert(collection, output)
            except Exception as e:  # the backend refuses the rule
                failures[(fmt, type(e).__name__)] += 1
                continue
            queries = [q for q in queries if isinstance(q, str)]
            if queries:
                pairs.append({"id": f"{fmt}:{path.relative_to(root)}", "format": fmt, "sigma": text, "spl": queries})
    return pairs, failures


WINDASH = re.compile(r"\B[-/]\b")


def windash_variants(value):
    """pySigma's windash expansion: each dash starting a word, independently."""
    positions = [m.start() for m in WINDASH.finditer(value)][:4]
    out = {value}
    for combo in itertools.product(DASHES, repeat=len(positions)):
        chars = list(value)
        for pos, dash in zip(positions, combo):
            chars[pos] = dash
        out.add("".join(chars))
    return out


def glob_key(glob):
    """(kind, value) of a glob whose every `*` is a wildcard, classified as
    the SPL reading classifies a search value."""
    if glob == "*":
        return "exists", ""
    inner = glob[1:-1] if len(glob) >= 2 else ""
    if "*" not in glob:
        return "eq", glob
    if glob.startswith("*") and glob.endswith("*") and inner and "*" not in inner:
        return "contains", inner
    if glob.endswith("*") and "*" not in glob[:-1]:
        return "startswith", glob[:-1]
    if glob.startswith("*") and "*" not in glob[1:]:
        return "endswith", glob[1:]
    return "wildcard", glob


LITERAL_KINDS = {"eq": "{}", "contains": "*{}*", "startswith": "{}*", "endswith": "*{}"}
NEGATIVE_KINDS = {"ne": "eq", "not_contains": "contains", "not_startswith": "startswith",
                  "not_endswith": "endswith", "not_wildcard": "wildcard", "not_regex": "regex",
                  "not_in": "in", "not_cidr": "cidr"}
CONDITION_FLAG = re.compile(r"^[^:|]+:[A-Za-z0-9_]+Condition\d*$")


def normalize(keys, sigma_side, fmt="plain"):
    out = set()
    for k in keys:
        neg = k.startswith("!")
        field, kind, value = k.lstrip("!").split("|", 2)
        if not sigma_side and fmt == "data_model" and field == "registry.key":
            field = "registry.path"
        if not sigma_side and fmt == "data_model" and kind == "eq" and value == "true" and CONDITION_FLAG.match(field):
            continue
        if not sigma_side and field.rsplit(":", 1)[-1] in DATA_FIELDS:
            continue
        if sigma_side and kind in LITERAL_KINDS and "*" in value:
            # A literal `*`, written `\*`: a backslash and a wildcard.
            kind, value = glob_key(LITERAL_KINDS[kind].format(value.replace("*", "\\*")))
        elif sigma_side and kind == "wildcard":
            # `\?` is a literal `?`, which the backend writes as is.
            kind, value = glob_key(re.sub(r"(?<!\\)\?", "*", value))
            if kind != "wildcard":
                value = value.replace("\\?", "?")
        if kind == "eq" and value == "null":
            kind, value = "not_exists", ""
        if neg and kind in ("exists", "not_exists"):
            neg, kind = False, "not_exists" if kind == "exists" else "exists"
        if neg and kind in NEGATIVE_KINDS:
            kind = NEGATIVE_KINDS[kind]
        if kind in ("regex", "not_regex") and value.startswith("(?i)"):
            value = value[len("(?i)"):]
        out.add(("!" if neg else "") + f"{field}|{kind}|{value}")
    return out


ENCODINGS = ("Base64", "Wide", "UTF16")


def encoded_forms(sigma_text):
    """Lowercased value as written -> its lowercased encoded forms, for the
    detection items of `sigma_text` with an encoding modifier (pySigma's
    own expansion)."""
    from sigma.collection import SigmaCollection
    from sigma.rule import SigmaDetection

    def items(detection):
        for item in detection.detection_items:
            if isinstance(item, SigmaDetection):
                yield from items(item)
            else:
                yield item

    out = {}
    try:
        rules = SigmaCollection.from_yaml(sigma_text).rules
    except Exception:
        return out
    for rule in rules:
        for detection in rule.detection.detections.values():
            for item in items(detection):
                if not any(e in m.__name__ for m in item.modifiers for e in ENCODINGS):
                    continue
                forms = set()
                for value in item.value:
                    for v in getattr(value, "values", [value]):
                        forms.add(str(v).strip("*").lower())
                for original in item.original_value:
                    out.setdefault(str(original).lower(), set()).update(forms)
    return out


def classify(sigma, spl, errors, encoded=None):
    if errors:
        return "spl does not parse: " + ",".join(sorted(set(errors)))
    missing, extra = sigma - spl, spl - sigma
    # windash and the encodings: SPL keys that are variants of a Sigma key.
    for key in sigma:
        f, k, v = key.split("|", 2)
        variants = {f"{f}|{k}|{x}" for x in windash_variants(v) | (encoded or {}).get(v, set())}
        if variants & spl:
            missing.discard(key)
            extra -= variants
    if not missing and not extra:
        return None
    kinds = lambda ks: {k.split("|")[1] for k in ks}
    fields = lambda ks: {k.split("|")[0].lstrip("!") for k in ks}
    if missing and extra and fields(missing) == fields(extra) and kinds(missing) != kinds(extra):
        return "kind differs: " + ",".join(sorted(kinds(missing))) + " -> " + ",".join(sorted(kinds(extra)))
    if missing and extra and fields(missing) != fields(extra) and kinds(missing) == kinds(extra):
        return "field maps differently"
    if missing and not extra:
        return "missing in SPL"
    if extra and not missing:
        return "extra in SPL"
    return "values differ"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("sigma_root")
    ap.add_argument("out_dir")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    ap.add_argument("--binary", help="a built sigma_roundtrip example (default: cargo run --release)")
    ap.add_argument("--reuse", action="store_true", help="reuse OUT_DIR/pairs.jsonl instead of converting again")
    ap.add_argument("--convert-only", action="store_true", help="write OUT_DIR/pairs.jsonl and stop")
    args = ap.parse_args()
    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    pairs_path = out / "pairs.jsonl"
    failures_path = out / "refused.json"
    if args.reuse:
        failures = Counter({tuple(k.split(":", 1)): v for k, v in json.loads(failures_path.read_text()).items()})
    else:
        pairs, failures = convert(args.sigma_root, args.limit)
        with pairs_path.open("w", encoding="utf-8") as f:
            for p in pairs:
                f.write(json.dumps({k: p[k] for k in ("id", "sigma", "spl")}) + "\n")
        failures_path.write_text(json.dumps({f"{k[0]}:{k[1]}": v for k, v in failures.items()}))
    if args.convert_only:
        return 0
    cmd = [args.binary] if args.binary else ["cargo", "run", "-q", "--release", "-p", "ruledex-spl", "--example", "sigma_roundtrip"]
    with pairs_path.open("rb") as stdin:
        result = subprocess.run(cmd, stdin=stdin, capture_output=True, check=True)
    keyed = [json.loads(l) for l in result.stdout.decode().splitlines()]
    encodings = {}
    with pairs_path.open(encoding="utf-8") as f:
        for line in f:
            p = json.loads(line)
            if re.search(r"\|(base64|wide|utf16)", p["sigma"]):
                encodings[p["id"]] = encoded_forms(p["sigma"])
    per_format = {}
    examples = {}
    for r in keyed:
        fmt = r["id"].split(":", 1)[0]
        verdict = classify(normalize(r["sigma"], True), normalize(r["spl"], False, fmt), r["spl_errors"], encodings.get(r["id"]))
        total, agree, classes = per_format.setdefault(fmt, [0, 0, Counter()])
        per_format[fmt][0] += 1
        if verdict is None:
            per_format[fmt][1] += 1
        else:
            classes[verdict] += 1
            examples.setdefault(verdict, []).append(r)
    print(f"backend refused: {sum(failures.values())} conversions ({dict(Counter(k[0] for k in failures.elements()))})")
    all_total = sum(v[0] for v in per_format.values())
    all_agree = sum(v[1] for v in per_format.values())
    for fmt, (total, agree, classes) in sorted(per_format.items()):
        print(f"{fmt:<11} {agree}/{total} agree ({100.0 * agree / max(total, 1):.2f} %)")
        for verdict, n in classes.most_common():
            print(f"    {n:>5}  {verdict}")
    print(f"all         {all_agree}/{all_total} agree ({100.0 * all_agree / max(all_total, 1):.2f} %)")
    for verdict, rs in examples.items():
        for r in rs[: args.show]:
            fmt = r["id"].split(":", 1)[0]
            s, p = normalize(r["sigma"], True), normalize(r["spl"], False, fmt)
            print(f"\n[{verdict}] {r['id']}\n  only sigma: {sorted(s - p)[:6]}\n  only spl:   {sorted(p - s)[:6]}")


if __name__ == "__main__":
    sys.exit(main())
