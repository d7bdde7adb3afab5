"""Content hashes used for provenance, cache keys and fingerprints."""

from __future__ import annotations

import hashlib
import json
import os
from typing import Any

_CHUNK = 1 << 20


class TooLarge(ValueError):
    """The file is larger than the caller allows: not hashed, not read (its size is in the message)."""


def sha256_file(path: str | os.PathLike, max_bytes: int | None = None) -> str:
    """SHA-256 of a file; with ``max_bytes``, its size is checked first (fstat) and at most that is read.

    Why: a report was hashed in full before the parse.max_bytes check, so a sparse
    1 TB file hung parsing.  The size is taken from the open descriptor, so a file
    swapped between check and read is still bounded.
    """
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        if max_bytes is not None:
            size = os.fstat(fh.fileno()).st_size
            if size > max_bytes:
                raise TooLarge(f"{os.fspath(path)}: report is {size} bytes, over the parse.max_bytes limit of {max_bytes}")
        left = max_bytes + 1 if max_bytes is not None else None
        while chunk := fh.read(_CHUNK if left is None else min(_CHUNK, left)):
            h.update(chunk)
            if left is not None:
                left -= len(chunk)
                if left <= 0:
                    raise TooLarge(f"{os.fspath(path)}: report grew over the parse.max_bytes limit of {max_bytes}")
    return h.hexdigest()


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sha256_json(obj: Any) -> str:
    """Hash of the canonical JSON form of ``obj`` (key order does not matter)."""
    return sha256_text(json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":")))
