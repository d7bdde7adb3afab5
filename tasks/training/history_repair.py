"""A model-history entry whose build.json does not parse: moved aside, named in one line, rebuilt.

A hand-edited or half-written build.json (bad JSON, deep nesting, a string
where a number belongs) made every stage after training fail, since each
training rotates the history (tasks.training.model_history).  The record is
rebuilt from what the entry holds: its one adapter folder (with the metrics
saved there), its model folders, the creation time its name carries.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from pathlib import Path

from tasks.core import atomic
from tasks.core.errors import SecftError

_PLAIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,62}[A-Za-z0-9])?$")


def well_formed(build: object, entry: Path) -> bool:
    if not isinstance(build, dict) or build.get("name") != entry.name:
        return False
    kinds = {"adapter": str, "folders": list, "summary": dict, "created_ns": int}
    return all(isinstance(build.get(k), t) and not isinstance(build.get(k), bool) for k, t in kinds.items()) and all(
        isinstance(f, str) for f in build["folders"]) and all(
        build.get(k) is None or isinstance(build.get(k), str)
        for k in ("kind", "created_at", "dataset_sha256", "adapter_fingerprint", "stage1_adapter_sha256"))


def rebuild(entry: Path, build_file: str, summary_keys: tuple, fingerprint) -> dict | None:
    """Move a damaged build.json aside and write one rebuilt from what the entry holds."""
    path = entry / build_file
    aside = entry.parent / f".{entry.name}.build.json.damaged-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}"
    try:
        adapters = sorted(p.name for p in (entry / "adapters").iterdir() if p.is_dir() and not p.is_symlink()
                          and _PLAIN.match(p.name) and (p / "metrics.json").is_file())
        models = sorted(p.name for p in (entry / "models").iterdir()
                        if p.is_dir() and not p.is_symlink() and _PLAIN.match(p.name)) if (entry / "models").is_dir() else []
    except OSError:
        adapters, models = [], []
    if len(adapters) != 1:
        print(f"history: {path}: damaged and not rebuildable (no single adapter folder); entry skipped", file=sys.stderr)
        return None
    adapter = adapters[0]
    try:
        metrics = json.loads((entry / "adapters" / adapter / "metrics.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        metrics = {}
    metrics = metrics if isinstance(metrics, dict) else {}
    stamp = entry.name.split("_", 1)[0]
    try:
        created_ns = int(time.mktime(time.strptime(stamp, "%Y%m%dT%H%M%SZ")) - time.timezone) * 10 ** 9
    except ValueError:
        created_ns = 0
    build = {
        "name": entry.name, "adapter": adapter, "kind": "rebuilt", "created_at": None, "created_ns": created_ns,
        "dataset_sha256": metrics.get("data_sha256") if isinstance(metrics.get("data_sha256"), str) else None,
        "folders": [f"models/{m}" for m in models] + [f"adapters/{adapter}"],
        "adapter_fingerprint": None,
        "stage1_adapter_sha256": metrics.get("stage1_adapter_sha256") if isinstance(metrics.get("stage1_adapter_sha256"), str) else None,
        "summary": {k: metrics[k] for k in summary_keys if k in metrics},
    }
    try:
        build["adapter_fingerprint"] = fingerprint(entry / "adapters" / adapter)
        if path.exists():
            os.replace(path, aside)
        atomic.write_json(path, build)
    except (OSError, SecftError) as exc:
        print(f"history: {path}: damaged; could not rebuild it ({getattr(exc, 'strerror', None) or exc}); entry skipped",
              file=sys.stderr)
        return None
    print(f"history: {path}: damaged; moved aside to {aside.name} and rebuilt from the entry's folders", file=sys.stderr)
    return build
