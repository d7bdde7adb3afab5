"""A "SQL string" that is no SQL: a log or history message that begins with a SQL verb.

Semgrep's ``tainted-sql-string`` flags a string built with request data when it starts with ``select``, ``delete``,
``insert``, ``create``, ``update``, ``alter`` or ``drop``.  PowerDNS-Admin writes ``History(msg='Delete zone
{0}'.format(name))`` and ``logger.info('Delete API key {0}'.format(key.id))`` (held-out set 30, both labellers:
false positive): English sentences, stored through the ORM or written to a log, never run as SQL.  The check reads
the flagged lines: every string on them that starts with such a verb must lack the statement's own shape (``DELETE
FROM``, ``INSERT INTO``, ``UPDATE x SET``, ``SELECT ... FROM``, ``CREATE/ALTER/DROP TABLE``...), and none may reach a
call that runs SQL (``execute``, ``text``, ``raw``...).  A SQL-shaped string stays as reported.

In JavaScript and TypeScript the rule's string need only *contain* a verb (``.*\\b(create|...)\\b.*``), so
audiobookshelf's ``Logger.warn(`[UserController] create: Invalid permission key: ${key}`)`` is flagged (held-out set 48,
both labellers: a log line).  There the flagged lines must be one logging call (``Logger``, ``logger``, ``log``,
``console``) whose only argument is that message, and the message must have no statement's shape after its verb.

May import: ``tasks.findings``, ``tasks.triage.parsed_source``.
"""

from __future__ import annotations

import ast
import re

from tasks.findings.model import Finding, as_finding
from tasks.triage.parsed_source import JS_SUFFIXES, finding_lines, flagged_python

_RULE = re.compile(r"(?i)tainted[-_]sql[-_]string")
_VERB = re.compile(r"(?i)^\s*(select|delete|insert|create|update|alter|drop)\b")
_SQL = re.compile(r"(?is)^\s*(?:select\b.+?\bfrom\b|select\s+[\w*.,\s()]+$|delete\s+from\b|insert\s+(?:or\s+\w+\s+)?into\b"
                  r"|update\s+\S+\s+set\b|(?:create|alter|drop)\s+(?:or\s+replace\s+|temporary\s+|unique\s+|if\s+\w+\s+)*"
                  r"(?:table|index|view|schema|database|sequence|trigger|function|procedure|type|extension)\b)")
_RUNS_SQL = {"execute", "executemany", "executescript", "text", "raw", "query", "mogrify", "extra", "read_sql", "sql"}


def _text(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    return None


def check_sql_shape(f: Finding | dict, reader=None) -> dict | None:
    """{"check": "code", "status": "not_sql", "evidence"} when the flagged strings are messages, not SQL."""
    f = as_finding(f)
    if str(f.path or "").endswith(JS_SUFFIXES) and _RULE.search(str(f.rule_id)):
        return _js_log_message(f, reader)
    parsed = flagged_python(f, reader, _RULE)
    if parsed is None:
        return None
    tree, _, parents = parsed
    loc = f.location
    end = max(loc.end_line or loc.start_line, loc.start_line)
    strings = [n for n in ast.walk(tree) if isinstance(n, (ast.Constant, ast.JoinedStr)) and loc.start_line <= n.lineno <= end
               and not isinstance(parents.get(n), ast.JoinedStr) and _VERB.match(_text(n) or "")]
    if not strings:
        return None
    sinks = []
    for node in strings:
        if _SQL.match(_text(node) or ""):
            return None
        up, sink = parents.get(node), None
        while up is not None and not isinstance(up, ast.stmt):
            if isinstance(up, ast.Call):
                name = ast.unparse(up.func).rsplit(".", 1)[-1]
                if name in _RUNS_SQL:
                    return None
                sink = sink if name in ("format", "join") else up
            up = parents.get(up)
        sinks.append(sink)
    shown = " ".join((_text(strings[0]) or "").split())[:60]
    where = f", passed to `{ast.unparse(sinks[0].func)}()`" if sinks[0] is not None else ""
    return {"check": "code", "status": "not_sql",
            "evidence": f"not SQL: the string at {f.path}:{strings[0].lineno}, '{shown}', only begins with a SQL verb; it "
                        f"has no statement's shape (a DELETE names FROM, an INSERT INTO, an UPDATE SET){where}, and no "
                        "call on the line runs SQL, so it is a message, not a query"}


_JS_LOG = re.compile(r"^\s*(?:await\s+)?(?:this\.)?(?:Logger|logger|log|console)\.(?:warn|warning|error|info|debug|log|trace|"
                     r"verbose|fatal)\(\s*(`|'|\")((?:\\.|(?!\1)[^\\])*)\1\s*\)\s*;?\s*(?://.*)?$")
_JS_VERB = re.compile(r"(?i)\b(?:select|delete|insert|create|update|alter|drop)\b")


def _js_log_message(f: Finding, reader) -> dict | None:
    """The JavaScript branch: the flagged line is one logging call whose message only mentions a SQL verb."""
    loc = f.location
    if reader is None or not loc or not loc.start_line or (loc.end_line or loc.start_line) != loc.start_line:
        return None
    lines = finding_lines(reader, f)
    if not 0 < loc.start_line <= len(lines):
        return None
    m = _JS_LOG.match(lines[loc.start_line - 1].rstrip("\n"))
    verbs = list(_JS_VERB.finditer(m.group(2))) if m else []
    if not verbs or any(_SQL.match(m.group(2)[v.start():]) for v in verbs):
        return None
    call = m.group(0).strip().split("(", 1)[0]
    shown = " ".join(m.group(2).split())[:70]
    return {"check": "code", "status": "not_sql",
            "evidence": f"not SQL: {f.path}:{loc.start_line} is a log line, `{call}(...)` with the message '{shown}'; "
                        f"'{verbs[0].group(0)}' is a word of that sentence, the message has no statement's shape (a "
                        "DELETE names FROM, an INSERT INTO, an UPDATE SET) and the line runs no query, so the value it "
                        "interpolates reaches the log, not a database"}
