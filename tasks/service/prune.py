"""Retention: drop the oldest fetched CI runs' files, keep what they taught us.

    python -m tasks.prune [--keep N] [--profile NAME] [--dry-run]
    doit prune                       (uses artifacts.keep_runs)

A year of five-minute polls is tens of thousands of report files.  With
``artifacts.keep_runs: N`` the newest N fetched runs (folders with a
run.json, ordered by created_at, then run id) keep their files; for each
older run its reports are parsed one last time into
``data/findings/archive/<run>.json`` (reusing the run's current findings
file when unchanged), and then its report files are deleted.  The merge
reads the archive, so every finding a pruned run contributed stays in
findings.jsonl by id, and the run stays in runs.jsonl with its commit,
time and finding ids (what the history miner needs).  The run folder keeps
only run.json: it is what marks the run as fetched, so the daemon never
downloads it again.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

from tasks.core.errors import SecftError
from tasks.findings.incremental import parser_code_key
from tasks.ingest.artifacts import display, list_runs, run_output_name

ARTIFACTS = Path("data/artifacts")
BY_RUN = Path("data/findings/by_run")
ARCHIVE = Path("data/findings/archive")
CODE = Path(__file__).resolve().parents[1]  # tasks/


def _order(group: dict) -> tuple:
    from tasks.findings.runs import run_provenance

    try:
        created = run_provenance(group["run_json"]).get("created_at") or ""
    except SecftError:
        created = ""
    run_id = group["folder"]
    return (created, int(run_id) if run_id.isdigit() else -1, run_id)


def _remove_reports(folder: Path, root: Path) -> None:
    """Delete everything in a run folder but run.json, after checking it lies inside ``root``."""
    real_root = root.resolve()
    real = folder.resolve()
    if folder.is_symlink() or real.parent != real_root or not real.is_dir():
        raise SecftError(f"{display(str(folder))}: not a run folder inside {root}; nothing deleted")
    for entry in os.scandir(real):
        if entry.name == "run.json":
            continue
        path = Path(entry.path)
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(path)
        else:
            path.unlink()


def prune(keep_runs: int | None, parse_cfg: dict, root: Path = ARTIFACTS, by_run: Path = BY_RUN,
          archive: Path = ARCHIVE, dry_run: bool = False, log=print) -> dict:
    """Archive and empty all but the newest ``keep_runs`` fetched runs; returns the pruned folders."""
    if keep_runs is None:
        log("prune: artifacts.keep_runs is null (keep every run); nothing to do")
        return {"pruned": []}
    if isinstance(keep_runs, bool) or not isinstance(keep_runs, int) or keep_runs < 0:
        raise SecftError(f"artifacts.keep_runs must be a whole number >= 0 or null, not {keep_runs!r}")
    from tasks.findings.runs import parse_run

    runs = sorted((g for g in list_runs(root) if g["run_json"] is not None), key=_order)
    old = runs[: max(0, len(runs) - keep_runs)]
    code_key = parser_code_key(CODE)
    pruned = []
    for group in old:
        name = run_output_name(group)
        if dry_run:
            log(f"prune: would prune run {display(group['folder'])} ({len(group['files'])} report(s))")
            pruned.append(group["folder"])
            continue
        current = by_run / name
        target = archive / name
        archive.mkdir(parents=True, exist_ok=True)
        if current.is_file():
            shutil.copy2(current, target)  # its cache makes the last parse below cheap
        try:
            parse_run(group["files"], group["folder"], group["run_json"], root, target,
                      parse_cfg["on_error"], parse_cfg["max_bytes"], code_key)
        except BaseException:
            target.unlink(missing_ok=True)  # the run keeps its files and stays a live run
            raise
        _remove_reports(root / group["folder"], root)
        current.unlink(missing_ok=True)
        pruned.append(group["folder"])
        log(f"prune: run {display(group['folder'])}: findings archived in {target}, {len(group['files'])} report(s) deleted")
    log(f"prune: {len(pruned)} run(s) pruned, {len(runs) - len(old)} kept")
    return {"pruned": pruned}


def main(argv: list[str] | None = None) -> int:
    from tasks.core.config import load_config

    p = argparse.ArgumentParser(prog="python -m tasks.prune", description=__doc__.split("\n\n")[0])
    p.add_argument("--keep", type=int, help="runs to keep (default: artifacts.keep_runs)")
    p.add_argument("--profile")
    p.add_argument("--dry-run", action="store_true", help="list what would be pruned")
    args = p.parse_args(argv)
    try:
        config = load_config(profile=args.profile)
        keep = args.keep if args.keep is not None else (config.get("artifacts") or {}).get("keep_runs")
        prune(keep, config["parse"], dry_run=args.dry_run)
    except SecftError as exc:
        print(f"secft: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
