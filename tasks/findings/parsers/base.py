"""Building blocks shared by the per-tool parsers.

Each parser turns one report into ``Finding`` dicts through ``finding()``,
which fills defaults, normalises severity and CWE ids and computes the
stable fingerprint id.  Keeping this in one place is what makes findings of
different tools comparable downstream.
"""

from __future__ import annotations

import html
import re
from typing import Any, Iterable

from tasks.findings import paths, versions
from tasks.findings.identity import identity

SEVERITIES = ("critical", "high", "medium", "low", "info")

_SEVERITY_WORDS = {
    "critical": "critical",
    "blocker": "critical",
    "very-high": "critical",
    "high": "high",
    "error": "high",
    "important": "high",
    "severe": "high",
    "medium": "medium",
    "moderate": "medium",
    "warning": "medium",
    "warn": "medium",
    "low": "low",
    "minor": "low",
    "note": "low",
    "info": "info",
    "informational": "info",
    "information": "info",
    "negligible": "info",
    "none": "info",
    "unknown": "info",
    "undefined": "info",
    "unspecified": "info",
}

_CWE_RE = re.compile(r"\bCWE[-_ :]?(\d{1,5})\b", re.IGNORECASE)
_CVE_RE = re.compile(r"\bCVE-\d{4}-\d{4,}\b", re.IGNORECASE)
_GHSA_RE = re.compile(r"\bGHSA(?:-[23456789cfghjmpqrvwx]{4}){3}\b", re.IGNORECASE)
_TAG_RE = re.compile(r"<[^>]+>")
_ADVISORY_ID = re.compile(r"^[A-Z][A-Z0-9]*-[A-Za-z0-9][A-Za-z0-9._:-]*$")  # CVE-, GHSA-, PYSEC-, RUSTSEC-, ...


def severity(value: Any, default: str = "medium") -> str:
    """Map any tool's severity word to critical/high/medium/low/info."""
    if value is None or value == "":
        return default
    word = str(value).strip().lower()
    return _SEVERITY_WORDS.get(word, default)


def severity_from_score(score: Any, default: str = "medium") -> str:
    """CVSS-style 0-10 score (SARIF ``security-severity``) to a severity word."""
    try:
        s = float(score)
    except (TypeError, ValueError):
        return default
    if s >= 9.0:
        return "critical"
    if s >= 7.0:
        return "high"
    if s >= 4.0:
        return "medium"
    if s > 0.0:
        return "low"
    return "info"


def cwe_ids(*values: Any) -> list[str]:
    """All CWE ids mentioned in the given strings, numbers or lists, as 'CWE-N'."""
    found: list[str] = []
    for value in _flatten(values):
        if isinstance(value, bool):
            continue
        if isinstance(value, int):
            ids = [str(value)]
        else:
            text = str(value)
            ids = _CWE_RE.findall(text)
            if not ids and text.strip().isdigit():
                ids = [text.strip()]
        for num in ids:
            cwe = f"CWE-{int(num)}"
            if int(num) > 0 and cwe not in found:
                found.append(cwe)
    return found


def cve_ids(*values: Any) -> list[str]:
    return _unique(m.upper() for v in _flatten(values) for m in _CVE_RE.findall(str(v)))


def ghsa_ids(*values: Any) -> list[str]:
    return _unique(
        "GHSA" + m[4:].lower() for v in _flatten(values) for m in _GHSA_RE.findall(str(v))
    )


def plain_text(value: Any) -> str:
    """Strip the HTML that ZAP and some advisories put in their texts."""
    if value is None:
        return ""
    text = html.unescape(_TAG_RE.sub(" ", str(value)))
    return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())


def first_line(value: Any, limit: int = 200) -> str:
    text = plain_text(value)
    line = text.splitlines()[0] if text else ""
    if len(line) <= limit:
        return line
    cut = line[: limit - 1]
    word = re.search(r"\S{8,}$", cut)
    if word and not line[limit - 1: limit].isspace():  # never half a word: half a token is still a leak
        cut = cut[: word.start()].rstrip()
    return cut + "…"


def strip_uri(uri: Any) -> str | None:
    path, _ = paths.normalise(uri)
    return path


def location(path: Any, start: Any = None, end: Any = None, original: Any = None) -> dict | None:
    """Repository-relative location; ``original_path`` keeps what the report wrote when it differs."""
    written = original if original not in (None, "") else path
    rel, _ = paths.normalise(path)
    if not rel:
        return None
    start_line = _positive_int(start)
    end_line = _positive_int(end) or start_line
    if start_line and end_line and end_line < start_line:
        end_line = start_line
    loc = {"path": rel, "start_line": start_line, "end_line": end_line}
    if str(written) != rel:
        loc["original_path"] = str(written)
    return loc


def package(
    name: Any,
    version: Any = None,
    fixed: Any = None,
    ecosystem: Any = None,
    *,
    fixes: Iterable[Any] | None = None,
    status: str | None = None,
    all_fixes: Iterable[Any] | None = None,
    purl: Any = None,
    group: Any = None,
) -> dict | None:
    """A package with the fix that fits its installed version.

    Give either ``fixes`` (every fix the advisory lists; the one for the
    installed line is chosen here) or an already chosen ``fixed`` with its
    ``status`` and ``all_fixes``.
    """
    if not name:
        return None
    version = str(version).strip() if version not in (None, "") else None
    if fixes is not None:
        listed = versions.split_list(list(fixes))
        fixed, status = versions.choose_fix(version, listed, ecosystem)
        all_fixes = listed
    else:
        listed = versions.split_list(list(all_fixes or []) or ([fixed] if fixed not in (None, "") else []))
        all_fixes = listed
        fixed = str(fixed) if fixed not in (None, "") else None
        status = status or (versions.FIXED if fixed else versions.UNKNOWN)
    name = str(name)
    if group in (None, "") and ":" in name and versions.scheme(ecosystem) in ("maven", None):
        group = name.rsplit(":", 1)[0]
    if group in (None, "") and isinstance(purl, str) and purl.startswith("pkg:maven/"):
        group = purl[len("pkg:maven/"):].split("/")[0] or None
    return {
        "name": name,
        "version": version,
        "ecosystem": str(ecosystem) if ecosystem not in (None, "") else None,
        "fixed_version": fixed,
        "fix_status": status if fixed is None else versions.FIXED,
        "fixed_versions": list(all_fixes),
        "purl": str(purl) if purl not in (None, "") else None,
        "group": str(group) if group not in (None, "") else None,
    }


def finding(
    *,
    tool: str,
    rule_id: Any,
    title: Any,
    kind: str,
    severity_value: str,
    tool_version: Any = None,
    description: Any = "",
    cwe: Iterable[str] = (),
    cve: Iterable[str] = (),
    ghsa: Iterable[str] = (),
    location_value: dict | None = None,
    package_value: dict | None = None,
    snippet: Any = None,
    fix_hint: Any = None,
    suppressed: bool = False,
    references: Iterable[str] = (),
    instances: list | None = None,
    fingerprint: Any = None,
    aliases: Iterable[str] = (),
    column: Any = None,
) -> dict:
    """Assemble a normalised finding; ``id`` is a stable fingerprint.

    The id hashes what identifies the *issue at a place*, not the run: tool,
    rule and location (or package and version), or the report's own
    fingerprint when it provides one.  A later run reporting the same issue
    at the same place therefore yields the same id, which is what the
    cross-artifact de-duplication relies on.
    """
    if severity_value not in SEVERITIES:
        raise ValueError(f"bad severity {severity_value!r}")
    rule_id = str(rule_id) if rule_id not in (None, "") else "unknown"
    cve, ghsa = list(cve), list(ghsa)
    alias_list = _unique(str(a) for a in list(aliases) + cve + ghsa if a)
    if package_value and _ADVISORY_ID.match(rule_id) and rule_id not in alias_list:
        alias_list.insert(0, rule_id)
    return {
        "id": identity(tool, rule_id, location_value, package_value, alias_list, fingerprint, column, instances),
        "tool": tool,
        "tool_version": str(tool_version) if tool_version not in (None, "") else None,
        "kind": kind,
        "rule_id": rule_id,
        "title": first_line(title) or rule_id,
        "description": plain_text(description),
        "severity": severity_value,
        "cwe": list(cwe),
        "cve": cve,
        "ghsa": ghsa,
        "aliases": alias_list,
        "location": location_value,
        "package": package_value,
        "snippet": str(snippet).rstrip("\n") if snippet not in (None, "") else None,
        "fix_hint": plain_text(fix_hint) if fix_hint not in (None, "") else None,
        "suppressed": bool(suppressed),
        "references": _unique(str(r) for r in references if r),
        "instances": instances,
    }


def as_list(value: Any) -> list:
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


MAX_LINE = 10_000_000  # no source file has more lines; larger numbers are garbage


def _positive_int(value: Any) -> int | None:
    """A line/column number, or None for anything else (1e999, -3, "x", 2**80, true)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and not value.is_integer():
        return None
    try:
        n = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return n if 0 < n <= MAX_LINE else None


def _flatten(values: Iterable[Any]) -> Iterable[Any]:
    for v in values:
        if v is None:
            continue
        if isinstance(v, (list, tuple, set)):
            yield from _flatten(v)
        elif isinstance(v, dict):
            yield from _flatten(v.values())
        else:
            yield v


def _unique(items: Iterable[str]) -> list[str]:
    out: list[str] = []
    for item in items:
        if item not in out:
            out.append(item)
    return out
