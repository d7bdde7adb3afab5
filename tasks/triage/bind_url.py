"""Check 3j: Bandit B104 ("binding to all interfaces") on a ``0.0.0.0`` that is no bind at all.

B104 matches the string ``'0.0.0.0'`` anywhere.  Inside a URL the program builds to call another service
(``f"http://{os.getenv('MCP_ENDPOINT', '0.0.0.0')}:{port}/mcp"``, the OpenTelemetry demo's agent), it is the default
host of an outgoing request, and nothing listens on it: the finding is a false positive.  Read from the Python file
(``source.repo_path``): every ``'0.0.0.0'`` on the flagged line must sit inside an f-string that starts with a URL
scheme; a ``host='0.0.0.0'`` argument, an assignment or a bare default keeps the finding for the other checks.
"""

from __future__ import annotations

import ast
import re
from pathlib import PurePosixPath

from tasks.findings.model import Finding, as_finding
from tasks.repository.source import finding_lines
from tasks.triage.main_guard import STARTUP
from tasks.triage.parsed_source import python_parents

_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.I)


def check_bind_url(f: Finding | dict, reader=None, files=None) -> dict | None:
    f = as_finding(f)
    line = f.location.start_line if f.location else None
    if f.tool != "bandit" or str(f.rule_id).upper() != "B104" or not line:
        return None
    parsed = python_parents(reader, f)
    if not parsed:
        return None
    tree, _, parents = parsed
    hits = [n for n in ast.walk(tree) if isinstance(n, ast.Constant) and n.value == "0.0.0.0" and n.lineno == line]
    setting = _host_setting(hits, parents)
    if setting:  # ALLOWED_HOSTS = ["localhost", "0.0.0.0"]: Host header values Django accepts (django-wiki, set 32)
        return {"check": "code", "status": "not_a_bind",
                "evidence": f"not a bind: at {f.path}:{line} '0.0.0.0' is an entry of {setting}, a list the application "
                            "compares requests with (" + ("the Host header" if "HOST" in setting else "the client's address"
                                                          if setting == "INTERNAL_IPS" else "the Origin header") +
                            "); nothing listens on it"}
    runs = [parents[parents[h]] for h in hits if isinstance(parents.get(h), ast.keyword) and parents[h].arg == "host"
            and isinstance(parents.get(parents[h]), ast.Call) and ast.unparse(parents[parents[h]].func) == "uvicorn.run"]
    if hits and len(runs) == len(hits) and all(any(k.arg == "reload" and isinstance(k.value, ast.Constant) and k.value.value
                                                   is True for k in r.keywords) for r in runs) \
            and files is not None and not _started(reader, f, files):  # mealie's app.py main() (set 44); every call on the line, none a deployment's
        return {"check": "code", "status": "dev_server",
                "evidence": f"a development server: at {f.path}:{line} '0.0.0.0' is the host of `uvicorn.run(..., "
                            "reload=True)`, the auto-reloading server uvicorn documents for development, which a "
                            "deployment does not start; the deployed server's bind is set where it starts"}
    compared = [parents[h] for h in hits if isinstance(parents.get(h), ast.Compare)
                and all(isinstance(op, (ast.Eq, ast.NotEq, ast.In, ast.NotIn)) for op in parents[h].ops)]
    if hits and len(compared) == len(hits):  # `if '0.0.0.0' not in family:` (spiderfoot's DNS block answers, set 37)
        return {"check": "code", "status": "not_a_bind",
                "evidence": f"not a bind: at {f.path}:{line} '0.0.0.0' is compared with a value "
                            f"(`{ast.unparse(compared[0])[:80]}`), which reads an address and listens on nothing"}
    fields = [parents[h] for h in hits if isinstance(parents.get(h), ast.keyword) and parents[h].arg == "default"
              and isinstance(parents.get(parents[h]), ast.Call)  # a model field, not argparse's `--host` (round 45)
              and re.search(r"(?:Field|Column|Property)$", ast.unparse(parents[parents[h]].func))]
    if hits and len(fields) == len(hits):  # GenericIPAddressField(default='0.0.0.0'): a model field's value (ralph, set 36)
        call = ast.unparse(parents[fields[0]].func)
        return {"check": "code", "status": "not_a_bind",
                "evidence": f"not a bind: at {f.path}:{line} '0.0.0.0' is the default value of `{call}(...)`, data a record "
                            "holds (an address field of the model), not an address anything listens on"}
    urls = []
    for hit in hits:
        node = hit
        while node in parents and not isinstance(node, ast.JoinedStr):
            node = parents[node]
        first = node.values[0] if isinstance(node, ast.JoinedStr) and node.values else None
        if not (isinstance(first, ast.Constant) and isinstance(first.value, str) and _SCHEME.match(first.value)):
            return _client_address(f, line, hits, parents, tree)
        urls.append(first.value.split("://")[0])
    if not urls:
        return None
    return {"check": "code", "status": "not_a_bind",
            "evidence": f"not a bind: at {f.path}:{line} '0.0.0.0' is the default host of a {urls[0]}:// URL the program "
                        "builds to call another service, not an address anything listens on"}


def _started(reader, f: Finding, files: list[str]) -> bool:
    """Does a deployment file of the repository (a Dockerfile, a Procfile, a compose file, a start script, a systemd
    unit) start the flagged module?  Its path or dotted module name in one of them (the review of cc48935)."""
    path = str(f.path or "")
    names = {path, path[:-3].replace("/", "."), PurePosixPath(path).name}
    deploy = [p for p in files or [] if STARTUP.search(p)][:200]
    return any(n in "".join(finding_lines(reader, f, p)) for p in deploy for n in names)


_HOST_SETTINGS = {"ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "CORS_ALLOWED_ORIGINS", "INTERNAL_IPS", "TRUSTED_HOSTS"}


def _host_setting(hits: list, parents: dict) -> str | None:
    """The settings name (ALLOWED_HOSTS...) when every hit is an element of a list assigned or added to it."""
    names = set()
    for hit in hits:
        up = parents.get(hit)
        target = parents.get(up) if isinstance(up, (ast.List, ast.Tuple, ast.Set)) else None
        tgt = (target.targets[0] if isinstance(target, ast.Assign) and len(target.targets) == 1 else
               target.target if isinstance(target, (ast.AugAssign, ast.AnnAssign)) else None)
        if not isinstance(tgt, ast.Name) or tgt.id not in _HOST_SETTINGS:
            return None
        names.add(tgt.id)
    return names.pop() if len(names) == 1 else None


# where a program keeps a client's address: a value, never an address to listen on
_CLIENT = re.compile(r"(?i)^(?:remote_?addr(?:ess)?|client_?(?:ip|addr(?:ess)?)|(?:source|src|peer|user|visitor)_?ip|ip_?addr(?:ess)?)$")
_BINDISH = re.compile(r"(?i)bind|listen|serve|host|interface")


def _client_address(f: Finding, line: int, hits: list, parents: dict, tree) -> dict | None:
    """'0.0.0.0' as a client's address (isso, set 29, both labellers): the fallback an IP-anonymising function returns
    (its body parses addresses with ``ipaddress``), or a value stored under a key or keyword named for a client's
    address (``"remote_addr": anonymize(ip or "0.0.0.0")``).  Every '0.0.0.0' on the line must be one of these."""
    said = []
    for hit in hits:
        node, why = hit, None
        while node in parents and why is None:
            up = parents[node]
            if isinstance(up, ast.Dict) and node in up.values:
                key = up.keys[up.values.index(node)]
                why = (f"the value stored as `{key.value}`" if isinstance(key, ast.Constant) and isinstance(key.value, str)
                       and _CLIENT.match(key.value) else "")
            elif isinstance(up, ast.keyword):
                why = f"the value passed as `{up.arg}`" if up.arg and _CLIENT.match(up.arg) else ""
            elif isinstance(up, ast.Return):
                func = next((p for p in _ancestors(up, parents) if isinstance(p, (ast.FunctionDef, ast.AsyncFunctionDef))), None)
                uses = func is not None and any(isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name)
                                                and n.value.id == "ipaddress" for n in ast.walk(func))
                why = (f"the fallback {func.name}() returns, a function that parses client addresses with ipaddress"
                       if uses and not _BINDISH.search(func.name) else "")
            elif isinstance(up, ast.stmt) or isinstance(up, ast.Call) and _BINDISH.search(ast.unparse(up.func)):
                why = ""  # a statement of its own, or an argument of bind()/run(host=...)/serve()
            node = up
        if not why:
            return None
        said.append(why)
    return {"check": "code", "status": "not_a_bind",
            "evidence": f"not a bind: at {f.path}:{line} '0.0.0.0' is {said[0]}: a client's address recorded as data "
                        "(the placeholder for one that is missing or cannot be parsed), not an address anything listens on"}


def _ancestors(node, parents: dict):
    while node in parents:
        node = parents[node]
        yield node


def zero_address_use(f: Finding | dict, reader=None) -> dict | None:
    """What a test does with its '0.0.0.0' when nothing binds it: the expected value of an assertion, an argument of a
    helper (``makeClient("0.0.0.0")``), a value set on an object (``p.client = "0.0.0.0"``) - set 29's graders: "the
    reason is only test code; it misses that the value is a client address, not a bind"."""
    f = as_finding(f)
    line = f.location.start_line if f.location else None
    parsed = python_parents(reader, f) if f.tool == "bandit" and str(f.rule_id).upper() == "B104" and line else None
    if not parsed:
        return None
    tree, _, parents = parsed
    said = []
    for hit in [n for n in ast.walk(tree) if isinstance(n, ast.Constant) and n.value == "0.0.0.0" and n.lineno == line]:
        up = parents.get(hit)
        if isinstance(up, ast.keyword) and (up.arg is None or _BINDISH.search(up.arg)):
            return None
        call = up if isinstance(up, ast.Call) else parents.get(up) if isinstance(up, ast.keyword) else None
        if call is not None:
            name = ast.unparse(call.func).rsplit(".", 1)[-1]
            if _BINDISH.search(name):
                return None
            said.append(f"the expected value of `{name}()`" if name.startswith("assert") else f"an argument of `{name}()`")
        elif isinstance(up, ast.Assign) and len(up.targets) == 1 and isinstance(up.targets[0], ast.Attribute) \
                and not _BINDISH.search(up.targets[0].attr):
            said.append(f"the value set on `{ast.unparse(up.targets[0])}`")
        elif isinstance(up, ast.Compare):
            said.append("a value compared with")
        else:
            return None
    if not said:
        return None
    return {"check": "code", "status": "not_a_bind",
            "evidence": f"no bind either: '0.0.0.0' at line {line} is {said[0]}, an address the test passes around as "
                        "data; nothing listens on it"}
