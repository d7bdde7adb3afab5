"""One finding -> its analysis: what is specific to it, and nothing the prompt already says.

A reviewer's analysis adds what the prompt lacks.  Sections, each left out
when nothing specific is known (a short true answer beats a padded one):

* what is wrong here: the path the tool traced (SARIF codeFlows), where the
  flagged values come from in the code (tasks.enrich.specifics), or for a
  dependency the affected and fixed releases and the advisory's text past
  what the prompt shows;
* how it works: the rule's mechanism and the precondition that decides
  whether it matters (tasks.enrich.mechanisms) - never for a CWE only
  guessed by retrieval;
* who can reach it: a test file, an example, a container's OS package;
* how to fix it: the upgrade, the setting or the safe API for this language
  (tasks.fixes), without the catalogue's generic mitigations.

No sentence restates the finding (tool, rule, title, severity) and no
pipeline words appear; ``render`` joins the sections so a verdict line can
be put in front.  Likely false positives (tasks.triage.report_signals) get
``triage_narrative`` as well; ``datasets.triage`` picks which a row uses.

CWE choice (``choose_cwes``): the report's, a kind default (secrets
CWE-798, dependencies CWE-1395), else the nearest catalogue entry by BM25
when its name shares two content words with the title (``retrieved``; kept
for grouping, never named in the text), else none.
"""

from __future__ import annotations

import re

from tasks.enrich import platforms, specifics, wording
from tasks.enrich.evidence import request_origin
from tasks.enrich.upgrades import dependency_fix, is_malicious  # noqa: F401  (is_malicious: tasks.datasets.rows)
from tasks.enrich.analysis import (  # noqa: F401
    _NOT_A_CONTROL,
    _SENTENCE_END,
    HEADINGS,
    _advisory_ids,
    _sentences,
    fix_items,
    how_it_works,
    render,
    version_like,
    what_is_wrong,
)
from tasks.enrich.knowledge_base import KnowledgeBase, known, short_name
from tasks.findings.model import NO_LOCATION, Finding, as_finding
from tasks.triage.report_signals import NOT_SECURITY, triage

TEMPLATE_VERSION = "4"
MIN_RETRIEVAL_SCORE = 12.0
KIND_DEFAULT_CWE = {"secret": "CWE-798", "dependency": "CWE-1395"}
_URL_ONLY = re.compile(r"^\s*https?://\S+\s*$")
_CONFIG_PHASES = re.compile(r"\(phase: [^)]*(?:Operation|System Configuration|Installation|Build and Compilation|Policy)")


def _place(f: Finding) -> str:
    if f.package:
        p = f.package
        where = f"package {p.name}" + (f" {p.version}" if p.version else "")
        if p.ecosystem:
            where += f" ({p.ecosystem})"
        if f.location:
            where += f" found in {f.path}"
        return where
    loc = f.location
    if loc:
        line = f":{loc.start_line}" if loc.start_line else ""
        if f.kind == "web":
            return f"the web application at {loc.path}"
        return f"{loc.path}{line}"
    return "the scanned target"


_STOP = {"with", "without", "from", "into", "that", "this", "the", "and", "for", "not", "use", "used", "improper", "missing", "detected"}


def _words(text: str) -> set[str]:
    """Content words (first 6 letters), to check that a retrieved CWE is about what the title says."""
    return {w[:6] for w in re.findall(r"[a-z]{4,}", (text or "").lower()) if w not in _STOP}


def _names_match(f: Finding, name: str) -> bool:
    """Two shared content words, and the entry's quoted term if it has one ('HttpOnly' is not 'secure')."""
    quoted = re.findall(r"'([^']+)'", name)
    text = f"{f.title} {f.description}".lower()
    return len(_words(f.title) & _words(name)) >= 2 and all(q.lower() in text for q in quoted)


def choose_cwes(kb: KnowledgeBase, f: Finding | dict) -> tuple[list[str], str]:
    f = as_finding(f)
    cwes = known(kb, f.cwe or [])
    if cwes:
        # a report listing several CWEs in no order (npm audit's ["CWE-918", "CWE-1333"] for a ReDoS titled
        # "Inefficient Regular Expression Complexity"): the one the title names comes first
        return sorted(cwes, key=lambda c: not _names_match(f, (kb.get(c) or {}).get("name", ""))), "report"
    if f.kind in KIND_DEFAULT_CWE:
        return [KIND_DEFAULT_CWE[f.kind]], "kind-default"
    if NOT_SECURITY.search(str(f.rule_id)):
        return [], "none"  # a code-quality rule: the nearest weakness would be a guess
    for cwe in kb.nearest_cwes(f"{f.title} {_sentences(f.description, 2)}", MIN_RETRIEVAL_SCORE):
        if _names_match(f, kb.get(cwe)["name"]):
            return [cwe], "retrieved"
    return [], "none"


def test_data_path(path: str | None) -> bool:
    """Test code or fixtures: a secret here is most likely test data (a scanner's fixture, a sample key)."""
    from tasks.triage.report_signals import is_test_path

    return is_test_path(path) or bool(re.search(r"(?:^|/)(?:unittests?|fixtures?|testdata|test_data)/", path or ""))


def _whole_code(fix: str, snippet: str | None) -> bool:
    """A Semgrep autofix that reads as code on its own: a call or an assignment, whose dotted names are
    intact ("javax crypto Cipher" is a garbled "javax.crypto.Cipher") and that shares a name with the line."""
    if not re.search(r"[(=]", fix) or re.search(r"\b[a-z]+ [a-z]+ [A-Z]\w*\.|\\\d|\$\d", fix):  # or a regex backreference
        return False
    names = set(re.findall(r"[A-Za-z_]\w{2,}", fix))
    return bool(names & set(re.findall(r"[A-Za-z_]\w{2,}", snippet or "")))


def _hint(f: Finding) -> str | None:
    hint = (f.fix_hint or "").strip()
    if not hint:
        return None
    if _URL_ONLY.match(hint):
        return None  # the guideline's address is listed under References already
    if re.match(r"^\s*Phase:", hint):
        return None  # the catalogue's mitigation list pasted by the scanner (ZAP): the same in every row of its CWE
    if f.tool == "semgrep" and "\n" not in hint and len(hint) < 120:
        # the autofix replaces only the matched span: shown alone, a bare word or a cut call misleads
        return f"The rule's autofix rewrites the match as `{hint}`." if _whole_code(hint, f.snippet) else None
    return f"Scanner's fix: {_sentences(hint, 3)}"


_DIFF_BLOCK = re.compile(r"```diff\n.*?```\n?", re.S)


def _fixes_advice(f: Finding, cwes: list[str]) -> tuple[str | None, dict]:
    """What tasks.fixes would change, as prose for the analysis: the pattern for the weakness family and
    language (code, without its diff) or the concrete setting (config); (None, meta) when it has none."""
    from tasks.fixes import fix_for

    answer, source, meta = fix_for(f, cwes)
    if not answer or source not in ("pattern", "config-setting"):
        return None, meta
    if source == "config-setting" or f.kind == "web":  # a web alert's fix names the pages and parameters ZAP saw
        return answer.strip(), meta
    body = _DIFF_BLOCK.sub("", answer.split("\n", 1)[1] if "\n" in answer else "").strip()
    return (f"For this {meta.get('language') or 'file'} code: {body}" if body else None), meta


def _remediation(kb, f, primary, applies, language, query, top_k, advice) -> list[str]:
    fix: list[str] = []
    kind, hint = f.kind, _hint(f)
    if kind == "dependency":
        return dependency_fix(f, hint)
    if kind == "secret" and test_data_path(f.path):
        path = f.path
        return [f"{path} is test code or fixture data, where most such values are test data (scanner fixtures, "
                "sample keys). First check whether it is a live credential (the issuer's console, its audit log); only "
                "if it is, revoke it, remove it from the file and the history (git filter-repo) and load test "
                "credentials from the CI secret store. Otherwise mark it as test data for the scanner (a gitleaks "
                "allowlist entry for the path) and change nothing in the test."]
    if kind == "secret":
        from tasks.enrich.credentials import revoke_step

        loc = f.location or NO_LOCATION
        revoke = revoke_step(f) or "revoke it at its issuer and issue a new one"
        fix.append(f"If it is live, {revoke}; then remove it from {loc.path or 'the file'} and from the git history "
                   "(git filter-repo), and read it at run time from the CI secret store or a vault.")
        return fix
    if hint:
        fix.append(hint)
    if advice:
        if hint and (hint.split(": ", 1)[-1].rstrip(".") in advice or f.kind == "web"):
            fix.remove(hint)  # the setting below already says it (a web alert's fix starts from ZAP's own solution)
        fix.append(advice)  # the fix for this weakness in this language or file (tasks.fixes), ahead of the catalogue's prose
    elif primary and applies:
        mitigations = [m for m in kb.passages_for(primary["id"], query, "mitigation", top_k * 2) if platforms.fits(m, language)]
        if kind == "config":
            mitigations = [m for m in mitigations if _CONFIG_PHASES.search(m)][:1]
        said = " ".join(fix).lower()
        fix += [f"Mitigation ({primary['id']}): {_sentences(m, 3)}" for m in mitigations[:top_k]
                if _sentences(m, 1)[:60].lower() not in said]  # ZAP often quotes the catalogue already
    if kind == "config" and not advice:
        where = f.path
        fix.insert(0, f"Change the configuration{' in ' + where if where else ''} to resolve what check {f.rule_id} "
                      f"reports ('{str(f.title).rstrip('.')}').")
    if not fix:
        refs = [r for r in f.references or [] if r.startswith("http")]
        fix.append(f"The report gives no fix for {f.rule_id}; " + (f"the rule's documentation ({refs[0]}) describes the safe pattern."
                                                                       if refs else f"review the flagged code at {_place(f)}."))
    return fix


def narrative_for(kb: KnowledgeBase, f: Finding | dict, top_k: int) -> dict:
    f = as_finding(f)
    cwes, cwe_source = choose_cwes(kb, f)
    primary = kb.get(cwes[0]) if cwes else None
    language = platforms.finding_language(f)
    applies = bool(primary) and platforms.entry_applies(primary, language)
    query = f"{f.title} {f.description[:500]} {f.snippet or ''}"
    advice, fix_meta = _fixes_advice(f, cwes) if f.kind in ("code", "config", "web") else (None, {})
    fix = fix_items(f, _remediation(kb, f, primary, applies, language, query, top_k, advice))
    sections = {
        "weakness": what_is_wrong(f, cwes, cwe_source),
        "impact": specifics.reach(f) or "",
        "exploitation": how_it_works(f, cwes, cwe_source, fix_meta),
        "remediation": " ".join(fix),
    }
    references = [r for r in f.references or [] if r.startswith("http")][:4]
    fix_text = "\n".join(f"- {x}" for x in fix)
    text = render([(HEADINGS[k], sections[k]) for k in ("weakness", "exploitation", "impact")]
                  + [(HEADINGS["remediation"], fix_text)]
                  + [("References", "\n".join(f"- {r}" for r in references))])
    verdict = triage(f)
    if verdict and verdict["signal"] == "low-confidence rule" and request_origin(f):
        verdict = None  # the code shows request data reaching the line: the rule's own doubt does not make it acceptable
    triage_text = None
    if verdict:
        opening = "Outdated check" if verdict["signal"] == "obsolete check" else "Probably acceptable"
        lead = {"weakness": f"{opening}: {verdict['reason']}", "impact": sections["weakness"],
                "exploitation": sections["exploitation"]}
        steps = [f"Accept it: {verdict['action']}."]
        alternative = verdict.get("fix") or (fix[0] if fix and not fix[0].startswith("The report gives no fix")
                                             and verdict["signal"] != "obsolete check" else None)
        if alternative:
            steps.append(f"Fix it instead if the code is not test-only or the value can come from outside: {alternative}")
        triage_text = render([("Assessment", lead["weakness"]), (HEADINGS["weakness"], lead["impact"]),
                              (HEADINGS["exploitation"], lead["exploitation"]), ("What to do", "\n".join(f"- {x}" for x in steps))]
                             + [("References", "\n".join(f"- {r}" for r in references))])
    return {
        "finding_id": f.id,
        "cwe": cwes,
        "cwe_source": cwe_source,
        "cwe_name": short_name(primary["name"]) if primary else None,
        "language": language,
        "sections": sections,
        "narrative": text,
        "triage": verdict,
        "triage_narrative": triage_text,
        "references": references,
        "kb_version": kb.version,
        "template_version": TEMPLATE_VERSION,
    }
