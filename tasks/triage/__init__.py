"""Triage: a verdict for every finding (true positive, false positive, needs review) with evidence.

Owns the report's own signals (``report_signals``: confidence, quality rules, test-only rules,
obsolete checks).  Its verdict drives both dataset stages.

May import: ``tasks.core``, ``tasks.ingest``, ``tasks.findings``, ``tasks.repository``.
"""
