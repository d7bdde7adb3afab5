"""Atomic writes: a target either has its old content or its new content.

doit decides whether a target is up to date from the file on disk, so a
half-written file left by an interrupted run would be taken as a finished
build.  Everything secft writes goes to a temporary name in the same folder
first and is renamed over the target only once complete (``os.replace`` is
atomic on POSIX and Windows).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any, Iterable, Iterator

from tasks.core.errors import SecftError


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_FILE_MODE = 0o666 & ~_umask()


_STALE_SECONDS = 3600  # a leftover without a writer's pid in its name is removed once this old


def _tmp_path(target: Path, suffix: str = ".tmp") -> Path:
    clean_leftovers(target)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=f".{os.getpid()}{suffix}", dir=target.parent)
    os.fchmod(fd, _FILE_MODE)  # mkstemp makes 0600; targets get ordinary permissions
    os.close(fd)
    return Path(name)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def clean_leftovers(target: str | os.PathLike) -> list[Path]:
    """Remove the temporary files and folders a killed writer of ``target`` left beside it.

    Why: ``kill -9`` during a parse (or any atomic write) leaves a hidden
    ``.<name>.<random>.<pid>.tmp`` that nothing would ever remove.  A temp
    whose writer process is gone is garbage; one of a live process is kept
    (another writer may be about to rename it).  Called before every write of
    ``target``, so the next run that rebuilds it cleans up.
    """
    target = Path(target)
    removed: list[Path] = []
    try:
        candidates = [p for p in target.parent.iterdir()
                      if p.name.startswith(f".{target.name}.") and p.name.endswith((".tmp", ".old"))]
    except OSError:
        return removed
    for path in candidates:
        pid_text = path.name.rsplit(".", 2)[-2]
        try:
            if pid_text.isdigit():
                if _alive(int(pid_text)):
                    continue
            elif time.time() - path.lstat().st_mtime < _STALE_SECONDS:
                continue
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
            removed.append(path)
        except OSError:
            continue
    return removed


class WriteError(SecftError, OSError):
    """A target the filesystem would not take (read-only, full, a file in the way).

    One line naming the target for doit (a SecftError), and still an OSError
    with ``errno``/``strerror``/``filename`` for callers that handle those.
    """

    def __init__(self, target: os.PathLike | str, exc: OSError):
        OSError.__init__(self, exc.errno, exc.strerror, exc.filename)
        self.message = " ".join(f"{os.fspath(target)}: cannot write: {exc.strerror or type(exc).__name__}".split())

    def __str__(self) -> str:
        return self.message


def write_bytes(target: str | os.PathLike, data: bytes) -> None:
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = _tmp_path(target)
    except OSError as exc:
        raise WriteError(target, exc) from None
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError) and not isinstance(exc, WriteError):
            raise WriteError(target, exc) from None
        raise


def write_text(target: str | os.PathLike, text: str) -> None:
    write_bytes(target, text.encode("utf-8"))


def dumps_json(obj: Any) -> str:
    """Canonical JSON text: sorted keys, so equal content gives equal bytes."""
    return json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_json(target: str | os.PathLike, obj: Any) -> None:
    write_text(target, dumps_json(obj))


def jsonl_text(rows: Iterable[Any]) -> str:
    return "".join(json.dumps(r, sort_keys=True, ensure_ascii=False) + "\n" for r in rows)


def write_jsonl(target: str | os.PathLike, rows: Iterable[Any]) -> None:
    write_text(target, jsonl_text(rows))


# folders of a workspace that are containers, never a single output
WORKSPACE_FOLDERS = (
    "data", "data/artifacts", "data/findings", "data/narratives", "data/kb", "data/corpus", "config", "tasks",
    "schemas", "tests", "docs", "bench", ".git", "fine-tuning", "fine-tuning/adapters", "fine-tuning/models",
    "fine-tuning/training_data", "fine-tuning/checkpoints", "fine-tuning/hub", "fine-tuning/logs", "fine-tuning/eval",
)


def inside(target: str | os.PathLike, root: str | os.PathLike, what: str = "target") -> Path:
    """``target`` resolved (symbolic links followed), refused unless strictly inside ``root``.

    Why: names from config, the command line and remote APIs become folder
    names; a ``..`` or an absolute name must never make secft write or
    delete outside the folder it owns.
    """
    root_r = Path(root).resolve()
    resolved = Path(target).resolve()
    if resolved == root_r or root_r not in resolved.parents:
        raise SecftError(f"{what} {os.fspath(target)!r}: refused: it is not inside {os.fspath(root)}")
    return resolved


def regular_files(folder: str | os.PathLike, what: str = "folder") -> list[Path]:
    """Every file under ``folder``, sorted; one line naming the first symbolic link or special file.

    Why: ``rglob`` + ``is_file`` + ``copy2`` follow links, so a link in a model
    history entry or an upload folder copied a file from anywhere (a token) into
    what is published.  Nothing secft writes there is a link, so any link is refused.
    """
    folder = Path(folder)
    if folder.is_symlink():
        raise SecftError(f"{what} {os.fspath(folder)}: a symbolic link; refused")
    found = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        for name in sorted(dirnames + filenames):
            path = Path(dirpath) / name
            if path.is_symlink():
                raise SecftError(f"{what} {os.fspath(folder)}: {path.relative_to(folder).as_posix()} is a symbolic link "
                                 f"(to {os.readlink(path)!r}); refused")
            if name in filenames:
                if not path.is_file():
                    raise SecftError(f"{what} {os.fspath(folder)}: {path.relative_to(folder).as_posix()} is not a "
                                     "regular file; refused")
                found.append(path)
    return sorted(found)


def copy_regular(src: str | os.PathLike, dst: str | os.PathLike, what: str = "folder") -> None:
    """Copy the regular files of ``src`` into ``dst`` (same layout); any link refused before a byte is copied."""
    src, dst = Path(src), Path(dst)
    for f in regular_files(src, what):
        target = dst / f.relative_to(src)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(f, target, follow_symlinks=False)


def _guard(target: Path) -> None:
    """Targets no folder swap may ever replace, whatever the caller passed.

    The filesystem root, the home folder, the workspace (the current folder)
    or one of their parents, and the workspace's own folders (``data``,
    ``fine-tuning/adapters``, ...): no secft output is one of those, so a
    target resolving there comes from a hostile or mistaken name.
    """
    resolved = target.resolve()
    cwd = Path.cwd().resolve()
    home = Path.home().resolve()
    protected = {cwd, Path(resolved.anchor), home} | set(cwd.parents) | set(home.parents)
    protected |= {cwd / name for name in WORKSPACE_FOLDERS}
    if resolved in protected:
        raise SecftError(f"{os.fspath(target)}: refused: would replace {resolved} (a workspace, home or top-level folder)")


@contextlib.contextmanager
def directory(target: str | os.PathLike, root: str | os.PathLike | None = None) -> Iterator[Path]:
    """Build a whole folder under a temporary name, then swap it in.

    Yields the temporary folder.  On success the old target (if any) is
    replaced; on error the temporary folder is removed and the old target
    is left untouched.  With ``root``, a target not strictly inside it is
    refused before anything is written; without, the module guard still
    refuses the workspace, its top-level folders, home and their parents.
    """
    target = Path(target)
    if root is not None:
        inside(target, root)
    _guard(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        clean_leftovers(target)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=f".{os.getpid()}.tmp", dir=target.parent))
        os.chmod(tmp, 0o777 & ~_umask())
    except OSError as exc:
        raise WriteError(target, exc) from None
    try:
        yield tmp
        if target.is_symlink():
            raise SecftError(f"{target}: refused: the target is a symbolic link")
        try:
            if target.exists():
                old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=f".{os.getpid()}.old", dir=target.parent))
                old.rmdir()
                os.replace(target, old)
                os.replace(tmp, target)
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.replace(tmp, target)
        except OSError as exc:
            raise WriteError(target, exc) from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
