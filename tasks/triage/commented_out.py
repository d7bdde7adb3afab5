"""A finding on markup or code that is commented out: nothing of it is rendered or run.

Semgrep's template rules match text, so ``<div v-html="...">`` inside ``<!-- ... -->`` (glances' plugin-amps.vue,
held-out set 24: both labellers called it a false positive) is reported like a live one.  With the file, a flagged
line that lies wholly inside an HTML comment (markup and templates) or a ``/* ... */`` block (JavaScript, TypeScript,
CSS, Java, Go, C-like) is not part of the page or the program.

May import: ``tasks.findings``, ``tasks.triage.parsed_source``.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from tasks.core.markdown import line_span
from tasks.findings.model import Finding, as_finding
from tasks.findings.secrets import tool_marks_secret
from tasks.triage.parsed_source import finding_source, parse_js

_MARKUP = {".html", ".htm", ".vue", ".svelte", ".jinja", ".jinja2", ".j2", ".njk", ".hbs", ".xml", ".xhtml", ".jsp"}
_BLOCK = {".js", ".jsx", ".ts", ".tsx", ".mjs", ".cjs", ".css", ".scss", ".java", ".go", ".c", ".cc", ".cpp", ".cs",
          ".kt", ".php", ".swift", ".rs"}


_JS = {".js", ".jsx", ".ts", ".tsx", ".mjs", ".cjs"}


def _spans(text: str, opener: str, closer: str, path: str = "") -> list[tuple[int, int, int, int]]:
    r"""(first line, last line, start offset, end offset) of every comment from ``opener`` to ``closer`` (an unclosed
    one runs to the end).  JavaScript's comments come from its parser: ``/\/*$/`` is a regular expression, not the
    start of a comment (set 31: ckan's tracking.js); elsewhere a ``/*`` counts only where it opens its line, so a
    string holding one (a glob, a MIME type) starts nothing."""
    if PurePosixPath(path).suffix.lower() in _JS:
        root = parse_js(text, path)
        if root is None:
            return []
        data = text.encode("utf-8")
        todo, out = [root], []
        while todo:
            n = todo.pop()
            if n.type == "comment" and n.text.startswith(b"/*"):
                a, b = len(data[:n.start_byte].decode("utf-8", "replace")), len(data[:n.end_byte].decode("utf-8", "replace"))
                out.append((n.start_point[0] + 1, n.end_point[0] + 1, a, b))
            todo.extend(n.children)
        return out
    out = []
    for m in re.finditer(re.escape(opener) + r"[\s\S]*?(?:" + re.escape(closer) + r"|\Z)", text):
        if opener == "<!--" and re.match(r"<!--\[if\b", m.group(0)):
            continue  # an IE conditional comment: old IE renders it (quokka's clean theme, round 56)
        if opener == "/*" and text[text.rfind("\n", 0, m.start()) + 1:m.start()].strip():
            continue
        out.append((text.count("\n", 0, m.start()) + 1, text.count("\n", 0, m.end()) + 1, m.start(), m.end()))
    return out


def check_commented_out(f: Finding | dict, reader=None) -> dict | None:
    """{"check": "code", "evidence"} when the flagged lines lie inside a comment, else None."""
    f = as_finding(f)
    loc = f.location
    if f.kind != "code" or reader is None or loc is None or not loc.path or not loc.start_line:
        return None
    if tool_marks_secret(str(f.tool or ""), str(f.rule_id or ""), f.title or ""):
        return None  # a credential in a comment is committed and leaked like one in code (kimai's docblock: set 40)
    suffix = PurePosixPath(loc.path).suffix.lower()
    pair = ("<!--", "-->") if suffix in _MARKUP else ("/*", "*/") if suffix in _BLOCK else None
    text = finding_source(reader, f) if pair else ""
    if not text:
        return None
    lines = text.splitlines(True)
    first, last = loc.start_line, max(loc.end_line or loc.start_line, loc.start_line)
    if last > len(lines):
        return None
    start = sum(len(l) for l in lines[:first - 1]) + (len(lines[first - 1]) - len(lines[first - 1].lstrip()))
    end = sum(len(l) for l in lines[:last]) - 1
    for top, bottom, a, b in _spans(text, *pair, loc.path):
        if a <= start and end < b:
            return {"check": "code", "status": "commented_out",
                    "evidence": f"commented out: {loc.path}:{first} lies inside the comment `{pair[0]} ... {pair[1]}` of "
                                f"{line_span(top, bottom)}, which the {'page never renders' if pair[0] == '<!--' else 'program never runs'}"}
    return None
