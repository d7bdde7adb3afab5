"""npm audit JSON: npm 6 (``advisories``) and npm 7+ (``vulnerabilities``)."""

from __future__ import annotations

import re
from typing import Any

from tasks.core.errors import SecftError
from tasks.findings import versions
from tasks.findings.parsers import base

_GE = re.compile(r">=\s*v?([0-9][^\s,|<>]*)")
_LT = re.compile(r"<\s*v?([0-9][^\s,|<>=]*)")


def detect(doc: Any) -> bool:
    if not isinstance(doc, dict):
        return False
    if "auditReportVersion" in doc and isinstance(doc.get("vulnerabilities"), dict):
        return True
    if isinstance(doc.get("advisories"), dict) and ("actions" in doc or "metadata" in doc):
        return True
    err = doc.get("error")
    return isinstance(err, dict) and "code" in err and "summary" in err and len(doc) == 1


def count_raw(doc: dict) -> int:
    if "error" in doc and len(doc) == 1:
        return 0
    return len(doc.get("advisories") or doc.get("vulnerabilities") or {})


def parse(doc: dict) -> list[dict]:
    if "error" in doc and len(doc) == 1:
        err = doc["error"]
        raise SecftError(f"npm audit reported an error instead of results: {err.get('code')}: {err.get('summary')}")
    if "advisories" in doc:
        return [_v6(a) for a in doc["advisories"].values()]
    return [_v7(name, v) for name, v in doc["vulnerabilities"].items()]


def _with_dependency(f: dict, info: dict) -> dict:
    """Attach how the package is depended on, when the report says anything about it."""
    info = {k: v for k, v in info.items() if v not in (None, [])}
    if info:
        f["dependency"] = info
    return f


def _v6(a: dict) -> dict:
    found = [x for x in a.get("findings") or [] if isinstance(x, dict)]
    paths = sorted({str(p) for x in found for p in x.get("paths") or []})
    devs = {bool(x.get("dev")) for x in found if "dev" in x}
    info = {"dev": devs.pop() if len(devs) == 1 else None,  # mixed: some path ships, so not dev-only
            "direct": (all(">" not in p for p in paths) if paths else None), "paths": paths[:5]}
    return _with_dependency(_v6_finding(a), info)


def _v6_finding(a: dict) -> dict:
    patched = str(a.get("patched_versions") or "")
    installed = sorted({str(f.get("version")) for f in a.get("findings") or [] if f.get("version")})
    fixes = _GE.findall(patched)
    pkg = base.package(a.get("module_name"), installed[0] if len(installed) == 1 else None, ecosystem="npm", fixes=fixes)
    if patched.strip() == "<0.0.0" and pkg:  # npm's way of saying "no patched version"
        pkg["fix_status"] = versions.NONE
    return base.finding(
        tool="npm-audit",
        rule_id=str(a.get("github_advisory_id") or a.get("id")),
        title=f"{a.get('title')} in {a.get('module_name')}",
        description=str(a.get("overview") or "") + (f"\n\nInstalled versions: {', '.join(installed)}" if len(installed) > 1 else ""),
        kind="dependency",
        severity_value=base.severity(a.get("severity")),
        cwe=base.cwe_ids(a.get("cwe")),
        cve=base.cve_ids(a.get("cves")),
        ghsa=base.ghsa_ids(a.get("github_advisory_id"), a.get("url")),
        package_value=pkg,
        aliases=base.ghsa_ids(a.get("github_advisory_id"), a.get("url")) + base.cve_ids(a.get("cves")),
        fix_hint=a.get("recommendation"),
        references=[a.get("url")] + [l for l in str(a.get("references") or "").split() if l.startswith("http")][:3],
    )


def _v7(name: str, v: dict) -> dict:
    direct = v.get("isDirect")
    return _with_dependency(_v7_finding(name, v), {"direct": direct if isinstance(direct, bool) else None})


def _v7_finding(name: str, v: dict) -> dict:
    advisories = [x for x in v.get("via") or [] if isinstance(x, dict)]
    via_names = [x for x in v.get("via") or [] if isinstance(x, str)]
    fix = v.get("fixAvailable")
    # npm 7+ gives no installed version: "range" is the *vulnerable* range, never a version
    advisory_fixes = versions.split_list([m for x in advisories for m in _LT.findall(str(x.get("range") or ""))])
    if isinstance(fix, dict):
        hint = f"Upgrade {fix.get('name')} to {fix.get('version')}" + (" (semver-major)" if fix.get("isSemVerMajor") else "")
        fixed = fix.get("version") if fix.get("name") == name else None
    elif fix is True:
        hint, fixed = "Run `npm audit fix`", None
    else:
        hint, fixed = None, None
    if not fixed and len(advisory_fixes) == 1:
        fixed = advisory_fixes[0]  # the one advisory's first unaffected version above the vulnerable range
    status = versions.FIXED if fixed else versions.NONE if fix is False else versions.UNKNOWN
    listed = advisory_fixes + ([fixed] if fixed and fixed not in advisory_fixes else [])
    pkg = base.package(name, None, fixed, "npm", status=status, all_fixes=listed)
    titles = [x.get("title") for x in advisories if x.get("title")]
    desc = "; ".join(f"{x.get('title')} ({x.get('url')}, affects {x.get('range')})" for x in advisories)
    if via_names:
        desc = (desc + "; " if desc else "") + "vulnerable through dependencies: " + ", ".join(via_names)
    return base.finding(
        tool="npm-audit",
        rule_id=",".join(sorted(str(x.get("source")) for x in advisories)) or f"via:{','.join(via_names)}",
        title=(titles[0] if titles else f"{name} depends on vulnerable {', '.join(via_names)}"),
        description=desc,
        kind="dependency",
        severity_value=base.severity(v.get("severity")),
        cwe=base.cwe_ids([x.get("cwe") for x in advisories]),
        ghsa=base.ghsa_ids([x.get("url") for x in advisories]),
        package_value=pkg,
        aliases=base.ghsa_ids([x.get("url") for x in advisories]),
        location_value=base.location((v.get("nodes") or [None])[0]),
        fix_hint=hint,
        references=[x.get("url") for x in advisories],
    )
