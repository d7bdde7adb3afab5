"""A dependency finding's verdict: its advisory records first, then the report's own versions, then CPE matching.

Kept apart from tasks.triage.verdict (which runs the checks every finding
goes through) because a dependency finding that no earlier check decided is
judged by what is known of the package alone:

1. an advisory record: the installed version outside every affected range,
   or a record for another ecosystem, is a false positive; inside a range it
   is a true positive (the record's fix goes to ``fixes``), unless no source
   imports a direct dependency (reachability: needs review);
2. the report contradicting itself (fixed version <= installed, a constraint
   the installed version does not meet) is a false positive;
3. a match by CPE alone to another package is a false positive;
4. with no record: the report's fixed version above the installed one, or a
   distribution tracker's match, stands; anything else needs review.

Each function returns ``(verdict, reasons, source)``; the caller makes the
record, so this module knows nothing of its shape.
"""

from __future__ import annotations

from tasks.findings.model import NO_DEPENDENCY, Finding
from tasks.findings.versions import sort_key
from tasks.triage.cpe import check_cpe_only
from tasks.triage.reachability import check_reachability
from tasks.triage.versions import (
    DISTRO,
    check_constraint,
    check_record,
    check_report,
    compare,
    family,
)

Verdict = tuple[str, list[dict], str]


def judge_dependency(judge, f: Finding, recs: list[dict], extra: list[dict], vuln_ids: list[str]) -> Verdict:
    """The verdict for ``f`` from ``recs``; ``judge`` (tasks.triage.verdict.Judge) gives the repository's imports,
    what OSV answered for the package, and takes the record's fix for the installed line."""
    pkg = f.package
    rec = check_record(pkg, recs) if recs else None
    fam = family(pkg.ecosystem)
    if rec and rec["status"] in ("not_affected", "mismatch"):
        return "false_positive", [rec] + extra, "evidence"
    if rec and rec["status"] == "affected":
        if rec.get("fixed"):
            judge.fixes[f.id] = {"fixed_version": rec["fixed"], "record": rec["evidence"]}
        reach = check_reachability(f, fam, judge.imports)
        if reach and reach["status"] == "not_imported" and (f.dependency or NO_DEPENDENCY).direct is not False:
            return "needs_review", [rec, reach] + extra, "evidence"
        return "true_positive", [rec] + ([reach] if reach else []) + extra, "evidence"
    contradiction = check_report(pkg) or check_constraint(pkg, (f.match or {}).get("constraint"))
    if contradiction:
        return "false_positive", [contradiction] + ([rec] if rec else []) + extra, "report"
    if rec and rec["status"] == "other_package" and (f.match or {}).get("by") == "cpe":
        why = {"check": "ecosystem", "evidence": f"not this package: {rec['evidence'].split(': check', 1)[0]}; the scanner "
                                                 "matched it only by CPE"}
        return "false_positive", [why] + extra, "evidence"
    if rec:  # unknown
        return "needs_review", [{"check": rec["check"], "evidence": rec["evidence"]}] + extra, "evidence"
    cpe = check_cpe_only(f, fam, judge.osv_answer(f))
    if cpe and cpe["status"] == "mismatch":
        return "false_positive", [cpe] + extra, "evidence"
    if cpe:
        return "needs_review", [cpe] + extra, "report"
    return _report_only(f, fam, vuln_ids, extra)


def _report_only(f: Finding, fam: str | None, vuln_ids: list[str], extra: list[dict]) -> Verdict:
    """No advisory record here: what the report itself says decides, or the finding needs review."""
    pkg = f.package
    name, version, fixed = pkg.name, pkg.version, pkg.fixed_version
    ids = ", ".join(vuln_ids[:3]) or str(f.rule_id)
    if str(f.rule_id).startswith("via:"):  # npm audit: vulnerable only through its dependencies
        return "needs_review", [{"check": "advisory", "evidence": f"{name} is reported only through its "
                                f"dependencies ({str(f.rule_id)[4:]}): their own findings decide; check that the "
                                "vulnerable dependency is still in the tree"}] + extra, "report"
    if version and fixed and compare(str(version), str(fixed), sort_key(fam)) == -1:
        return "true_positive", [{"check": "report", "evidence": f"the report says {name} {version} is affected by {ids} "
                                 f"and {fixed} fixes it (no advisory record here to check the ranges)"}] + extra, "report"
    if version and fam in DISTRO:  # the scanner matched the distribution's own tracker data
        status = "with no fix published" if pkg.fix_status == "none published" else "(no fixed version in the report)"
        return "true_positive", [{"check": "report", "evidence": f"{f.tool} matched {name} {version} against the "
                                 f"distribution's advisory data for {ids} {status}; no OSV record here to check the "
                                 "range"}] + extra, "report"
    return "needs_review", [{"check": "advisory", "evidence": f"no advisory record for {ids} here: check whether "
                            f"{name} {version or '(version not reported)'} is inside the advisory's affected "
                            "ranges"}] + extra, "report"
