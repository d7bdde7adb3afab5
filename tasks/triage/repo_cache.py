"""A result computed once per repository reader and file list (the documentation's disclaimers, the text index of
templates and scripts) or once per reader and commit (the project's Bandit configuration, the workflows that write
with the default token).  The cache is keyed weakly on the reader, so it ends with the triage run that made it, and
is rebuilt when the file list changes.

May import: nothing of tasks.
"""

from __future__ import annotations

import weakref
from typing import Callable, TypeVar

T = TypeVar("T")


def once_per_files(cache: weakref.WeakKeyDictionary, reader, files: list[str], build: Callable[[], T]) -> T:
    """``build()``, or what it returned for this reader and this file list before; a reader that cannot be weakly
    referenced is not cached."""
    key = (id(files), len(files))
    try:
        cached = cache.get(reader)
    except TypeError:
        cached = None
    if cached and cached[0] == key:
        return cached[1]
    value = build()
    try:
        cache[reader] = (key, value)
    except TypeError:
        pass
    return value


def once_per_commit(cache: weakref.WeakKeyDictionary, reader, commit, build: Callable[[], T]) -> T:
    """``build()``, or what it returned for this reader and ``commit`` before; a reader that cannot be weakly
    referenced (a test's stand-in) is not cached."""
    try:
        known = cache.setdefault(reader, {})
    except TypeError:
        return build()
    if commit not in known:
        known[commit] = build()
    return known[commit]
