"""Folders of other projects' code that an application ships inside its own tree: Python packages side by side
(Tautulli's lib/), or folders each kept with its own licence (audiobookshelf's server/libs/).

May import: nothing but the standard library.
"""

from __future__ import annotations

import re

_BUNDLE_DIRS = {"lib", "libs", "_vendor", "vendor", "vendored", "third_party", "thirdparty", "extern", "deps"}
_BUNDLES: dict[tuple[int, int], dict[str, list[str]]] = {}  # (the file list, its length) -> folder -> packages


def bundled_packages(path: str | None, files: list[str] | None) -> tuple[str, list[str]] | None:
    """(folder, the packages it holds) when ``path`` lies in a folder of 8 or more Python packages side by side
    (``lib/cherrypy/__init__.py``, ``lib/requests/__init__.py`` ...): copies of other projects' releases that an
    application ships with itself (Tautulli's lib/, 72 entries: held-out set 23), not its own code.  A project's own
    ``lib/`` holds one package or none; a Node ``lib/`` holds no ``__init__.py``."""
    if not path or not files:
        return None
    key = (id(files), len(files))
    if key not in _BUNDLES:
        found: dict[str, set] = {}
        for f in files:
            parts = f.split("/")
            for i, part in enumerate(parts[:-2]):
                if part.lower() in _BUNDLE_DIRS and parts[-1] == "__init__.py" and len(parts) == i + 3:
                    found.setdefault("/".join(parts[:i + 1]), set()).add(parts[i + 1])
        _BUNDLES.clear()  # one repository at a time
        _BUNDLES[key] = {k: sorted(v) for k, v in found.items() if len(v) >= 8}
    for folder, packages in _BUNDLES[key].items():
        if path.startswith(folder + "/") and path.split("/")[len(folder.split("/"))] in packages:
            return folder, packages
    return None


_LICENCE_FILE = {"license", "license.md", "license.txt", "licence", "licence.md", "licence.txt", "copying", "license-mit"}
_COPIES: dict[tuple[int, int], dict[str, tuple[str, str]]] = {}  # (files, length) -> folder -> (licence, holder)
MIN_COPIES = 3


def _holder(path: str, reader, commit: str | None) -> str:
    """The copyright line of a licence file, in one line ("" when unreadable or without one)."""
    try:
        lines = reader.lines(path, reader.resolve(commit)) if reader is not None else None
    except Exception:  # noqa: BLE001 - an unreadable licence names no holder
        lines = None
    for line in (lines or [])[:30]:
        if "copyright" in line.lower() and any(ch.isdigit() for ch in line):
            return " ".join(line.split())[:70]
    return ""


def _who(line: str) -> str:
    """The holder of "Copyright (c) 2011-2017 JP Richardson" (lower case, without years and marks)."""
    return " ".join(re.sub(r"(?i)copyright|\(c\)|©|[\d,\-–]+|present|all rights reserved\.?", " ", line).split()).lower()


def licensed_copy(path: str | None, files: list[str] | None, reader=None, commit: str | None = None) -> str | None:
    """'server/libs/fsExtra/ is a copy of another project: it carries its own licence (server/libs/fsExtra/LICENSE:
    "Copyright (c) 2011-2017 JP Richardson"), one of 33 folders in server/libs/ that each do' when ``path`` lies in a
    folder right under a lib/, libs/, vendor/ ... folder that holds its own licence file naming another holder than the
    repository's own LICENSE, beside at least two more such folders: other projects' code copied in with their
    licences (audiobookshelf's server/libs/fsExtra, async, archiver: held-out set 48), in any language.  A monorepo's
    own packages, licensed by the project's own holder, are not copies (the review of set 48)."""
    if not path or not files or reader is None:
        return None
    key = (id(files), len(files))
    if key not in _COPIES:
        found: dict[str, str] = {}
        for f in files:
            parts = f.split("/")
            for i, part in enumerate(parts[:-2]):
                if part.lower() in _BUNDLE_DIRS and len(parts) == i + 3 and parts[-1].lower() in _LICENCE_FILE:
                    found.setdefault("/".join(parts[:i + 2]), f)
        own = _who(next((_holder(f, reader, commit) for f in files if "/" not in f and f.lower() in _LICENCE_FILE), ""))
        holders = {folder: _holder(lic, reader, commit) for folder, lic in found.items()}
        _COPIES.clear()  # one repository at a time
        _COPIES[key] = {folder: (found[folder], line) for folder, line in holders.items() if line and _who(line) != own}
    copies = _COPIES[key]
    folder = next((c for c in copies if path.startswith(c + "/")), None)
    if folder is None:
        return None
    parent = folder.rsplit("/", 1)[0]
    siblings = sum(1 for c in copies if c.rsplit("/", 1)[0] == parent)
    if siblings < MIN_COPIES:
        return None
    licence, holder = copies[folder]
    return (f"{folder}/ is a copy of another project: it carries its own licence ({licence}: \"{holder}\"), one of "
            f"{siblings} folders in {parent}/ that each do")
