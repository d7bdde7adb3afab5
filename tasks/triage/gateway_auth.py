"""Check 3g: an API Gateway method open at the gateway (Checkov CKV_AWS_59, ``authorization = "NONE"``)
whose Lambda checks the caller's token itself.

Authorisation at the gateway is one place to check a caller; a Lambda
proxy integration (``AWS_PROXY``) hands the whole request, headers
included, to the function, which may verify a JWT itself.  Then the route
is not open: the finding is a false positive when the repository shows all
of this (``source.repo_path``), each step with its ``file:line``:

* the flagged ``aws_api_gateway_method`` (its resource's ``path_part``s up
  to the API root give the route; a ``{proxy+}`` part gives up);
* the ``aws_api_gateway_integration`` of that method, ``AWS_PROXY``, with
  ``uri = aws_lambda_function.NAME.invoke_arn``;
* that function's ``handler`` (``module.function``, a Python runtime) and
  its code from the ``archive_file`` its ``filename`` is built by
  (``source_file``, or ``source_dir`` + ``module.py``);
* in that code, every comparison with the route's path (``event["path"] ==
  "/xss"``) sits inside ``if CHECK(event...)`` (or after ``if not
  CHECK(...): return``), where ``CHECK`` is a function of the same file that
  verifies a JWT with a key (``jwt.decode(token, key, ...)`` without
  ``verify=False`` or ``verify_signature: False``).

No handler found, another runtime, a route the code does not name, or one
comparison outside the check: the finding is left as it is.  A GET method
whose Lambda only returns a page bundled with it is a public page
(tasks.triage.lambda_page).
"""

from __future__ import annotations

import ast
import posixpath
import re
from functools import lru_cache

from tasks.findings.model import Finding, as_finding
from tasks.repository.source import finding_lines
from tasks.triage.lambda_page import static_page

RULES = {"CKV_AWS_59"}
MAX_TF_FILES = 40
_REF = re.compile(r"^(aws_[\w]+)\.([\w-]+)\.(\w+)$")


@lru_cache(maxsize=16)
def _blocks(text: str) -> list[dict]:
    """Terraform ``resource``/``data`` blocks: {kind, type, name, line, attrs (name -> expression text)}; a module's
    files are parsed once per run (cached by text), not once per finding.  Callers must not change the result."""
    from tree_sitter_language_pack import get_parser

    root = get_parser("hcl").parse(text.encode()).root_node
    out = []
    for body in (c for c in root.named_children if c.type == "body"):
        for block in (c for c in body.named_children if c.type == "block"):
            kids = block.named_children
            labels = [c.text.decode().strip('"') for c in kids if c.type == "string_lit"]
            inner = next((c for c in kids if c.type == "body"), None)
            if not kids or kids[0].text.decode() not in ("resource", "data") or len(labels) != 2:
                continue
            attrs = {}
            for a in (inner.named_children if inner is not None else []):
                if a.type == "attribute" and len(a.named_children) >= 2:
                    attrs[a.named_children[0].text.decode()] = a.named_children[1].text.decode().strip()
            out.append({"kind": kids[0].text.decode(), "type": labels[0], "name": labels[1],
                        "line": block.start_point[0] + 1, "attrs": attrs})
    return out


def _literal(expr: str | None) -> str | None:
    if expr and re.fullmatch(r'"[^"$]*"', expr):
        return expr[1:-1]
    return None


def _ref(expr: str | None) -> tuple[str, str, str] | None:
    m = _REF.match(expr or "")
    return (m.group(1), m.group(2), m.group(3)) if m else None


class _Module:
    """The blocks of the Terraform files in one folder, by (type, name)."""

    def __init__(self, f: Finding, reader, files: list[str]):
        folder = posixpath.dirname(f.path)
        self.folder = folder
        self.by: dict[tuple[str, str, str], tuple[str, dict]] = {}
        tfs = [p for p in files if posixpath.dirname(p) == folder and p.endswith(".tf")][:MAX_TF_FILES]
        for path in tfs:
            lines = finding_lines(reader, f, path)
            for b in _blocks("".join(lines)) if lines else []:
                self.by[(b["kind"], b["type"], b["name"])] = (path, b)

    def get(self, kind: str, type_: str, name: str):
        return self.by.get((kind, type_, name))

    def of_type(self, kind: str, type_: str):
        return [(p, b) for (k, t, _), (p, b) in self.by.items() if k == kind and t == type_]


def _route(mod: _Module, resource_expr: str) -> str | None:
    parts, seen = [], 0
    ref = _ref(resource_expr)
    while ref and ref[0] == "aws_api_gateway_resource" and seen < 20:
        hit = mod.get("resource", ref[0], ref[1])
        part = _literal(hit[1]["attrs"].get("path_part")) if hit else None
        if not part or "{" in part:
            return None
        parts.append(part)
        ref, seen = _ref(hit[1]["attrs"].get("parent_id")), seen + 1
    if not parts or not ref or ref[2] != "root_resource_id":
        return None
    return "/" + "/".join(reversed(parts))


def _integration(mod: _Module, method: dict, resource_expr: str):
    """The AWS_PROXY integration of the method (matched by the method's name or its resource and verb)."""
    verb = _literal(method["attrs"].get("http_method"))
    for path, b in mod.of_type("resource", "aws_api_gateway_integration"):
        a = b["attrs"]
        res, how = _ref(a.get("resource_id")), _ref(a.get("http_method"))
        same_res = res == ("aws_api_gateway_method", method["name"], "resource_id") or a.get("resource_id") == resource_expr
        same_verb = how == ("aws_api_gateway_method", method["name"], "http_method") or (verb and _literal(a.get("http_method")) == verb)
        if same_res and same_verb and _literal(a.get("type")) == "AWS_PROXY":
            return path, b
    return None


def _handler_file(mod: _Module, fn: dict, files: list[str]) -> tuple[str, str] | None:
    """(source file, handler function name) of a Python or Node.js Lambda packaged by an ``archive_file``."""
    a = fn["attrs"]
    handler, runtime, zip_name = _literal(a.get("handler")), _literal(a.get("runtime")), _literal(a.get("filename"))
    ext = ".py" if (runtime or "").startswith("python") else ".js" if (runtime or "").startswith("nodejs") else None
    if not handler or "." not in handler or not ext or not zip_name:
        return None
    module, func = handler.rsplit(".", 1)
    rel = lambda p: posixpath.normpath(posixpath.join(mod.folder, p.replace("${path.module}/", "")))
    for _, b in mod.of_type("data", "archive_file"):
        if _literal(b["attrs"].get("output_path")) and rel(_literal(b["attrs"]["output_path"])) == rel(zip_name):
            src_file, src_dir = _literal(b["attrs"].get("source_file")), _literal(b["attrs"].get("source_dir"))
            want = rel(src_file) if src_file else rel(posixpath.join(src_dir, module.replace(".", "/") + ext)) if src_dir else None
            if want and want in files and (not src_file or posixpath.basename(want) == module + ext):
                return want, func
    return None


def _verifies_jwt(fn: ast.FunctionDef) -> int | None:
    """The line where ``fn`` verifies a JWT with a key, None if it never does or switches verification off
    (``verify=False``, ``verify_signature: False``, the ``none`` algorithm)."""
    hit = None
    for node in ast.walk(fn):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute) or node.func.attr != "decode":
            continue
        owner = node.func.value
        if not (isinstance(owner, ast.Name) and owner.id.lower() in ("jwt", "jose_jwt", "pyjwt")):
            continue
        text = ast.unparse(node)
        if re.search(r"verify\s*=\s*False|verify_signature['\"]?\s*:\s*False|['\"]none['\"]", text, re.IGNORECASE):
            return None
        if len(node.args) >= 2 or any(k.arg in ("key", "secret") for k in node.keywords):
            hit = hit or node.lineno
    return hit if hit and _passes_only_after_decode(fn) else None


def _is_decode(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "decode"
               for n in ast.walk(node))


def _passes_only_after_decode(fn: ast.FunctionDef) -> bool:
    """Whether every ``return`` of a value other than False/None follows a ``jwt.decode`` in its own block (or
    holds one): a check that also says yes another way (a header, a flag) is no verification."""
    parents = {c: p for p in ast.walk(fn) for c in ast.iter_child_nodes(p)}
    for ret in (n for n in ast.walk(fn) if isinstance(n, ast.Return) and n.value is not None):
        if isinstance(ret.value, ast.Constant) and ret.value.value in (False, None, 0, ""):
            continue
        if _is_decode(ret.value):
            continue
        block = next((getattr(parents[ret], f) for f in ("body", "orelse", "finalbody", "handlers")
                      if isinstance(getattr(parents[ret], f, None), list) and ret in getattr(parents[ret], f)), [])
        if not any(_is_decode(s) for s in block[:block.index(ret)] if block):
            return False
    return True


def _guard_name(test: ast.expr, checks: dict[str, int]) -> tuple[str, bool] | None:
    """(check name, negated) when ``test`` is ``CHECK(...)`` or ``not CHECK(...)`` for a verifying function."""
    neg = isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not)
    call = test.operand if neg else test
    if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id in checks:
        return call.func.id, neg
    return None


def _guarded(node: ast.AST, parents: dict, checks: dict[str, int]) -> tuple[str, int] | None:
    """(check, line) of the token check every path to ``node`` passes, else None."""
    child = node
    while child in parents:
        parent = parents[child]
        if isinstance(parent, ast.If):
            g = _guard_name(parent.test, checks)
            if g and ((not g[1] and child in parent.body) or (g[1] and child in parent.orelse)):
                return g[0], parent.lineno
        for field in ("body", "orelse"):
            stmts = getattr(parent, field, None)
            if isinstance(stmts, list) and child in stmts:
                for s in stmts[:stmts.index(child)]:  # an early exit: if not CHECK(event): return ...
                    g = _guard_name(s.test, checks) if isinstance(s, ast.If) else None
                    if g and g[1] and s.body and isinstance(s.body[-1], (ast.Return, ast.Raise)):
                        return g[0], s.lineno
        if isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return None
        child = parent
    return None


def _route_checked(text: str, func: str, route: str) -> dict | None:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    defs = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    if func not in defs:
        return None
    checks = {name: line for name, d in defs.items() if name != func and (line := _verifies_jwt(d))}
    parents = {c: p for p in ast.walk(defs[func]) for c in ast.iter_child_nodes(p)}
    hits = []
    for node in ast.walk(defs[func]):
        if isinstance(node, ast.Compare):
            values = [node.left] + list(node.comparators)
            values += [e for v in values if isinstance(v, (ast.Tuple, ast.List, ast.Set)) for e in v.elts]
            if any(isinstance(v, ast.Constant) and v.value == route for v in values):
                hits.append(node)
    if not hits or not checks:
        return None
    guards = [_guarded(h, parents, checks) for h in hits]
    if not all(guards):
        return None
    name, at = guards[0]
    return {"route_line": hits[0].lineno, "check": name, "check_line": at, "verify_line": checks[name]}


def check_gateway_auth(f: Finding | dict, reader=None, index=None) -> dict | None:
    """A false-positive reason for CKV_AWS_59 when the integrated Lambda verifies the caller's JWT, else None."""
    f = as_finding(f)
    files = getattr(index, "files", None) if index is not None else None
    if f.tool != "checkov" or str(f.rule_id).upper() not in RULES or reader is None or not files or not f.path \
            or not f.path.endswith(".tf") or not f.location or not f.location.start_line:
        return None
    try:
        mod = _Module(f, reader, files)
    except Exception:  # noqa: BLE001 - no parser, unreadable HCL: no evidence
        return None
    method = next((b for p, b in mod.of_type("resource", "aws_api_gateway_method")
                   if p == f.path and b["line"] == f.location.start_line), None)
    if method is None or (_literal(method["attrs"].get("authorization")) or "").upper() != "NONE":
        return None
    res_expr = method["attrs"].get("resource_id") or ""
    route = _route(mod, res_expr)
    integ = _integration(mod, method, res_expr) if route else None
    target = _ref(integ[1]["attrs"].get("uri")) if integ else None
    fn = mod.get("resource", "aws_lambda_function", target[1]) if target and target[0] == "aws_lambda_function" else None
    src = _handler_file(mod, fn[1], files) if fn else None
    lines = finding_lines(reader, f, src[0]) if src else []
    found = _route_checked("".join(lines), src[1], route) if lines and src[0].endswith(".py") else None
    verb = (_literal(method["attrs"].get("http_method")) or "").upper()
    page = static_page("".join(lines), src[0], src[1], files) if lines and not found and verb == "GET" else None
    if page:
        return {"check": "code", "status": "public_page",
                "evidence": f"a public web page, not a back-end resource: {f.path}:{method['line']} GET {route} is proxied "
                            f"({integ[0]}:{integ[1]['line']}) to aws_lambda_function.{target[1]} ({fn[0]}:{fn[1]['line']}), "
                            f"whose handler {src[0]} never reads the request and returns the bundled {page['page']} "
                            f"({src[0]}:{page['line']}) as text/html, the same page for every caller"}
    if not found:
        return None
    code = src[0]
    return {"check": "code", "status": "lambda_checks_token",
            "evidence": f"the Lambda checks the caller's token itself: {f.path}:{method['line']} "
                        f"{_literal(method['attrs'].get('http_method')) or ''} {route} is proxied "
                        f"({integ[0]}:{integ[1]['line']}) to aws_lambda_function.{target[1]} ({fn[0]}:{fn[1]['line']}), whose "
                        f"handler {code} serves {route} ({code}:{found['route_line']}) only inside "
                        f"`{found['check']}(...)` ({code}:{found['check_line']}), which verifies a JWT with a key "
                        f"({code}:{found['verify_line']} jwt.decode); gateway authorisation would be a second check"}
