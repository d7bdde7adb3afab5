"""One secft run at a time per workspace.

doit's dependency database is not safe for two writers (pydoit/doit#380 for
dbm; sqlite is safer but two runs would still build the same targets at
once), and the daemon and a person may both start a run.  The whole run
holds an exclusive lock on ``fine-tuning/.secft.lock`` (filelock: fcntl on
POSIX, msvcrt on Windows; released by the OS if the process dies).
"""

from __future__ import annotations

import os
from pathlib import Path

from tasks.core.errors import SecftError

LOCK_PATH = Path("fine-tuning/.secft.lock")
# doit commands that only read the task list need no lock
READ_ONLY_COMMANDS = {"list", "info", "help", "dumpdb", "strace", "tabcompletion"}


class RunLock:
    def __init__(self, path: Path = LOCK_PATH, timeout: float | None = None):
        from filelock import FileLock

        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise self._unwritable(exc) from None
        self.timeout = float(os.environ.get("SECFT_LOCK_TIMEOUT", "0")) if timeout is None else timeout
        self._lock = FileLock(str(path))

    def acquire(self) -> "RunLock":
        from filelock import Timeout

        try:
            self._lock.acquire(timeout=self.timeout)
        except Timeout:  # before OSError: filelock's Timeout is a TimeoutError, an OSError
            raise SecftError(
                f"{self.path}: another secft run (doit or the daemon) is in progress in this workspace; "
                "try again when it has finished, or set SECFT_LOCK_TIMEOUT=<seconds> to wait"
            ) from None
        except OSError as exc:  # a read-only workspace, a folder in the way: one line, not a traceback
            raise self._unwritable(exc) from None
        return self

    def _unwritable(self, exc: OSError) -> SecftError:
        return SecftError(f"{self.path}: cannot take the lock: {exc.strerror or type(exc).__name__} "
                          "(the workspace's fine-tuning/ folder must be writable; doit list needs no lock)")

    def release(self) -> None:
        self._lock.release()

    @property
    def is_locked(self) -> bool:
        return self._lock.is_locked

    def __enter__(self) -> "RunLock":
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


DOIT_COMMANDS = READ_ONLY_COMMANDS | {"run", "clean", "forget", "ignore", "auto", "reset-dep"}


def doit_command(argv: list[str]) -> str:
    """The doit sub-command in ``argv`` ('run' when only task names are given)."""
    return next((arg for arg in argv[1:] if arg in DOIT_COMMANDS), "run")
