#!/usr/bin/env python3
"""pySigma vs ruledex loading the same Sigma files, side by side.

Usage (from the repository root, with pySigma installed in the Python that
runs this script):

    python3 tools/bench/sigma/bench.py [ROOT]    # default ../shared/corpus/SigmaHQ__sigma

pySigma: `SigmaCollection.load_ruleset` over every *.yml (collect_errors,
as sigma-cli does), then — a second figure — the same plus parsing every
condition (pySigma parses conditions lazily, at conversion). ruledex:
read + load + lower every file, release build, single thread, best of 5
(`cargo run --release -p ruledex-sigma --example sigma_bench`), and the same
on every core. Prints rules/s and the ratios, by wall-clock and CPU time.
"""

import re
import subprocess
import sys
import time
from pathlib import Path

from sigma.collection import SigmaCollection
from sigma.rule import SigmaRule


def pysigma(root: Path, parse_conditions: bool) -> tuple[int, float, float]:
    start, cpu_start = time.perf_counter(), time.process_time()
    collection = SigmaCollection.load_ruleset([root], collect_errors=True, resolve_references=False)
    if parse_conditions:
        for rule in collection.rules:
            if isinstance(rule, SigmaRule):
                for cond in getattr(rule.detection, "parsed_condition", []):
                    try:
                        cond.parse()
                    except Exception:  # noqa: BLE001 - rejected rules still cost time
                        pass
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    return len(collection.rules) + len(collection.filters), elapsed, cpu


def main() -> None:
    repo = Path(__file__).resolve().parents[3]
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else repo.parent / "shared/corpus/SigmaHQ__sigma"
    subprocess.run(
        ["cargo", "build", "--release", "-q", "-p", "ruledex-sigma", "--example", "sigma_bench"],
        cwd=repo,
        check=True,
    )
    rules, seconds, cpu = pysigma(root, False)
    print(f"pySigma load_ruleset:            {rules} rules in {seconds:.2f} s = {rules / seconds:.0f} rules/s (CPU {cpu:.2f} s = {rules / cpu:.0f} rules/s)")
    rules_c, seconds_c, cpu_c = pysigma(root, True)
    print(f"pySigma load + parse conditions: {rules_c} rules in {seconds_c:.2f} s = {rules_c / seconds_c:.0f} rules/s (CPU {cpu_c:.2f} s = {rules_c / cpu_c:.0f} rules/s)")
    out = subprocess.run(
        [str(repo / "target/release/examples/sigma_bench"), str(root), "5"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    fields = dict(re.findall(r"(\w+)=([\d.]+)", out))
    rs_rules, rs_seconds = int(fields["rules"]), float(fields["seconds"])
    rs_cpu = float(fields.get("cpu_seconds", rs_seconds))
    rs_rate, rs_cpu_rate = rs_rules / rs_seconds, rs_rules / rs_cpu
    print(f"ruledex load + lower:            {rs_rules} rules in {rs_seconds:.3f} s = {rs_rate:.0f} rules/s (CPU {rs_cpu:.3f} s = {rs_cpu_rate:.0f} rules/s)")
    rs_par = float(fields["parallel_seconds"])
    print(f"ruledex, {fields['threads']} threads:               {rs_rules} rules in {rs_par:.3f} s = {rs_rules / rs_par:.0f} rules/s")
    print(f"ratio vs load_ruleset:           {rs_rate / (rules / seconds):.0f}x wall, {rs_cpu_rate / (rules / cpu):.0f}x CPU, {(rs_rules / rs_par) / (rules / seconds):.0f}x wall with {fields['threads']} threads")
    print(f"ratio vs load + conditions:      {rs_rate / (rules_c / seconds_c):.0f}x wall, {rs_cpu_rate / (rules_c / cpu_c):.0f}x CPU")


if __name__ == "__main__":
    main()
