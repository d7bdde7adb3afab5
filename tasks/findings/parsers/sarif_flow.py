"""The vulnerable path of a SARIF result: ``codeFlows`` (source to sink), else ``relatedLocations``.

Each step keeps its path, line, the code on that line (from the region's
context snippet) and the tool's message, so the analysis can show the path
the tool traced instead of restating the finding (``finding["flow"]``).
"""

from __future__ import annotations

from typing import Any

from tasks.findings import paths
from tasks.findings.parsers import base

MAX_FLOW_STEPS = 12


def _step(loc: Any, base_ids: Any) -> dict | None:
    """One place of a code flow or a related location: path, line, the code on that line, the tool's words."""
    if not isinstance(loc, dict):
        return None
    inner = loc.get("location") if isinstance(loc.get("location"), dict) else loc
    phys = inner.get("physicalLocation") or {}
    full, uri = paths.sarif_uri(phys.get("artifactLocation"), base_ids)
    region = phys.get("region") or {}
    where = base.location(uri, region.get("startLine"), region.get("endLine"), original=full)
    if not where:
        return None
    line, code = where.get("start_line"), None
    context = phys.get("contextRegion") or {}
    text = (context.get("snippet") or {}).get("text")
    if isinstance(text, str) and line and isinstance(context.get("startLine"), int):
        lines = text.splitlines()
        if 0 <= line - context["startLine"] < len(lines):
            code = lines[line - context["startLine"]].strip()[:200] or None
    elif isinstance((region.get("snippet") or {}).get("text"), str):
        code = region["snippet"]["text"].strip().splitlines()[0][:200] if region["snippet"]["text"].strip() else None
    message = (inner.get("message") or loc.get("message") or {}).get("text") if isinstance(inner.get("message") or loc.get("message"), dict) else None
    return {"path": where["path"], "line": line, "code": code, "message": (message or "")[:200] or None}


def code_flow(result: dict, base_ids: Any) -> list[dict] | None:
    """The vulnerable path as the tool traced it: SARIF ``codeFlows`` (source to sink, first thread flow),
    else ``relatedLocations`` (the sources a message links to), without consecutive repeats."""
    steps: list = []
    for flow in result.get("codeFlows") or []:
        threads = (flow or {}).get("threadFlows") if isinstance(flow, dict) else None
        if isinstance(threads, list) and threads and isinstance(threads[0], dict):
            steps = threads[0].get("locations") or []
            break
    via = "codeFlow"
    if not steps:
        steps, via = result.get("relatedLocations") or [], "related"
    out: list[dict] = []
    for loc in steps if isinstance(steps, list) else []:
        step = _step(loc, base_ids)
        if step:
            step["via"] = via
        if step and not (out and (out[-1]["path"], out[-1]["line"]) == (step["path"], step["line"])):
            out.append(step)
    return out[:MAX_FLOW_STEPS] or None
