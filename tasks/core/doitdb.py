"""doit's database written after every task, not only when the whole run ends.

doit (0.36) keeps each task's result in memory and writes its database once,
when the run finishes.  A ``kill -9`` (or a power cut) during evaluation lost
the record of the stages trained earlier in the same run, so the next run
trained them again from scratch and, by recording the new builds, evicted
older ones from the model history.  ``install()`` makes every successful task
durable as soon as it ends: one sqlite commit per task, nothing measurable
next to any task of this pipeline.
"""

from __future__ import annotations


def install() -> None:
    """Patch doit's Dependency so each task's success is written to disk when it is saved (idempotent)."""
    from doit import dependency

    original = dependency.Dependency.save_success
    if getattr(original, "_secft_durable", False):
        return

    def save_success(self, task, result_hash=None):
        original(self, task, result_hash)
        _flush(self.backend)

    save_success._secft_durable = True
    dependency.Dependency.save_success = save_success


def _flush(backend) -> None:
    """Write what the backend holds without closing it (doit's own dump() closes sqlite and dbm)."""
    from doit import dependency

    if isinstance(backend, dependency.SqliteDB):
        for task_id in backend._dirty:
            backend._conn.execute("insert or replace into doit values (?,?)",
                                  (task_id, backend.codec.encode(backend._cache[task_id])))
        backend._conn.commit()
        backend._dirty = set()
    elif isinstance(backend, dependency.JsonDB):
        backend.dump()  # rewrites the whole file; leaves nothing closed


def check(path) -> None:
    """Move a damaged doit database aside (one line naming it) so the build starts over instead of
    failing every run, the daemon's included, with sqlite3.DatabaseError.

    Called from dodo.py before doit opens the file (doit reads DOIT_CONFIG first).
    """
    import os
    import sqlite3
    import sys
    from pathlib import Path

    path = Path(path)
    if not path.exists() and not path.is_symlink():
        return
    why = None
    if not path.is_file() or path.is_symlink():
        why = "not a regular file"
    else:
        try:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
            try:
                row = conn.execute("PRAGMA quick_check").fetchone()
                conn.execute("select count(*) from sqlite_master").fetchone()
                if not row or row[0] != "ok":
                    why = f"integrity check: {str(row[0] if row else 'no answer')[:80]}"
            finally:
                conn.close()
        except sqlite3.Error as exc:
            if any(w in str(exc).lower() for w in ("locked", "busy", "unable to open")):
                return  # another doit is writing it, or a read-only folder: not damage
            why = " ".join(str(exc).split())[:80] or type(exc).__name__
    if why is None:
        return
    from tasks.core import state

    state.set_aside(path, why, "doit database")
    for extra in ("-journal", "-wal", "-shm"):  # sqlite's side files belong to the damaged one
        side = path.with_name(path.name + extra)
        if side.is_file() and not side.is_symlink():
            os.replace(side, side.with_name(side.name + ".damaged"))
    print(f"doit database {path}: every task will be checked again from scratch", file=sys.stderr)
