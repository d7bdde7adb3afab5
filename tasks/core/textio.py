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
