"""The stage-1 fix of a Terraform finding, redone with the whole file when the source reader has it.

The narratives are written from the report alone (tasks.enrich.narrative),
so a Checkov finding's "How to fix it" is the fix for the flagged block by
itself.  The whole file can change that fix: the bucket's public ACL is set
by an ``aws_s3_bucket_acl`` resource (change it there), the file pins an
AWS provider before 3.75.0 (the standalone S3 resources do not exist yet).
When the dataset step has the file (``code["file"]``, tasks.datasets.sources)
and the fix it gives differs from the narrative's, the narrative's fix and
its remediation section are replaced, so both stages say the same thing; a
fix the file rules out is taken away rather than kept.
"""

from __future__ import annotations

from tasks.findings.model import Finding, as_finding

_HEADING = "## How to fix it\n"


def _said(reason: str) -> bool:
    """Whether a reason for no setting tells the reader something true about this configuration (a snapshot the
    default key cannot share, a value the module lacks): the analysis says it where the setting was."""
    from tasks.fixes.iac_module import SAID_REASONS

    return any(r in reason for r in SAID_REASONS)


def refit(f: Finding | dict, narrative: dict, code: dict | None) -> dict:
    """``narrative`` with its config fix redone from the whole file, or unchanged."""
    f = as_finding(f)
    if f.kind != "config" or not code or not code.get("file") or narrative.get("triage"):
        return narrative
    from tasks.fixes import fix_for

    cwes = list(narrative.get("cwe") or [])
    blind, blind_source, _ = fix_for(f, cwes)
    seen, source, _ = fix_for(f, cwes, code)
    blind = (blind or "").strip() if blind_source == "config-setting" else ""
    why = source if not seen and source != "config-setting" and _said(source) else ""  # what the file shows against the setting, said instead
    seen = (seen or "").strip() if source == "config-setting" else (why[0].upper() + why[1:] + "." if why else "")
    if blind == seen:
        return narrative
    text = narrative.get("narrative") or ""
    sections = dict(narrative.get("sections") or {})
    remediation = sections.get("remediation") or ""
    if blind and blind in text:
        text = text.replace(f"- {blind}", f"- {seen}" if seen else "").replace(blind, seen)
        remediation = remediation.replace(blind, seen).strip()
    elif seen and _HEADING not in text:
        head, sep, refs = text.partition("\n\n## References\n")
        text = (f"{head}\n\n" if head.strip() else "") + f"{_HEADING}- {seen}" + (f"{sep}{refs}" if sep else "")
        remediation = seen
    else:
        return narrative  # the narrative words the fix otherwise: leave it rather than guess
    text = text.replace(f"{_HEADING}\n\n", "").replace(f"\n\n{_HEADING.rstrip()}\n\n## ", "\n\n## ").rstrip()
    if text.endswith(_HEADING.rstrip()):
        text = text[: -len(_HEADING.rstrip())].rstrip()
    sections["remediation"] = remediation
    return dict(narrative, narrative=text, sections=sections)
