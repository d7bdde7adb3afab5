"""Where every target lives in a workspace, and where doit runs.

One place for the paths the build graph wires together (``dodo.py``) and the workspace move that
``workspace=PATH`` asks for.  All paths are relative to the workspace (doit's ``-d``); files shipped
with the project (config, the tokenizer corpus) are reached from it with :func:`Layout.shipped`.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from tasks.core import variables
from tasks.core.errors import SecftError

_FINDINGS = Path("data/findings")
_TRAINING = Path("fine-tuning/training_data")


@dataclass(frozen=True)
class Layout:
    """The workspace's files, phase by phase (README "Outputs")."""

    project: Path
    workspace: Path
    artifacts: Path = Path("data/artifacts")
    # findings (phase 1)
    by_run: Path = _FINDINGS / "by_run"
    archive: Path = _FINDINGS / "archive"
    runs: Path = _FINDINGS / "runs.jsonl"
    parse_settings: Path = _FINDINGS / "parse_settings.json"
    parse_state: Path = _FINDINGS / "parse_state.json"
    runs_index: Path = _FINDINGS / "runs_index.json"
    tree_cache: Path = _FINDINGS / "tree_cache.json"
    findings: Path = _FINDINGS / "findings.jsonl"
    summary: Path = _FINDINGS / "findings_summary.json"
    # triage (docs/triage.md)
    triage: Path = _FINDINGS / "triage.jsonl"
    triage_md: Path = _FINDINGS / "triage.md"
    advisory_fixes: Path = _FINDINGS / "advisory_fixes.json"
    triage_vex: Path = _FINDINGS / "triage.vex.json"
    # narratives (phase 2)
    kb: Path = Path("data/kb/cwe_kb.jsonl")
    narratives: Path = Path("data/narratives/narratives.jsonl")
    narrative_cache: Path = Path("data/narratives/cache.jsonl")
    # datasets (phase 3)
    training: Path = _TRAINING
    dataset_files: tuple[Path, ...] = tuple(_TRAINING / n for n in (
        "stage1_train.jsonl", "stage1_valid.jsonl", "stage2_train.jsonl", "stage2_valid.jsonl"))
    test_files: tuple[Path, ...] = (_TRAINING / "stage1_test.jsonl", _TRAINING / "stage2_test.jsonl")
    dataset_info: Path = _TRAINING / "dataset_info.json"
    dataset_lint: Path = _TRAINING / "lint.json"
    quarantine: Path = _TRAINING / "quarantine.jsonl"  # rows the lint set aside, with their reasons
    # models and adapters
    tiny: Path = Path("fine-tuning/models/tiny-base")
    base_marker: Path = Path("fine-tuning/models/base_model.json")
    stage1: Path = Path("fine-tuning/adapters/stage1")
    stage2: Path = Path("fine-tuning/adapters/stage2")
    model2: Path = Path("fine-tuning/models/stage2")
    checkpoints: Path = Path("fine-tuning/checkpoints")
    logs: Path = Path("fine-tuning/logs")
    # evaluation and publishing
    eval: Path = Path("fine-tuning/eval")
    peft: Path = Path("fine-tuning/peft")
    marker: Path = Path("fine-tuning/uploaded.json")
    staging: Path = Path("fine-tuning/.upload-staging")

    def shipped(self, path: str) -> Path:
        """A file shipped with the project (not a workspace output), seen from the workspace."""
        return Path(path) if self.workspace == self.project else Path(os.path.relpath(self.project / path, self.workspace))

    def evaluation_paths(self) -> dict:
        """What ``tasks.evaluation.report.evaluate`` reads and where it writes."""
        return {"base_marker": self.base_marker, "stage1": self.stage1, "stage2": self.stage2, "model2": self.model2,
                "training": self.training, "out": self.eval}

    def upload_paths(self) -> dict:
        """What ``tasks.publish.upload.upload`` publishes and stages."""
        return {"training_data": self.training, "stage1": self.stage1, "stage2": self.stage2, "model2": self.model2,
                "summary": self.summary, "staging": self.staging, "peft": self.peft, "eval": self.eval}

    @property
    def dep_file(self) -> str:
        return str(self.workspace / "fine-tuning/.doit.db") if self.workspace != self.project else "fine-tuning/.doit.db"


def from_command_line(get_var: Callable[[str, object], object], argv: list[str], project: Path) -> tuple[Layout, dict, dict]:
    """(layout, config overrides, their labels) from doit's variables; moves into ``workspace=`` if given.

    ``workspace=PATH`` moves the process into PATH, so every relative path (the run lock, the tiny
    model, ``dir:`` upload destinations, the history, doit's database) is inside the workspace.
    A bad value raises :class:`SecftError` (one line; dodo.py exits with status 2).
    """
    workspace = variables.directory(get_var, "workspace", project) or project
    artifacts_dir = variables.directory(get_var, "artifacts_dir", project)
    overrides, labels = variables.overrides(get_var, project, moved=workspace != project)
    for name in variables.unknown([a.split("=", 1)[0] for a in argv if not a.startswith("-") and "=" in a]):
        print(f"secft: warning: doit variable {name}= is not one secft reads (python -m tasks.variables lists them)", file=sys.stderr)
    if workspace != project:
        try:
            (workspace / "fine-tuning").mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SecftError(f"{workspace / 'fine-tuning'}: cannot create: {exc.strerror or exc}") from None
        os.chdir(workspace)
        if artifacts_dir is None and not Path("data/artifacts").is_dir():
            print(f"secft: note: {workspace / 'data/artifacts'} does not exist, so there are no reports to parse "
                  "(artifacts_dir=PATH reads them from elsewhere)", file=sys.stderr)
    artifacts = Path(os.path.relpath(artifacts_dir, workspace)) if artifacts_dir else Layout.artifacts
    return Layout(project=project, workspace=workspace, artifacts=artifacts), overrides, labels


def small_result(result):
    """What doit may keep of an action's result: a dict of at most 2 KB as JSON, else nothing.

    doit stores a returned dict in its database for every task and loads the whole database on every
    run; records and summaries stay in files.
    """
    import json

    if not isinstance(result, dict):
        return None
    try:
        return result if len(json.dumps(result, default=str)) <= 2048 else None
    except (TypeError, ValueError):
        return None


def code_files(root: Path, *packages: str) -> list[str]:
    """The source files of these packages (or modules) under ``root``: a task reruns when the code it runs changes."""
    out = []
    for name in packages:
        path = root / name
        out += [str(p) for p in sorted(path.rglob("*.py"))] if path.is_dir() else [str(path.with_suffix(".py"))]
    return out
