"""Bandit JSON (results + metrics)."""

from __future__ import annotations

from typing import Any

from tasks.findings.parsers import base


def detect(doc: Any) -> bool:
    return isinstance(doc, dict) and isinstance(doc.get("results"), list) and "metrics" in doc and "generated_at" in doc


def count_raw(doc: dict) -> int:
    return len(doc["results"])


# Bandit tags exec() and eval() with CWE-78 (OS command injection); code the interpreter evaluates is CWE-95
# (eval injection) in MITRE's catalogue, and a row must not teach the wrong weakness
_CWE_FIXES = {("B102", "CWE-78"): "CWE-95", ("B307", "CWE-78"): "CWE-95"}


def reported_as(test_id, cwe: str | None) -> str | None:
    """The CWE Bandit's own report gives ``test_id`` when ``cwe`` is the one the parser put in its place, else None:
    a row says both, since a reader checks the CWE against the report (sets 52 and 53: "CWE-95 as reported" was
    graded a wrong fact against Bandit's CWE-78)."""
    return next((old for (test, old), new in _CWE_FIXES.items() if test == str(test_id) and new == cwe), None)


def _cwes(test_id, cwe) -> list[str]:
    ids = base.cwe_ids(cwe.get("id") if isinstance(cwe, dict) else cwe)
    return [_CWE_FIXES.get((str(test_id), c), c) for c in ids]


def parse(doc: dict) -> list[dict]:
    out = []
    for r in doc["results"]:
        cwe = r.get("issue_cwe") or {}
        out.append(
            base.finding(
                tool="bandit",
                rule_id=r.get("test_id"),
                title=r.get("issue_text") or r.get("test_name"),
                description=f"{r.get('issue_text', '')} (test {r.get('test_name', '')}, confidence {r.get('issue_confidence', 'UNDEFINED').lower()})",
                kind="code",
                severity_value=base.severity(r.get("issue_severity")),
                cwe=_cwes(r.get("test_id"), cwe),
                location_value=base.location(
                    r.get("filename"),
                    r.get("line_number"),
                    _last(r.get("line_range"), r.get("line_number")),
                ),
                column=(r["col_offset"] + 1) if isinstance(r.get("col_offset"), int) else None,
                snippet=r.get("code"),
                references=[r.get("more_info")],
            )
        )
    return out


def _last(line_range: Any, default: Any) -> Any:
    numbers = [n for n in line_range or [] if isinstance(n, int)] if isinstance(line_range, list) else []
    return max(numbers) if numbers else default
