"""Check 3e: a fixed /tmp path inside a serverless function is not the shared-/tmp weakness Bandit B108 means.

B108 ("Probable insecure usage of temp file/directory", CWE-377) is about a
predictable name in a /tmp that other users of the same host share: one of
them can create the file first, or a symbolic link under that name, and the
program then reads their data or writes where they point.  A function
platform gives each execution environment of a function its own /tmp (AWS
Lambda's ephemeral storage, Google Cloud Functions' in-memory /tmp, Azure
Functions' per-instance one): no other user or tenant writes there, so the
race the rule describes has nobody to run it.

So B108 is a false positive when the flagged file defines the platform's
entry point (tasks.triage.callers.entry_point: ``handler(event, context)``,
``lambda_handler``, an Azure ``main(req: func.HttpRequest)``).  The evidence
names the handler and its line.  What stays worth knowing (a warm
environment reuses /tmp across requests, so one request's file can be read
by the next) is a different weakness, judged on its own.
"""

from __future__ import annotations

import ast

from tasks.findings.model import Finding, as_finding
from tasks.triage.callers import entry_point
from tasks.triage.parsed_source import python_parents, python_tree


def _is_b108(f: Finding) -> bool:
    return f.tool == "bandit" and str(f.rule_id).upper() == "B108"


def check_function_tmp(f: Finding | dict, reader=None) -> dict | None:
    """{"check": "code", "evidence"} for B108 in a serverless function's own module, else None."""
    f = as_finding(f)
    parsed = python_tree(reader, f) if _is_b108(f) else None
    if parsed is None:
        return None
    handler = next((node for node in parsed[0].body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
                    and entry_point(node)), None)
    if handler is None:
        return None
    return {"check": "code", "evidence": (
        f"a function platform's private /tmp: {f.path} defines the entry point {handler.name}() (line {handler.lineno}) "
        "that a serverless platform calls; each execution environment of a function gets its own /tmp, which no other "
        "user or tenant writes to, so nobody can create or link the fixed name first (the shared-/tmp race B108 "
        "describes)")}


def test_tmp(f: Finding, reader=None) -> dict | None:
    """{"check": "code", "evidence"} for B108 in a test function: what the rule's race needs, and the fixture that
    gives the test its own directory (round 52: "does not say why a fixed /tmp path is harmless on a CI runner, nor
    offer pytest's tmp_path").  None outside a function or without the parsed file."""
    parsed = python_parents(reader, f) if _is_b108(f) and f.line else None
    if parsed is None:
        return None
    tree, text, parents = parsed
    around = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
              and n.lineno <= f.line <= (n.end_lineno or n.lineno)]
    if not around:
        return None
    node = max(around, key=lambda n: n.lineno)  # the innermost function around the line
    params = {a.arg for a in node.args.args + node.args.kwonlyargs}
    unittest = isinstance(parents.get(node), ast.ClassDef) and "self" in params and "pytest" not in text
    own = ("it already takes pytest's `tmp_path`, which would hold the file in a directory of its own" if "tmp_path" in params
           else "`tempfile.TemporaryDirectory()` would give it a directory of its own" if unittest
           else "pytest's `tmp_path` fixture would give it a directory of its own")
    return {"check": "code", "evidence": (
        f"a fixed /tmp name is B108's risk where other users of the host can create that file, or a link under its name, "
        f"before the program does (CWE-377); {node.name}() (line {node.lineno}) runs on a developer's or CI runner's own "
        f"machine, and {own}")}
