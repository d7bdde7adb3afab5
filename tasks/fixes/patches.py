"""Code a fix applies to, and unified diffs against it.

A diff is only worth a training row if ``git apply`` would take it, so every
diff here is computed (``difflib``) from the exact lines it changes, never
written by hand.  The lines come from the source reader's ``code`` when the
repository is available, else from the finding's snippet; Bandit prefixes
its snippet lines with their numbers, which are stripped (and give the
snippet's first line number).

Scanner-proposed fixes (``finding.scanner_fix``, filled by the Semgrep and
SARIF parsers) are applied to the matched span the way the scanner would:
Semgrep ``fix`` replaces the span, ``fix_regex`` substitutes inside it (the
replacement text alone is never a line), SARIF replacements delete a region
and insert text.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from tasks.findings.model import NO_LOCATION, Finding, as_finding

_NUMBERED = re.compile(r"^(\d+) ?(.*)$")


@dataclass
class Code:
    """``lines`` of ``path`` whose first is file line ``start_line``; the finding spans ``target``."""

    path: str
    lines: list[str]
    start_line: int
    target: tuple[int, int]
    exact: bool  # True when start_line is known, False when inferred from the location

    @property
    def text(self) -> str:
        return "\n".join(self.lines) + "\n"

    def as_meta(self) -> dict:
        """What a row's meta carries so a later check can apply the diff (tasks.fixes.patch_check)."""
        return {"path": self.path, "text": self.text, "start_line": self.start_line}


def _strip_numbers(lines: list[str]) -> tuple[list[str], int | None]:
    """Bandit's ``"38     code"`` lines -> code lines and 38; untouched when not all numbered in sequence."""
    matches = [_NUMBERED.match(l) for l in lines]
    if not lines or not all(matches):
        return lines, None
    nums = [int(m.group(1)) for m in matches]
    if nums != list(range(nums[0], nums[0] + len(nums))):
        return lines, None
    return [m.group(2) for m in matches], nums[0]


def code_of(finding: Finding | dict, code: dict | None) -> Code | None:
    """The lines a fix may change: the reader's code, else the snippet; None when neither."""
    finding = as_finding(finding)
    loc = finding.location or NO_LOCATION
    start = loc.start_line
    end = loc.end_line or start
    if code and isinstance(code.get("text"), str) and code["text"].strip():
        first = int(code.get("start_line") or 1)
        lines = code["text"].splitlines()
        return Code(str(code.get("path") or loc.path or ""), lines, first, (start or first, end or first), True)
    snippet = finding.snippet
    if not snippet or not loc.path or not str(snippet).strip():
        return None
    lines, numbered = _strip_numbers(str(snippet).splitlines())
    if numbered is not None:
        return Code(loc.path, lines, numbered, (start or numbered, end or numbered), True)
    if start is None:
        return None
    # Semgrep's `lines` are exactly start..end; other snippets are located by content later
    exact = end is not None and len(lines) == end - start + 1
    return Code(loc.path, lines, start, (start, end or start), exact)


def unified_diff(c: Code, new_lines: list[str]) -> str | None:
    """A git-style unified diff of ``c`` -> ``new_lines`` with file line numbers; None when equal."""
    if new_lines == c.lines:
        return None
    body = list(difflib.unified_diff(c.lines, new_lines, f"a/{c.path}", f"b/{c.path}", n=3, lineterm=""))
    offset = c.start_line - 1

    def shift(m: re.Match) -> str:
        a, alen, b, blen = m.groups()
        a_part = f"{int(a) + offset}" + (f",{alen}" if alen is not None else "")
        b_part = f"{int(b) + offset}" + (f",{blen}" if blen is not None else "")
        return f"@@ -{a_part} +{b_part} @@"

    out = [re.sub(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@", shift, l) if l.startswith("@@") else l for l in body]
    return "\n".join(out) + "\n"


def rewrite_lines(c: Code, rewrite) -> list[str] | None:
    """Apply ``rewrite(line) -> str | None`` to the finding's lines (the first match when the start is
    inferred); a rewrite may return several lines joined by newlines (an inserted statement)."""
    new = list(c.lines)
    changed = False
    lo, hi = c.target
    for i, line in enumerate(c.lines):
        file_line = c.start_line + i
        if c.exact and not (lo <= file_line <= hi):
            continue
        out = rewrite(line)
        if out is not None and out != line:
            new[i] = out
            changed = True
            if not c.exact:
                # a context snippet of unknown start: the line the rewrite matched is the finding's line
                c.start_line = max(1, lo - i)
                break
    if not changed:
        return None
    return [part for line in new for part in line.split("\n")]


def rewrite_block(c: Code, rewrite) -> list[str] | None:
    """Apply ``rewrite(lines) -> lines | None`` to the finding's lines as one block (a call split over lines)."""
    lo, hi = c.target
    i, j = (lo - c.start_line, hi - c.start_line) if c.exact else (0, len(c.lines) - 1)
    if not (0 <= i <= j < len(c.lines)):
        return None
    out = rewrite(c.lines[i:j + 1])
    return None if out is None else c.lines[:i] + out + c.lines[j + 1:]


# ----------------------------------------------------------------------------- scanner fixes


def _span(c: Code, start_line: int, start_col: int | None, end_line: int, end_col: int | None) -> tuple[int, int, int, int] | None:
    """(first index, first col, last index, end col) inside ``c.lines`` (0-based, end exclusive)."""
    i, j = start_line - c.start_line, end_line - c.start_line
    if not (0 <= i <= j < len(c.lines)):
        return None
    sc = (start_col or 1) - 1
    ec = (end_col - 1) if end_col else len(c.lines[j])
    if sc > len(c.lines[i]) or ec > len(c.lines[j]) or (i == j and ec < sc):
        return None
    return i, sc, j, ec


def _replace(c: Code, span: tuple[int, int, int, int], text: str) -> list[str]:
    i, sc, j, ec = span
    merged = c.lines[i][:sc] + text + c.lines[j][ec:]
    return c.lines[:i] + merged.split("\n") + c.lines[j + 1:]


def apply_scanner_fix(c: Code, fix: dict) -> list[str] | None:
    """The code after the scanner's own fix, or None when it cannot be applied exactly."""
    kind = fix.get("kind")
    if kind in ("semgrep-fix", "semgrep-fix-regex"):
        if not c.exact or not fix.get("start_line"):
            return None
        span = _span(c, fix["start_line"], fix.get("start_col"), fix.get("end_line") or fix["start_line"], fix.get("end_col"))
        if span is None:
            return None
        if kind == "semgrep-fix":
            text = str(fix.get("text") or "")
            if re.search(r"\$(?:\.\.\.)?[A-Z_][A-Z0-9_]*\b", text):  # an unresolved metavariable ($X, $...CONF) is not code
                return None
            return _replace(c, span, text)
        i, sc, j, ec = span
        matched = "\n".join([c.lines[i][sc:]] + c.lines[i + 1:j] + [c.lines[j][:ec]]) if i != j else c.lines[i][sc:ec]
        try:
            new = re.sub(fix["regex"], _py_replacement(fix.get("replacement") or ""), matched, count=int(fix.get("count") or 0))
        except (re.error, KeyError, TypeError):
            return None
        return None if new == matched else _replace(c, span, new)
    if kind == "sarif":
        new_lines = list(c.lines)
        # apply bottom-up so earlier regions keep their coordinates
        reps = sorted(fix.get("replacements") or [], key=lambda r: (r.get("start_line") or 0, r.get("start_col") or 0), reverse=True)
        if not reps:
            return None
        for r in reps:
            if not r.get("start_line"):
                return None
            view = Code(c.path, new_lines, c.start_line, c.target, c.exact)
            if r.get("start_col") is None and r.get("end_col") is None:
                i, j = r["start_line"] - c.start_line, (r.get("end_line") or r["start_line"]) - c.start_line
                if not (0 <= i <= j < len(new_lines)):
                    return None
                inserted = str(r.get("text") or "")
                repl = inserted.split("\n")[:-1] if inserted.endswith("\n") else inserted.split("\n") if inserted else []
                new_lines = new_lines[:i] + repl + new_lines[j + 1:]
                continue
            span = _span(view, r["start_line"], r.get("start_col"), r.get("end_line") or r["start_line"], r.get("end_col"))
            if span is None:
                return None
            new_lines = _replace(view, span, str(r.get("text") or ""))
        return new_lines if new_lines != c.lines else None
    return None


def _py_replacement(rep: str) -> str:
    """Semgrep writes backreferences as ``\\1`` or ``$1``; Python's re wants ``\\1``."""
    return re.sub(r"\$(\d+)", r"\\\1", rep)


def fence(diff: str) -> str:
    return f"```diff\n{diff.rstrip(chr(10))}\n```"  # keep a trailing blank context line (" ")
