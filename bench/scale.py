"""Phase 1 at the size of months of CI history: workspaces of 100 / 1,000 / 10,000 report files.

    python bench/scale.py [--sizes 100 1000 10000] [--per-run 10] [--repeat 5] [--keep DIR] [--unique] [--whole]

Each workspace holds copies of real scanner reports (the fixtures behind
data/artifacts/sample/) in run folders of ``--per-run`` files, each with a
run.json as fetch_artifacts writes it.  Reported, whole process as a user
runs it: first ``doit parse_findings``, no-op ``doit parse_findings``
(median of ``--repeat``), ``doit list``, the size of fine-tuning/.doit.db,
peak memory (max RSS of the doit process), and adding one new run (re-parses
only its files: the count comes from the parse task's own output).  With
``--whole`` the whole smoke pipeline is then built once and its no-op
``doit profile=smoke`` timed too (the daemon's and a user's command).
Prints a Markdown table for docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from workspace import clean_env  # noqa: E402

SAMPLE = ROOT / "data/artifacts/sample"
# runs the doit command and prints its wall time and the child's max RSS (KB) as the last line
_WRAP = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
         "p = subprocess.run(sys.argv[1:], capture_output=True, text=True); w = time.perf_counter() - t; "
         "sys.stdout.write(p.stdout + p.stderr); "
         "r = resource.getrusage(resource.RUSAGE_CHILDREN); "
         "print(f'\\n@@ {p.returncode} {w:.4f} {r.ru_maxrss} {r.ru_utime + r.ru_stime:.4f}')")


def reports() -> list[Path]:
    return sorted(p for p in SAMPLE.rglob("*") if p.is_file() and p.name != "SOURCES.md")


def _tail(n: int) -> bytes:
    """Whitespace that JSON and XML allow after the document, different for every n."""
    return b"\n" + bin(n)[2:].replace("0", " ").replace("1", "\t").encode()


def add_run(art: Path, run_id: int, files: list[Path], unique: bool = False) -> None:
    run = art / str(run_id)
    for n, src in enumerate(files):
        dest = run / f"{src.parent.name}-{n}" / src.name
        dest.parent.mkdir(parents=True, exist_ok=True)
        if unique:  # no two reports share their bytes: every one is parsed (no content-cache hits)
            dest.write_bytes(src.read_bytes() + _tail(run_id * 1000 + n))
        else:
            shutil.copyfile(src, dest)
    created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(1.7e9 + run_id * 300))
    (run / "run.json").write_text(json.dumps({
        "run_id": str(run_id), "branch": "main", "commit": f"{run_id:040x}", "created_at": created,
        "workflow": "security", "artifacts": [], "refused": []}))


def make_workspace(ws: Path, n_files: int, per_run: int, unique: bool) -> None:
    shutil.copytree(ROOT / "config", ws / "config")
    shutil.copytree(ROOT / "data/corpus", ws / "data/corpus")  # the smoke profile's tokenizer (--whole)
    art = ws / "data/artifacts"
    art.mkdir(parents=True)
    pool = reports()
    for r in range(n_files // per_run):
        add_run(art, 1000 + r, [pool[(r + i) % len(pool)] for i in range(per_run)], unique)


def doit(ws: Path, *args: str) -> tuple[float, int, str, float]:
    cmd = [sys.executable, "-c", _WRAP, sys.executable, "-m", "doit", "-f", str(ROOT / "dodo.py"), "-d", str(ws), *args]
    out = subprocess.run(cmd, capture_output=True, text=True, env=clean_env()).stdout
    rc, wall, rss, cpu = re.findall(r"^@@ (-?\d+) (\S+) (\d+) (\S+)$", out, re.M)[-1]
    if rc != "0":
        raise SystemExit(f"doit {' '.join(args)} failed in {ws}:\n{out[-2000:]}")
    return float(wall), int(rss) // 1024, out, float(cpu)


def measure(ws: Path, n_files: int, per_run: int, repeat: int, unique: bool, whole: bool = False) -> dict:
    make_workspace(ws, n_files, per_run, unique)
    first, first_rss, _, first_cpu = doit(ws, "parse_findings")
    noops, cpus, rss = [], [], 0
    for _ in range(repeat):
        wall, r, out, cpu = doit(ws, "parse_findings")
        assert "parse_findings: " not in out, "a no-op run parsed something"
        noops.append(wall)
        cpus.append(cpu)
        rss = max(rss, r)
    listing = statistics.median(doit(ws, "list", "--all")[0] for _ in range(3))
    db = (ws / "fine-tuning/.doit.db").stat().st_size
    add_run(ws / "data/artifacts", 999_999, reports()[:per_run], unique)
    added, add_rss, out, _ = doit(ws, "parse_findings")
    parsed = sum(int(n) for n in re.findall(r"parsed (\d+), reused", out))
    whole_noop = None
    if whole:
        doit(ws, "profile=smoke")
        whole_noop = statistics.median(doit(ws, "profile=smoke")[0] for _ in range(repeat))
    runs = sum(1 for _ in (ws / "data/findings/runs.jsonl").open())
    unique = sum(1 for _ in (ws / "data/findings/findings.jsonl").open())
    return {"files": n_files, "runs": n_files // per_run, "first": first, "first_cpu": first_cpu, "first_rss": first_rss,
            "noop": statistics.median(noops), "noop_cpu": statistics.median(cpus),
            "noop_min": min(noops), "noop_rss": rss, "list": listing, "db": db, "added": added, "parsed_after_add": parsed,
            "add_rss": add_rss, "runs_indexed": runs, "unique": unique, "whole_noop": whole_noop}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    ap.add_argument("--per-run", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--keep", type=Path, help="build the workspaces here and keep them")
    ap.add_argument("--unique", action="store_true", help="make every report's bytes unique (defeats the content cache)")
    ap.add_argument("--whole", action="store_true", help="also build the whole smoke pipeline and time its no-op")
    args = ap.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="secft-scale-"))
    print(f"copies: {'unique bytes' if args.unique else 'identical'}; {args.per_run} reports per run\n")
    print(f"load average before: {os.getloadavg()[0]:.1f} (other processes share the cores; CPU time is less affected)\n")
    print("| report files (runs) | first `doit parse_findings` (CPU) | peak RSS | no-op median, min (CPU) | `doit list` "
          "| `.doit.db` | + 1 run of %d: time, reports parsed | runs.jsonl lines | unique findings | whole-graph no-op |"
          % args.per_run)
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    try:
        for n in args.sizes:
            r = measure(base / f"ws{n}{'u' if args.unique else ''}", n, args.per_run, args.repeat, args.unique, args.whole)
            print(f"| {r['files']:,} ({r['runs']:,}) | {r['first']:.1f} s ({r['first_cpu']:.1f} s) | {r['first_rss']} MB "
                  f"| {r['noop']:.2f} s, {r['noop_min']:.2f} s ({r['noop_cpu']:.2f} s) "
                  f"| {r['list']:.2f} s | {r['db'] / 1e6:.2f} MB | {r['added']:.1f} s, {r['parsed_after_add']} "
                  f"| {r['runs_indexed']:,} | {r['unique']} "
                  f"| {'%.2f s' % r['whole_noop'] if r['whole_noop'] is not None else '-'} |", flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
