"""Findings: the typed finding, the parsers, and what every finding passes through (secrets, paths)."""
