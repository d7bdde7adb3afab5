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
