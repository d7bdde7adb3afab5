"""Safe extraction of untrusted zip files (CI artifacts).

Refused: absolute paths, ``..`` components, drive letters, symbolic links,
more than ``max_files`` members, more than ``max_total`` uncompressed bytes,
and members or archives whose compression ratio exceeds ``max_ratio`` (zip
bombs).  Sizes are checked while reading, not trusted from the header.
Everything is extracted into a temporary folder that replaces ``dest`` only
when the whole archive passed, so a refused archive writes nothing.
"""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path, PurePosixPath

from tasks import atomic
from tasks.errors import SecftError


def _check_name(name: str, where: str) -> PurePosixPath:
    p = PurePosixPath(name.replace("\\", "/"))
    if p.is_absolute() or name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        raise SecftError(f"{where}: refused: absolute path {name!r} in archive")
    if ".." in p.parts:
        raise SecftError(f"{where}: refused: path traversal {name!r} in archive")
    return p


def extract(zip_path: Path, dest: Path, max_total: int = 1 << 30, max_files: int = 10000, max_ratio: float = 200.0) -> list[str]:
    """Extract ``zip_path`` into ``dest`` (atomically); returns the member names written."""
    where = str(zip_path)
    try:
        archive = zipfile.ZipFile(zip_path)
    except zipfile.BadZipFile:
        raise SecftError(f"{where}: not a zip archive") from None
    with archive:
        members = archive.infolist()
        if len(members) > max_files:
            raise SecftError(f"{where}: refused: {len(members)} members, over the limit of {max_files}")
        for info in members:
            _check_name(info.filename, where)
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise SecftError(f"{where}: refused: symbolic link {info.filename!r} in archive")
        written: list[str] = []
        total = 0
        compressed = max(1, sum(i.compress_size for i in members))
        with atomic.directory(dest) as tmp:
            for info in members:
                rel = _check_name(info.filename, where)
                if info.is_dir():
                    (tmp / rel).mkdir(parents=True, exist_ok=True)
                    continue
                target = tmp / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                size = 0
                with archive.open(info) as src, open(target, "wb") as out:
                    while chunk := src.read(1 << 16):
                        size += len(chunk)
                        total += len(chunk)
                        if total > max_total:
                            raise SecftError(f"{where}: refused: more than {max_total} bytes uncompressed")
                        if size > 1 << 20 and size / max(1, info.compress_size) > max_ratio:
                            raise SecftError(f"{where}: refused: {info.filename!r} expands more than {max_ratio:.0f}x (zip bomb)")
                        out.write(chunk)
                written.append(rel.as_posix())
            if total > 1 << 20 and total / compressed > max_ratio:
                raise SecftError(f"{where}: refused: archive expands more than {max_ratio:.0f}x (zip bomb)")
    return written
