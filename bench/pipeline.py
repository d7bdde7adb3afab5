"""Wall time of the smoke pipeline and of a no-op doit run, in a fresh workspace.

    python bench/pipeline.py [--noop-runs 10]

The workspace is a temporary copy of config/, data/corpus and the sample
artifacts; doit runs as a subprocess exactly as a user would run it.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import workspace  # noqa: E402


def doit(ws: Path, *args: str) -> float:
    t = time.perf_counter()
    workspace.doit(ws, *args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--noop-runs", type=int, default=10)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ws = workspace.make(Path(tmp))
        full = doit(ws, "profile=smoke")
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        noops = [doit(ws, "profile=smoke") for _ in range(args.noop_runs)]
        lists = [doit(ws, "list") for _ in range(args.noop_runs)]
    print(f"smoke pipeline, first run: {full:.1f} s (peak RSS {peak:.0f} MB)")
    print(f"no-op doit: median {statistics.median(noops):.3f} s, min {min(noops):.3f} s over {len(noops)} runs")
    print(f"doit list: median {statistics.median(lists):.3f} s")


if __name__ == "__main__":
    main()
