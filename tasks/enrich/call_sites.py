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
from tasks.triage.parsed_source import enclosing_function

MAX_LISTED = 3
MAX_ARG_CHARS = 60


def _origin(text: str, caller, arg, line: int) -> str:
    """Where a bare-name argument comes from in the calling function: its parameter, or its nearest assignment above."""
    if caller is None or not isinstance(arg, ast.Name):
        return ""
    args = caller.args
    if arg.id in [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs]:
        return f", a parameter of `{caller.name}`"
    sets = [n for n in ast.walk(caller) if isinstance(n, ast.Assign) and n.lineno < line and len(n.targets) == 1
            and isinstance(n.targets[0], ast.Name) and n.targets[0].id == arg.id]
    if not sets:
        return ""
    last = max(sets, key=lambda n: n.lineno)
    return f", set on line {last.lineno} from `{_arg_text(text, last.value)}`"


def _arg_text(text: str, node) -> str:
    said = " ".join((ast.get_source_segment(text, node) or ast.unparse(node)).split())
    return said if len(said) <= MAX_ARG_CHARS else said[:MAX_ARG_CHARS - 3].rstrip() + "..."


def _refers(node, names: set[str], modules: set[str], name: str) -> bool:
    return (isinstance(node, ast.Name) and node.id in names) or (
        isinstance(node, ast.Attribute) and node.attr == name and isinstance(node.value, ast.Name) and node.value.id in modules)


def _handed_over(call: ast.Call, names: set[str], modules: set[str], name: str) -> ast.Call | None:
    """The call a thread, process or executor makes of the function: ``Thread(target=f, args=(x,))``,
    ``executor.submit(f, x)``, ``pool.apply_async(f, (x,))``, ``loop.run_in_executor(None, f, x)``."""
    kw = {k.arg: k.value for k in call.keywords}
    via = ast.unparse(call.func)
    if "target" in kw and _refers(kw["target"], names, modules, name):
        given = kw.get("args")
        args = list(given.elts) if isinstance(given, (ast.Tuple, ast.List)) else [] if given is None else None
    elif via.endswith(".submit") and call.args and _refers(call.args[0], names, modules, name):
        args = list(call.args[1:])
    elif via.endswith((".apply_async", "start_new_thread")) and call.args and _refers(call.args[0], names, modules, name):
        given = call.args[1] if len(call.args) > 1 else None
        args = list(given.elts) if isinstance(given, (ast.Tuple, ast.List)) else [] if given is None else None
    elif via.endswith(".run_in_executor") and len(call.args) > 1 and _refers(call.args[1], names, modules, name):
        args = list(call.args[2:])
    else:
        return None
    if args is None or any(isinstance(a, ast.Starred) for a in args):
        return None
    made = ast.Call(ast.Name(name), args, [])
    made.lineno, made.secft_via = call.lineno, via
    return made


def indirect_sites(callers, mod, path: str, name: str) -> list:
    """(path, text, lines, module, call) for each place that hands the function to a thread, process or executor."""
    from tasks.triage.tainted_callers import _bindings

    out = []
    for where, text in callers.sources().items():
        if name not in text:
            continue
        other = mod if where == path else callers.module(where)
        if other is None:
            continue
        names, modules = _bindings(other.tree, path, name) if other is not mod else ({name}, set())
        for node in ast.walk(other.tree):
            made = _handed_over(node, names, modules, name) if isinstance(node, ast.Call) else None
            if made is not None:
                out.append((where, text, text.splitlines(), other, made))
    return out[:20]


def describe(func, param: str, sites: list, routed: str | None = None) -> str | None:
    """One sentence on the call sites of ``func`` for ``param``; None without any.  ``routed``: a configuration file
    that names the function (connexion's operationId, a serverless handler), so a framework calls it too."""
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
        caller = enclosing_function(other.tree, node.lineno)
        role = " (a test)" if is_test_path(path) else f" in `{caller.name}`" if caller else ""
        via = getattr(node, "secft_via", None)  # handed to a thread, process or executor (indirect_sites)
        how = f" (through `{via}`)" if via else ""
        varied.append(f"{where}{role}{how} with `{_arg_text(text, arg)}`{_origin(text, caller, arg, node.lineno)}")
    head = f"`{param}` is a parameter of `{func.name}` (line {func.lineno})"
    framework = f"{routed} names `{func.name}`, so a framework calls it with the request's values" if routed else ""
    if not varied and not constant:
        return f"{head}; {framework}." if framework else None
    if not varied:
        listed = ", ".join(constant[:MAX_LISTED]) + (f" and {len(constant) - MAX_LISTED} more" if len(constant) > MAX_LISTED else "")
        if framework:
            return f"{head}; the repository's own calls pass a constant ({listed}), but {framework}."
        return f"{head}; every call of it in the repository passes a constant ({listed})."
    more = len(varied) - MAX_LISTED
    text = f"{head}; the repository calls it from " + ", ".join(varied[:MAX_LISTED])
    text += f" and {more} more place{'s' if more > 1 else ''}" if more > 0 else ""
    if constant:
        text += f"; {len(constant)} other call{'s pass constants' if len(constant) > 1 else ' passes a constant'}"
    return text + (f"; {framework}." if framework else ".")


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
    rebound = {t.id for n in ast.walk(func) if isinstance(n, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.For, ast.With))
               and n.lineno < loc.start_line for t in ast.walk(n) if isinstance(t, ast.Name) and isinstance(t.ctx, ast.Store)}
    params = [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs
              if a.arg not in ("self", "cls") and a.arg not in rebound][:6]  # a parameter set anew is another value
    sites = _calls(callers, mod, f.path, func.name) + indirect_sites(callers, mod, f.path, func.name)
    routed = callers.routed(func.name) if hasattr(callers, "routed") else None
    out = {}
    for param in params:
        said = describe(func, param, sites, routed)
        if said:
            out[f"{func.name}.{param}"] = said
    return out
