"""Fixes mined from git history: what this team really changed to make a finding go away.

The daemon keeps successive CI runs, each with its commit.  When a finding is
reported at commit A (the last run that reports it) and a later run at commit
B - a descendant of A, in which the same tool ran - no longer reports it, and
the file still exists at B, then the change of that file between A and B
whose changed lines touch the finding's lines is a fix written by the team.
That is a better stage-2 answer than any pattern: the model learns the fixes
this code base actually gets.

A finding gets only its own changes: the runs of changed lines that touch
its lines (a dependency: the one manifest line naming its package), the
other changes of the same hunk turned back into context
(tasks.fixes.attribution), so two findings fixed by one commit get two
different diffs.

Skipped rather than guessed: the file deleted or not text, no changed line
near the finding, a huge diff, B not descending from A (another branch: the
"fix" would be someone else's unrelated code), the same tool, rule and file
reported anew at B (the finding may just have moved: its id holds the line),
a finding whose first-report line numbers no longer hold at A, or either
commit missing from the checkout.

``runs_from_records`` builds the runs index (``data/findings/runs.jsonl``,
format in the brief's INTERFACES) from per-artifact records; the merge step's
own writer supersedes it where present, the format is the same.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from functools import cmp_to_key
from pathlib import Path
from typing import Iterable

from tasks.core.errors import SecftError
from tasks.findings.model import NO_LOCATION, Finding, as_finding
from tasks.fixes.attribution import attributed_hunks, manifest_entry, touches
from tasks.repository.git import GitOutputTooLarge, run_git
from tasks.repository.source import (
    SourceReader,
    find_secrets,
    redact,
    safe_path,
    secret_finding,
)

SLACK = 2                     # changed lines this close to the finding's lines count as touching it
MAX_CHANGED_LINES = 120       # more added+removed lines in the chosen hunks than this: not a focused fix
MAX_DIFF_BYTES = 1 << 20      # a whole-file diff larger than this is not read


# -- the runs index --------------------------------------------------------------------------------
def runs_from_records(records: Iterable[dict], root: Path) -> list[dict]:
    """One entry per CI run folder (a folder of ``root`` with a run.json), ordered by (created_at, run).

    Artifacts without a run.json are grouped per top-level folder with null
    provenance.  ``finding_ids`` are the merged ids (as in findings.jsonl).
    """
    from tasks.findings.merge import (  # the merge's own id rules
        clusters,
        combine,
        occurrence_order,
    )

    root = Path(root)
    records = list(records)
    occurrences = sorted((f for r in records for f in r.get("findings") or []), key=occurrence_order)
    merged_id = {id(f): combine(group)["id"] for group in clusters(occurrences) for f in group}
    runs: dict[str, dict] = {}
    for rec in records:
        rel = _relative(Path(rec["artifact"]), root)
        folder = rel.parts[0] if len(rel.parts) > 1 else "."
        if folder not in runs:
            runs[folder] = {"run": folder, "run_id": None, "branch": None, "commit": None, "created_at": None,
                            "tools": [], "finding_ids": []}
            run_file = root / folder / "run.json"
            if folder != "." and run_file.is_file():
                try:
                    meta = json.loads(run_file.read_text(encoding="utf-8"))
                except (OSError, ValueError):
                    raise SecftError(f"{run_file}: unreadable run provenance file") from None
                meta = meta if isinstance(meta, dict) else {}
                for key in ("run_id", "branch", "commit", "created_at"):
                    value = meta.get(key)
                    runs[folder][key] = value if isinstance(value, str) else None if value is None else str(value)
        run = runs[folder]
        if rec.get("status") == "ok":
            run["tools"] = sorted(set(run["tools"]) | set(rec.get("tools") or []))
            run["finding_ids"] = sorted(set(run["finding_ids"]) | {merged_id[id(f)] for f in rec.get("findings") or []})
    return sorted(runs.values(), key=lambda r: (r["created_at"] or "", r["run"]))


def _relative(artifact: Path, root: Path) -> Path:
    for base in (root, root.resolve()):
        try:
            return artifact.relative_to(base)
        except ValueError:
            pass
    try:
        return artifact.resolve().relative_to(root.resolve())
    except ValueError:
        return Path(artifact.name)


# -- ordering runs -------------------------------------------------------------------------------
def _when(run: dict) -> datetime | None:
    value = run.get("created_at")
    if not isinstance(value, str):
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def order_runs(runs: list[dict], reader: SourceReader) -> list[dict]:
    """Runs oldest first: by created_at, and by commit ancestry where a run lacks it."""
    def compare(a: dict, b: dict) -> int:
        ta, tb = _when(a), _when(b)
        if ta and tb and ta != tb:
            return -1 if ta < tb else 1
        ca, cb = reader.resolve(a.get("commit")), reader.resolve(b.get("commit"))
        if ca and cb and ca != cb:
            if reader.is_ancestor(ca, cb):
                return -1
            if reader.is_ancestor(cb, ca):
                return 1
        return (str(a.get("run")) > str(b.get("run"))) - (str(a.get("run")) < str(b.get("run")))

    return sorted(runs, key=cmp_to_key(compare))


# -- mining ----------------------------------------------------------------------------------------
def mine_fixes(findings: list[dict], runs: list[dict], reader: SourceReader, context_lines: int,
               slack: int = SLACK, max_changed_lines: int = MAX_CHANGED_LINES) -> list[dict]:
    """A record per finding that a later scan confirms gone, with the change that removed it."""
    findings = [f for f in findings if isinstance(f, dict) and isinstance(f.get("id"), str) and isinstance(f.get("tool"), str)]
    reader.learn_secrets(findings)
    ordered = order_runs([_clean_run(r) for r in runs if isinstance(r, dict)], reader)
    ids_of = [set(r["finding_ids"]) for r in ordered]
    by_id = {f["id"]: f for f in findings}
    diffs: dict[tuple[str, str, str], object] = {}
    out = []
    for finding in findings:
        typed = as_finding(finding)
        path, start, end_line = safe_path(typed.path), typed.line, (typed.location or NO_LOCATION).end_line
        seen = [i for i, ids in enumerate(ids_of) if typed.id in ids]
        if not path or not seen:
            continue
        a_index = seen[-1]
        commit_a = reader.resolve(ordered[a_index].get("commit"))
        if not commit_a or reader.lines(path, commit_a) is None:
            continue
        if not isinstance(start, int) or isinstance(start, bool):
            start = manifest_entry(typed, reader.lines(path, commit_a))  # a dependency: its line in the manifest
            if start is None:
                continue
            end_line = start
        end = end_line if isinstance(end_line, int) and end_line >= start else start
        commit_b = _confirming_run(typed, path, a_index, ordered, ids_of, by_id, reader, commit_a)
        if commit_b is None or not _location_holds_at(typed, path, start, end, commit_a, reader, diffs):
            continue
        patch = _cached_diff(diffs, reader, commit_a, commit_b, path)
        if patch is None:
            continue
        hunks = [h for h in patch if touches(h, start - slack, end + slack)]
        own, changed = attributed_hunks(hunks, start - slack, end + slack)  # this finding's changes only
        if not hunks or not changed or changed > max_changed_lines:
            continue
        record = _record(finding, path, start, end, commit_a, commit_b, hunks, reader, context_lines, own)
        if record:
            out.append(record)
    return sorted(out, key=lambda r: (r["path"], r["before_start_line"], r["finding_id"]))


def _clean_run(run: dict) -> dict:
    """A runs-index entry with lists that really are lists of strings (a string is not a list of tools)."""
    def strings(value: object) -> list[str]:
        return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []

    return dict(run, tools=strings(run.get("tools")), finding_ids=strings(run.get("finding_ids")))


def _confirming_run(finding: Finding, path: str, a_index: int, ordered: list[dict], ids_of: list[set], by_id: dict,
                    reader: SourceReader, commit_a: str) -> str | None:
    """The commit of the first later run that scanned with the finding's tool and no longer reports it."""
    same = (finding.tool, finding.rule_id, path)
    at_a = ids_of[a_index]
    for run, ids in zip(ordered[a_index + 1:], ids_of[a_index + 1:]):
        if finding.tool not in run["tools"]:
            continue
        commit_b = reader.resolve(run.get("commit"))
        if not commit_b or commit_b == commit_a or not reader.is_ancestor(commit_a, commit_b):
            continue
        if reader.lines(path, commit_b) is None:
            return None  # deleted (or no longer text) at B: removing a file is not a fix to learn
        for other in ids - at_a:
            f = as_finding(by_id[other]) if other in by_id else None
            if f and (f.tool, f.rule_id, safe_path(f.path)) == same:
                return None  # reported anew in the same file: the finding may only have moved
        return commit_b
    return None


def _cached_diff(diffs: dict, reader: SourceReader, a: str, b: str, path: str):
    if (a, b, path) not in diffs:
        diffs[(a, b, path)] = _file_diff(reader, a, b, path)
    return diffs[(a, b, path)]


def _location_holds_at(finding: Finding, path: str, start: int, end: int, commit_a: str, reader: SourceReader,
                       diffs: dict) -> bool:
    """Are the finding's line numbers (from its first report) still its lines at commit A?

    A merged finding keeps the location of its earliest report; an id from a
    content fingerprint (SARIF line hashes, gitleaks) survives a line move, so
    when A is a later commit the file must not have changed at or above the
    finding's lines in between.  Ids made of the line need no check, but
    cannot be told apart here.
    """
    first = reader.resolve(finding.first_seen.commit if finding.first_seen else None)
    if not first or first == commit_a:
        return True
    if not reader.is_ancestor(first, commit_a):
        return False
    patch = _cached_diff(diffs, reader, first, commit_a, path)
    if patch is None:
        return reader.lines(path, first) == reader.lines(path, commit_a)  # unchanged (or unreadable: False)
    for hunk in patch:
        first, last = _changed_span(hunk)
        if first > end:
            continue  # below the finding
        if last < start and hunk.source_length == hunk.target_length:
            continue  # edited above it in place: its line numbers are unchanged
        return False
    return True


def _changed_span(hunk) -> tuple[int, int]:
    """First and last old-file line a hunk changes (an insertion after old line n counts as n + 1 / n)."""
    first, last = None, None
    previous = hunk.source_start - 1 if hunk.source_length else hunk.source_start
    for line in hunk:
        if line.source_line_no is not None:
            previous = line.source_line_no
            if line.line_type == "-":
                first, last = first or previous, previous
        elif line.line_type == "+":
            first, last = first or previous + 1, max(last or 0, previous)
    return (first or hunk.source_start), (last or hunk.source_start)


def _file_diff(reader: SourceReader, a: str, b: str, path: str):
    """The unified diff of ``path`` from ``a`` to ``b`` as a unidiff PatchedFile, or None."""
    from unidiff import PatchSet
    from unidiff.errors import UnidiffParseError

    try:
        _, raw = run_git(reader.repo, ["diff", "--no-color", "--no-ext-diff", "--no-textconv", "--no-renames", "-U3",
                                       "--src-prefix=a/", "--dst-prefix=b/", a, b, "--", path], max_bytes=MAX_DIFF_BYTES)
    except GitOutputTooLarge:
        return None
    try:
        text = raw.decode("utf-8")
        patch = PatchSet(text)
    except (UnicodeDecodeError, UnidiffParseError):
        return None
    files = [p for p in patch if p.path == path and not p.is_binary_file]
    return files[0] if len(files) == 1 and len(files[0]) else None


def _record(finding: dict, path: str, start: int, end: int, commit_a: str, commit_b: str, hunks: list,
            reader: SourceReader, context_lines: int, own: str) -> dict | None:
    ctx = max(0, int(context_lines))
    first = min([start - ctx] + [h.source_start for h in hunks])
    last = max([end + ctx] + [h.source_start + max(h.source_length, 1) - 1 for h in hunks])
    window = reader.window(path, commit_a, first, last)
    if window is None:
        return None
    before_start, _, before = window
    diff = f"--- a/{path}\n+++ b/{path}\n" + own
    found = set(reader.secrets_near(path, commit_a, before_start, last))
    found |= set(reader.secrets_near(path, commit_b, min(h.target_start for h in hunks),
                                     max(h.target_start + h.target_length for h in hunks)))
    found |= set(find_secrets("".join(line.value for h in hunks for line in h if line.line_type in " +-"), path))
    found |= reader.known_secrets(path)  # values on the lines of secret findings (learn_secrets)
    if secret_finding(finding):  # the reported lines hold the secret even where detect-secrets sees none
        found |= set(reader.literals(path, commit_a, start, end))
    return {"finding_id": finding["id"], "path": path, "commit_before": commit_a, "commit_after": commit_b,
            "before": redact(before, found), "before_start_line": before_start, "diff": redact(diff, found)}
