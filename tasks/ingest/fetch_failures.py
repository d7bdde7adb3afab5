"""Runs whose artifacts could not be downloaded: retried on later fetches, with back-off, a bounded number of times.

One run whose artifact download answered 404 or 5xx (or ran past its deadline)
used to end every fetch, oldest run first, so no later run was ever fetched.
Now such a run is left unfetched (no run.json, nothing of it kept), its failure
is recorded here with the reason, and the fetch goes on with the other runs.
A later fetch tries it again once its back-off has passed
(``daemon.fetch_retry_backoff_seconds``, doubling, at most a day); after
``daemon.fetch_retries`` further failures the run is recorded as fetched with
the failing artifacts refused (reason and attempts in run.json), so it never
blocks anything again.  The ledger is ``data/artifacts/.fetch_failures.json``;
a damaged one is moved aside (tasks.core.state) and the runs are simply tried again.
"""

from __future__ import annotations

import time
from pathlib import Path

from tasks.core import atomic
from tasks.core import state as state_files

FILE = ".fetch_failures.json"
MAX_WAIT = 86400


class Ledger:
    def __init__(self, root: Path, retries: int, backoff: float, clock=time.time):
        self.path = Path(root) / FILE
        self.retries, self.backoff, self.clock = int(retries), float(backoff), clock
        data = state_files.load(self.path, dict, "fetch failures") or {}
        runs = data.get("runs") if isinstance(data.get("runs"), dict) else {}
        self.runs = {k: v for k, v in runs.items() if isinstance(k, str) and k.isdigit() and isinstance(v, dict)
                     and isinstance(v.get("attempts"), int) and isinstance(v.get("next_after"), (int, float))}

    def waiting(self, run_id: str) -> dict | None:
        """The failure entry when the run's back-off has not passed yet, else None (try it now)."""
        entry = self.runs.get(run_id)
        return entry if entry and self.clock() < entry["next_after"] else None

    def attempts(self, run_id: str) -> int:
        return (self.runs.get(run_id) or {}).get("attempts", 0)

    def failed(self, run_id: str, reason: str) -> dict | None:
        """Record one more failure; the entry to retry later, or None when the retries are spent (give up)."""
        attempts = self.attempts(run_id) + 1
        if attempts > self.retries:
            self.runs.pop(run_id, None)
            self._save()
            return None
        wait = min(MAX_WAIT, self.backoff * 2 ** (attempts - 1))
        entry = {"attempts": attempts, "next_after": self.clock() + wait, "wait_seconds": wait, "reason": reason[:500],
                 "last_failed_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.clock()))}
        self.runs[run_id] = entry
        self._save()
        return entry

    def succeeded(self, run_id: str) -> None:
        if self.runs.pop(run_id, None) is not None:
            self._save()

    def _save(self) -> None:
        if self.runs:
            atomic.write_json(self.path, {"runs": self.runs})
        else:
            self.path.unlink(missing_ok=True)
