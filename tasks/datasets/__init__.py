"""Phase 3: findings and narratives -> mlx-lm chat JSONL for both stages, train / valid / test.

``build`` is the build_datasets step.  Where things are: ``prompts`` (what
the model is asked), ``rows`` (one finding's rows and their meta),
``sources`` (fixes, source code, mined fixes from the other packages),
``grouping`` (near-duplicate groups and caps), ``split`` (by group),
``lint`` (the checks that fail a build).

May import: ``tasks.core``, ``tasks.ingest``, ``tasks.findings``, ``tasks.repository``, ``tasks.triage``,
``tasks.fixes``, ``tasks.enrich``.
"""

from tasks.datasets.build import FILES, build
from tasks.datasets.split import split_of

__all__ = ["FILES", "build", "split_of"]
