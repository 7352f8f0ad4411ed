#!/bin/sh
# Side-by-side parse throughput: Microsoft's Kusto parser (Node) vs
# ruledex-kql (Rust, release) on the same Sentinel YAML queries.
#
# Usage: tools/bench/kql/compare.sh CORPUS_ROOT KUSTO_MODULE_DIR [WORKDIR]
#   CORPUS_ROOT       folder holding cloudflare__Azure-Sentinel
#   KUSTO_MODULE_DIR  .../node_modules/@kusto/language-service-next
#                     (npm install @kusto/language-service-next somewhere
#                     outside the repository)
#   WORKDIR           scratch folder for the extracted queries (default: a
#                     temporary folder)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
corpus=$1
module=$2
work=${3:-$(mktemp -d)}
mkdir -p "$work"

python3 "$repo/tools/diff/kql/extract.py" "$corpus" "$work/all.jsonl"
# Sentinel YAML queries only.
python3 - "$work/all.jsonl" "$work/sentinel.jsonl" <<'PY'
import json, sys
with open(sys.argv[1]) as src, open(sys.argv[2], "w") as out:
    for line in src:
        r = json.loads(line)
        if r["source"].startswith("cloudflare__") and r["kind"] == "yaml":
            out.write(line)
PY

(cd "$repo" && cargo build --quiet --release -p ruledex-kql --example parse_jsonl)
ours=$("$repo/target/release/examples/parse_jsonl" bench "$work/sentinel.jsonl" 200)
theirs=$(KUSTO_MODULE="$module" node "$here/ms_bench.js" "$work/sentinel.jsonl" 3)

python3 - "$ours" "$theirs" <<'PY'
import json, sys
ours, theirs = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(f"{ours['queries']} Sentinel queries, {ours['bytes'] / 1e6:.2f} MB")
for r in (theirs, ours):
    print(f"{r['parser']:>30}: {r['queries_per_second']:>12,.0f} queries/s {r['mb_per_second']:>9.2f} MB/s"
          f"  ({r['rounds']} rounds, {r['seconds']:.2f} s)")
print(f"{'ratio':>30}: {ours['queries_per_second'] / theirs['queries_per_second']:>12,.1f}x")
PY
