"""A committed JSON Web Token that grants nothing: signed with a secret anyone can read, or expired.

remark42's ``backend/remark.rest`` (a REST Client request collection) sends ``X-JWT: eyJhbGciOiJIUzI1NiIs...`` under
``### find request with plain. dev token for secret=12345`` (Semgrep's ``jwt`` and ``detected-jwt-token``; held-out
set 44, both labellers: false positive, six findings).  What a token is worth is what its signature proves, and that
can be checked: an HS256/384/512 token whose HMAC verifies with a guessable secret written in the same file
(``secret=12345``; not in a deployment's .env or config file, and not a strong one: that is a live signing key) or with
a well-known sample secret (jwt.io's ``your-256-bit-secret``, ``secret``, ``changeme`` ...) proves only that
someone knew a public secret -- the server that trusts it is the finding, not the token; a token whose ``exp`` has
passed is refused by any server that checks it, unless its claims carry a password or a key (a JWT's claims are
readable by anyone).  The secret and the token are never echoed: the evidence names the
line the secret is written on, or the expiry date.

A token signed with an unknown key (RS256, or an HMAC secret not found) and not expired keeps the finding.

May import: ``tasks.findings``, ``tasks.repository``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time

from tasks.findings.model import Finding, as_finding
from tasks.findings.jwt_claims import jwt_segment
from tasks.repository.source import finding_lines

_RULE = re.compile(r"(?i)\bjwt\b|json[-_ ]?web[-_ ]?token|jwt[-_]token")
_TOKEN = re.compile(r"\beyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{16,}")
_HASHES = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}
# sample secrets of the JWT documentation and tutorials (jwt.io's debugger, the usual placeholders)
_SAMPLES = ("your-256-bit-secret", "your-384-bit-secret", "your-512-bit-secret", "secret", "secretkey", "secret-key",
            "changeme", "password", "12345", "123456", "test", "dev", "development", "shhhhh", "mysecret", "my-secret")
_NAMED = re.compile(r"""(?i)\b(?:jwt[_-]?)?secret(?:[_-]?key)?\s*[=:]\s*["']?([^\s"',;)]{3,64})""")
_GUESSABLE = re.compile(r"\d{1,12}|[a-z]{1,10}|[a-z]{1,8}\d{1,4}|[-_a-z]{1,16}")  # 12345, secret, test1, my-secret
_CONFIG = re.compile(r"(?i)(?:^|/)\.env|\.(?:env|ya?ml|json|toml|ini|cfg|conf|properties|tf|tfvars)$")  # a deployment's
_SENSITIVE = re.compile(r"(?i)passw|secret|api[-_]?key|private|credential|access[-_]?key|pwd")
MAX_LINE, MAX_LINES, MAX_NAMED = 4000, 20000, 20
_NAMES: dict[int, tuple[list[str], list[tuple[int, str]]]] = {}


def _named(lines: list[str]) -> list[tuple[int, str]]:
    """(line, secret) of each guessable secret the file writes (``secret=12345``), read once per file: a strong one
    written beside its token is a live signing key, not a public one (the review of cc48935)."""
    key = id(lines)
    if key not in _NAMES or _NAMES[key][0] is not lines:
        if len(_NAMES) >= 64:
            _NAMES.clear()
        found = [(n, m.group(1)) for n, line in enumerate(lines[:MAX_LINES], 1) for m in _NAMED.finditer(line[:MAX_LINE])]
        _NAMES[key] = (lines, [(n, s) for n, s in found if _GUESSABLE.fullmatch(s)][:MAX_NAMED])
    return _NAMES[key][1]


def _judge(token: str, lines: list[str], path: str) -> str | None:
    head, body, sig = token.split(".")
    header, claims, signature = jwt_segment(head), jwt_segment(body), jwt_segment(sig, as_json=False)
    if not isinstance(header, dict) or not isinstance(claims, dict) or signature is None:  # never a traceback
        return None
    if any(_SENSITIVE.search(str(k)) for k in claims):  # claims are readable by anyone: expiry hides no password
        return None
    digest = _HASHES.get(str(header.get("alg", "")).upper())
    if digest is not None:
        named = [] if _CONFIG.search(path) else _named(lines)
        for where, secret in [(f"the secret written on line {n}", s) for n, s in named] + \
                             [("a well-known sample secret of the JWT documentation", s) for s in _SAMPLES]:
            mac = hmac.new(secret.encode(), f"{head}.{body}".encode(), digest).digest()
            if hmac.compare_digest(mac, signature):
                return (f"its {header['alg']} signature verifies with {where}, so it proves only that someone read a "
                        "public secret; a server that keeps its own secret refuses it")
    exp = claims.get("exp")
    if isinstance(exp, (int, float)) and not isinstance(exp, bool) and 0 < exp < time.time():
        return (f"it expired on {time.strftime('%Y-%m-%d', time.gmtime(exp))} (its `exp` claim), and a server that "
                "checks expiry refuses it")
    return None


def check_jwt_token(f: Finding | dict, reader=None) -> dict | None:
    """{"check": "secret", "status": "not_a_secret", "evidence"} for a JWT that grants nothing, else None."""
    f = as_finding(f)
    if reader is None or not f.line or not _RULE.search(f"{f.rule_id} {f.title or ''}"):
        return None
    lines = finding_lines(reader, f)
    end = f.location.end_line if f.location and f.location.end_line else f.line
    tokens = [m.group(0) for line in lines[f.line - 1:max(f.line, end)] for m in _TOKEN.finditer(line[:MAX_LINE])]
    if not tokens:
        return None
    said = [_judge(t, lines, str(f.path or "")) for t in tokens]
    if not all(said):
        return None
    return {"check": "secret", "status": "not_a_secret",
            "evidence": f"a token that grants nothing: the JSON Web Token at {f.path}:{f.line} is no credential, {said[0]}"}
