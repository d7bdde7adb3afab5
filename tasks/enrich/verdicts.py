"""The verdict a stage-1 answer opens with: triage's, checked against what the code shows.

Triage (tasks/triage) decides from the report, the advisory record and the
path; the rows also see the code.  When the two agree the row states
triage's verdict with its evidence; when the code contradicts it, the row
says so instead of asserting either side (``reconcile``):

* request data reaches the flagged line (tasks.enrich.evidence) while
  triage only had the rule's LOW confidence: the code settles it, a true
  positive; while triage called it a false positive (a path, say): needs
  review, with both pieces of evidence;
* nothing outside reaches it (constant arguments, a digest used as a key,
  an import) while triage kept the report: needs review;
* triage's only reason is that nothing argued against the report (its
  stock "report stands" sentence, the same in every row): replaced by what
  the code shows, else the verdict alone.

Both stages follow the reconciled record, so they never disagree.
"""

from __future__ import annotations

import re

from tasks.enrich.evidence import benign, config_setting, confirmed, request_origin, signing_key_use
from tasks.triage.report_signals import is_test_path
from tasks.findings.model import Finding, as_finding

WORDS = {"true_positive": "True positive", "false_positive": "False positive", "needs_review": "Needs review"}
_STOCK = re.compile(r"nothing suppresses the finding|report stands")
_CONFIDENCE_ONLY = re.compile(r"^low-confidence rule:")


def _informative(rec: dict) -> list[dict]:
    return [r for r in rec.get("reasons") or [] if not _STOCK.search(str(r.get("evidence") or ""))]


def reconcile(f: Finding | dict, rec: dict | None, code: dict | None = None, fix_family: str | None = None,
              remediation: str = "") -> dict | None:
    """triage's record, or a copy whose verdict and reasons follow the code where the code decides."""
    f = as_finding(f)
    if rec is None or rec.get("source") == "suppression":
        return rec  # a person's suppression beats any reading of ours
    verdict, reasons = rec["verdict"], _informative(rec)
    every = rec.get("reasons") or []
    if verdict == "false_positive" and f.kind in ("code", "secret") and not is_test_path(f.path):
        key = signing_key_use(f, code)
        if key:  # "a placeholder, not a credential" - but it is the key the application signs with
            return rec | {"verdict": "needs_review", "reasons": (reasons[:1] or every[:1]) + [
                {"check": "code", "evidence": f"but {key.text}"}]}
    if f.kind == "code":
        outside = request_origin(f, code)
        if outside:
            code_reason = {"check": "code", "evidence": outside.text}
            if verdict == "needs_review" and all(_CONFIDENCE_ONLY.match(r["evidence"]) for r in reasons):
                return rec | {"verdict": "true_positive", "reasons": [code_reason] + every}
            if verdict == "false_positive":
                return rec | {"verdict": "needs_review", "reasons": (reasons[:1] or every[:1]) + [
                    {"check": "code", "evidence": f"but {outside.text}: check who can send it before accepting it"}]}
            return rec | {"reasons": [code_reason] + every}
        exact = confirmed(f, code)
        if exact and verdict == "needs_review" and all(_CONFIDENCE_ONLY.match(r["evidence"]) for r in reasons):
            return rec | {"verdict": "true_positive", "reasons": [{"check": "code", "evidence": exact.text}] + every}
        if exact and verdict == "true_positive" and not reasons:  # the code's own evidence, not "as reported"
            return rec | {"reasons": [{"check": "code", "evidence": exact.text}] + every}
        quiet = benign(f, code, fix_family)
        if quiet and verdict == "false_positive" and any(r.get("check") == "unused_import" for r in every):
            return rec  # triage said "an import only", with the calls the file makes: "only imports" again adds nothing
        if quiet:
            reason = {"check": "code", "evidence": quiet.text}
            if verdict == "true_positive":
                return rec | {"verdict": "needs_review", "reasons": [reason] + every}
            return rec | {"reasons": every + [reason]}
    if verdict == "needs_review" and reasons and all(_CONFIDENCE_ONLY.match(r["evidence"]) for r in reasons):
        return rec | {"reasons": [{"check": "report", "evidence": _what_to_check(f, code)}] + every}
    if f.kind == "web" and verdict == "true_positive":
        if f.severity == "info":  # an informational alert marks a place to look; calling it a true positive overstates it
            return rec | {"verdict": "needs_review", "reasons": [{"check": "report", "evidence": f"{f.tool} rates this "
                          "alert informational: it marks something for a person to look at, not a weakness by itself"}] + every}
        seen = (f.snippet or "").strip().splitlines()
        if seen and not reasons:
            return rec | {"reasons": [{"check": "report", "evidence": f"{f.tool} saw `{seen[0].strip()[:70]}` in a response "
                                                                      f"from {f.path}"}] + every}
    if f.kind == "config" and verdict == "true_positive" and f.tool == "checkov":
        from tasks.fixes.api_workflows import evidence  # a workflow's steps, a spec's operations

        shown = evidence(f, (code or {}).get("file"))
        if shown:
            return rec | {"reasons": [{"check": "code", "evidence": shown}] + every}
    if f.kind == "config" and verdict == "true_positive":
        setting = config_setting(f, remediation)
        if setting:
            flipped = "needs_review" if setting.stance == "benign" else verdict
            return rec | {"verdict": flipped, "reasons": [{"check": "code", "evidence": setting.text}] + every}
    return rec


# what decides a LOW-confidence match, by the weakness its CWE names
_CHECKS = (
    ({"CWE-22", "CWE-23", "CWE-73", "CWE-77", "CWE-78", "CWE-79", "CWE-89", "CWE-90", "CWE-94", "CWE-95", "CWE-502",
      "CWE-601", "CWE-611", "CWE-643", "CWE-918", "CWE-943"}, "whether a value from outside (a request, a file an attacker "
                                                               "writes) reaches {where}"),
    ({"CWE-798", "CWE-259", "CWE-321", "CWE-522"}, "whether the value at {where} is a live credential or a sample, hash or "
                                                   "placeholder"),
    ({"CWE-1333", "CWE-185"}, "whether the pattern at {where} runs on input from outside, and how long it may be"),
    ({"CWE-352"}, "whether the app set up at {where} checks a CSRF token or the Origin header on its state-changing "
                  "routes another way"),
    ({"CWE-327", "CWE-328", "CWE-916"}, "what the algorithm at {where} protects (a password, a signature) or only "
                                        "identifies (a cache key)"),
)


def _what_to_check(f: Finding, code: dict | None = None) -> str:
    """One LOW-confidence needs-review reason naming the place and what decides it, instead of one sentence for all:
    the flagged statement and where its names are set, when the code is shown (tasks.enrich.evidence.what_decides)."""
    from tasks.enrich.evidence import what_decides

    loc = f.location
    where = f"{f.path}:{loc.start_line}" if loc and loc.start_line else (f.path or "the flagged place")
    check = next((text for cwes, text in _CHECKS if cwes & set(f.cwe or [])),
                 "the code at {where} against what the rule describes before changing it")
    decides = what_decides(f, code)
    return f"the rule rates its own confidence LOW; check {check.format(where=where)}" + (f" ({decides})" if decides else "")


def stated_cwe(narrative: dict) -> str | None:
    """The weakness a stage-1 answer names, as "<name>, CWE-<n>" ("Cross-site Scripting, CWE-79"): only one the
    scanner's rule or the advisory gave (``cwe_source`` "report"), never a kind default (CWE-1395 says nothing)
    or a retrieved guess.  The name comes first: a reader knows the weakness by it, and a model that has
    written "SQL Injection" has the number's best cue just before it."""
    cwes = narrative.get("cwe") or []
    if narrative.get("cwe_source") != "report" or not cwes:
        return None
    name = str(narrative.get("cwe_name") or "").strip()
    return f"{name}, {cwes[0]}" if name else cwes[0]


def _lines_named(text: str) -> set[str]:
    """The line numbers a piece of evidence names (``path/app.py:37`` counts as line 37, a path's digits do not)."""
    return set(re.findall(r"\b(?:line|lines|:)\s*(\d+)\b", re.sub(r"\S+/\S+?:(\d+)", r" line \1", text)))


def _restates(said: str, piece: str) -> bool:
    """``piece`` names no line and no variable that ``said`` has not already named (a source-to-sink flow twice)."""
    lines = _lines_named(piece)
    names = set(re.findall(r"`(\w+)`", said))
    return len(lines) >= 2 and lines <= _lines_named(said) and bool(names & set(re.findall(r"\b\w+\b", piece)))


# triage's "app/x.py:26 reads user input (request.args) on the flagged line (rule)", and what it adds after it
_SAME_READ = re.compile(r"^\S+?:(\d+) reads user input \((.+?)\) on the flagged line \([^)]*\)(?:; (.*))?$")


def _cwe_said(rec: dict, cwe: str) -> str:
    """``cwe``, and the one the scanner's report gives when the parser corrected it (Bandit's eval/exec: CWE-78)."""
    from tasks.findings.parsers.bandit import reported_as

    old = reported_as(rec.get("rule_id"), cwe) if rec.get("tool") == "bandit" else None
    names = {"CWE-95": ", eval injection", "CWE-78": ", OS command injection"}
    return f"{cwe}{names.get(cwe, '')}; Bandit's report files {rec.get('rule_id')} under {old}{names.get(old, '')}" if old else cwe


def verdict_text(rec: dict, cwe: str | None = None) -> str:
    """'## Verdict' and one sentence: the verdict and the evidence it rests on (none is invented).

    ``cwe``: the weakness the scanner's rule or the advisory names, stated next to a verdict that keeps the
    finding (true positive, needs review).  The stage-1 prompt no longer shows it, so the row teaches which
    weakness a finding is, and the evaluation can score that without the prompt giving it away."""
    evidence = ""
    said = rec["verdict"] == "true_positive" or any(str(r["evidence"]).startswith("the rule rates its own confidence LOW")
                                                    for r in rec.get("reasons") or [])
    shown = [r for r in _informative(rec) if not (said and _CONFIDENCE_ONLY.match(str(r["evidence"])))]
    for r in shown[:2]:  # a true positive the code settles does not repeat the rule's own doubt
        piece = str(r["evidence"]).rstrip(".")
        same = _SAME_READ.match(piece) if evidence else None
        if same and same.group(1) in _lines_named(evidence) and same.group(2).strip("`") in evidence:
            piece = same.group(3) or ""  # round 55: "line 26 reads the HTTP request itself (`request.args`)" said it
            if not piece:
                continue
        if evidence and _restates(evidence, piece):
            continue  # the triage's flow and the code's evidence saw the same assignment: say it once
        evidence += (", " if piece.startswith("but ") else "; ") + piece if evidence else piece
    evidence = evidence[0].lower() + evidence[1:] if evidence[:1].isupper() and not evidence[1:2].isupper() else evidence
    word = WORDS[rec["verdict"]] + (f" ({_cwe_said(rec, cwe)})" if cwe and rec["verdict"] != "false_positive" else "")
    text = f"{word}: {evidence}." if evidence else f"{word} as reported."
    return "## Verdict\n" + text + "\n\n"
