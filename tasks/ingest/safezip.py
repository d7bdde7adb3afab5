"""Safe extraction of untrusted zip files (CI artifacts).

Refused before anything is written: absolute paths, ``..`` components,
drive letters, control characters, a member ``.`` (or any name that is
empty after normalisation), symbolic links, encrypted members, unknown
compression methods, duplicate names (also after normalisation and case
folding, so a macOS or Windows checkout cannot silently overwrite one with
the other), a member that is both a file and a folder, more than
``max_files`` members.  While reading: more than ``max_total`` uncompressed
bytes, members or archives whose compression ratio exceeds ``max_ratio``
(zip bombs), and bad CRCs (sizes are checked as read, not trusted from the
header).  Everything is extracted into a temporary folder that replaces
``dest`` only when the whole archive passed, so a refused archive writes
nothing.  Every refusal is one SecftError line naming the archive.
"""

from __future__ import annotations

import stat
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from tasks.core import atomic
from tasks.core.errors import SecftError

_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}


def _check_name(name: str, where: str) -> PurePosixPath:
    if any(ord(c) < 32 or c == "\x7f" for c in name):
        raise SecftError(f"{where}: refused: control character in member name {name!r}")
    p = PurePosixPath(name.replace("\\", "/"))
    if p.is_absolute() or name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        raise SecftError(f"{where}: refused: absolute path {name!r} in archive")
    if ".." in p.parts:
        raise SecftError(f"{where}: refused: path traversal {name!r} in archive")
    if not p.parts or p.parts == (".",):
        raise SecftError(f"{where}: refused: member {name!r} names the archive's root")
    return p


def _plan(members: list[zipfile.ZipInfo], where: str) -> list[tuple[zipfile.ZipInfo, PurePosixPath]]:
    """Check every member's name and kind; returns (member, relative path) pairs."""
    files: dict[str, str] = {}
    dirs: set[str] = set()
    plan = []
    for info in members:
        rel = _check_name(info.filename, where)
        if stat.S_ISLNK(info.external_attr >> 16):
            raise SecftError(f"{where}: refused: symbolic link {info.filename!r} in archive")
        if info.flag_bits & 0x1:
            raise SecftError(f"{where}: refused: encrypted member {info.filename!r}")
        if info.compress_type not in _METHODS:
            raise SecftError(f"{where}: refused: {info.filename!r} uses unsupported compression method {info.compress_type}")
        key = rel.as_posix().casefold()
        for parent in rel.parents:
            if parent.parts:
                dirs.add(parent.as_posix().casefold())
        if info.is_dir():
            dirs.add(key)
        else:
            if key in files:
                raise SecftError(f"{where}: refused: duplicate member {info.filename!r} (also {files[key]!r})")
            files[key] = info.filename
        plan.append((info, rel))
    clash = next((files[k] for k in files if k in dirs), None)
    if clash is not None:
        raise SecftError(f"{where}: refused: member {clash!r} is both a file and a folder")
    return plan


def extract(zip_path: Path, dest: Path, max_total: int = 1 << 30, max_files: int = 10000, max_ratio: float = 200.0,
            root: Path | None = None, label: str | None = None) -> list[str]:
    """Extract ``zip_path`` into ``dest`` (atomically, inside ``root``); returns the member names written."""
    where = label or str(zip_path)
    try:
        archive = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise SecftError(f"{where}: not a zip archive") from None
    with archive:
        members = archive.infolist()
        if len(members) > max_files:
            raise SecftError(f"{where}: refused: {len(members)} members, over the limit of {max_files}")
        plan = _plan(members, where)
        written: list[str] = []
        total = 0
        compressed = max(1, sum(i.compress_size for i in members))
        with atomic.directory(dest, root=root if root is not None else dest.parent) as tmp:
            for info, rel in plan:
                if info.is_dir():
                    (tmp / rel).mkdir(parents=True, exist_ok=True)
                    continue
                target = tmp / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                size = 0
                try:
                    with archive.open(info) as src, open(target, "xb") as out:
                        while chunk := src.read(1 << 16):
                            size += len(chunk)
                            total += len(chunk)
                            if total > max_total:
                                raise SecftError(f"{where}: refused: more than {max_total} bytes uncompressed")
                            if size > 1 << 20 and size / max(1, info.compress_size) > max_ratio:
                                raise SecftError(f"{where}: refused: {info.filename!r} expands more than {max_ratio:.0f}x (zip bomb)")
                            out.write(chunk)
                except zipfile.BadZipFile as exc:  # bad CRC-32, truncated data
                    raise SecftError(f"{where}: refused: {info.filename!r}: {exc}") from None
                except (zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
                    raise SecftError(f"{where}: refused: {info.filename!r} cannot be decompressed ({type(exc).__name__})") from None
                except (FileExistsError, NotADirectoryError, IsADirectoryError):
                    raise SecftError(f"{where}: refused: member {info.filename!r} clashes with another member") from None
                written.append(rel.as_posix())
            if total > 1 << 20 and total / compressed > max_ratio:
                raise SecftError(f"{where}: refused: archive expands more than {max_ratio:.0f}x (zip bomb)")
    return written
