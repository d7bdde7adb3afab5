"""Where a JavaScript/TypeScript function is defined, for the sanitiser check (``sanitised_path``): the file that uses
it, then the module that file imports it from, and only then a repository-wide index of function names that is built
once per reader and file list (not per finding).

May import: ``tasks.findings``, ``tasks.repository``, ``tasks.triage.repo_cache``.
"""

from __future__ import annotations

import re
import weakref
from pathlib import PurePosixPath

from tasks.repository.source import finding_lines
from tasks.triage.repo_cache import once_per_files

JS = (".js", ".jsx", ".ts", ".tsx", ".mjs", ".cjs")
MAX_FILES = 3000
_MODS = r"(?:(?:export|async|static|private|protected|public|default)\s+)*"
HEADER = re.compile(rf"^\s*{_MODS}(?:function\s*\*?\s*\w+\s*\([^)]*\)\s*(?::\s*[^{{=]+)?|(?:const|let)\s+\w+\s*(?::\s*[^=]+)?="
                    r"\s*(?:async\s*)?(?:\([^)]*\)|\w+)\s*(?::\s*[^=]+)?=>|(?!if\b|for\b|while\b|switch\b|catch\b|function\b)"
                    r"\w+\s*\([^)]*\)\s*(?::\s*[^{]+)?)\s*\{\s*$")
_NAME = re.compile(rf"^\s*{_MODS}(?:function\s*\*?\s*(\w+)|(?:const|let)\s+(\w+)|(\w+)\s*\()")
_INDEX: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def definition(name: str, lines: list[str]) -> int | None:
    """The line index of the header that defines ``name`` in ``lines``, or None."""
    for i, line in enumerate(lines):
        m = _NAME.match(line) if name in line else None
        if m and name in m.groups() and HEADER.match(line):
            return i
    return None


def _index(reader, f, files: list[str]) -> tuple[dict[str, list[str]], set[str]]:
    def build():
        found: dict[str, list[str]] = {}
        js = [p for p in files if p.endswith(JS) and "node_modules/" not in p][:MAX_FILES]
        for p in js:
            for line in finding_lines(reader, f, p):
                m = _NAME.match(line)
                if m and HEADER.match(line):
                    found.setdefault(next(g for g in m.groups() if g), []).append(p)
        return found, set(files)
    return once_per_files(_INDEX, reader, files, build)


def _resolve(spec: str, origin: str, files: set[str]) -> list[str]:
    base = PurePosixPath(origin).parent
    parts: list[str] = []
    for part in (base / spec).parts:
        if part == "..":
            if not parts:
                return []
            parts.pop()
        elif part != ".":
            parts.append(part)
    stem = "/".join(parts)
    stem = re.sub(r"\.(?:js|mjs|cjs)$", "", stem) if stem not in files else stem
    tries = [stem] + [stem + e for e in JS] + [f"{stem}/index{e}" for e in JS]
    return [t for t in tries if t in files]


def imported_from(name: str, lines: list[str]) -> str | None:
    """The module specifier ``name`` is imported from in ``lines`` (ES import or require), or None."""
    n = re.escape(name)
    pat = re.compile(rf"""(?:\bimport\s+(?:type\s+)?(?:{n}\b[^'"]*|[^'"]*\{{[^}}]*\b{n}\b[^}}]*\}}[^'"]*)\bfrom\s*|"""
                     rf"""\b(?:const|let|var)\s+(?:{n}\b|\{{[^}}]*\b{n}\b[^}}]*\}})\s*=\s*require\(\s*)['"]([^'"]+)['"]""")
    m = pat.search("\n".join(lines))
    return m.group(1) if m else None


def relative_imports(lines: list[str]) -> list[str]:
    return re.findall(r"""(?:\bfrom\s*|\brequire\(\s*|^\s*import\s+)['"](\.{1,2}/[^'"]+)['"]""", "\n".join(lines), re.M)


def locations(name: str, own: bool, origin: str, origin_lines: list[str], reader, f, files) -> list[str]:
    """The files to look for ``name`` in, best first: the using file; the module it imports ``name`` from (only that
    one, when it is a file of the repository); for a method, the modules the file imports; then a definition that is
    the only one of that name in the repository (or, for a method, in the using file's folder)."""
    names = files if isinstance(files, list) else list(files or [])  # the run's own list: the index's cache key
    index, have = _index(reader, f, names)
    out = [origin]
    spec = None if own else imported_from(name, origin_lines)
    if spec and spec.startswith("."):
        return out + _resolve(spec, origin, have)  # the imported module, or nothing
    if own:
        for s in relative_imports(origin_lines):
            out += [p for p in _resolve(s, origin, have) if p not in out]
    where = [p for p in index.get(name, []) if p not in out]
    if own:
        folder = str(PurePosixPath(origin).parent)
        where = [p for p in where if str(PurePosixPath(p).parent) == folder]
    return out + (where if len(where) == 1 else [])
