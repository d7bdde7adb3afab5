"""Phase 1: artifacts -> per-artifact findings files -> merged findings.jsonl.

One output file per artifact means doit re-parses only the artifact whose
bytes changed; the merge step is cheap and de-duplicates across artifacts
by finding id.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Iterable

from tasks import atomic
from tasks.errors import SecftError
from tasks.artifacts import provenance
from tasks.hashing import sha256_file
from tasks.parsers import parse_report
from tasks.schemas import validate_all

def parse_artifact(artifact: Path, root: Path, out_path: Path, on_error: str, max_bytes: int) -> dict:
    """Parse one artifact and write its findings file; returns the record written."""
    shown = artifact.as_posix()
    record = {"artifact": shown, "sha256": sha256_file(artifact)}
    try:
        report = parse_report(artifact, max_bytes=max_bytes, display_path=shown)
        prov = provenance(artifact, root)
        for f in report.findings:
            f["source"].update(prov)
        validate_all("finding", report.findings, shown)
        record.update(
            status="ok", format=report.format, tools=report.tools,
            raw_count=report.raw_count, findings=report.findings, error=None,
        )
    except SecftError as exc:
        if on_error != "skip":
            raise
        record.update(status="rejected", format=None, tools=[], raw_count=0, findings=[], error=str(exc))
    atomic.write_json(out_path, record)
    return record


def merge(per_artifact: Iterable[Path], findings_out: Path, summary_out: Path) -> dict:
    """De-duplicate findings across artifacts by id; write findings.jsonl and the summary."""
    records = [json.loads(Path(p).read_text(encoding="utf-8")) for p in per_artifact]
    records.sort(key=lambda r: r["artifact"])
    merged: dict[str, dict] = {}
    for rec in records:
        for f in rec["findings"]:
            if f["id"] in merged:
                seen = merged[f["id"]]
                if f["source"]["artifact"] != seen["source"]["artifact"]:
                    also = seen.setdefault("also_seen_in", [])
                    if f["source"]["artifact"] not in also:
                        also.append(f["source"]["artifact"])
            else:
                merged[f["id"]] = dict(f)
    findings = sorted(merged.values(), key=lambda f: (f["tool"], f["id"]))
    summary = {
        "artifacts": [
            {k: rec[k] for k in ("artifact", "sha256", "status", "format", "tools", "raw_count", "error")}
            | {"findings": len(rec["findings"])}
            for rec in records
        ],
        "rejected": [{"artifact": r["artifact"], "error": r["error"]} for r in records if r["status"] == "rejected"],
        "raw_results": sum(r["raw_count"] for r in records),
        "parsed_findings": sum(len(r["findings"]) for r in records),
        "unique_findings": len(findings),
        "by_tool": dict(sorted(Counter(f["tool"] for f in findings).items())),
        "by_severity": dict(sorted(Counter(f["severity"] for f in findings).items())),
        "by_kind": dict(sorted(Counter(f["kind"] for f in findings).items())),
        "suppressed": sum(1 for f in findings if f["suppressed"]),
    }
    atomic.write_jsonl(findings_out, findings)
    atomic.write_json(summary_out, summary)
    return summary
