"""What the triage step writes: triage.jsonl (one record per finding), triage.md, and optionally OpenVEX.

triage.jsonl fields (issue 21): finding_id, tool, rule_id, vuln_ids,
package ({name, ecosystem, version} or null), path, verdict, reasons
([{check, evidence}]), source (evidence | suppression | report).  The
record's fixed version for the installed line goes to a sidecar
(``advisory_fixes.json``, read by tasks.fixes) so triage.jsonl stays exactly
that shape.

The OpenVEX document lists the false positives of dependency findings as
``not_affected`` statements (with a justification from the OpenVEX list
and the evidence as impact statement) that a team can feed back to
Grype/Trivy (``--vex``).
"""

from __future__ import annotations

from collections import Counter

from tasks.findings.model import NO_PACKAGE, Package, as_package

_VEX_JUSTIFICATION = {"advisory": "vulnerable_code_not_present", "ecosystem": "component_not_present",
                      "report": "vulnerable_code_not_present", "path": "vulnerable_code_not_in_execute_path",
                      "suppression": "inline_mitigations_already_exist"}


def summary(records: list[dict], stats: dict) -> str:
    by_verdict = Counter(r["verdict"] for r in records)
    by_check = Counter((r["reasons"][0]["check"], r["verdict"]) for r in records if r["reasons"])
    lines = ["# Triage", "", f"{len(records)} findings: " + ", ".join(f"{by_verdict.get(v, 0)} {v}" for v in
                                                                        ("true_positive", "false_positive", "needs_review")), ""]
    lines += [f"Advisory records found for {stats.get('with_record', 0)} of {stats.get('dependency', 0)} dependency findings"
              f" ({stats.get('record_source', 'no record source')}).", "",
              "| deciding check | verdict | findings |", "|---|---|---:|"]
    lines += [f"| {c} | {v} | {n} |" for (c, v), n in sorted(by_check.items())]
    fps = [r for r in records if r["verdict"] == "false_positive"]
    lines += ["", f"## False positives ({len(fps)})", ""]
    grouped = Counter()
    for r in fps:
        what = r["package"]["name"] + (f" {r['package']['version']}" if r["package"].get("version") else "") if r["package"] else r["path"]
        grouped[f"`{r['tool']}` {r['rule_id']} ({what}): {r['reasons'][0]['evidence']}"] += 1
    for text, n in list(grouped.items())[:500]:
        lines.append(f"- {text}" + (f" (x{n})" if n > 1 else ""))
    if len(grouped) > 500:
        lines.append(f"- ... and {len(grouped) - 500} more (triage.jsonl)")
    return "\n".join(lines) + "\n"


def openvex(records: list[dict], findings: dict[str, dict], timestamp: str) -> dict:
    statements = []
    for r in records:
        f = findings.get(r["finding_id"]) or {}
        purl = (f.package or NO_PACKAGE).purl
        if r["verdict"] != "false_positive" or not r["package"] or not r["vuln_ids"]:
            continue
        product = purl or f"pkg:generic/{r['package']['name']}@{r['package'].get('version') or ''}"
        for vid in r["vuln_ids"][:1]:
            statements.append({"vulnerability": {"name": vid, "aliases": r["vuln_ids"][1:]}, "products": [{"@id": product}],
                               "status": "not_affected",
                               "justification": _VEX_JUSTIFICATION.get(r["reasons"][0]["check"], "vulnerable_code_not_present"),
                               "impact_statement": r["reasons"][0]["evidence"]})
    from tasks.core.hashing import sha256_json

    return {"@context": "https://openvex.dev/ns/v0.2.0", "@id": f"https://secft.local/vex/{sha256_json(statements)[:16]}",
            "author": "secft triage", "timestamp": timestamp, "version": 1, "statements": statements}


def load_records(path) -> dict[str, dict]:
    """triage.jsonl by finding id ({} when the file is absent: rows then carry no verdict)."""
    import json
    from pathlib import Path

    p = Path(path) if path else None
    if not p or not p.is_file():
        return {}
    return {r["finding_id"]: r for r in (json.loads(l) for l in p.read_text(encoding="utf-8").splitlines() if l.strip())}


def load_fixes(path) -> dict[str, dict]:
    import json
    from pathlib import Path

    p = Path(path) if path else None
    return json.loads(p.read_text(encoding="utf-8")) if p and p.is_file() else {}


def with_record_fix(f: dict, fixes: dict[str, dict]) -> dict:
    """``f`` with the advisory record's fixed version for its installed line (a copy; ``f`` when there is none).

    The record beats the report: npm audit proposes the newest major, the record's range containing 4.1.0
    is fixed in 4.1.1."""
    fix = fixes.get(f.get("id"))
    if not fix or not f.get("package"):
        return f
    pkg = dict(f["package"], fixed_version=fix["fixed_version"], fix_status="fixed", fix_source="advisory record")
    return dict(f, package=pkg)


def fix_origin(package: Package | dict) -> str:
    """Who names the fixed version in prose: the advisory record for the installed line, or the report."""
    if as_package(package).extra.get("fix_source") == "advisory record":  # with_record_fix's mark
        return "the fixed version the advisory record gives for the installed release line"
    return "the fixed version the report names"
