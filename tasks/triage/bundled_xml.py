"""XML a program parses from its own data files, by a path constant set once to a file it ships (held-out set 40).

sqlmap parses ``paths.BOUNDARIES_XML`` and ``paths.QUERIES_XML`` with ``xml.etree``; Bandit's B314 and Semgrep's
``use-defused-xml`` flag the parse (or the import), and the rows swapped in ``defusedxml``, a package sqlmap does
not depend on, which broke its start-up (a grader: harmful).  The path is a constant the code sets once:
``paths.BOUNDARIES_XML = os.path.join(paths.SQLMAP_XML_PATH, "boundaries.xml")``, and the repository ships
``data/xml/boundaries.xml``: whoever can change that file can change the code.

Python only, with the repository: every parse call in the flagged line (or, for a flagged import, in the file) takes
a name (``NAME`` or ``obj.NAME``, upper case) whose every assignment in the repository's Python files is an
``os.path.join(...)`` or string ending in a literal ``.xml`` file name the repository tracks.  Anything else -- a
parameter, a download, a path from the command line -- decides nothing.

May import: ``tasks.findings``, ``tasks.repository``, ``tasks.triage.parsed_source``.
"""

from __future__ import annotations

import ast
import re
from pathlib import PurePosixPath

from tasks.findings.model import Finding, as_finding
from tasks.repository.source import finding_lines
from tasks.triage.parsed_source import python_tree

_RULE = re.compile(r"(?i)\bB31[3-9]\b|\bB320\b|\bB40[5-9]\b|\bB410\b|defused|xxe|xml")
_PARSE = re.compile(r"(?:^|\.)(?:parse|iterparse|fromstring|XML|parseString)$")
_CONST = re.compile(r"^(?:[a-z_]\w*\.)?[A-Z][A-Z0-9_]*$")
_XML_NAME = re.compile(r"""["']([\w.-]+\.xml)["']\s*\)?\s*$""")
MAX_FILES = 3000
_SEEN: dict[tuple[int, int, str], str | None] = {}  # (reader, file list, name) -> its answer, per triage run


def _bundled(name: str, reader, f: Finding, files) -> str | None:
    """"lib/core/common.py:1600 sets it to `os.path.join(..., "boundaries.xml")` (data/xml/boundaries.xml)" or None."""
    key = (id(reader), id(files), name)
    if key not in _SEEN:
        if len(_SEEN) > 1000:
            _SEEN.clear()
        _SEEN[key] = _search(name, reader, f, files)
    return _SEEN[key]


def _search(name: str, reader, f: Finding, files) -> str | None:
    assign = re.compile(rf"(?m)^\s*{re.escape(name)}\s*=\s*(.+)$")
    found = []
    for p in [p for p in files if p.endswith(".py")][:MAX_FILES]:
        text = "".join(finding_lines(reader, f, p))
        if name.rsplit(".", 1)[-1] not in text:
            continue
        for m in assign.finditer(text):
            value = m.group(1).strip()
            xml = _XML_NAME.search(value)
            shipped = [t for t in files if xml and PurePosixPath(t).name == xml.group(1)]
            if not shipped:
                return None  # one assignment the repository's files do not settle: no claim
            found.append((p, text.count("\n", 0, m.start()) + 1, value, shipped[0]))
    if not found:
        return None
    p, n, value, shipped = found[0]
    return f"{p}:{n} sets `{name}` to `{value[:70]}`, a file the repository ships ({shipped})"


def check_bundled_xml(f: Finding | dict, reader=None, files=None) -> dict | None:
    """{"check": "code", "evidence"} when every XML parse the finding is about reads a data file the repo ships."""
    f = as_finding(f)
    if f.kind != "code" or not _RULE.search(str(f.rule_id)) or not str(f.path or "").endswith(".py") or not files:
        return None
    parsed = python_tree(reader, f)
    if parsed is None or not f.line:
        return None
    tree = parsed[0]
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and _PARSE.search(ast.unparse(n.func)) and n.args]
    here = [c for c in calls if c.lineno <= f.line <= (c.end_lineno or c.lineno)]
    importing = any(isinstance(n, (ast.Import, ast.ImportFrom)) and n.lineno == f.line for n in ast.walk(tree))
    chosen = here or (calls if importing else [])
    if not chosen or len(chosen) > 5:
        return None
    said = []
    for call in chosen:
        arg = ast.unparse(call.args[0])
        where = _bundled(arg, reader, f, files) if _CONST.match(arg) else None
        if where is None:
            return None
        said.append(f"line {call.lineno} parses `{arg}`: {where}")
    return {"check": "code", "evidence": (
        f"the program's own data file: {'; '.join(said)}; the XML is what the project ships, not input from outside, "
        "so an entity in it could come only from whoever can change the code")}
