"""A Go handler's direct write to its ``http.ResponseWriter`` whose response is declared not to be HTML (held-out
set 41: ntfy's ``server.go``).

``no-direct-write-to-responsewriter``, ``no-io-writestring-to-responsewriter`` and their ``Fprintf``/``printf``
neighbours flag every write that bypasses ``html/template``.  The concern is a page a browser renders as HTML; a
response whose ``Content-Type`` the handler sets to JSON, JavaScript, an event stream or plain text is not parsed as
HTML.  Settled when, in the enclosing function, ``w.Header().Set("Content-Type", ...)`` on the same writer is:

* a literal that is not HTML, XML or SVG, set before the write (ntfy's ``config.js``: ``text/javascript``), or
  anywhere in the function when the write sits in a closure the function hands on (it runs after the headers go);
* the function's own parameter, and every call of the function in its package passes such a literal
  (``s.handleSubscribeHTTP(w, r, v, "application/x-ndjson", encoder)``).

The evidence names the ``Set`` line and, for a parameter, each caller.  A second ``Content-Type`` of another value, an
HTML type, a value from elsewhere, or no ``Set`` at all (Go then sniffs the body, and may call it HTML) keeps it.

May import: ``tasks.findings``, ``tasks.repository``.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from tasks.findings.model import Finding, as_finding
from tasks.repository.source import finding_lines

_RULE = re.compile(r"(?i)responsewriter|wip-xss-using-responsewriter")
_WRITER = re.compile(r"\bio\.WriteString\(\s*(\w+)\s*,|\b(?!io\.)(\w+)\.Write(?:String)?\(|\bfmt\.Fp?rint\w*\(\s*(\w+)\s*,")
_HTML = re.compile(r"(?i)html|xml|svg")
MAX_CALLERS_FILES = 200


def _set(writer: str, line: str):
    return re.search(rf"\b{re.escape(writer)}\.Header\(\)\.Set\(\s*\"(?i:content-type)\"\s*,\s*(.+?)\s*\)\s*(?://.*)?$", line)


def _function(lines: list[str], at: int) -> tuple[int, int] | None:
    """Indexes of the top-level ``func`` holding line index ``at`` and of its closing brace."""
    start = next((i for i in range(at, -1, -1) if lines[i].startswith("func ")), None)
    if start is None:
        return None
    end = next((i for i in range(at, len(lines)) if lines[i].rstrip() == "}"), None)
    return (start, end) if end is not None else None


def _in_closure(lines: list[str], start: int, at: int) -> bool:
    """The flagged line sits in a function literal opened between the function's header and it, not yet closed."""
    for i in range(at - 1, start, -1):
        m = re.search(r"(?::=|=)\s*func\s*\(.*\{\s*$", lines[i])
        if m:
            indent = len(lines[i]) - len(lines[i].lstrip())
            return not any(l.strip().startswith("}") and len(l) - len(l.lstrip()) == indent for l in lines[i + 1:at])
    return False


def _literal(value: str) -> str | None:
    """The literal type of ``"text/plain"`` / ``"text/plain; charset=utf-8"``, or None."""
    m = re.fullmatch(r"\"([\w.+-]+/[\w.+-]+)(?:;[^\"]*)?\"", value.strip())
    return m.group(1) if m and not _HTML.search(m.group(1)) else None


def _code(line: str) -> str:
    """``line`` without its string and rune literals and its comment (their braces and commas are no code)."""
    line = re.sub(r'"(?:[^"\\]|\\.)*"|`[^`]*`|\'(?:[^\'\\]|\\.)*\'', '""', line)
    return line.split("//", 1)[0]


def _dominates(lines: list[str], start: int, i: int, at: int, closure: bool) -> bool:
    """The Set at line index ``i`` runs on every path to the write at ``at``: the write sits in the Set's block (or
    one nested in it), with no ``case``/``default`` label of that block between; after the write only in a closure
    the function hands on, when the Set is in the function's own body."""
    if "{" in _code(lines[i]).split(".Header()")[0]:
        return False  # `if ... { w.Header().Set(...) }` on one line
    if i > at:
        depth = sum(_code(l).count("{") - _code(l).count("}") for l in lines[start:i])
        return closure and depth == 1
    depth = 0
    for n in range(i + 1, at + 1):
        code = _code(lines[n])
        if depth == 0 and re.match(r"\s*(?:case\b|default\s*:)", code):
            return False
        for ch in code if n < at else code[: len(code) - len(code.lstrip())]:
            depth += {"{": 1, "}": -1}.get(ch, 0)
            if depth < 0:
                return False  # the Set's block closes before the write
    return True


def _call_args(line: str, start: int) -> list[str] | None:
    """The arguments of the call whose ``(`` is at ``line[start]``, split at top-level commas (brackets balanced,
    string literals skipped); None when the call does not close on the line."""
    depth, args, cur, quote, i = 1, [], "", None, start + 1
    while i < len(line):
        ch = line[i]
        if quote:
            if ch == "\\" and quote != "`":
                cur, i = cur + line[i:i + 2], i + 2
                continue
            quote = None if ch == quote else quote
        elif ch in "\"`'":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth == 0:
                return [x.strip() for x in args + [cur]] if args or cur.strip() else []
        elif ch == "," and depth == 1:
            args.append(cur)
            cur, i = "", i + 1
            continue
        cur, i = cur + ch, i + 1
    return None


def _callers(f: Finding, reader, files, name: str, index: int) -> list[str] | None:
    """``file:line `type``` for each call of ``name`` in the package, when every one passes a non-HTML literal; None
    when one passes something else, cannot be read, or the function is used as a value or may be called elsewhere."""
    if not name[:1].islower():
        return None  # exported: packages this check does not read may call it
    folder = str(PurePosixPath(str(f.path)).parent)
    said = []
    paths = [p for p in files or [] if p.endswith(".go") and str(PurePosixPath(p).parent) == folder]
    if len(paths) > MAX_CALLERS_FILES:
        return None
    for p in paths:
        for n, line in enumerate(finding_lines(reader, f, p), 1):
            line = line.rstrip("\n")
            for m in re.finditer(rf"\b{re.escape(name)}\b", line):
                if re.match(r"func\s+(?:\([^)]*\)\s*)?$", line[: m.start()].lstrip()):
                    continue  # its own declaration
                after = line[m.end():]
                if not after.startswith("("):
                    return None  # used as a value: called where this cannot see
                args = _call_args(line, m.end())
                kind = _literal(args[index]) if args is not None and index < len(args) else None
                if not kind:
                    return None  # a caller passes something else, or its arguments cannot be read
                said.append(f"{PurePosixPath(p).name}:{n} `{kind}`")
    return said or None


def check_response_type(f: Finding | dict, reader=None, files=None) -> dict | None:
    """{"check": "code", "evidence"} for a Go response write declared JSON, JavaScript or plain text; else None."""
    f = as_finding(f)
    if f.kind != "code" or reader is None or not f.line or not _RULE.search(str(f.rule_id)):
        return None
    if not str(f.path or "").endswith(".go"):
        return None
    lines = [l.rstrip("\n") for l in finding_lines(reader, f)]
    if not 0 < f.line <= len(lines):
        return None
    at = f.line - 1
    w = _WRITER.search(lines[at])
    span = _function(lines, at)
    if not w or not span:
        return None
    writer = next(g for g in w.groups() if g)
    start, end = span
    closure = _in_closure(lines, start, at)
    sets = [(i, _set(writer, lines[i])) for i in range(start, end) if _set(writer, lines[i])]
    if len(sets) != 1 or not _dominates(lines, start, sets[0][0], at, closure):
        return None  # none (Go sniffs the body), two that may differ, one after the write or in a branch it skips
    i, m = sets[0]
    value = m.group(1)
    kind = _literal(value)
    quoted = re.sub(r"\)\s*//.*$", ")", lines[i]).strip()[:90]  # the Set call, not its comment
    where = f"{f.path}:{i + 1} `{quoted}`"
    if kind:
        return {"check": "code", "evidence": f"the response is not HTML: the handler sets its Content-Type to `{kind}` "
                                             f"({where}), so a browser does not parse what line {f.line} writes as a page"}
    param = re.fullmatch(r"(\w+)(?:\s*\+\s*\"[^\"]*\")?", value.strip())
    header = re.match(r"func\s+(?:\([^)]*\)\s*)?(\w+)\((.*?)\)", lines[start])
    if not param or not header:
        return None
    names = [a.strip().split()[0] for a in header.group(2).split(",") if a.strip()]
    if param.group(1) not in names:
        return None
    said = _callers(f, reader, files, header.group(1), names.index(param.group(1)))
    if not said:
        return None
    return {"check": "code", "evidence": f"the response is not HTML: the handler sets its Content-Type from its parameter "
                                         f"`{param.group(1)}` ({where}), and every call of {header.group(1)}() passes a "
                                         f"non-HTML type ({', '.join(said[:5])}), so a browser does not parse what line "
                                         f"{f.line} writes as a page"}
