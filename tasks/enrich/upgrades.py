"""A dependency finding's fix, as the stage-1 analysis words it (split from tasks.enrich.narrative).

The upgrade names the installed and fixed versions and who names the fix
(the advisory record for the installed line, else the report); a major or a
0.x minor crossed says it breaks; a pre-release fix (pip-audit's twisted
20.3.0rc1) points to its final release; npm audit's several installed lines
are not told to jump to the newest major; npm's own bundled copy is fixed
through npm; an OS package without a fix is rebuilt on the base image; a
malicious release is removed, not upgraded.
"""

from __future__ import annotations

import re
from dataclasses import replace

from tasks.enrich.analysis import _advisory_ids, version_like
from tasks.findings.model import Finding, Package, as_finding
from tasks.fixes.ecosystems import NPM_BUNDLED
from tasks.triage.output import fix_origin

_OS_ECOSYSTEMS = {"deb", "debian", "ubuntu", "apk", "alpine", "rpm", "redhat", "centos", "rocky", "amazon", "os"}


def _pre_release(version: str | None) -> str | None:
    """The final release a pre-release leads to ("20.3.0rc1" -> "20.3.0"), or None for a final release."""
    from packaging.version import InvalidVersion, Version

    try:
        v = Version(str(version or ""))
    except InvalidVersion:
        return None
    return v.base_version if v.is_prerelease else None


def _installed_versions(f: Finding) -> list[str]:
    """npm audit's "Installed versions: 3.0.0, 4.1.0" (several copies, no single installed version)."""
    m = re.search(r"Installed versions?: ([^\n]+)", f.description or "")
    return [v.strip() for v in m.group(1).split(",") if version_like(v.strip())] if m else []


def _major(version: str | None) -> str | None:
    m = re.match(r"^v?(\d+)\.(\d+)", str(version or ""))
    return None if not m else (m.group(1) if m.group(1) != "0" else f"0.{m.group(2)}")


def is_malicious(f: Finding | dict) -> bool:
    """A malicious-package advisory (OSV ``MAL-`` ids, CWE-506): removal, not an upgrade."""
    f = as_finding(f)
    ids = [str(f.rule_id or "")] + [str(a) for a in f.aliases or []]
    return any(i.startswith("MAL-") for i in ids) or "CWE-506" in (f.cwe or [])


def dependency_fix(f: Finding, hint: str | None) -> list[str]:
    """The fix lines of a dependency finding: the upgrade for the installed line (with its breaking-change and
    pre-release notes), npm's own copy, an OS package without a fix, a malicious release."""
    fix: list[str] = []
    p = replace(f.package) if f.package else Package(name="")  # a copy: the junk-version fix below stays local
    if p.fixed_version and not version_like(p.fixed_version):
        if hint and p.fixed_version in hint:
            hint = None  # "Upgrade redis to fix_1": the scanner's text carries the same junk
        p.fixed_version, p.fix_status = None, "unknown"
    if is_malicious(f):
        return [f"This release of {(p.name or 'the package')} is malicious code ({_advisory_ids(f)}), not a bug with a "
                "fix to wait for: remove it from the manifest and the lockfile now, treat machines and CI runners that "
                "installed it as compromised (rotate the credentials they held), and find out how it came in."]
    status = p.fix_status or ("fixed" if p.fixed_version else "unknown")
    if NPM_BUNDLED.search(f.path or "") and p.name:  # npm's own copy: the app's manifest cannot reach it, fix or not
        from tasks.fixes.dependencies import npm_bundled

        return [npm_bundled(p.name, p.fixed_version)]
    if not p.name:
        return [f"The report names no package, so {_advisory_ids(f)} concerns the scanned code itself or a vendored "
                "copy of it: compare its version with the advisory's affected range and apply the upstream fix "
                "that the references point to."]
    if p.fixed_version:
        if p.version:
            text = (f"Upgrade {p.name} from {p.version} to {p.fixed_version}, "
                    f"{fix_origin(p)} for {_advisory_ids(f)}.")
        elif len(p.fixed_versions or []) > 1:  # one fix per release line, installed version unknown
            text = (f"The advisory ({_advisory_ids(f)}) lists fixed releases {', '.join(p.fixed_versions)}, one per "
                    f"release line, and the report does not say which {p.name} is installed: find it (`npm ls "
                    f"{p.name}` or the lockfile) and upgrade to the fixed release of that line.")
        else:  # npm audit without the installed version: its proposal may be a downgrade of a major line
            text = f"Move {p.name} to {p.fixed_version}, the version the report proposes for {_advisory_ids(f)}."
            installed = _installed_versions(f)
            other = [v for v in installed if _major(v) != _major(p.fixed_version)]
            if other:  # npm audit proposes the newest major; an older installed line usually has its own fix
                text = (f"The report lists installed {p.name} {', '.join(installed)} and proposes {p.fixed_version} "
                        f"for {_advisory_ids(f)}, another major than {', '.join(other)}: the advisory's patched "
                        f"versions usually include a fix on each of those lines, which is the smaller upgrade; "
                        f"moving to {p.fixed_version} crosses a major version, so check its breaking changes.")
        pre = _pre_release(p.fixed_version)
        if pre and p.version:  # pip-audit names twisted's first fixed release 20.3.0rc1: pin no release candidate
            text = (f"Upgrade {p.name} from {p.version} to the final release {pre} or later: "
                    f"{fix_origin(p)} for {_advisory_ids(f)} is {p.fixed_version}, a pre-release of it.")
        from tasks.fixes.dependencies import major_crossing

        crossing = major_crossing(p.version, p.fixed_version)
        text += (" " + crossing.format(name=p.name)) if crossing else ""
        hint_text = f.fix_hint or ""
        if "semver-major" in hint_text and re.search(rf"(?<![\w-]){re.escape(p.name)}(?![\w-])", hint_text):
            text += " It is a semver-major change: check the release notes for breaking changes before merging."
        fix.append(text)
    elif status == "none published" and str(p.ecosystem or "").lower() in _OS_ECOSYSTEMS:
        fix.append(f"No fixed version of {(p.name or 'the package')} is published by the distribution as of the scan "
                   f"({_advisory_ids(f)}). Rebuild on the base image update that fixes it once it is out; until then check "
                   "whether the image needs the package at all (base-system packages cannot be removed) and whether the "
                   "vulnerable feature is reachable in the container.")
    elif status == "none published":
        fix.append(f"No fixed version of {(p.name or 'the package')} is published as of the scan. Mitigate: remove the "
                   f"dependency if it is unused, avoid or isolate the affected feature ({_advisory_ids(f)}), or replace the "
                   "package, and watch the advisory for a release.")
    elif hint and "guideline" not in hint:
        return [f"The report names no fixed version of {(p.name or 'the package')} itself. {hint}"]
    else:
        fix.append(f"The report names no fixed version of {(p.name or 'the package')}; check the advisory "
                   f"({_advisory_ids(f)}) for one before upgrading, and meanwhile whether the feature it names is used.")
    if hint and p.fixed_version and p.fixed_version in hint and not re.search(
            r"\bUpgrade (?!(?:" + re.escape(p.name or "") + r"|to)\b)", hint):
        hint = None  # the scanner's "Upgrade X to V" again
    return fix + ([hint] if hint and "guideline" not in hint else [])
