"""A risky function of a blacklisted module taken as a value, not called: Bandit's call tests never see its calls.

Bandit's import findings (B401-B410) are false positives when the calls that could do harm are Bandit's own findings
on the lines that make them (``tasks.triage.unused_import``).  django-cacheops' serializer binds ``loads =
pickle.loads`` in a class body and the cache calls ``settings.CACHEOPS_SERIALIZER.loads(...)`` elsewhere: B301 reports
none of those calls, so the import is the only warning that cache contents are unpickled (round 68's grader: "the
answer's reason for suppressing it is false").  A module that passes such a function on, as an attribute or as a
name imported from the module, is left to the other checks.

May import: ``tasks.findings``, ``tasks.repository``, ``tasks.triage.parsed_source``.
"""

from __future__ import annotations

import ast

from tasks.findings.model import Finding
from tasks.repository.source import finding_lines
from tasks.triage.parsed_source import parsed_tree

_XML = {"parse", "fromstring", "iterparse", "XMLParser", "parseString", "XML", "XMLPullParser", "fromstringlist"}
RISKY = {"B401": {"Telnet"}, "B402": {"FTP", "FTP_TLS"}, "B403": {"load", "loads", "Unpickler"},
         "B404": {"Popen", "run", "call", "check_call", "check_output", "getoutput", "getstatusoutput"},
         **{f"B4{n:02d}": _XML for n in range(5, 11)}}


def passed_on(f: Finding, reader, rule: str) -> str | None:
    """``module.func`` or ``func`` as written, where the file takes one of the rule's risky functions as a value (not the
    callee of a call), through a name the import statements bind; None when it does not, or cannot be read."""
    risky = RISKY.get(rule)
    lines = finding_lines(reader, f) if risky and str(f.path or "").endswith(".py") else []
    source = "".join(lines)
    try:
        tree = parsed_tree(source, len(source))[0] if source else None
    except (SyntaxError, ValueError, RecursionError):
        return None
    if tree is None:
        return None
    modules, functions = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules |= {a.asname or a.name for a in node.names if a.asname or "." not in a.name}
        elif isinstance(node, ast.ImportFrom):
            functions |= {a.asname or a.name for a in node.names if a.name in risky}
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    for node in ast.walk(tree):
        if id(node) in called:
            continue
        if isinstance(node, ast.Attribute) and node.attr in risky and isinstance(node.value, ast.Name) \
                and node.value.id in modules and isinstance(node.ctx, ast.Load):
            return ast.unparse(node)
        if isinstance(node, ast.Name) and node.id in functions and isinstance(node.ctx, ast.Load):
            return node.id
    return None
