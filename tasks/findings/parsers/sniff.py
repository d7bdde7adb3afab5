"""Is this file a machine report at all?  Decided by content, extension as a hint.

CI actions upload human-readable companions next to their machine reports
(ZAP: ``report_html.html`` and ``report_md.md`` beside ``report_json.json``;
others add logs, PDFs, screenshots).  Those must not fail a build, so they
are *ignored* with the kind we recognised.  Anything that looks like JSON or
XML - or that the extension says is one - is a report candidate and goes to
the strict loader, so a truncated or unknown report still fails fast.

``identify`` (pre-commit's file classifier) names binary formats and text
flavours from the extension and content; the first bytes decide the rest.
"""

from __future__ import annotations

import re

from identify import identify

REPORT_EXTENSIONS = {".json", ".sarif", ".xml", ".jsonl"}

_MAGIC = (
    (b"%PDF-", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image"),
    (b"\xff\xd8\xff", "image"),
    (b"GIF87a", "image"),
    (b"GIF89a", "image"),
    (b"PK\x03\x04", "archive"),
    (b"\x1f\x8b", "archive"),
)
_HTML_RE = re.compile(r"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>])", re.I | re.S)
_SVG_RE = re.compile(r"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*(?:<!doctype\s+svg[^>]*>\s*)?<svg[\s>]", re.I | re.S)
_TEXT_KINDS = ("html", "markdown", "svg", "yaml", "csv", "plain-text", "rst", "log")


def ignored_kind(name: str, data: bytes, text: str | None) -> str | None:
    """The kind of a file that is not a machine report, or None for a report candidate.

    ``text`` is the decoded content (None when it could not be decoded).
    """
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return None if _says_report(name) else kind
    if text is not None:
        head = text.lstrip()[:4096]
        if looks_like_html(head):
            return None if _says_report(name) else "html"
        if _SVG_RE.match(head):
            return None if _says_report(name) else "image"
        if head[:1] in ("{", "[") or head.startswith("<"):
            return None
        if not head:
            return None  # 0-byte / blank: several tools' "no findings"
    if _says_report(name):
        return None
    tags = identify.tags_from_filename(name)
    if text is None:
        for kind in ("pdf", "image", "archive"):
            if kind in tags:
                return kind
        return "binary"
    for kind in _TEXT_KINDS:
        if kind in tags:
            return {"plain-text": "text", "svg": "image"}.get(kind, kind)
    if name.lower().endswith((".log", ".out", ".err")):
        return "log"
    if head.startswith("#") or "\n## " in text[:4096]:
        return "markdown"
    return "text"


def named_kind(name: str) -> str | None:
    """The human format a file's *name* says it is (``.md``, ``.txt``, ``.log``, ...), else None.

    Used when content that starts like JSON or XML does not parse: a log whose
    lines start with ``[INFO]`` or a README that opens with a ``[![badge]``
    link is that file, not a broken report.  A report-like or unknown name
    gives None, so a truncated ``results.json`` still fails.
    """
    if _says_report(name):
        return None
    tags = identify.tags_from_filename(name)
    for kind in _TEXT_KINDS:
        if kind in tags:
            return {"plain-text": "text", "svg": "image"}.get(kind, kind)
    if name.lower().endswith((".log", ".out", ".err")):
        return "log"
    return None


def looks_like_html(text: str) -> bool:
    return bool(_HTML_RE.match(text[:4096]))


def _says_report(name: str) -> bool:
    lowered = name.lower()
    return any(lowered.endswith(ext) for ext in REPORT_EXTENSIONS)
