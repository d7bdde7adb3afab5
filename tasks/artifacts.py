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


# branch and commit for reports without a run.json (doit branch=... commit=...; config ``provenance``);
# set once by dodo.py from the validated configuration, read by the parse actions of the same run
LOCAL_PROVENANCE: dict = {}


def set_local_provenance(settings: dict | None) -> None:
    """Record ``provenance.branch`` / ``provenance.commit`` (None or missing = not set)."""
    LOCAL_PROVENANCE.clear()
    LOCAL_PROVENANCE.update({k: v for k, v in (settings or {}).items() if k in ("branch", "commit") and v is not None})


def _run_file(artifact: Path, root: Path) -> Path | None:
    rel = artifact.relative_to(root)
    if len(rel.parts) > 1:
        run_file = root / rel.parts[0] / "run.json"
        if run_file.is_file():
            return run_file
    return None


def local_provenance(artifact: Path, root: Path) -> dict:
    """The hand-given branch/commit that apply to ``artifact``: {} when it has a run.json or none is set.

    dodo.py adds this to the artifact's ``config_changed``, so changing
    ``branch=`` re-parses exactly the reports it applies to.
    """
    return {} if _run_file(artifact, root) else dict(LOCAL_PROVENANCE)


def provenance(artifact: Path, root: Path) -> dict:
    """Branch and commit recorded by fetch_artifacts in ``<run-dir>/run.json``, else the hand-given ones."""
    run_file = _run_file(artifact, root)
    if run_file is None:
        return dict(LOCAL_PROVENANCE)
    try:
        run = json.loads(run_file.read_text(encoding="utf-8"))
        return {"branch": run.get("branch"), "commit": run.get("commit")}
    except (OSError, json.JSONDecodeError):
        raise SecftError(f"{run_file}: unreadable run provenance file") from None
