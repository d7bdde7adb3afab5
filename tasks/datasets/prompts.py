"""What the model is asked: the system prompts and the finding as the user turn.

The user turn carries what a reviewer would look at: tool, rule, severity,
CWE, advisories, package, location and the code.  The code is the real file
at the run's commit when a source checkout is configured
(``source.repo_path``), with ``datasets.context_lines`` lines around the
finding; otherwise the scanner's snippet.
"""

from __future__ import annotations

from tasks.findings.model import Finding, as_finding

STAGE1_SYSTEM = (
    "You are a security analyst. Given a scanner finding, explain the weakness, why it matters at "
    "this location or package, how it can be exploited, and how to fix it; say so when the finding is "
    "probably a false positive."
)
STAGE2_SYSTEM = (
    "You are a secure-code fixer. Given a scanner finding and the vulnerable code or dependency, "
    "answer with a concrete fix in the file's own language and build tool (a patch, a setting or a "
    "dependency upgrade) and a short reason; say so when no fixed version is published."
)


def describe_finding(f: Finding | dict, code: dict | None, max_snippet: int, show_cwe: bool = True) -> str:
    """The user turn: the finding's facts, then its code (``code`` from the source reader, else the snippet).

    ``show_cwe=False`` (stage 1): the CWE is what the analysis answers, not what the prompt gives away; a first
    real-model run "learned" the CWE by copying it from the prompt (0/10 right where the prompt had none)."""
    f = as_finding(f)
    lines = [f"Tool: {f.tool}" + (f" {f.tool_version}" if f.tool_version else ""),
             f"Rule: {f.rule_id}", f"Title: {f.title}", f"Severity: {f.severity}"]
    if f.cwe and show_cwe:
        lines.append(f"CWE: {', '.join(f.cwe)}")
    ids = (f.cve or []) + (f.ghsa or [])
    if ids:
        lines.append(f"Advisories: {', '.join(ids)}")
    if f.package:
        p = f.package
        lines.append(f"Package: {p.name} {p.version or ''}".rstrip() + (f" ({p.ecosystem})" if p.ecosystem else ""))
    if f.location:
        loc = f.location
        lines.append(f"Location: {loc.path}" + (f":{loc.start_line}" if loc.start_line else ""))
    if f.description:
        lines.append(f"Description: {f.description[:800]}")
    if code and code.get("text"):
        end = code["start_line"] + len(code["text"].splitlines()) - 1
        head = f"Code ({code['path']} lines {code['start_line']}-{end}"
        head += f", commit {code['commit'][:12]}" if code.get("commit") else ""
        head += f"; {code['note']}" if code.get("note") else ""
        lines.append(f"{head}):\n```\n{code['text'][:max_snippet].rstrip()}\n```")
    elif f.snippet:
        lines.append(f"Code:\n```\n{f.snippet[:max_snippet]}\n```")
    return "\n".join(lines)
