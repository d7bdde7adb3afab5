"""Checkov JSON: one framework (dict), several frameworks (list), bare summary."""

from __future__ import annotations

import re
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


def _rel(path: Any, root: str) -> str | None:
    """A breadcrumb's absolute path as a path inside the scanned folder; None outside it."""
    if not isinstance(path, str) or not root or not path.startswith(root + "/"):
        return None
    rel, outside = base.paths.normalise(path[len(root) + 1:])
    return None if outside else rel


def _origins(check: dict) -> list[dict] | None:
    """Where each checked key's value came from, when checkov's breadcrumbs trace it to a module call's argument:
    [{key, module, module_path, variable, variable_path}]; None when any checked key has no such trace."""
    keys = [k for k in (check.get("check_result") or {}).get("evaluated_keys") or [] if k != "resource_type"]
    crumbs = check.get("breadcrumbs") if isinstance(check.get("breadcrumbs"), dict) else {}
    absolute, rel = str(check.get("file_abs_path") or ""), str(check.get("repo_file_path") or check.get("file_path") or "")
    root = absolute[: -len(rel)] if rel.startswith("/") and absolute.endswith(rel) else ""
    out = []
    for key in keys[:8]:
        trail = crumbs.get(re.sub(r"/\[\d+\]", "", str(key)).replace("/", ".")) or []
        mod = next((b for b in trail if isinstance(b, dict) and b.get("type") == "module"), None)
        var = next((b for b in trail if isinstance(b, dict) and b.get("type") == "variable"), None)
        if not mod or not var or not _rel(mod.get("path"), root):
            return None
        out.append({"key": str(key)[:200], "module": str(mod.get("name"))[:200], "module_path": _rel(mod.get("path"), root),
                    "variable": str(var.get("name"))[:200], "variable_path": _rel(var.get("path"), root)})
    return out or None


def _place(check: dict) -> tuple:
    """(check, file, lines): the calls of one module resource that become one finding."""
    return check.get("check_id"), check.get("repo_file_path") or check.get("file_path"), str(check.get("file_line_range"))


def _module_inputs(checks: list[dict]) -> dict:
    """(check, file, lines) -> the origins of every failing call of that module resource, or None when one has none.

    Checkov checks a module's resource once per call of the module (``module.NAME.TYPE.LABEL``); the calls at one
    place become one finding, so the finding says where the value came from only when every call's value did."""
    groups: dict = {}
    for c in checks:
        if str(c.get("resource") or "").startswith("module."):
            groups.setdefault(_place(c), []).append(_origins(c))
    return {k: None if any(o is None for o in v) else [o for each in v for o in each][:16] for k, v in groups.items()}


def parse(doc: Any) -> list[dict]:
    out = []
    for report in _reports(doc):
        version = (report.get("summary") or {}).get("checkov_version")
        inputs = _module_inputs(report["results"].get("failed_checks") or [])
        for c in report["results"].get("failed_checks") or []:
            lines = c.get("file_line_range") or [None, None]
            shown = [l[0] for l in c.get("code_block") or [] if isinstance(l, list) and len(l) == 2 and isinstance(l[0], int)]
            if str(c.get("check_id") or "").startswith("CKV_SECRET") and shown and isinstance(lines[-1], int):
                lines = [lines[0], min(lines[-1], max(shown))]  # its range ends a line past the secret: [138, 139]
            elif str(c.get("check_id") or "").startswith("CKV_SECRET") and len(lines) == 2 and isinstance(lines[0], int) \
                    and lines[1] == lines[0] + 1:  # `--compact` leaves the code out; the range still ends a line past it
                lines = [lines[0], lines[0]]
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
            origin = inputs.get(_place(c))
            if origin:
                out[-1]["module_inputs"] = origin
            keys = [str(k)[:200] for k in (c.get("check_result") or {}).get("evaluated_keys") or [] if k != "resource_type"]
            if keys and all(isinstance(k, str) for k in (c.get("check_result") or {}).get("evaluated_keys")):
                out[-1]["checked_keys"] = keys[:8]  # the attributes the check read: what an example leaves unset
    return out


def _location(check: dict, lines: list) -> dict | None:
    """``repo_file_path`` is relative to the repository root but written with a leading slash."""
    repo_path = check.get("repo_file_path")
    if isinstance(repo_path, str) and repo_path.startswith("/") and not base.paths.normalise(repo_path)[1]:
        return base.location(repo_path.lstrip("/"), lines[0], lines[-1], original=repo_path)
    return base.location(repo_path or check.get("file_path"), lines[0], lines[-1])
