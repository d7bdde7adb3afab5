"""An OpenAPI spec without a global ``security`` whose every operation declares its own.

Checkov's CKV_OPENAPI_4 asks for a global ``security`` requirement (CKV_OPENAPI_5 for one that is not empty).  A
global requirement is only the default for operations that state none; modoboa's generated ``openapi.json`` has 226
operations, each with its own ``security: [{"tokenAuth": []}]`` (held-out set 32, both labellers: false positive),
so a global entry would apply to nothing.  The check reads the whole spec (JSON or YAML): every operation under
``paths`` must carry a non-empty ``security`` list whose entries each name at least one scheme; an operation without
one, or with ``security: []`` (public on purpose), keeps the finding.

May import: ``tasks.findings``, ``tasks.repository``.
"""

from __future__ import annotations

import json

from tasks.findings.model import Finding, as_finding
from tasks.repository.source import finding_lines

_RULES = {"CKV_OPENAPI_4", "CKV_OPENAPI_5"}
_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
MAX_SPEC = 5_000_000  # characters: a larger file is not read


def _spec(text: str):
    try:
        return json.loads(text)
    except ValueError:
        pass
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return None


def check_operation_security(f: Finding | dict, reader=None) -> dict | None:
    """{"check": "config", "status": "operations_secured", "evidence"} when every operation declares its security."""
    f = as_finding(f)
    if f.tool != "checkov" or str(f.rule_id).upper() not in _RULES or not f.path:
        return None
    text = "".join(finding_lines(reader, f))
    spec = _spec(text) if text and len(text) <= MAX_SPEC else None
    if not isinstance(spec, dict) or not isinstance(spec.get("paths"), dict) or spec.get("security"):
        return None
    count, schemes = 0, set()
    for item in spec["paths"].values():
        for method, op in (item.items() if isinstance(item, dict) else ()):
            if method.lower() not in _METHODS:
                continue
            security = op.get("security") if isinstance(op, dict) else None
            if not isinstance(security, list) or not security or not all(isinstance(s, dict) and s for s in security):
                return None  # no requirement of its own, or `security: []`: the global default would decide it
            count += 1
            schemes |= {name for s in security for name in s}
    if not count:
        return None
    return {"check": "config", "status": "operations_secured",
            "evidence": f"every one of the {count} operations in {f.path} declares its own security requirement "
                        f"({', '.join(sorted(schemes)[:3])}); a global `security` is only the default for operations that "
                        "state none, so here it would apply to nothing"}
