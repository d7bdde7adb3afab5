"""Phase 2: findings -> analysis narratives, with knowledge-base retrieval fitted to each finding.

``narrative`` writes one finding's text, ``platforms`` decides which
catalogue passages fit its language, ``knowledge_base`` is the offline CWE catalogue it
retrieves from, ``step`` is the cached enrich_narratives step (triage verdicts come from
``tasks.triage``).

May import: ``tasks.core``, ``tasks.ingest``, ``tasks.findings``, ``tasks.repository``, ``tasks.triage``,
``tasks.fixes``.
"""

# Imported on first use, not with the package: ``doit list`` and a no-op build import this package for one
# constant (the knowledge base's builder version) and must not pay for the whole phase.
_LAZY = {"KIND_DEFAULT_CWE": "tasks.enrich.narrative", "MIN_RETRIEVAL_SCORE": "tasks.enrich.narrative", "TEMPLATE_VERSION": "tasks.enrich.narrative", "choose_cwes": "tasks.enrich.narrative", "narrative_for": "tasks.enrich.narrative", "cache_key": "tasks.enrich.step", "enrich": "tasks.enrich.step"}

__all__ = sorted(_LAZY)


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
