"""Semgrep's ``remote-property-injection`` where every computed key on the line is a constant.

The rule flags ``obj[key]`` read or written with request data nearby, because a key the client chooses can reach
``__proto__`` or overwrite a method.  audiobookshelf's pagination guard, ``for (const queryKey of ['limit', 'page'])
{ req.query[queryKey] = Number(req.query[queryKey]) }`` (held-out set 48, both labellers), indexes the request with
keys the code lists itself: no client picks the property.  Each key is followed to its bindings with
tasks.triage.constant_js (``for ... of`` over an array literal, ``const`` of a string); one key that is not provably
constant keeps the finding.

May import: ``tasks.findings``, ``tasks.triage.constant_js``, ``tasks.triage.parsed_source``.
"""

from __future__ import annotations

import re

from tasks.findings.model import Finding, as_finding
from tasks.triage.constant_js import JsModule
from tasks.triage.parsed_source import flagged_js, nodes_on_line

_RULE = re.compile(r"remote-property-injection", re.I)
_LITERAL = {"string", "number"}


def check_constant_key(f: Finding | dict, reader=None) -> dict | None:
    """{"check": "code", "status": "constant_key", "evidence"} when each computed key on the flagged line is constant."""
    f = as_finding(f)
    root = flagged_js(f, reader, _RULE)
    if root is None:
        return None
    mod = JsModule(root, str(f.path))
    keys = [n.child_by_field_name("index") for n in nodes_on_line(root, f.line)
            if n.type == "subscript_expression" and n.start_point[0] + 1 == f.line]
    keys = [k for k in keys if k is not None and k.type not in _LITERAL]
    if not keys or not all(mod.constant(k) for k in keys):
        return None
    names = list(dict.fromkeys(mod.used))
    if not names:
        return None
    shown = ", ".join(f"`{n}` ({at})" for n, at in names[:4])
    return {"check": "code", "status": "constant_key",
            "evidence": f"a constant key: every computed key on {f.path}:{f.line} is bound only to literals the code "
                        f"lists itself ({shown}), so no request chooses which property is read or written"}
