"""Detect which tool wrote a report from its content, and parse it.

Order matters only where formats overlap: SARIF first (any tool can emit
it), Bandit before Semgrep (both have ``results`` and ``errors``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tasks.core.errors import SecftError
from tasks.findings.parsers import (
    bandit,
    checkov,
    gitleaks,
    grype,
    npm_audit,
    osv,
    pip_audit,
    sarif,
    semgrep,
    trivy,
    zap,
)
from tasks.findings.parsers.finalise import finalise
from tasks.findings.parsers.loading import DEFAULT_MAX_BYTES, EMPTY, load
from tasks.findings.parsers.sniff import named_kind

PARSERS = {
    "sarif": sarif,
    "bandit": bandit,
    "semgrep": semgrep,
    "trivy": trivy,
    "checkov": checkov,
    "osv-scanner": osv,
    "zap": zap,
    "gitleaks": gitleaks,
    "grype": grype,
    "npm-audit": npm_audit,
    "pip-audit": pip_audit,
}


@dataclass
class ParsedReport:
    path: str
    sha256: str
    format: str
    tools: list[str]
    raw_count: int
    findings: list[dict] = field(default_factory=list)
    ignored: str | None = None          # kind of a file that is not a machine report
    invalid_utf8_bytes: int = 0         # undecodable bytes replaced while reading


def _is_nothing(doc: Any) -> bool:
    """``null``, ``[]`` and 0-byte files: several tools' way of saying 'no findings'."""
    return doc is EMPTY or doc is None or doc == []


def detect(doc: Any) -> str | None:
    if _is_nothing(doc):
        return "empty"
    for name, module in PARSERS.items():
        if module.detect(doc):
            return name
    return None


def _describe(doc: Any) -> str:
    if isinstance(doc, dict):
        keys = ", ".join(list(doc)[:6])
        return f"a JSON object with keys {keys or '(none)'}"
    if isinstance(doc, list):
        return f"a JSON list of {len(doc)} {type(doc[0]).__name__ if doc else 'item'}s"
    tag = getattr(doc, "tag", None)
    return f"an XML document <{tag}>" if tag else f"a JSON {type(doc).__name__}"


def parse_report(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES, display_path: str | None = None) -> ParsedReport:
    """Parse one report; raises SecftError (one line, naming the file) on bad input."""
    path = Path(path)
    shown = display_path or str(path)
    try:
        loaded = load(path, max_bytes)
    except SecftError as exc:
        raise SecftError(str(exc).replace(str(path), shown, 1)) from None
    data_hash = hashlib.sha256(loaded.data).hexdigest()  # the bytes parsed, read once (a FIFO is never opened twice)
    if loaded.ignored:
        return ParsedReport(shown, data_hash, "ignored", [], 0, [], loaded.ignored, loaded.invalid_utf8_bytes)
    doc = loaded.doc
    fmt = detect(doc)
    if fmt is None and named_kind(path.name):  # e.g. an HTML fragment "<div>...</div>" saved as report.html
        return ParsedReport(shown, data_hash, "ignored", [], 0, [], named_kind(path.name), loaded.invalid_utf8_bytes)
    if fmt is None:
        raise SecftError(f"{shown}: unrecognised report format ({_describe(doc)}); see docs/formats.md for the supported scanners")
    if fmt == "empty":
        return ParsedReport(shown, data_hash, fmt, [], 0, [], None, loaded.invalid_utf8_bytes)
    module = PARSERS[fmt]
    try:
        findings = [finalise(f) for f in module.parse(doc)]
        raw = module.count_raw(doc)
        tools = sorted({sarif.tool_name(r) for r in doc["runs"] if isinstance(r, dict)}) if fmt == "sarif" else [fmt]
    except SecftError as exc:
        raise SecftError(f"{shown}: {exc}") from None
    except (KeyError, TypeError, ValueError, AttributeError, IndexError, OverflowError, RecursionError) as exc:
        raise SecftError(f"{shown}: {fmt} report has an unexpected structure ({type(exc).__name__}: {_short(exc)})") from None
    for f in findings:
        f["source"] = {"artifact": shown, "sha256": data_hash}
    return ParsedReport(shown, data_hash, fmt, tools, raw, findings, None, loaded.invalid_utf8_bytes)


def _short(exc: Exception) -> str:
    return " ".join(str(exc).split())[:200]


__all__ = ["ParsedReport", "PARSERS", "detect", "parse_report"]
