"""A Python log call whose message names a credential but whose values are no secret.

Semgrep's ``python-logger-credential-disclosure`` matches a logger call whose format string mentions a password,
token or secret: mealie's ``logger.info("changing password for %s", user.username)`` (round 48: the row told the
team to rotate a credential the file does not hold; the grader: it logs only the user's name).  What a log line
discloses is what it interpolates.  The flagged call's values -- its positional arguments after the message, an
f-string's fields -- must each be an identity or a count (``user.username``, ``email``, ``user_id``, ``len(items)``),
or there must be none; any other value (``token``, ``pw``, ``request.headers``, a call) keeps the finding.

May import: ``tasks.findings``, ``tasks.triage.parsed_source``.
"""

from __future__ import annotations

import ast
import re

from tasks.findings.model import Finding, as_finding
from tasks.triage.parsed_source import finding_source, parsed_tree

_RULE = re.compile(r"(?i)logger-credential-disclosure|log(?:ger|ging)?[-_](?:secret|password|credential)")
_LOG = re.compile(r"^(?:logger|logging|log|_logger|LOGGER|LOG|self\.logger|self\.log|current_app\.logger|app\.logger)\."
                  r"(?:debug|info|warning|warn|error|exception|critical|log)$")
# an account's identity or a count: what a log line may say about a user
_IDENTITY = re.compile(r"(?i)^(?:user_?name|login|email|e_?mail|name|full_?name|display_?name|id|pk|uid|user_?id|"
                       r"account_?id|slug|title|group|group_?name|role|count|total|n|household(?:_id)?|tenant(?:_id)?)$")


# a value written after the credential's name in the message itself: "password is hunter", "password=Secret" (b336798)
_WRITTEN = re.compile(r"(?i)(?:pass(?:word|wd|phrase)?|secret|token|api[-_ ]?key)\s*(?:is|=|:)\s*(?!%[-\d.]*[srdif]|\{)\S")
_TOKEN = re.compile(r"(?=[A-Za-z0-9+/=_-]*\d)(?=[A-Za-z0-9+/=_-]*[A-Za-z])[A-Za-z0-9+/=_-]{8,}")


def _name(node) -> str:
    return node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""


def _identity(node) -> bool:
    if isinstance(node, ast.Constant):
        return node.value is None or isinstance(node.value, (bool, int, float))  # a literal string may be the secret
    if isinstance(node, ast.Call) and _name(node.func) == "len":
        return True
    return isinstance(node, (ast.Name, ast.Attribute)) and bool(_IDENTITY.match(_name(node)))


def check_log_secret(f: Finding | dict, reader=None) -> dict | None:
    """{"check": "code", "status": "logs_no_secret", "evidence"} for a credential-named log line of identities only."""
    f = as_finding(f)
    if f.tool != "semgrep" or not _RULE.search(str(f.rule_id or "")) or not str(f.path or "").endswith(".py") or not f.line:
        return None
    source = finding_source(reader, f)
    try:
        tree = parsed_tree(source, len(source))[0] if source else None
    except (SyntaxError, ValueError, RecursionError):
        return None
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and n.lineno == f.line
             and _LOG.match(ast.unparse(n.func))] if tree is not None else []
    if len(calls) != 1 or not calls[0].args:
        return None
    message, rest = calls[0].args[0], calls[0].args[1:]
    if isinstance(message, ast.JoinedStr):
        rest = rest + [v.value for v in message.values if isinstance(v, ast.FormattedValue)]
    elif not isinstance(message, ast.Constant) or not isinstance(message.value, str):
        return None
    values = rest + [k.value for k in calls[0].keywords if k.arg not in ("exc_info", "stack_info", "stacklevel", "extra")]
    extra = [k.value for k in calls[0].keywords if k.arg == "extra"]  # a JSON formatter writes `extra` too
    if extra and not (isinstance(extra[0], ast.Dict) and all(_identity(v) for v in extra[0].values)):
        return None
    values += extra[0].values if extra else []
    text = message.value if isinstance(message, ast.Constant) else "".join(
        str(v.value) for v in message.values if isinstance(v, ast.Constant))
    if not all(_identity(v) for v in values) or _TOKEN.search(text) or _WRITTEN.search(text):
        return None  # a value, or a key-shaped word written into the message itself (the review of 9a2f23f)
    shown = ", ".join(f"`{ast.unparse(v)[:40]}`" for v in values) if values else "no value"
    return {"check": "code", "status": "logs_no_secret",
            "evidence": f"no credential in the log line: {f.path}:{f.line} `{ast.unparse(calls[0].func)}(...)` names a "
                        f"credential only in its message and interpolates {shown}: "
                        f"{'an account' + chr(39) + 's identity or a count' if values else 'nothing'}, never the secret"}
