"""Records by package, from the OSV API, for findings whose own ids found no record naming the package.

A Trivy or Grype finding often carries only a CVE id, and ``/v1/vulns/CVE-…``
answers with the CVE's own record (no package), not the GHSA/PYSEC record
that has the ranges.  So, once per build, the packages still without a
record go to ``/v1/querybatch`` (package only, no version: every advisory
of the package), and the records whose id or aliases meet the finding's ids
are fetched (cached) and used as if the finding had named them.  Distro
packages are left out: their OSV ecosystem needs the release ("Debian:10").
"""

from __future__ import annotations

from tasks.findings.model import Package, as_package
from tasks.triage.versions import entries_for, family

OSV_ECOSYSTEM = {"npm": "npm", "pypi": "PyPI", "maven": "Maven", "golang": "Go", "cargo": "crates.io", "gem": "RubyGems",
                 "nuget": "NuGet", "composer": "Packagist"}


def osv_package(pkg: Package | dict) -> tuple[str, str] | None:
    pkg = as_package(pkg)
    eco = OSV_ECOSYSTEM.get(family(pkg.ecosystem) or "")
    name = str(pkg.name or "")
    if not eco or not name:
        return None
    if eco == "Maven" and ":" not in name:
        if not pkg.group:
            return None
        name = f"{pkg.group}:{name}"
    return eco, name


def prefetch(judge, findings: list[dict], ids_of) -> int:
    """Fill ``judge.by_package`` with OSV records for packages no record names yet; returns how many were asked."""
    if judge.client is None:
        return 0
    wanted: dict[tuple[str, str], set[str]] = {}
    for f in findings:
        pkg = f.package
        if f.kind != "dependency" or not pkg:
            continue
        key = osv_package(pkg)
        ids = ids_of(f)
        if key is None or not ids or entries_for(pkg, judge.records(ids))[0]:
            continue
        wanted.setdefault(key, set()).update(ids)
    keys = sorted(wanted)
    if not keys:
        return 0
    answers = judge.client.query_batch([(eco, name, None) for eco, name in keys])
    for key, vuln_ids in zip(keys, answers):
        complete = vuln_ids is not None
        for vid in vuln_ids or []:
            rec = judge.client.get(vid)
            complete = complete and rec is not None
            if rec and ({rec["id"], *(rec.get("aliases") or [])} & wanted[key]):
                judge.by_package.setdefault(key, []).append(rec)
        if complete:  # OSV's full list for the package, every record read: an id absent from it is another product's
            judge.osv_answered[key] = len(vuln_ids)
    return len(keys)
