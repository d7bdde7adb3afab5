"""Repository: the scanned project's own source, read safely at the commit a run scanned.

Owns ``source`` (file text at a commit, a run's commit, the lines around a finding).  Every read
stays under the repository's root.

May import: ``tasks.core``, ``tasks.ingest``, ``tasks.findings``.
"""
