"""Where the artifacts are and what each one's findings file is called.

Kept apart from the parsers so that ``dodo.py`` can list the artifacts
without importing any parsing code.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from tasks.errors import SecftError
from tasks.hashing import sha256_text

IGNORED_NAMES = {"SOURCES.md", "README.md", "run.json", ".DS_Store"}


def list_artifacts(root: Path) -> list[Path]:
    """Every report file under ``root`` (sorted; notes and provenance files skipped)."""
    if not root.is_dir():
        return []
    return sorted(
        p for p in root.rglob("*")
        if p.is_file() and p.name not in IGNORED_NAMES
        and not any(part.startswith(".") for part in p.relative_to(root).parts)
    )


def output_name(artifact: Path, root: Path) -> str:
    """A flat, readable, collision-free file name for an artifact's findings."""
    rel = artifact.relative_to(root).as_posix()
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", rel.replace("/", "__"))
    return f"{slug[:120]}.{sha256_text(rel)[:8]}.json"


def provenance(artifact: Path, root: Path) -> dict:
    """Branch and commit recorded by fetch_artifacts in ``<run-dir>/run.json``."""
    rel = artifact.relative_to(root)
    if len(rel.parts) > 1:
        run_file = root / rel.parts[0] / "run.json"
        if run_file.is_file():
            try:
                run = json.loads(run_file.read_text(encoding="utf-8"))
                return {"branch": run.get("branch"), "commit": run.get("commit")}
            except (OSError, json.JSONDecodeError):
                raise SecftError(f"{run_file}: unreadable run provenance file") from None
    return {}
