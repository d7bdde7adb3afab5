"""Who calls the function a flagged line sits in, and with what: the repository's call sites of its parameters.

"`cmd` is a parameter of `run_cmd` (line 8), so its callers decide what
reaches this line" was graded vacuous: it fits every function.  With the
repository (``source.repo_path``) the callers are known: DVGA's ``run_cmd(cmd)``
is called from ``core/views.py:211`` in ``mutate`` with ``f'curl --insecure
{url}'`` and from ``:352`` in ``resolve_system_debug`` with ``'ps
{}'.format(arg)``.  ``parameter_sites`` reads the finding's file and the
repository's Python files (tasks.triage.callers' bounded file list, the
call-site search of tasks.triage.tainted_callers: a module that imports the
function or its module, never another module's function of the same name)
and writes one sentence per parameter of the enclosing module-level
function: the calls that pass something other than a constant first (file,
line, calling function, the argument as written), then how many pass
constants.  No call found (a function reached through ``getattr``, a
dispatch table, a framework, or code outside the repository) gives no
sentence: nothing is said rather than a guess.

May import: ``tasks.triage`` (its call-site search), the standard library.
"""

from __future__ import annotations

import ast

from tasks.findings.model import Finding, as_finding

MAX_LISTED = 3
MAX_ARG_CHARS = 60


def _innermost(tree, line: int) -> str | None:
    """The name of the innermost function whose body holds ``line``."""
    best = None
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.lineno <= line <= (node.end_lineno or 0):
            if best is None or node.lineno >= best.lineno:
                best = node
    return best.name if best else None


def _arg_text(text: str, node) -> str:
    said = " ".join((ast.get_source_segment(text, node) or ast.unparse(node)).split())
    return said if len(said) <= MAX_ARG_CHARS else said[:MAX_ARG_CHARS - 3].rstrip() + "..."


def describe(func, param: str, sites: list) -> str | None:
    """One sentence on the call sites of ``func`` for ``param``; None without any."""
    from tasks.triage.report_signals import is_test_path
    from tasks.triage.tainted_callers import _argument

    varied, constant = [], []
    for path, text, _lines, other, node in sites:
        arg = _argument(node, func, param)
        if arg is None:
            continue
        where = f"{path}:{node.lineno}"
        if isinstance(arg, ast.Constant):
            constant.append(where)
            continue
        caller = _innermost(other.tree, node.lineno)
        role = " (a test)" if is_test_path(path) else f" in `{caller}`" if caller else ""
        varied.append(f"{where}{role} with `{_arg_text(text, arg)}`")
    if not varied and not constant:
        return None
    head = f"`{param}` is a parameter of `{func.name}` (line {func.lineno})"
    if not varied:
        listed = ", ".join(constant[:MAX_LISTED]) + (f" and {len(constant) - MAX_LISTED} more" if len(constant) > MAX_LISTED else "")
        return f"{head}; every call of it in the repository passes a constant ({listed})."
    more = len(varied) - MAX_LISTED
    text = f"{head}; the repository calls it from " + ", ".join(varied[:MAX_LISTED])
    text += f" and {more} more place{'s' if more > 1 else ''}" if more > 0 else ""
    if constant:
        text += f"; {len(constant)} other call{'s pass constants' if len(constant) > 1 else ' passes a constant'}"
    return text + "."


def parameter_sites(f: Finding | dict, reader, callers) -> dict[str, str]:
    """{"function.param": sentence} for the parameters of the module-level function that holds the flagged line
    ({} for anything but Python code, or without a repository or a caller)."""
    f = as_finding(f)
    loc = f.location
    if reader is None or callers is None or f.kind != "code" or not (f.path or "").endswith(".py") or not loc \
            or not loc.start_line:
        return {}
    from tasks.triage.constant_names import parse_module
    from tasks.triage.parsed_source import finding_source
    from tasks.triage.tainted_callers import _calls, _enclosing

    mod = parse_module(finding_source(reader, f), f.path)
    func = _enclosing(mod.tree, loc.start_line) if mod is not None else None
    if func is None:
        return {}
    args = func.args
    params = [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs if a.arg not in ("self", "cls")][:6]
    sites = _calls(callers, mod, f.path, func.name)
    out = {}
    for param in params:
        said = describe(func, param, sites)
        if said:
            out[f"{func.name}.{param}"] = said
    return out
