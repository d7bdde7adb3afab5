"""Phase 3: findings and narratives -> mlx-lm chat JSONL for both stages, train / valid / test.

``build`` is the build_datasets step.  Where things are: ``prompts`` (what
the model is asked), ``rows`` (one finding's rows and their meta),
``sources`` (fixes, source code, mined fixes from the other packages),
``grouping`` (near-duplicate groups and caps), ``split`` (by group),
``lint`` (the checks that fail a build).

May import: ``tasks.core``, ``tasks.ingest``, ``tasks.findings``, ``tasks.repository``, ``tasks.triage``,
``tasks.fixes``, ``tasks.enrich``.
"""

# Imported on first use, not with the package: ``doit list`` and a no-op build import this package for one
# constant (the build task's inputs) and must not pay for the whole phase.
# (the build step itself is ``tasks.datasets.build.build``: a package attribute ``build`` would be the submodule)
_LAZY = {"FILES": "tasks.datasets.build", "split_of": "tasks.datasets.split"}

__all__ = sorted(_LAZY)


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
