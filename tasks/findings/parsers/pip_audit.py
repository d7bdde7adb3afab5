"""pip-audit JSON: the old top-level list and the new ``{dependencies, fixes}``."""

from __future__ import annotations

from typing import Any

from tasks.findings.parsers import base


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
            pkg = base.package(d.get("name"), d.get("version"), ecosystem="PyPI", fixes=[str(x) for x in v.get("fix_versions") or []])
            fixed = pkg["fixed_version"] if pkg else None
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
                    package_value=pkg,
                    aliases=[i for i in ids if isinstance(i, str)],
                    fix_hint=f"Upgrade {d.get('name')} to {fixed}" if fixed else None,
                )
            )
    return out
