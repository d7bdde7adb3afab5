"""Hand-made findings and narratives for the dataset tests (the shape findings.jsonl has)."""

from __future__ import annotations

import hashlib

from tasks.datasets import grouping, rows
from tasks.datasets.build import build


def fid(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()[:32]


def finding(name: str, **kw) -> dict:
    base = {
        "id": fid(name), "tool": "semgrep", "tool_version": None, "kind": "code", "rule_id": "python.sqli",
        "title": "SQL built from user input", "description": "User input reaches a SQL query built with string formatting.",
        "severity": "high", "cwe": ["CWE-89"], "cve": [], "ghsa": [], "aliases": [],
        "location": {"path": "app/db.py", "start_line": 11, "end_line": 11},
        "package": None, "snippet": "    cur.execute(\"SELECT * FROM users WHERE id = '%s'\" % uid)",
        "fix_hint": None, "suppressed": False, "references": [], "instances": None, "seen_count": 1,
        "source": {"artifact": "data/artifacts/x.json", "sha256": "0" * 64},
        "first_seen": {"artifact": "x", "commit": None, "created_at": None, "run_id": None},
        "last_seen": {"artifact": "x", "commit": None, "created_at": None, "run_id": None},
    }
    return base | kw


def dependency(name: str, package: str, version: str, fixed: str | None, **kw) -> dict:
    return finding(name, tool="pip-audit", kind="dependency", rule_id=kw.pop("rule_id", f"PYSEC-{name}"), cwe=[],
                   title=f"{package} {version} is vulnerable", description=f"{package} before {fixed or 'any release'} lets attackers in.",
                   location={"path": "requirements.txt", "start_line": None, "end_line": None}, snippet=None,
                   package={"name": package, "version": version, "ecosystem": "PyPI", "fixed_version": fixed,
                            "fix_status": "fixed" if fixed else "none published"}, **kw)


def narrative(f: dict, text: str | None = None, cwe: list[str] | None = None, language: str | None = "python") -> dict:
    body = text or (f"## What the weakness is\nCWE-89 SQL injection in {f['location']['path']}.\n\n## How to fix it\n- Use bound parameters.")
    return {"finding_id": f["id"], "cwe": f["cwe"] if cwe is None else cwe, "cwe_source": "report", "language": language,
            "sections": {"weakness": "w", "impact": "i", "exploitation": "e", "remediation": "r"}, "narrative": body,
            "triage": None, "triage_narrative": None, "references": [], "kb_version": "kb", "template_version": "2"}


def row(f: dict, answer: str, stage: int = 2, language: str | None = "python", **meta) -> dict:
    n = narrative(f, language=language)
    m = rows.base_meta(f, n, grouping.group_key(f, meta.pop("fix_family", None)), language) | {"stage": stage} | meta
    return rows.chat("system", f"Rule: {f['rule_id']}\nPackage: {(f.get('package') or {}).get('name')} {(f.get('package') or {}).get('version')}", answer, m)


def write_inputs(tmp, findings: list[dict], narratives: list[dict]):
    import json

    tmp.mkdir(parents=True, exist_ok=True)
    fp, np_ = tmp / "findings.jsonl", tmp / "narratives.jsonl"
    fp.write_text("".join(json.dumps(f) + "\n" for f in findings))
    np_.write_text("".join(json.dumps(n) + "\n" for n in narratives))
    return fp, np_


def run_build(tmp, findings, narratives, cfg, source_cfg=None):
    fp, np_ = write_inputs(tmp, findings, narratives)
    return build(fp, np_, tmp / "td", cfg, source_cfg)
