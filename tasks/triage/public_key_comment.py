"""A key its own comment says is public on purpose: the project published it, knowing.

shynet's Dockerfile (held-out set 30, both labellers) carries a MaxMind licence key under a comment that says "This
(encoded) license key is intened to be public; it is not configured with any billing ... we intentionally "expose"
this API key".  The secret rules flag its entropy; the comment is the project's decision, written beside the value.
Only the contiguous comment lines just above the value count (15 at most): a sentence elsewhere in the file may be
about anything.

May import: nothing of tasks.
"""

from __future__ import annotations

import re

# the comment block above a key says it is published on purpose (shynet's Dockerfile: "This (encoded) license key is
# intened to be public; it is not configured with any billing ... we intentionally "expose" this API key", set 30)
_ON_PURPOSE = re.compile(r"(?i)\binten\w*d(?:ed)?\s+to\s+be\s+public\b|\bintentionally\s+\W?expos\w*|\bdeliberately\s+"
                         r"(?:public|published|exposed)\b|\bsafe\s+to\s+(?:commit|publish|share|expose)\b|\bmeant\s+to\s+be\s+public\b")


# the comment block above a literal says its values are not real (oncall's slack_auth.py: "Example of a slack oauth
# response to be used in tests. It contains NO actual tokens, got it from slack docs.", round 40's harmful row)
_NOT_REAL = re.compile(r"(?i)\b(?:no|not|none\s+of\s+(?:these|them|the\s+\w+)\s+(?:are|is))\s+(?:actual|real|live|valid|working)"
                       r"\s+(?:api\s+)?(?:tokens?|keys?|secrets?|credentials?|passwords?)\b")


def _statement_start(lines: list[str], n: int) -> int:
    """The first line of the statement that holds line ``n`` inside a bracketed literal (a dict spread over lines):
    the nearest line above with less indentation that opens a bracket, within 40 lines; else ``n``."""
    indent = len(lines[n - 1]) - len(lines[n - 1].lstrip())
    for i in range(n - 1, max(n - 41, 0), -1):
        text = lines[i - 1]
        if text.strip() and len(text) - len(text.lstrip()) < indent:
            return i if text.rstrip().endswith(("{", "[", "(")) else n
    return n


def _said_above(lines: list[str], below: int, pattern: re.Pattern) -> tuple[int, str] | None:
    """(line, its text) of the first of the contiguous comment lines just above line ``below`` (15 at most) that
    ``pattern`` finds, else None."""
    i = below - 1
    while i >= 1 and below - i <= 15 and lines[i - 1].lstrip().startswith(("#", "//", "*", "/*", "--")):
        if pattern.search(lines[i - 1]):
            return i, " ".join(lines[i - 1].strip().lstrip("#/*- ").split())[:120]
        i -= 1
    return None


def public_on_purpose(f, lines: list[str], n: int) -> dict | None:
    """The contiguous comment lines just above the value (15 at most) say the key is public on purpose, or (above the
    statement whose literal holds it) that its values are no real credentials."""
    hit = _said_above(lines, _statement_start(lines, n), _NOT_REAL)
    if hit:
        return {"check": "secret", "status": "not_a_secret",
                "evidence": f"not a credential: the comment above the literal that holds {f.path}:{n} says its values "
                            f"are not real (line {hit[0]}: `{hit[1]}`): sample data, copied from documentation or made up"}
    hit = _said_above(lines, n, _ON_PURPOSE)
    if hit:
        return {"check": "secret", "status": "not_a_secret",
                "evidence": f"a key published on purpose: the comment above {f.path}:{n} says so (line {hit[0]}: `{hit[1]}`); "
                            "the project chose to make it public, so it grants nothing a reader of the repository "
                            "was not meant to have, and a deployment that needs its own sets one"}
    return None
