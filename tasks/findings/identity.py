"""What makes two results the same finding: the stable id.

A finding's id must survive a later run, a second report format of the same
scan (Semgrep JSON + SARIF) and a second tool or advisory database naming the
same vulnerability differently (CVE vs GHSA vs OSV ids).  Placeholder
fingerprints ("requires login") are never identity; the callers drop them.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

from tasks.core.hashing import sha256_json


def _column(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        n = int(value)
    except (ValueError, OverflowError):
        return None
    return n if 0 < n < 10_000_000 else None


def package_key(pkg: dict) -> str:
    """Tool-independent package name: Maven artifact id, PEP 503-style folding."""
    name = str(pkg.get("name") or "")
    if ":" in name:
        name = name.rsplit(":", 1)[1]
    return re.sub(r"[-_.]+", "-", name).lower()


def canonical_advisory(ids: Iterable[Any]) -> str:
    """One id to stand for a set of aliases: the smallest CVE, else GHSA, else any."""
    ids = sorted({str(i) for i in ids if i})
    for prefix in ("CVE-", "GHSA-"):
        chosen = [i for i in ids if i.upper().startswith(prefix)]
        if chosen:
            return chosen[0]
    return ids[0] if ids else "unknown"


def identity(
    tool: str, rule_id: str, location_value: dict | None, package_value: dict | None,
    aliases: Iterable[str] = (), fingerprint: Any = None, column: Any = None, instances: list | None = None,
) -> str:
    """The stable id of a finding (see docs/formats.md, "Identity").

    Dependency findings are one per package, installed version and advisory,
    whichever tool or alias reported them; code findings are one per tool,
    rule, file, line and column unless the report has a trustworthy
    fingerprint.
    """
    path = location_value["path"] if location_value else None
    if package_value:
        key: dict[str, Any] = {
            "package": package_key(package_value), "version": package_value.get("version"),
            "advisory": canonical_advisory(list(aliases) or [rule_id]),
        }
    elif fingerprint:
        # SARIF line hashes identify the line's content, not the file it is in
        key = {"tool": tool, "rule": rule_id, "fingerprint": fingerprint, "path": path}
    else:
        rule = rule_id.rsplit(".", 1)[-1] if tool == "semgrep" else rule_id
        key = {"tool": tool, "rule": rule, "path": path,
               "line": location_value.get("start_line") if location_value else None,
               "column": _column(column)}
        if not location_value and instances:
            key["instances"] = sorted({i.get("uri", "") for i in instances})
    return sha256_json(key)[:32]
