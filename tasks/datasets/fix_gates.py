"""Why a stage-2 answer gets no row: fixes that cannot be used (a no-fix answer while the scanner names a fix, a
fixed version that is no version, a malicious package) or that would be unsafe to merge (rotating test data or a
scanner's own fixture, a pattern that fits any finding of its rule).  Each reason is a constant the dataset counts
under ``stage2_dropped`` in dataset_info.json.

May import: ``tasks.core``, ``tasks.findings``, ``tasks.triage``, ``tasks.enrich`` (lazily).
"""

from __future__ import annotations

import re

from tasks.findings.model import NO_PACKAGE, Finding, as_finding


NOT_APPLYING = "the diff does not apply to the file at the run's commit (git apply --check)"
SCANNER_HAS_FIX = "no-fix answer, but the scanner proposes a versioned fix"
NOT_A_VERSION = "the report's fixed version is not a version number"
MALICIOUS = "malicious package (a 'no fixed version' answer does not apply)"


def unusable_fix(f: Finding | dict, source: str) -> str | None:
    """Why fix_for's answer must not become a row, or None."""
    f = as_finding(f)
    from tasks.enrich.narrative import is_malicious, version_like

    if source == "no-fix-published" and is_malicious(f):
        return MALICIOUS
    fixed = (f.package or NO_PACKAGE).fixed_version
    if f.kind == "dependency" and fixed and not version_like(fixed):
        return NOT_A_VERSION
    if ignores_scanner_fix(f, source):
        return SCANNER_HAS_FIX
    return None


SECRET_IN_TESTS = "credential found in test code or fixtures: probably test data, to be checked before anything is rotated"
SCANNER_TEST_DATA = "credential reported at commit 000...: the scanner's own test data, nothing to rotate"
PASSWORD_HEURISTIC = "Bandit's password-name heuristic: the value must be checked before anything is rotated"
SECRET_NOT_SHOWN = "a code rule's credential with no code shown: what it is and whether it is live are unknown"
GENERIC_PATTERN = "a generic pattern, no change to this code"
NEGLIGIBLE = "no fix and informational severity (negligible or unrated): no change to make"
INFORMATIONAL = "an informational alert: a person reviews it, there is nothing to change"


def unsafe_fix(f: Finding | dict, fixed: tuple) -> str | None:
    """Why a stage-2 answer would be unsafe or empty to merge, or None: what the held-out reviews found harmful
    (rotating test data, a type label or a fixture; deleting a test fixture) or inapplicable (a pattern that
    fits any finding of its rule, applied to code that may already do it)."""
    f = as_finding(f)
    from tasks.triage.report_signals import is_test_path

    answer, source, meta = fixed
    path = f.path
    if source == "secret-rotation" and (is_test_path(path) or re.search(r"(?:^|/)(?:unittests?|fixtures?|testdata)/", path or "")):
        return SECRET_IN_TESTS
    if source == "secret-rotation" and re.search(r"\bcommit 0{7,}\b", f" {f.title or ''} {f.description or ''}"):
        return SCANNER_TEST_DATA
    if source == "secret-rotation" and f.tool == "bandit" and str(f.rule_id).upper() in ("B105", "B106", "B107"):
        return PASSWORD_HEURISTIC
    if source == "secret-rotation" and not (f.snippet or "").strip() and f.kind != "secret" and meta.get("fix_family") not in (
            "secret-in-demo", "secret-seeded-account"):  # a demo's lesson or a seeded account is known from elsewhere
        return SECRET_NOT_SHOWN
    if source == "pattern" and not meta.get("has_diff"):
        return GENERIC_PATTERN
    if f.kind == "web" and f.severity == "info":
        return INFORMATIONAL
    if source == "no-fix-published" and f.severity == "info":
        return NEGLIGIBLE
    return None


def ignores_scanner_fix(f: Finding | dict, source: str) -> bool:
    """A "no fixed version" answer while the report's own fix names a version (npm audit: upgrade the parent)."""
    f = as_finding(f)
    from tasks.findings.versions import versions_in

    return source == "no-fix-published" and bool(versions_in(f.fix_hint or ""))
