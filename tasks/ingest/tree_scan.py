"""Fingerprints of the artifacts tree, cheap enough for every no-op ``doit`` run.

``parse_findings:runs`` is up to date when no report under data/artifacts
changed: every report's (path, size, mtime) is the same as at the last
parse.  Stat-ing 10,000 files is quick; listing the 11,000 folders they
arrive in (CI artifacts are folders) is what costs, so the folder listings
are cached in ``data/findings/tree_cache.json`` and a folder is listed again
only when its own ctime or inode changed - adding, removing or renaming an
entry changes them, and unlike the mtime no tool can set the ctime back.  A
folder changed less than ``TRUST_AFTER_NS`` before the cache was written is
always listed again, so a change in the same clock tick as the listing is
never missed (git's "racy" rule); a folder holding symlinks is never cached
(its links' targets change without it).  The cache is only
a speed-up: missing, damaged or unwritable, every folder is listed.

The groups are exactly those of ``tasks.ingest.artifacts.list_runs``, each with a
``fingerprint`` (tests/test_parse_history.py compares them).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

from tasks.ingest.artifacts import IGNORED_NAMES, TOP_LEVEL, group_name

CACHE_VERSION = 3  # 2: folders by ctime; 3: FIFOs, devices and links listed (rejected by name)
_stat, _scandir = os.stat, os.scandir  # module names, so a test can stand in a coarse clock or count listings
TRUST_AFTER_NS = 2_000_000_000  # coarse file systems (FAT, HFS+) keep times to 1-2 s


def signature(path: str) -> str:
    """What changes when a file's bytes may have: size and mtime (of a link's target), or "-" when it is gone.

    What doit compares too (then md5); a copy that keeps its mtimes is the same.
    """
    try:
        st = _stat(path)
    except OSError:
        return "-"  # dangling link, vanished file: parse_file reports it
    return f"{st.st_size}:{st.st_mtime_ns}"


def _signed(path: str) -> str:
    return f"{path}\0{signature(path)}"


class _Lister:
    """Folder listings, from the cache where the folder is unchanged, else from os.scandir."""

    def __init__(self, cached: dict):
        self.old = cached.get("dirs") if isinstance(cached.get("dirs"), dict) else {}
        written = cached.get("written_ns")
        self.trusted_before = (written - TRUST_AFTER_NS) if isinstance(written, int) else 0
        self.dirs: dict[str, list] = {}
        self.listed = 0

    def entries(self, here: str) -> tuple[list[str], list[str], bool, list[str]] | None:
        """(sub-folders, report file names, has run.json, names that are symlinks) of ``here``, or None when unreadable."""
        try:
            st = _stat(here, follow_symlinks=False)
        except OSError:
            return None
        old = self.old.get(here)
        if (isinstance(old, list) and len(old) == 5 and old[0] == st.st_ctime_ns and old[1] == st.st_ino
                and st.st_ctime_ns < self.trusted_before and _names(old[2]) and _names(old[3])):
            self.dirs[here] = old
            return old[2], old[3], old[4] is True, []
        subdirs, names, run_json, links = [], [], False, []
        try:
            with _scandir(here) as it:
                for entry in it:
                    name = entry.name
                    if name.startswith("."):
                        continue
                    if entry.is_dir(follow_symlinks=False):
                        subdirs.append(name)
                        continue
                    if entry.is_symlink():  # its target can appear, vanish or change with no change to this folder
                        links.append(name)
                    if name in IGNORED_NAMES:
                        run_json = run_json or (name == "run.json" and entry.is_file())
                    else:  # a FIFO, device or link too: parsing lists it under "rejected" with its reason
                        names.append(name)
        except OSError:
            return None
        self.listed += 1
        if not links:  # a folder holding links is listed on every run
            self.dirs[here] = [st.st_ctime_ns, st.st_ino, subdirs, names, run_json]
        return subdirs, names, run_json, links


def _names(value) -> bool:
    """A cached listing holds plain entry names only: none that climbs, hides or has a separator."""
    return type(value) is list and all(type(n) is str and n and n[0] != "." and "/" not in n and os.sep not in n
                                       for n in value)


def _walk(top: str, lister: _Lister) -> tuple[list[str], str | None, str]:
    files, stack, run_json, sep, linked = [], [top], None, os.sep, set()
    while stack:
        here = stack.pop()
        listing = lister.entries(here)
        if listing is None:
            continue
        subdirs, names, has_run_json, links = listing
        stack.extend([here + sep + d for d in subdirs])
        if here == top and has_run_json:
            run_json = here + sep + "run.json"
        files.extend([here + sep + n for n in names])
        linked.update(here + sep + n for n in links)
    files.sort()
    return files, run_json, _digest(files + [run_json] if run_json else files, linked)


def _link(path: str) -> str:
    try:
        return os.readlink(path)
    except OSError:
        return "-"


def _digest(paths: list[str], linked: set[str] = frozenset()) -> str:
    """One hash of every path's signature; a symlink also by where it points (a file swapped for a link to
    a copy keeps its size and mtime)."""
    signed = sorted(_signed(p) + ("\0L" + _link(p) if p in linked else "") for p in paths)
    return hashlib.sha256("\n".join(signed).encode("utf-8", "surrogateescape")).hexdigest()


def read_cache(path: Path) -> dict:
    try:
        data = json.loads(Path(path).read_text(encoding="ascii"))
    except (OSError, ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) and data.get("version") == CACHE_VERSION else {}


def write_cache(path: Path, lister: _Lister, written_ns: int) -> None:
    """Keep the listings for the next run; a cache that cannot be written is simply not kept.

    ASCII JSON: names that are not UTF-8 (kept by Python as lone surrogates) round-trip as escapes.
    """
    from tasks.core.atomic import write_text

    try:
        write_text(path, json.dumps({"version": CACHE_VERSION, "written_ns": written_ns, "dirs": lister.dirs},
                                    separators=(",", ":")))
    except OSError:  # read-only workspace, full disk: the next run lists the folders again
        pass


def scan_runs(root: Path, cache_path: Path | None = None) -> list[dict]:
    """``list_runs(root)`` with a ``fingerprint`` per group, listing only folders that changed."""
    root = Path(root)
    if not root.is_dir():
        return []
    started = time.time_ns()
    lister = _Lister(read_cache(cache_path) if cache_path else {})
    top = os.fspath(root)
    groups, loose, loose_links = [], [], set()
    with _scandir(top) as it:
        entries = sorted(it, key=lambda e: e.name)
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir(follow_symlinks=False):
            files, run_json, fingerprint = _walk(entry.path, lister)
            if files:
                groups.append({"name": group_name(entry.name), "folder": entry.name, "run_json": run_json,
                               "files": files, "fingerprint": fingerprint})
        elif entry.name not in IGNORED_NAMES:  # not only regular files: see _Lister.entries
            loose.append(entry.path)
            if entry.is_symlink():
                loose_links.add(entry.path)
    if loose:
        loose.sort()
        groups.append({"name": TOP_LEVEL, "folder": "", "run_json": None, "files": loose,
                       "fingerprint": _digest(loose, loose_links)})
    changed = lister.listed or len(lister.dirs) != len(lister.old)
    if cache_path is not None and changed and Path(cache_path).parent.is_dir():  # no folder made by a status query
        write_cache(cache_path, lister, started)
    return sorted(groups, key=lambda g: g["name"])
