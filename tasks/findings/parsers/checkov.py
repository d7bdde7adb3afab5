"""Checkov JSON: one framework (dict), several frameworks (list), bare summary."""

from __future__ import annotations

from typing import Any

from tasks.findings.parsers import base


def _is_report(d: Any) -> bool:
    return isinstance(d, dict) and "check_type" in d and isinstance(d.get("results"), dict)


def _is_bare_summary(d: Any) -> bool:
    return isinstance(d, dict) and "checkov_version" in d and {"passed", "failed"} <= d.keys()


def detect(doc: Any) -> bool:
    if isinstance(doc, list):
        return bool(doc) and all(_is_report(d) for d in doc)
    return _is_report(doc) or _is_bare_summary(doc)


def _reports(doc: Any) -> list[dict]:
    if isinstance(doc, list):
        return doc
    return [doc] if _is_report(doc) else []


def count_raw(doc: Any) -> int:
    return sum(len(r["results"].get("failed_checks") or []) for r in _reports(doc))


def parse(doc: Any) -> list[dict]:
    out = []
    for report in _reports(doc):
        version = (report.get("summary") or {}).get("checkov_version")
        for c in report["results"].get("failed_checks") or []:
            lines = c.get("file_line_range") or [None, None]
            shown = [l[0] for l in c.get("code_block") or [] if isinstance(l, list) and len(l) == 2 and isinstance(l[0], int)]
            if str(c.get("check_id") or "").startswith("CKV_SECRET") and shown and isinstance(lines[-1], int):
                lines = [lines[0], min(lines[-1], max(shown))]  # its range ends a line past the secret: [138, 139]
            code = "".join(str(l[1]) for l in c.get("code_block") or [] if isinstance(l, list) and len(l) == 2)
            out.append(
                base.finding(
                    tool="checkov",
                    tool_version=version,
                    rule_id=c.get("check_id"),
                    title=c.get("check_name"),
                    description=f"{c.get('check_name')} (resource {c.get('resource')}, framework {report.get('check_type')})",
                    kind="config",
                    severity_value=base.severity(c.get("severity"), default="medium"),
                    cwe=base.cwe_ids(c.get("cwe")),
                    location_value=_location(c, lines),
                    snippet=code or None,
                    fix_hint=c.get("guideline"),
                    suppressed=False,
                    references=[c.get("guideline")],
                )
            )
    return out


def _location(check: dict, lines: list) -> dict | None:
    """``repo_file_path`` is relative to the repository root but written with a leading slash."""
    repo_path = check.get("repo_file_path")
    if isinstance(repo_path, str) and repo_path.startswith("/") and not base.paths.normalise(repo_path)[1]:
        return base.location(repo_path.lstrip("/"), lines[0], lines[-1], original=repo_path)
    return base.location(repo_path or check.get("file_path"), lines[0], lines[-1])
