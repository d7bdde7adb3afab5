"""Scanner report parsers: one small module per tool, one registry.

``parse_report(path)`` detects the tool from the report's *content* (never
its file name), runs that tool's parser and returns a ``ParsedReport`` with
normalised, redacted findings.
"""

from tasks.findings.parsers.registry import ParsedReport, detect, parse_report

__all__ = ["ParsedReport", "detect", "parse_report"]
