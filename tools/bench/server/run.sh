#!/usr/bin/env bash
# Load benchmark of `ruledex serve`: a rule page and a search query, each
# hammered with wrk on loopback; prints requests/s and latency percentiles.
#
#   tools/bench/server/run.sh [SOURCE...]     (default: ../shared/corpus and the seed rule)
#
# Env: DURATION (default 20s), CONNECTIONS (default 32), THREADS (wrk
# threads, default 1), PORT (default 18080). Needs wrk (apt-get install wrk).
set -euo pipefail
cd "$(dirname "$0")/../../.."

duration=${DURATION:-20s}
connections=${CONNECTIONS:-32}
threads=${THREADS:-1}
port=${PORT:-18080}
if [ "$#" -gt 0 ]; then sources=("$@"); else sources=(../shared/corpus ../shared/seed/rule); fi

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 2; }
cargo build --release --quiet -p ruledex
args=()
for s in "${sources[@]}"; do args+=(--source "$s"); done

./target/release/ruledex serve "${args[@]}" --addr "127.0.0.1:$port" --no-watch &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do
  curl -fs "http://127.0.0.1:$port/api/v1/stats" >/dev/null 2>&1 && break
  sleep 0.1
done

# The seed rule's page when it is among the sources, else the first rule.
key=$(curl -fs "http://127.0.0.1:$port/api/v1/search?q=id:87210ca1-49a4-4a7d-bb4a-4988752f978c+source:rule&per_page=1" \
  | sed -n 's/.*"key":"\([^"]*\)".*/\1/p' | head -n1)
if [ -z "$key" ]; then
  key=$(curl -fs "http://127.0.0.1:$port/api/v1/rules?per_page=1" | sed -n 's/.*"key":"\([^"]*\)".*/\1/p' | head -n1)
fi
rule="/rules/$key.html"
search="/search.html?q=sign+in&lang=kql"
api_search="/api/v1/search?q=technique:T1078+signin"

for path in "$rule" "$search" "$api_search"; do
  echo "== $path ($duration, $connections connections, $threads wrk threads)"
  curl -fs -o /dev/null -w "   status %{http_code}, %{size_download} bytes\n" "http://127.0.0.1:$port$path"
  wrk -t"$threads" -c"$connections" -d"$duration" --latency "http://127.0.0.1:$port$path" \
    | grep -E "Requests/sec|Latency|50%|90%|99%|Non-2xx|Socket errors"
done
