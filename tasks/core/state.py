"""State files that do not parse are moved aside, named in one line, and rebuilt by their owner.

A state file (the daemon's state, the config cache, the upload marker, a
model-history build.json ...) is secft's own bookkeeping: when a crash, a
full disk or a hand edit leaves it unparseable, failing every later run over
it helps nobody and deleting it loses the evidence.  ``load`` moves it to
``<name>.damaged-<UTC time>`` beside it, says so in one line on stderr, and
returns None, so the caller starts from what is there.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any


def load(path: str | os.PathLike, expect: type = dict, what: str = "state file") -> Any | None:
    """The parsed JSON of ``path`` when it is an ``expect``; None when missing; moved aside when damaged."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        print(f"{what} {path}: unreadable ({exc.strerror}); starting from scratch", file=sys.stderr)
        return None
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_no_constant, parse_float=_finite)
        if isinstance(data, expect) and not isinstance(data, bool):
            return data
        why = f"not a JSON {expect.__name__}"
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        why = "JSON nested too deeply" if isinstance(exc, RecursionError) else f"not JSON ({' '.join(str(exc).split())[:80]})"
    set_aside(path, why, what)
    return None


def _no_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


def _finite(text: str) -> float:
    value = float(text)
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"{text[:20]} overflows a float")
    return value


def set_aside(path: str | os.PathLike, why: str, what: str = "state file") -> None:
    """Move a damaged state file aside (``<name>.damaged-<UTC time>``), named in one line on stderr."""
    path = Path(path)
    aside = path.with_name(f"{path.name}.damaged-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}")
    try:
        os.replace(path, aside)
        print(f"{what} {path}: damaged ({why}); moved aside to {aside.name} and rebuilt", file=sys.stderr)
    except OSError as exc:
        print(f"{what} {path}: damaged ({why}) and could not be moved aside ({exc.strerror}); ignored", file=sys.stderr)
