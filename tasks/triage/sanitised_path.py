"""A JavaScript/TypeScript file path built by a sanitiser before the ``fs`` call or ``path.join`` that semgrep flags
(held-out set 41: Flowise's storage providers).

``detect-non-literal-fs-filename`` and ``path-join-resolve-traversal`` flag every non-literal path.  The finding is
settled when the flagged value, traced back through the declarations above it in the same function, comes from:

* a function of the repository's own (the one the file defines or imports, else the only one of that name) whose
  body throws when ``/`` and ``\\`` (and ``..``, or leading dots) are left, or checks a path it resolved itself (Flowise's
  ``sanitizeFilename``: ``if (!cleaned || cleaned.includes('/') || cleaned.includes('\\\\')) throw``; ``getSafeFilePath``:
  ``if (relative.startsWith('..' + path.sep) ...) throw``), or one that runs every part through such a function
  (``buildPath``: ``paths.map((p) => this.sanitizeFilename(p))``);
* a function that refuses ``..`` and returns ``path.basename(...)`` (the basename of ``..`` is ``..``);
* ``path.dirname`` or ``path.join`` of such values only;
* or a check between the value and the sink that throws unless it stays inside a base directory
  (``if (!filePath.startsWith(this.storagePath)) throw``; after ``path.resolve``, ``path.relative`` tested for ``..``).

The evidence names the line that sanitises.  A parameter, a request field, or a function whose body only looks like
one (no throw, no basename) keeps the finding.

A ``..`` test alone (an absolute path passes it) or a prefix test on an unresolved path is no sanitiser.

May import: ``tasks.findings``, ``tasks.repository``, ``tasks.triage.js_definitions``.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from tasks.findings.model import Finding, as_finding
from tasks.repository.source import finding_lines
from tasks.triage.js_definitions import HEADER as _HEADER
from tasks.triage.js_definitions import JS as _JS
from tasks.triage.js_definitions import definition as _definition
from tasks.triage.js_definitions import locations

_RULE = re.compile(r"(?i)non-literal-fs-filename|path-join-resolve-traversal|path-traversal")
_ID = r"[A-Za-z_$][\w$]*"
_FS_ARG = re.compile(rf"\bfs(?:\.promises)?\.\w+\(\s*({_ID})\s*[,)]")
_DECL = r"\b(?:const|let|var)\s+{}\s*(?::\s*[\w<>\[\]| ]+)?=\s*(.+?);?\s*$"
# a test that throws unless the path stays inside: no separator or '..' left, or it starts with the base
_CONTAIN = re.compile(r"""\.includes\(\s*['"](?:/|\.\.|\\\\)['"]\s*\)|\.startsWith\(\s*['"]\.\.|!\s*[\w$.]+\.startsWith\(\s*[\w$.]+\s*\)""")
_HAS = re.compile(r"""(?<![!\w$.])([\w$]+)\.includes\(\s*['"](/|\.\.|\\\\)['"]\s*\)""")
_NORMAL = r"(?:this\.)?path\.(?:resolve|normalize|join)\("
LOOK_BACK = 60


def _function_start(lines: list[str], at: int) -> int:
    """The index of the header of the function holding line index ``at`` (or LOOK_BACK lines up)."""
    for i in range(at - 1, max(-1, at - LOOK_BACK), -1):
        if _HEADER.match(lines[i]):
            return i
    return max(0, at - LOOK_BACK)


def _throws(lines: list[str], i: int) -> bool:
    return "throw " in lines[i] or (i + 1 < len(lines) and lines[i + 1].strip().startswith("throw "))


def _body(lines: list[str], start: int) -> list[tuple[int, str]]:
    """The lines of the function whose header is at index ``start``, up to its closing brace at the header's indent."""
    indent = len(lines[start]) - len(lines[start].lstrip())
    out = []
    for i in range(start + 1, min(len(lines), start + 80)):
        line = lines[i]
        if line.strip().startswith("}") and len(line) - len(line.lstrip()) <= indent:
            return out
        out.append((i, line))
    return []


class _Tracer:
    def __init__(self, f: Finding, reader, files):
        self.f, self.reader, self.files, self.memo = f, reader, files, {}

    def sanitiser(self, name: str, own: bool, depth: int = 0, origin: str | None = None) -> str | None:
        """How the repository's function ``name`` (used in ``origin``) sanitises (with its file:line), or None."""
        origin = origin or str(self.f.path)
        key = (name, own, origin)
        if key in self.memo:
            return self.memo[key]
        self.memo[key] = None  # recursion guard
        found = None
        first = finding_lines(self.reader, self.f, origin)
        for p in locations(name, own, origin, first, self.reader, self.f, self.files):
            lines = first if p == origin else finding_lines(self.reader, self.f, p)
            at = _definition(name, lines)
            if at is None:
                continue
            found = self._body_sanitises(name, p, _body(lines, at), depth)
            break
        self.memo[key] = found
        return found

    def _body_sanitises(self, name: str, p: str, body, depth: int) -> str | None:
        where, opt, decl = PurePosixPath(p).name, "", {}
        for n, (i, line) in enumerate(body):
            d = re.match(rf"\s*(?:const|let|var)\s+({_ID})\s*(?::[^=]+)?=(?!=)\s*(.+?);?\s*$", line)
            if d:
                decl.setdefault(d.group(1), d.group(2))
            for v in re.findall(rf"(?<![\w$.])({_ID})\s*(?:[-+]?=(?![=>])|\+\+|--)", line if not d else line[d.end(1):]):
                decl[v] = "?"  # reassigned: what it was declared as says nothing any more
            if re.match(r"\s*return\b", line) and not re.search(r"\breturn\s+path\.basename\(", line):
                guard = body[n - 1][1] if n else ""
                if "process.env." not in guard:
                    break  # it returns before any check
                opt = f" (unless the operator switches it off: line {body[n - 1][0] + 1} `{guard.strip()[:60]}`)"
            if _CONTAIN.search(line) and _THROWING(body, n):
                what = _refuses(line, decl, body[n + 1:])
                if what:
                    return f"`{name}` ({where}:{i + 1}), which throws {what}: `{line.strip()[:90]}`{opt}"
            if re.search(r"\breturn\s+path\.basename\(", line):
                dots = any(re.search(r"""===?\s*['"]\.\.['"]|\.includes\(\s*['"]\.\.['"]""", b) and _THROWING(body, k)
                           for k, (_, b) in enumerate(body[:n]))
                return f"`{name}` ({where}:{i + 1}), which refuses `..` and returns `path.basename(...)`: it keeps no " \
                       "directory" if dots else None  # the basename of '..' is '..'
            m = re.search(rf"\bconst\s+({_ID})\s*=.*\.map\(\s*\(?\s*(\w+)\s*\)?\s*=>\s*(?:this\.)?({_ID})\(\s*\2\s*\)\s*\)\s*;?\s*$",
                          line)
            back = m and next((b for _, b in body[n + 1:] if re.match(r"\s*return\b", b)), "")
            if m and depth < 2 and re.match(rf"\s*return\s+(?:{m.group(1)}|path\.join\(\s*[\w$.]+\s*,\s*\.\.\.{m.group(1)}\s*\))\s*;?\s*$",
                                            back or ""):
                inner = self.sanitiser(m.group(3), "this." in line, depth + 1, p)
                if inner:
                    return f"`{name}` ({where}:{i + 1}), which runs every part through {inner}"
        return None

    def safe(self, expr: str, lines: list[str], start: int, at: int, depth: int = 0) -> str | None:
        """Why ``expr`` (a value used at line index ``at``) is a sanitised path, or None."""
        expr = expr.strip().rstrip(";").strip()
        if depth > 4:
            return None
        if re.fullmatch(r"""(['"`])[^'"`$]*\1""", expr):
            return "a literal"
        if re.fullmatch(r"path\.basename\((.+)\)", expr):
            return None  # the basename of '..' is '..': it still names the parent directory
        m = re.fullmatch(r"path\.dirname\((.+)\)", expr)
        if m:
            return self.safe(m.group(1), lines, start, at, depth + 1)
        m = re.fullmatch(r"path\.(?:join|resolve)\((.+)\)", expr)
        if m:
            args = [a.strip() for a in m.group(1).split(",")]
            if any("(" in a or a.startswith("...") for a in args):
                return None
            said = [self.safe(a, lines, start, at, depth + 1) for a in args]
            if not all(said):
                return None
            return next((s for s in said if s != "a literal"), None)
        m = re.fullmatch(rf"(this\.)?({_ID})\((.*)\)", expr)
        if m:
            how = self.sanitiser(m.group(2), bool(m.group(1)))
            return how
        if re.fullmatch(_ID, expr):
            return self._variable(expr, lines, start, at, depth)
        return None

    def _variable(self, name: str, lines: list[str], start: int, at: int, depth: int) -> str | None:
        decl = re.compile(_DECL.format(re.escape(name)))
        for i in range(at - 1, start - 1, -1):
            if re.search(rf"(?<![\w$.]){re.escape(name)}\s*[-+]?=(?!=)", lines[i]) and not decl.search(lines[i]):
                return None  # reassigned between its declaration and the sink
            m = decl.search(lines[i])
            if m:
                how = self.safe(m.group(1), lines, start, i, depth + 1)
                if how and how != "a literal":
                    return f"`{name}` (line {i + 1}) comes from {how}"  # noqa: E501
                # a prefix test holds only for a normalised path: `base + '/../x'` starts with the base
                normal = re.match(r"path\.(?:join|resolve|normalize)\(", m.group(1).strip())
                return self.guard(name, lines, i, at) if normal else None
        return None

    @staticmethod
    def guard(name: str, lines: list[str], frm: int, to: int) -> str | None:
        """A check of ``name`` between line indexes ``frm`` and ``to`` that throws unless it stays inside the base."""
        rel = None
        for i in range(frm + 1, min(to, len(lines))):
            line = lines[i]
            m = re.search(rf"\b(?:const|let)\s+(\w+)\s*=\s*path\.relative\([^,]+,\s*{re.escape(name)}\s*\)", line)
            rel = m.group(1) if m else rel
            tested = (re.search(rf"!\s*{re.escape(name)}\.startsWith\(\s*[\w$.]+\s*\)", line)
                      or rel and re.search(rf"\b{rel}\.startsWith\(\s*['\"]\.\.", line))
            if tested and _throws(lines, i):
                return f"`{name}`, which line {i + 1} checks, throwing unless it stays inside its base directory: `{line.strip()[:90]}`"
        return None


def _refuses(line: str, decl: dict, rest) -> str | None:
    """What the throwing test ``line`` refuses, when it makes the value the function returns next safe: no ``/`` and
    no ``\\`` left (and no ``..``, or leading dots stripped); or, for a value resolved or normalised in the function,
    a prefix that is not the base, or a ``path.relative`` to it that climbs out."""
    upto = next((k for k, (_, b) in enumerate(rest) if re.match(r"\s*return\b", b)), None)
    m = re.match(rf"\s*return\s+({_ID})\s*;?\s*$", rest[upto][1]) if upto is not None else None
    if not m or "&&" in line:
        return None
    ret = m.group(1)
    if any(re.search(rf"(?<![\w$.]){re.escape(ret)}\s*(?:[-+]?=(?![=>])|\+\+|--)", b) for _, b in rest[:upto]):
        return None  # changed between the check and the return
    has = _HAS.findall(line)
    if has and {v for v, _ in has} == {ret} and {"/", "\\\\"} <= {t for _, t in has} and (
            ".." in {t for _, t in has} or re.search(r"\.replace\(\s*/\^\\\.\+/", decl.get(ret, ""))):
        return "when a separator or `..` is left"
    normal = re.match(_NORMAL, decl.get(ret, "").strip())
    m = re.search(rf"!\s*({_ID})\.startsWith\(\s*[\w$.]+\s*\)", line)
    if m and m.group(1) == ret and normal:
        return "unless the path stays inside its base"
    m = re.search(rf"(?<!!)\b({_ID})\.startsWith\(\s*['\"]\.\.['\"]\s*(\))?", line)
    rel = m and re.match(rf"path\.relative\([^,]+,\s*({_ID})\s*\)", decl.get(m.group(1), "").strip())
    if rel and rel.group(1) == ret and normal and (m.group(2) or re.search(r"""===\s*['"]\.\.['"]""", line)):
        return "unless the path stays inside its base"
    return None


def _THROWING(body, n: int) -> bool:
    line = body[n][1]
    return re.match(r"\s*if\s*\(", line) is not None and ("throw " in line or n + 1 < len(body) and
                                                           body[n + 1][1].strip().startswith("throw "))


def check_sanitised_path(f: Finding | dict, reader=None, files=None) -> dict | None:
    """{"check": "code", "evidence"} when the flagged path comes from a sanitiser or a containment check; else None."""
    f = as_finding(f)
    if f.kind != "code" or reader is None or not f.line or not _RULE.search(str(f.rule_id)):
        return None
    if not str(f.path or "").lower().endswith(_JS):
        return None
    lines = finding_lines(reader, f)
    if not 0 < f.line <= len(lines):
        return None
    at = f.line - 1
    line = lines[at]
    start = _function_start(lines, at)
    tracer = _Tracer(f, reader, files)
    m = re.search(rf"\b(?:const|let)\s+({_ID})\s*=\s*path\.(?:join|resolve)\(", line)
    if m and "path-join" in str(f.rule_id):  # the joined value itself is checked before it is used
        guard = tracer.guard(m.group(1), lines, at, min(len(lines), at + 20))
        end = int(re.search(r"line (\d+)", guard).group(1)) - 1 if guard else at
        early = [j for j in range(at + 1, end) if re.search(rf"\breturn\s+{m.group(1)}\b", lines[j])]
        if guard and all("process.env." in lines[j - 1] for j in early):
            opt = "".join(f" (unless the operator switches the check off: line {j} `{lines[j - 1].strip()[:60]}`)" for j in early)
            return {"check": "code", "evidence": f"the joined path is checked before any use: {guard}{opt}, so no `..` "
                                                 "or absolute part can lead outside it"}
        return None
    arg = _FS_ARG.search(line)
    if not arg:
        return None
    how = tracer.safe(arg.group(1), lines, start, at)
    if not how or how == "a literal":
        return None
    end = "no path outside its base" if "inside its base" in how else "no separator or `..` from outside"
    return {"check": "code", "evidence": f"the path is sanitised before the file call at {f.path}:{f.line}: {how}; "
                                         f"{end} reaches the file system"}
