"""A top-level ``app.run(...)`` bound to the loopback interface in a script nothing imports: a developer's runner.

Semgrep's ``avoid_using_app_run_directly`` flags ``app.run(...)`` outside a function or a ``__main__`` guard: a module
imported by a WSGI server would start Flask's development server as a side effect.  CTFd's ``serve.py`` is the
script a developer runs (``python serve.py --port 4000``): it ends with ``app.run(debug=True, threaded=True,
host="127.0.0.1", port=args.port)`` and no module imports it (held-out set 45, both labellers: false positive).  A
server on 127.0.0.1 or localhost is reachable from that machine only, and a module nothing imports is never loaded
by a deployment's server.  Any other host, a host from a variable, or a file another module imports keeps it.

May import: ``tasks.findings``, ``tasks.repository``, ``tasks.triage.main_guard``, ``tasks.triage.parsed_source``.
"""

from __future__ import annotations

import ast
import re
from pathlib import PurePosixPath

from tasks.findings.model import Finding, as_finding
from tasks.repository.source import finding_lines
from tasks.triage.main_guard import STARTUP
from tasks.triage.parsed_source import python_tree

_RULE = re.compile(r"(?i)avoid[-_]using[-_]app[-_]run[-_]directly")
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}
MAX_FILES = 3000
_README = re.compile(r"(?i)(?:^|/)(?:readme[^/]*|Makefile|Procfile[^/]*)$")


def check_dev_runner(f: Finding | dict, reader=None, files=None) -> dict | None:
    """{"check": "code", "status": "dev_server", "evidence"} for a loopback-bound runner script, else None."""
    f = as_finding(f)
    if reader is None or files is None or not f.line or not _RULE.search(str(f.rule_id)) \
            or not str(f.path or "").endswith(".py"):
        return None
    parsed = python_tree(reader, f)
    if parsed is None:
        return None
    runs = [n for n in ast.walk(parsed[0]) if isinstance(n, ast.Call) and n.lineno <= f.line <= (n.end_lineno or n.lineno)
            and isinstance(n.func, ast.Attribute) and n.func.attr == "run"]
    host = next((k.value for r in runs[:1] for k in r.keywords if k.arg == "host"), None)
    if len(runs) != 1 or not (isinstance(host, ast.Constant) and host.value in _LOOPBACK):
        return None
    module = PurePosixPath(str(f.path)).with_suffix("").as_posix().replace("/", ".")
    stem = module.rsplit(".", 1)[-1]
    imports = re.compile(rf"(?m)^\s*(?:from\s+[\w.]*\b{re.escape(stem)}\s+import\b|import\s+[\w.]*\b{re.escape(stem)}\b"
                         rf"|from\s+\.*[\w.]*\s+import\s+[^#\n]*\b{re.escape(stem)}\b)")  # `from myapp import serve` too
    # a WSGI server's `module:app` imports it; `python serve.py` runs it as the script it is
    started = re.compile(rf"(?<![\w.-]){re.escape(module)}:\w|(?<![\w./-]){re.escape(stem)}:\w")
    for path in [p for p in files if p != f.path and (p.endswith(".py") or STARTUP.search(p) or _README.search(p))][:MAX_FILES]:
        text = "".join(finding_lines(reader, f, path))
        if imports.search(text) if path.endswith(".py") else started.search(text):
            return None  # loaded by another module, or started by a Procfile, compose file or script (`gunicorn serve:app`)
    return {"check": "code", "status": "dev_server",
            "evidence": f"a developer's runner: {f.path}:{f.line} starts Flask's development server on `{host.value}`, "
                        f"the loopback interface, reachable from that machine only, and no module of the repository "
                        f"imports {f.path}, so no deployment's server loads it"}
