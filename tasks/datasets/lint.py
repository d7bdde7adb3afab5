"""The dataset linter: every row checked for the errors reviewers found, counted per check.

Run inside build_datasets before anything is written; the counts go to
``fine-tuning/training_data/lint.json``.  A row with a hard defect never
reaches training: it is set aside in ``quarantine.jsonl`` with its reasons
and the build goes on; only when more than ``datasets.max_quarantine_share``
of a stage's rows are set aside does the build fail, with one line naming
the commonest check and its first row (the generator, not one report, is
then wrong).  The checks for what a strict review found are in
tasks.datasets.checks.  The checks reuse the project's own
detectors: foreign-language code (tasks.fixes.patch_check), CI workspace
paths (tasks.findings.paths), secrets (detect-secrets via
tasks.findings.secrets), proposed versions (tasks.findings.versions).
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from tasks.core.errors import SecftError
from tasks.core.markdown import CODE_SPAN
from tasks.datasets import checks, markup
from tasks.datasets.grouping import near_duplicate_rows
from tasks.enrich.platforms import foreign_names
from tasks.enrich.wording import without_fix_sections
from tasks.findings.model import NO_LOCATION, NO_PACKAGE, Finding, as_finding
from tasks.findings.paths import has_ci_prefix
from tasks.findings.secrets import detect
from tasks.findings.versions import proposed_versions, same_version, versions_in
from tasks.fixes.patch_check import no_foreign_language

HARD = ("foreign_language_code", "foreign_language_advice", "ci_workspace_path", "possible_secret",
        "unknown_fixed_version", "no_fix_for_code_or_config", "no_fix_but_scanner_fix", "empty_or_boilerplate",
        "restated_prompt", "template_marker", "absolute_diff_path", "unparsable_code", "deletes_tests",
        "example_secret_rotated", "silent_behaviour_change", "only_shared_paragraphs", "placeholder_name",
        "suppresses_real_finding", "broken_markup", "shared_analysis_paragraph")
# across rows, not a defect of one row's generation: quarantined, but not counted towards the build's failure
# (a small report whose few rows share a mechanism sentence must not fail the build)
CROSS_ROW = ("shared_analysis_paragraph",)
SOFT = ("near_duplicate", "shared_paragraph")
_NO_FIX = re.compile(r"\bno fix(?:ed version)?\b[^.\n]{0,60}\b(?:published|listed|available)\b|\blists no fixed version\b", re.I)
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
_URL = re.compile(r"\bhttps?://\S+")
MIN_ANSWER_CHARS = 40


def _answer(row: dict) -> str:
    return row["messages"][-1]["content"]


def _prompt(row: dict) -> str:
    return "\n".join(m["content"] for m in row["messages"][:-1])


def foreign_advice(row: dict, f: Finding | dict) -> str | None:
    """A sentence of the answer, not quoted from the report, that names another language than the file's."""
    f = as_finding(f)
    language = row["meta"].get("language")
    if not language or row["meta"]["kind"] not in ("code", "config"):
        return None
    own = " ".join([_prompt(row), f.title or "", f.description or "", f.fix_hint or ""])
    code = own + "\n" + str((row["meta"].get("code") or {}).get("text") or "") + "\n" + str(f.snippet or "")
    prose = re.sub(r"(?ms)^```[^\n]*\n.*?^```", "", _answer(row))  # code blocks: foreign_language_code's to judge
    for sentence in _SENTENCE.split(prose):
        if len(sentence) > 20 and sentence.strip("- ") not in own:
            names = foreign_names(quoted_code_out(sentence, code), language)
            if names:
                return f"names {', '.join(sorted(names))}: {sentence.strip()[:80]}"
    return None


def quoted_code_out(sentence: str, code: str) -> str:
    """``sentence`` without the inline code it quotes from the finding's own file (a Hugo template's
    `{{ printf ... }}` names no language the row advises; set 39's mitmproxy docs row was quarantined for "C")."""
    def keep(m: re.Match) -> str:
        body = m.group(2).strip().rstrip("…").strip()
        return "QUOTED" if len(body) >= 8 and body in code else m.group(0)
    return CODE_SPAN.sub(keep, sentence)


def unknown_version(row: dict, f: Finding | dict) -> str | None:
    """A version the answer brings in that is not a fixed version of the finding's advisory data."""
    f = as_finding(f)
    if f.kind != "dependency":
        return None
    pkg = f.package or NO_PACKAGE
    for junk in [pkg.fixed_version] + list(pkg.fixed_versions or []):
        if isinstance(junk, str) and junk and not re.match(r"^v?\d", junk.strip()) and re.search(rf"\b{re.escape(junk)}\b", _answer(row)):
            return f"the answer proposes '{junk}', which is not a version number"
    fixed = [v.strip() for v in str(pkg.fixed_version or "").split(",") if v.strip()]
    fixed += [str(v) for v in pkg.fixed_versions or []]  # every release line's fix the advisory lists
    fixed += versions_in(f.fix_hint or "")  # the scanner's own fix ("Upgrade vercel to 32.3.0") is advisory data
    fixed += [final for final in map(_final_release, fixed) if final]  # 20.3.0rc1's fix ships in 20.3.0 too
    report = " ".join([_prompt(row), f.title or "", f.description or "", *map(str, f.references or [])])
    report += " " + _verdict_evidence(row)  # the advisory range the verdict quotes is the record's, not a proposal
    for v in proposed_versions(_URL.sub(" ", _answer(row)), report, fixed[0] if fixed else None):
        if not any(same_version(v, e) for e in fixed):
            return f"version {v} is not in the advisory's fixed versions ({', '.join(fixed) or 'none published'})"
    return None


def _final_release(version: str) -> str | None:
    from packaging.version import InvalidVersion, Version

    try:
        v = Version(version)
    except InvalidVersion:
        return None
    return v.base_version if v.is_prerelease else None


def boilerplate(row: dict, f: Finding | dict) -> str | None:
    f = as_finding(f)
    text = _answer(row).strip()
    if len(text) < MIN_ANSWER_CHARS:
        return f"answer of {len(text)} characters"
    loc = f.location or NO_LOCATION
    specifics = [str(f.rule_id), f.title or "", (f.fix_hint or "")[:60], *(f.cve or []), *(f.ghsa or [])]
    if loc.path:
        specifics.append(PurePosixPath(loc.path).name)
    if f.package:
        specifics.append(str(f.package.name))
    snippet = (row["meta"].get("code") or {}).get("text") or f.snippet or ""
    specifics += [l.strip() for l in snippet.splitlines() if len(l.strip()) >= 8]
    low = text.lower()
    # the finding's own code quoted in the analysis (not a bare API name a generic fix also names: `mark_safe`)
    analysis = re.split(r"(?m)^## (?:How to fix it|What to do)\b", text)[0]  # the verdict's evidence counts, a fix does not
    quoted = [q.strip('"') for q in re.findall(r"`([^`\n]+)`", analysis)]
    shown = snippet + "\n" + "\n".join(str(m.get("content") or "") for m in row["messages"][1:-1])  # the prompt's code too
    if any(len(q) >= 6 and re.search(r"[^\w.]", q) and q.rstrip(";") in shown for q in quoted):
        return None
    if not any(s and s.lower() in low for s in specifics):
        return "answer names nothing of this finding (rule, advisory, file, package or code)"
    return None


def row_problems(row: dict, f: Finding | dict) -> dict[str, str]:
    """check -> what is wrong, for one row."""
    f = as_finding(f)
    out: dict[str, str] = {}
    answer, meta = _answer(row), row["meta"]
    if no_foreign_language(answer, meta) is False:
        out["foreign_language_code"] = f"a code block is not {meta.get('language')}"
    advice = foreign_advice(row, f)
    if advice:
        out["foreign_language_advice"] = advice
    if any(has_ci_prefix(m["content"]) for m in row["messages"]):
        out["ci_workspace_path"] = "a CI runner path is in the row"
    leak = checks.leaked_secret([m | {"content": _SUPPRESSION_LINE.sub("", m["content"])} for m in row["messages"][1:]],
                                meta.get("path"), detect)  # a suppression's own syntax (`#checkov:skip=CKV_SECRET_4:<reason>`) reads as key: value
    if leak:
        out["possible_secret"] = leak
    version = unknown_version(row, f)
    if version:
        out["unknown_fixed_version"] = version
    if meta["kind"] in ("code", "config") and not _triaged(meta) and (
        meta.get("fix_source") == "no-fix-published" or _NO_FIX.search(answer)
    ):
        out["no_fix_for_code_or_config"] = "a code or config finding answered with 'no fix published'"
    if meta["stage"] == 2 and f.kind == "dependency" and _NO_FIX.search(answer) and versions_in(f.fix_hint or ""):
        out["no_fix_but_scanner_fix"] = f"says no fix, but the report proposes one: {f.fix_hint[:60]}"
    problem = boilerplate(row, f)
    if problem:
        out["empty_or_boilerplate"] = problem
    return out | review_problems(row, f)


def review_problems(row: dict, f: Finding | dict) -> dict[str, str]:
    """The checks for what a strict review found (tasks.datasets.checks): restated, internals, unsafe to merge."""
    f = as_finding(f)
    answer, meta = _answer(row), row["meta"]
    code = (meta.get("code") or {}).get("text") or f.snippet or ""
    found = {
        "restated_prompt": checks.restated_prompt(without_fix_sections(answer), _prompt(row)) if meta["stage"] == 1 else None,
        "template_marker": checks.template_marker(answer),
        "absolute_diff_path": checks.absolute_diff_path(answer),
        "unparsable_code": checks.unparsable_code(answer),
        "deletes_tests": checks.deletes_tests(answer),
        "example_secret_rotated": checks.example_secret_rotated(answer, f) if not meta.get("triage") else None,
        # each stage's own reading of leaked scaffolding (stage 1 also catches cut inline code)
        "broken_markup": markup.broken_markup(answer) if meta["stage"] == 1 else checks.broken_markup(answer),
        "silent_behaviour_change": checks.silent_behaviour_change(answer, f, meta["stage"], code),
        "placeholder_name": checks.placeholder_name(answer, _prompt(row)) if meta["stage"] == 2 else None,
        "suppresses_real_finding": checks.suppresses_real_finding(answer, meta, f),
    }
    return {k: v for k, v in found.items() if v}


def _verdict_evidence(row: dict) -> str:
    triage = row["meta"].get("triage")
    return " ".join(r["evidence"] for r in triage["reasons"]) if isinstance(triage, dict) else ""


def _triaged(meta: dict) -> bool:
    """A row the triage explains (a report signal, or a verdict other than true_positive)."""
    triage = meta.get("triage")
    return bool(triage) and (not isinstance(triage, dict) or triage.get("verdict") != "true_positive")


def lint(files: dict[str, list[dict]], findings: dict[str, dict], threshold: float) -> dict:
    """The lint report over every file's rows: counts per check, the first offender, near-duplicate shares,
    and ``quarantine``: (file, line, {check: why}) for every row with a hard defect."""
    checks_ = {name: {"hard": name in HARD, "count": 0, "first": None} for name in HARD + SOFT}
    found: dict[tuple[str, int], dict[str, str]] = {}
    for name, rows in files.items():
        for line, row in enumerate(rows, 1):
            problems = row_problems(row, findings[row["meta"]["finding_id"]])
            if problems:
                found[(name, line)] = problems
    for stage in ("stage1", "stage2"):  # boilerplate across rows: a long paragraph many rows share
        where = [(name, line) for name, rs in sorted(files.items()) if name.startswith(stage) for line in range(1, len(rs) + 1)]
        shared, only_shared = checks.shared_paragraphs([_answer(files[n][l - 1]) for n, l in where])
        for i, why in shared.items():
            found.setdefault(where[i], {})["shared_paragraph"] = why
        for i, why in only_shared.items():
            found[where[i]]["only_shared_paragraphs"] = why
        if stage == "stage1":  # the same paragraph but for the finding's names: a template (tasks.datasets.markup)
            rows_ = [files[n][l - 1] for n, l in where]
            for i, why in markup.shared_paragraphs([_answer(r) for r in rows_], [_prompt(r) for r in rows_]).items():
                found.setdefault(where[i], {})["shared_analysis_paragraph"] = why
    for (name, line), problems in sorted(found.items()):
        row = files[name][line - 1]
        for check, why in problems.items():
            entry = checks_[check]
            entry["count"] += 1
            entry["first"] = entry["first"] or f"{name} line {line} (finding {row['meta']['finding_id']}, {row['meta']['tool']} {row['meta']['rule_id']}): {why}"
    shares = {}
    for stage in ("stage1", "stage2"):
        rows = [r for name, rs in sorted(files.items()) if name.startswith(stage) for r in rs]
        dupes = near_duplicate_rows(rows, threshold)
        shares[stage] = {"rows": len(rows), "near_duplicates": len(dupes), "share": round(len(dupes) / len(rows), 4) if rows else 0.0}
        checks_["near_duplicate"]["count"] += len(dupes)
        if dupes and not checks_["near_duplicate"]["first"]:
            checks_["near_duplicate"]["first"] = f"{stage}: finding {rows[dupes[0]]['meta']['finding_id']}"
    quarantine = [(name, line, {c: w for c, w in p.items() if c in HARD}) for (name, line), p in sorted(found.items())
                  if any(c in HARD for c in p)]
    return {"threshold": threshold, "checks": checks_, "near_duplicate_share": shares, "quarantine": quarantine}


def quarantine(report: dict, files: dict[str, list[dict]], max_share: float, lint_path) -> list[dict]:
    """Take the rows with a hard defect out of ``files`` (in place) and return them with their reasons.

    One bad row (a report with an empty message, an odd diff) must not stop
    the build: it is set aside in quarantine.jsonl for a person to read.
    Only when more than ``max_share`` of a stage's rows are defective is the
    generator itself wrong, and the build fails with one line naming the
    commonest check and its first row."""
    bad = {(name, line): why for name, line, why in report["quarantine"]}
    out: list[dict] = []
    for name in sorted(files):
        kept = []
        for line, row in enumerate(files[name], 1):
            if (name, line) in bad:
                out.append({"file": name, "finding_id": row["meta"]["finding_id"], "reasons": bad[(name, line)], "row": row})
            else:
                kept.append(row)
        files[name] = kept
    summary = {}
    for stage in ("stage1", "stage2"):
        total = sum(len(rs) for n, rs in files.items() if n.startswith(stage)) + sum(1 for q in out if q["file"].startswith(stage))
        held = [q for q in out if q["file"].startswith(stage)]
        defective = sum(1 for q in held if set(q["reasons"]) - set(CROSS_ROW))  # what the failure share counts
        by_check: dict[str, int] = {}
        for q in held:
            for check in q["reasons"]:
                by_check[check] = by_check.get(check, 0) + 1
        summary[stage] = {"rows": total, "quarantined": len(held), "by_check": dict(sorted(by_check.items())),
                          "share": round(defective / total, 4) if total else 0.0}
    report["quarantined"] = summary | {"max_share": max_share}
    report.pop("quarantine", None)
    return out


_SUPPRESSION_LINE = re.compile(r"(?im)^.*(?:checkov:skip=|#\s*nosec\b|nosemgrep|gitleaks:allow|trivy:ignore|tfsec:ignore).*$")
MIN_DEFECTIVE = 3  # a small build's one or two bad rows are set aside, not a broken generator


def fail_above_share(report: dict, lint_path) -> None:
    """One line naming the stage, the commonest hard check and its first row, when too many rows were set aside:
    more than the share, and at least ``MIN_DEFECTIVE`` rows (1 of a project's 2 rows is no systematic defect)."""
    max_share = report["quarantined"]["max_share"]
    for stage in ("stage1", "stage2"):
        s = report["quarantined"][stage]
        if s["share"] > max_share and s["share"] * s["rows"] >= MIN_DEFECTIVE - 0.01:
            counts = {c: e["count"] for c, e in report["checks"].items() if e["hard"] and e["count"]}
            worst = max(counts, key=counts.get)
            raise SecftError(f"{lint_path}: {stage}: {s['quarantined']} of {s['rows']} rows have a hard defect "
                             f"(more than datasets.max_quarantine_share {max_share}); most: {worst}, first "
                             f"{report['checks'][worst]['first']}; the rows and reasons are in quarantine.jsonl")
