"""Reading the text files people hand to secft (config, datasets, corpora) with one-line errors.

Every reader of a user's file had its own copy of the same four failure cases (missing, a folder,
unreadable, not UTF-8) and of the JSON Lines loop; they live here once.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

from tasks.core.errors import SecftError


def read_utf8(path: Path, what: str = "file") -> str:
    """The file's text (UTF-8, a BOM dropped); a missing, folder, unreadable or non-UTF-8 file is one line."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SecftError(f"{path}: {what} not found") from None
    except IsADirectoryError:
        raise SecftError(f"{path}: is a folder, expected a {what}") from None
    except OSError as exc:
        raise SecftError(f"{path}: cannot read {what}: {exc.strerror or exc}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SecftError(f"{path}: not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start}); save the file as UTF-8") from None


def jsonl_lines(path: Path, text: str) -> Iterator[tuple[int, object]]:
    """(line number, value) of every non-blank line of a JSON Lines text; malformed JSON is one line naming it."""
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            yield n, json.loads(line)
        except json.JSONDecodeError as exc:
            raise SecftError(f"{path}: line {n}: malformed JSON: {exc.msg}") from None
        except RecursionError:
            raise SecftError(f"{path}: line {n}: JSON nested too deeply") from None


class NotReadable(SecftError):
    """A file refused before reading: not a regular file (FIFO, device, link), too large, or unreadable."""


def read_regular(path: Path, max_bytes: int) -> bytes:
    """At most ``max_bytes`` of a regular file, never through a link and never blocking on a FIFO.

    Why: ``read_bytes()`` before a size check read an 8 GB sparse record into memory, and a FIFO or a
    link to /dev/zero in a records folder or a cache hung the build.  The file is opened with
    O_NOFOLLOW|O_NONBLOCK and its type and size are checked on the open descriptor, so nothing can
    swap it between the check and the read.  Raises ``NotReadable`` (one line naming the file).
    """
    import os
    import stat

    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        why = "a symbolic link" if os.path.islink(path) else (exc.strerror or str(exc))
        raise NotReadable(f"{path}: {why}; not read") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotReadable(f"{path}: not a regular file; not read")
        if st.st_size > max_bytes:
            raise NotReadable(f"{path}: {st.st_size} bytes, over the limit of {max_bytes}; not read")
        with os.fdopen(fd, "rb") as fh:
            fd = -1
            data = fh.read(max_bytes + 1)
    finally:
        if fd >= 0:
            os.close(fd)
    if len(data) > max_bytes:
        raise NotReadable(f"{path}: over the limit of {max_bytes} bytes; not read")
    return data
