"""A weak digest a wire protocol defines: the code implements the protocol, it does not choose the hash.

sqlmap's database clients answer PostgreSQL's ``AuthenticationMD5Password`` with ``"md5" + md5(md5(password + user) +
salt)`` and MySQL's ``mysql_native_password`` with its SHA-1 scramble; a WebSocket handshake returns
``base64(sha1(key + GUID))`` (RFC 6455).  Bandit's B324 and Semgrep's MD5 rules flag each, and the rows told a reader
to "move to SHA-256 or argon2": a change that breaks every login (held-out set 40: both labellers false positive, a
grader called the advice harmful).  The peer computes the same digest, so the algorithm is the protocol's; what a
project can do is prefer the protocol's stronger mode where the peer offers one (SCRAM-SHA-256,
caching_sha2_password).

The protocol is recognised by its shape in the code of the flagged lines and the enclosing function (comments left
out): the RFC 6455 GUID or ``Sec-WebSocket-Accept``, a ``scramble``, PostgreSQL's ``b"md5" + md5(`` token, HTTP
Digest's HA1/HA2 (or a helper that HA1/HA2 call), NTLM, Kerberos, CRAM-MD5 -- and only where the file or its path names that protocol too (a
``scramble`` in a MySQL client, a ``GUID`` in a WebSocket module).

May import: ``tasks.findings``, ``tasks.repository``.
"""

from __future__ import annotations

import re

from tasks.findings.model import Finding
from tasks.repository.source import finding_lines

_PROTOCOLS = (  # (what it is, the code's own shape of it, what else the file or its path must name)
    ("the WebSocket handshake (RFC 6455's Sec-WebSocket-Accept, SHA-1 of the key and the protocol's GUID)",
     re.compile(r"258EAFA5-E914-47DA-95CA-C5AB0DC85B11|Sec-WebSocket-Accept|\b_?GUID\b", re.I),
     re.compile(r"258EAFA5-E914-47DA-95CA-C5AB0DC85B11|websocket", re.I)),
    ("MySQL's mysql_native_password scramble (SHA-1 of the password, then of the server's salt)",
     re.compile(r"scramble", re.I), re.compile(r"mysql", re.I)),
    ("PostgreSQL's MD5 password authentication (\"md5\" + md5(md5(password + user) + salt))",
     re.compile(r"""b?["']md5["']\s*\+\s*(?:hashlib\.)?md5\("""), re.compile(r"postgres|\bpg\b|AuthenticationMD5", re.I)),
    ("HTTP Digest authentication (RFC 7616's HA1/HA2)", re.compile(r"\bHA[12]\b"), re.compile(r"WWW-Authenticate|digest", re.I)),
    ("NTLM or Kerberos (RC4-HMAC), which fix MD4/MD5", re.compile(r"\bntlm|kerberos|\bkrb5?\b|rc4[-_]?hmac", re.I),
     re.compile(r"\bntlm|kerberos|\bkrb5?\b|rc4[-_]?hmac", re.I)),
    ("CRAM-MD5 (RFC 2195)", re.compile(r"cram[-_]?md5", re.I), re.compile(r"cram[-_]?md5", re.I)),
    # a webhook receiver checks the signature the provider computed (django-anymail's Unisender Go: "MD5 hash of the
    # body with the auth value replaced by the api_key", round 62: both graders)
    ("the sending provider's webhook signature (the provider signs each call with it; the receiver recomputes it)",
     re.compile(r"\b(?:constant_time_compare|compare_digest)\("), re.compile(r"webhook", re.I)),
)
_DEF = re.compile(r"^\s*(?:async\s+)?def\s+(\w+)|^\s*func\s+(?:\([^)]*\)\s*)?(\w+)|^\s*(?:function\s+)?(\w+)\s*\([^)]*\)\s*\{")
LOOK_BACK = 30


def protocol_digest(f: Finding, reader=None) -> dict | None:
    """{"check": "code", "status": "not_security_use", "evidence"} for a digest a protocol defines, else None."""
    line = f.location.start_line if f.location else None
    lines = finding_lines(reader, f) if line else []
    if not lines or not 0 < line <= len(lines):
        return None
    start = line - 1
    for i in range(line - 1, max(-1, line - 1 - LOOK_BACK), -1):  # up to the enclosing function's def
        start = i
        if _DEF.match(lines[i]):
            break
    code = [l for l in lines[start:line + 1] if not l.lstrip().startswith(("#", "//", "*", "/*", "--"))]  # no comment
    window = f"{f.path}\n" + "".join(code)  # sqlmap's extra/kerberos/crypto.py names its protocol in its path
    whole = f"{f.path}\n" + "".join(lines)
    helper = _DEF.match(lines[start])
    helper = next((g for g in helper.groups() if g), None) if helper else None
    for name, rx, context in _PROTOCOLS:
        hit = rx.search(window) or (_caller(lines, helper, rx, context) if helper else None)
        if hit and context.search(whole):  # the shape in the code, and the protocol named in the file or its path
            return {"check": "code", "status": "not_security_use", "evidence": (
                f"the algorithm is the protocol's, not a choice of this code: {f.path}:{line} computes the digest "
                f"{name} defines (`{hit.group(0)[:40]}`), and the peer computes the same, so another hash would break "
                "the exchange; the remedy, where the peer offers one, is the protocol's stronger mode")}
    return None


def _caller(lines: list[str], helper: str, rx, context=None) -> re.Match | None:
    """The protocol's shape in the name of a function of the file that calls ``helper``, or in a name it binds to
    ``helper(...)``: httpbin's ``H(data, algorithm)`` hashes with MD5 for ``HA1``/``HA2``, its test client's
    ``ha1 = _hash(a1, algorithm)`` (held-out set 51: both labellers, HTTP Digest fixes the algorithm).  Every call of
    the helper in the file must sit in such a function: one that stores a password with it keeps the finding (the
    review of set 51)."""
    call = re.compile(rf"(?<![\w.]){re.escape(helper)}\(")
    sites = {i for i, line in enumerate(lines) if call.search(line) and not _DEF.match(line)}
    hit, covered = None, set()
    for i, line in enumerate(lines):
        d = _DEF.match(line)
        name = next((g for g in d.groups() if g), None) if d else None
        if not name:
            continue
        end = next((j for j in range(i + 1, len(lines)) if _DEF.match(lines[j]) and
                    len(lines[j]) - len(lines[j].lstrip()) <= len(line) - len(line.lstrip())), len(lines))
        text = "".join(lines[i + 1:end])
        if name == helper:
            covered |= set(range(i + 1, end))  # the helper's own body (recursion, a docstring's example)
            continue
        if not call.search(text):
            continue
        found = rx.search(name) or next((m for b in re.findall(rf"(\w+)\s*=\s*{re.escape(helper)}\(", text)
                                         for m in [rx.search(b) or rx.search(b.upper())] if m), None) or rx.search(
            "".join(l for l in lines[i + 1:end] if not l.lstrip().startswith(("#", '"', "'")))) or (
            context.search(name) if context is not None else None)  # `ha1 = _hash(a1)`; response() uses HA1(...)
        if not found:
            return None  # another caller: the helper is not the protocol's alone
        hit, covered = hit or found, covered | set(range(i + 1, end))
    return hit if hit and sites <= covered else None
