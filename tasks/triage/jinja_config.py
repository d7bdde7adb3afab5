"""A Jinja2 ``Environment`` that renders configuration files, not web pages: HTML escaping has nothing to protect.

Semgrep's ``missing-autoescape-disabled`` and ``direct-use-of-jinja2`` and Bandit's B701 flag every Environment built
without ``autoescape``, because in a web page an unescaped ``{{ name }}`` writes markup.  ihatemoney's
``create_jinja_env(folder)`` (held-out set 28) builds one whose only caller, the ``generate_config`` command, passes
``"conf-templates"``: a folder of ``nginx.conf.j2``, ``ihatemoney.cfg.j2``, ``gunicorn.conf.py.j2``, printed to stdout.
Both labellers called it a false positive, and the graders found the ``autoescape=True`` fix harmful: it writes a
secret key's ``&`` as ``&amp;`` into the generated configuration.

The check follows the loader to its folder: a ``PackageLoader(package, folder)`` or ``FileSystemLoader(folder)`` in
the function (else the module) that builds the Environment, whose folder is a literal, or a parameter of that
function for which every call in the repository passes a literal (at least one call, the name never used otherwise).
Every tracked file in each folder must be named as a non-HTML text (``.conf``, ``.cfg``, ``.ini``, ``.py``, ``.yaml``,
``.toml``, ``.sh``, ``.service``, ``.txt``..., after a ``.j2``/``.jinja`` suffix); one HTML, XML, SVG or Markdown
template, a folder that cannot be found or an Environment with another loader keeps the finding.

May import: ``tasks.core``, ``tasks.findings``, ``tasks.triage.parsed_source``.
"""

from __future__ import annotations

import ast
import re
import weakref
from pathlib import PurePosixPath

from tasks.findings.model import Finding, as_finding
from tasks.triage.parsed_source import enclosing_function, python_tree

_RULE = re.compile(r"(?i)(?:^|\.)(?:missing-autoescape-disabled|direct-use-of-jinja2)$|^B701$")
_TEMPLATE_SUFFIX = re.compile(r"(?i)\.(?:j2|jinja2?|tmpl|tpl|template|in)$")
_TEXT = {".conf", ".cfg", ".ini", ".py", ".yaml", ".yml", ".toml", ".sh", ".service", ".socket", ".timer", ".txt",
         ".env", ".properties", ".rules", ".nginx", ".vhost", ".cron", ".sql"}
_TEXT_NAMES = {"Dockerfile", "Makefile", "Caddyfile", "Procfile", "crontab"}
MAX_CALLERS = 20
MAX_FILES = 3000


def _loader_folder(call: ast.Call) -> ast.AST | None:
    """The folder argument of a ``PackageLoader(package, folder)`` or ``FileSystemLoader(folder)`` call, else None."""
    name = ast.unparse(call.func).rsplit(".", 1)[-1]
    if name == "PackageLoader":
        args = call.args[1:2] or [k.value for k in call.keywords if k.arg == "package_path"]
        return args[0] if args else ast.Constant("templates")
    if name == "FileSystemLoader":
        args = call.args[:1] or [k.value for k in call.keywords if k.arg == "searchpath"]
        return args[0] if args else None
    return None


def _package(call: ast.Call) -> str | None:
    if ast.unparse(call.func).rsplit(".", 1)[-1] != "PackageLoader" or not call.args:
        return None
    first = call.args[0]
    return first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None


_SEEN: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # reader -> {(path, function, param): call sites}


def _passed(func: ast.FunctionDef, param: str, files: list[str], reader, path: str) -> list[tuple[str, str]] | None:
    """``_call_sites``, once per reader, file and function: the three rules flag the same Environment."""
    try:
        seen = _SEEN.setdefault(reader, {})
    except TypeError:
        seen = {}
    key = (path, func.name, func.lineno, param, len(files))
    if key not in seen:
        seen[key] = _call_sites(func, param, files, reader)
    return seen[key]


def _call_sites(func: ast.FunctionDef, param: str, files: list[str], reader) -> list[tuple[str, str]] | None:
    """[(literal, "path:line")] of every call of ``func`` in the repository's Python files; None when a call passes
    something else, the name is used any other way, or nothing calls it."""
    names = [a.arg for a in func.args.posonlyargs + func.args.args]
    if param not in names:
        return None
    position, word, found = names.index(param), re.compile(rf"\b{re.escape(func.name)}\b"), []
    for path in [p for p in files if p.endswith(".py")][:MAX_FILES]:
        text = "".join(reader.lines(path, None) or [])
        if not word.search(text):
            continue
        if ".from_string(" in text:
            return None  # a template from a string beside the call: it may be a page, whatever the folder holds
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError):
            return None
        calls = {id(n.func): n for n in ast.walk(tree) if isinstance(n, ast.Call)}  # the call each callee node makes
        for node in ast.walk(tree):
            named = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None
            if named != func.name:
                continue
            call = calls.get(id(node))
            if call is None:
                return None  # passed or stored: someone else may call it with anything
            arg = next((k.value for k in call.keywords if k.arg == param), None)
            if arg is None and len(call.args) > position:
                arg = call.args[position]
            if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                return None
            found.append((arg.value, f"{path}:{call.lineno}"))
            if len(found) > MAX_CALLERS:
                return None
    return found or None


def _templates(folder: str, package: str | None, files: list[str]) -> list[str]:
    """The tracked files of the loader's folder (under the package's directory for a PackageLoader)."""
    folder = folder.strip("/").removeprefix("./")
    if not folder or folder.startswith("..") or PurePosixPath(folder).is_absolute():
        return []
    own = f"{package.replace('.', '/')}/{folder}/" if package else f"{folder}/"
    return [p for p in files if p.startswith(own) or f"/{own}" in p]


def _text_name(path: str) -> bool:
    name = _TEMPLATE_SUFFIX.sub("", PurePosixPath(path).name)
    return name in _TEXT_NAMES or PurePosixPath(name).suffix.lower() in _TEXT


def check_jinja_config(f: Finding | dict, reader=None, files: list[str] | None = None) -> dict | None:
    """{"check": "code", "status": "no_html", "evidence"} when the flagged Environment renders only configuration
    files, else None."""
    f = as_finding(f)
    loc = f.location
    if not files or not _RULE.search(str(f.rule_id or "")) or not loc or not loc.start_line:
        return None
    parsed = python_tree(reader, f)
    if parsed is None:
        return None
    tree, text = parsed
    if ".from_string(" in text:
        return None
    envs = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and ast.unparse(n.func).rsplit(".", 1)[-1] == "Environment"
            and n.lineno <= loc.start_line <= (n.end_lineno or n.lineno)]
    if len(envs) != 1 or any(k.arg == "autoescape" for k in envs[0].keywords):
        return None
    func = enclosing_function(tree, envs[0].lineno)
    scope = func or tree
    loaders = [n for n in ast.walk(scope) if isinstance(n, ast.Call)
               and ast.unparse(n.func).rsplit(".", 1)[-1] in ("PackageLoader", "FileSystemLoader", "ChoiceLoader",
                                                                "DictLoader", "FunctionLoader", "PrefixLoader")]
    if len(loaders) != 1 or _loader_folder(loaders[0]) is None:
        return None
    folder, package = _loader_folder(loaders[0]), _package(loaders[0])
    if isinstance(folder, ast.Constant) and isinstance(folder.value, str):
        folders, via = [(folder.value, None)], ""
    elif isinstance(folder, ast.Name) and func is not None:
        folders = _passed(func, folder.id, files, reader, str(f.path)) or []
        via = f" ({folder.id} as every call passes it: " + ", ".join(f"`{v}` at {w}" for v, w in folders[:3]) + ")"
    else:
        return None
    shown = []
    for value, _ in folders:
        found = _templates(value, package, files)
        if not found or not all(_text_name(p) for p in found):
            return None
        shown.extend(found)
    if not shown:
        return None
    names = sorted({PurePosixPath(p).name for p in shown})
    listed = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    where = sorted({str(PurePosixPath(p).parent) for p in shown})
    return {"check": "code", "status": "no_html",
            "evidence": f"no HTML is rendered: the Environment at {f.path}:{envs[0].lineno} loads its templates from "
                        f"{', '.join(where[:2])}{via}, which holds only configuration files ({listed}); HTML escaping "
                        "would write `&amp;` and `&#39;` into the generated files (a secret key or a path with `&` or `'`), "
                        "so autoescape=True would break them rather than protect anyone"}
