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
            text = re.sub(rf"(?<!\w){re.escape(secret)}(?!\w)", lambda _m, s=secret: marker(s), text)
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
