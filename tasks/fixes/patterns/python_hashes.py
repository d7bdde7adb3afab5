"""Python's MD5/SHA-1 findings, answered by what the digest is for.

The review found one AES-GCM paragraph taught for 33 MD5 findings that were
de-duplication keys.  A digest used as an identifier is not a security
control: it gets ``usedforsecurity=False`` (keeping existing keys stable); a
digest that protects something moves to SHA-256 or a password hash; when the
code does not say, the answer explains both.
"""

from __future__ import annotations

import re

_NON_SECURITY = re.compile(r"dedup|dupe|unique|cache|etag|checksum|fingerprint|hash_?code|hash_key|cache_key|"
                           r"file_?hash|content_?hash|digest_key|\bkey\b|\bid\b|identifier|color|colour|shard|bucket",
                           re.I)
_SECURITY = re.compile(r"passw|secret|token|\bauth|signature|\bsign(?:ed|ing)?\b|hmac|\bsalt|credential|session|nonce|"
                       r"\botp\b|api_?key|integrity|verify|tamper", re.I)
_HASH_CALL = re.compile(r"\bhashlib\.(md5|sha1)\(")
# a digest the protocol defines by its constant: RFC 6455's accept key (sqlmap: set 40; tasks.triage.protocol_digest
# reads the rest with the file)
_PROTOCOL = re.compile(r"258EAFA5-E914-47DA-95CA-C5AB0DC85B11|Sec-WebSocket-Accept")


def hash_purpose(text: str) -> str:
    """"non-security" when the digest is a dedup/cache key, "security" when it protects something, "protocol" when a
    wire protocol fixes the algorithm (tasks.triage.protocol_digest), else "unknown"."""
    if _PROTOCOL.search(text):
        return "protocol"
    if _SECURITY.search(text):
        return "security"
    if _NON_SECURITY.search(text):
        return "non-security"
    return "unknown"


_BOUND = re.compile(r"(?:^|[\s.])(\w+)\s*=\s*hashlib\.(?:md5|sha1)\(")  # `md5 = hashlib.md5(`, `self.md5 = ...`, `md5=hashlib...`
_UNIQUE_FIELD = re.compile(r"(?m)^\s*(\w+)\s*=\s*(?:models\.)?\w*Field\((?=[^)]*\bunique\s*=\s*True)")


def content_identity(file_text: str | None, target: str) -> str | None:
    """The model field a digest is stored in when that field is ``unique=True`` and the flagged lines name it
    (ralph's ``md5 = models.CharField(max_length=32, unique=True)`` filled by ``get_md5_sum``, round 41): the digest
    is then the content's identity - a lookup by it reuses the stored object, so a collision lets one upload stand
    in for another - and ``usedforsecurity=False`` would call a security use harmless.  "`md5` (line 106)" or None."""
    bound = _BOUND.search(target)
    if not file_text or not bound:
        return None
    for m in _UNIQUE_FIELD.finditer(file_text):
        if m.group(1) == bound.group(1):
            return f"`{m.group(1)}` (line {file_text.count(chr(10), 0, m.start(1)) + 1})"
    return None


def close_paren(line: str, open_at: int) -> int | None:
    """Index of the parenthesis that closes the one at ``open_at`` (quoted strings skipped), or None."""
    depth, quote = 0, None
    for i in range(open_at, len(line)):
        ch = line[i]
        if quote:
            if ch == quote and line[i - 1] != "\\":
                quote = None
            continue
        if ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return i
    return None


def add_usedforsecurity(line: str) -> str | None:
    """``hashlib.md5(x)`` -> ``hashlib.md5(x, usedforsecurity=False)`` when the call closes on this line."""
    m = _HASH_CALL.search(line)
    if not m or "usedforsecurity" in line:
        return None
    close = close_paren(line, m.end() - 1)
    if close is None:
        return None
    inner = line[m.end():close].strip()
    arg = "usedforsecurity=False" if not inner else ", usedforsecurity=False"
    return line[:close] + arg + line[close:]


def add_usedforsecurity_block(lines: list[str]) -> list[str] | None:
    """The multi-line form: ``hashlib.md5(\n    data)`` - insert before the call's closing parenthesis."""
    text = "\n".join(lines)
    m = _HASH_CALL.search(text)
    if not m or "usedforsecurity" in text:
        return None
    close = close_paren(text, m.end() - 1)
    if close is None:
        return None
    inner = text[m.end():close].strip()
    new = text[:close] + ("usedforsecurity=False" if not inner else ", usedforsecurity=False") + text[close:]
    return new.split("\n")


_TOKEN_TARGET = re.compile(r"^(\s*)([\w.\[\]'\"]*(?:token|nonce|otp|reset|code|session|sid)\w*)\s*=\s*hashlib\.(?:md5|sha1)\(", re.I)
_GUESSABLE = re.compile(r"\b(?:datetime\.(?:utc)?now|time\.time|date\.today|email|e_mail|user_?name|user_?id|login|uuid1)\b", re.I)


def predictable_token(text: str) -> bool:
    """A token, nonce or reset code made as a digest of guessable values (an address, the time)."""
    return any(_TOKEN_TARGET.match(l) and _GUESSABLE.search(l) for l in text.splitlines())


def to_random_token(line: str) -> str | None:
    """``token = hashlib.md5(f"{email}:{datetime.now()}".encode()).hexdigest()`` -> ``token = secrets.token_urlsafe(32)``."""
    m = _TOKEN_TARGET.match(line)
    return f"{m.group(1)}{m.group(2)} = secrets.token_urlsafe(32)" if m and _GUESSABLE.search(line) else None


def to_sha256(line: str) -> str | None:
    m = _HASH_CALL.search(line)
    return line[:m.start()] + "hashlib.sha256(" + line[m.end():] if m else None


WEAK_HASH = {
    "non-security": """The digest here is an identifier (a de-duplication or cache key), not a security control, so MD5/SHA-1's collision weakness does not matter - but say so, so scanners and FIPS-mode Python accept it: pass `usedforsecurity=False` (Python 3.9+). Keeping MD5 also keeps existing keys stable.""",
    "security": """This digest protects something (a password, token or signature), so MD5/SHA-1 must go. Use SHA-256 for integrity, HMAC-SHA-256 for keyed checks, and a password hash (argon2, bcrypt, scrypt, `hashlib.scrypt`) for passwords:
```python
import hashlib
import hmac

digest = hashlib.sha256(data).hexdigest()
tag = hmac.new(key, data, hashlib.sha256).hexdigest()
```
Digests already stored with the old algorithm must be migrated (re-hash on next login for passwords).""",
    "password": """A password needs a salted, deliberately slow hash with its parameters stored alongside it; a fast digest of it (MD5, or SHA-256 alike) is brute-forced offline from a leaked table. With argon2-cffi (`pip install argon2-cffi`):
```python
from argon2 import PasswordHasher

ph = PasswordHasher()
stored = ph.hash(password)   # when the password is set
ph.verify(stored, password)  # at login: raises argon2.exceptions.VerifyMismatchError when it is wrong
```
Stored digests cannot be converted: check the old digest once at the user's next login, then store `ph.hash(password)` in its place; whatever else reads the stored value (an LDAP `{SSHA}` field, an export format) must accept the new format first.""",
    "predictable": """The token is a digest of values an attacker can know or guess (an e-mail address or user name, the current time), so it is predictable whatever the hash: whoever knows the address and roughly when the token was made can compute it. Draw it from the operating system's random source instead: `token = secrets.token_urlsafe(32)`, with `import secrets` at the top of the module; MD5 was never the flaw.""",
    "identity": """The digest stands for the content here: {field} is a unique model field, so two files whose digests collide count as one, and a lookup by digest returns the stored one. MD5/SHA-1 collisions can be made on purpose (chosen-prefix collisions are practical), so an uploader can prepare one file to stand in for another: a security use, which `usedforsecurity=False` would hide. Move to SHA-256, and since every stored digest changes, ship it with a data migration that widens the field to 64 characters and recomputes the digests of the stored files, or an existing file is no longer recognised:
```python
digest = hashlib.sha256(content).hexdigest()
```""",
    "protocol": """The algorithm here is the protocol's, not this code's choice: the peer computes the same digest (a WebSocket accept key, a MySQL scramble, PostgreSQL's md5 token), so changing the hash breaks the exchange. Leave the call as it is; where the peer offers a stronger mode (SCRAM-SHA-256, caching_sha2_password), prefer it in the negotiation.""",
    "unknown": """If the digest is only an identifier (de-duplication or cache key), pass `usedforsecurity=False` to the flagged call (Python 3.9+) - existing keys stay the same. If it protects anything (passwords, tokens, signatures, integrity against tampering), switch to `hashlib.sha256` (or a password hash such as argon2/bcrypt for passwords).""",
}


# a file that still runs on Python 2 or before 3.9, where `usedforsecurity=` raises TypeError
_OLD_PYTHON = re.compile(r"^\s*from __future__ import (?!annotations\b)|\bsys\.version_info\s*(?:\[0\]\s*[<=]=?\s*2|<\s*\(3,\s*[0-8]\))"
                         r"|\bPY2\b|\bbasestring\b|\bxrange\(|\bsix\.", re.M)


def non_security(whole: str | None, floor: str | None = None, target: str = ""):
    """(advice, rewrite) for a digest that only identifies: ``usedforsecurity=False``, or, in a file that still
    runs on an older Python (its own compatibility code says so), no diff: the keyword exists from 3.9 and raises
    TypeError before it (sqlmap, which supports 2.7: set 40's graders ran the patch on 2.7 and 3.8)."""
    old = _OLD_PYTHON.search(whole or "")
    if re.search(r"(?i)\bsha1\b|hashlib\.new\(\s*[\"']sha1", target) and not re.search(r"(?i)\bmd5\b", target):
        # "Keeping MD5" under a hashlib.sha1 call was a wrong fact (round 60, shuup's _base.py)
        return non_security_sha1(whole, floor)
    if not old and not floor:  # floor: "setup.py requires Python >= 3.6" (shuup, set 56: two harmful rows)
        return WEAK_HASH["non-security"], add_usedforsecurity
    said = f"it has `{old.group(0).strip()[:40]}`" if old else floor
    return (WEAK_HASH["non-security"].split(" - but say so", 1)[0] + f". This file still runs on Python before 3.9 ({said}), "
            "where `usedforsecurity=False` raises TypeError: leave the call as it is "
            "and record the finding as accepted with the scanner's suppression comment on the line until the project drops those "
            "versions."), None


def non_security_sha1(whole: str | None, floor: str | None):
    """``non_security`` for a SHA-1 call: the same advice, naming the algorithm the code uses."""
    advice, rewrite = non_security(whole, floor)
    advice = advice.replace("so scanners and FIPS-mode Python accept it", "so Bandit's B324 and FIPS-mode Python accept it")
    advice = advice.replace("Keeping MD5 also keeps", "Semgrep's insecure-hash-algorithm-sha1 rule matches every "
                            "`hashlib.sha1(...)` whatever its arguments (its MD5 rule skips `usedforsecurity=False`), so "
                            "a Semgrep finding also needs its `# nosemgrep` comment with this reason. Keeping SHA-1 also keeps")
    return advice, rewrite
