"""One finding -> its stage-1 row and its stage-2 row (or the reason there is none).

``meta`` follows the training-rows contract the evaluation reads
(docs/datasets.md): group, cwe, language, path, fix_source, fixed_version,
fix_status, has_diff, code, expected_diff.
"""

from __future__ import annotations

import re

from tasks.core.settings import Datasets
from tasks.datasets.prompts import STAGE1_SYSTEM, STAGE2_SYSTEM, describe_finding
from tasks.findings.model import NO_PACKAGE, Finding, as_finding
from tasks.datasets.fix_gates import (  # noqa: F401 - re-exported: build.py and the tests read them as rows.X
    GENERIC_PATTERN,
    INFORMATIONAL,
    MALICIOUS,
    NEGLIGIBLE,
    NOT_A_VERSION,
    NOT_APPLYING,
    PASSWORD_HEURISTIC,
    SCANNER_HAS_FIX,
    SCANNER_TEST_DATA,
    SECRET_IN_TESTS,
    SECRET_NOT_SHOWN,
    ignores_scanner_fix,
    unsafe_fix,
    unusable_fix,
)
from tasks.fixes.patch_check import extract_diff
from tasks.fixes.scan_config import PLACE as SCAN_CONFIG_PLACE

# fix_for meta keys a row keeps (the rest is the fixes helper's business)
FIX_META = ("language", "build_tool", "fix_family", "ecosystem", "manifest")


def chat(system: str, user: str, assistant: str, meta: dict) -> dict:
    return {"messages": [{"role": "system", "content": system}, {"role": "user", "content": user},
                         {"role": "assistant", "content": assistant}], "meta": meta}


def base_meta(f: Finding | dict, narrative: dict, group: str, language: str | None) -> dict:
    f = as_finding(f)
    return {
        "finding_id": f.id, "tool": f.tool, "rule_id": str(f.rule_id), "severity": f.severity, "kind": f.kind,
        "group": group, "cwe": list(narrative["cwe"]), "language": language,
        "path": f.path,
        "triage": (narrative.get("triage") or {}).get("signal"),  # the report's signal; a verdict replaces it (apply_triage)
    }


NOTHING_SPECIFIC = "nothing specific to this finding to say (no traced path, code context or advisory detail)"


# ----------------------------------------------------------------------------- triage verdicts (tasks/triage)


def triage_meta(rec: dict | None) -> dict | None:
    """meta.triage: the verdict and its reasons from triage.jsonl."""
    return {"verdict": rec["verdict"], "reasons": rec["reasons"]} if rec else None


def is_false_positive(meta: dict) -> bool:
    triage = meta.get("triage")
    return isinstance(triage, dict) and triage.get("verdict") == "false_positive"


def apply_triage(f: Finding | dict, narrative: dict, meta: dict, rec: dict | None, s1: dict | None, fixed: tuple,
                 cfg: Datasets | dict, code: dict | None = None):
    """(stage-1 row, fixed) with the triage verdict, reconciled with what the code shows
    (tasks.enrich.verdicts): the stage-1 answer opens with it, a false positive's stage-2 answer is the
    suppression in the tool's own syntax, a needs_review one says what to check."""
    cfg, f = Datasets.of(cfg), as_finding(f)
    from tasks.enrich.verdicts import reconcile, stated_cwe
    from tasks.fixes.suppression import refused, suppression_answer, suppression_place

    if rec is None:
        return s1, fixed
    answer, source, fix_meta = fixed
    rec = reconcile(f, rec, code, fix_meta.get("fix_family"), (narrative.get("sections") or {}).get("remediation") or "")
    meta["triage"] = triage_meta(rec)
    if s1 is not None:
        s1["meta"]["triage"] = meta["triage"]
        if narrative.get("triage") and narrative.get("narrative"):  # the verdict replaces the report signal's assessment
            s1["messages"][2]["content"] = _analysis(f, narrative, code, s1["messages"][1]["content"])
    if rec["verdict"] == "false_positive" and cfg.triage == "drop":
        return None, fixed
    if rec["verdict"] == "false_positive" and cfg.triage != "keep":
        from tasks.fixes.scan_scope import exclusion_answer, exclusion_place, generated_answer, generated_place
        from tasks.fixes.suppression_diff import inside_string

        scoped = exclusion_answer(f.tool, f.path, rec)  # an installed package: out of the scan, never a nosec in it
        generated = None if scoped else generated_answer(f.tool, f.path, rec, code)  # a generator would drop a comment
        inside = None if scoped or generated else inside_string(f, code)  # a comment would join a string's text
        if s1 is not None:
            place = exclusion_place(f.tool, f.path, rec) if scoped else generated_place(f.tool, f.path, code) \
                if generated else (f"in the team's triage record or the scan's baseline, not with a comment ({inside})"
                                   if inside else suppression_place(f, rec))
            s1["messages"][2]["content"] = false_positive_analysis(narrative, rec, place, f.path, answer)
        why_not = None if scoped else refused(f, rec) or inside  # a suppression that would silence a real defect: no row
        if why_not:
            return s1, (None, why_not, dict(fix_meta, fix_family="suppression"))
        from tasks.fixes.suppression_diff import suppression_diff

        patch = None if scoped or generated else suppression_diff(f, rec, code)  # the flagged line, where the tool reads a comment
        extra = {"has_diff": True, "code": patch[1].as_meta()} if patch else {}
        text = scoped or generated or suppression_answer(f, rec, patch[0] if patch else None, answer)
        if text is None:
            return s1, (None, "no least-privilege block known for the workflow's steps", dict(fix_meta, fix_family="suppression"))
        return s1, (text, "suppression", dict(fix_meta, fix_family="suppression", **extra))
    if s1 is not None:
        from tasks.enrich.wording import after_verdict, teaches_nothing

        s1["messages"][2]["content"] = after_verdict(verdict_lead(rec, stated_cwe(narrative)), s1["messages"][2]["content"])
        if teaches_nothing(f, rec, source, fix_meta, s1["messages"][2]["content"]):
            s1 = None  # a verdict alone, or "as reported" and a catalogue pattern: nothing of this finding to teach
        elif rec["verdict"] == "needs_review" and cfg.needs_review == "fix_only":
            s1 = None  # an analysis that cannot say whether the finding is real teaches hedging: 0 of 45 clean (rounds 22-24)
    if rec["verdict"] == "needs_review" and answer:
        answer = stage2_needs_review(answer, rec)
    return s1, (answer, source, fix_meta)


def _analysis(f: Finding, narrative: dict, code: dict | None, prompt: str) -> str:
    from tasks.enrich.wording import strip_restating

    return strip_restating(with_source_context(f, narrative, code, narrative["narrative"]), prompt)


def verdict_lead(rec: dict, cwe: str | None = None) -> str:
    """The opening of a stage-1 answer: the verdict (with the weakness's CWE) and its evidence, in the first sentence."""
    from tasks.enrich.verdicts import verdict_text

    return verdict_text(rec, cwe)



def false_positive_analysis(narrative: dict, rec: dict, suppress_place: str, path: str | None = None,
                            fix: str | None = None) -> str:
    """A false positive's stage-1 answer: the verdict with its evidence, and what to do (suppress, not fix).
    No paragraph about the risk of a finding that is not one, and no "How it works": for a false positive it was
    the rule's or the weakness's catalogue paragraph, the same in every row of the rule (round 26: 6 of 40 rows
    graded boilerplate for it, e.g. SQL quoting under a constant PRAGMA); the evidence is what is specific."""
    where = f"{path}: " if path else ""
    if suppress_place.startswith("with an empty top-level `permissions: {}` block"):  # round 35: "do not change" and
        return (verdict_lead(rec) + "## What to do\nLeave the jobs' own permissions as they are. To record the finding "
                f"as not applicable, add an empty top-level `permissions: {{}}` block{' to ' + path if path else ''} "
                "(Checkov ignores a skip comment for this check): it changes nothing at run time, since every job "
                "declares its own.")  # "add a block" read as a contradiction
    if suppress_place.startswith("with a top-level `permissions` block of what the steps need"):
        # set 39's grader: "Do not change build-sanity.yml" before asking for a block in it, without the block
        block = fix[fix.find("```yaml"):fix.find("```", fix.find("```yaml") + 7) + 3] if fix and "```yaml" in fix else ""
        return (verdict_lead(rec) + "## What to do\nRecord least privilege: add a top-level block of what the steps "
                f"need{' to ' + path if path else ''} (Checkov ignores a skip comment for this check), which changes "
                "nothing the jobs use today" + (f":\n{block}" if block else ": each scope a step writes with the token, "
                                                "and `contents: read` for the checkout."))
    if suppress_place == SCAN_CONFIG_PLACE:  # the project's own Bandit configuration leaves it out (set 55)
        return verdict_lead(rec) + f"## What to do\nDo not change {where or 'the code: '}{suppress_place}."
    if suppress_place.startswith("leave "):  # a fixture, an installed or vendored copy: out of the scan, no comment in it
        return verdict_lead(rec) + f"## What to do\nDo not change {where or 'the code: '}{suppress_place}, with the evidence above as the reason."
    return (verdict_lead(rec) + "## What to do\nDo not "
            f"change {where or 'the code: '}record the finding as not applicable here, {suppress_place}, with the evidence "
            "above as the reason.")


def stage2_needs_review(answer: str, rec: dict) -> str:
    """A needs_review stage-2 answer says what to check before the fix applies (the two stages agree)."""
    said = [r["evidence"] for r in rec["reasons"]]  # the reason that says what to check (an example's key: round 46)
    evidence = next((e for e in said if re.search(r"\bcheck (?:whether|that|if)\b", e)), said[0]).rstrip(".")
    low = "the rule rates its own confidence LOW; check "
    evidence = f"{evidence[len(low):]} (the rule rates its own confidence LOW)" if evidence.startswith(low) else evidence
    return f"Check first: {evidence}. If the finding holds:\n\n{answer}"


def stage1_row(f: Finding | dict, narrative: dict, meta: dict, code: dict | None, cfg: Datasets | dict) -> dict | None:
    """The analysis row; a likely false positive is explained, dropped or kept by ``datasets.triage``.
    None when the analysis would fit any finding of its rule (``stage1_skip_reason`` says why)."""
    cfg = Datasets.of(cfg)
    f = as_finding(f)
    text = narrative["narrative"]
    if narrative.get("triage"):
        if cfg.triage == "drop":
            return None
        if cfg.triage == "explain" and narrative.get("triage_narrative"):
            text = narrative["triage_narrative"]
    from tasks.enrich.wording import strip_restating

    prompt = describe_finding(f, code, cfg.max_snippet_chars, show_cwe=False)
    text = strip_restating(with_source_context(f, narrative, code, text), prompt)
    text = re.sub(r"(?m)^([ \t]*)[-*][ \t]+(```)", r"\1\2", text)  # a fix item cut to its block: the block, not "- ```hcl"
    row = chat(STAGE1_SYSTEM, prompt, text, meta | {"stage": 1})
    return row if specific(row, f) else None


def with_source_context(f: Finding | dict, narrative: dict, code: dict | None, text: str) -> str:
    """Where the flagged values come from, read from the checked-out source (``source.repo_path``) when the
    narrative, written from the report alone, had no vulnerable path to show."""
    f = as_finding(f)
    from tasks.enrich.narrative import HEADINGS
    from tasks.enrich.specifics import value_origins

    from tasks.enrich.analysis import origins_matter

    if code and f.kind == "code" and f.secret_evidence and "## Verdict\nTrue positive" in text:  # round 46
        from tasks.enrich.secret_reach import secret_reach

        reach = secret_reach(f, code)
        return text.replace("\n\n## How it works", f"\n{reach}\n\n## How it works", 1) if reach and \
            "\n\n## How it works" in text else text
    if not code or f.kind not in ("code", "config") or not origins_matter(f):
        return text
    origins = value_origins(f, code)
    if not (narrative.get("sections") or {}).get("weakness"):
        return f"## {HEADINGS['weakness']}\n{' '.join(origins)}\n\n{text}" if origins else text
    # the analysis said where the values are set from the snippet; the repository adds who calls the function
    said = " ".join(origins)
    callers = [s for s in (code.get("sites") or {}).values() if s in said and s not in text]
    head = f"## {HEADINGS['weakness']}\n"
    if not callers or head not in text:
        return text
    start = text.index(head) + len(head)
    end = text.find("\n\n", start)
    end = len(text) if end < 0 else end
    return text[:end] + " " + " ".join(callers) + text[end:]


def specific(row: dict, f: Finding | dict) -> bool:
    """The answer names something of this finding (its file, code, package, advisory) - else it fits any finding."""
    f = as_finding(f)
    from tasks.datasets.lint import boilerplate

    body = row["messages"][-1]["content"].split("## References", 1)[0]  # a rule's doc URL names the rule, not the finding
    code = (row["meta"].get("code") or {}).get("text") or f.snippet or ""
    wrong = body.split("## What is wrong here\n", 1)[1].split("\n## ", 1)[0] if "## What is wrong here\n" in body else ""
    if code and any(len(name) >= 3 and name in code for name in re.findall(r"`([^`\n]+)`", wrong)):
        return True  # it names this code's own variables or calls (where a value comes from)
    return boilerplate({**row, "messages": row["messages"][:-1] + [{"role": "assistant", "content": body}]}, f) is None


def _fix_status(f: Finding) -> str | None:
    if f.kind != "dependency":
        return None
    return "fixed" if (f.package or NO_PACKAGE).fixed_version else "none published"


def stage2_meta(f: Finding | dict, meta: dict, source: str, fix_meta: dict, answer: str, code: dict | None) -> dict:
    """The stage-2 meta: the code a diff applies to is fix_for's own (Bandit's numbered lines stripped),
    else the source reader's, else the snippet."""
    f = as_finding(f)
    diff = extract_diff(answer)
    code_meta = None
    if isinstance(fix_meta.get("code"), dict):
        code_meta = {k: fix_meta["code"][k] for k in ("path", "text", "start_line")}
    elif code:
        code_meta = {k: code[k] for k in ("path", "text", "start_line")}
    elif f.snippet and f.path:
        code_meta = {"path": f.path, "text": f.snippet, "start_line": int(f.line or 1)}
    out = meta | {k: fix_meta[k] for k in FIX_META if fix_meta.get(k) is not None}
    return out | {
        "stage": 2, "fix_source": source, "fixed_version": fix_meta.get("fixed_version") or (f.package or NO_PACKAGE).fixed_version,
        "fix_status": _fix_status(f), "has_diff": bool(diff and code_meta), "code": code_meta,
        "expected_diff": diff if code_meta else None,
    }


def _dropped_by_triage(meta: dict, source: str, cfg: Datasets | dict) -> bool:
    """No stage-2 row: a report signal's likely false positive (explain/drop), or any false positive with drop."""
    cfg = Datasets.of(cfg)
    triage = meta.get("triage")
    if not triage or cfg.triage == "keep":
        return False
    if isinstance(triage, dict):
        return triage["verdict"] == "false_positive" and (cfg.triage == "drop" or source != "suppression")
    return True


def stage2_row(f: Finding | dict, meta: dict, fixed: tuple[str | None, str, dict], code: dict | None, cfg: Datasets | dict) -> dict | None:
    cfg = Datasets.of(cfg)
    f = as_finding(f)
    answer, source, fix_meta = fixed
    if answer is None or _dropped_by_triage(meta, source, cfg):
        return None
    return chat(STAGE2_SYSTEM, describe_finding(f, code, cfg.max_snippet_chars), answer,
                stage2_meta(f, meta, source, fix_meta, answer, code))


def mined_row(f: Finding | dict, meta: dict, mined: dict, cfg: Datasets | dict) -> dict:
    """A fix this team made (tasks.fixes.mined): the code before as the prompt, the real diff as the answer."""
    cfg = Datasets.of(cfg)
    f = as_finding(f)
    code = {"path": mined["path"], "text": mined["before"], "start_line": int(mined["before_start_line"]),
            "commit": mined.get("commit_before"), "note": None}
    diff = mined["diff"] if mined["diff"].endswith("\n") else mined["diff"] + "\n"
    answer = f"```diff\n{diff}```\nReason: this is the change that made {f.tool} stop reporting {f.rule_id} in {mined['path']}."
    return chat(STAGE2_SYSTEM, describe_finding(f, code, cfg.max_snippet_chars), answer,
                stage2_meta(f, meta, "git-history", {"fix_family": "git-history"}, answer, code))
