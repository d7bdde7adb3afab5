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
    """A file refused before reading: not a regular file (FIFO, device, link), too large, or unreadable.

    ``kind`` ("open", "link", "type", "size") and ``detail`` (the reason, the file type, the size) let a
    caller word the line its own way (the report parser names ``parse.max_bytes``).
    """

    def __init__(self, message: str, kind: str = "", detail: object = None):
        super().__init__(message)
        self.kind, self.detail = kind, detail


def read_regular(path: Path, max_bytes: int, follow_links: bool = False) -> bytes:
    """At most ``max_bytes`` of a regular file, never blocking on a FIFO (and not through a link unless asked).

    Why: ``read_bytes()`` before a size check read an 8 GB sparse record into memory, and a FIFO or a
    link to /dev/zero in a records folder, a cache or the artifacts hung the build.  The file is opened
    with O_NONBLOCK (and O_NOFOLLOW) and its type and size are checked on the open descriptor, so nothing
    can swap it between the check and the read.  Raises ``NotReadable`` (one line naming the file).
    """
    import os
    import stat

    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | (0 if follow_links else os.O_NOFOLLOW)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if not follow_links and os.path.islink(path):
            raise NotReadable(f"{path}: a symbolic link; not read", "link") from None
        raise NotReadable(f"{path}: {exc.strerror or exc}; not read", "open", exc.strerror or str(exc)) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotReadable(f"{path}: not a regular file; not read", "type", _file_type(st.st_mode))
        if st.st_size > max_bytes:
            raise NotReadable(f"{path}: {st.st_size} bytes, over the limit of {max_bytes}; not read", "size", st.st_size)
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise NotReadable(f"{path}: {exc.strerror or exc}; not read", "open", exc.strerror or str(exc)) from None
    finally:
        os.close(fd)
    if len(data) > max_bytes:  # grew while it was read
        raise NotReadable(f"{path}: over the limit of {max_bytes} bytes; not read", "size", None)
    return data


def _file_type(mode: int) -> str:
    import stat

    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a directory")):
        if test(mode):
            return name
    return "a special file"
