"""What a training stage wrote, and whether it is still all there.

doit's targets for a stage are its metrics.json; the adapter and model
files it lists are checked here (stat only) so that deleting one of them
rebuilds the stage, and a stage skipped only because the daemon ran it is
not up to date for a person's run.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from tasks.core import atomic
from tasks.core.hashing import sha256_file

_SMALL_FILE = 64 * 1024 * 1024


def describe_outputs(paths: list[Path]) -> dict:
    """Sizes (and hashes of small files) of a stage's outputs, for the intact check."""
    out = {}
    for p in paths:
        for f in sorted(p.rglob("*") if p.is_dir() else [p]):
            if f.is_file() and f.name != "metrics.json":
                entry = {"size": f.stat().st_size}
                if entry["size"] <= _SMALL_FILE:
                    entry["sha256"] = sha256_file(f)
                out[f.as_posix()] = entry
    return out


def outputs_intact(metrics_path: Path) -> bool:
    """True when every output a stage recorded still exists with its recorded size.

    doit calls this (cheap: stat only) so that deleting an adapter or model
    file rebuilds the stage even though its metrics.json target is present.
    """
    try:
        metrics = json.loads(metrics_path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return False
    if not isinstance(metrics, dict) or not isinstance(metrics.get("outputs") or {}, dict):
        return False
    for name, entry in (metrics.get("outputs") or {}).items():
        try:
            if os.stat(name).st_size != entry["size"]:
                return False
        except (OSError, TypeError, KeyError, ValueError):
            return False
    return True


def skipped_for_daemon(metrics_path: Path) -> bool:
    """True when the stage was skipped only because the daemon ran it and a person runs doit now.

    ``fine_tuning.skip_in_daemon`` skips training on timer runs; a manual
    ``doit`` afterwards must train, although nothing else changed.
    """
    if os.environ.get("SECFT_DAEMON") == "1":
        return False
    try:
        metrics = json.loads(metrics_path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return False
    return isinstance(metrics, dict) and metrics.get("status") in ("skipped", "kept") and metrics.get("skipped_by") == "daemon"


# ----------------------------------------------------------------------------- a stage that did not train

DAEMON_SKIP = "daemon"


def write_skipped(out_dir: Path, stage: str, reason: str, skipped_by: str | None = None) -> dict:
    metrics = {"stage": stage, "status": "skipped", "reason": reason, "outputs": {}}
    if skipped_by:
        metrics["skipped_by"] = skipped_by
    with atomic.directory(out_dir) as tmp:
        atomic.write_json(tmp / "metrics.json", metrics)
    print(f"{stage}: skipped: {reason}")
    return metrics


def write_failed(out_dir: Path, stage: str, reason: str, extra: dict | None = None) -> dict:
    """Record a failed stage; an earlier adapter's files stay where they are (nothing is lost)."""
    metrics = {"stage": stage, "status": "failed", "reason": reason, "outputs": {}, **(extra or {})}
    atomic.write_json(out_dir / "metrics.json", metrics)
    return metrics


def is_daemon_run() -> bool:
    return os.environ.get("SECFT_DAEMON") == "1"
