#!/usr/bin/env python3
"""Do converted rules find their Sigma source? Rank of the source in each
converted rule's related list, per target and overall.

Reads the scratch folder that `convert.py` wrote. Builds one catalog of the
Sigma rules (or the whole corpus, `--catalog`) plus every converted file,
asks `ruledex related` for every converted rule in one process, and finds
where the rule's Sigma source ranks. Needs only the standard library.

    measure.py --scratch SCRATCH [--ruledex target/quick/ruledex] [--catalog DIR]
               [--limit 50] [--count-siblings]

Other conversions of the same Sigma rule (its siblings: the same rule in
another language) are left out of the ranking by default: they are the same
rule, and the question is whether the source beats *other* rules. With
`--count-siblings` they count as competitors.

Prints per target: converted rules, loaded (a loader read the file),
parsed (without errors), the share whose source ranks first and within the
first 5 (of the converted rules: a rule that does not load counts as a
miss), and the median rank. Targets whose language does not load yet (SPL
today) are listed but left out of the overall figures. Writes
SCRATCH/report/failures.tsv (every converted rule whose source is not
first, with the top 3 of its list and their evidence) and
SCRATCH/report/ranks.tsv (every converted rule).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def read_tsv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        return [dict(zip(header, line.rstrip("\n").split("\t"))) for line in f]


def run_json(command: list[str], stdin: str | None = None) -> str:
    done = subprocess.run(command, input=stdin, capture_output=True, text=True)
    # `related` exits 1 when some asked rule is missing; its output is still good.
    if done.returncode not in (0, 1):
        sys.exit(f"{' '.join(command[:3])} … failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return done.stdout


def evidence_text(item: dict) -> str:
    """What the related item says it shares: the lead's `evidence` list when
    present, else the `reason` line."""
    evidence = item.get("evidence")
    if evidence:
        parts = []
        for e in evidence[:4]:
            if isinstance(e, dict):
                parts.append(f"{e.get('key', '')}: {e.get('here', '')} / {e.get('there', '')}")
            else:
                parts.append(str(e))
        return "; ".join(parts)
    return item.get("reason", "")


def logsource_list(logsources: list[str]) -> str:
    if len(logsources) > WIDE_LOGSOURCES:
        return f"{len(logsources)} log sources ({', '.join(logsources[:3])}, …)"
    return ",".join(logsources)


def cell(text: str) -> str:
    return " ".join(str(text).split()).replace("\t", " ")


def share(count: int, total: int) -> str:
    return f"{100 * count / total:5.1f}%" if total else "    —"


def median_rank(ranks: list[float], limit: int) -> str:
    if not ranks:
        return "—"
    m = statistics.median_low(ranks)
    return f">{limit}" if m == float("inf") else f"{m:g}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scratch", type=Path, required=True, help="the folder convert.py wrote")
    parser.add_argument("--ruledex", type=Path, default=REPO / "target/quick/ruledex")
    parser.add_argument(
        "--catalog",
        type=Path,
        help="rules the converted ones are compared with (default: the Sigma folder they came from; "
        "a corpus folder with MANIFEST.tsv adds every language)",
    )
    parser.add_argument("--limit", type=int, default=50, help="related rules read per converted rule")
    parser.add_argument("--count-siblings", action="store_true", help="rank other conversions of the same rule too")
    args = parser.parse_args()

    scratch = args.scratch.resolve()
    private = scratch / "private"
    converted = scratch / "converted"
    report_dir = scratch / "report"
    report_dir.mkdir(exist_ok=True)
    meta = json.loads((private / "meta.json").read_text())
    sigma = Path(meta["sigma"])
    mapping = {row["file"]: row for row in read_tsv(private / "mapping.tsv")}
    if not args.ruledex.is_file():
        sys.exit(f"no ruledex binary at {args.ruledex} (cargo build --profile quick -p ruledex)")
    ruledex = str(args.ruledex)
    started = time.monotonic()

    # Which converted files load, and parse.
    check = json.loads(run_json([ruledex, "check", "--json", str(converted)]))
    loaded: dict[str, dict] = {}
    for f in check["files"]:
        name = Path(f["path"]).name
        if name in mapping and f.get("rules", 0) > 0:
            loaded[name] = f

    # The catalog: the Sigma rules (or a whole corpus) and the converted files.
    catalog = args.catalog.resolve() if args.catalog else sigma
    sources = ["--source", str(catalog), "--source", str(converted)]
    asked = [str(converted / name) for name in sorted(loaded)]
    out = run_json(
        [ruledex, "related", "--jsonl", "--limit", str(args.limit), *sources, "--rules-from", "-"],
        stdin="\n".join(asked) + "\n",
    )
    reports: dict[str, list[dict]] = defaultdict(list)
    for line in out.splitlines():
        if line.strip():
            item = json.loads(line)
            reports[Path(item["asked"]).name].append(item)

    # The Sigma sources as this catalog names them (keys are URL-safe
    # versions of `<source>/<path>`), with their log sources: one more,
    # cheap, run over the catalog alone.
    source_paths = sorted({row["sigma_path"] for row in mapping.values()})
    out = run_json(
        [ruledex, "related", "--jsonl", "--limit", "0", "--source", str(catalog), "--rules-from", "-"],
        stdin="\n".join(str(sigma / p) for p in source_paths) + "\n",
    )
    source_keys: dict[str, set[str]] = defaultdict(set)
    source_logsources: dict[str, list[str]] = defaultdict(list)
    for line in out.splitlines():
        if line.strip():
            item = json.loads(line)
            path = Path(item["asked"]).relative_to(sigma).as_posix()
            source_keys[path].add(item["rule"])
            source_logsources[path].extend(item.get("logsources", []))

    def is_source(key: str, sigma_path: str) -> bool:
        return key in source_keys[sigma_path]

    # Other conversions of the same Sigma rule.
    siblings: dict[str, set[str]] = defaultdict(set)
    for name, row in mapping.items():
        siblings[row["sigma_path"]].add(f"{converted.name}/{name}")

    rows: list[Measured] = []
    for name, row in sorted(mapping.items()):
        sigma_path = row["sigma_path"]
        status = "not loaded"
        if name in loaded:
            status = "parsed" if loaded[name].get("errors", 0) == 0 else "parse errors"
        file_reports = reports.get(name) or [None]
        for report in file_reports:
            m = Measured(name, row, status, source_logsources.get(sigma_path, []))
            if report is not None:
                m.total = report["total"]
                m.logsources = report.get("logsources", [])
                for item in report["related"]:
                    sibling = item["key"] in siblings[sigma_path] and item["key"] != report["rule"]
                    if sibling and not args.count_siblings:
                        continue
                    m.listed.append(item)
                    if m.rank is None and is_source(item["key"], sigma_path):
                        m.rank = len(m.listed)
            rows.append(m)

    # Per target and overall.
    languages = meta.get("target_languages", {})
    per_target = {target: Tally() for target in meta["targets"]}
    for m in rows:
        per_target[m.row["target"]].add(m)

    print(f"catalog: {catalog} + {len(mapping)} converted files; related lists read to {args.limit}")
    print(f"siblings (other conversions of the same rule) {'counted' if args.count_siblings else 'skipped'}\n")
    header = f"{'target':<18} {'language':<8} {'converted':>9} {'loaded':>7} {'parsed':>7} {'first':>7} {'top 5':>7} {'median':>7}"
    print(header)
    print("-" * len(header))
    overall = Tally()
    for target, t in per_target.items():
        if t.loaded:
            overall.merge(t)
            print(f"{target:<18} {languages.get(target, ''):<8} {t.line(args.limit)}")
        else:
            note = "  not loadable yet" if t.converted else ""
            print(f"{target:<18} {languages.get(target, ''):<8} {t.converted:>9} {0:>7} {0:>7} {'—':>7} {'—':>7} {'—':>7}{note}")
    print("-" * len(header))
    print(f"{'overall':<18} {'':<8} {overall.line(args.limit)}")

    # Why the source is not first, per target.
    classes: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for m in rows:
        if m.rank != 1 and per_target[m.row["target"]].loaded:
            classes[m.failure_class(args.limit)][m.row["target"]] += 1
    if classes:
        print("\nwhy the source is not first (converted rules per target):")
        for name in sorted(classes, key=lambda c: -sum(classes[c].values())):
            detail = ", ".join(f"{t} {n}" for t, n in sorted(classes[name].items(), key=lambda x: -x[1]))
            print(f"  {name:<28} {sum(classes[name].values()):>6}  ({detail})")

    # Every rule, and the failures with what ranked above the source.
    with (report_dir / "ranks.tsv").open("w", encoding="utf-8") as f:
        f.write("sigma_path\ttarget\tfile\tstatus\trank\ttotal\tlogsources\tsource_logsources\n")
        for m in rows:
            cells = [m.row["sigma_path"], m.row["target"], m.file, m.status, m.shown_rank(args.limit), str(m.total),
                     ",".join(m.logsources), ",".join(m.source_logsources)]
            f.write("\t".join(cells) + "\n")
    # A converted rule in a list is shown with where it came from.
    converted_prefix = f"{converted.name}/"

    def describe(key: str) -> str:
        name = key[len(converted_prefix):] if key.startswith(converted_prefix) else None
        if name in mapping:
            return f"{key} (converted from {mapping[name]['sigma_path']} by {mapping[name]['target']})"
        return key

    failures = 0
    with (report_dir / "failures.tsv").open("w", encoding="utf-8") as f:
        columns = ["sigma_path", "target", "file", "status", "class", "rank", "total", "logsources", "source_logsources"]
        for n in (1, 2, 3):
            columns += [f"top{n}", f"top{n}_score", f"top{n}_evidence"]
        f.write("\t".join(columns) + "\n")
        for m in rows:
            if m.rank == 1:
                continue
            failures += 1
            cells = [m.row["sigma_path"], m.row["target"], m.file, m.status, m.failure_class(args.limit),
                     m.shown_rank(args.limit), str(m.total), logsource_list(m.logsources),
                     logsource_list(m.source_logsources)]
            for item in m.listed[:3]:
                cells += [describe(item["key"]), str(item.get("score", "")), evidence_text(item)]
            cells += [""] * (len(columns) - len(cells))
            f.write("\t".join(cell(c) for c in cells) + "\n")
    print(f"\n{failures} converted rules whose source is not first: {report_dir / 'failures.tsv'}")
    print(f"measured in {time.monotonic() - started:.0f} s")
    return 0


# A converted rule resolving more log sources than this reads "everything"
# (`from *`, `logs-*`): its log source says nothing.
WIDE_LOGSOURCES = 3


@dataclass
class Measured:
    """One converted rule and where its source ranks."""

    file: str
    row: dict
    status: str
    source_logsources: list[str]
    rank: int | None = None
    total: int = 0
    logsources: list[str] = field(default_factory=list)
    listed: list[dict] = field(default_factory=list)

    def shown_rank(self, limit: int) -> str:
        if self.rank is not None:
            return str(self.rank)
        return f">{limit}" if self.total > limit else "absent"

    def failure_class(self, limit: int) -> str:
        """Why the source is not first, as far as the related list shows."""
        if self.status == "not loaded":
            return "not loaded"
        if not self.logsources:
            return "no log source"
        if len(self.logsources) > WIDE_LOGSOURCES:
            return "log source too wide"
        if not set(self.logsources) & set(self.source_logsources):
            return "other log source"
        if self.rank is None:
            return "not listed" if self.total <= limit else f"beyond the first {limit}"
        return "outranked"


@dataclass
class Tally:
    """Counts of one target (or all)."""

    converted: int = 0
    loaded: int = 0
    parsed: int = 0
    first: int = 0
    top5: int = 0
    ranks: list[float] = field(default_factory=list)

    def add(self, m: Measured) -> None:
        self.converted += 1
        self.loaded += m.status != "not loaded"
        self.parsed += m.status == "parsed"
        self.first += m.rank == 1
        self.top5 += m.rank is not None and m.rank <= 5
        self.ranks.append(m.rank if m.rank is not None else float("inf"))

    def merge(self, other: "Tally") -> None:
        for name in ("converted", "loaded", "parsed", "first", "top5"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.ranks.extend(other.ranks)

    def line(self, limit: int) -> str:
        return (
            f"{self.converted:>9} {self.loaded:>7} {self.parsed:>7} {share(self.first, self.converted):>7} "
            f"{share(self.top5, self.converted):>7} {median_rank(self.ranks, limit):>7}"
        )


if __name__ == "__main__":
    sys.exit(main())
