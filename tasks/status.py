"""The pipeline's status as JSON (the usage guide's ``get_fine_tuning_status``).

    python -m tasks.status [--profile smoke]

Last daemon run, per-target up-to-date state (from ``doit list --status``),
dataset counts, the latest models (with the retrain policy's last decision)
and the upload marker.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

DAEMON_STATE = Path("fine-tuning/daemon_state.json")


def _read(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None


def target_states(profile: str | None, dodo: Path) -> dict:
    cmd = [sys.executable, "-m", "doit", "list", "--all", "--status", "-f", str(dodo), "-d", "."]
    if profile:
        cmd.append(f"profile={profile}")
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        return {"error": (proc.stdout + proc.stderr).strip().splitlines()[-1:]}
    states = {}
    for line in proc.stdout.splitlines():
        parts = line.split(maxsplit=2)
        if len(parts) >= 2 and parts[0] in ("R", "U", "I"):
            states[parts[1]] = {"R": "stale", "U": "up-to-date", "I": "ignored"}[parts[0]]
    return states


def _stage(path: Path) -> dict | None:
    m = _read(path)
    if not m:
        return None
    keys = ("status", "reason", "mode", "iterations", "valid_loss_before", "valid_loss_after", "forgetting", "wall_time_s", "base_model",
            "policy")  # the retrain policy's decision: thresholds, pending rows, dataset hash trained on
    return {k: m[k] for k in keys if k in m}


def status(profile: str | None = None, dodo: Path | None = None) -> dict:
    dodo = dodo or Path(__file__).resolve().parent.parent / "dodo.py"
    info = _read(Path("fine-tuning/training_data/dataset_info.json")) or {}
    summary = _read(Path("data/findings/findings_summary.json")) or {}
    return {
        "daemon": _read(DAEMON_STATE),
        "targets": target_states(profile, dodo),
        "findings": {k: summary.get(k) for k in ("raw_results", "unique_findings", "by_tool", "by_severity")} if summary else None,
        "datasets": {"status": info.get("status"), "counts": info.get("counts"), "stage2_dropped": info.get("stage2_dropped")} if info else None,
        "models": {
            "stage1": _stage(Path("fine-tuning/adapters/stage1/metrics.json")),
            "stage2": _stage(Path("fine-tuning/adapters/stage2/metrics.json")),
            "stage2_model": "fine-tuning/models/stage2" if Path("fine-tuning/models/stage2/config.json").exists() else None,
        },
        "upload": _read(Path("fine-tuning/uploaded.json")),
        "fetched_runs": sorted(p.parent.name for p in Path("data/artifacts").glob("*/run.json")),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tasks.status", description="Print the pipeline status as JSON.")
    p.add_argument("--profile")
    args = p.parse_args(argv)
    print(json.dumps(status(args.profile), indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
