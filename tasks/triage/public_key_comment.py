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


def public_on_purpose(f, lines: list[str], n: int) -> dict | None:
    """The contiguous comment lines just above the value (15 at most) say the key is public on purpose."""
    i = n - 1
    while i >= 1 and n - i <= 15 and lines[i - 1].lstrip().startswith(("#", "//", "*", "/*", "--")):
        m = _ON_PURPOSE.search(lines[i - 1])
        if m:
            said = " ".join(lines[i - 1].strip().lstrip("#/*- ").split())[:120]
            return {"check": "secret", "status": "not_a_secret",
                    "evidence": f"a key published on purpose: the comment above {f.path}:{n} says so (line {i}: `{said}`); "
                                "the project chose to make it public, so it grants nothing a reader of the repository "
                                "was not meant to have, and a deployment that needs its own sets one"}
        i -= 1
    return None
