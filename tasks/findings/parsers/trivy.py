"""Trivy JSON: legacy top-level list, schema v2, and the ``trivy k8s`` report.

Vulnerabilities, misconfigurations (failures only) and secrets are all
findings; secrets are redacted before they leave this module.
"""

from __future__ import annotations

from typing import Any, Iterable

from tasks.findings import versions
from tasks.findings.parsers import base
from tasks.findings.redact import redact_finding


def detect(doc: Any) -> bool:
    if isinstance(doc, dict):
        return "SchemaVersion" in doc or ("ClusterName" in doc) or (
            isinstance(doc.get("Results"), list) and "ArtifactName" in doc
        )
    return isinstance(doc, list) and bool(doc) and all(isinstance(r, dict) and "Target" in r for r in doc)


def _results(doc: Any) -> Iterable[tuple[dict, str | None]]:
    """(result, resource) pairs from any of the three layouts."""
    if isinstance(doc, list):
        for r in doc:
            yield r, None
        return
    for r in doc.get("Results") or []:
        yield r, None
    for section in ("Vulnerabilities", "Misconfigurations", "Resources"):
        for res in doc.get(section) or []:
            if isinstance(res, dict):
                name = "/".join(str(res[k]) for k in ("Namespace", "Kind", "Name") if res.get(k))
                for r in res.get("Results") or []:
                    yield r, name


def count_raw(doc: Any) -> int:
    n = 0
    for r, _ in _results(doc):
        n += len(r.get("Vulnerabilities") or [])
        n += sum(1 for m in r.get("Misconfigurations") or [] if m.get("Status", "FAIL") == "FAIL")
        n += len(r.get("Secrets") or [])
    return n


def parse(doc: Any) -> list[dict]:
    out = []
    for result, resource in _results(doc):
        target = result.get("Target")
        for v in result.get("Vulnerabilities") or []:
            out.append(_vulnerability(v, target, result.get("Type")))
        for m in result.get("Misconfigurations") or []:
            if m.get("Status", "FAIL") == "FAIL":
                out.append(_misconfiguration(m, resource or target))
        for s in result.get("Secrets") or []:
            out.append(_secret(s, target))
    return out


def _vulnerability(v: dict, target: str | None, ecosystem: str | None) -> dict:
    vid = v.get("VulnerabilityID")
    ident = v.get("PkgIdentifier") if isinstance(v.get("PkgIdentifier"), dict) else {}
    pkg = base.package(v.get("PkgName"), v.get("InstalledVersion"), ecosystem=ecosystem,
                       fixes=versions.split_list(v.get("FixedVersion")), purl=ident.get("PURL"))
    f = _finding(v, vid, target, pkg)
    rel = str(v.get("Relationship") or "").lower()
    direct = True if rel == "direct" else False if rel in ("indirect", "transitive") else \
        (not v["Indirect"]) if isinstance(v.get("Indirect"), bool) else None
    if direct is not None:
        f["dependency"] = {"direct": direct}
    return f


def _finding(v: dict, vid, target: str | None, pkg: dict | None) -> dict:
    return base.finding(
        tool="trivy",
        rule_id=vid,
        title=v.get("Title") or vid,
        description=v.get("Description"),
        kind="dependency",
        severity_value=base.severity(v.get("Severity")),
        cwe=base.cwe_ids(v.get("CweIDs")),
        cve=base.cve_ids(vid),
        ghsa=base.ghsa_ids(vid, v.get("References")),
        location_value=base.location(v.get("PkgPath") or target),
        package_value=pkg,
        fix_hint=f"Upgrade {pkg['name']} to {pkg['fixed_version']}" if pkg and pkg["fixed_version"] else None,
        references=[v.get("PrimaryURL")] + list(v.get("References") or [])[:5],
        aliases=[vid] + [i for i in v.get("VendorIDs") or [] if isinstance(i, str)],
    )


def _misconfiguration(m: dict, target: str | None) -> dict:
    cause = m.get("CauseMetadata") or {}
    lines = ((cause.get("Code") or {}).get("Lines")) or []
    snippet = "\n".join(str(l.get("Content", "")) for l in lines if isinstance(l, dict)) or None
    return base.finding(
        tool="trivy",
        rule_id=m.get("ID") or m.get("AVDID"),
        title=m.get("Title"),
        description="\n".join(x for x in (m.get("Description"), m.get("Message")) if x),
        kind="config",
        severity_value=base.severity(m.get("Severity")),
        location_value=base.location(target, cause.get("StartLine"), cause.get("EndLine")),
        snippet=snippet,
        fix_hint=m.get("Resolution"),
        references=[m.get("PrimaryURL")] + list(m.get("References") or []),
    )


def _secret(s: dict, target: str | None) -> dict:
    f = base.finding(
        tool="trivy",
        rule_id=s.get("RuleID"),
        title=s.get("Title") or s.get("RuleID"),
        description=f"{s.get('Category', 'Secret')} secret ({s.get('Title', s.get('RuleID'))}) committed in {target}",
        kind="secret",
        severity_value=base.severity(s.get("Severity"), default="high"),
        cwe=["CWE-798"],
        location_value=base.location(target, s.get("StartLine"), s.get("EndLine")),
        snippet=s.get("Match"),
        fix_hint="Revoke and rotate the credential, remove it from the file and its history, and load it from a vault or an environment variable instead.",
    )
    return redact_finding(f, [s.get("Secret") or ""])
