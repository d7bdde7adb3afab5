"""OSV-Scanner JSON (``results[].packages[].vulnerabilities[]``)."""

from __future__ import annotations

from typing import Any

from tasks.findings import versions
from tasks.findings.identity import package_key
from tasks.findings.parsers import base


def detect(doc: Any) -> bool:
    if not (isinstance(doc, dict) and isinstance(doc.get("results"), list)) or "errors" in doc:
        return False
    if doc["results"]:
        return all(isinstance(r, dict) and "packages" in r for r in doc["results"])
    return "experimental_config" in doc or set(doc) == {"results"}


def count_raw(doc: dict) -> int:
    return sum(len(p.get("vulnerabilities") or []) for r in doc["results"] for p in r.get("packages") or [])


def _package(vuln: dict, p: dict) -> dict | None:
    """The package with the fix of the affected range that contains its version."""
    name = p.get("name")
    # the advisory's spelling may differ from the lockfile's ("Django" / "django", "Foo_Bar" / "foo-bar")
    key = package_key({"name": name})
    affected = [a for a in vuln.get("affected") or [] if isinstance(a, dict)
                and package_key({"name": (a.get("package") or {}).get("name")}) == key]
    fixed, status, all_fixes = versions.fix_from_osv_ranges(p.get("version"), affected, p.get("ecosystem"))
    purl = next(((a.get("package") or {}).get("purl") for a in affected if (a.get("package") or {}).get("purl")), None)
    return base.package(name, p.get("version"), fixed, p.get("ecosystem"), status=status, all_fixes=all_fixes, purl=purl)


def _severity(vuln: dict, group_max: Any) -> str:
    db = vuln.get("database_specific") or {}
    if db.get("severity"):
        return base.severity(db["severity"])
    if group_max not in (None, ""):
        return base.severity_from_score(group_max)
    if str(vuln.get("id", "")).startswith("MAL-"):
        return "critical"  # malicious package: the host is compromised
    return "medium"


def parse(doc: dict) -> list[dict]:
    out = []
    for result in doc["results"]:
        source = (result.get("source") or {}).get("path")
        for pkg in result.get("packages") or []:
            p = pkg.get("package") or {}
            group_max = {i: g.get("max_severity") for g in pkg.get("groups") or [] for i in g.get("ids") or []}
            for v in pkg.get("vulnerabilities") or []:
                pkg_value = _package(v, p)
                fixed = pkg_value["fixed_version"] if pkg_value else None
                affected_cwes = [(a.get("database_specific") or {}).get("cwes") for a in v.get("affected") or []]
                ids = [v.get("id")] + list(v.get("aliases") or [])
                out.append(
                    base.finding(
                        tool="osv-scanner",
                        rule_id=v.get("id"),
                        title=v.get("summary") or v.get("id"),
                        description=v.get("details") or v.get("summary"),
                        kind="dependency",
                        severity_value=_severity(v, group_max.get(v.get("id"))),
                        cwe=base.cwe_ids(
                            [c.get("cweId") if isinstance(c, dict) else c for cs in affected_cwes if cs for c in cs],
                            (v.get("database_specific") or {}).get("cwe_ids"),
                        ),
                        cve=base.cve_ids(ids),
                        ghsa=base.ghsa_ids(ids),
                        location_value=base.location(source),
                        package_value=pkg_value,
                        aliases=[i for i in ids if isinstance(i, str)],
                        fix_hint=f"Upgrade {p.get('name')} to {fixed}" if fixed else None,
                        references=[r.get("url") for r in v.get("references") or [] if isinstance(r, dict)][:5],
                    )
                )
                groups = [str(g) for g in pkg.get("dependency_groups") or [] if isinstance(g, str)]
                if groups:  # e.g. ["dev"] for an npm devDependency, ["test"] for a Maven test scope
                    out[-1]["dependency"] = {"groups": groups, "dev": all(g in ("dev", "test", "optional-dev") for g in groups)}
    return out
