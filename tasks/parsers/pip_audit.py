"""pip-audit JSON: the old top-level list and the new ``{dependencies, fixes}``."""

from __future__ import annotations

from typing import Any

from tasks.parsers import base


def _is_dep(d: Any) -> bool:
    return isinstance(d, dict) and "name" in d and ("vulns" in d or "skip_reason" in d)


def detect(doc: Any) -> bool:
    if isinstance(doc, dict) and isinstance(doc.get("dependencies"), list):
        return all(_is_dep(d) for d in doc["dependencies"])
    return isinstance(doc, list) and bool(doc) and all(_is_dep(d) for d in doc)


def _deps(doc: Any) -> list[dict]:
    return doc["dependencies"] if isinstance(doc, dict) else doc


def count_raw(doc: Any) -> int:
    return sum(len(d.get("vulns") or []) for d in _deps(doc))


def parse(doc: Any) -> list[dict]:
    out = []
    for d in _deps(doc):
        for v in d.get("vulns") or []:
            fixes = [str(x) for x in v.get("fix_versions") or []]
            fixed = _fix_for(d.get("version"), fixes)
            ids = [v.get("id")] + list(v.get("aliases") or [])
            out.append(
                base.finding(
                    tool="pip-audit",
                    rule_id=v.get("id"),
                    title=f"{v.get('id')} in {d.get('name')} {d.get('version')}",
                    description=v.get("description"),
                    kind="dependency",
                    severity_value="medium",
                    cve=base.cve_ids(ids),
                    ghsa=base.ghsa_ids(ids),
                    package_value=base.package(d.get("name"), d.get("version"), fixed, "PyPI"),
                    fix_hint=f"Upgrade {d.get('name')} to {fixed}" if fixed else None,
                )
            )
    return out


def _version_key(v: str) -> tuple:
    parts = []
    for p in v.replace("-", ".").split("."):
        parts.append((0, int(p), "") if p.isdigit() else (1, 0, p))
    return tuple(parts)


def _fix_for(installed: Any, fixes: list[str]) -> str | None:
    """The smallest fixed version above the installed one (pip-audit lists one per branch)."""
    if not fixes:
        return None
    try:
        higher = [f for f in fixes if _version_key(f) > _version_key(str(installed))]
        return min(higher or fixes, key=_version_key)
    except TypeError:
        return fixes[-1]
