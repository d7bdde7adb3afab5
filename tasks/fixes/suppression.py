"""A false positive's stage-2 answer: the suppression in the reporting tool's own syntax, with the justification.

Not a code change: the triage verdict (tasks/triage) says the finding is not
a vulnerability here, so the useful change is the one that stops the
scanner reporting it again and records why, where the team's reviewers
will see it.  Each tool has its own mechanism; where a tool has none (npm
audit), the answer says so and gives the OpenVEX statement instead.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from tasks.findings.model import NO_LOCATION, NO_PACKAGE, Finding, as_finding

_HASH_COMMENT = {".py", ".rb", ".sh", ".bash", ".yaml", ".yml", ".tf", ".hcl", ".toml", ".r", ".pl", ".ps1", ".cfg", ".conf", ""}


def _comment(path: str | None) -> str:
    suffix = PurePosixPath(path or "").suffix.lower()
    if PurePosixPath(path or "").name == "Dockerfile":
        return "#"
    return "#" if suffix in _HASH_COMMENT else "//"


def _line(f: Finding) -> str:
    """The flagged line as the scanner quoted it (Bandit numbers its lines: the number goes)."""
    lines = (f.snippet or "").strip("\n").splitlines()
    start = f.line
    numbered = [re.match(r"^(\d+) ?(.*)$", l) for l in lines]
    if lines and all(numbered):
        chosen = [m.group(2) for m in numbered if start and int(m.group(1)) == int(start)] or [numbered[0].group(2)]
        text = chosen[0].strip()
    else:
        text = lines[0].strip() if lines else ""
    return text if len(text) < 160 and "[REDACTED" not in text else ""


def justification(rec: dict) -> str:
    """A short reason for the suppression comment: the signal's name, or the evidence cut at a word."""
    r = rec["reasons"][0]
    text = r["evidence"].split(":", 1)[0] if r["check"] == "report" and ":" in r["evidence"] else r["evidence"]
    text = text.rstrip(".").replace('"', "'")
    return text if len(text) <= 110 else text[:110].rsplit(" ", 1)[0] + " ..."


def suppression_for(f: Finding | dict, rec: dict) -> tuple[str, str]:
    """(language of the block, the suppression text) for finding ``f`` judged false positive by ``rec``."""
    f = as_finding(f)
    short = justification(rec)
    tool, rule = f.tool, str(f.rule_id)
    loc = f.location or NO_LOCATION
    path, line = loc.path, loc.start_line
    ids = rec.get("vuln_ids") or [rule]
    pkg = f.package or NO_PACKAGE
    code = _line(f)
    if tool == "bandit":
        return "python", f"{code or '...'}  # nosec {rule} - {short}"
    if tool == "semgrep":
        c = _comment(path)
        return "text", f"{code + '  ' if code else ''}{c} nosemgrep: {rule} - {short}"
    if tool == "checkov":
        if str(path or "").endswith((".yaml", ".yml")) and "kubernetes" in (f.description or "").lower():
            return "yaml", f"metadata:\n  annotations:\n    checkov.io/skip1: {rule}={short}"
        return "hcl", f"#checkov:skip={rule}:{short}"
    if tool == "trivy":
        return "text", f"# .trivyignore\n{ids[0] if f.kind == 'dependency' else rule}  # {short}"
    if tool == "grype":
        block = f"# .grype.yaml\nignore:\n  - vulnerability: {ids[0]}\n"
        if pkg.name:
            block += f"    package:\n      name: {pkg.name}\n" + (f"      version: {pkg.version}\n" if pkg.version else "")
        return "yaml", block + f"    # {short}"
    if tool == "osv-scanner":
        return "toml", f'# osv-scanner.toml\n[[IgnoredVulns]]\nid = "{ids[0]}"\nreason = "{short}"'
    if tool == "pip-audit":
        return "sh", f"pip-audit --ignore-vuln {ids[0]}  # {short}"
    if tool == "gitleaks" and (rule == "unknown" or not line):
        return "text", f"{_comment(path)} gitleaks:allow  (on line {line or '?'} of {path}: {short})"
    if tool == "gitleaks":
        return "text", f"# .gitleaksignore (fingerprint: file:rule:line)\n{path}:{rule}:{line}"
    if tool == "zap":
        return "text", f"# ZAP baseline rules file (zap-baseline.py -c rules.tsv)\n{rule}\tIGNORE\t({short})"
    if tool == "npm-audit" and pkg.name:
        return "json", ("{\n  \"@context\": \"https://openvex.dev/ns/v0.2.0\",\n  \"statements\": [{\n"
                        f"    \"vulnerability\": {{\"name\": \"{ids[0]}\"}},\n"
                        f"    \"products\": [{{\"@id\": \"pkg:npm/{pkg.name}\"}}],\n"
                        "    \"status\": \"not_affected\",\n    \"justification\": \"vulnerable_code_not_present\",\n"
                        f"    \"impact_statement\": \"{short}\"\n  }}]\n}}")
    return "text", f"Mark {rule} at {path or 'this location'} as accepted in {tool}'s suppression list: {short}"


def suppression_answer(f: Finding | dict, rec: dict) -> str:
    """The stage-2 text: the verdict first, then the suppression block and where it goes."""
    f = as_finding(f)
    lang, block = suppression_for(f, rec)
    why = rec["reasons"][0]["evidence"].rstrip(".")
    where = {"bandit": "on the flagged line", "semgrep": "on the flagged line", "checkov": "inside the flagged resource",
             "npm-audit": "in an OpenVEX document (npm audit has no ignore list; audit-ci or a VEX-aware scanner reads it)"}
    place = where.get(f.tool, "in the scanner's ignore file at the repository root")
    return (f"False positive: {why}. Do not change the code; suppress the finding {place}, with the reason, "
            f"so the next scan does not report it again:\n```{lang}\n{block}\n```\n")
