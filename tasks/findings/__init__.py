"""Findings: scanner reports -> one normalised, redacted, de-duplicated finding per issue.

Owns the typed :class:`~tasks.findings.model.Finding` (``model``), the per-tool parsers and their
registry (``parsers``), secret detection and redaction (``secrets``, ``redact``), path and version
normalisation (``paths``, ``versions``), the non-secret class of a flagged secret value kept before
redaction (``secret_evidence``), the stable finding id (``identity``), one report's parse
and the merge across runs (``parse``), one run folder (``runs``) and the incremental parse of the
whole CI history (``incremental``).

May import: ``tasks.core``, ``tasks.ingest``.
"""
