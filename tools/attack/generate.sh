#!/bin/sh
# Regenerate crates/attack/data/enterprise.tsv, the ATT&CK table compiled
# into ruledex, from MITRE's STIX data.
#
#   tools/attack/generate.sh /path/to/attack
#
# The folder holds enterprise-attack/ (mitre/cti layout), VERSION.json and
# v19.2-provisional/. The work is done by the crate's `generate` example,
# which reuses the crate's STIX loader; see crates/attack/README.md.
set -eu
if [ $# -ne 1 ]; then
    echo "usage: $0 /path/to/attack" >&2
    exit 2
fi
cd "$(dirname "$0")/../.."
exec cargo run --release -p ruledex-attack --example generate -- "$1"
