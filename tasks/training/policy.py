"""Train only when it is worth it.

A stage takes minutes to hours with a real model; one new CI run with one
new finding must not retrain it on every poll.  When only the data changed
(same base model, hyperparameters and, for stage 2, the same stage-1
adapter) and fewer than ``fine_tuning.min_new_rows`` rows are new (nor
``min_new_percent`` of the rows it was trained on; either threshold trains), the stage
keeps its adapter and records what it was trained on and how many rows are
pending.  ``doit force=1`` or ``doit -a stage1_analysis`` trains anyway.

Which rows are new is decided by content: the hashes of the rows a stage
was trained on are kept beside its adapter (``trained_rows.txt``).
"""

from __future__ import annotations

import json
from pathlib import Path

from tasks.core.hashing import sha256_json
from tasks.core.settings import FineTuning

ROWS_FILE = "trained_rows.txt"


def row_hashes(rows: list[dict]) -> list[str]:
    return sorted({sha256_json(r)[:24] for r in rows})


def write_row_hashes(folder: Path, rows: list[dict]) -> None:
    from tasks.core import atomic

    atomic.write_text(folder / ROWS_FILE, "".join(h + "\n" for h in row_hashes(rows)))


def _trained_hashes(folder: Path) -> set[str] | None:
    try:
        return set((folder / ROWS_FILE).read_text(encoding="utf-8").split())
    except OSError:
        return None


def previous_metrics(folder: Path) -> dict:
    try:
        data = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def decide(cfg: FineTuning | dict, out_dir: Path, rows: list[dict], setup: str, force: bool, intact: bool) -> dict:
    """The policy record for this run: ``decision`` starts with "train" or "keep"."""
    cfg = FineTuning.of(cfg)
    prev = previous_metrics(out_dir)
    record = {
        "min_new_rows": cfg.min_new_rows,
        "min_new_percent": cfg.min_new_percent,
        "trained_on_dataset_sha256": sha256_json(rows),
        "pending_rows": 0,
    }
    trained = _trained_hashes(out_dir)

    def train(why: str) -> dict:
        return {**record, "decision": f"train: {why}"}

    if force:
        return train("forced (doit force=1 or -a)")
    if not record["min_new_rows"] and not record["min_new_percent"]:
        return train("policy off (min_new_rows 0)")
    if prev.get("status") not in ("trained", "kept") or trained is None or not intact:
        return train("no earlier adapter to keep")
    if prev.get("setup_sha256") != setup:
        return train("base model, hyperparameters or the stage it builds on changed")
    current = row_hashes(rows)
    new = sum(1 for h in current if h not in trained)
    share = 100.0 * new / max(1, len(trained))
    rows_th, share_th = record["min_new_rows"], record["min_new_percent"]
    if new and ((rows_th and new >= rows_th) or (share_th and share >= share_th)):
        return train(f"{new} new rows ({share:.1f}%; thresholds {rows_th} rows or {share_th}%)")
    previous_policy = prev.get("policy") or {}
    return {
        **record,
        "trained_on_dataset_sha256": previous_policy.get("trained_on_dataset_sha256", prev.get("data_sha256")),
        "pending_rows": new,
        "decision": f"keep: {new} new rows, below min_new_rows {record['min_new_rows']}"
        + (f" / {record['min_new_percent']}%" if record["min_new_percent"] else ""),
    }


def kept_metrics(out_dir: Path, policy: dict, skipped_by: str | None = None) -> dict:
    """The earlier metrics, marked as kept, with this run's policy record."""
    from tasks.core import atomic

    metrics = {**previous_metrics(out_dir), "status": "kept", "policy": policy}
    metrics.pop("skipped_by", None)
    if skipped_by:
        metrics["skipped_by"] = skipped_by
    atomic.write_json(out_dir / "metrics.json", metrics)
    print(f"{metrics.get('stage', out_dir.name)}: kept the adapter: {policy['decision']}")
    return metrics
