"""tasks/training/blas.py: the system OpenBLAS is preloaded before mlx, never required."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CODE = "import json; from tasks.training import blas; {pre}print('STATE', json.dumps(blas.preload()))"


def _state(env_value: str | None, pre: str = "") -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("SECFT_OPENBLAS", None)
    if env_value is not None:
        env["SECFT_OPENBLAS"] = env_value
    out = subprocess.run([sys.executable, "-c", CODE.format(pre=pre)], env=env, capture_output=True, text=True, check=True).stdout
    return json.loads(out.split("STATE", 1)[1])


def test_off_switch():
    assert _state("0") == {"openblas": None, "reason": "SECFT_OPENBLAS=0"}


def test_missing_library_is_not_an_error(tmp_path):
    state = _state(str(tmp_path / "libopenblas.so.0"))
    assert state["openblas"] is None and state["reason"].startswith(f"{tmp_path / 'libopenblas.so.0'}: ")


def test_too_late_after_mlx_is_said():
    assert _state(None, pre="import mlx.core; ") == {"openblas": None, "reason": "mlx was imported before the preload"}
