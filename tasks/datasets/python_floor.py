"""The oldest Python a repository says it supports, read from its packaging files.

``usedforsecurity=False`` exists from Python 3.9 and raises TypeError before it; shuup declares
``python_requires=">=3.6"`` and tests on 3.6-3.8 (held-out set 56: two harmful stage-2 rows).  The fixes read this
before offering the keyword.  Read through the source reader at the finding's commit: ``pyproject.toml``
(``requires-python``), ``setup.cfg`` and ``setup.py`` (``python_requires``); the first that names a floor wins.

May import: nothing of tasks.
"""

from __future__ import annotations

import re

_FLOOR = re.compile(r"""(?:python_requires|requires-python)\s*[=:]\s*["']?\s*(?:>=|~=|==|>)\s*(\d+)\.(\d+)""")


def python_floor(reader, commit: str | None, cache: dict) -> str | None:
    """"setup.py: python_requires >= 3.6" when a packaging file sets a minimum below 3.9, else None."""
    key = ("python_floor", commit)
    if key not in cache:
        cache[key] = None
        for name in ("pyproject.toml", "setup.cfg", "setup.py"):
            try:
                text = "".join(reader.lines(name, reader.resolve(commit)) or [])[:200000]
            except Exception:  # noqa: BLE001 - an unreadable file says nothing
                continue
            m = _FLOOR.search(text)
            if m:
                major, minor = int(m.group(1)), int(m.group(2))
                cache[key] = f"{name} requires Python >= {major}.{minor}" if (major, minor) < (3, 9) else None
                break
    return cache[key]
