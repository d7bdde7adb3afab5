"""Shared test helpers: the fixture reports and a real smoke-profile workspace.

``smoke_workspace`` runs the whole pipeline once per session with doit, in a
temporary folder laid out like the repository (config, sample artifacts,
tokenizer corpus); tests that need to change something get their own copy
(``workspace``) so they never interfere.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures" / "scanners"

_ENV_DROP = ("SECFT_PROFILE", "FINE_TUNING_BATCH_SIZE", "FINE_TUNING_LEARNING_RATE", "FINE_TUNING_MAX_EPOCHS",
             "FINE_TUNING_UPLOAD_ENABLED", "SECFT_BASE_MODEL", "SECFT_DAEMON", "HF_TOKEN", "SECFT_LOCK_TIMEOUT")


def clean_env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in _ENV_DROP}
    env.update(HF_HUB_OFFLINE="1", PYTHONUNBUFFERED="1", NO_COLOR="1")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    env.update(extra)
    return env


@dataclass
class DoitRun:
    returncode: int
    output: str
    executed: set
    uptodate: set

    def ran(self, prefix: str) -> bool:
        return any(t == prefix or t.startswith(prefix + ":") for t in self.executed)


def run_doit(ws: Path, *args: str, env: dict | None = None, timeout: int = 900) -> DoitRun:
    cmd = [sys.executable, "-m", "doit", "-f", str(REPO / "dodo.py"), "-d", str(ws), *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env or clean_env(), timeout=timeout)
    out = proc.stdout + proc.stderr
    executed = set(re.findall(r"^\.  (\S+)", out, re.M))
    uptodate = set(re.findall(r"^-- (\S+)", out, re.M))
    return DoitRun(proc.returncode, out, executed, uptodate)


def make_workspace(dest: Path, artifacts: list[Path] | None = None) -> Path:
    """A fresh workspace: config, tokenizer corpus and artifacts (default: the bundled sample)."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "config", dest / "config")
    shutil.copytree(REPO / "data" / "corpus", dest / "data" / "corpus")
    shutil.copytree(REPO / "data" / "advisories", dest / "data" / "advisories")  # triage.advisories.path
    if artifacts is None:
        shutil.copytree(REPO / "data" / "artifacts" / "sample", dest / "data" / "artifacts" / "sample")
    else:
        (dest / "data" / "artifacts").mkdir(parents=True)
        for a in artifacts:
            target = dest / "data" / "artifacts" / a.parent.name / a.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(a, target)
    return dest


@pytest.fixture(scope="session")
def smoke_workspace(tmp_path_factory) -> Path:
    ws = make_workspace(tmp_path_factory.mktemp("smoke") / "ws")
    run = run_doit(ws, "profile=smoke")
    assert run.returncode == 0, run.output[-3000:]
    (ws / "first_run.log").write_text(run.output)
    return ws


@pytest.fixture
def workspace(smoke_workspace, tmp_path) -> Path:
    """A private copy of the built smoke workspace (mtimes kept, so doit sees it as built)."""
    ws = tmp_path / "ws"
    shutil.copytree(smoke_workspace, ws, symlinks=True)
    return ws


def parse_fixture(relpath: str):
    from tasks.findings.parsers import parse_report

    return parse_report(FIXTURES / relpath)


@pytest.fixture(autouse=True)
def _hub_offline_from_the_environment(monkeypatch):
    """huggingface_hub reads HF_HUB_OFFLINE once, when it is first imported: a test that imported it with the
    variable set (monkeypatch.setenv) left every later test offline, so which tests passed depended on their
    order. Each test starts with the constant the process environment gives."""
    constants = sys.modules.get("huggingface_hub.constants")
    if constants is not None:
        monkeypatch.setattr(constants, "HF_HUB_OFFLINE",
                            os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes", "on"))
