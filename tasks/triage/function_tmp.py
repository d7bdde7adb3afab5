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
from tasks.triage.parsed_source import python_tree


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
