"""Evaluation's own partial results: answers already generated survive an interrupted run.

Generating answers is most of an evaluation's time (rows x models x tokens).
Each answer (and each test loss) is appended to ``.partial.jsonl`` beside the
report as soon as it exists, flushed to disk, under a key of everything it
depends on: the model (its folder, adapter and the stage's metrics, so a
retrained stage never reuses an old answer), the decoding settings and the
row itself.  After a ``kill -9`` the next evaluation takes what is there and
generates only the rest; a complete evaluation removes the file.  A line cut
short by the kill, or any line that does not parse, is dropped and the file
rewritten, named in one line.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from tasks.core import atomic
from tasks.core.hashing import sha256_json

FILE = ".partial.jsonl"


class Partial:
    """Answers and losses of an interrupted evaluation, looked up by (model key, item key)."""

    def __init__(self, out: Path):
        self.path = Path(out) / FILE
        self._seen: dict[tuple[str, str], Any] = {}
        self._load()

    def _load(self) -> None:
        if not self.path.is_file() or self.path.is_symlink():
            return
        good, bad = [], 0
        with open(self.path, "rb") as fh:
            for raw in fh:
                try:
                    entry = json.loads(raw)
                    key = (entry["model"], entry["item"])
                    if not isinstance(key[0], str) or not isinstance(key[1], str):
                        raise ValueError
                except (ValueError, KeyError, TypeError, RecursionError):
                    bad += 1
                    continue
                self._seen[key] = entry.get("value")
                good.append(entry)
        if bad:
            atomic.write_jsonl(self.path, good)
            print(f"evaluate: {self.path}: {bad} damaged line(s) dropped; {len(good)} earlier result(s) kept", file=sys.stderr)

    def __len__(self) -> int:
        return len(self._seen)

    def get(self, model: str, item: str) -> tuple[bool, Any]:
        key = (model, item)
        return (key in self._seen), self._seen.get(key)

    def add(self, model: str, item: str, value: Any) -> None:
        self._seen[(model, item)] = value
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"model": model, "item": item, "value": value}, ensure_ascii=False) + "\n")
            fh.flush()
            os.fsync(fh.fileno())

    def done(self) -> None:
        self.path.unlink(missing_ok=True)


def model_key(name: str, model_dir: Path, adapter: Path | None, metrics: dict | None, marker: dict, settings: dict) -> str:
    return sha256_json({"name": name, "model": str(model_dir), "adapter": str(adapter) if adapter else None,
                        "metrics": metrics, "base": marker, "settings": settings})


def row_key(row: dict) -> str:
    return sha256_json(row.get("messages"))
