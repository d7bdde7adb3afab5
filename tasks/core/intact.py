"""A task is up to date only while the targets later steps parse are still what it wrote.

doit checks a task's ``file_dep`` and ``uptodate``, never its targets' content: after
``head -c 700 findings.jsonl`` (a full disk, a hand edit) triage said "rebuild
parse_findings" and ``doit parse_findings`` said it was up to date, for good.  ``record``
is one more action of such a task: it saves each target's size, mtime and sha256 in
doit's values; ``check`` (an uptodate callable) compares them, hashing only a target
whose size or mtime moved, so a no-op build stays a stat per target.
"""

from __future__ import annotations

import hashlib
import os


def _stat(path: str) -> list[int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


def _sha(path: str) -> str | None:
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    except OSError:
        return None
    return h.hexdigest()


def record(*paths) -> tuple:
    """A doit python-action saving the targets' fingerprints (run after the step that writes them)."""

    def secft_record_targets():
        return {"secft_targets": {str(p): [*(_stat(str(p)) or []), _sha(str(p))] for p in paths}}

    return (secft_record_targets,)


def check(*paths):
    """An uptodate callable: False when a target is gone or differs from what the task wrote."""

    def secft_targets_intact(task, values):
        seen = values.get("secft_targets")
        if not isinstance(seen, dict):
            return False
        for p in map(str, paths):
            was = seen.get(p)
            if not isinstance(was, list) or len(was) != 3:
                return False
            now = _stat(p)
            if now is None:
                return False
            if now != was[:2] and _sha(p) != was[2]:
                return False
        return True

    return secft_targets_intact
