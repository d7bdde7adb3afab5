"""Phase 3 data: narratives and fixes -> mlx-lm chat JSONL for both stages.

Rows are ordered by finding id and split by a hash of the id, so adding
findings never moves an existing row between train and valid, and the same
input always gives byte-identical files.
"""

from __future__ import annotations

import json
import statistics
from collections import Counter, defaultdict
from pathlib import Path

from tasks import __version__, atomic
from tasks.enrich import TEMPLATE_VERSION
from tasks.errors import SecftError
from tasks.fixes import fix_for
from tasks.hashing import sha256_file, sha256_text
from tasks.schemas import validate_all

GENERATOR_VERSION = "1"
SEVERITY_ORDER = ["info", "low", "medium", "high", "critical"]

STAGE1_SYSTEM = (
    "You are a security analyst. Given a scanner finding, explain the weakness, why it matters at "
    "this location or package, how it can be exploited, and how to fix it."
)
STAGE2_SYSTEM = (
    "You are a secure-code fixer. Given a scanner finding and the vulnerable code or dependency, "
    "answer with a concrete fix (a patch or a dependency upgrade) and a short reason."
)

FILES = {
    ("stage1", "train"): "stage1_train.jsonl",
    ("stage1", "valid"): "stage1_valid.jsonl",
    ("stage2", "train"): "stage2_train.jsonl",
    ("stage2", "valid"): "stage2_valid.jsonl",
}


def split_of(finding_id: str, valid_percent: int) -> str:
    return "valid" if int(sha256_text(finding_id)[:8], 16) % 100 < valid_percent else "train"


def describe_finding(f: dict, max_snippet: int, with_code: bool) -> str:
    lines = [f"Tool: {f['tool']}" + (f" {f['tool_version']}" if f.get("tool_version") else ""),
             f"Rule: {f['rule_id']}", f"Title: {f['title']}", f"Severity: {f['severity']}"]
    if f.get("cwe"):
        lines.append(f"CWE: {', '.join(f['cwe'])}")
    ids = (f.get("cve") or []) + (f.get("ghsa") or [])
    if ids:
        lines.append(f"Advisories: {', '.join(ids)}")
    if f.get("package"):
        p = f["package"]
        lines.append(f"Package: {p['name']} {p.get('version') or ''}".rstrip() + (f" ({p['ecosystem']})" if p.get("ecosystem") else ""))
    if f.get("location"):
        loc = f["location"]
        lines.append(f"Location: {loc['path']}" + (f":{loc['start_line']}" if loc.get("start_line") else ""))
    if f.get("description"):
        lines.append(f"Description: {f['description'][:800]}")
    if with_code and f.get("snippet"):
        lines.append(f"Code:\n```\n{f['snippet'][:max_snippet]}\n```")
    return "\n".join(lines)


def _row(system: str, user: str, assistant: str, meta: dict) -> dict:
    return {
        "messages": [
            {"role": "system", "content": system},
            {"role": "user", "content": user},
            {"role": "assistant", "content": assistant},
        ],
        "meta": meta,
    }


def _length_stats(rows: list[dict]) -> dict:
    if not rows:
        return {"rows": 0}
    chars = [sum(len(m["content"]) for m in r["messages"]) for r in rows]
    words = [sum(len(m["content"].split()) for m in r["messages"]) for r in rows]
    return {
        "rows": len(rows),
        "chars": {"min": min(chars), "median": statistics.median(chars), "max": max(chars)},
        "words": {"min": min(words), "median": statistics.median(words), "max": max(words)},
        "approx_tokens": {"median": round(statistics.median(chars) / 4), "max": round(max(chars) / 4)},
    }


def build(findings_path: Path, narratives_path: Path, out_dir: Path, cfg: dict) -> dict:
    """Write the four JSONL files and dataset_info.json; returns the info."""
    findings = [json.loads(l) for l in findings_path.read_text(encoding="utf-8").splitlines() if l.strip()]
    narratives = {}
    kb_version = None
    for line in narratives_path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            n = json.loads(line)
            narratives[n["finding_id"]] = n
            kb_version = n["kb_version"]
    min_rank = SEVERITY_ORDER.index(cfg["min_severity"])
    rows: dict[tuple[str, str], list[dict]] = defaultdict(list)
    dropped: Counter = Counter()
    excluded: Counter = Counter()
    fix_sources: Counter = Counter()
    for f in sorted(findings, key=lambda f: f["id"]):
        if f["suppressed"] and not cfg["include_suppressed"]:
            excluded["suppressed"] += 1
            continue
        if SEVERITY_ORDER.index(f["severity"]) < min_rank:
            excluded["below min_severity"] += 1
            continue
        n = narratives.get(f["id"])
        if n is None:
            raise SecftError(f"{narratives_path}: no narrative for finding {f['id']}; rebuild enrich_narratives")
        split = split_of(f["id"], cfg["valid_percent"])
        meta = {"finding_id": f["id"], "tool": f["tool"], "severity": f["severity"], "kind": f["kind"]}
        rows[("stage1", split)].append(
            _row(STAGE1_SYSTEM, describe_finding(f, cfg["max_snippet_chars"], True), n["narrative"], meta | {"stage": 1})
        )
        answer, source, _fix_meta = fix_for(f, n["cwe"])
        if answer is None:
            dropped[source] += 1
            continue
        fix_sources[source] += 1
        rows[("stage2", split)].append(
            _row(STAGE2_SYSTEM, describe_finding(f, cfg["max_snippet_chars"], True), answer, meta | {"stage": 2, "fix_source": source})
        )
    info: dict = {"files": {}, "counts": {}, "length": {}}
    for (stage, split), name in FILES.items():
        data = rows.get((stage, split), [])
        validate_all("dataset_row", data, str(out_dir / name))
        atomic.write_jsonl(out_dir / name, data)
        info["files"][name] = {"rows": len(data), "sha256": sha256_file(out_dir / name)}
        info["length"][name] = _length_stats(data)
    for stage in ("stage1", "stage2"):
        all_rows = rows.get((stage, "train"), []) + rows.get((stage, "valid"), [])
        info["counts"][stage] = {
            "train": len(rows.get((stage, "train"), [])),
            "valid": len(rows.get((stage, "valid"), [])),
            "by_tool": dict(sorted(Counter(r["meta"]["tool"] for r in all_rows).items())),
            "by_severity": dict(sorted(Counter(r["meta"]["severity"] for r in all_rows).items())),
        }
    info["stage2_dropped"] = dict(sorted(dropped.items()))
    info["stage2_fix_sources"] = dict(sorted(fix_sources.items()))
    info["excluded"] = dict(sorted(excluded.items()))
    info["findings"] = len(findings)
    info["status"] = "ok" if info["counts"]["stage1"]["train"] else "no training data"
    info["versions"] = {"secft": __version__, "generator": GENERATOR_VERSION, "narrative_template": TEMPLATE_VERSION, "kb": kb_version}
    info["inputs"] = {"findings_sha256": sha256_file(findings_path), "narratives_sha256": sha256_file(narratives_path)}
    atomic.write_json(out_dir / "dataset_info.json", info)
    return info
