"""gitleaks JSON: v7 (lowercase keys, ``offender``) and v8 (``RuleID``, ``Secret``).

Every finding is redacted here: the secret and the line that holds it are
replaced by a marker with a short hash.
"""

from __future__ import annotations

import re

from typing import Any

from tasks.core.hashing import sha256_json
from tasks.findings.parsers import base
from tasks.findings.redact import redact_finding

_FIX = (
    "Revoke and rotate the leaked credential, remove it from the code and the git history "
    "(e.g. git filter-repo), and read it from a vault or an environment variable."
)


def _is_v8(d: Any) -> bool:
    return isinstance(d, dict) and "RuleID" in d and ("Secret" in d or "Match" in d)


def _is_v7(d: Any) -> bool:
    return isinstance(d, dict) and "rule" in d and "offender" in d


def detect(doc: Any) -> bool:
    return isinstance(doc, list) and bool(doc) and all(_is_v8(d) or _is_v7(d) for d in doc)


def count_raw(doc: list) -> int:
    return len(doc)


_ASSIGNMENT = re.compile(r"""^\s*[A-Za-z_][\w.-]*\s*[:=]\s*(["']?)(?P<value>[^"'\s]{8,})\1\s*;?\s*$""")


def _value_of(offender: str) -> str:
    """gitleaks 7's offender is often `NAME="value"`: the value is the secret, the name stays readable."""
    m = _ASSIGNMENT.match(offender)
    return m.group("value") if m else offender


def parse(doc: list) -> list[dict]:
    out = []
    for d in doc:
        if _is_v8(d):
            rule, desc, path = d.get("RuleID"), d.get("Description"), d.get("File")
            secret, match = d.get("Secret") or "", d.get("Match") or ""
            # the value only: Match also holds the variable name (`JEKYLL_GITHUB_TOKEN=...`), which is no secret
            start, end, secrets = d.get("StartLine"), d.get("EndLine"), [secret] if secret and secret in match else [secret, match]
            snippet, fingerprint = d.get("Match"), None
            commit = d.get("Commit")
        else:
            rule, desc, path = d.get("rule"), d.get("rule"), d.get("file")
            start = d.get("lineNumber")
            end = start
            secrets = [_value_of(d.get("offender") or "")]
            snippet, fingerprint = d.get("line"), None
            commit = d.get("commit")
        f = base.finding(
            tool="gitleaks",
            rule_id=rule,
            title=f"{desc or rule} leaked in {path}",
            description=f"gitleaks rule '{rule}' matched a hard-coded secret in {path}"
            + (f" (commit {commit[:12]})" if commit else ""),
            kind="secret",
            severity_value="high",
            cwe=["CWE-798"],
            location_value=base.location(path, start, end),
            snippet=snippet,
            fix_hint=_FIX,
            fingerprint=fingerprint,
        )
        # the place of a leak includes the commit it was introduced in
        if commit:
            f["id"] = sha256_json([f["id"], commit])[:32]
        out.append(redact_finding(f, secrets))
    return out
