"""Bandit JSON (results + metrics)."""

from __future__ import annotations

from typing import Any

from tasks.parsers import base


def detect(doc: Any) -> bool:
    return isinstance(doc, dict) and isinstance(doc.get("results"), list) and "metrics" in doc and "generated_at" in doc


def count_raw(doc: dict) -> int:
    return len(doc["results"])


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
                cwe=base.cwe_ids(cwe.get("id") if isinstance(cwe, dict) else cwe),
                location_value=base.location(
                    str(r.get("filename", "")).replace("\\", "/"),
                    r.get("line_number"),
                    max(r.get("line_range") or [r.get("line_number") or 0]),
                ),
                snippet=r.get("code"),
                references=[r.get("more_info")],
            )
        )
    return out
