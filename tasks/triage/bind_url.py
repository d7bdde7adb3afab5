"""Check 3j: Bandit B104 ("binding to all interfaces") on a ``0.0.0.0`` that is no bind at all.

B104 matches the string ``'0.0.0.0'`` anywhere.  Inside a URL the program builds to call another service
(``f"http://{os.getenv('MCP_ENDPOINT', '0.0.0.0')}:{port}/mcp"``, the OpenTelemetry demo's agent), it is the default
host of an outgoing request, and nothing listens on it: the finding is a false positive.  Read from the Python file
(``source.repo_path``): every ``'0.0.0.0'`` on the flagged line must sit inside an f-string that starts with a URL
scheme; a ``host='0.0.0.0'`` argument, an assignment or a bare default keeps the finding for the other checks.
"""

from __future__ import annotations

import ast
import re

from tasks.findings.model import Finding, as_finding
from tasks.triage.parsed_source import python_tree

_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.I)


def check_bind_url(f: Finding | dict, reader=None) -> dict | None:
    f = as_finding(f)
    line = f.location.start_line if f.location else None
    if f.tool != "bandit" or str(f.rule_id).upper() != "B104" or not line:
        return None
    parsed = python_tree(reader, f)
    if not parsed:
        return None
    tree = parsed[0]
    parents = {c: p for p in ast.walk(tree) for c in ast.iter_child_nodes(p)}
    hits = [n for n in ast.walk(tree) if isinstance(n, ast.Constant) and n.value == "0.0.0.0" and n.lineno == line]
    urls = []
    for hit in hits:
        node = hit
        while node in parents and not isinstance(node, ast.JoinedStr):
            node = parents[node]
        first = node.values[0] if isinstance(node, ast.JoinedStr) and node.values else None
        if not (isinstance(first, ast.Constant) and isinstance(first.value, str) and _SCHEME.match(first.value)):
            return None
        urls.append(first.value.split("://")[0])
    if not urls:
        return None
    return {"check": "code", "status": "not_a_bind",
            "evidence": f"not a bind: at {f.path}:{line} '0.0.0.0' is the default host of a {urls[0]}:// URL the program "
                        "builds to call another service, not an address anything listens on"}
