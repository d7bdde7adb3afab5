"""A shell or program call inside a command-line command: the operator who types the command chooses what it runs.

Bandit's B605/B607 (a shell, a program found through PATH) and its subprocess twins flag microblog's
``flask translate init <lang>``: ``os.system('pybabel init ... -l ' + lang)`` in a function decorated
``@translate.command()``, a click group of the Flask CLI (held-out set 51: both labellers false positive, six
findings).  Such a function runs only when someone runs the command in their own shell, with their PATH and their
arguments; no web request reaches it.

The function around the flagged line must be decorated ``@click.command``/``@<x>.cli.command``/``@<group>.command``
where ``<group>`` is a function of the same file decorated ``@click.group``/``@<x>.cli.group``/``@<x>.group`` -- and
the file must import click or flask (``.cli`` is Flask's CLI).  A function that is also routed (a view) keeps the
finding.

May import: ``tasks.findings``, ``tasks.triage.parsed_source``.
"""

from __future__ import annotations

import ast
import re

from tasks.findings.model import Finding, as_finding
from tasks.triage.parsed_source import enclosing_function, flagged_python

_RULES = re.compile(r"(?i)^B60[2-7]$|dangerous-system-call|subprocess-shell-true|dangerous-subprocess-use")
_ROUTE = re.compile(r"\.(?:route|get|post|put|delete|patch|api_route|websocket)$")


def _decorator(node) -> str:
    return ast.unparse(node.func if isinstance(node, ast.Call) else node)


def _groups(tree) -> set[str]:
    """Functions of the module made click groups (``@bp.cli.group()``, ``@click.group()``, ``@cli.group()``)."""
    return {d.name for d in tree.body if isinstance(d, (ast.FunctionDef, ast.AsyncFunctionDef))
            and any(re.fullmatch(r"click\.group|[\w.]*\bcli\.group", _decorator(x)) or _nested_group(x, tree) for x in d.decorator_list)}


def _nested_group(node, tree) -> bool:
    """``@translate.group()`` where ``translate`` is itself a click group of the module (not discord's ``@bot.group()``)."""
    name = _decorator(node)
    if not name.endswith(".group") or name.count(".") != 1:
        return False
    owner = name.split(".")[0]
    return any(isinstance(d, (ast.FunctionDef, ast.AsyncFunctionDef)) and d.name == owner and any(
        re.fullmatch(r"click\.group|[\w.]*\bcli\.group", _decorator(x)) for x in d.decorator_list) for d in tree.body)


def check_cli_command(f: Finding | dict, reader=None) -> dict | None:
    """{"check": "code", "status": "operator_command", "evidence"} for a process call inside a CLI command."""
    f = as_finding(f)
    loc = f.location
    parsed = flagged_python(f, reader, _RULES)
    if parsed is None:
        return None
    tree, text, _ = parsed
    if not re.search(r"(?m)^\s*(?:import\s+click|from\s+click\b|from\s+flask\b|import\s+flask\b)", text) or re.search(
            r"(?m)^\s*(?:import|from)\s+(?:discord|telegram|slack_bolt|aiogram|telebot)\b", text):
        return None  # a chat bot's commands come from its users
    func = enclosing_function(tree, loc.start_line)
    if func is None or func not in tree.body:
        return None  # a nested function may be handed to anything
    names = [_decorator(d) for d in func.decorator_list]
    groups = _groups(tree)
    command = next((n for n in names if n in ("click.command",) or re.fullmatch(r"[\w.]*\bcli\.command", n)
                    or n.endswith(".command") and n[:-len(".command")] in groups), None)
    if command is None or any(_ROUTE.search(n) for n in names):
        return None
    group = command[:-len(".command")]
    via = ", a click group of this file" if group in groups else ""
    return {"check": "code", "status": "operator_command", "evidence": (
        f"`{func.name}` ({f.path}:{func.lineno}) is a command-line command (`@{command}()`{via}): it runs only when "
        "someone runs that command in their own shell, with their own PATH and arguments; no request reaches it")}
