"""Grype JSON (0.7 to 0.9x: ``matches[]`` with vulnerability and artifact)."""

from __future__ import annotations

from typing import Any

from tasks.findings import versions
from tasks.findings.parsers import base


def detect(doc: Any) -> bool:
    return isinstance(doc, dict) and isinstance(doc.get("matches"), list) and (
        (doc.get("descriptor") or {}).get("name") == "grype" or "source" in doc
    )


def count_raw(doc: dict) -> int:
    return len(doc["matches"])


def _cvss_score(vuln: dict) -> float | None:
    scores = [c.get("metrics", {}).get("baseScore") for c in vuln.get("cvss") or [] if isinstance(c, dict)]
    scores += [(vuln.get("cvssV3") or {}).get("baseScore"), (vuln.get("cvssV2") or {}).get("baseScore")]
    scores = [s for s in scores if isinstance(s, (int, float))]
    return max(scores) if scores else None


def parse(doc: dict) -> list[dict]:
    version = (doc.get("descriptor") or {}).get("version")
    out = []
    for m in doc["matches"]:
        v = m.get("vulnerability") or {}
        a = m.get("artifact") or {}
        related = m.get("relatedVulnerabilities") or []
        fix = v.get("fix") or {}
        pkg = base.package(a.get("name"), a.get("version"), ecosystem=a.get("type") or a.get("language"),
                           fixes=versions.split_list(fix.get("versions") or [v.get("fixedInVersion")]), purl=a.get("purl"))
        if pkg and not pkg["fixed_version"] and str(fix.get("state", "")).lower() in ("unknown", "") and "fixedInVersion" not in v:
            pkg["fix_status"] = versions.UNKNOWN
        fixed = pkg["fixed_version"] if pkg else None
        description = v.get("description") or next((r.get("description") for r in related if r.get("description")), "")
        sev = base.severity(v.get("severity"), default="")
        if not sev:
            sev = base.severity_from_score(_cvss_score(v))
        locations = [l.get("path") for l in a.get("locations") or [] if isinstance(l, dict)]
        ids = [v.get("id")] + [r.get("id") for r in related]
        f = base.finding(
            tool="grype",
            tool_version=version,
            rule_id=v.get("id"),
            title=f"{v.get('id')} in {a.get('name')} {a.get('version')}",
            description=description,
            kind="dependency",
            severity_value=sev,
            cwe=base.cwe_ids(v.get("cwes"), [r.get("cwes") for r in related]),
            cve=base.cve_ids(ids),
            ghsa=base.ghsa_ids(ids),
            location_value=base.location(locations[0] if locations else None),
            package_value=pkg,
            aliases=[i for i in ids if isinstance(i, str)],
            fix_hint=f"Upgrade {a.get('name')} to {fixed}" if fixed else None,
            references=list(v.get("urls") or v.get("links") or [])[:5] + [v.get("dataSource")],
        )
        match = _match(m)
        if match:
            f["match"] = match
        out.append(f)
    return out


def _match(m: dict) -> dict | None:
    """How grype matched: by CPE (the advisory CPEs it matched) or by package, and the version
    constraint it says it applied (both field layouts: ``found``/``searchedBy`` and the older
    ``matchedOn``/``searchKey``).  Triage checks the installed version against the constraint."""
    details = m.get("matchDetails") or []
    details = details if isinstance(details, list) else [details]
    cpes: list[str] = []
    searched: list[str] = []
    by_cpe, constraint = False, None
    for d in details:
        if not isinstance(d, dict):
            continue
        found = d.get("found") or d.get("matchedOn") or {}
        key = d.get("searchedBy") or d.get("searchKey") or {}
        found = found if isinstance(found, dict) else {}
        if "cpe" in str(d.get("type", "")).lower() or (isinstance(key, dict) and (key.get("cpe") or key.get("cpes"))):
            by_cpe = True
            cpes += [c for c in (found.get("cpes") or []) if isinstance(c, str)]
            mine = (key.get("cpes") or [key.get("cpe")]) if isinstance(key, dict) else []
            searched += [c for c in (mine if isinstance(mine, list) else []) if isinstance(c, str)]
        value = found.get("versionConstraint") or found.get("constraint")
        if isinstance(value, str) and value.strip() and constraint is None:
            constraint = value.strip()[:300]
    if not by_cpe and constraint is None:
        return None
    out: dict = {"by": "cpe" if by_cpe else "package"}
    if by_cpe:
        out["cpes"] = list(dict.fromkeys(cpes))[:3]
        searched = list(dict.fromkeys(searched))
        if 0 < len(searched) <= 3:  # the package's own CPEs grype searched with (all of them, or none kept)
            out["searched"] = searched
        namespace = (m.get("vulnerability") or {}).get("namespace")
        if isinstance(namespace, str) and namespace:  # nvd:cpe: NVD's data, not an ecosystem advisory
            out["namespace"] = namespace[:60]
    if constraint:
        out["constraint"] = constraint
    return out
