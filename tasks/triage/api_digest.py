"""A weak digest a remote API demands: the client sends what the service compares, it does not choose the hash.

pyload's hoster plugins log in to twojlimit.pl with ``data["hash_password"] = md5(password).hexdigest()`` and call
stream.cz's API with an ``Api-Password`` header that ``get_api_password()`` builds with MD5 (held-out set 42: both
labellers false positive; round 46's graders called "move to SHA-256" a fix that breaks the login).  The service
computes the same digest on its side, so another hash is refused; the weakness, if any, is the service's protocol.

Recognised in Python (the file parsed), when the digest at the flagged line is

* stored under a string key of a mapping the same function then sends (``data["hash_password"] = ...`` with an HTTP
  call in the function: ``self.load(``, ``requests.``, ``urlopen(``, ``..._query(``, ``api_request(``) whose
  arguments hold that mapping (or a name filled from it), or whose function in the file sends the same key; never
  when the function also stores anything (a database insert, a save, a write: the code's own choice of hash), or
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
    body = ast.unparse(func)
    if "sha1" in ast.unparse(digests[0].func) and re.search(r"api\.pwnedpasswords\.com/range/", body) and re.search(
            r"\[:5\]", body):  # flask-security's pwned() (round 56): k-anonymity, five hex digits sent, the rest local
        return _reason(f, line, "HaveIBeenPwned's range API (`api.pwnedpasswords.com/range/`), which takes the first "
                                "five hex digits of the password's SHA-1 and returns the suffixes to compare locally; "
                                "nothing is stored")
    stmt = next((s for s in ast.walk(func) if isinstance(s, (ast.Assign, ast.Return)) and s.lineno <= line
                 <= (s.end_lineno or s.lineno)), None)
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Subscript) \
            and isinstance(stmt.targets[0].slice, ast.Constant) and isinstance(stmt.targets[0].slice.value, str):
        sent = _sends_mapping(tree, func, ast.unparse(stmt.targets[0].value), stmt.targets[0].slice.value)
        if sent:
            return _reason(f, line, f"the `{stmt.targets[0].slice.value}` field of the request "
                                    f"{func.name}() then sends (`{sent}`)")
    returned = _returned(func, stmt)
    if returned:
        for m in _HEADER.finditer(source):
            name, var = m.group(1) or m.group(3), m.group(2) or m.group(4)
            if re.search(rf"\b{re.escape(var)}\s*=\s*(?:self\.)?{re.escape(func.name)}\(", source):
                at = source[:m.start()].count("\n") + 1
                return _reason(f, line, f"the `{name}` header of the request (line {at}), from what {func.name}() returns")
    return None


_STORES = re.compile(r"(?i)insert|save|update|commit|write|store|persist|dump|upsert|replace|put_item|\bset$|\badd$")


def _sends_mapping(tree, func, target: str, key: str) -> str | None:
    """The HTTP call (its text) of ``func`` that sends the mapping ``target`` the digest is stored in: the mapping (or a
    name the function fills from it) among the call's arguments, or a call to a function of the file whose own HTTP
    call sends the same ``["key"]``; None when the function also stores anything (insert, save, update, write, ...)
    or no call sends the mapping itself."""
    calls = [c for c in ast.walk(func) if isinstance(c, ast.Call)]
    if any(_STORES.search(ast.unparse(c.func).rsplit(".", 1)[-1]) for c in calls):
        return None  # a digest written to a database or file is the code's own choice of hash
    word = re.compile(rf"(?<![\w.]){re.escape(target)}(?![\w(])")
    names = {target} | {t.id for a in ast.walk(func) if isinstance(a, ast.Assign) and word.search(ast.unparse(a.value))
                        for t in a.targets if isinstance(t, ast.Name)}
    held = re.compile("|".join(rf"(?<![\w.]){re.escape(n)}(?![\w(])" for n in sorted(names)))
    keyed = re.compile(rf"\[\s*['\"]{re.escape(key)}['\"]\s*\]")
    defs = {d.name: d for d in ast.walk(tree) if isinstance(d, (ast.FunctionDef, ast.AsyncFunctionDef)) and d is not func}
    for call in calls:
        text = ast.unparse(call.func) + "("
        if not _SENDS.search(text):
            continue
        args = " ".join(ast.unparse(a) for a in [*call.args, *(k.value for k in call.keywords)])
        if held.search(args):
            return text
        callee = defs.get(text[:-1].rsplit(".", 1)[-1])
        if callee is not None and any(
                isinstance(c, ast.Call) and _SENDS.search(ast.unparse(c.func) + "(") and keyed.search(
                    " ".join(ast.unparse(a) for a in [*c.args, *(k.value for k in c.keywords)]))
                for c in ast.walk(callee)):
            return text
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
