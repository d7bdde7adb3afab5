"""Phase 2: findings -> analysis narratives, with knowledge-base retrieval fitted to each finding.

``narrative`` writes one finding's text, ``platforms`` decides which
catalogue passages fit its language, ``knowledge_base`` is the offline CWE catalogue it
retrieves from, ``step`` is the cached enrich_narratives step (triage verdicts come from
``tasks.triage``).

May import: ``tasks.core``, ``tasks.ingest``, ``tasks.findings``, ``tasks.repository``, ``tasks.triage``,
``tasks.fixes``.
"""

from tasks.enrich.narrative import (
    KIND_DEFAULT_CWE,
    MIN_RETRIEVAL_SCORE,
    TEMPLATE_VERSION,
    choose_cwes,
    narrative_for,
)
from tasks.enrich.step import cache_key, enrich

__all__ = ["KIND_DEFAULT_CWE", "MIN_RETRIEVAL_SCORE", "TEMPLATE_VERSION", "cache_key", "choose_cwes", "enrich", "narrative_for"]
