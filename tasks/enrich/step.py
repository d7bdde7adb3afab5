"""The enrich_narratives step: findings.jsonl -> narratives.jsonl, cached per finding.

A narrative is a pure function of (finding, KB version, the code that
writes it), so narratives are cached under a hash of those three: a new
artifact enriches only its new findings, and a change to tasks/enrich or
tasks/fixes (whose patterns the remediation quotes) rewrites them all.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from tasks.core import atomic
from tasks.core.hashing import sha256_json
from tasks.enrich.knowledge_base import KnowledgeBase
from tasks.enrich.narrative import TEMPLATE_VERSION, narrative_for


@lru_cache(maxsize=1)
def code_version() -> str:
    """A hash of the code a narrative depends on (this package, the fixes and triage)."""
    root = Path(__file__).resolve().parent.parent
    files = sorted((root / "enrich").glob("*.py")) + sorted((root / "fixes").rglob("*.py")) + sorted((root / "triage").rglob("*.py"))
    return sha256_json({p.relative_to(root).as_posix(): p.read_text(encoding="utf-8") for p in files})[:16]


def cache_key(finding: dict, kb_version: str) -> str:
    core = {k: v for k, v in finding.items() if k not in ("source", "also_seen_in", "first_seen", "last_seen", "seen_count")}
    return sha256_json({"finding": core, "kb": kb_version, "template": TEMPLATE_VERSION, "code": code_version()})


TEACHER_CACHE = "teacher_cache.jsonl"


def enrich(findings_path: Path, kb_path: Path, out_path: Path, cache_path: Path, top_k: int,
           advisory_fixes: Path | None = None, teacher: dict | None = None) -> dict:
    """Write narratives.jsonl (one per finding, in findings order); returns stats.

    ``advisory_fixes`` (from the triage step) gives the advisory record's fixed version for the
    installed release line; it replaces the report's, so the narrative and the stage-2 fix agree.
    With ``teacher`` (``enrich.teacher``) the analysis is the teacher's where its answer passes the
    fact checks."""
    from tasks.core.schemas import validate
    from tasks.triage.output import load_fixes, with_record_fix

    record_fixes = load_fixes(advisory_fixes)

    kb = KnowledgeBase(kb_path)
    cache: dict[str, dict] = {}
    if cache_path.exists():
        for line in cache_path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                cache[row["key"]] = row["narrative"]
    rows, used, new, by_id = [], {}, 0, {}
    for line in findings_path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        f = with_record_fix(json.loads(line), record_fixes)
        by_id[f["id"]] = f
        key = cache_key(f, kb.version)
        if key in cache:
            n = cache[key]
        else:
            n = narrative_for(kb, f, top_k)
            validate("narrative", n, f"narrative for finding {f['id']}")
            new += 1
        used[key] = n
        rows.append(n)
    atomic.write_jsonl(cache_path, [{"key": k, "narrative": used[k]} for k in sorted(used)])
    stats = {"narratives": len(rows), "generated": new, "from_cache": len(rows) - new}
    if teacher:
        rows, stats["teacher"] = taught(rows, by_id, teacher, Path(cache_path).with_name(TEACHER_CACHE))
    atomic.write_jsonl(out_path, rows)
    return stats


def taught(rows: list[dict], findings: Path | dict, cfg: dict, cache_path: Path) -> tuple[list[dict], dict]:
    """The narratives with the teacher's analysis wherever it passed the fact checks (the rest unchanged);
    ``findings`` is findings.jsonl or the findings by id (with the advisory record's fixes applied)."""
    import sys

    from tasks.enrich.teacher import Teacher, finding_text

    by_id = findings if isinstance(findings, dict) else {}
    if not isinstance(findings, dict):
        for line in findings.read_text(encoding="utf-8").splitlines():
            if line.strip():
                f = json.loads(line)
                by_id[f["id"]] = f
    teacher = Teacher(cfg, cache_path)
    out = []
    for n in rows:
        f = by_id[n["finding_id"]]
        answer, _ = teacher.analysis(f, n, finding_text(f)) if n["narrative"] else (None, [])
        out.append(n | {"narrative": answer, "author": f"teacher:{cfg['model']}"} if answer else n)
    teacher.save()
    if teacher.stats["failed"]:
        print(f"secft: teacher: {teacher.stats['failed']} request(s) failed, those narratives stay deterministic; "
              f"last: {teacher.last_error}", file=sys.stderr)
    return out, teacher.stats
