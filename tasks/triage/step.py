"""The triage step: findings.jsonl -> triage.jsonl, triage.md, advisory_fixes.json (and triage.vex.json).

Settings (``triage`` in config/pipeline.yaml): ``advisories.path`` (a local
folder of OSV records; null = none), ``osv_api`` ({enabled, url,
deadline_seconds, max_age_days}; off by default: the default build is
offline), ``vex`` (write the OpenVEX document), ``vex_inputs`` (VEX files
whose not_affected statements count as suppressions).  ``source.repo_path``
turns on the checks that read the repository (suppression comments,
.trivyignore/.gitleaksignore, imports).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tasks.core import atomic
from tasks.core.errors import SecftError
from tasks.findings.model import Finding, read_findings
from tasks.triage import output
from tasks.triage.advisories import AdvisoryStore
from tasks.triage.verdict import Judge


def _findings(path: Path) -> list[Finding]:
    try:
        return list(read_findings(path))
    except SecftError as exc:
        raise SecftError(f"{exc}; rebuild parse_findings") from None


def make_judge(cfg: dict, project: Path, index_path: Path | None, cache_dir: Path, net: dict | None,
               repo_path: str | None) -> tuple[Judge, dict]:
    adv = (cfg.get("advisories") or {}).get("path")
    folder = project / adv if adv and not Path(adv).is_absolute() else adv
    if folder and not Path(folder).is_dir():  # not fatal: without records, version questions are needs_review
        print(f"secft: warning: triage.advisories.path {adv}: no such folder; dependency versions are not checked against records")
        adv = folder = None
    store = AdvisoryStore(folder, index_path) if folder else None
    client = None
    api = cfg.get("osv_api") or {}
    if api.get("enabled"):
        from tasks.triage.osv_api import OsvClient

        client = OsvClient(cache_dir, api.get("url") or "https://api.osv.dev", net, api.get("deadline_seconds", 60),
                           api.get("max_age_days", 7), root=project)
    reader = imports = None
    repo = None
    if repo_path:
        from tasks.repository.source import SourceReader
        from tasks.triage.reachability import ImportIndex

        reader = SourceReader(Path(repo_path))
        imports, repo = ImportIndex(reader), reader.repo
    from tasks.triage.suppressions import RepoSuppressions

    # VEX files are read, never written, but a name from config still stays inside the project
    vex_inputs = [atomic.inside(project / p, project, "triage.vex_inputs entry") for p in cfg.get("vex_inputs") or []]
    sups = RepoSuppressions(repo, vex_inputs)
    source = " + ".join(s for s in (f"local records in {adv}" if adv else "", "the OSV API" if client else "") if s)
    return Judge(store, client, sups, reader, imports), {"record_source": source or "no record source configured"}


def triage(findings_path: Path, out_dir: Path, cfg: dict, project: Path = Path("."), net: dict | None = None,
           repo_path: str | None = None) -> dict:
    """Write the triage outputs into ``out_dir``; returns counts."""
    findings = _findings(findings_path)
    judge, stats = make_judge(cfg, Path(project), out_dir / "advisory_index.json", out_dir / "osv_cache", net, repo_path)
    if judge.client is not None:
        from tasks.triage.lookup import prefetch
        from tasks.triage.verdict import _ids

        prefetch(judge, findings, _ids)
    records = [judge.judge(f) for f in findings]
    stats.update(dependency=sum(1 for f in findings if f.kind == "dependency"), with_record=judge.with_record)
    if judge.store:
        judge.store.close()
    atomic.write_jsonl(out_dir / "triage.jsonl", records)
    atomic.write_json(out_dir / "advisory_fixes.json", judge.fixes)
    atomic.write_text(out_dir / "triage.md", output.summary(records, stats))
    if cfg.get("vex"):
        stamp = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
        by_id = {f.id: f for f in findings}
        atomic.write_json(out_dir / "triage.vex.json", output.openvex(records, by_id, stamp))
    counts = {v: sum(1 for r in records if r["verdict"] == v) for v in ("true_positive", "false_positive", "needs_review")}
    result = {"findings": len(records), **counts, "with_record": judge.with_record}
    if judge.client:
        result["osv_api"] = judge.client.summary()
        for line in judge.client.errors[:3]:
            print(f"secft: warning: {line}")
    return result
