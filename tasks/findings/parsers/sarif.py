"""SARIF 2.1.0 (and the 2.2 draft): any producer, several runs, suppressions.

Tool-specific knowledge is limited to recognising a few drivers (Trivy,
Grype, gitleaks, Checkov, Bandit, Semgrep, CodeQL) so that their findings
carry the same tool name, package data and redaction as their JSON reports.
"""

from __future__ import annotations

import re
from typing import Any

from tasks.findings import paths, versions
from tasks.findings.parsers import base
from tasks.findings.parsers.sarif_flow import code_flow
from tasks.findings.parsers.semgrep import published_id
from tasks.findings.redact import redact_finding

_DRIVER_TOOLS = {
    "semgrep": "semgrep",
    "semgrep oss": "semgrep",
    "trivy": "trivy",
    "grype": "grype",
    "gitleaks": "gitleaks",
    "checkov": "checkov",
    "bandit": "bandit",
    "codeql": "codeql",
    "osv-scanner": "osv-scanner",
}

# "[ \t]*", not "\s*": an empty "Fixed Version:" line means no fix, not the next line
_FIELD_RE = {
    "package": re.compile(r"^Package:[ \t]*(.*)$", re.MULTILINE),
    "version": re.compile(r"^(?:Installed )?Version:[ \t]*(.*)$", re.MULTILINE),
    "fixed": re.compile(r"^Fix(?:ed)? Version:[ \t]*(.*)$", re.MULTILINE),
    "type": re.compile(r"^Type:[ \t]*(.*)$", re.MULTILINE),
}
_PLACEHOLDER_FINGERPRINTS = {"", "requires login", "none", "null", "0", "placeholder"}


def detect(doc: Any) -> bool:
    return isinstance(doc, dict) and isinstance(doc.get("runs"), list) and (
        "version" in doc or "$schema" in doc
    )


def count_raw(doc: dict) -> int:
    return sum(len(run.get("results") or []) for run in doc["runs"] if isinstance(run, dict))


def tool_name(run: dict) -> str:
    driver = (run.get("tool") or {}).get("driver") or {}
    name = str(driver.get("name") or "").strip()
    if name:
        return _DRIVER_TOOLS.get(name.lower(), name.lower().replace(" ", "-"))
    rule_ids = [str(r.get("ruleId", "")) for r in run.get("results") or []]
    if rule_ids and all(r.startswith("CKV") for r in rule_ids):
        return "checkov"
    return "sarif"


def parse(doc: dict) -> list[dict]:
    findings = []
    for run in doc["runs"]:
        if isinstance(run, dict):
            findings.extend(_parse_run(run))
    return findings


def _rules(run: dict) -> tuple[dict, list]:
    tool = run.get("tool") or {}
    components = [tool.get("driver") or {}] + list(tool.get("extensions") or [])
    by_id: dict[str, dict] = {}
    ordered: list[dict] = []
    for comp in components:
        for rule in comp.get("rules") or []:
            ordered.append(rule)
            if rule.get("id"):
                by_id.setdefault(rule["id"], rule)
    return by_id, ordered


def _message(msg: Any, rule: dict) -> str:
    if not isinstance(msg, dict):
        return ""
    if msg.get("text"):
        return str(msg["text"])
    template = ((rule.get("messageStrings") or {}).get(msg.get("id") or "") or {}).get("text")
    if not template:
        return ""
    args = msg.get("arguments") or []
    return re.sub(r"\{(\d+)\}", lambda m: str(args[int(m.group(1))]) if int(m.group(1)) < len(args) else m.group(0), template)


def _suppressed(result: dict) -> bool:
    sups = result.get("suppressions")
    if not sups:
        return False
    return any(s.get("status", "accepted") != "rejected" for s in sups if isinstance(s, dict))


def _severity(result: dict, rule: dict, tool: str) -> str:
    props = {**(rule.get("properties") or {}), **(result.get("properties") or {})}
    if props.get("security-severity") not in (None, ""):
        return base.severity_from_score(props["security-severity"])
    if props.get("issue_severity"):
        return base.severity(props["issue_severity"])
    level = result.get("level") or ((rule.get("defaultConfiguration") or {}).get("level"))
    if tool == "gitleaks":
        return "high"
    return base.severity(level or "warning")


def _fix_hint(result: dict) -> str | None:
    texts = []
    for fix in result.get("fixes") or []:
        desc = (fix.get("description") or {}).get("text")
        if desc:
            texts.append(desc)
        for change in fix.get("artifactChanges") or []:
            for rep in change.get("replacements") or []:
                inserted = (rep.get("insertedContent") or {}).get("text")
                if inserted:
                    texts.append(inserted)
    return "\n".join(texts) or None


def _scanner_fix(result: dict, uri: str | None, base_ids: Any) -> dict | None:
    """The first SARIF fix whose replacements all touch the result's own file, by line/column."""
    for fix in result.get("fixes") or []:
        if not isinstance(fix, dict):
            continue
        reps = []
        for change in fix.get("artifactChanges") or []:
            if not isinstance(change, dict):
                reps = []
                break
            loc_uri = paths.sarif_uri(change.get("artifactLocation"), base_ids)[1]
            if uri and loc_uri and loc_uri != uri:
                reps = []
                break
            for rep in change.get("replacements") or []:
                region = rep.get("deletedRegion") or {}
                if not isinstance(region.get("startLine"), int):
                    reps = []
                    break
                reps.append({"start_line": region["startLine"], "start_col": region.get("startColumn"),
                             "end_line": region.get("endLine") or region["startLine"], "end_col": region.get("endColumn"),
                             "text": str((rep.get("insertedContent") or {}).get("text") or "")})
        if reps:
            return {"kind": "sarif", "replacements": reps}
    return None


def _package(tool: str, text: str) -> dict | None:
    if tool not in ("trivy", "grype"):
        return None
    fields = {}
    for k, rx in _FIELD_RE.items():
        m = rx.search(text)
        fields[k] = m.group(1).strip() if m else None
    if not fields["package"]:
        return None
    return base.package(fields["package"], fields["version"], ecosystem=fields["type"], fixes=versions.split_list(fields["fixed"]))


def _good_fingerprints(results: list) -> dict[int, dict]:
    """Per result index, the fingerprints that can be identity.

    Placeholders (Semgrep's "requires login") and values that several results
    share - three or more, or two in one file at different places - say
    nothing about the issue and would collapse distinct findings into one.
    """
    seen: dict[tuple, set] = {}
    counts: dict[tuple, int] = {}
    per_result: dict[int, dict] = {}
    for i, result in enumerate(results):
        if not isinstance(result, dict):
            continue
        fps = result.get("partialFingerprints") or result.get("fingerprints")
        if not isinstance(fps, dict):
            continue
        loc = _first_location(result)
        phys = loc.get("physicalLocation") if isinstance(loc.get("physicalLocation"), dict) else {}
        art = phys.get("artifactLocation") if isinstance(phys.get("artifactLocation"), dict) else {}
        region = phys.get("region") if isinstance(phys.get("region"), dict) else {}
        place = (region.get("startLine"), region.get("startColumn"))
        good = {}
        for k, v in fps.items():
            if not isinstance(v, (str, int)) or str(v).strip().lower() in _PLACEHOLDER_FINGERPRINTS:
                continue
            good[str(k)] = str(v)
            counts[(k, str(v))] = counts.get((k, str(v)), 0) + 1
            seen.setdefault((k, str(v), str(art.get("uri"))), set()).add(place)
        per_result[i] = good
    bad = {kv for kv, n in counts.items() if n >= 3}
    bad |= {(k, v) for (k, v, _), places in seen.items() if len(places) > 1}
    return {i: {k: v for k, v in fps.items() if (k, v) not in bad} for i, fps in per_result.items()}


def _first_location(result: dict) -> dict:
    locs = result.get("locations")
    loc = locs[0] if isinstance(locs, list) and locs else {}
    return loc if isinstance(loc, dict) else {}


def _parse_run(run: dict) -> list[dict]:
    tool = tool_name(run)
    driver = (run.get("tool") or {}).get("driver") or {}
    version = driver.get("semanticVersion") or driver.get("version")
    if str(version).lower() == "placeholder":
        version = None
    by_id, ordered = _rules(run)
    results = run.get("results") or []
    fingerprints_of = _good_fingerprints(results) if tool != "semgrep" else {}
    base_ids = run.get("originalUriBaseIds")
    out = []
    for i, result in enumerate(results):
        if not isinstance(result, dict):
            continue
        rule_id = result.get("ruleId") or (result.get("rule") or {}).get("id")
        rule = by_id.get(rule_id or "") or {}
        idx = result.get("ruleIndex")
        if not rule and isinstance(idx, int) and 0 <= idx < len(ordered):
            rule = ordered[idx]
            rule_id = rule_id or rule.get("id")
        message = _message(result.get("message"), rule)
        short = (rule.get("shortDescription") or {}).get("text")
        full = (rule.get("fullDescription") or {}).get("text")
        help_text = (rule.get("help") or {}).get("text") or ""
        phys = _first_location(result).get("physicalLocation") or {}
        region = phys.get("region") or {}
        snippet = (region.get("snippet") or {}).get("text") or ((phys.get("contextRegion") or {}).get("snippet") or {}).get("text")
        end = region.get("endLine")
        if region.get("endColumn") == 1 and isinstance(end, int) and isinstance(region.get("startLine"), int) \
                and end > region["startLine"]:
            end -= 1  # a match that takes its last line's newline ends before the next line (semaphore's `changeme`
            if snippet and region.get("snippet"):  # weighed with the next line's "admin": set 42's audit)
                snippet = "\n".join(snippet.split("\n")[:end - region["startLine"] + 1])
        tags = ((rule.get("properties") or {}).get("tags") or []) + ((result.get("properties") or {}).get("tags") or [])
        pkg = _package(tool, message + "\n" + help_text)
        fingerprints = fingerprints_of.get(i) or None
        if tool == "gitleaks":
            # gitleaks puts commit/author metadata here; the leak's place is file, line and commit
            props = result.get("properties") or {}
            raw_fps = result.get("partialFingerprints") or {}
            fingerprints = {"commit": raw_fps.get("commitSha") or props.get("commit"), "line": region.get("startLine")}
        kind = "dependency" if pkg else "secret" if tool == "gitleaks" else "config" if tool == "checkov" else "code"
        rule_id = published_id(rule_id) if tool == "semgrep" else rule_id  # rules run from a local folder
        ids_text = [rule_id, short, message]
        full_path, uri = paths.sarif_uri(phys.get("artifactLocation"), base_ids)
        f = base.finding(
            tool=tool,
            tool_version=version,
            rule_id=rule_id,
            title=short if short and not short.startswith("Semgrep Finding:") else (rule.get("name") or message or rule_id),
            description=full if full and full != short else (message or help_text),
            kind=kind,
            severity_value=_severity(result, rule, tool),
            cwe=base.cwe_ids(tags, (rule.get("properties") or {}).get("cwe")),
            cve=base.cve_ids(ids_text),
            ghsa=base.ghsa_ids(ids_text),
            location_value=base.location(uri, region.get("startLine"), end, original=full_path),
            package_value=pkg,
            snippet=snippet,
            fix_hint=_fix_hint(result) or (f"Upgrade {pkg['name']} to {pkg['fixed_version']}" if pkg and pkg["fixed_version"] else None),
            suppressed=_suppressed(result),
            references=[rule.get("helpUri")],
            fingerprint=fingerprints,
            column=region.get("startColumn"),
        )
        categories = [t for t in tags if isinstance(t, str) and t and not t.lower().startswith("external/")][:12]
        if categories and kind == "code":  # CodeQL's 'security' vs 'maintainability': triage reads them
            f["rule_tags"] = [t[:60] for t in categories]
        flow = code_flow(result, base_ids)
        if flow:
            f["flow"] = flow
        if kind == "dependency" and tool == "grype" and str(rule.get("name") or "").endswith("CpeMatch"):
            f["match"] = {"by": "cpe", "cpes": []}  # grype's rule name says how it matched (JavaMatcherCpeMatch)
        sarif_fix = _scanner_fix(result, uri, base_ids)
        if sarif_fix and kind == "code":
            f["scanner_fix"] = sarif_fix
        if kind == "secret":
            offender = (result.get("properties") or {}).get("offender")
            f = redact_finding(f, [offender] if offender else [])
        out.append(f)
    return out
