"""The dataset linter: every row checked for the errors reviewers found, counted per check.

Run inside build_datasets before anything is written; the counts go to
``fine-tuning/training_data/lint.json``.  A hard check with a count above
zero fails the build with one line naming the first offending row, so a
wrong row never reaches training.  The checks reuse the project's own
detectors: foreign-language code (tasks.fixes.patch_check), CI workspace
paths (tasks.findings.paths), secrets (detect-secrets via
tasks.findings.secrets), proposed versions (tasks.evaluation.metrics).
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from tasks.core.errors import SecftError
from tasks.datasets.grouping import near_duplicate_rows
from tasks.enrich.platforms import foreign_names
from tasks.findings.paths import has_ci_prefix
from tasks.findings.secrets import detect
from tasks.findings.versions import proposed_versions, same_version, versions_in
from tasks.fixes.patch_check import no_foreign_language

HARD = ("foreign_language_code", "foreign_language_advice", "ci_workspace_path", "possible_secret",
        "unknown_fixed_version", "no_fix_for_code_or_config", "no_fix_but_scanner_fix", "empty_or_boilerplate")
SOFT = ("near_duplicate",)
_NO_FIX = re.compile(r"\bno fix(?:ed version)?\b[^.\n]{0,60}\b(?:published|listed|available)\b|\blists no fixed version\b", re.I)
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
_URL = re.compile(r"\bhttps?://\S+")
MIN_ANSWER_CHARS = 40


def _answer(row: dict) -> str:
    return row["messages"][-1]["content"]


def _prompt(row: dict) -> str:
    return "\n".join(m["content"] for m in row["messages"][:-1])


def foreign_advice(row: dict, f: dict) -> str | None:
    """A sentence of the answer, not quoted from the report, that names another language than the file's."""
    language = row["meta"].get("language")
    if not language or row["meta"]["kind"] not in ("code", "config"):
        return None
    own = " ".join([_prompt(row), f.get("title") or "", f.get("description") or "", f.get("fix_hint") or ""])
    for sentence in _SENTENCE.split(_answer(row)):
        if len(sentence) > 20 and sentence.strip("- ") not in own:
            names = foreign_names(sentence, language)
            if names:
                return f"names {', '.join(sorted(names))}: {sentence.strip()[:80]}"
    return None


def unknown_version(row: dict, f: dict) -> str | None:
    """A version the answer brings in that is not a fixed version of the finding's advisory data."""
    if f["kind"] != "dependency":
        return None
    pkg = f.get("package") or {}
    for junk in [pkg.get("fixed_version")] + list(pkg.get("fixed_versions") or []):
        if isinstance(junk, str) and junk and not re.match(r"^v?\d", junk.strip()) and re.search(rf"\b{re.escape(junk)}\b", _answer(row)):
            return f"the answer proposes '{junk}', which is not a version number"
    fixed = [v.strip() for v in str(pkg.get("fixed_version") or "").split(",") if v.strip()]
    fixed += [str(v) for v in pkg.get("fixed_versions") or []]  # every release line's fix the advisory lists
    fixed += versions_in(f.get("fix_hint") or "")  # the scanner's own fix ("Upgrade vercel to 32.3.0") is advisory data
    report = " ".join([_prompt(row), f.get("title") or "", f.get("description") or "", *map(str, f.get("references") or [])])
    report += " " + _verdict_evidence(row)  # the advisory range the verdict quotes is the record's, not a proposal
    for v in proposed_versions(_URL.sub(" ", _answer(row)), report, fixed[0] if fixed else None):
        if not any(same_version(v, e) for e in fixed):
            return f"version {v} is not in the advisory's fixed versions ({', '.join(fixed) or 'none published'})"
    return None


def boilerplate(row: dict, f: dict) -> str | None:
    text = _answer(row).strip()
    if len(text) < MIN_ANSWER_CHARS:
        return f"answer of {len(text)} characters"
    loc = f.get("location") or {}
    specifics = [str(f["rule_id"]), f.get("title") or "", (f.get("fix_hint") or "")[:60], *(f.get("cwe") or []), *(f.get("cve") or []), *(f.get("ghsa") or []), *row["meta"].get("cwe", [])]
    if loc.get("path"):
        specifics.append(PurePosixPath(loc["path"]).name)
    if f.get("package"):
        specifics.append(str(f["package"].get("name")))
    snippet = (row["meta"].get("code") or {}).get("text") or f.get("snippet") or ""
    specifics += [l.strip() for l in snippet.splitlines() if len(l.strip()) >= 8]
    low = text.lower()
    if not any(s and s.lower() in low for s in specifics):
        return "answer names nothing of this finding (rule, CWE, advisory, file, package or code)"
    return None


def row_problems(row: dict, f: dict) -> dict[str, str]:
    """check -> what is wrong, for one row."""
    out: dict[str, str] = {}
    answer, meta = _answer(row), row["meta"]
    if no_foreign_language(answer, meta) is False:
        out["foreign_language_code"] = f"a code block is not {meta.get('language')}"
    advice = foreign_advice(row, f)
    if advice:
        out["foreign_language_advice"] = advice
    if any(has_ci_prefix(m["content"]) for m in row["messages"]):
        out["ci_workspace_path"] = "a CI runner path is in the row"
    for m in row["messages"][1:]:
        if detect(m["content"], meta.get("path")):
            out["possible_secret"] = f"detect-secrets flags the {m['role']} text"
            break
    version = unknown_version(row, f)
    if version:
        out["unknown_fixed_version"] = version
    if meta["kind"] in ("code", "config") and not _triaged(meta) and (
        meta.get("fix_source") == "no-fix-published" or _NO_FIX.search(answer)
    ):
        out["no_fix_for_code_or_config"] = "a code or config finding answered with 'no fix published'"
    if meta["stage"] == 2 and f["kind"] == "dependency" and _NO_FIX.search(answer) and versions_in(f.get("fix_hint") or ""):
        out["no_fix_but_scanner_fix"] = f"says no fix, but the report proposes one: {f['fix_hint'][:60]}"
    problem = boilerplate(row, f)
    if problem:
        out["empty_or_boilerplate"] = problem
    return out


def _verdict_evidence(row: dict) -> str:
    triage = row["meta"].get("triage")
    return " ".join(r["evidence"] for r in triage["reasons"]) if isinstance(triage, dict) else ""


def _triaged(meta: dict) -> bool:
    """A row the triage explains (a report signal, or a verdict other than true_positive)."""
    triage = meta.get("triage")
    return bool(triage) and (not isinstance(triage, dict) or triage.get("verdict") != "true_positive")


def lint(files: dict[str, list[dict]], findings: dict[str, dict], threshold: float) -> dict:
    """The lint report over every file's rows: counts per check, the first offender, near-duplicate shares."""
    checks = {name: {"hard": name in HARD, "count": 0, "first": None} for name in HARD + SOFT}
    for name, rows in files.items():
        for line, row in enumerate(rows, 1):
            for check, why in row_problems(row, findings[row["meta"]["finding_id"]]).items():
                entry = checks[check]
                entry["count"] += 1
                entry["first"] = entry["first"] or f"{name} line {line} (finding {row['meta']['finding_id']}, {row['meta']['tool']} {row['meta']['rule_id']}): {why}"
    shares = {}
    for stage in ("stage1", "stage2"):
        rows = [r for name, rs in sorted(files.items()) if name.startswith(stage) for r in rs]
        dupes = near_duplicate_rows(rows, threshold)
        shares[stage] = {"rows": len(rows), "near_duplicates": len(dupes), "share": round(len(dupes) / len(rows), 4) if rows else 0.0}
        checks["near_duplicate"]["count"] += len(dupes)
        if dupes and not checks["near_duplicate"]["first"]:
            checks["near_duplicate"]["first"] = f"{stage}: finding {rows[dupes[0]]['meta']['finding_id']}"
    return {"threshold": threshold, "checks": checks, "near_duplicate_share": shares}


def fail_on_hard(report: dict, lint_path) -> None:
    for name in HARD:
        entry = report["checks"][name]
        if entry["count"]:
            raise SecftError(f"{lint_path}: {name}: {entry['count']} row(s), first {entry['first']}")
