"""Which fixed version fits the installed one - with real version semantics.

Advisories list one fix per release line (logback 1.3.15 and 1.5.13; netty
4.1.124.Final and 4.2.4.Final) and sometimes per flavour (guava -jre and
-android).  The right answer for a user is the fix on *their* line: the
affected range that contains the installed version, or else the smallest
listed fix above it, with the installed flavour, stable before pre-release.
An invented version is worse than none, so when nothing fits we say so
(``fixed_version: None``) instead of guessing.

Ordering uses ``univers`` (the package-URL / VulnerableCode version library)
because every ecosystem compares differently: Maven qualifiers, Debian
epochs and tildes, Alpine ``-r`` suffixes, RPM releases, PEP 440, SemVer
pre-releases.  String splitting gets several of those wrong.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Callable, Iterable

from univers.version_range import RANGE_CLASS_BY_SCHEMES

FIXED, NONE, UNKNOWN = "fixed", "none published", "unknown"

_SCHEMES = {
    "maven": "maven", "jar": "maven", "java-archive": "maven", "pom": "maven", "gradle": "maven", "java": "maven",
    "npm": "npm", "node-pkg": "npm", "yarn": "npm", "pnpm": "npm", "javascript": "npm",
    "pypi": "pypi", "pip": "pypi", "python": "pypi", "python-pkg": "pypi", "poetry": "pypi", "pipenv": "pypi",
    "go": "golang", "golang": "golang", "gomod": "golang", "gobinary": "golang", "go-module": "golang",
    "cargo": "cargo", "crates.io": "cargo", "rust-crate": "cargo", "rust": "cargo",
    "deb": "deb", "debian": "deb", "ubuntu": "deb", "dpkg": "deb",
    "apk": "apk", "alpine": "apk", "wolfi": "apk", "chainguard": "apk",
    "rpm": "rpm", "redhat": "rpm", "centos": "rpm", "rhel": "rpm", "amazon": "rpm", "rocky": "rpm",
    "alma": "rpm", "oracle": "rpm", "suse": "rpm", "opensuse": "rpm", "fedora": "rpm", "photon": "rpm",
    "nuget": "nuget", "dotnet": "nuget", "dotnet-core": "nuget",
    "gem": "gem", "rubygems": "gem", "bundler": "gem", "gemspec": "gem",
    "composer": "composer", "packagist": "composer",
}
_PRE = re.compile(r"(?i)(?:^|[.\-_+~]|(?<=\d))(alpha|beta|rc|cr|milestone|snapshot|dev|preview|pre|ea|m\d+|a\d+|b\d+)(?:[.\-_]?\d+)*$")
_PRE_ANY = re.compile(r"(?i)[.\-_+~](alpha|beta|rc|cr|milestone|snapshot|preview|ea)\b|-snapshot|\.dev\d*|-m\d+\b")
_FLAVOUR = re.compile(r"[.\-]([A-Za-z][A-Za-z]*)$")
_PARALLEL_FLAVOURS = {"jre", "android"}  # guava publishes every release in both flavours


def scheme(ecosystem: Any) -> str | None:
    if not ecosystem:
        return None
    word = str(ecosystem).strip().lower()
    return _SCHEMES.get(word) or _SCHEMES.get(word.split(":")[0]) or _SCHEMES.get(word.split()[0] if word.split() else "")


def _natural(v: str) -> tuple:
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p.lower()) for p in re.split(r"[.\-+_~:]", v) if p)


@lru_cache(maxsize=4096)
def _key(version: str, scheme_name: str | None) -> tuple:
    """A sort key; univers when it parses the version, natural order otherwise (kept apart)."""
    cls = RANGE_CLASS_BY_SCHEMES.get(scheme_name or "")
    if cls is not None:
        try:
            return (1, cls.version_class(version.lstrip("vV") if scheme_name == "golang" else version))
        except Exception:  # univers raises several types for unparsable versions
            pass
    return (0, _natural(version))


def sort_key(ecosystem: Any) -> Callable[[str], tuple]:
    name = scheme(ecosystem)
    return lambda v: _key(str(v), name)


def _lt(a: str, b: str, key: Callable[[str], tuple]) -> bool | None:
    ka, kb = key(a), key(b)
    if ka[0] != kb[0]:
        ka, kb = (0, _natural(a)), (0, _natural(b))
    try:
        return ka < kb
    except TypeError:
        return None


def is_prerelease(version: str) -> bool:
    flavour = flavour_of(version)
    if flavour and flavour.lower() in ("final", "release", "ga", "jre", "android"):
        return False
    return bool(_PRE.search(version) or _PRE_ANY.search(version))


def flavour_of(version: Any) -> str | None:
    """A trailing word that names a variant, not a pre-release: ``jre``, ``android``, ``Final``."""
    m = _FLAVOUR.search(str(version or ""))
    if not m:
        return None
    word = m.group(1)
    if word.lower() in ("alpha", "beta", "rc", "cr", "snapshot", "dev", "preview", "pre", "ea", "milestone"):
        return None
    return word


def split_list(value: Any) -> list[str]:
    """Trivy's "1.2.3, 1.3.4" and similar lists as separate versions."""
    if value in (None, ""):
        return []
    items = value if isinstance(value, (list, tuple)) else re.split(r"\s*[,|]\s*|\s+or\s+", str(value))
    out: list[str] = []
    for item in items:
        text = str(item).strip().lstrip("=>^~ v") if item is not None else ""
        text = text.split()[0] if text.split() else ""
        if text and text not in out:
            out.append(text)
    return out


def choose_fix(installed: Any, fixes: Iterable[Any], ecosystem: Any = None) -> tuple[str | None, str]:
    """(fixed version, fix_status) from a flat list of advisory fixes."""
    fixes = [str(f) for f in fixes if f not in (None, "")]
    if not fixes:
        return None, NONE
    key = sort_key(ecosystem)
    if installed in (None, ""):
        return (fixes[0], FIXED) if len(fixes) == 1 else (None, UNKNOWN)
    installed = str(installed)
    above = [f for f in fixes if _lt(installed, f, key)]
    if not above:
        return None, UNKNOWN  # every listed fix is at or below what is installed: data we cannot trust
    return _best(installed, above, key), FIXED


def _best(installed: str, candidates: list[str], key: Callable[[str], tuple]) -> str | None:
    want = flavour_of(installed)
    same = [c for c in candidates if flavour_of(c) == want]
    if not same and want and want.lower() in _PARALLEL_FLAVOURS:
        # only the other flavour is listed: the same release exists in the installed flavour
        same = [c[: -len(flavour_of(c))] + want for c in candidates if (flavour_of(c) or "").lower() in _PARALLEL_FLAVOURS]
    pool = same or [c for c in candidates if (flavour_of(c) or "").lower() not in _PARALLEL_FLAVOURS] or candidates
    stable = [c for c in pool if not is_prerelease(c)]
    pool = stable or pool
    best = pool[0]
    for c in pool[1:]:
        if _lt(c, best, key):
            best = c
    return best


def fix_from_osv_ranges(installed: Any, affected: Iterable[dict], ecosystem: Any = None) -> tuple[str | None, str, list[str]]:
    """OSV ``affected[].ranges[].events``: the fix of the range containing ``installed``.

    Returns (fixed version, fix_status, every fix listed).  GIT ranges (commit
    hashes) are skipped; if no range contains the installed version the
    flat-list rule of ``choose_fix`` decides.
    """
    key = sort_key(ecosystem)
    affected = list(affected)
    all_fixes: list[str] = []
    containing: list[str | None] = []
    for aff in affected:
        for rng in aff.get("ranges") or [] if isinstance(aff, dict) else []:
            if not isinstance(rng, dict) or str(rng.get("type", "")).upper() == "GIT":
                continue
            for lo, hi, kind in _intervals(rng.get("events") or []):
                if hi and kind == "fixed" and hi not in all_fixes:
                    all_fixes.append(hi)
                if installed in (None, "") or not _inside(str(installed), lo, hi, kind, key):
                    continue
                containing.append(hi if kind == "fixed" else None)
    if containing:
        fixes = [c for c in containing if c]
        if not fixes:
            return None, NONE, all_fixes
        best = _best(str(installed), fixes, key)
        if is_prerelease(best):  # a stable release above it that no range affects is the better upgrade
            stable = [f for f in all_fixes if not is_prerelease(f) and _lt(str(installed), f, key)
                      and not _affected(f, affected, key)]
            best = _best(str(installed), stable, key) if stable else best
        return best, FIXED, all_fixes
    if not all_fixes and not any(_ranges(aff) for aff in affected):
        return None, UNKNOWN, all_fixes  # the advisory says nothing about this package: not "none published"
    fixed, status = choose_fix(installed, all_fixes, ecosystem)
    return fixed, status, all_fixes


def _ranges(aff: Any) -> list:
    return [r for r in (aff.get("ranges") or [] if isinstance(aff, dict) else []) if isinstance(r, dict)]


def _affected(version: str, affected: Iterable[dict], key: Callable[[str], tuple]) -> bool:
    """Is ``version`` inside any non-GIT range of the advisory?"""
    for aff in affected:
        for rng in _ranges(aff):
            if str(rng.get("type", "")).upper() == "GIT":
                continue
            if any(_inside(version, lo, hi, kind, key) for lo, hi, kind in _intervals(rng.get("events") or [])):
                return True
    return False


def _intervals(events: list) -> list[tuple[str, str | None, str]]:
    """(introduced, end, "fixed"|"last_affected"|"open") in the order the events give them."""
    out = []
    lo = None
    for ev in events:
        if not isinstance(ev, dict):
            continue
        if ev.get("introduced") not in (None, ""):
            if lo is not None:
                out.append((lo, None, "open"))
            lo = str(ev["introduced"])
        elif ev.get("fixed") not in (None, "") and lo is not None:
            out.append((lo, str(ev["fixed"]), "fixed"))
            lo = None
        elif ev.get("last_affected") not in (None, "") and lo is not None:
            out.append((lo, str(ev["last_affected"]), "last_affected"))
            lo = None
    if lo is not None:
        out.append((lo, None, "open"))
    return out


def _inside(v: str, lo: str, hi: str | None, kind: str, key: Callable[[str], tuple]) -> bool:
    if lo != "0" and _lt(v, lo, key) is not False:
        return False
    if hi is None:
        return True
    if kind == "fixed":
        return _lt(v, hi, key) is True
    return _lt(hi, v, key) is False  # last_affected is inclusive


# ----------------------------------------------------------------------------- versions named in prose

# one way to split any text (separators are mandatory between suffix runs): linear, even on hostile input
_VERSION = re.compile(r"(?<![\w./])v?((?:\d+:)?\d+(?:\.\d+)+[A-Za-z0-9]*(?:[-+~_.][A-Za-z0-9]+)*)")


def versions_in(text: str) -> list[str]:
    return [m.group(1) for m in _VERSION.finditer(text)]


def same_version(a: str, b: str) -> bool:
    from packaging.version import InvalidVersion, Version

    a, b = a.strip().lstrip("vV"), b.strip().lstrip("vV")
    try:
        return Version(a) == Version(b)
    except InvalidVersion:
        return a == b


# "(The advisory also lists 2.0.7 for other release lines.)": versions the answer itself places on other lines
_SENTENCE_END = re.compile(r"(?<=[.!?)])\s+|\n")  # a dot inside a version is followed by a digit, not a blank
_OTHER_LINES = re.compile(r"\bother release lines?\b", re.I)


def proposed_versions(answer: str, prompt: str, expected: str | None = None) -> list[str]:
    """Versions the answer brings in: every version it names that the prompt did not (the installed one).

    A sentence that names fixes of *other* release lines ("the advisory also
    lists 2.0.7 for other release lines") is information, not a proposal.
    """
    seen = versions_in(prompt)
    answer = " ".join(part for part in _SENTENCE_END.split(answer) if not _OTHER_LINES.search(part))
    return [v for v in versions_in(answer)
            if (expected and same_version(v, expected)) or not any(same_version(v, s) for s in seen)]
