#!/usr/bin/env python3
"""Convert Sigma rules to other languages with pySigma's backends, query text only.

Runs in the virtualenv that `setup.sh` makes (pySigma 1.5.x and the Kusto,
Elasticsearch and Splunk backends). For each selected Sigma rule and each
target (backend, pipeline, output format) it writes one file into
SCRATCH/converted/, named by a salted hash so that nothing in the name,
the path or the text tells which rule it came from. The private mapping
from file to source rule goes to SCRATCH/mapping.tsv, outside the folder
the catalog reads.

Only the rule's `logsource` and `detection` are converted: no title,
description, id, tags, references or level reach the converted text (the
backends need a title; every rule gets the same one).

    convert.py --sigma DIR --out SCRATCH [--seed S --fraction F [--rest]] [--limit N]
               [--targets kusto-xdr,es-eql,...] [--jobs N]

Selection is deterministic: a rule belongs to the held-out part when
sha256(seed:path) falls below `--fraction`; `--rest` takes the other part,
so two runs with the same seed split the corpus into disjoint sets.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import secrets
import shutil
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import yaml

# One output of one backend. `pipeline` is a pipeline name, or "by-logsource"
# for the Elasticsearch backends, which ship a pipeline per product.
@dataclass(frozen=True)
class Target:
    name: str
    backend: str
    pipeline: str
    output: str
    extension: str
    language: str


TARGETS = [
    Target("kusto-xdr", "kusto", "microsoft_xdr", "default", "kql", "kql"),
    Target("kusto-asim", "kusto", "sentinel_asim", "default", "kql", "kql"),
    Target("es-lucene", "lucene", "by-logsource", "default", "lucene", "lucene"),
    Target("es-eql", "eql", "by-logsource", "default", "eql", "eql"),
    Target("es-esql", "esql", "by-logsource", "default", "esql", "esql"),
    Target("es-lucene-ndjson", "lucene", "by-logsource", "siem_rule_ndjson", "ndjson", "lucene"),
    Target("es-eql-ndjson", "eql", "by-logsource", "siem_rule_ndjson", "ndjson", "eql"),
    Target("es-esql-ndjson", "esql", "by-logsource", "siem_rule_ndjson", "ndjson", "esql"),
    Target("splunk", "splunk", "splunk_windows", "default", "spl", "spl"),
    Target("splunk-cim", "splunk", "splunk_cim", "data_model", "spl", "spl"),
]

# The title every converted rule gets (pySigma requires one).
PLACEHOLDER_TITLE = "converted"


def elastic_pipeline(logsource: dict) -> str:
    """The Elasticsearch backend's pipeline for a rule's log source: the
    product's own where the backend ships one, else the Windows ECS mapping
    (which leaves other products' fields as Sigma names them)."""
    product = str(logsource.get("product", "")).lower()
    service = str(logsource.get("service", "")).lower()
    if product == "zeek":
        return "ecs_zeek_beats"
    if product == "kubernetes" and service == "audit":
        return "ecs_kubernetes"
    if product == "macos" and service == "endpointsecurity":
        return "ecs_macos_esf"
    return "ecs_windows"


def in_part(seed: str, path: str, fraction: float) -> bool:
    digest = hashlib.sha256(f"{seed}:{path}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < fraction


def select(root: Path, seed: str, fraction: float, rest: bool, limit: int | None) -> list[str]:
    paths = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.yml"))
    chosen = [p for p in paths if in_part(seed, p, fraction) != rest]
    if limit is not None:
        # A deterministic sample of the part: the rules whose hash comes first.
        chosen.sort(key=lambda p: hashlib.sha256(f"{seed}:sample:{p}".encode()).digest())
        chosen = sorted(chosen[:limit])
    return chosen


def query_only(path: Path) -> tuple[dict | None, str]:
    """The rule reduced to what a converter needs, or the reason it is skipped."""
    try:
        docs = [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]
    except (yaml.YAMLError, UnicodeDecodeError) as e:
        return None, f"unreadable: {type(e).__name__}"
    if len(docs) != 1 or not isinstance(docs[0], dict):
        return None, "not a single rule document"
    doc = docs[0]
    if "correlation" in doc or "filter" in doc:
        return None, "correlation or filter"
    if not isinstance(doc.get("detection"), dict) or not isinstance(doc.get("logsource"), dict):
        return None, "no detection or logsource"
    return {"title": PLACEHOLDER_TITLE, "logsource": doc["logsource"], "detection": doc["detection"]}, ""


# Per worker process: plugins and backends are built once.
_STATE: dict = {}


def _init_worker(attack_bundle: str, cache_dir: str) -> None:
    import sigma.data.mitre_attack as mitre_attack
    from sigma.plugins import InstalledSigmaPlugins

    # The NDJSON outputs import pySigma's ATT&CK tables (to write `threat`
    # from tags). Converted rules have no tags, so an empty bundle serves
    # and nothing is fetched from the network.
    mitre_attack.set_url(attack_bundle)
    mitre_attack.set_cache_dir(cache_dir)
    _STATE["plugins"] = InstalledSigmaPlugins.autodiscover()
    _STATE["backends"] = {}


def _backend(backend: str, pipeline: str):
    key = (backend, pipeline)
    if key not in _STATE["backends"]:
        plugins = _STATE["plugins"]
        _STATE["backends"][key] = plugins.backends[backend](
            processing_pipeline=plugins.pipelines[pipeline]()
        )
    return _STATE["backends"][key]


def convert_one(job: tuple) -> list[tuple]:
    """Convert one rule to every target: (target, pipeline, status, outputs)."""
    from sigma.collection import SigmaCollection

    rule, targets = job
    text = yaml.safe_dump(rule, sort_keys=False, allow_unicode=True)
    results = []
    for target in targets:
        pipeline = (
            elastic_pipeline(rule["logsource"]) if target.pipeline == "by-logsource" else target.pipeline
        )
        try:
            backend = _backend(target.backend, pipeline)
            outputs = backend.convert(SigmaCollection.from_yaml(text), target.output)
        except Exception as e:  # noqa: BLE001 - every backend error is a data point
            message = " ".join(str(e).split())[:200]
            results.append((target.name, pipeline, f"error: {type(e).__name__}: {message}", []))
            continue
        if isinstance(outputs, (str, dict)):
            outputs = [outputs]
        outputs = [o for o in outputs if o]
        if not outputs:
            results.append((target.name, pipeline, "error: empty output", []))
            continue
        results.append((target.name, pipeline, "ok", outputs))
    return results


def file_text(target: Target, output, file_id: str) -> str:
    if target.output.endswith("ndjson"):
        # The backend copies the Sigma id into `id` and `rule_id`; the
        # converted rule gets an id of its own, derived from its file name.
        rule_id = str(uuid.uuid5(uuid.NAMESPACE_URL, file_id))
        output = dict(output, id=rule_id, rule_id=rule_id)
        return json.dumps(output, ensure_ascii=False) + "\n"
    return str(output).rstrip("\n") + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sigma", type=Path, required=True, help="Sigma rule folder (the source rules)")
    parser.add_argument("--out", type=Path, required=True, help="scratch folder (emptied first)")
    parser.add_argument("--seed", default="ruledex", help="selection and naming seed")
    parser.add_argument("--fraction", type=float, default=1.0, help="share of rules in the held-out part")
    parser.add_argument("--rest", action="store_true", help="take the rules outside the held-out part")
    parser.add_argument("--limit", type=int, help="at most N rules of the part (a deterministic sample)")
    parser.add_argument("--targets", help="comma-separated target names (default: all)")
    parser.add_argument("--jobs", type=int, default=multiprocessing.cpu_count())
    args = parser.parse_args()

    targets = TARGETS
    if args.targets:
        wanted = args.targets.split(",")
        unknown = set(wanted) - {t.name for t in TARGETS}
        if unknown:
            parser.error(f"unknown targets {sorted(unknown)}; known: {[t.name for t in TARGETS]}")
        targets = [t for t in TARGETS if t.name in wanted]

    sigma = args.sigma.resolve()
    out = args.out.resolve()
    repo = Path(__file__).resolve().parents[2]
    for folder, what in [(sigma, "the Sigma folder"), (repo, "the repository")]:
        if folder == out or folder in out.parents or out in folder.parents:
            parser.error(f"the scratch folder must be outside {what}")
    if out.exists():
        shutil.rmtree(out)
    converted = out / "converted"
    converted.mkdir(parents=True)
    private = out / "private"
    private.mkdir()
    bundle = private / "empty-attack-bundle.json"
    bundle.write_text('{"type": "bundle", "id": "bundle--00000000-0000-4000-8000-000000000000", "objects": []}')

    started = time.monotonic()
    paths = select(sigma, args.seed, args.fraction, args.rest, args.limit)
    jobs, skipped = [], []
    for path in paths:
        rule, why = query_only(sigma / path)
        if rule is None:
            skipped.append((path, why))
        else:
            jobs.append((path, rule))

    # The salt makes file names unguessable from the rule paths; it stays in
    # the private folder.
    salt = secrets.token_hex(16)
    mapping_rows, conversion_rows = [], []
    with multiprocessing.Pool(
        args.jobs, initializer=_init_worker, initargs=(str(bundle), str(private / "pysigma-cache"))
    ) as pool:
        results = pool.imap(convert_one, [(rule, targets) for _, rule in jobs], chunksize=8)
        by_name = {t.name: t for t in targets}
        for (path, _), per_target in zip(jobs, results):
            for name, pipeline, status, outputs in per_target:
                target = by_name[name]
                conversion_rows.append((path, name, pipeline, status, str(len(outputs))))
                for n, output in enumerate(outputs):
                    digest = hashlib.sha256(f"{salt}:{path}:{name}:{n}".encode()).hexdigest()[:24]
                    file_name = f"{digest}.{target.extension}"
                    (converted / file_name).write_text(file_text(target, output, file_name), encoding="utf-8")
                    mapping_rows.append(
                        (file_name, path, name, target.backend, pipeline, target.output, target.language, str(n))
                    )

    with (private / "mapping.tsv").open("w", encoding="utf-8") as f:
        f.write("file\tsigma_path\ttarget\tbackend\tpipeline\toutput\tlanguage\tpart\n")
        for row in mapping_rows:
            f.write("\t".join(row) + "\n")
    with (private / "conversions.tsv").open("w", encoding="utf-8") as f:
        f.write("sigma_path\ttarget\tpipeline\tstatus\toutputs\n")
        for row in conversion_rows:
            f.write("\t".join(row) + "\n")
        for path, why in skipped:
            f.write(f"{path}\t-\t-\tskipped: {why}\t0\n")
    versions = {}
    try:
        from importlib.metadata import version

        for package in ["pysigma", "pysigma-backend-kusto", "pysigma-backend-elasticsearch", "pysigma-backend-splunk"]:
            versions[package] = version(package)
    except Exception:  # noqa: BLE001 - versions are informative only
        pass
    meta = {
        "sigma": str(sigma),
        "seed": args.seed,
        "fraction": args.fraction,
        "rest": args.rest,
        "limit": args.limit,
        "targets": [t.name for t in targets],
        "target_languages": {t.name: t.language for t in targets},
        "rules_selected": len(paths),
        "rules_skipped": len(skipped),
        "versions": versions,
    }
    (private / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")

    elapsed = time.monotonic() - started
    ok = {t.name: 0 for t in targets}
    for _, name, _, status, _ in conversion_rows:
        if status == "ok":
            ok[name] += 1
    print(
        f"{len(paths)} Sigma files selected, {len(jobs)} rules converted to {len(targets)} targets "
        f"({len(skipped)} skipped) in {elapsed:.0f} s; {len(mapping_rows)} files in {converted}"
    )
    for name, count in ok.items():
        print(f"  {name:<18} {count:>6} converted, {len(jobs) - count:>6} rejected by the backend")
    return 0


if __name__ == "__main__":
    sys.exit(main())
