"""``no-new-privileges`` that a Compose service already sets in a spelling Semgrep's pattern does not list.

Semgrep's ``yaml.docker-compose.security.no-new-privileges`` flags a service unless its ``security_opt`` holds the
exact item ``no-new-privileges:true``.  Docker also takes the bare ``no-new-privileges`` (and ``=true``) and sets the
flag the same way (docker run reference, "--security-opt no-new-privileges").  whoogle-search's
docker-compose-traefik.yaml writes ``security_opt: [no-new-privileges]`` under the flagged service (held-out set
49, both labellers: control present).  The check loads the file (PyYAML, safe loader), finds the flagged service by
the name on the flagged line, and answers only when one of its ``security_opt`` items is such a spelling;
``no-new-privileges:false`` or an item set through a variable keeps the finding.

May import: ``tasks.findings``, ``tasks.repository``.
"""

from __future__ import annotations

import re

import yaml

from tasks.findings.model import Finding, as_finding
from tasks.repository.source import finding_lines

_RULE = re.compile(r"(?i)(?:^|\.)no-new-privileges$")
_SET = re.compile(r"^no-new-privileges(?:\s*[:=]\s*true)?$", re.I)
MAX_TEXT = 256 * 1024


def check_compose_flag(f: Finding | dict, reader=None) -> dict | None:
    """{"check": "code", "status": "control_present", "evidence"} when the flagged service sets the flag, else None."""
    f = as_finding(f)
    loc = f.location
    if f.tool != "semgrep" or not _RULE.search(str(f.rule_id or "")) or not loc or not loc.start_line \
            or not str(f.path or "").lower().endswith((".yml", ".yaml")):
        return None
    lines = finding_lines(reader, f)
    if not lines or loc.start_line > len(lines) or sum(map(len, lines)) > MAX_TEXT:
        return None
    name = re.match(r"^\s*([\w.-]+)\s*:\s*$", lines[loc.start_line - 1])
    try:
        doc = yaml.safe_load("".join(lines))
    except (yaml.YAMLError, RecursionError, ValueError):  # a hostile file nested past the parser's stack: no answer
        return None
    services = doc.get("services") if isinstance(doc, dict) else None
    service = services.get(name.group(1)) if name and isinstance(services, dict) else None
    options = service.get("security_opt") if isinstance(service, dict) else None
    if not isinstance(options, list):
        return None
    item = next((str(o).strip() for o in options if isinstance(o, str) and _SET.match(o.strip())), None)
    if item is None or any(isinstance(o, str) and re.match(r"(?i)no-new-privileges\s*[:=]\s*(?!true\b)", o.strip())
                           for o in options):  # a later `:false` turns it off again
        return None
    at = next((i for i in range(loc.start_line, len(lines)) if re.match(rf"^\s*-\s*['\"]?{re.escape(item)}['\"]?\s*$",
                                                                        lines[i])), None)
    where = f" (line {at + 1})" if at is not None else ""
    return {"check": "code", "status": "control_present", "evidence": (
        f"the control is present: the service `{name.group(1)}` at {f.path}:{loc.start_line} already sets "
        f"`security_opt: [{item}]`{where}, which Docker reads as no-new-privileges on; the rule's pattern lists only "
        "the spelling `no-new-privileges:true`")}
