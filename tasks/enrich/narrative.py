"""One finding -> its analysis narrative, fitted to the finding's kind and language.

A narrative explains what the weakness is, why it matters at this location
or package, how it is exploited, how to fix it, and where to read more.
What goes in depends on the finding:

* code: catalogue consequences and mitigations only when the CWE applies to
  the file's language, and only passages that name no other language
  (tasks.enrich.platforms);
* config (Checkov, Trivy misconfigurations): the setting to change, from
  the check's own resolution text; no code-level advice;
* dependency: the advisory and the upgrade, or an honest "no fixed version
  published as of the scan" with mitigations; not CWE-1395's generic
  supply-chain paragraphs, which are the same for every package;
* secret: revoke, rotate, purge from history;
* web (ZAP): the scanner's solution plus fitting catalogue mitigations.

Likely false positives (tasks.triage.report_signals) get a second text,
``triage_narrative``, that says why the finding is probably acceptable;
``datasets.triage`` picks which one a row uses.

The rule for findings with no CWE, in order: a kind default where the kind
fixes the weakness (secrets CWE-798, vulnerable dependencies CWE-1395);
otherwise the nearest CWE entry by BM25 over the catalogue, kept only
above ``MIN_RETRIEVAL_SCORE`` and when its name shares two content words
with the finding's title (BM25 alone mapped a CSP finding to "Script in IMG
tags" and a Python always-true comparison to floating-point comparison),
marked ``cwe_source: retrieved``;
otherwise no CWE, and the narrative says so (``cwe_source: none``).
"""

from __future__ import annotations

import re

from tasks.enrich import platforms
from tasks.enrich.knowledge_base import KnowledgeBase, known
from tasks.triage.output import fix_origin
from tasks.triage.report_signals import NOT_SECURITY, triage

TEMPLATE_VERSION = "2"
MIN_RETRIEVAL_SCORE = 12.0
KIND_DEFAULT_CWE = {"secret": "CWE-798", "dependency": "CWE-1395"}
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_URL_ONLY = re.compile(r"^\s*https?://\S+\s*$")
_CONFIG_PHASES = re.compile(r"\(phase: [^)]*(?:Operation|System Configuration|Installation|Build and Compilation|Policy)")


def _sentences(text: str, n: int) -> str:
    parts = [p.strip() for p in _SENTENCE_END.split(" ".join((text or "").split())) if p.strip()]
    return " ".join(parts[:n])


def _place(f: dict) -> str:
    if f.get("package"):
        p = f["package"]
        where = f"package {p['name']}" + (f" {p['version']}" if p.get("version") else "")
        if p.get("ecosystem"):
            where += f" ({p['ecosystem']})"
        if f.get("location"):
            where += f" found in {f['location']['path']}"
        return where
    loc = f.get("location")
    if loc:
        line = f":{loc['start_line']}" if loc.get("start_line") else ""
        if f["kind"] == "web":
            return f"the web application at {loc['path']}"
        return f"{loc['path']}{line}"
    return "the scanned target"


_STOP = {"with", "without", "from", "into", "that", "this", "the", "and", "for", "not", "use", "used", "improper", "missing", "detected"}


def _words(text: str) -> set[str]:
    """Content words (first 6 letters), to check that a retrieved CWE is about what the title says."""
    return {w[:6] for w in re.findall(r"[a-z]{4,}", (text or "").lower()) if w not in _STOP}


def _names_match(f: dict, name: str) -> bool:
    """Two shared content words, and the entry's quoted term if it has one ('HttpOnly' is not 'secure')."""
    quoted = re.findall(r"'([^']+)'", name)
    text = f"{f['title']} {f['description']}".lower()
    return len(_words(f["title"]) & _words(name)) >= 2 and all(q.lower() in text for q in quoted)


def choose_cwes(kb: KnowledgeBase, f: dict) -> tuple[list[str], str]:
    cwes = known(kb, f.get("cwe") or [])
    if cwes:
        return cwes, "report"
    if f["kind"] in KIND_DEFAULT_CWE:
        return [KIND_DEFAULT_CWE[f["kind"]]], "kind-default"
    if NOT_SECURITY.search(str(f["rule_id"])):
        return [], "none"  # a code-quality rule: the nearest weakness would be a guess
    for cwe in kb.nearest_cwes(f"{f['title']} {_sentences(f['description'], 2)}", MIN_RETRIEVAL_SCORE):
        if _names_match(f, kb.get(cwe)["name"]):
            return [cwe], "retrieved"
    return [], "none"


def version_like(value) -> bool:
    """A fixed version that is a version (grype's test data has "fix_1")."""
    return isinstance(value, str) and bool(re.match(r"^v?\d", value.strip()))


def is_malicious(f: dict) -> bool:
    """A malicious-package advisory (OSV ``MAL-`` ids, CWE-506): removal, not an upgrade."""
    ids = [str(f.get("rule_id") or "")] + [str(a) for a in f.get("aliases") or []]
    return any(i.startswith("MAL-") for i in ids) or "CWE-506" in (f.get("cwe") or [])


def _advisory_ids(f: dict) -> str:
    rule = str(f["rule_id"])
    if not (f.get("cve") or f.get("ghsa")) and rule.startswith("via:"):  # npm audit: vulnerable through a dependency
        return f"the advisories of its dependency {rule[4:]}"
    return ", ".join(f.get("cve") or f.get("ghsa") or [rule])


def _weakness(f: dict, primary: dict | None, cwe_source: str, applies: bool, language: str | None) -> str:
    if not primary:
        if f["kind"] == "config":
            return f"A configuration weakness: the check {f['rule_id']} ('{str(f['title']).rstrip('.')}') failed. The report names no CWE."
        return f"{str(f['title']).rstrip('.')}. The report names no CWE and none in the catalogue matches closely."
    description = _sentences(primary["description"], 2)
    text = f"{primary['id']} {primary['name']}" + (f": {description}" if platforms.fits(description, language) else ".")
    if cwe_source == "retrieved":
        text += " (The scanner named no CWE; this is the closest catalogue entry.)"
    if not applies and f["kind"] != "dependency":
        where = f"{language} code" if language else "this finding"
        text += (f" The catalogue's advice for {primary['id']} is written for other languages and does not carry over "
                 f"to {where}, so the advice below comes from the report.")
    if f["kind"] == "config":
        text = f"A configuration weakness: the check {f['rule_id']} ('{f['title']}') failed. " + text
    return text


def _impact(f: dict, place: str, language: str | None) -> str:
    report_text = _sentences(f["description"], 3)
    if report_text.strip(" .").lower() == str(f["title"]).strip(" .").lower():
        report_text = ""  # the title again
    what = {"config": f"in the {language or 'configuration'} file {place}", "code": f"in {language + ' code at ' if language else ''}{place}"}
    why = f"{f['tool']} reported '{f['title']}' ({f['rule_id']}) {what.get(f['kind'], 'in ' + place)} with {f['severity']} severity. {report_text}".rstrip()
    if f.get("suppressed"):
        why += " The finding is marked as suppressed in the report (accepted or a false positive)."
    if f.get("instances"):
        why += f" It was observed at {len(f['instances'])} URL(s), e.g. {f['instances'][0].get('uri', '')}."
    return why


def _exploitation(kb, f, primary, applies, language, query, place, top_k) -> str:
    out = []
    if primary and applies and f["kind"] != "dependency":
        consequences = [c for c in kb.passages_for(primary["id"], query, "consequence", top_k) if platforms.fits(c, language)]
        if consequences:
            out.append("Consequences: " + " ".join(_sentences(c, 2) for c in consequences))
        if primary.get("likelihood_of_exploit"):
            out.append(f"Likelihood of exploit: {primary['likelihood_of_exploit']}.")
    if f["kind"] == "dependency":
        out.append(f"An attacker who can reach the vulnerable code path of {place} can use the publicly known flaw ({_advisory_ids(f)}).")
    elif f["kind"] == "secret":
        out.append("Anyone with read access to the repository or its history can use the credential until it is revoked.")
    return " ".join(out) or "The report does not describe an exploitation path; treat it according to its severity."


def _hint(f: dict) -> str | None:
    hint = (f.get("fix_hint") or "").strip()
    if not hint:
        return None
    if _URL_ONLY.match(hint):
        return f"The check's guideline: {hint}"
    if f["tool"] == "semgrep" and "\n" not in hint and len(hint) < 120:
        return f"The rule's autofix rewrites the match as `{hint}`."
    return f"Scanner's fix: {_sentences(hint, 3)}"


_OS_ECOSYSTEMS = {"deb", "debian", "ubuntu", "apk", "alpine", "rpm", "redhat", "centos", "rocky", "amazon", "os"}
_NOT_A_CONTROL = ("Here the digest serves as an identifier (a de-duplication or cache key), not as a security control, so the "
                  "catalogue's consequences for broken cryptography do not apply; crafted colliding inputs could at most make two "
                  "records share a key.")
_DIFF_BLOCK = re.compile(r"```diff\n.*?```\n?", re.S)


def _fixes_advice(f: dict, cwes: list[str]) -> tuple[str | None, dict]:
    """What tasks.fixes would change, as prose for the analysis: the pattern for the weakness family and
    language (code, without its diff) or the concrete setting (config); (None, meta) when it has none."""
    from tasks.fixes import fix_for

    answer, source, meta = fix_for(f, cwes)
    if not answer or source not in ("pattern", "config-setting"):
        return None, meta
    if source == "config-setting":
        return answer.strip(), meta
    body = _DIFF_BLOCK.sub("", answer.split("\n", 1)[1] if "\n" in answer else "").strip()
    return (f"For this {meta.get('language') or 'file'} code: {body}" if body else None), meta


def _remediation(kb, f, primary, applies, language, query, top_k, advice) -> list[str]:
    fix: list[str] = []
    kind, hint = f["kind"], _hint(f)
    if kind == "dependency":
        p = dict(f.get("package") or {})
        if p.get("fixed_version") and not version_like(p["fixed_version"]):
            if hint and p["fixed_version"] in hint:
                hint = None  # "Upgrade redis to fix_1": the scanner's text carries the same junk
            p["fixed_version"], p["fix_status"] = None, "unknown"
        if is_malicious(f):
            return [f"This release of {p.get('name', 'the package')} is malicious code ({_advisory_ids(f)}), not a bug with a "
                    "fix to wait for: remove it from the manifest and the lockfile now, treat machines and CI runners that "
                    "installed it as compromised (rotate the credentials they held), and find out how it came in."]
        status = p.get("fix_status") or ("fixed" if p.get("fixed_version") else "unknown")
        if p.get("fixed_version"):
            if p.get("version"):
                text = (f"Upgrade {p['name']} from {p['version']} to {p['fixed_version']}, "
                        f"{fix_origin(p)} for {_advisory_ids(f)}.")
            elif len(p.get("fixed_versions") or []) > 1:  # one fix per release line, installed version unknown
                text = (f"The advisory ({_advisory_ids(f)}) lists fixed releases {', '.join(p['fixed_versions'])}, one per "
                        f"release line, and the report does not say which {p['name']} is installed: find it (`npm ls "
                        f"{p['name']}` or the lockfile) and upgrade to the fixed release of that line.")
            else:  # npm audit without the installed version: its proposal may be a downgrade of a major line
                text = f"Move {p['name']} to {p['fixed_version']}, the version the report proposes for {_advisory_ids(f)}."
            hint_text = f.get("fix_hint") or ""
            if "semver-major" in hint_text and re.search(rf"\b{re.escape(p['name'])}\b", hint_text):
                text += " It is a semver-major change: check the release notes for breaking changes before merging."
            fix.append(text)
        elif status == "none published" and str(p.get("ecosystem") or "").lower() in _OS_ECOSYSTEMS:
            fix.append(f"No fixed version of {p.get('name', 'the package')} is published by the distribution as of the scan "
                       f"({_advisory_ids(f)}). Rebuild on the base image update that fixes it once it is out; until then check "
                       "whether the image needs the package at all (base-system packages cannot be removed) and whether the "
                       "vulnerable feature is reachable in the container.")
        elif status == "none published":
            fix.append(f"No fixed version of {p.get('name', 'the package')} is published as of the scan. Mitigate: remove the "
                       f"dependency if it is unused, avoid or isolate the affected feature ({_advisory_ids(f)}), or replace the "
                       "package, and watch the advisory for a release.")
        elif hint and "guideline" not in hint:
            return [f"The report names no fixed version of {p.get('name', 'the package')} itself. {hint}"]
        else:
            fix.append(f"The report names no fixed version of {p.get('name', 'the package')}; check the advisory "
                       f"({_advisory_ids(f)}) for one before upgrading, and remove or isolate the package meanwhile.")
        return fix + ([hint] if hint and "guideline" not in hint else [])
    if kind == "secret":
        loc = f.get("location") or {}
        fix.append(f"Revoke the credential at its issuer and issue a new one; remove it from {loc.get('path', 'the file')} and from "
                   "the git history (git filter-repo); load it at run time from the CI secret store or a vault.")
        return fix
    if hint:
        fix.append(hint)
    if advice:
        if hint and hint.split(": ", 1)[-1].rstrip(".") in advice:
            fix.remove(hint)  # the setting below already says it
        fix.append(advice)  # the fix for this weakness in this language or file (tasks.fixes), ahead of the catalogue's prose
    elif primary and applies:
        mitigations = [m for m in kb.passages_for(primary["id"], query, "mitigation", top_k * 2) if platforms.fits(m, language)]
        if kind == "config":
            mitigations = [m for m in mitigations if _CONFIG_PHASES.search(m)][:1]
        said = " ".join(fix).lower()
        fix += [f"Mitigation ({primary['id']}): {_sentences(m, 3)}" for m in mitigations[:top_k]
                if _sentences(m, 1)[:60].lower() not in said]  # ZAP often quotes the catalogue already
    if kind == "config" and not advice:
        where = (f.get("location") or {}).get("path")
        fix.insert(0, f"Change the configuration{' in ' + where if where else ''} to resolve what check {f['rule_id']} "
                      f"reports ('{str(f['title']).rstrip('.')}').")
    if not fix:
        refs = [r for r in f.get("references") or [] if r.startswith("http")]
        fix.append(f"The report gives no fix for {f['rule_id']}; " + (f"the rule's documentation ({refs[0]}) describes the safe pattern."
                                                                       if refs else f"review the flagged code at {_place(f)}."))
    return fix


def _render(sections: dict, fix: list[str], references: list[str], headings: tuple[str, ...]) -> str:
    return (
        f"## {headings[0]}\n{sections['weakness']}\n\n"
        f"## {headings[1]}\n{sections['impact']}\n\n"
        f"## {headings[2]}\n{sections['exploitation']}\n\n"
        f"## {headings[3]}\n" + "\n".join(f"- {x}" for x in fix) + "\n\n"
        "## References\n" + ("\n".join(f"- {r}" for r in references) or "- (none in the report)")
    )


def narrative_for(kb: KnowledgeBase, f: dict, top_k: int) -> dict:
    cwes, cwe_source = choose_cwes(kb, f)
    primary = kb.get(cwes[0]) if cwes else None
    language = platforms.finding_language(f)
    applies = bool(primary) and platforms.entry_applies(primary, language)
    query = f"{f['title']} {f['description'][:500]} {f.get('snippet') or ''}"
    place = _place(f)
    advice, fix_meta = _fixes_advice(f, cwes) if f["kind"] in ("code", "config") else (None, {})
    fix = _remediation(kb, f, primary, applies, language, query, top_k, advice)
    sections = {
        "weakness": _weakness(f, primary, cwe_source, applies, language),
        "impact": _impact(f, place, language),
        "exploitation": _NOT_A_CONTROL if str(fix_meta.get("fix_family") or "").endswith("-not-security")
        else _exploitation(kb, f, primary, applies, language, query, place, top_k),
        "remediation": " ".join(fix),
    }
    references = ([primary["url"]] if primary else []) + [r for r in f.get("references") or [] if r.startswith("http")][:4]
    text = _render(sections, fix, references, ("What the weakness is", "Why it matters here", "How it is exploited", "How to fix it"))
    verdict = triage(f)
    triage_text = None
    if verdict:
        opening = "Outdated check" if verdict["signal"] == "obsolete check" else "Probably acceptable"
        lead = {"weakness": f"{opening}: {verdict['reason']}", "impact": sections["impact"],
                "exploitation": sections["weakness"]}
        steps = [f"Accept it: {verdict['action']}."]
        alternative = verdict.get("fix") or (fix[0] if fix and not fix[0].startswith("The report gives no fix")
                                             and verdict["signal"] != "obsolete check" else None)
        if alternative:
            steps.append(f"Fix it instead if the code is not test-only or the value can come from outside: {alternative}")
        triage_text = _render(lead, steps, references, ("Assessment", "What was reported", "What the rule flags", "What to do"))
    return {
        "finding_id": f["id"],
        "cwe": cwes,
        "cwe_source": cwe_source,
        "language": language,
        "sections": sections,
        "narrative": text,
        "triage": verdict,
        "triage_narrative": triage_text,
        "references": references,
        "kb_version": kb.version,
        "template_version": TEMPLATE_VERSION,
    }
