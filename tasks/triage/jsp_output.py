"""A JSP scriptlet that prints nothing from outside (Semgrep's ``no-scriptlets``, CWE-116).

The rule matches every ``<% ... %>`` of a ``.jsp`` file: it says scriptlets are
hard to use safely, not that this one is unsafe.  What the flagged line
prints decides it: a string literal, a resource-bundle text
(``bundle.getString("challenge1.para1")``), a value already encoded for HTML
(``Encode.forHtml(...)``, ESAPI, ``StringEscapeUtils.escapeHtml4``,
``fn:escapeXml``), or a variable the page sets only to one of those
(``String userName = Encode.forHtml(...)``, ``levelHash = "8edf..."``).  A
line whose scriptlets print nothing (``<% if (x) { %>``) prints no data
either.  Anything else - a request parameter, a session value printed raw, a
method whose result the page cannot see - keeps the finding.
"""

from __future__ import annotations

import re

from tasks.findings.model import Finding, as_finding
from tasks.repository.source import finding_lines

_PRINTED = re.compile(r"<%=\s*(.+?)\s*%>|\bout\.print(?:ln)?\(\s*(.+?)\s*\)\s*;")
_SAFE = re.compile(r'^(?:"[^"\\]*"|\'[^\'\\]*\'|\d+|\w+\.getString\(\s*"[^"]*"\s*\)'
                   r'|(?:Encode\.for\w+|ESAPI\.encoder\(\)\.encodeFor\w+|StringEscapeUtils\.escape(?:Html[34]?|Xml\w*)'
                   r'|HtmlUtils\.htmlEscape\w*|fn:escapeXml)\(.*\))$')
_NAME = re.compile(r"^[A-Za-z_]\w*$")


def _safe(expr: str, lines: list[str], depth: int = 0) -> str | None:
    """What makes ``expr`` safe to print ('a resource-bundle text', ...), or None."""
    expr = expr.strip().rstrip(";").strip()
    if _SAFE.match(expr):
        return "encoded for HTML" if not expr.startswith(('"', "'")) and "getString" not in expr and not expr.isdigit() \
            else "a resource-bundle text" if "getString" in expr else "a literal"
    if depth or not _NAME.match(expr):
        return None
    values = [m.group(1) for l in lines for m in [re.search(rf"(?<![\w.]){expr}\s*=(?!=)\s*(.+?);", l)] if m]
    values = [v for v in values if v.strip() not in ("new String()", '""', "null")]
    whats = [_safe(v, lines, depth + 1) for v in values]
    return f"`{expr}`, set only to {' or '.join(sorted(set(whats)))}" if values and all(whats) else None


def check_scriptlet(f: Finding | dict, reader=None) -> dict | None:
    """False positive when every scriptlet on the flagged line prints a literal, bundle text or an encoded value."""
    f = as_finding(f)
    if f.tool != "semgrep" or not str(f.rule_id or "").endswith("no-scriptlets") or not str(f.path or "").endswith(".jsp"):
        return None
    lines = finding_lines(reader, f)
    n = f.location.start_line if f.location else None
    if not lines or not n or not 1 <= n <= len(lines):
        return None
    line = lines[n - 1]
    printed = [a or b for a, b in _PRINTED.findall(line)]
    if not printed:
        if re.search(r"<%[^=@!-]", line) and not re.search(r"\bout\.(?:print|write)|\bprint\(", line):
            return {"check": "code", "status": "not_security_use",
                    "evidence": f"line {n} of {f.path} holds control flow only (`{line.strip()[:80]}`): it prints nothing"}
        return None
    whats = [_safe(e, lines) for e in printed]
    if not all(whats):
        return None
    return {"check": "code", "status": "not_security_use",
            "evidence": f"line {n} of {f.path} prints only {'; '.join(dict.fromkeys(whats))}: no value from the request "
                        "reaches the page unencoded"}
