"""A browser-side JavaScript/TypeScript module that no file of the repository imports (held-out set 39, filebrowser).

filebrowser's ``frontend/src/utils/cookie.ts`` builds a RegExp from its parameter; both labellers: false positive,
nothing imports the helper, so no input ever reaches it.  A module is unreachable when no source file names it in
an import specifier (``"@/utils/cookie"``, ``"./cookie.ts"``, ``require("../utils/cookie")``) -- compared by its last
path segment, so an alias (``@/``) or a relative path both count as a use -- and nothing loads modules by pattern
(``import.meta.glob``, ``require.context``).  Only a bundled source tree counts: the file sits under the ``src/``
folder beside a ``package.json`` that says ``"private": true`` (an application, not a published package whose
modules are its API), where a bundler ships what is imported and nothing else (a static file a server
serves can be loaded by any page, by paths no import names).  An entry point (``main``, ``index``, ``app``, a ``*.config.*``), a
file an HTML page or a package.json names, or a repository too large to read keeps the finding.

May import: ``tasks.findings``, ``tasks.repository``.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from tasks.findings.model import Finding, as_finding
from tasks.repository.source import finding_lines

_SOURCES = (".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx", ".vue", ".svelte", ".html", ".json")
_MODULE = (".js", ".mjs", ".ts")
_ENTRY = re.compile(r"^(?:main|index|app|server|entry|bootstrap|sw|service-worker|worker)$|\.config$|\.d$", re.I)
_PATTERN_LOAD = re.compile(r"import\.meta\.glob|require\.context|importScripts|\bimport\(\s*(?![\"'][^\"'$]*[\"']\s*\))"
                           r"|\brequire\(\s*(?![\"'][^\"'$]*[\"']\s*\))")  # import(`./plugins/${name}.js`), require(x)
MAX_FILES = 3000


_LITERAL = re.compile(r"""["'`]([^"'`\n]{1,300})["'`]""")
_EXT = re.compile(r"\.(?:[cm]?js|tsx?|jsx)$")
_INDEX: dict[tuple[int, int], tuple[dict[str, set[str]], bool]] = {}  # one read of the sources per triage run
_SOURCE_LISTS: dict[int, tuple[list[str], set[str]]] = {}  # the file list's sources, filtered once per run


def _sources(files) -> tuple[list[str], set[str]]:
    """The repository's JavaScript, TypeScript, HTML and JSON files outside node_modules, as a list and a set."""
    if id(files) not in _SOURCE_LISTS:
        found = [p for p in files if PurePosixPath(p).suffix.lower() in _SOURCES and "node_modules/" not in p]
        _SOURCE_LISTS.clear()
        _SOURCE_LISTS[id(files)] = (found, set(found))  # .json is a source suffix: package.json is in the set
    return _SOURCE_LISTS[id(files)]


def _named(reader, f: Finding, files) -> tuple[dict[str, set[str]], bool]:
    """({source file: the last path segments its string literals name, extension dropped}, whether any file loads
    modules by pattern), read once per reader and file list."""
    key = (id(reader), id(files))
    if key not in _INDEX:
        names, by_pattern = {}, False
        for p in _sources(files)[0][:MAX_FILES + 1]:
            text = "".join(finding_lines(reader, f, p))
            by_pattern = by_pattern or bool(_PATTERN_LOAD.search(text))
            names[p] = {_EXT.sub("", m.group(1).rsplit("/", 1)[-1]) for m in _LITERAL.finditer(text)}
        _INDEX.clear()  # one repository at a time: the index of the last one is dropped
        _INDEX[key] = (names, by_pattern)
    return _INDEX[key]


def check_orphan_module(f: Finding | dict, reader=None, files=None) -> dict | None:
    """{"check": "code", "evidence"} for a code finding in a JS/TS module nothing imports, else None."""
    f = as_finding(f)
    path = PurePosixPath(str(f.path or ""))
    if f.kind != "code" or reader is None or not files or path.suffix.lower() not in _MODULE or _ENTRY.search(path.stem):
        return None
    if "node_modules" in path.parts or "src" not in path.parts[:-1]:
        return None
    root = PurePosixPath(*path.parts[:path.parts.index("src")]) if path.parts.index("src") else PurePosixPath(".")
    manifest = "package.json" if str(root) == "." else f"{root}/package.json"
    listed, known = _sources(files)
    if manifest not in known:
        return None  # not a bundled source tree: a page may load the file by a path this check cannot see
    if not re.search(r'"private"\s*:\s*true', "".join(finding_lines(reader, f, manifest))):
        return None  # a published package: its src/ modules may be its API (the review), not only the app's bundle
    others = len(listed) - (str(path) in known)
    if not others or others > MAX_FILES:
        return None
    names, by_pattern = _named(reader, f, files)
    if by_pattern or any(path.stem in names.get(p, ()) for p in names if p != str(path)):
        return None
    return {"check": "code", "status": "unreachable", "evidence": (
        f"dead code: nothing imports {path}: it sits in the bundled source tree of {root / 'package.json'}, whose "
        f"bundle holds only what is imported, and none of the repository's {others} other JavaScript, "
        f"TypeScript, HTML or JSON files names `{path.stem}` in an import or a script path, or loads modules by "
        "pattern (import.meta.glob, require.context); no input ever reaches the flagged line, and deleting the file "
        "removes the finding")}
