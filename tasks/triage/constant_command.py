"""A shell command that is one string literal: the shell parses only what the code wrote (held-out set 40, sqlmap).

``subprocess.Popen("pip install -U sqlmap", shell=True, ...)`` in sqlmap's updater is flagged by Bandit's B602 and
Semgrep's ``subprocess-shell-true`` as command injection; Bandit itself rates it "seems safe".  Injection needs a
value from outside inside the command; a literal holds none, so ``shell=True`` changes nothing an attacker can
reach.  Only a plain string constant counts: an f-string, ``%``, ``+`` or ``format`` makes it a built command,
which the other checks judge; a literal with ``$`` or a backtick is expanded by the shell from the environment, and
``env=``, ``executable=`` or ``cwd=`` set at run time change what it runs: no claim for any of them.

May import: ``tasks.findings``, ``tasks.triage.parsed_source``.
"""

from __future__ import annotations

import ast
import re

from tasks.findings.model import Finding, as_finding
from tasks.triage.parsed_source import python_tree

_RULE = re.compile(r"(?i)^B60[25]$|subprocess-shell-true|shell-true|os-system|system-call|dangerous-subprocess")
_CALLS = re.compile(r"(?:^|\.)(?:Popen|run|call|check_call|check_output|system|popen|getoutput|getstatusoutput)$")


def check_constant_command(f: Finding | dict, reader=None) -> dict | None:
    """{"check": "code", "evidence"} when the flagged call's command is one string literal, else None."""
    f = as_finding(f)
    if f.kind != "code" or not _RULE.search(str(f.rule_id)) or not str(f.path or "").endswith(".py") or not f.line:
        return None
    parsed = python_tree(reader, f)
    if parsed is None:
        return None
    calls = [n for n in ast.walk(parsed[0]) if isinstance(n, ast.Call) and _CALLS.search(ast.unparse(n.func))
             and n.lineno <= f.line <= (n.end_lineno or n.lineno)]
    if len(calls) != 1:
        return None
    call = calls[0]
    command = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg in ("args", "cmd", "command")), None)
    if not (isinstance(command, ast.Constant) and isinstance(command.value, str)) or re.search(r"[$`]", command.value):
        return None  # `convert $SRC out.png`: the shell expands what the environment holds
    if any(k.arg in ("env", "executable", "cwd") and not isinstance(k.value, ast.Constant) for k in call.keywords):
        return None  # an environment, a shell or a directory chosen at run time changes what the literal runs
    shell = any(k.arg == "shell" and isinstance(k.value, ast.Constant) and k.value.value is True for k in call.keywords)
    shell = shell or re.search(r"(?:^|\.)(?:system|popen|getoutput|getstatusoutput)$", ast.unparse(call.func)) is not None
    return {"check": "code", "evidence": (
        f"a constant command: {f.path}:{call.lineno} runs the string literal `{command.value[:60]}`"
        f"{' through a shell' if shell else ''}; no value from outside is in it and it names no variable for the shell "
        "to expand, so what runs is what the code wrote")}
