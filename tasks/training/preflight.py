"""Fail fast: what can be checked before minutes of training is checked first.

Missing mlx, an output folder that cannot be written, a disk without room
for the outputs: each is one line naming the path and the cause, raised
before the model is even loaded.  ``os_error`` turns an OSError met later
(disk full during a save) into the same kind of line.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from pathlib import Path

from tasks.core.errors import SecftError

# an adapter, its checkpoints and logs: small; a fused model needs about the base model's size
MIN_FREE_BYTES = 64 * 1024 * 1024


def require_mlx() -> None:
    """mlx and mlx-lm import, or one line that says what to install."""
    try:
        import mlx.core  # noqa: F401
        import mlx_lm  # noqa: F401
    except ImportError as exc:
        raise SecftError(
            f"training needs mlx and mlx-lm, which cannot be imported ({exc}); install them with "
            "pip install mlx mlx-lm (Apple silicon, or Linux with mlx[cpu]/mlx[cuda]), "
            "or set fine_tuning.skip_fine_tuning: true"
        ) from None


def os_error(exc: OSError, fallback: Path | str) -> SecftError:
    """An OSError as one line: the file it concerns and the system's reason."""
    where = exc.filename or fallback
    reason = exc.strerror or str(exc)
    if exc.errno == errno.ENOSPC:
        reason = "no space left on device"
    return SecftError(f"{where}: {reason}")


def check_writable(folders: list[Path]) -> None:
    """Create each output folder and a file in it, so a read-only place fails now, not after training."""
    for folder in folders:
        folder = Path(folder)
        if folder.exists() and not folder.is_dir():
            raise SecftError(f"{folder}: output folder is not writable: a file is in the way")
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(prefix=".secft-write-check.", dir=folder)
            os.close(fd)
            os.unlink(name)
        except OSError as exc:
            raise SecftError(f"{folder}: output folder is not writable: {exc.strerror or exc}") from None


def check_free_space(folder: Path, need_bytes: int = 0) -> None:
    folder = Path(folder)
    probe = folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    free = shutil.disk_usage(probe).free
    need = max(need_bytes, MIN_FREE_BYTES)
    if free < need:
        raise SecftError(f"{folder}: not enough disk space for the outputs: {free / 1e6:.0f} MB free, about {need / 1e6:.0f} MB needed")


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file())
