"""The stage-1 fix section for findings whose fix is read from the whole file (tasks.fixes.api_workflows).

The analysis is written in the enrich step from the report alone, so its "How to fix it" for a workflow
or an OpenAPI spec is the catalogue's; with the file (``source.repo_path``) the stage-2 fix knows the
steps, inputs and declared schemes.  The two stages must agree: the stage-1 section becomes the
stage-2 answer, or, where no safe fix exists, the reason.  So does a SQL-injection fix whose sink, a few
lines below the flagged string, is DynamoDB's PartiQL API rather than a DB-API cursor.
"""

from __future__ import annotations

import re

from tasks.findings.model import Finding
from tasks.fixes.api_workflows import handles

_SECTION = re.compile(r"## How to fix it\n.*?(?=\n## |\Z)", re.S)


def refit(s1: dict | None, f: Finding, code: dict | None, fixed: tuple) -> dict | None:
    """``s1`` with its fix section replaced by what the file decides (no change where the file is unknown)."""
    partiql = (fixed[2] or {}).get("fix_family") in ("sql-injection-partiql", "sql-injection-sqlalchemy")  # the sink
    # is read below the flagged line (a PartiQL call, SQLAlchemy's text()), not known to the analysis; a fix fitted to
    # the flagged call (tasks.fixes.unpickle) is not known to it either
    partiql = partiql or bool((fixed[2] or {}).get("fitted")) or (fixed[2] or {}).get("framework") == "flask"  # CTFd
    if s1 is None or fixed[1] == "suppression" or not partiql and (
            f.kind != "config" or not (code or {}).get("file") or not handles(f)):
        return s1
    answer, why = fixed[0], fixed[1]
    body = answer.strip() if answer else f"No change to {f.path} here: {why}."
    if body.startswith("Check first: ") and "If the finding holds:\n\n" in body:  # the verdict above says what to check
        body = body.split("If the finding holds:\n\n", 1)[1].strip()
    text = s1["messages"][2]["content"]
    if _SECTION.search(text):  # a false positive's "What to do" stays as it is
        s1["messages"][2]["content"] = _SECTION.sub(lambda _: f"## How to fix it\n{body}\n", text, count=1)
    return s1
