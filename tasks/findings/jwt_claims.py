"""What a JSON Web Token's own segments say, decoded and never verified: whether it is dead (expired or unsigned).

Shared by the parser's secret evidence (tasks.findings.secret_evidence) and the triage's token check
(tasks.triage.jwt_token), so a token is decoded one way everywhere.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re

_JWT = re.compile(r"^eyJ[A-Za-z0-9_-]{4,}\.(eyJ[A-Za-z0-9_-]{4,})\.[A-Za-z0-9_-]*$")


def jwt_segment(part: str, as_json: bool = True):
    """One dot-separated segment of a JWT, base64url-decoded (and read as JSON), or None where it is not one."""
    try:
        raw = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        return json.loads(raw) if as_json else raw
    except (ValueError, TypeError, RecursionError):  # binascii and Unicode errors are ValueErrors
        return None


def dead_jwt(value: str) -> str | None:
    """What makes a JWT dead (decoded, never verified): its ``exp`` claim passed, or it is unsigned (``alg: none``
    and no signature: sqlmap's doctest token, set 40); None for anything else or a token still valid today."""
    m = _JWT.match(value)
    claims = jwt_segment(m.group(1)) if m else None
    if claims is None:
        return None
    exp = claims.get("exp") if isinstance(claims, dict) else None
    try:
        when = dt.datetime.fromtimestamp(float(exp), dt.timezone.utc) if isinstance(exp, (int, float)) else None
    except (ValueError, OverflowError, OSError):
        return None
    header = jwt_segment(value.split(".", 1)[0])  # one that does not decode leaves the exp reading standing
    if isinstance(header, dict) and str(header.get("alg", "")).lower() == "none" and value.endswith("."):
        return "an unsigned JSON Web Token (its header says alg none and it carries no signature)"
    return f"a JSON Web Token whose exp claim passed on {when.date().isoformat()}" if when and when < dt.datetime.now(dt.timezone.utc) else None
