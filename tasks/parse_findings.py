"""Phase 1: artifacts -> per-run records -> merged findings.jsonl and runs.jsonl.

``parse_file`` returns one artifact's record without writing it;
tasks/parse_runs.py batches the records of a whole CI run into one file
(``{"run": ..., "records": [...]}``) and re-parses only changed reports.
The merge de-duplicates across artifacts by finding id and by advisory
alias, and reads per-artifact, batched and per-run files alike; per-run
files also give the runs index (``runs.jsonl``).
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import Iterable

from tasks import atomic
from tasks.artifacts import display, provenance
from tasks.errors import SecftError
from tasks.hashing import sha256_file
from tasks.parsers import parse_report
from tasks.parsers.identity import canonical_advisory, package_key
from tasks.hashing import sha256_json
from tasks.schemas import validate_all

_PROVENANCE_KEYS = ("branch", "commit", "run_id", "created_at")


def parse_file(artifact: Path, root: Path, on_error: str, max_bytes: int, prov: dict | None = None,
               sha256: str | None = None) -> dict:
    """Parse one artifact into a record (status ok | ignored | rejected); nothing is written.

    ``prov`` is the run's provenance and ``sha256`` the file's hash when the
    caller already has them; without them they are looked up for this file.
    """
    shown = display(Path(artifact).as_posix())
    record = {"artifact": shown, "sha256": None, "status": "ok", "format": None, "kind": None, "tools": [],
              "raw_count": 0, "invalid_utf8_bytes": 0, "error": None, "findings": []}
    refusal = _refusal(Path(artifact), Path(root))
    if refusal:  # never read, whatever parse.on_error says; listed under "rejected"
        record.update(status="rejected", error=f"{shown}: {refusal}")
        return record
    try:
        record["sha256"] = sha256 or sha256_file(artifact)
        report = parse_report(artifact, max_bytes=max_bytes, display_path=shown)
        record.update(format=report.format, tools=report.tools, raw_count=report.raw_count,
                      invalid_utf8_bytes=report.invalid_utf8_bytes)
        if report.ignored:
            record.update(status="ignored", kind=report.ignored)
            return record
        if prov is None:
            prov = _provenance(artifact, root)
        for f in report.findings:
            f["source"].update(prov)
        _validate(report.findings, shown)
        record["findings"] = report.findings
    except (SecftError, OSError) as exc:
        if on_error != "skip":
            raise SecftError(str(exc)) from None
        record.update(status="rejected", format=None, tools=[], raw_count=0, findings=[], error=str(exc))
    return record


def _refusal(artifact: Path, root: Path) -> str | None:
    """Why a file under the artifacts folder must not be read, or None.

    A symlink (of the file or of a folder above it) that resolves outside the
    artifacts folder would let any path on the machine - another project's
    report, ``/proc/self/environ`` - reach the datasets; FIFOs and devices
    block or never end.
    """
    try:
        resolved = artifact.resolve(strict=True)
        inside = resolved.is_relative_to(root.resolve(strict=True))
        regular = resolved.is_file()  # follows no further: resolved is the final file (regular, not FIFO/device)
    except (OSError, RuntimeError) as exc:  # dangling or looping link, vanished file
        return f"unreadable path ({getattr(exc, 'strerror', None) or type(exc).__name__}); refused"
    if not inside:
        return "a symlink resolving outside the artifacts folder; refused"
    if not regular:
        return "not a regular file (FIFO, device or socket); refused"
    return None


def _validate(findings: list[dict], shown: str) -> None:
    """Schema-check each finding; the first bad one ends the report in one line naming its field."""
    validate_all("finding", findings, shown)


def parse_artifact(artifact: Path, root: Path, out_path: Path, on_error: str, max_bytes: int) -> dict:
    """Parse one artifact and write its record; returns the record written."""
    record = parse_file(artifact, root, on_error, max_bytes)
    atomic.write_json(out_path, record)
    return record


def _provenance(artifact: Path, root: Path) -> dict:
    """Run provenance as strings or None, whatever run.json holds (the scale area owns reading it)."""
    try:
        prov = provenance(artifact, root)
    except (AttributeError, TypeError, ValueError) as exc:  # run.json that is a list, a number, ...
        raise SecftError(f"{artifact}: unusable run provenance (run.json): {type(exc).__name__}") from None
    prov = prov if isinstance(prov, dict) else {}
    out = {}
    for key in _PROVENANCE_KEYS:
        value = prov.get(key)
        if value is not None or key in prov:
            if isinstance(value, bool) or not isinstance(value, (str, int, type(None))):
                # a dict or list as the commit would become a made-up provenance string
                raise SecftError(f"{artifact}: run.json field {key!r} is a {type(value).__name__}, not a string")
            out[key] = value if isinstance(value, str) or value is None else str(value)
    return out


def write_if_changed(path: Path, text: str) -> bool:
    """Write ``text`` atomically unless the file already holds exactly it; True when written.

    doit keeps a dependency's mtime only when its task runs: a rewritten file
    with the same bytes would be md5-hashed again by every later no-op run.
    """
    data = text.encode("utf-8")
    try:
        if os.path.getsize(path) == len(data) and Path(path).read_bytes() == data:
            return False
    except OSError:
        pass
    atomic.write_bytes(path, data)
    return True


def _read_file(path: Path) -> tuple[dict | None, list[dict]]:
    """(run header or None, records) of a per-artifact, batched or per-run findings file."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SecftError(f"{path}: unreadable findings record: {exc}") from None
    records = data.get("records") if isinstance(data, dict) and "records" in data else [data]
    if not isinstance(records, list) or not all(isinstance(r, dict) and "artifact" in r for r in records):
        raise SecftError(f"{path}: not a findings record file")
    header = {k: data.get(k) for k in ("run", *_PROVENANCE_KEYS)} if isinstance(data, dict) and "run" in data else None
    return header, records


def _read_records(path: Path) -> list[dict]:
    return _read_file(path)[1]


def _seen(f: dict) -> dict:
    src = f.get("source") or {}
    return {"run_id": src.get("run_id"), "commit": src.get("commit"), "created_at": src.get("created_at"),
            "artifact": src.get("artifact")}


def _order(f: dict) -> tuple:
    src = f.get("source") or {}
    created = src.get("created_at")
    return (created if isinstance(created, str) else "", str(src.get("artifact") or ""))


def _clusters(occurrences: list[dict]) -> list[list[dict]]:
    """Occurrences grouped by id, and dependency ids joined when they share package, version and an alias."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    owner: dict[tuple, str] = {}
    for f in occurrences:
        find(f["id"])
        if not f.get("package"):
            continue
        for alias in f.get("aliases") or []:
            key = (package_key(f["package"]), f["package"].get("version"), alias.upper())
            if key in owner:
                parent[find(f["id"])] = find(owner[key])
            else:
                owner[key] = f["id"]
    groups: dict[str, list[dict]] = {}
    for f in occurrences:
        groups.setdefault(find(f["id"]), []).append(f)
    return list(groups.values())


def _union(*lists: Iterable) -> list:
    out: list = []
    for items in lists:
        for item in items or []:
            if item not in out:
                out.append(item)
    return out


def _combine(group: list[dict]) -> dict:
    """One finding from every report of it: the earliest as base, the others fill gaps."""
    merged = dict(group[0])
    merged.pop("also_seen_in", None)
    for key in ("aliases", "cve", "ghsa", "cwe"):
        merged[key] = _union(*(f.get(key) for f in group))
    merged["references"] = _union(*(f.get("references") for f in group))[:12]
    for key in ("snippet", "fix_hint", "tool_version", "secret_hash"):
        if not merged.get(key):
            value = next((f[key] for f in group if f.get(key)), None)
            if value:
                merged[key] = value
    merged["suppressed"] = all(f.get("suppressed") for f in group)
    if "match" in merged and not all((f.get("match") or {}).get("by") == merged["match"]["by"] for f in group):
        merged.pop("match")  # another report matched the package itself, not only its CPE
    if any(f.get("redacted") for f in group):
        merged["redacted"] = True
    packages = [f["package"] for f in group if f.get("package")]
    if packages:
        pkg = dict(next((p for p in packages if p.get("fixed_version")), packages[0]))
        pkg["fixed_versions"] = _union(*(p.get("fixed_versions") for p in packages))
        if not pkg.get("fixed_version") and any(p.get("fix_status") == "none published" for p in packages):
            pkg["fix_status"] = "none published"
        merged["package"] = pkg
        if len({f["id"] for f in group}) > 1:
            merged["id"] = sha256_json({"package": package_key(pkg), "version": pkg.get("version"),
                                        "advisory": canonical_advisory(merged["aliases"] or [merged["rule_id"]])})[:32]
    merged["first_seen"] = _seen(group[0])
    merged["last_seen"] = _seen(group[-1])
    merged["seen_count"] = len({str((f.get("source") or {}).get("artifact")) for f in group})
    return merged


def merge_findings(parsed: list[dict], merged_ids: dict | None = None) -> list[dict]:
    """De-duplicated findings with bounded provenance (first_seen, last_seen, seen_count).

    ``merged_ids``, when given, is filled with each parsed id's merged id.
    """
    occurrences = sorted(parsed, key=_order)
    out = []
    for group in _clusters(occurrences):
        merged = _combine(group)
        if merged_ids is not None:
            merged_ids.update((f["id"], merged["id"]) for f in group)
        out.append(merged)
    return out


def runs_index(runs: list[tuple[dict, list[dict]]], merged_ids: dict) -> list[dict]:
    """One entry per CI run folder (docs/formats.md, runs.jsonl), ordered by (created_at, run)."""
    index = []
    for header, records in runs:
        ok = [r for r in records if r.get("status") == "ok"]
        index.append({
            **{k: header.get(k) for k in ("run", "run_id", "branch", "commit", "created_at")},
            "tools": sorted({t for r in ok for t in r.get("tools") or []}),
            "finding_ids": sorted({merged_ids[f["id"]] for r in ok for f in r.get("findings") or []}),
        })
    index.sort(key=lambda e: (e["created_at"] if isinstance(e["created_at"], str) else "", str(e["run"])))
    return index


def merge_index(index: Path, findings_out: Path, summary_out: Path, runs_out: Path | None = None) -> dict:
    """merge() of the findings files the runs index names (tasks/parse_history.py writes it)."""
    from tasks.parse_history import index_paths

    return merge(index_paths(index), findings_out, summary_out, runs_out)


def merge(per_artifact: Iterable[Path], findings_out: Path, summary_out: Path, runs_out: Path | None = None) -> dict:
    """De-duplicate findings across artifacts; write findings.jsonl, the summary and (per run) runs.jsonl."""
    runs, records = [], []
    for path in per_artifact:
        header, recs = _read_file(path)
        records += recs
        if header is not None:
            runs.append((header, recs))
    records.sort(key=lambda r: r["artifact"])
    parsed = [f for r in records for f in r.get("findings") or []]
    merged_ids: dict = {}
    findings = merge_findings(parsed, merged_ids)
    findings.sort(key=lambda f: (f["tool"], f["id"]))
    ok = [r for r in records if r.get("status") == "ok"]
    summary = {
        "artifacts": [
            {k: rec.get(k) for k in ("artifact", "sha256", "status", "format", "tools", "raw_count", "error")}
            | {"findings": len(rec.get("findings") or [])}
            for rec in records if rec.get("status") != "ignored"
        ],
        "rejected": [{"artifact": r["artifact"], "error": r.get("error")} for r in records if r.get("status") == "rejected"],
        "ignored": [{"artifact": r["artifact"], "kind": r.get("kind")} for r in records if r.get("status") == "ignored"],
        "invalid_utf8_bytes": sum(int(r.get("invalid_utf8_bytes") or 0) for r in records),
        "raw_results": sum(int(r.get("raw_count") or 0) for r in ok),
        "parsed_findings": len(parsed),
        "unique_findings": len(findings),
        "by_tool": dict(sorted(Counter(f["tool"] for f in findings).items())),
        "by_severity": dict(sorted(Counter(f["severity"] for f in findings).items())),
        "by_kind": dict(sorted(Counter(f["kind"] for f in findings).items())),
        "fix_status": dict(sorted(Counter(f["package"]["fix_status"] for f in findings if f.get("package")).items())),
        "redacted_by_tool": dict(sorted(Counter(f["tool"] for f in findings if f.get("redacted")).items())),
        "suppressed": sum(1 for f in findings if f["suppressed"]),
    }
    for rec in records:
        if int(rec.get("invalid_utf8_bytes") or 0):
            summary.setdefault("invalid_utf8", []).append({"artifact": rec["artifact"], "bytes": rec["invalid_utf8_bytes"]})
    write_if_changed(findings_out, atomic.jsonl_text(findings))
    write_if_changed(summary_out, atomic.dumps_json(summary))
    if runs_out is not None:
        write_if_changed(runs_out, atomic.jsonl_text(runs_index(runs, merged_ids)))
    print(f"parse_findings: {len(parsed)} finding(s) in {len(records)} report(s) -> {len(findings)} unique; {len(runs)} run(s)")
    return summary  # for callers; dodo's actions keep it out of doit's database
