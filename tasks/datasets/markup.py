"""Stage-1 lint checks for scaffolding left in an answer and for paragraphs that many rows share.

What a blind review found in stage-1 answers (issue 22, docs/datasets.md):

* broken markup: a code fence without its partner (the block swallows the
  rest of the answer), a fence opened on a list item (``- ```hcl``: the
  item's lead-in was cut), an odd number of inline backticks in a
  paragraph, a call cut mid-argument at the end of a sentence (``on(build``);
* a paragraph shared by many rows: the same text with only the finding's own
  names, numbers and code changed ("The value sits in <path> and, once
  committed, in every clone ...") is a template, not knowledge.  Paragraphs
  are compared by *skeleton*: inline code, URLs, anything with a digit and
  every word the row's own prompt contains become placeholders.  The
  verdict and the fix sections are left out: "Upgrade <package> from <a> to
  <b>" is the shape of an upgrade, not boilerplate.
"""

from __future__ import annotations

import re
from collections import defaultdict

from tasks.core.markdown import without_code_spans

_FENCE_LINE = re.compile(r"^\s*(?:[-*]\s+)?```")
_BULLET_FENCE = re.compile(r"^\s*[-*]\s+```", re.M)
_CUT_CALL = re.compile(r"\b[A-Za-z_][\w.]*\([\w'\"]+$")
_STRUCTURE = ("## Verdict", "## How to fix it", "## What to do", "## References")
MIN_CHARS = 80
MAX_ROWS = 3


def _outside_fences(text: str) -> list[str]:
    out, fenced = [], False
    for line in text.splitlines():
        if _FENCE_LINE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            out.append(line)
    return out


def broken_markup(answer: str) -> str | None:
    """Scaffolding a generator left: unbalanced fences, a fence on a list item, unbalanced inline code, a cut call."""
    fences = [line for line in answer.splitlines() if _FENCE_LINE.match(line)]
    if len(fences) % 2:
        return f"{len(fences)} code fences: one is never closed"
    m = _BULLET_FENCE.search(answer)
    if m:
        return f"a code fence opens a list item ({m.group(0).strip()!r}): its lead-in was cut"
    for para in "\n".join(_outside_fences(answer)).split("\n\n"):
        plain = without_code_spans(para)
        if "`" in plain:
            return f"unbalanced inline code: {' '.join(para.split())[:60]}"
        for sentence in re.split(r"(?<=[.!?])\s+|\n", plain):
            cut = _CUT_CALL.search(sentence.strip().rstrip(".,;:"))
            if cut and ")" not in sentence[cut.start():]:
                return f"a call cut mid-argument: {cut.group(0)!r}"
    return None


def analysis_paragraphs(answer: str) -> list[str]:
    """The answer's paragraphs outside code, the verdict, the fix sections and the references."""
    out, section = [], None
    for block in "\n".join(_outside_fences(answer)).split("\n\n"):
        lines = block.strip().splitlines()
        if lines and lines[0].startswith("## "):
            section, lines = lines[0], lines[1:]
        if section and section.startswith(_STRUCTURE):
            continue
        para = " ".join(" ".join(lines).split())
        if len(para) >= MIN_CHARS:
            out.append(para)
    return out


def _words(text: str) -> set[str]:
    return {w.lower().strip(".,:;()'\"`") for w in re.findall(r"[^\s:]+", text)}


def skeleton(paragraph: str, prompt: str) -> str:
    """The paragraph with the finding's own specifics replaced: what stays is the template."""
    own = _words(prompt)
    out = []
    for tok in re.findall(r"`[^`]*`|\S+", paragraph):
        word = tok.lower().strip(".,:;()'\"")
        if tok.startswith("`"):
            out.append("<code>")
        elif re.match(r"https?://", word):
            out.append("<url>")
        elif re.search(r"\d", word):
            out.append("<n>")
        elif "/" in word:
            out.append("<own>")  # a path, like the finding's own names
        elif len(word) > 2 and word in own:
            out.append("<own>")
        else:
            out.append(word)
    return " ".join(out)


def shared_paragraphs(answers: list[str], prompts: list[str], max_rows: int = MAX_ROWS) -> dict[int, str]:
    """Rows past the first ``max_rows`` whose analysis has a paragraph (by skeleton) that more than
    ``max_rows`` rows share -> why."""
    seen: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for i, (answer, prompt) in enumerate(zip(answers, prompts)):
        for para in analysis_paragraphs(answer):
            key = skeleton(para, prompt)
            plain = [w for w in key.split() if not w.startswith("<")]
            if len(plain) < 8 or len(plain) * 2 < len(key.split()):
                continue  # mostly the finding's own names, numbers and code: no template to see
            if not seen[key] or seen[key][-1][0] != i:
                seen[key].append((i, para))
    out: dict[int, str] = {}
    for key, rows in sorted(seen.items()):
        if len(rows) > max_rows:
            for i, para in rows[max_rows:]:
                out.setdefault(i, f"a paragraph {len(rows)} rows share (same text but the finding's names): {para[:60]}")
    return out
