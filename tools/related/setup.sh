#!/usr/bin/env bash
# Make the virtualenv with pySigma and its backends, outside the repository.
#
#   tools/related/setup.sh            # venv at $RULEDEX_RELATED_VENV, default ${TMPDIR:-/tmp}/ruledex-related-venv
#
# Prints the venv's python on its last line.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="${RULEDEX_RELATED_VENV:-${TMPDIR:-/tmp}/ruledex-related-venv}"
repo="$(cd "$here/../.." && pwd)"
case "$(mkdir -p "$venv" && cd "$venv" && pwd)/" in
  "$repo"/*) echo "the virtualenv must live outside the repository: $venv" >&2; exit 2 ;;
esac
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt"
echo "$venv/bin/python"
