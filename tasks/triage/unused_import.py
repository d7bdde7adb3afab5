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
from tasks.triage.import_values import passed_on
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
    if found or (m.group(1) == "B411" and reader is not None and (found := _xmlrpc_values(f, reader))):
        return found
    if m.group(1) not in CALLS_JUDGED or not _same_module(f, reader, m.group(1)):
        return None
    built = _builds_only(f, reader) if m.group(1) in _XML_RULES else None
    if built:
        return built
    if reader is not None and passed_on(f, reader, m.group(1)):
        return None  # `loads = pickle.loads`: calls through that name are no finding of Bandit's (cacheops, round 68)
    if m.group(1) == "B403" and _cpickle(f, reader):  # B301 lists no cPickle call: the file's calls decide here
        lines = finding_lines(reader, f)
        calls = import_calls("".join(lines), int(f.line)) if lines else []
        if not calls or any(not re.search(r"\.dumps?\(", code) for _, code, _ in calls):
            return None  # a load (Mailu's session store, set 25) or nothing to show: left to the other checks
        line, code, _ = calls[0]
        return {"check": "unused_import", "evidence": f"no pickle is read: {f.path}:{f.line} imports cPickle, which B301 "
                f"does not follow, and every call through it writes a pickle (`{code}` at line {line}"
                + (f" and {len(calls) - 1} more" if len(calls) > 1 else "") + "); nothing in the file loads one"}
    return {"check": "unused_import", "evidence": f"an import only: {f.path}:{f.line} imports the module {m.group(1)} "
            f"warns about; the calls that could be risky are Bandit's own findings, {CALLS_JUDGED[m.group(1)]}, on the "
            f"lines that make them, and the import line alone runs nothing{_calls_said(f, reader) or _uses_said(f, reader)}"}


# the one module whose calls the named call test follows: B401's blacklist also matches `import telnetlib3`, another
# package whose calls B312 never reports (openwisp-radius, round 38: the import was the only warning, and suppressed)
_STDLIB = {"B401": "telnetlib", "B402": "ftplib", "B404": "subprocess"}


def _same_module(f: Finding, reader, rule: str) -> bool:
    """The import on the flagged line is the standard-library module the rule's call test covers (True when it cannot
    be read, or for the rules whose blacklists name several modules)."""
    if rule not in _STDLIB:
        return True
    lines = finding_lines(reader, f) if reader is not None else []
    text = lines[int(f.line) - 1] if lines and int(f.line) <= len(lines) else (f.snippet or "")
    found = re.search(r"^\s*(?:\d+\s+)?(?:from\s+([\w.]+)\s+import|import\s+([\w.]+))", text, re.M)
    return found is None or (found.group(1) or found.group(2)).split(".")[0] == _STDLIB[rule]


_XML_RULES = {f"B4{n:02d}" for n in range(5, 11)}
# ElementTree's and minidom's calls that make or write a tree: none reads XML (parse, fromstring, XML, iterparse,
# XMLParser, parseString do); isso's feed() builds its Atom feed with ET.Element and ET.SubElement (set 29's audit)
_BUILDERS = {"Element", "SubElement", "tostring", "tostringlist", "dump", "Comment", "ProcessingInstruction", "PI", "QName",
             "register_namespace", "indent", "Document", "createElement", "createTextNode"}


def _builds_only(f: Finding, reader) -> dict | None:
    """No XML is parsed when every call through the import builds or writes a tree."""
    lines = finding_lines(reader, f) if reader is not None and f.path.endswith(".py") else None
    calls = import_calls("".join(lines), int(f.line)) if lines else []
    names = [re.match(r"[\w.]+", code).group(0).rsplit(".", 1)[-1] for _, code, _ in calls if re.match(r"[\w.]+", code)]
    if not calls or len(names) != len(calls) or any(n not in _BUILDERS for n in names):
        return None
    line, code, func = calls[0]
    more = len({c[0] for c in calls}) - 1
    return {"check": "unused_import", "evidence": f"no XML is parsed: {f.path}:{f.line} imports the module Bandit warns "
            f"about, and every call through it builds or writes XML ({', '.join(sorted(set(names)))}: `{code}` at line "
            f"{line}" + (f", in {func}()" if func else "") + (f", and {more} more line{'s' if more > 1 else ''}" if more else "")
            + "); none parses any (parse, fromstring, iterparse, XMLParser), which is where hostile XML could do harm"}


# B301 lists pickle, dill, shelve and jsonpickle, not cPickle: through `import cPickle as pickle` no call of the file
# is Bandit's own finding (Mailu's utils.py, set 25: only B403 was reported)
_CPICKLE = re.compile(r"(?m)^\s*(?:import\s+(?:six\.moves\.)?cPickle\b|from\s+(?:six\.moves\.)?cPickle\s+import\b|"
                      r"from\s+six\.moves\s+import\s+cPickle\b)")


def _cpickle(f: Finding, reader) -> bool:
    lines = finding_lines(reader, f) if reader is not None else None
    return bool(lines and _CPICKLE.search("".join(lines)))


# xmlrpc.client's exception and value classes: none of them reads XML (ServerProxy, loads, getparser and the
# Unmarshaller do): Kiwi's `from xmlrpc.client import Fault` in a test, its `DateTime` in another (set 25)
_XMLRPC_VALUES = {"Fault", "ProtocolError", "ResponseError", "Error", "DateTime", "Binary", "Boolean", "MAXINT", "MININT"}


def _xmlrpc_values(f: Finding, reader) -> dict | None:
    lines = finding_lines(reader, f) if f.path.endswith(".py") else None
    found = _import_on("".join(lines), int(f.line)) if lines else None
    stmt = found[1] if found else None
    if not isinstance(stmt, ast.ImportFrom) or stmt.module != "xmlrpc.client" or not stmt.names or any(
            a.name not in _XMLRPC_VALUES for a in stmt.names):
        return None
    names = ", ".join(f"`{a.name}`" for a in stmt.names)
    return {"check": "unused_import", "evidence": f"no XML parser imported: {f.path}:{f.line} takes {names} from "
            "xmlrpc.client, its exception and value classes; what parses XML there is ServerProxy, loads() and the "
            f"Unmarshaller, none of which this line binds{_uses_said(f, reader)}"}


def _uses_said(f: Finding, reader) -> str:
    """``; `ET` is never called: it appears only in type annotations (lines 43, 155)``: what the file does with a
    name it imports but never calls (set 25: "'an import only' would dismiss any B405 finding")."""
    lines = finding_lines(reader, f) if reader is not None and f.path.endswith(".py") else None
    found = _import_on("".join(lines), int(f.line)) if lines else None
    if not found or not found[2]:
        return ""
    tree, names = found[0], set(found[2])
    if any(_root(c.func) in names for c in ast.walk(tree) if isinstance(c, ast.Call)):
        return ""
    roles = {id(n): "in type annotations" for node in ast.walk(tree) for ann in _annotations(node) for n in ast.walk(ann)}
    for node in ast.walk(tree):  # a class caught or passed on (`assertRaises(Fault)`), never called through
        if isinstance(node, ast.ExceptHandler) and node.type is not None:
            roles.update({id(n): "as an exception class caught" for n in ast.walk(node.type)})
        elif isinstance(node, ast.Call):
            roles.update({id(a): f"as an argument to `{ast.unparse(node.func)[:40]}`" for a in node.args})
    uses = sorted((n.lineno, roles.get(id(n))) for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id in names)
    if not uses or any(role is None for _, role in uses):
        return ""  # a plain reference: it may be handed on and called elsewhere
    said = {}
    for line, role in uses:
        said.setdefault(role, []).append(str(line))
    where = "; ".join(f"{role} (line{'s' if len(set(ls)) > 1 else ''} {', '.join(dict.fromkeys(ls))})" for role, ls in said.items())
    return f"; the file never calls {' or '.join(f'`{n}`' for n in sorted(names))}: it is used only {where}"


def _annotations(node: ast.AST) -> list[ast.AST]:
    if isinstance(node, ast.arg):
        return [node.annotation] if node.annotation is not None else []
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return [node.returns] if node.returns is not None else []
    return [node.annotation] if isinstance(node, ast.AnnAssign) else []


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
