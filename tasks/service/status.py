"""The pipeline's status as JSON (the usage guide's ``get_fine_tuning_status``).

    python -m tasks.status [--profile smoke] [--workspace PATH]

Last daemon run, per-target up-to-date state (from ``doit list --status``),
dataset counts, the latest models (with the retrain policy's last decision),
the model history (pipeline stages and standalone adapters, ``tasks.training.model_history``)
and the upload marker.  With ``--workspace`` the files are read there and doit
is asked with ``workspace=PATH``, as ``doit workspace=PATH`` would build it.
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
    except (OSError, ValueError, RecursionError):
        return None


def target_states(profile: str | None, dodo: Path, workspace: Path | None = None, artifacts_dir: Path | None = None) -> dict:
    cmd = [sys.executable, "-m", "doit", "list", "--all", "--status", "-f", str(dodo), "-d", "."]
    if profile:
        cmd.append(f"profile={profile}")
    if workspace is not None:
        cmd.append(f"workspace={workspace}")
    if artifacts_dir is not None:
        cmd.append(f"artifacts_dir={artifacts_dir}")
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


def status(profile: str | None = None, dodo: Path | None = None, workspace: Path | None = None,
           artifacts_dir: Path | None = None) -> dict:
    from tasks.training.model_history import list_builds

    dodo = dodo or Path(__file__).resolve().parents[2] / "dodo.py"
    ws = workspace or Path(".")
    ft = ws / "fine-tuning"
    info = _read(ft / "training_data/dataset_info.json") or {}
    summary = _read(ws / "data/findings/findings_summary.json") or {}
    standalone = sorted(p.parent.name for p in (ft / "adapters").glob("*/metrics.json") if p.parent.name not in ("stage1", "stage2"))
    return {
        "daemon": _read(ws / DAEMON_STATE),
        "targets": target_states(profile, dodo, workspace, artifacts_dir),
        "findings": {k: summary.get(k) for k in ("raw_results", "unique_findings", "by_tool", "by_severity")} if summary else None,
        "datasets": {"status": info.get("status"), "counts": info.get("counts"), "stage2_dropped": info.get("stage2_dropped")} if info else None,
        "models": {
            "stage1": _stage(ft / "adapters/stage1/metrics.json"),
            "stage2": _stage(ft / "adapters/stage2/metrics.json"),
            "stage2_model": (ft / "models/stage2").as_posix() if (ft / "models/stage2/config.json").exists() else None,
            "standalone": {name: _stage(ft / "adapters" / name / "metrics.json") for name in standalone},
        },
        "history": list_builds(ft),
        "upload": _read(ft / "uploaded.json"),
        "fetched_runs": sorted(p.parent.name for p in (artifacts_dir or ws / "data/artifacts").glob("*/run.json")),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tasks.status", description="Print the pipeline status as JSON.")
    p.add_argument("--profile")
    p.add_argument("--workspace", type=Path, help="the folder given to doit as workspace= (default: here)")
    p.add_argument("--artifacts-dir", type=Path, help="the folder given to doit as artifacts_dir=")
    args = p.parse_args(argv)
    for flag, value in (("--workspace", args.workspace), ("--artifacts-dir", args.artifacts_dir)):
        if value is not None and not value.is_dir():
            print(f"error: {flag} {value}: not a folder", file=sys.stderr)
            return 2
    resolved = {k: v.resolve() for k, v in (("workspace", args.workspace), ("artifacts_dir", args.artifacts_dir)) if v}
    print(json.dumps(status(args.profile, **resolved), indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
