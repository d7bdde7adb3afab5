"""``--upload`` for the standalone trainer: the pipeline's destinations and cards.

The adapter and the data it was trained on are laid out as the pipeline's
stage-1 adapter and dataset (a private staging folder under
``fine-tuning/.standalone/<name>/``) and handed to ``tasks.publish.upload.upload``,
so the destination (``hf`` or ``dir:``), namespace, privacy, cards and the
skip-when-unchanged marker are exactly the pipeline's.  The repos are named
after the output name (``<name>`` and ``<name>-data``) so a standalone
adapter never replaces the pipeline's own repos.
"""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

from tasks.core import atomic
from tasks.core.hashing import sha256_file

STAGING = Path("fine-tuning/.standalone")


def _dataset_folder(folder: Path, train_rows: list[dict], valid_rows: list[dict]) -> None:
    files = {"stage1_train.jsonl": train_rows, "stage1_valid.jsonl": valid_rows, "stage2_train.jsonl": [], "stage2_valid.jsonl": []}
    for name, rows in files.items():
        atomic.write_jsonl(folder / name, rows)
    info = {
        "status": "standalone",
        "counts": {"stage1": {"train": len(train_rows), "valid": len(valid_rows)}, "stage2": {"train": 0, "valid": 0}},
        "files": {name: {"rows": len(rows), "sha256": sha256_file(folder / name)} for name, rows in files.items()},
        "stage2_dropped": {},
    }
    atomic.write_json(folder / "dataset_info.json", info)


def publish(config: dict, name: str, adapter_dir: Path, train_rows: list[dict], valid_rows: list[dict]) -> dict:
    """Publish ``adapter_dir`` and its rows; returns the upload marker."""
    from tasks.publish.upload import upload

    root = STAGING / name
    shutil.rmtree(root, ignore_errors=True)
    _dataset_folder(root / "training_data", train_rows, valid_rows)
    atomic.write_json(root / "not-trained" / "metrics.json", {"status": "skipped", "reason": "standalone adapter"})
    cfg = copy.deepcopy(config)
    cfg["upload"].update(enabled=True, dataset_repo=f"{name}-data", stage1_repo=name)
    paths = {
        "training_data": root / "training_data", "stage1": adapter_dir, "stage2": root / "not-trained",
        "model2": root / "not-trained", "summary": root / "no-summary.json", "staging": root / "upload-staging",
    }
    try:
        return upload(cfg, paths, Path("fine-tuning") / f"uploaded-{name}.json")
    finally:
        shutil.rmtree(root / "upload-staging", ignore_errors=True)
