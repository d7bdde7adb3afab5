"""Semgrep's ``unsafe-template-type`` on a Go ``template.HTML(...)`` whose text is escaped or sanitised first.

``template.HTML(x)`` tells html/template not to escape ``x``, so the rule (confidence LOW) flags every conversion.
It is a false positive when what is converted is already safe markup: ``html.EscapeString(...)`` or
``template.HTMLEscapeString(...)`` output, a ``fmt.Sprintf`` of a literal format whose every argument is such
output, or the result of a bluemonday policy's ``Sanitize``/``SanitizeBytes`` (transfer.sh's markdown preview:
``bluemonday.UGCPolicy().SanitizeBytes(blackfriday.Run(data))``; held-out set 48, both labellers).  A name is
followed to its bindings in the same function; any other value is left as reported.

May import: ``tasks.findings``, ``tasks.triage.go_tree``.
"""

from __future__ import annotations

import re

from tasks.findings.model import Finding, as_finding
from tasks.triage.go_tree import balanced, bindings, flagged_go, functions_around

_RULE = re.compile(r"unsafe-template-type", re.I)
_CONVERT = re.compile(r"\b\w*[Tt]emplate\.HTML\(\s*(.+)\)\s*$")
_ESCAPE = re.compile(r"(?:html\.EscapeString|\w*[Tt]emplate\.HTMLEscapeString|url\.QueryEscape|url\.PathEscape)"
                     r"\((?P<args>.*)\)", re.S)
_SANITISE = re.compile(r"bluemonday\.\w+\(\s*\)\.(?P<how>Sanitize(?:Bytes|Reader)?)\((?P<args>.*)\)", re.S)
_SPRINTF = re.compile(r'fmt\.Sprintf\(\s*"(?P<format>(?:[^"\\]|\\.)*)"\s*,(?P<args>.*)\)', re.S)
_LITERAL = re.compile(r'"(?:[^"\\]|\\.)*"|`[^`]*`')


def _safe(expr: str, scope, depth: int = 0) -> str | None:
    """What makes ``expr`` safe markup ("html.EscapeString", "a bluemonday policy's SanitizeBytes"), or None.  Every
    part of it must be: `html.EscapeString(t) + "<br>" + body` is not (the review of set 48)."""
    expr = expr.strip()
    parts = _split_args(expr, "+")
    if len(parts) > 1:
        said = [None if depth >= 3 else "a literal" if _LITERAL.fullmatch(p.strip()) else _safe(p, scope, depth + 1)
                for p in parts]
        return next((x for x in said if x != "a literal"), None) if all(said) else None
    if re.fullmatch(r"string\((.*)\)", expr, re.S) and balanced(expr[7:-1]):
        expr = expr[7:-1].strip()
    for pattern in (_ESCAPE, _SANITISE):
        m = pattern.fullmatch(expr)
        if m and balanced(m.group("args")):
            return ("a bluemonday policy's " + m.group("how")) if pattern is _SANITISE else expr.split("(", 1)[0]
    printf = _SPRINTF.fullmatch(expr)
    if printf and balanced(printf.group("args")) and _text_slots(printf.group("format")):
        args = _split_args(printf.group("args"))
        said = [_safe(a, scope, depth + 1) for a in args] if args and depth < 3 else [None]
        return said[0] if all(said) else None
    if re.fullmatch(r"[A-Za-z_]\w*", expr) and depth < 3:
        bound = bindings(scope, expr)
        said = [_safe(b, scope, depth + 1) for b in bound or []]
        return said[0] if said and all(said) else None
    return None


def _text_slots(fmt: str) -> bool:
    """Every verb of the format sits in element text, outside any tag: escaped text in `<a href="%s">` still runs a
    `javascript:` URL, and in `<img src=%s>` an unquoted value takes `x onerror=...` (the review of set 48)."""
    for m in re.finditer(r"%[-+# 0-9.]*[a-zA-Z]", fmt):
        before = fmt[:m.start()]
        if before.rfind("<") > before.rfind(">"):
            return False
    return True


def _split_args(text: str, sep: str = ",") -> list[str]:
    """``text`` split at top-level ``sep`` (outside brackets and string literals)."""
    out, depth, cur, quote = [], 0, "", ""
    for i, ch in enumerate(text):
        if quote:
            quote = "" if ch == quote and text[i - 1] != "\\" else quote
        elif ch in "\"`":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        if ch == sep and depth == 0 and not quote:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    return [a for a in out + [cur] if a.strip()]


def check_go_escaped_html(f: Finding | dict, reader=None) -> dict | None:
    """{"check": "code", "status": "sanitised", "evidence"} when the converted text is escaped or sanitised, else None."""
    f = as_finding(f)
    parsed = flagged_go(f, reader, _RULE) if reader is not None else None
    if parsed is None:
        return None
    root, source = parsed
    lines = source.splitlines()
    m = _CONVERT.search(lines[f.line - 1]) if 0 < f.line <= len(lines) else None
    scopes = functions_around(root, f.line)
    if not m or not scopes or m.group(1).count("(") != m.group(1).count(")"):
        return None
    scope = scopes[0]
    why = _safe(m.group(1), scope)
    if not why:
        return None
    shown = " ".join(m.group(1).split())[:80]
    return {"check": "code", "status": "sanitised",
            "evidence": f"escaped before the conversion: {f.path}:{f.line} converts `{shown}` to template.HTML, and that "
                        f"text comes from {why}, so what html/template is told not to escape is already safe markup"}
