"""Check 3i: ``app.run(debug=True)`` or ``host='0.0.0.0'`` under ``if __name__ == "__main__":`` in a Flask
or Django file that the deployment starts another way.

Bandit B104/B201 and Semgrep's ``app-run-with-bad-host``/debug rules flag the
development server's start line.  That line runs only when the file is run
as a script.  When the repository's start-up files (a Dockerfile's
``CMD``/``ENTRYPOINT``, a shell script one of them runs, a Procfile, a
compose ``command:``) start the application with a WSGI/ASGI server
(gunicorn, uwsgi, waitress-serve, hypercorn, uvicorn, daphne) on a module
that is the flagged file or imports it, the ``__main__`` block never runs
in deployment: a false positive, with the start command's ``file:line``.

Left alone: a line outside the ``__main__`` block; no such start command; a
README, script or start-up file that runs the file directly
(``python server.py``, ``python -m pkg.server``), where the line does run
(tasks.triage.docker then judges the container case).
"""

from __future__ import annotations

import ast
import posixpath
import re

from tasks.findings.model import Finding, as_finding
from tasks.repository.source import finding_lines
from tasks.triage.parsed_source import python_tree

_RULE = re.compile(r"(?i)^B104$|^B201$|bind[-_]?(?:to[-_])?all[-_]?interfaces|app[-_]run[-_]with[-_]bad[-_]host"
                   r"|flask[-_]debug|debug[-_]enabled|run[-_]with[-_]debug")
# the files that start a server in deployment (also tasks.triage.bind_url's): images, process managers, compose
# stacks, start scripts, systemd units
STARTUP = re.compile(r"(?i)(?:^|/)(?:Dockerfile[^/]*|[^/]+\.dockerfile|Containerfile|Procfile|[^/]*compose[^/]*\.ya?ml"
                     r"|[^/]+\.sh|[^/]*\.service|entrypoint[^/]*|[^/]*supervisor[^/]*\.conf|[^/]*uwsgi[^/]*\.ini)$")
_README = re.compile(r"(?i)(?:^|/)(?:readme[^/]*|Makefile)$")
_SERVER = re.compile(r"\b(gunicorn|uwsgi|waitress-serve|hypercorn|uvicorn|daphne)\b(.*)")
_TARGET = re.compile(r"(?<![\w./-])([A-Za-z_][\w.]*):[A-Za-z_][\w()]*")
_UWSGI = re.compile(r"--(?:module|wsgi-file|wsgi)[= ]\s*([\w./:-]+)|^\s*(?:module|wsgi-file)\s*=\s*([\w./:-]+)")
MAX_STARTUP = 60


def _in_main_block(tree: ast.Module, line: int) -> int | None:
    """The line of the module-level ``if __name__ == "__main__":`` whose body holds ``line``, else None."""
    for node in tree.body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Compare) and len(node.test.comparators) == 1:
            sides = [node.test.left, node.test.comparators[0]]
            names = {s.id for s in sides if isinstance(s, ast.Name)}
            consts = {s.value for s in sides if isinstance(s, ast.Constant)}
            if names == {"__name__"} and consts == {"__main__"} and node.body and \
                    node.body[0].lineno <= line <= max(getattr(s, "end_lineno", s.lineno) for s in node.body):
                return node.lineno
    return None


def _imports(text: str, module: str) -> bool:
    """Whether Python source ``text`` imports ``module`` (``from module import x``, ``import module``)."""
    return bool(re.search(rf"(?m)^\s*(?:from\s+\.?{re.escape(module)}\s+import\b|import\s+{re.escape(module)}\b)", text))


def _module_file(target: str, start_dir: str, flagged_dir: str, files: set[str]) -> str | None:
    """The file a server's ``module`` or ``path.py`` names, looked up from the flagged file's folder upwards."""
    rel = target if target.endswith(".py") else target.replace(".", "/") + ".py"
    rel = rel.lstrip("./")
    d = flagged_dir
    while True:
        cand = posixpath.normpath(posixpath.join(d, rel)) if d else rel
        if cand in files:
            return cand
        if not d or d == start_dir or d == ".":
            return None
        d = posixpath.dirname(d)


def _servers(lines: list[str]) -> list[tuple[int, str, str]]:
    """(line, server, target) of WSGI/ASGI server start commands in a start-up file."""
    out = []
    for n, line in enumerate(lines, 1):
        if line.lstrip().startswith("#"):
            continue
        m = _SERVER.search(line)
        rest = m.group(2) if m else line
        uw = _UWSGI.search(line)
        if uw and (m or line.lstrip().startswith(("module", "wsgi-file"))):
            out.append((n, "uwsgi", (uw.group(1) or uw.group(2)).split(":", 1)[0]))
        elif m:
            t = _TARGET.search(rest)
            if t:
                out.append((n, m.group(1), t.group(1)))
    return out


def _in_scope(path: str, ancestors: set[str]) -> bool:
    """A file of the flagged file's project: in one of its folders, or in a folder beside them (``deployments/``)."""
    d = posixpath.dirname(path)
    return d in ancestors or (d != "" and posixpath.dirname(d) in ancestors)


def _direct_run(name: str, module: str, files: list[str], reader, f: Finding) -> str | None:
    """A README, Makefile or start-up file line of the project that runs the flagged file as a script."""
    run = re.compile(rf"\bpython[\d.]*\s+(?:-\S+\s+)*(?:[\w./-]*/)?{re.escape(name)}\b|\bpython[\d.]*\s+-m\s+[\w.]*\b{re.escape(module)}\b"
                     rf"|[\"']python[\d.]*[\"']\s*,\s*(?:[\"']-\S+[\"']\s*,\s*)*[\"'](?:[\w./-]*/)?{re.escape(name)}[\"']")
    for path in files[:MAX_STARTUP * 2]:
        for n, line in enumerate(finding_lines(reader, f, path), 1):
            if run.search(line):
                return f"{path}:{n}"
    return None


_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def _loopback_debug(f: Finding, reader) -> dict | None:
    """``app.run(debug=True, host="127.0.0.1")``: the Werkzeug debugger listens on the loopback interface only (CTFd's
    serve.py, held-out set 24: the local debug server its README starts; production runs gunicorn)."""
    parsed = python_tree(reader, f) if re.search(r"(?i)^B201$|debug", str(f.rule_id)) else None
    if parsed is None:
        return None
    for node in ast.walk(parsed[0]):
        if isinstance(node, ast.Call) and node.lineno <= f.location.start_line <= (node.end_lineno or node.lineno):
            kw = {k.arg: k.value for k in node.keywords if k.arg}
            host, debug = kw.get("host"), kw.get("debug")
            if isinstance(debug, ast.Constant) and debug.value is True and isinstance(host, ast.Constant) \
                    and host.value in _LOOPBACK:
                return {"check": "code", "status": "loopback_debug",
                        "evidence": f"a local development server: {f.path}:{node.lineno} `{ast.unparse(node)[:90]}` serves "
                                    f"the debugger on {host.value}, the loopback interface, which no other machine can "
                                    "reach; a deployment that binds another address or runs a WSGI server has no debugger"}
    return None


def check_main_guard(f: Finding | dict, reader=None, index=None) -> dict | None:
    """A false-positive reason when the flagged development-server line sits in a ``__main__`` block the deployment
    never runs (a WSGI/ASGI server starts the application), or serves the debugger on loopback only; else None."""
    f = as_finding(f)
    if reader is not None and f.kind == "code" and str(f.path or "").endswith(".py") and f.location \
            and f.location.start_line and _RULE.search(str(f.rule_id)):
        loopback = _loopback_debug(f, reader)
        if loopback:
            return loopback
    files = getattr(index, "files", None) if index is not None else None
    if reader is None or not files or f.kind != "code" or not f.path or not f.path.endswith(".py") \
            or not _RULE.search(str(f.rule_id)) or not f.location or not f.location.start_line:
        return None
    parsed = python_tree(reader, f)  # the file's shared parse, as _loopback_debug reads it
    guard = _in_main_block(parsed[0], f.location.start_line) if parsed else None
    if not guard:
        return None
    name, flagged_dir = posixpath.basename(f.path), posixpath.dirname(f.path)
    module = name[:-3]
    ancestors, d = {flagged_dir}, flagged_dir
    while d:
        d = posixpath.dirname(d)
        ancestors.add(d)
    # not another project's files; the nearest first, so that a monorepo's many start-up files do not crowd out the
    # flagged project's own Dockerfile before MAX_STARTUP is reached
    near = (lambda p: (-len(posixpath.commonpath([posixpath.dirname(p), flagged_dir]).split("/")), p))
    startup = sorted((p for p in files if STARTUP.search(p) and _in_scope(p, ancestors)), key=near)
    readmes = sorted((p for p in files if _README.search(p) and _in_scope(p, ancestors)), key=near)
    known = set(files)
    # a sibling project's `python app.py` runs its own app.py: only files that cannot mean another file of that name
    runners = [p for p in startup + readmes if posixpath.dirname(p) in ancestors
               or posixpath.join(posixpath.dirname(p), name) not in known]
    if _direct_run(name, module, runners, reader, f):
        return None
    for path in startup[:MAX_STARTUP]:
        start_dir = posixpath.dirname(path)
        for n, server, target in _servers(finding_lines(reader, f, path)):
            mod_file = _module_file(target, posixpath.dirname(start_dir), flagged_dir, known)
            if mod_file is None:
                continue
            if mod_file == f.path:
                how = f"serves {f.path} itself"
            elif posixpath.dirname(mod_file) == flagged_dir and _imports("".join(finding_lines(reader, f, mod_file)), module):
                how = f"serves {mod_file}, which imports {module} from {f.path}"
            else:
                continue
            return {"check": "code", "status": "main_block_not_run",
                    "evidence": f"the development server line never runs in deployment: {f.path}:{f.location.start_line} "
                                f"is inside `if __name__ == \"__main__\":` ({f.path}:{guard}), and {path}:{n} starts the "
                                f"application with {server}, which {how} (importing the module skips the __main__ "
                                "block); nothing in the repository runs the file as a script"}
    return None
