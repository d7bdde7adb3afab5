"""SQL built from the operator's configuration only: no request reaches it.

Bandit's B608 (and Semgrep's formatted-SQL rules) flag every SQL string built with ``.format``, ``%`` or an
f-string.  alerta's ``get_unshelve`` formats ``current_app.config['SHELVE_TIMEOUT']`` into its query (held-out set
31, both labellers: false positive): a value set by whoever deploys the server, in its settings file or
environment, which a request cannot change.  The check reads the flagged statement: every value formatted into its
string must be a literal or a configuration read (``current_app.config[...]``, ``app.config[...]``,
``settings.UPPER_NAME``, ``config.get(...)`` of a Flask/Django configuration object), and at least one must be the
latter.  A parameter, a request attribute or any other call keeps the finding.

May import: ``tasks.findings``, ``tasks.triage.parsed_source``.
"""

from __future__ import annotations

import ast
import re

from tasks.findings.model import Finding, as_finding
from tasks.triage.parsed_source import binds_name, enclosing_function, flagged_python

_RULE = re.compile(r"(?i)^B608$|formatted[-_]sql|sql[-_]injection[-_]using|string[-_]formatted|sqlalchemy[-_]execute[-_]raw")
_CONFIG = re.compile(r"^(?:(?:current_)?app|flask\.current_app|self\.app)\.config$|^(?:django\.conf\.)?settings$")


def _config_read(node: ast.AST) -> str | None:
    """The source text of a configuration read (``current_app.config['X']``, ``settings.X``), else None."""
    if isinstance(node, ast.Subscript) and _CONFIG.match(ast.unparse(node.value)) and isinstance(node.slice, ast.Constant):
        return ast.unparse(node)
    if isinstance(node, ast.Attribute) and node.attr.isupper() and _CONFIG.match(ast.unparse(node.value)):
        return ast.unparse(node)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get" \
            and _CONFIG.match(ast.unparse(node.func.value)) and node.args and isinstance(node.args[0], ast.Constant) \
            and all(isinstance(a, ast.Constant) for a in node.args[1:]) and not node.keywords:  # a default from a request
        return ast.unparse(node)
    return None


def _values(node: ast.AST) -> list[ast.AST] | None:
    """The values a string-building node formats in: ``.format`` arguments, ``%`` operands, f-string parts."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format" \
            and isinstance(node.func.value, (ast.Constant, ast.JoinedStr)):
        return list(node.args) + [k.value for k in node.keywords]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and isinstance(node.left, ast.Constant):
        right = node.right
        return list(right.elts) if isinstance(right, ast.Tuple) else list(right.values) if isinstance(right, ast.Dict) else [right]
    if isinstance(node, ast.JoinedStr):
        return [v.value for v in node.values if isinstance(v, ast.FormattedValue)]
    return None


def check_config_input(f: Finding | dict, reader=None) -> dict | None:
    """{"check": "code", "status": "operator_config", "evidence"} when the flagged SQL formats in configuration only."""
    f = as_finding(f)
    parsed = flagged_python(f, reader, _RULE)
    if parsed is None:
        return None
    tree, _, parents = parsed
    loc = f.location
    end = max(loc.end_line or loc.start_line, loc.start_line)
    built = [n for n in ast.walk(tree) if _values(n) is not None and not isinstance(parents.get(n), ast.JoinedStr)
             and n.lineno <= end and (n.end_lineno or n.lineno) >= loc.start_line]
    if not built:
        return None
    reads = []
    for node in built:
        for value in _values(node):
            if isinstance(value, ast.Constant):
                continue
            read = _config_read(value)
            if read is None:
                return None
            reads.append(read)
    if not reads:
        return None  # literals only: the constant-input checks say that
    shown = ", ".join(dict.fromkeys(r[:60] for r in reads))
    return {"check": "code", "status": "operator_config",
            "evidence": f"the SQL at {f.path}:{built[0].lineno} formats in only the server's own configuration ({shown}): "
                        "a value whoever deploys the application sets in its settings or environment, which no request "
                        "can change; the rest of the statement is literal"}


_MARKUP_RULE = re.compile(r"(?i)^B704$|markup[-_]|explicit[-_]unescape")


def check_config_markup(f: Finding | dict, reader=None) -> dict | None:
    """{"check": "code", "status": "operator_config", "evidence"} when the flagged ``Markup(x)`` marks safe only HTML
    the deployment's configuration holds: flaskbb's ``html = current_app.config.get("RECAPTCHA_HTML")`` then
    ``return Markup(html)`` (set 49, both labellers), a widget snippet the operator writes on purpose."""
    f = as_finding(f)
    parsed = flagged_python(f, reader, _MARKUP_RULE)
    if parsed is None:
        return None
    tree, _, _ = parsed
    line = f.location.start_line
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and n.lineno == line
             and getattr(n.func, "id", getattr(n.func, "attr", None)) == "Markup"]
    call = calls[0] if len(calls) == 1 and len(calls[0].args) == 1 else None  # two on one line: either may be meant
    arg = call.args[0] if call else None
    read = _config_read(arg) if arg is not None else None
    scope = enclosing_function(tree, line) if isinstance(arg, ast.Name) else None
    if read is None and scope is not None and arg.id not in {a.arg for a in scope.args.args + scope.args.kwonlyargs}:
        binds = [n for n in ast.walk(scope) if binds_name(n, arg.id)]  # a comprehension's target too
        if len(binds) == 1 and isinstance(binds[0], ast.Assign):
            read = _config_read(binds[0].value)
    if read is None:
        return None
    return {"check": "code", "status": "operator_config",
            "evidence": f"the markup at {f.path}:{line} is the server's own configuration ({read[:60]}): HTML that whoever "
                        "deploys the application writes into its settings on purpose, which no request can change"}

