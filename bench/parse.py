"""Parser throughput on the largest fixture reports: findings per second and peak memory.

    python bench/parse.py [--repeat 3]

Prints a Markdown table for docs/performance.md.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tasks.findings.parsers import parse_report  # noqa: E402

LARGEST = [
    "grype/many_vulns.json",
    "semgrep/semgrepowasp-benchmark-sample.sarif",
    "zap/juice-shop.json",
    "sarif/DefectDojo_django-DefectDojo__2020-12-11_13 42 10__export.sarif",
    "trivy/juice-shop-v12.10.2.json",
    "sarif/codeQL-output.sarif",
    "osv_scanner/many_findings.json",
    "bandit/many_vulns.json",
]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    fixtures = ROOT / "tests/fixtures/scanners"
    print("| report | size (KB) | findings | best time (ms) | findings/s | MB/s |")
    print("|---|---:|---:|---:|---:|---:|")
    total_f, total_t = 0, 0.0
    for rel in LARGEST:
        path = fixtures / rel
        best = float("inf")
        for _ in range(args.repeat):
            t = time.perf_counter()
            n = len(parse_report(path).findings)
            best = min(best, time.perf_counter() - t)
        size = path.stat().st_size
        total_f += n
        total_t += best
        print(f"| {rel} | {size / 1024:.0f} | {n} | {best * 1000:.0f} | {n / best:,.0f} | {size / best / 1e6:.1f} |")
    print(f"| **all of the above** | | {total_f} | {total_t * 1000:.0f} | {total_f / total_t:,.0f} | |")
    print(f"\npeak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
