"""Where the artifacts are and what each one's findings file is called.

Kept apart from the parsers so that ``dodo.py`` can list the artifacts
without importing any parsing code.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

from tasks.core.errors import SecftError
from tasks.core.hashing import sha256_text

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


# ----------------------------------------------------------------------------- CI runs
# One parse task per CI run folder: a run's artifacts arrive together, and
# doit's cost is per task (about 0.2 ms each in a no-op run), so 10,000
# reports in 1,000 runs cost 1,000 tasks, not 10,000 (docs/performance.md).

TOP_LEVEL = "~top"  # the group of report files lying directly in data/artifacts
RESERVED = {"merge", "settings"}  # parse_findings' own subtasks
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


def display(text: str) -> str:
    """A path as one printable UTF-8 line (undecodable bytes and control characters become "?")."""
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return re.sub(r"[\x00-\x1f\x7f\ufffd]", "?", text)


def group_name(folder: str) -> str:
    """A doit task name for a run folder: the name itself when it is plain, else ``~slug-hash``.

    doit reads ``a=b`` on its command line as a variable and prints names on
    one line, so ``=``, newlines and undecodable bytes never reach a task
    name; the ``~`` keeps such a name apart from every plain folder name.
    """
    if _SAFE_NAME.fullmatch(folder) and not folder.endswith(".") and folder not in RESERVED:
        return folder
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", display(folder)).strip("._-")[:60] or "run"
    return f"~{slug}-{hashlib.sha256(os.fsencode(folder)).hexdigest()[:8]}"


def _walk(top: str) -> tuple[list[str], str | None]:
    """(report files under ``top``, its run.json or None), by os.scandir: no stat call, no Path object per file."""
    out, stack, run_json = [], [top], None
    while stack:
        here = stack.pop()
        try:
            entries = list(os.scandir(here))
        except OSError:
            continue
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                stack.append(entry.path)
            elif name in IGNORED_NAMES:
                if name == "run.json" and here == top and entry.is_file():
                    run_json = entry.path
            else:  # a FIFO, device or link too: parsing refuses it by name (findings_summary.json "rejected")
                out.append(entry.path)
    out.sort()
    return out, run_json


def list_runs(root: Path) -> list[dict]:
    """Report files grouped by CI run folder (a top-level folder; loose files form ``~top``).

    Each group: ``{"name": task name, "folder": folder name or "", "run_json":
    path or None, "files": [report paths as str]}``, sorted by name; groups
    with no report are left out.  Listing 10,000 files costs tens of
    milliseconds: dodo.py does it on every run, no-op included.
    """
    if not root.is_dir():
        return []
    groups, loose = [], []
    for entry in os.scandir(root):
        if entry.name.startswith("."):
            continue
        if entry.is_dir(follow_symlinks=False):
            files, run_json = _walk(entry.path)
            if files:
                groups.append({"name": group_name(entry.name), "folder": entry.name, "run_json": run_json, "files": files})
        elif entry.name not in IGNORED_NAMES:  # not only regular files: see _walk
            loose.append(entry.path)
    if loose:
        groups.append({"name": TOP_LEVEL, "folder": "", "run_json": None, "files": sorted(loose)})
    return sorted(groups, key=lambda g: g["name"])


def run_output_name(group: dict) -> str:
    """The per-run findings file's name (the task name is already a safe, unique file name)."""
    return f"{group['name']}.json"
