"""Merge, enrichment and dataset building at 10,000 and 100,000 unique findings.

    python bench/findings_scale.py [--sizes 10000 100000] [--workdir DIR]

The findings are real fixture findings (the reports behind
data/artifacts/sample/ and a few large ones from tests/fixtures/scanners),
varied so that every one is unique: a new id, a new location line or package
version, and a numbered title.  Each size reports findings/s for
``merge_findings`` (with every finding seen twice, as from two CI runs),
``enrich`` on a cold and on a warm narrative cache, and ``datasets.build``,
plus the peak RSS of the process.  Prints a Markdown table for
docs/performance.md.
"""

from __future__ import annotations

import argparse
import copy
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tasks.core import atomic  # noqa: E402
from tasks.core.config import load_config  # noqa: E402
from tasks.core.hashing import sha256_text  # noqa: E402
from tasks.datasets.build import build  # noqa: E402
from tasks.enrich import enrich  # noqa: E402
from tasks.enrich.knowledge_base import build_cwe_kb  # noqa: E402
from tasks.findings.merge import merge_findings  # noqa: E402
from tasks.findings.parsers import parse_report  # noqa: E402

EXTRA = ["bandit/many_vulns.json", "trivy/juice-shop-v12.10.2.json", "semgrep/semgrepowasp-benchmark-sample.sarif"]


def base_findings() -> list[dict]:
    paths = sorted(p for p in (ROOT / "data/artifacts/sample").rglob("*") if p.is_file() and p.name != "SOURCES.md")
    paths += [ROOT / "tests/fixtures/scanners" / rel for rel in EXTRA]
    out = []
    for p in paths:
        for f in parse_report(p).findings:
            f["source"].update(run_id="1", commit=None, created_at="2026-01-01T00:00:00Z")
            out.append(f)
    return out


def synthesise(base: list[dict], n: int) -> list[dict]:
    """``n`` unique findings, each a varied copy of a real one."""
    out = []
    for i in range(n):
        f = copy.deepcopy(base[i % len(base)])
        f["id"] = sha256_text(f"{f['id']}-{i}")[:32]
        f["title"] = f"{f['title']} #{i}"
        if f.get("location") and f["location"].get("start_line"):
            f["location"]["start_line"] = f["location"]["start_line"] + i
        if f.get("package") and f["package"].get("version"):
            f["package"]["version"] = f"{f['package']['version']}.{i}"
        f["aliases"] = [f"{a}-{i}" for a in f.get("aliases") or []]
        out.append(f)
    return out


def timed(fn, *args):
    t = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - t, result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[10000, 100000])
    ap.add_argument("--workdir", type=Path)
    args = ap.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="secft-findings-"))
    cfg = load_config(path=ROOT / "config/pipeline.yaml")
    kb = work / "cwe_kb.jsonl"
    build_cwe_kb(kb)
    base = base_findings()
    print(f"{len(base)} distinct fixture findings varied into unique ones\n")
    print("| unique findings | merge (2 sightings each) | enrich, cold cache | enrich, warm cache | build_datasets | peak RSS |")
    print("|---:|---:|---:|---:|---:|---:|")
    for n in args.sizes:
        findings = synthesise(base, n)
        second = copy.deepcopy(findings)
        for f in second:
            f["source"].update(run_id="2", created_at="2026-01-02T00:00:00Z")
        t_merge, merged = timed(merge_findings, findings + second)
        assert len(merged) == n, (len(merged), n)
        del second
        fpath = work / f"findings{n}.jsonl"
        atomic.write_jsonl(fpath, merged)
        del merged, findings
        narr, cache = work / f"narratives{n}.jsonl", work / f"cache{n}.jsonl"
        cache.unlink(missing_ok=True)
        t_cold, _ = timed(enrich, fpath, kb, narr, cache, cfg["enrich"]["top_k"])
        t_warm, _ = timed(enrich, fpath, kb, narr, cache, cfg["enrich"]["top_k"])
        t_build, info = timed(build, fpath, narr, work / f"training{n}", cfg["datasets"])
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        rate = lambda t, k=n: f"{t:.1f} s ({k / t:,.0f}/s)"  # noqa: E731
        print(f"| {n:,} | {rate(t_merge, 2 * n)} | {rate(t_cold)} | {rate(t_warm)} | {rate(t_build)} | {rss} MB |", flush=True)


if __name__ == "__main__":
    main()
