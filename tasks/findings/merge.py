"""Every run's findings -> merged findings.jsonl, the summary and runs.jsonl.

The merge de-duplicates across artifacts by finding id and by advisory alias, and reads per-artifact,
batched and per-run files alike; per-run files also give the runs index (``runs.jsonl``).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Iterable

from tasks.core import atomic
from tasks.core.errors import SecftError
from tasks.core.hashing import sha256_json
from tasks.findings import paths
from tasks.findings.identity import canonical_advisory, package_key
from tasks.findings.parse import PROVENANCE_KEYS, write_if_changed


def _read_file(path: Path) -> tuple[dict | None, list[dict]]:
    """(run header or None, records) of a per-artifact, batched or per-run findings file."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SecftError(f"{path}: unreadable findings record: {exc}") from None
    records = data.get("records") if isinstance(data, dict) and "records" in data else [data]
    if not isinstance(records, list) or not all(isinstance(r, dict) and "artifact" in r for r in records):
        raise SecftError(f"{path}: not a findings record file")
    header = {k: data.get(k) for k in ("run", *PROVENANCE_KEYS)} if isinstance(data, dict) and "run" in data else None
    return header, records


def _read_records(path: Path) -> list[dict]:
    return _read_file(path)[1]


def _seen(f: dict) -> dict:
    src = f.get("source") or {}
    return {"run_id": src.get("run_id"), "commit": src.get("commit"), "created_at": src.get("created_at"),
            "artifact": src.get("artifact")}


def occurrence_order(f: dict) -> tuple:
    src = f.get("source") or {}
    created = src.get("created_at")
    return (created if isinstance(created, str) else "", str(src.get("artifact") or ""))


def clusters(occurrences: list[dict]) -> list[list[dict]]:
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


def combine(group: list[dict]) -> dict:
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
    occurrences = sorted(parsed, key=occurrence_order)
    out = []
    for group in clusters(occurrences):
        merged = combine(group)
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


def merge_index(index: Path, findings_out: Path, summary_out: Path, runs_out: Path | None = None,
                repo_path: str | None = None) -> dict:
    """merge() of the findings files the runs index names (tasks/findings/incremental.py writes it)."""
    from tasks.findings.incremental import index_paths

    return merge(index_paths(index), findings_out, summary_out, runs_out, repo_path)


def merge(per_artifact: Iterable[Path], findings_out: Path, summary_out: Path, runs_out: Path | None = None,
          repo_path: str | None = None) -> dict:
    """De-duplicate findings across artifacts; write findings.jsonl, the summary and (per run) runs.jsonl.

    ``repo_path`` (``source.repo_path``): the local checkout, whose absolute path a report made on this
    machine writes into its locations; it is made repository-relative here, before the findings are merged,
    so every later phase reads the file and every row names it as the repository does."""
    runs, records = [], []
    for path in per_artifact:
        header, recs = _read_file(path)
        records += recs
        if header is not None:
            runs.append((header, recs))
    records.sort(key=lambda r: r["artifact"])
    parsed = [f for r in records for f in r.get("findings") or []]
    roots = paths.local_roots(repo_path)
    parsed = [paths.rebase_local(f, roots) for f in parsed] if roots else parsed
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
