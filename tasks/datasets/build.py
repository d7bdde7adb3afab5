"""The build_datasets step: findings + narratives -> stage{1,2}_{train,valid,test}.jsonl.

Per finding: the stage-1 analysis row (its narrative, or the triage text
for a likely false positive) and the stage-2 fix row (a fix the team made,
mined from git history, else ``tasks.fixes.fix_for``).  Then, per stage:
cap groups and rules and drop near-copies (tasks.datasets.grouping), split
by group (tasks.datasets.split), lint (tasks.datasets.lint; a row with a
hard defect goes to quarantine.jsonl with its reasons, and the build fails
only above ``datasets.max_quarantine_share``), write.  Rows are ordered by
finding id and every choice is made in a stable order, so the same input
gives byte-identical files.
"""

from __future__ import annotations

import json
import statistics
from collections import Counter, defaultdict
from pathlib import Path

from tasks import __version__
from tasks.core import atomic
from tasks.core.errors import SecftError
from tasks.core.hashing import sha256_file
from tasks.core.schemas import validate_all
from tasks.core.settings import Datasets
from tasks.datasets import file_fixes, grouping, lint, public_corpus, rows
from tasks.datasets.sources import Source, fix
from tasks.datasets.split import SPLITS, split_of
from tasks.enrich import TEMPLATE_VERSION
from tasks.enrich.iac_context import add as add_context
from tasks.enrich.iac_file_fix import refit
from tasks.findings.model import as_finding
from tasks.triage.output import load_fixes, load_records, with_record_fix

GENERATOR_VERSION = "2"
SEVERITY_ORDER = ["info", "low", "medium", "high", "critical"]
STAGES = ("stage1", "stage2")
FILES = {(stage, split): f"{stage}_{split}.jsonl" for stage in STAGES for split in SPLITS}
LINT = "lint.json"
QUARANTINE = "quarantine.jsonl"


def _read_jsonl(path: Path) -> list[dict]:
    return [json.loads(l) for l in path.read_text(encoding="utf-8").splitlines() if l.strip()]


def _length_stats(data: list[dict]) -> dict:
    if not data:
        return {"rows": 0}
    chars = [sum(len(m["content"]) for m in r["messages"]) for r in data]
    words = [sum(len(m["content"].split()) for m in r["messages"]) for r in data]
    return {
        "rows": len(data),
        "chars": {"min": min(chars), "median": statistics.median(chars), "max": max(chars)},
        "words": {"min": min(words), "median": statistics.median(words), "max": max(words)},
        "approx_tokens": {"median": round(statistics.median(chars) / 4), "max": round(max(chars) / 4)},
    }


EVIDENCE_LINES = 40  # lines either side of a finding that the verdict's code evidence may read


def candidates(findings, narratives, narratives_path, cfg, source, verdicts=None, record_fixes=None,
               checks: dict | None = None) -> tuple[dict, dict]:
    """Every finding's rows before caps: {stage: [rows]}, and the counts of what was left out and why; ``checks``
    collects, per stage-2 row (by ``id``), the finding and commit its diff must apply at."""
    cfg = Datasets.of(cfg)
    checks = {} if checks is None else checks
    out: dict[str, list[dict]] = {"stage1": [], "stage2": []}
    why: dict[str, Counter] = {"excluded": Counter(), "stage1_dropped": Counter(), "stage2_dropped": Counter()}
    min_rank = SEVERITY_ORDER.index(cfg.min_severity)
    mined = source.mined(findings)
    from tasks.fixes.projects import learn

    learn(findings)  # a report that scanned a deliberately vulnerable app: all its findings are the app's
    for f in sorted(map(as_finding, findings), key=lambda f: f.id):
        if f.suppressed and not cfg.include_suppressed:
            why["excluded"]["suppressed"] += 1
            continue
        if SEVERITY_ORDER.index(f.severity) < min_rank:
            why["excluded"]["below min_severity"] += 1
            continue
        n = narratives.get(f.id)
        if n is None:
            raise SecftError(f"{narratives_path}: no narrative for finding {f.id}; rebuild enrich_narratives")
        code = source.code(f)
        n = refit(f, n, code)  # a Terraform fix redone with the whole file (tasks.enrich.iac_file_fix)
        n = add_context(f, n, code)  # what the whole Terraform file shows about the resource (tasks.enrich.iac_context)
        f = with_record_fix(f, record_fixes or {})  # the advisory record's fix for the installed line (tasks/triage)
        rec = (verdicts or {}).get(f.id)
        if cfg.not_security == "drop" and not_security(rec):
            for stage in ("stage1_dropped", "stage2_dropped"):
                why[stage][NOT_SECURITY] += 1
            continue
        fixed = fix(f, n["cwe"], code)
        family = "git-history" if f.id in mined else fixed[2].get("fix_family") or fixed[1]
        meta = rows.base_meta(f, n, grouping.group_key(f, family), fixed[2].get("language") or n.get("language"))
        s1 = rows.stage1_row(f, n, meta, code, cfg)
        wide = source.code(f, EVIDENCE_LINES) if code and f.kind == "code" else None  # where the values are set
        s1, fixed = rows.apply_triage(f, n, meta, rec, s1, fixed, cfg, wide or code)
        s1 = file_fixes.refit(s1, f, code, fixed)  # a workflow's or spec's fix, read from the whole file
        if s1 is None:
            dropped = n.get("triage") and cfg.triage == "drop"
            why["stage1_dropped"]["likely false positive (triage: drop)" if dropped else rows.NOTHING_SPECIFIC] += 1
        else:
            out["stage1"].append(s1)
        if f.id in mined:
            s2 = rows.mined_row(f, meta, mined[f.id], cfg)
        elif (rows.unusable_fix(f, fixed[1]) or rows.unsafe_fix(f, fixed)) and fixed[1] != "suppression":
            s2 = None
        else:
            s2 = rows.stage2_row(f, meta, fixed, code, cfg)
        if s2 is not None:  # `git apply --check` later, only for the rows the group cap could keep (checked_rows)
            checks[id(s2)] = (f, mined[f.id].get("commit_before") if f.id in mined else (code or {}).get("commit"))
        if s2 is None:
            signal_only = isinstance(meta["triage"], str) and cfg.triage != "keep"  # no triage.jsonl: the report's signal
            dropped = signal_only or (fixed[0] is not None and rows._dropped_by_triage(meta, fixed[1], cfg))
            reason = "likely false positive" if dropped else fixed[1]
            reason = ((rows.unusable_fix(f, fixed[1]) or rows.unsafe_fix(f, fixed)) if f.id not in mined and not dropped
                      else None) or reason
            why["stage2_dropped"][reason] += 1
        else:
            out["stage2"].append(s2)
    return out, why


def checked_rows(rows_: list[dict], checks: dict, source, max_per_group: int, why: dict) -> list[dict]:
    """The stage-2 rows without those whose diff does not apply to the source (``git apply --check``), checked in the
    order the group cap keeps rows and only until a group has ``max_per_group`` rows that apply: the rest are capped
    whatever the check would say (saleor's 47,000 findings, held-out set 48: one git process per row, for a handful of
    rows kept).  The rows kept are the ones an eager check would keep; a row past the cap is counted as capped."""
    passed: Counter = Counter()
    kept = []
    for row in sorted(rows_, key=grouping.rank):
        group = row["meta"]["group"]
        if passed[group] < max_per_group and id(row) in checks:
            f, commit = checks[id(row)]
            if source.applies(row, f, commit) is False:
                why["stage2_dropped"][rows.NOT_APPLYING] += 1
                continue
            passed[group] += 1
        kept.append(row)
    return kept


NOT_SECURITY = "not a security weakness or rule (triage): nothing for a security model to learn"


def not_security(rec: dict | None) -> bool:
    """Triage's false positive because the check or rule is about operations or code quality, not security."""
    return bool(rec) and rec.get("verdict") == "false_positive" and any(
        str(r.get("evidence", "")).startswith(("not a security weakness:", "not a security rule:"))
        for r in rec.get("reasons") or [] if isinstance(r, dict))


def build(findings_path: Path, narratives_path: Path, out_dir: Path, cfg: Datasets | dict, source_cfg: dict | None = None) -> dict:
    """Write the six JSONL files, lint.json and dataset_info.json; returns the info."""
    cfg = Datasets.of(cfg)
    findings = _read_jsonl(findings_path)
    by_id = {f.id: f for f in map(as_finding, findings)}
    narrative_rows = _read_jsonl(narratives_path)
    narratives = {n["finding_id"]: n for n in narrative_rows}
    kb_version = narrative_rows[-1]["kb_version"] if narrative_rows else None
    source_cfg = source_cfg or {}
    runs = source_cfg.get("runs")
    source = Source(source_cfg.get("repo_path"), Path(runs) if runs else None, cfg.context_lines)
    verdicts, record_fixes = load_records(source_cfg.get("triage")), load_fixes(source_cfg.get("advisory_fixes"))
    checks: dict = {}
    pool, why = candidates(findings, narratives, narratives_path, cfg, source, verdicts, record_fixes, checks)
    pool["stage2"] = checked_rows(pool["stage2"], checks, source, cfg.max_rows_per_group, why)
    threshold = float(cfg.near_duplicate_threshold)
    hygiene: dict = {}
    files: dict[str, list[dict]] = {}
    for stage in STAGES:
        before = pool[stage]
        kept, by_group = grouping.cap_groups(before, cfg.max_rows_per_group)
        kept, by_rule = grouping.cap_rule_share(kept, cfg.max_rule_share, cfg.max_rows_per_group)
        kept, near = grouping.drop_near_duplicates(kept, threshold)
        hygiene[stage] = {
            "candidates": len(before), "near_duplicate_share_before": grouping.near_duplicate_share(before, threshold),
            "dropped": {"max_rows_per_group": by_group, "max_rule_share": by_rule, "near_duplicate": near},
            "groups": len({r["meta"]["group"] for r in kept}), "rows": len(kept),
        }
        split: dict[str, list[dict]] = defaultdict(list)
        for row in sorted(kept, key=lambda r: r["meta"]["finding_id"]):
            split[split_of(row["meta"]["group"], cfg.valid_percent, cfg.test_percent)].append(row)
        for name in SPLITS:
            files[FILES[(stage, name)]] = split.get(name, [])
    for name, data in files.items():
        validate_all("dataset_row", data, str(out_dir / name))
    report = lint.lint(files, by_id, threshold)
    held = lint.quarantine(report, files, float(cfg.max_quarantine_share), out_dir / LINT)
    atomic.write_json(out_dir / LINT, report)
    atomic.write_jsonl(out_dir / QUARANTINE, held)  # before a failure too: the rows set aside are what to read
    lint.fail_above_share(report, out_dir / LINT)
    public, public_info = public_corpus.rows(cfg.public_corpus, list(by_id.values()), cfg.max_snippet_chars)
    if public:  # not scanner findings: the lint's wording checks do not apply; the schema and the group split do
        validate_all("dataset_row", public, str(cfg.public_corpus["path"]))
        for row in public:
            files[FILES[("stage1", split_of(row["meta"]["group"], cfg.valid_percent, cfg.test_percent))]].append(row)
    why["public_corpus"] = public_info
    return _write(out_dir, files, findings, why, hygiene, report, kb_version, findings_path, narratives_path)


def _write(out_dir, files, findings, why, hygiene, report, kb_version, findings_path, narratives_path) -> dict:
    info: dict = {"files": {}, "counts": {}, "length": {}}
    for name, data in files.items():
        atomic.write_jsonl(out_dir / name, data)
        info["files"][name] = {"rows": len(data), "sha256": sha256_file(out_dir / name)}
        info["length"][name] = _length_stats(data)
    for stage in STAGES:
        every = [r for s in SPLITS for r in files[FILES[(stage, s)]]]
        info["counts"][stage] = {s: len(files[FILES[(stage, s)]]) for s in SPLITS} | {
            "groups": len({r["meta"]["group"] for r in every}),
            "by_tool": dict(sorted(Counter(r["meta"]["tool"] for r in every).items())),
            "by_severity": dict(sorted(Counter(r["meta"]["severity"] for r in every).items())),
            "by_kind": dict(sorted(Counter(r["meta"]["kind"] for r in every).items())),
            "triaged": sum(1 for r in every if r["meta"].get("triage") and not isinstance(r["meta"]["triage"], dict)
                           or rows.is_false_positive(r["meta"])),
            "verdicts": dict(sorted(Counter(r["meta"]["triage"]["verdict"] for r in every
                                            if isinstance(r["meta"].get("triage"), dict)).items())),
        }
    stage2 = [r for s in SPLITS for r in files[FILES[("stage2", s)]]]
    info["stage2_fix_sources"] = dict(sorted(Counter(r["meta"]["fix_source"] for r in stage2).items()))
    info["stage2_with_diff"] = {"rows": sum(1 for r in stage2 if r["meta"].get("has_diff")),
                                "share": round(sum(1 for r in stage2 if r["meta"].get("has_diff")) / len(stage2), 4) if stage2 else 0.0}
    info["stage1_dropped"] = dict(sorted(why["stage1_dropped"].items()))
    info["stage2_dropped"] = dict(sorted(why["stage2_dropped"].items()))
    info["excluded"] = dict(sorted(why["excluded"].items()))
    if why.get("public_corpus"):
        info["public_corpus"] = why["public_corpus"]
    info["hygiene"] = hygiene
    info["lint"] = {name: c["count"] for name, c in report["checks"].items()} | {"near_duplicate_share": report["near_duplicate_share"],
                                                                               "quarantined": report["quarantined"]}
    info["findings"] = len(findings)
    info["status"] = "ok" if info["counts"]["stage1"]["train"] else "no training data"
    info["versions"] = {"secft": __version__, "generator": GENERATOR_VERSION, "narrative_template": TEMPLATE_VERSION, "kb": kb_version}
    info["inputs"] = {"findings_sha256": sha256_file(findings_path), "narratives_sha256": sha256_file(narratives_path)}
    atomic.write_json(out_dir / "dataset_info.json", info)
    return info
