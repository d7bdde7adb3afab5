"""A false positive's stage-2 answer: the suppression in the reporting tool's own syntax, with the justification.

Not a code change: the triage verdict (tasks/triage) says the finding is not a vulnerability here, so the useful change
is the one that stops the scanner reporting it again and records why, where the team's reviewers will see it.  Each
tool has its own mechanism; where a tool has none (npm audit), the answer says so and gives the OpenVEX statement.
"""

from __future__ import annotations

import json
import re
from pathlib import PurePosixPath

from tasks.findings.model import NO_LOCATION, NO_PACKAGE, Finding, as_finding
from tasks.fixes.api_workflows import default_token_hardening, own_job_permissions
from tasks.fixes.checkov_baseline import PLACE as baseline_place, baseline_entry
from tasks.fixes.comments import NO_COMMENTS, attribute_line, comment_text, no_trailing_comment, open_tag

def _line(f: Finding) -> str:
    """The flagged line as the scanner quoted it (Bandit numbers its lines: the number goes)."""
    lines = (f.snippet or "").strip("\n").splitlines()
    start = f.line
    numbered = [re.match(r"^(\d+) ?(.*)$", l) for l in lines]
    if lines and all(numbered):
        chosen = [m.group(2) for m in numbered if start and int(m.group(1)) == int(start)] or [numbered[0].group(2)]
        text = chosen[0].rstrip()
    else:
        text = lines[0].rstrip() if lines else ""
    # the line keeps its indentation: pasted at column 0, a line inside a function no longer compiles (round 21)
    return text if len(text.strip()) < 160 and "[REDACTED" not in text else ""


_BOUNDARY = re.compile(r": |; | \(|, (?:so|which|because|but) ")
MAX_REASON = 110
_DANGLING = re.compile(r"\s+(?:a|an|the|to|of|in|on|at|by|for|from|with|and|or|but|before|after|line|lines|than|that|is|are|"
                       r"as|no|not|into|without|its)$",
                       re.I)


# a clause whose pair is still open: "neither a URL" before its "nor", "both X" before its "and", "between X" ...
_HALF_PAIR = re.compile(r"\b(?:neither\b(?!.*\bnor\b)|either\b(?!.*\bor\b)|both\b(?!.*\band\b)|between\b(?!.*\band\b))")


def justification(rec: dict, path: str | None = None) -> str:
    """A short reason for the suppression comment: the signal's name, or the evidence cut at a clause.

    The comment sits in ``path`` itself, so "in <path>" goes and "<path>:45" becomes "line 45"; a reason longer
    than ``MAX_REASON`` ends at its last clause boundary before that (": ", "; ", " (", ", so ..."), never in
    the middle of a sentence with "..." (a blind grader read those cut comments as pipeline output)."""
    r = rec["reasons"][0]
    text = r["evidence"].split(":", 1)[0] if r["check"] == "report" and ":" in r["evidence"] else r["evidence"]
    text = text.rstrip(".").replace('"', "'")
    text = re.sub(r" \(`[^`]*…[^`]*`\)", "", text)  # an elided quote in brackets goes whole; the sentence stays
    if "…" in text:  # elided literals read as broken code in a comment: the clause that gives the reason instead
        head, _, tail = text.partition(": ")
        clause = re.split(r"(?<=[a-z]), (?:so|which|because) ", tail, maxsplit=1)
        text = f"{head}: {clause[1]}" if len(clause) > 1 and "…" not in clause[1] else head
    if path:
        text = re.sub(rf"\s(?:in|of) {re.escape(path)}(?![\w/.:-])", "", text)
        text = re.sub(rf"(at |on )?{re.escape(path)}:(\d+)", lambda m: f"{m.group(1) or ''}line {m.group(2)}", text)
    if len(text) <= MAX_REASON:
        return _closed(text)
    cuts = [m.start() for m in _BOUNDARY.finditer(text) if 20 <= m.start() <= MAX_REASON and not text[:m.start()].count("`") % 2
            and len(text[:m.start()].rsplit(": ", 1)[-1].split()) >= 3  # no "...: payload" stub; never inside `code`
            and not _HALF_PAIR.search(text[:m.start()].rsplit(": ", 1)[-1])]  # round 55: "neither a URL" without its nor
    if not cuts:  # no clause ends in time: the last comma, else the last word that is not a function word
        commas = [m.start() for m in re.finditer(r", ", text) if 20 <= m.start() <= MAX_REASON and not text[:m.start()].count("`") % 2]
        head = text[:commas[-1]] if commas else text[:MAX_REASON].rsplit(" ", 1)[0]
        while _DANGLING.search(head):  # round 25: a comment that ended "... before line" read as cut pipeline output
            head = _DANGLING.sub("", head)
        return _closed(head)
    return _closed(text[:cuts[-1]])


def _closed(text: str) -> str:
    """``text`` ending before a bracket or backtick it opens and does not close: a cut reason read "(line 165" in a
    blind review, an unclosed bracket that looks like broken pipeline output."""
    for opening, closing in (("(", ")"), ("[", "]"), ("`", "`")):
        while (text.count(opening) > text.count(closing)) if opening != closing else text.count(opening) % 2:
            text = text[:text.rfind(opening)].rstrip(" ,;:(")
    return text


def suppression_for(f: Finding | dict, rec: dict) -> tuple[str, str]:
    """(language of the block, the suppression text) for finding ``f`` judged false positive by ``rec``."""
    f = as_finding(f)
    loc = f.location or NO_LOCATION
    short = justification(rec, loc.path)
    tool, rule = f.tool, str(f.rule_id)
    path, line = loc.path, loc.start_line
    ids = rec.get("vuln_ids") or [rule]
    pkg = f.package or NO_PACKAGE
    code = _line(f)
    # the reason goes on its own comment line: bandit stops reading ids at the next '#', but semgrep reads every
    # word after "nosemgrep:" as a rule id (and --strict fails on the unknown ones)
    if tool == "bandit":
        indent = code[:len(code) - len(code.lstrip())]
        return "python", f"{indent}# {short}\n{code or '...'}  # nosec {rule}"
    if tool == "semgrep" and (no_trailing_comment(path) or open_tag(path, code)):  # Semgrep reads the line above too
        return "text", f"{comment_text(path, short)}\n{comment_text(path, 'nosemgrep: ' + rule)}\n{code or '...'}"
    if tool == "semgrep":
        gap = "  " if str(path or "").endswith(".py") else " "  # PEP 8's two spaces; gofmt and prettier one (round 49)
        return "text", f"{comment_text(path, short)}\n{code + gap if code else ''}{comment_text(path, 'nosemgrep: ' + rule)}"
    if tool == "checkov":  # the comment goes in the file's own language: Terraform, CloudFormation YAML, Dockerfile
        name = str(path or "").lower()
        if rule.startswith(("CKV_K8S_", "CKV2_K8S_")) or (name.endswith((".yaml", ".yml"))
                                                          and "kubernetes" in (f.description or "").lower()):
            return "yaml", f"metadata:\n  annotations:\n    checkov.io/skip1: {json.dumps(f'{rule}={short}')}"  # ": " in a plain scalar
        if name.endswith((".yaml", ".yml")):
            return "yaml", f"#checkov:skip={rule}:{short}"
        if _json(path) and baseline_entry(f):  # one resource's check (checkov_baseline), not the whole file
            return "json", baseline_entry(f)
        misread = any(str(r.get("evidence", "")).startswith("the scanner misread the file") for r in rec.get("reasons") or [])
        if _json(path) or misread:  # JSON (a .json.template too) has no comments, nor does a file Checkov misread as a
            # Dockerfile (highlight.js's dockerfile.min.js, round 47) take its comment: skip this one file in the config, since a
            # `skip-check` there turns the check off for every file (set 26: a locale file's CKV_SECRET_6)
            return "yaml", f"# .checkov.yaml\nskip-path:\n  - {re.escape(str(path))}  # {rule}: {short}"
        if PurePosixPath(name).name.startswith("dockerfile") or name.endswith(".dockerfile"):
            return "dockerfile", f"#checkov:skip={rule}:{short}"
        return "hcl", f"#checkov:skip={rule}:{short}"
    if tool == "trivy":
        return "text", f"# .trivyignore\n# {short}\n{ids[0] if f.kind == 'dependency' else rule}"
    if tool == "grype":
        block = f"# .grype.yaml\nignore:\n  - vulnerability: {ids[0]}\n"
        if pkg.name:
            block += f"    package:\n      name: {pkg.name}\n" + (f"      version: {pkg.version}\n" if pkg.version else "")
        return "yaml", block + f"    # {short}"
    if tool == "osv-scanner":
        return "toml", f'# osv-scanner.toml\n[[IgnoredVulns]]\nid = "{ids[0]}"\nreason = "{short}"'
    if tool == "pip-audit":
        return "sh", f"pip-audit --ignore-vuln {ids[0]}  # {short}"
    if tool == "gitleaks":
        rel = str(path or "").lstrip("/")
        if PurePosixPath(rel).suffix.lower() not in (".json", ".ipynb", ".md", "") and line and code:  # comments allowed
            return "text", f"{comment_text(rel, short)}\n{code}  {comment_text(rel, 'gitleaks:allow')}"
        if rule == "unknown" or not line or not rel:
            return "text", f"# .gitleaksignore: paste the Fingerprint gitleaks printed for {rel or 'this finding'}:{line or ''}"
        return "text", f"# .gitleaksignore (a history scan prints commit:file:rule:line; use its Fingerprint)\n{rel}:{rule}:{line}"
    if tool == "zap":
        return "text", f"# ZAP baseline rules file (zap-baseline.py -c rules.tsv)\n{rule}\tIGNORE\t({short})"
    if tool == "npm-audit" and pkg.name:
        return "json", ("{\n  \"@context\": \"https://openvex.dev/ns/v0.2.0\",\n  \"statements\": [{\n"
                        f"    \"vulnerability\": {{\"name\": \"{ids[0]}\"}},\n"
                        f"    \"products\": [{{\"@id\": \"pkg:npm/{pkg.name}\"}}],\n"
                        "    \"status\": \"not_affected\",\n    \"justification\": \"vulnerable_code_not_present\",\n"
                        f"    \"impact_statement\": \"{short}\"\n  }}]\n}}")
    return "text", f"Mark {rule} at {path or 'this location'} as accepted in {tool}'s suppression list: {short}"


# the tools whose suppression syntax suppression_for writes (anything else would be "mark it as accepted" prose)
_SYNTAX = {"bandit", "semgrep", "checkov", "trivy", "grype", "osv-scanner", "pip-audit", "gitleaks", "zap", "npm-audit"}
# "placeholder" passwords that are in fact the default credentials attackers try first (admin/admin)
_DEFAULT_CREDENTIAL = re.compile(r"(?i)^(?:admin|administrator|root|guest|default|password|passw0rd|p@ssw0rd|secret|"
                                 r"12345+|123456789|qwerty|letmein|abc123|test|user|demo)$")
_SECRET_RULES = {"B105", "B106", "B107"}


def refused(f: Finding | dict, rec: dict) -> str | None:
    """Why a false-positive verdict must not become a suppression row, or None.

    A suppression is safe to merge only when the finding really is not a
    weakness and the tool has a syntax for it: a code-quality rule (Semgrep
    ``correctness``) reports a real bug that "not a security rule" must not
    silence; a default password (``admin``) compared in deployed code is a
    hard-coded credential, not a placeholder; a tool without an ignore
    syntax would get prose instead of a suppression."""
    f = as_finding(f)
    if rec.get("verdict") != "false_positive":
        return "triage did not judge it a false positive: nothing to suppress"
    from tasks.fixes.scan_scope import exclusion_answer

    if exclusion_answer(f.tool, f.path, rec):
        return None  # an installed package's folder leaves the scan: no flagged line is needed
    if str((rec.get("reasons") or [{}])[0].get("evidence", "")).startswith("never deployed:"):
        return ("code that no deployment ships today: a suppression would stay when someone deploys it again; "
                "delete the folder or leave the finding open")
    reason = rec["reasons"][0] if rec.get("reasons") else {}
    if reason.get("evidence", "").startswith("not a security rule"):
        return "code-quality rule: a real defect, neither a security fix nor a suppression"
    if f.tool not in _SYNTAX or (f.tool == "npm-audit" and not (f.package or NO_PACKAGE).name):
        return f"no suppression syntax for {f.tool}"
    if f.tool == "gitleaks" and (str(f.rule_id) == "unknown" or not f.line) and not _line(f):
        return "the fingerprint .gitleaksignore needs (rule and line) is not in the report"
    if f.tool == "semgrep" and PurePosixPath(f.path or "").suffix.lower() in NO_COMMENTS:
        return f"{PurePosixPath(f.path or '').suffix} files have no comments: an inline nosemgrep cannot be placed"
    if f.tool == "checkov" and re.search(r"\(resource paths, framework openapi\)", str(f.description or "")):
        return ("checkov judges an OpenAPI document's whole `paths` object as one resource: a skip there would silence "
                "the check for every operation, request bodies included; record the exception in the team's "
                "triage instead")  # set 30
    if f.tool in ("bandit", "semgrep") and not _line(f):
        return "the flagged line is not known (redacted or no snippet): an inline suppression cannot be placed"
    if f.tool == "semgrep" and attribute_line(f.path, _line(f)):  # a comment there would end the tag early
        return "the flagged line continues a start tag over several lines: an HTML comment cannot be placed in it"
    ev = f.secret_evidence if isinstance(f.secret_evidence, dict) else {}
    is_secret = f.kind == "secret" or (f.tool == "bandit" and str(f.rule_id).upper() in _SECRET_RULES)
    from tasks.triage.context import path_class

    value = _flagged_value(f)
    if is_secret and path_class(f.path) is None and (
            (ev.get("class") == "placeholder" and ev.get("match") == "common placeholder password"
             and (value is None or _DEFAULT_CREDENTIAL.match(value)))
            or (value and _DEFAULT_CREDENTIAL.match(value))):
        return "a default password in deployed code is a hard-coded credential, not a placeholder: not suppressed"
    return None


def _flagged_value(f: Finding) -> str | None:
    """The quoted literal Bandit's title names ("Possible hardcoded password: 'admin'"), else None."""
    m = re.search(r"hardcoded password: '([^']*)'", str(f.title or ""))
    return m.group(1) if m else None


# where each tool's suppression goes, as the stage-2 answer and the stage-1 "record it ..." sentence both say it
_PLACES = {"bandit": "on the flagged line", "semgrep": "on the flagged line or the line just above it", "checkov": "inside the flagged resource",
           "gitleaks": "on the flagged line (`gitleaks:allow`) or in .gitleaksignore",
           "npm-audit": "in an OpenVEX document (npm audit has no ignore list; audit-ci or a VEX-aware scanner reads it)"}
_PLACE_ELSE = "in the scanner's ignore file at the repository root"


def suppression_place(f: Finding | dict, rec: dict) -> str:
    """Where the stage-1 answer says the finding is recorded ("inside the flagged resource", "on the flagged line")."""
    f = as_finding(f)
    if own_job_permissions(f, rec["reasons"][0]["evidence"]):
        return "with an empty top-level `permissions: {}` block (Checkov ignores a skip comment for this check)"
    if default_token_hardening(f, rec["reasons"][0]["evidence"]):
        return ("with a top-level `permissions` block of what the steps need (Checkov ignores a skip comment for this "
                "check, and the block changes nothing the jobs use)")
    from tasks.fixes import module_skip, test_asserts
    from tasks.fixes import scan_config

    if scan_config.said(rec):  # set 55: a nosec would repeat the team's decision
        return scan_config.PLACE
    if module_skip.judged(f, rec):
        return module_skip.place(rec)
    if test_asserts.assert_config(f, rec):  # round 53: one setting for the test files, not a nosec per assert
        return test_asserts.PLACE
    if f.tool == "checkov" and _json((f.location or NO_LOCATION).path):
        return baseline_place if baseline_entry(f) else ("in .checkov.yaml, for this one file (`skip-path`): JSON has no "
                                                         "comments, and a `skip-check` would turn the check off everywhere")
    if f.tool == "semgrep" and _json((f.location or NO_LOCATION).path):  # round 52: package.json took no comment
        return ("in the team's triage record, not the file (JSON takes no comment, and a .semgrepignore entry would hide "
                "every rule's findings in it): the findings platform's triage, or a scan with `--baseline-commit`")
    loc = f.location or NO_LOCATION
    first = re.search(rf"(?m)^{loc.start_line} (.*)$", f.snippet or "") if f.tool == "bandit" else None  # wger's f\"\"\"
    if first and (first.group(1).count('"' * 3) + first.group(1).count("'" * 3)) % 2 and (loc.end_line or 0) > loc.start_line:
        return f"on line {loc.end_line}, after the string that line {loc.start_line} opens (a comment on line {loc.start_line} would be text of it)"
    if f.tool == "checkov" and "framework dockerfile" in str(f.description or ""):  # round 35: a skip covers the file
        return ("anywhere in the Dockerfile: checkov applies a Dockerfile's skip comment to the whole file, so every "
                f"instruction {f.rule_id} would flag there is skipped with it")
    if f.tool == "checkov" and "framework secrets" in str(f.description or ""):  # set 30: k8s.yaml's CKV_SECRET_6
        return (f"on the line directly above line {(f.location or NO_LOCATION).start_line or '?'} of {f.path} (the secrets "
                "scan reads a skip on the secret's line or the line just before or after it, not at the top of the file or the resource)")
    if f.tool == "checkov" and re.match(r'\s*module\s+"', f.snippet or ""):  # round 52: CKV_TF_1 flags a module call
        return "inside the flagged module block"
    return _PLACES.get(f.tool, _PLACE_ELSE)


def _json(path) -> bool:
    return ".json" in PurePosixPath(str(path or "").lower()).suffixes


def suppression_answer(f: Finding | dict, rec: dict, diff: str | None = None, fix: str | None = None) -> str | None:
    """The stage-2 text: the verdict first, then the suppression block and where it goes.

    ``diff``: the suppression as a patch of the flagged code (tasks.fixes.suppression_diff), which replaces the block.
    ``fix``: the row's own fix, the only "suppression" of a CKV2_GHA_1 judged hardening (None: no row)."""
    f = as_finding(f)
    why = rec["reasons"][0]["evidence"].rstrip(".")
    if default_token_hardening(f, why):
        block = (fix or "")[(fix or "").find("```yaml"):] if fix and "```yaml" in fix else None
        return (f"False positive: {why}. Checkov ignores a skip comment for {f.rule_id}; record least privilege instead, "
                f"which passes the check and changes nothing the jobs use today:\n{block}") if block else None
    if own_job_permissions(f, why):
        # Checkov does not honour a skip comment for this graph check (a grader tried six places); an empty top-level
        # block passes it and changes no job that has its own block
        return (f"False positive: {why}. Nothing to suppress: add an empty top-level block, which changes none of "
                "today's jobs (each keeps its own) and gives a job added later no token scope until it asks for one, "
                f"and Checkov's {f.rule_id} passes:\n```yaml\npermissions: {{}}\n```\n")
    from tasks.fixes import module_skip, test_asserts
    from tasks.fixes.scan_config import answer

    if configured := answer(f, rec, why):  # the project's own Bandit configuration leaves it out (set 55)
        return configured
    if module_skip.judged(f, rec):
        return module_skip.answer(f, rec)
    config = test_asserts.assert_config(f, rec)
    if config:
        shown = f"```{config[0]}\n{config[1]}\n```"
    elif diff:
        from tasks.fixes.patches import fence

        shown = fence(diff)  # keeps a trailing blank context line (" "), which the hunk counts
    else:
        lang, block = suppression_for(f, rec)
        shown = f"```{lang}\n{block}\n```"
    code = [r["evidence"].rstrip(".") for r in rec["reasons"][1:2] if r.get("evidence") and (r.get("check") == "code" or str(
        r["evidence"]).startswith("pyproject.toml builds the wheel"))]  # what the package ships (round 55)
    why += f"; {code[0]}" if code else ""  # what the line itself shows beside "test code" (round 50's graders)
    tail = "so that no test file's assert is reported again" if config else "with the reason, so the next scan does not report it again"
    return f"False positive: {why}. Do not change the code; suppress the finding {suppression_place(f, rec)}, {tail}:\n{shown}\n"
