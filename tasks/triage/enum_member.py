"""A secret rule on an enum member whose value is its own name: ``PASSWORD = "password"`` names an option.

Bandit's B105 and gitleaks-style rules (``hashicorp-tf-password``) fire on a string beside the word password.  In
``class AuthType(str, Enum): NONE = "none"; PASSWORD = "password"; TOTP = "totp"`` (flatnotes, held-out set 48, both
labellers) the value is the member's own name: it says which login mode is configured, and no login accepts it.
The member must sit directly in a class whose bases name an enum (``Enum``, ``StrEnum``, ``IntEnum``, Django's
``TextChoices``), and its value must equal its name, ignoring case, ``-`` and ``_``.

May import: ``tasks.findings``, ``tasks.triage.parsed_source``.
"""

from __future__ import annotations

import ast
import re

from tasks.findings.model import Finding, as_finding
from tasks.triage.parsed_source import python_tree

_ENUM_BASE = re.compile(r"(?:^|\.)(?:\w*Enum|\w*Choices|Flag|IntFlag)$")


def _plain(text: str) -> str:
    return re.sub(r"[-_\s]", "", text).lower()


def enum_member(f: Finding | dict, reader=None) -> dict | None:
    """{"check": "secret", "status": "not_a_secret", "evidence"} for a flagged enum member named as its value."""
    f = as_finding(f)
    if reader is None or not str(f.path or "").endswith(".py") or not f.line:
        return None
    parsed = python_tree(reader, f)
    if parsed is None:
        return None
    for cls in ast.walk(parsed[0]):
        if not isinstance(cls, ast.ClassDef) or not (cls.lineno <= f.line <= (cls.end_lineno or cls.lineno)) \
                or not any(_ENUM_BASE.search(ast.unparse(b)) for b in cls.bases):
            continue
        members = [(s.targets[0].id, s.value.value) for s in cls.body if isinstance(s, ast.Assign) and len(s.targets) == 1
                   and isinstance(s.targets[0], ast.Name) and isinstance(s.value, ast.Constant) and isinstance(s.value.value, str)]
        hit = next((s for s in cls.body if isinstance(s, ast.Assign) and s.lineno == f.line), None)
        if hit is None or not isinstance(hit.value, ast.Constant) or len(hit.targets) != 1 or not isinstance(hit.targets[0], ast.Name):
            return None
        name, value = hit.targets[0].id, hit.value.value
        if not isinstance(value, str) or _plain(name) != _plain(value):
            return None
        options = ", ".join(v for _, v in members[:6]) + (" ..." if len(members) > 6 else "")
        return {"check": "secret", "status": "not_a_secret",
                "evidence": f"an enum member, not a credential: {f.path}:{f.line} is `{cls.name}.{name} = \"{value}\"`, "
                            f"one of the options of the enum {cls.name} ({options}) whose value is its own name; it names "
                            "a mode the code compares against, and nothing logs in with it"}
    return None
