"""Phase 2: findings -> analysis narratives, with knowledge-base retrieval fitted to each finding.

``narrative`` writes one finding's text, ``platforms`` decides which
catalogue passages fit its language, ``triage`` spots likely false
positives, ``step`` is the cached enrich_narratives step.
"""

from tasks.enrich.narrative import KIND_DEFAULT_CWE, MIN_RETRIEVAL_SCORE, TEMPLATE_VERSION, choose_cwes, narrative_for
from tasks.enrich.step import cache_key, enrich

__all__ = ["KIND_DEFAULT_CWE", "MIN_RETRIEVAL_SCORE", "TEMPLATE_VERSION", "cache_key", "choose_cwes", "enrich", "narrative_for"]
