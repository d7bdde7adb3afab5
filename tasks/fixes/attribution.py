"""Which part of a mined change fixed which finding: per-change attribution inside a diff.

A commit often fixes several findings of one file, and ``git diff`` merges
changes closer than twice its context into one hunk.  Giving each finding
the whole hunk teaches the model to make unrelated edits, and makes the two
rows near-copies (the second was then dropped).  So a finding keeps only
the runs of changed lines that touch its own lines (or its manifest entry);
the other runs are turned back into context - their removed lines stay as
they were, their added lines are left out - which is still a diff that
``git apply`` takes against the old file.
"""

from __future__ import annotations

import re

from tasks.findings.model import Finding, as_finding


def _runs(hunk) -> list[list]:
    """The hunk's lines grouped: each context line alone, each run of consecutive -/+ lines together."""
    out: list[list] = []
    for line in hunk:
        if line.line_type in "+-" and out and out[-1][0].line_type in "+-":
            out[-1].append(line)
        else:
            out.append([line])
    return out


def _run_touches(run: list, previous: int, lo: int, hi: int) -> bool:
    for line in run:
        if line.line_type == "-" and lo <= line.source_line_no <= hi:
            return True
        if line.line_type == "+" and (lo <= previous <= hi or lo <= previous + 1 <= hi):
            return True
    return False


def attributed_hunks(hunks: list, lo: int, hi: int) -> tuple[str, int]:
    """The hunks' text with only the changes touching old lines lo..hi applied, and how many lines they change."""
    text, offset, changed = [], 0, 0
    for hunk in hunks:
        previous = hunk.source_start - 1 if hunk.source_length else hunk.source_start
        body, added, removed = [], 0, 0
        for run in _runs(hunk):
            mine = run[0].line_type in "+-" and _run_touches(run, previous, lo, hi)
            for line in run:
                if line.source_line_no is not None:
                    previous = line.source_line_no
                if line.line_type == " " or (line.line_type == "-" and not mine):
                    body.append(" " + line.value)
                elif mine:
                    body.append(line.line_type + line.value)
                    added += line.line_type == "+"
                    removed += line.line_type == "-"
                if line.line_type == "\\":
                    body.append(str(line))
        if not (added or removed):
            continue
        source_len = hunk.source_length
        target_len = source_len + added - removed
        target_start = hunk.source_start + offset if source_len else hunk.source_start + offset + 1
        header = f" {hunk.section_header}" if hunk.section_header else ""
        text.append(f"@@ -{_span(hunk.source_start, source_len)} +{_span(target_start if target_len else target_start - 1, target_len)} @@{header}\n")
        text += [b if b.endswith("\n") else b + "\n" for b in body]
        offset += added - removed
        changed += added + removed
    return "".join(text), changed


def _span(start: int, length: int) -> str:
    return f"{start},{length}" if length != 1 else f"{start}"


def manifest_lines(lines: list[str], package: str) -> list[int]:
    """1-based lines of a manifest or lockfile that name ``package`` (its entry), for a dependency finding."""
    pattern = re.compile(rf"(?<![\w.-]){re.escape(package)}(?![\w-])", re.I)
    return [i for i, line in enumerate(lines, 1) if pattern.search(line)]


def touches(hunk, lo: int, hi: int) -> bool:
    """Does a changed line of ``hunk`` (in old-file numbering) fall within lo..hi?

    A removed line sits at its own number; an added line between old lines
    ``n`` and ``n + 1`` counts at both.
    """
    previous = hunk.source_start - 1 if hunk.source_length else hunk.source_start
    for line in hunk:
        if line.source_line_no is not None:
            if line.line_type == "-" and lo <= line.source_line_no <= hi:
                return True
            previous = line.source_line_no
        elif line.line_type == "+" and (lo <= previous <= hi or lo <= previous + 1 <= hi):
            return True
    return False


def manifest_entry(finding: Finding | dict, lines: list[str]) -> int | None:
    """The one line of the manifest naming the finding's package (None when absent or ambiguous)."""
    finding = as_finding(finding)
    name = finding.package.name if finding.kind == "dependency" and finding.package else None
    hits = manifest_lines(lines, str(name)) if name else []
    return hits[0] if len(hits) == 1 else None
