"""What the benchmarks share: a fresh workspace and doit runs in it, as a user runs them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def clean_env() -> dict:
    """The caller's environment without secft overrides, offline, with the repo importable."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FINE_TUNING_", "SECFT_"))}
    env.update(HF_HUB_OFFLINE="1", NO_COLOR="1", PYTHONPATH=str(ROOT))
    return env


def make(ws: Path) -> Path:
    """Config, tokenizer corpus and the bundled sample artifacts, copied into ``ws``."""
    shutil.copytree(ROOT / "config", ws / "config")
    shutil.copytree(ROOT / "data/corpus", ws / "data/corpus")
    shutil.copytree(ROOT / "data/artifacts/sample", ws / "data/artifacts/sample")
    return ws


def doit(ws: Path, *args: str, **kwargs) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "doit", "-f", str(ROOT / "dodo.py"), "-d", str(ws), *args]
    return subprocess.run(cmd, check=True, env=clean_env(), **kwargs)
