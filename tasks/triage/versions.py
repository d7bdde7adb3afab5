"""Checks 1-3: the installed version against the advisory record, the record's ecosystem, the report itself.

1. ``affected``: is the installed version inside one of the record's
   ``affected[].ranges`` (ECOSYSTEM/SEMVER events) or ``versions`` for this
   package?  Ordering is univers' per ecosystem (tasks.parsers.versions):
   npm/crates.io SemVer, PEP 440, Maven, Go, RubyGems, NuGet, Debian/Ubuntu
   and RPM with epochs, Alpine ``-r``.  A version univers cannot parse is
   never "outside" a range: it is unknown.
2. ``ecosystem``: the records name packages, but none in this finding's
   ecosystem (a Jira-server CVE on npm ``jira``).  Distro records name the
   source package (glibc for libc6), so a distro name that differs is
   unknown, not a mismatch.
3. ``report``: the report's own fixed versions are all at or below the
   installed one, or the one it names for the installed release line is
   (protobuf 3.20.3 against '3.19.5, 3.20.2, 4.21.6'): the scanner
   contradicts itself.

Each answer is (status, evidence, fixed version of the installed line).
"""

from __future__ import annotations

import re
from typing import Callable

from tasks.findings.model import Package, as_package
from tasks.findings.versions import _intervals, fix_from_osv_ranges, scheme, sort_key

DISTRO = {"deb", "apk", "rpm"}
_EXTRA = {"red hat": "rpm", "almalinux": "rpm", "rocky linux": "rpm", "mageia": "rpm", "openeuler": "rpm",
          "bitnami": None, "git": None, "linux": None}


def family(ecosystem) -> str | None:
    """The version scheme that stands for an ecosystem name (report's or record's): 'pypi', 'deb', ..."""
    if not ecosystem:
        return None
    word = str(ecosystem).strip().lower()
    base = word.split(":")[0].strip()
    if base in _EXTRA:
        return _EXTRA[base]
    return scheme(base)


def norm_name(name: str, fam: str | None) -> str:
    name = str(name or "").strip()
    if fam == "pypi":
        return re.sub(r"[-_.]+", "-", name).lower()
    return name.lower()


def names_match(pkg: Package | dict, rec_name: str, fam: str | None) -> bool:
    pkg = as_package(pkg)
    mine, theirs = norm_name(pkg.name, fam), norm_name(rec_name, fam)
    if mine == theirs:
        return True
    if fam == "maven":  # record: group:artifact; report: artifact (group apart) or group:artifact
        group = norm_name(pkg.group or "", fam)
        if ":" in theirs and ":" not in mine:
            g, a = theirs.rsplit(":", 1)
            return a == mine and (not group or group == g)
        return False
    if fam == "golang":  # a package inside the module, or the module of the package
        return mine.startswith(theirs + "/") or theirs.startswith(mine + "/")
    return False


def _source_name(pkg: Package | dict) -> str | None:
    """A distro package's source package, from its purl (``upstream=glibc``), which distro advisories name."""
    pkg = as_package(pkg)
    m = re.search(r"[?&]upstream=([^&#@]+)", str(pkg.purl or ""))
    return m.group(1).split("%40")[0].split("@")[0].lower() if m else None


def compare(a: str, b: str, key: Callable[[str], tuple]) -> int | None:
    """-1/0/1 when univers orders both versions, else None."""
    ka, kb = key(a), key(b)
    if ka[0] != 1 or kb[0] != 1:
        return None
    try:
        return -1 if ka[1] < kb[1] else (1 if kb[1] < ka[1] else 0)
    except TypeError:
        return None


def _range_text(lo: str, hi: str | None, kind: str) -> str:
    parts = [] if lo in ("0", "") else [f">={lo}"]
    if hi is not None:
        parts.append(f"<{hi}" if kind == "fixed" else f"<={hi}")
    return ",".join(parts) or "all versions"


def _inside(v: str, lo: str, hi: str | None, kind: str, key) -> bool | None:
    if lo not in ("0", ""):
        c = compare(v, lo, key)
        if c is None:
            return None
        if c < 0:
            return False
    if hi is None:
        return True
    c = compare(v, hi, key)
    if c is None:
        return None
    return c < 0 if kind == "fixed" else c <= 0


def entries_for(pkg: Package | dict, records: list[dict]) -> tuple[list[tuple[dict, dict]], set[str], bool]:
    """(record, affected entry) pairs for this package; the families the records name; whether a distro name differed."""
    pkg = as_package(pkg)
    fam = family(pkg.ecosystem)
    pairs, families, distro_other = [], set(), False
    for rec in records:
        for aff in rec.get("affected") or []:
            p = (aff or {}).get("package") if isinstance(aff, dict) else None
            if not isinstance(p, dict) or not p.get("name"):
                continue
            rfam = family(p.get("ecosystem"))
            families.add(rfam or str(p.get("ecosystem")))
            if rfam == fam and (names_match(pkg, p["name"], fam) or fam in DISTRO and _source_name(pkg) == norm_name(p["name"], fam)):
                pairs.append((rec, aff))
            elif rfam == fam and fam in DISTRO:
                distro_other = True
    return pairs, families, distro_other


def check_record(pkg: Package | dict, records: list[dict]) -> dict | None:
    """Checks 1 and 2: {"check", "status": affected|not_affected|mismatch|unknown, "evidence", "fixed"} or None."""
    pkg = as_package(pkg)
    live = [r for r in records if not r.get("withdrawn")]
    if records and not live:
        r = records[0]
        return {"check": "advisory", "status": "not_affected", "fixed": None,
                "evidence": f"withdrawn: the advisory {r['id']} was withdrawn on {str(r['withdrawn'])[:10]}"}
    pairs, families, distro_other = entries_for(pkg, live)
    fam = family(pkg.ecosystem)
    name, version = pkg.name, pkg.version
    ids = ", ".join(sorted({r["id"] for r in live}))
    if not pairs:
        if not families or fam is None or distro_other or fam in DISTRO and not families - DISTRO - {None}:
            return None
        named = sorted({f"{(a.get('package') or {}).get('ecosystem')} {(a.get('package') or {}).get('name')}"
                        for r in live for a in r.get("affected") or [] if isinstance(a, dict) and a.get("package")})
        if fam in families:
            return {"check": "ecosystem", "status": "other_package", "fixed": None,
                    "evidence": f"{ids} names {', '.join(named[:4])}, not {name} by that name: check it is the same package"}
        return {"check": "ecosystem", "status": "mismatch", "fixed": None,
                "evidence": f"ecosystem mismatch: {ids} affects {', '.join(named[:4])}, not the "
                            f"{pkg.ecosystem} package {name}"}
    if version:
        line_fix = fix_from_osv_ranges(version, [aff for _rec, aff in pairs], pkg.ecosystem)[0]
    if not version:
        return {"check": "advisory", "status": "unknown", "fixed": None,
                "evidence": f"{ids} covers {name}, but the report gives no installed version to check against its ranges"}
    key = sort_key(fam)
    outside, unknown, hits = [], False, []
    for rec, aff in pairs:
        listed = [str(v) for v in aff.get("versions") or []]
        if version in listed:
            hits.append((rec, None))
        ranges = [r for r in aff.get("ranges") or [] if isinstance(r, dict) and str(r.get("type", "")).upper() != "GIT"]
        if not ranges and not listed:
            unknown = True
        for rng in ranges:
            for lo, hi, kind in _intervals(rng.get("events") or []):
                inside = _inside(version, lo, hi, kind, key)
                if inside is None:
                    unknown = True
                elif inside:
                    hits.append((rec, (lo, hi, kind)))
                else:
                    outside.append(_range_text(lo, hi, kind))
        if listed and not ranges and version not in listed:
            outside.append("the listed versions " + ", ".join(listed[:5]) + (" ..." if len(listed) > 5 else ""))
    if hits:  # the range that gives this line's fix is the evidence, else the first range (or list) containing it
        rec, rng = next((h for h in hits if h[1] and h[1][1] == line_fix), next((h for h in hits if h[1]), hits[0]))
        where = f"inside {_range_text(*rng)}" if rng else "listed"
        return {"check": "advisory", "status": "affected", "fixed": line_fix,
                "evidence": f"affected: {name} {version} is {where} ({rec['id']})"
                            + (f"; fixed in {line_fix} on this line" if line_fix else "; no fixed version on this line")}
    if unknown or not outside:
        return {"check": "advisory", "status": "unknown", "fixed": None,
                "evidence": f"{ids}: {name} {version} could not be compared with every range of the record"}
    shown = " and ".join(dict.fromkeys(outside))
    return {"check": "advisory", "status": "not_affected", "fixed": None,
            "evidence": f"not affected: {version} is outside {shown} ({ids}, {pkg.ecosystem} {name})"}


_CLAUSE = re.compile(r"^\s*(<=|>=|<|>|==|=|!=)?\s*v?([^\s,]+)\s*$")


def _holds(version: str, clause: str, key) -> bool | None:
    m = _CLAUSE.match(clause)
    if not m:
        return None
    op, bound = m.group(1) or "=", m.group(2)
    c = compare(version, bound, key)
    if c is None:
        return None
    return {"<": c < 0, "<=": c <= 0, ">": c > 0, ">=": c >= 0, "=": c == 0, "==": c == 0, "!=": c != 0}[op]


def check_constraint(pkg: Package | dict, constraint: str | None) -> dict | None:
    """Check 3b: the installed version is outside the constraint the scanner itself says it matched
    (grype's CPE matches compare 'unknown' version formats loosely; univers per ecosystem does not)."""
    pkg = as_package(pkg)
    version = pkg.version
    if not version or not constraint:
        return None
    text = re.sub(r"\s*\([^)]*\)\s*$", "", constraint).strip()
    if not text or text.lower().startswith("none"):
        return None
    key = sort_key(family(pkg.ecosystem))
    results = []
    for alternative in text.split("||"):
        clauses = [c for c in alternative.split(",") if c.strip()]
        held = [_holds(str(version), c, key) for c in clauses]
        if any(h is None for h in held) or not held:
            return None  # a clause we cannot decide: no verdict from it
        results.append(all(held))
    if any(results):
        return None
    return {"check": "report", "status": "contradiction", "fixed": None,
            "evidence": f"the scanner contradicts itself: {version} is outside the constraint it matched ({text})"}


def check_report(pkg: Package | dict) -> dict | None:
    """Check 3: every fixed version the report names is at or below the installed one."""
    pkg = as_package(pkg)
    version = pkg.version
    fixes = [str(v) for v in pkg.fixed_versions or ([pkg.fixed_version] if pkg.fixed_version else [])]
    if not version or not fixes:
        return None
    fam = family(pkg.ecosystem)
    key = sort_key(fam)
    order = [compare(f, str(version), key) for f in fixes]
    if any(o is None for o in order):
        return None
    if not all(o <= 0 for o in order):
        line = _line_fix(str(version), fixes, key) if len(fixes) > 1 and fam not in DISTRO else None
        if line:
            return {"check": "report", "status": "contradiction", "fixed": None,
                    "evidence": f"not affected by the scanner's own data: of the fixed versions it names ({', '.join(fixes)}), "
                                f"{line} is the fix on the installed {version}'s release line, and it is not above {version}"}
        return None
    which = fixes[0] if len(fixes) == 1 else ", ".join(fixes)
    return {"check": "report", "status": "contradiction", "fixed": None,
            "evidence": f"the scanner contradicts itself: it names {which} as the fixed version, "
                        f"which is not above the installed {version}"}


_LINE = re.compile(r"^v?(\d+)\.(\d+)")


def _line_fix(version: str, fixes: list[str], key) -> str | None:
    """The fix of the installed release line when the report names one fix per line (protobuf
    '3.19.5, 3.20.2, 4.21.6'; ansi-regex '3.0.1, 4.1.1, 5.0.1'), if it is at or below the installed
    version and no later fix on that line exists.  The line is the major version, or major.minor when
    the report names several fixes in the same major.  None when the lines cannot be told apart."""
    mine = _LINE.match(version)
    parsed = [(f, _LINE.match(f)) for f in fixes]
    if not mine or any(m is None for _, m in parsed):
        return None
    same_major = [(f, m) for f, m in parsed if m.group(1) == mine.group(1)]
    if len({m.group(2) for _, m in same_major}) > 1:
        same_major = [(f, m) for f, m in same_major if m.group(2) == mine.group(2)]
    if len(same_major) != 1:
        return None
    fix = same_major[0][0]
    return fix if compare(fix, version, key) in (-1, 0) else None
