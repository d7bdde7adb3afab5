"""Use the system OpenBLAS for mlx's CPU matrix products on Linux, when there is one.

Why: the ``mlx[cpu]`` wheel links the reference (netlib) BLAS it bundles;
its ``cblas_sgemm`` reached 5.8 GFLOP/s on a 1024x1024 float32 product on
the 2-core CI machine, the system OpenBLAS 386 (docs/performance.md).  mlx
resolves ``cblas_sgemm`` when ``libmlx.so`` is loaded, through the global
symbol scope first, so loading ``libopenblas.so.0`` with ``RTLD_GLOBAL``
*before the first mlx import* makes mlx use it, no re-exec or LD_PRELOAD
needed.  After mlx is imported it is too late (the symbols are bound):
that case is reported, not hidden.

Never required: no library, a library that fails to load, or
``SECFT_OPENBLAS=0`` leave mlx as it is.  ``SECFT_OPENBLAS=/path/libopenblas.so.0``
names one explicitly.  macOS uses Accelerate and is left alone.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys

_STATE: dict = {}


def _candidates() -> list[str]:
    env = os.environ.get("SECFT_OPENBLAS", "")
    if env.lower() in ("0", "off", "no", "false"):
        return []
    if env:
        return [env]
    found = ctypes.util.find_library("openblas")
    return [found] if found else ["libopenblas.so.0"]


def preload() -> dict:
    """Load the system OpenBLAS globally (once per process); returns {"openblas": name or None, "reason": ...}."""
    if _STATE:
        return _STATE
    if not sys.platform.startswith("linux"):
        _STATE.update(openblas=None, reason="not Linux")
        return _STATE
    if "mlx.core" in sys.modules:
        _STATE.update(openblas=None, reason="mlx was imported before the preload")
        return _STATE
    names = _candidates()
    if not names:
        _STATE.update(openblas=None, reason="SECFT_OPENBLAS=0")
        return _STATE
    for name in names:
        try:
            ctypes.CDLL(name, mode=ctypes.RTLD_GLOBAL)
        except OSError as exc:
            _STATE.update(openblas=None, reason=f"{name}: {str(exc).splitlines()[0]}")
            continue
        _STATE.update(openblas=name, reason="preloaded")
        print(f"BLAS: system OpenBLAS {name} preloaded for mlx (SECFT_OPENBLAS=0 turns it off)", flush=True)
        return _STATE
    return _STATE


def status() -> dict:
    return dict(_STATE) or {"openblas": None, "reason": "not attempted"}
