"""Secret redaction: a leaked credential must never reach a later target.

gitleaks and Trivy report the secret itself (and the line around it).  The
finding keeps what a model needs to learn from - rule, file, line - plus a
short hash so the same secret can be recognised across runs, and the secret
text is replaced by a marker everywhere it appears.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any, Iterable

REDACTED_WORDS = {"", "REDACTED", "*****"}


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()[:12]


def marker(secret: str) -> str:
    return f"[REDACTED secret sha256:{secret_hash(secret)}]"


_NAMED = 3  # uses of a secret word as something else after which the word is taken for a name the text uses
_HOLDER = r"(?i:[\w.-]*(?:pass|pwd|secret|token|key|auth|cred)[\w.-]*)"


def _held(secret: str) -> re.Pattern:
    """Where ``secret`` is a value: after a secret-named key (``PASSWORD: x``, ``"token" => 'x'``), as a URL's password
    (``://user:x@``), or after a password flag (``-p x``, ``--password=x``); group 1 is the value."""
    word = re.escape(secret)
    return re.compile(rf"""{_HOLDER}["'\]]?\s*(?:[:=]|=>)\s*["']?({word})(?!\w)|://[^\s:/@]*:({word})@"""
                      rf"""|(?:\s-p\s*|--password[= ]\s*)["']?({word})(?!\w)""")


def _in_place(m: re.Match, mark: str) -> str:
    """The match with its value group (whichever of ``_held``'s alternatives matched) replaced by ``mark``."""
    g = next(i for i in range(1, (m.re.groups or 0) + 1) if m.group(i) is not None)
    return m.group(0)[:m.start(g) - m.start(0)] + mark + m.group(0)[m.end(g) - m.start(0):]


def scrub(text: Any, secrets: Iterable[str]) -> Any:
    """Replace every occurrence of every secret in ``text`` by its marker.  A plain word or a short value of word
    characters is replaced where it stands alone, never inside a longer name: a learnt ``pass`` or ``superuser`` (a Bandit B105
    value) leaves ``old_password`` and ``is_superuser`` intact, and still goes wherever it is the value."""
    if not isinstance(text, str):
        return text
    for secret in sorted({s for s in secrets if s and s not in REDACTED_WORDS}, key=len, reverse=True):
        if secret not in text:
            continue
        if re.fullmatch(r"[A-Za-z_]+|\w{1,8}", secret):  # a word or a short value; a long token is cut out wherever it is
            alone = re.compile(rf"(?<!\w){re.escape(secret)}(?!\w)")
            held = _held(secret)
            if re.fullmatch(r"[A-Za-z_]+", secret) and len(alone.findall(text)) - len(held.findall(text)) >= _NAMED:
                # a word the text also uses as a name at least _NAMED times (`POSTGRES_PASSWORD: postgres` beside
                # `image: postgres:16`, a CI database's password that is the project's name: round 37): the value is
                # cut where it is held, and the names stay
                text = held.sub(lambda m, s=secret: _in_place(m, marker(s)), text)
                continue
            text = alone.sub(lambda _m, s=secret: marker(s), text)
        else:
            text = text.replace(secret, marker(secret))
    return text


def redact_finding(finding: dict, secrets: Iterable[str]) -> dict:
    """Scrub secrets from every text field of a secret finding.

    The snippet survives only if we know the secret and could scrub it out;
    a snippet whose secret we cannot locate (SARIF snippets, unknown match)
    is dropped, because it may *be* the secret.
    """
    secrets = [s for s in secrets if s and s not in REDACTED_WORDS]
    _keep_evidence(finding, secrets)
    for key in ("title", "description", "fix_hint"):
        finding[key] = scrub(finding[key], secrets)
    snippet = finding.get("snippet")
    if snippet is not None:
        scrubbed = scrub(snippet, secrets)
        finding["snippet"] = scrubbed if secrets and scrubbed != snippet else None
    finding["references"] = [scrub(r, secrets) for r in finding["references"]]
    if secrets:
        finding["secret_hash"] = secret_hash(secrets[0])
    finding["redacted"] = True
    return finding


def _keep_evidence(finding: dict, secrets: list[str]) -> None:
    """What kind of value it was (example key, placeholder, entropy), decided before the value goes (triage reads it)."""
    from tasks.findings.secret_evidence import classify

    evidence = classify(secrets[:1] or ["REDACTED"], finding.get("rule_id"))  # the tool's own value, not the line around it
    if evidence:
        finding["secret_evidence"] = evidence
