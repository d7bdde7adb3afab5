"""Ingest: CI artifacts onto disk and the list of what is there.

Owns the GitHub Actions client (``github``), the download of new runs (``fetch``), safe unzip
(``safezip``), the layout of ``data/artifacts`` and run provenance (``artifacts``) and the fast
up-to-date walk of the artifacts tree (``tree_scan``).

May import: ``tasks.core``.
"""
