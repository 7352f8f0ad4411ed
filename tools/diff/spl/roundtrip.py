#!/usr/bin/env python3
"""Sigma -> SPL -> ruledex round trip: do converted rules keep their indicators?

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

Normalizations applied to both sides, each a documented difference of the
backend's output rather than of the reading:
- Sigma `field: null` is written `NOT field=*`: `eq null` counts as
  `not_exists`.
- Sigma `?` wildcards become `*` in SPL (the backend has no one-character
  wildcard): a Sigma value with `?` is compared with `?` read as `*`.
- `windash` expands one value into its dash variants; the Sigma rule keeps
  the value as written: SPL keys that are dash variants of a Sigma key
  count as that key.
- `NOT field=*` (negated `exists`) is `not_exists`, and a negated
  `not_exists` is `exists`.
- The plain pipeline adds the log source as `source=`/`sourcetype=`
  conditions: SPL keys on those fields (the catalog's `event.dataset`) are
  the log source, stated in the Sigma rule's `logsource`, and are left out.
"""

import argparse
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


def windash_variants(value):
    out = {value}
    for d in DASHES:
        for e in DASHES:
            if d in value:
                out.add(value.replace(d, e))
    return out


FOLD_REGISTRY_KEY = False


def normalize(keys, sigma_side):
    out = set()
    for k in keys:
        neg = k.startswith("!")
        field, kind, value = k.lstrip("!").split("|", 2)
        if FOLD_REGISTRY_KEY and field == "registry.key":
            field = "registry.path"
        if kind == "eq" and value == "null":
            kind, value = "not_exists", ""
        if neg and kind in ("exists", "not_exists"):
            neg, kind = False, "not_exists" if kind == "exists" else "exists"
        if not sigma_side and field.rsplit(":", 1)[-1] in DATA_FIELDS:
            continue
        if sigma_side and "?" in value and kind in ("eq", "contains", "startswith", "endswith", "wildcard"):
            value = value.replace("?", "*")
            if kind in ("eq", "contains", "startswith", "endswith"):
                value = {"contains": f"*{value}*", "startswith": f"{value}*", "endswith": f"*{value}"}.get(kind, value)
                kind = "wildcard"
        out.add(("!" if neg else "") + f"{field}|{kind}|{value}")
    return out


def classify(sigma, spl, errors):
    if errors:
        return "spl does not parse: " + ",".join(sorted(set(errors)))
    missing, extra = sigma - spl, spl - sigma
    # windash: SPL keys that are dash variants of a Sigma key.
    for key in sigma:
        f, k, v = key.split("|", 2)
        variants = {f"{f}|{k}|{x}" for x in windash_variants(v)}
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
    ap.add_argument(
        "--fold-registry-key",
        action="store_true",
        help="read registry.key as registry.path: the data-model pipeline maps Sigma's "
        "TargetObject (a full path) to Registry.registry_key_name, which the field table "
        "maps to registry.key",
    )
    ap.add_argument("--reuse", action="store_true", help="reuse OUT_DIR/pairs.jsonl instead of converting again")
    ap.add_argument("--convert-only", action="store_true", help="write OUT_DIR/pairs.jsonl and stop")
    args = ap.parse_args()
    global FOLD_REGISTRY_KEY
    FOLD_REGISTRY_KEY = args.fold_registry_key
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
    per_format = {}
    examples = {}
    for r in keyed:
        fmt = r["id"].split(":", 1)[0]
        verdict = classify(normalize(r["sigma"], True), normalize(r["spl"], False), r["spl_errors"])
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
            s, p = normalize(r["sigma"], True), normalize(r["spl"], False)
            print(f"\n[{verdict}] {r['id']}\n  only sigma: {sorted(s - p)[:6]}\n  only spl:   {sorted(p - s)[:6]}")


if __name__ == "__main__":
    sys.exit(main())
