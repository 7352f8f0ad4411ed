#!/usr/bin/env bash
# Convert Sigma rules with pySigma's backends and measure whether each
# converted rule finds its Sigma source (see README.md beside this file).
#
#   tools/related/run.sh [SCRATCH] [convert.py options...]
#
# SCRATCH (default ${TMPDIR:-/tmp}/ruledex-related) is emptied and refilled;
# it must be outside the repository. Options after it go to convert.py
# (--seed, --fraction, --rest, --limit, --targets). Set MEASURE_ARGS for
# measure.py (for example "--catalog ../shared/corpus --limit 100").
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
scratch="${1:-${TMPDIR:-/tmp}/ruledex-related}"
shift || true
case "$(cd "$(dirname "$scratch")" 2>/dev/null && pwd)/" in
  "$repo"/*) echo "the scratch folder must be outside the repository: $scratch" >&2; exit 2 ;;
esac
sigma="${SIGMA:-$repo/../shared/corpus/SigmaHQ__sigma}"
python="$("$here/setup.sh" | tail -n 1)"
(cd "$repo" && cargo build --quiet --profile quick -p ruledex)
"$python" "$here/convert.py" --sigma "$sigma" --out "$scratch" "$@"
# shellcheck disable=SC2086 # MEASURE_ARGS is a list of options
python3 "$here/measure.py" --scratch "$scratch" --ruledex "$repo/target/quick/ruledex" ${MEASURE_ARGS:-}
