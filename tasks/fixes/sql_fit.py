"""A SQL-injection fix for a DB-API ``execute`` written from the flagged query, not the catalogue's users table.

A blind review found ``cursor.execute("SELECT * FROM users WHERE username =
%s ...")`` under ``cur.execute("INSERT INTO sensor_temperature (sensor_name,
temperature) VALUES ('%s',%s)" % (sensor_name, event_dict['reading']))``: true in
general, about nothing in this code.  Here the flagged statement (or the
assignment it is, with the ``X.execute(name)`` that runs it in the lines
below) is read with ``ast``; a query built by ``%``, ``str.format``, ``+`` or
an f-string keeps every character of its SQL text, each value becomes a
placeholder and goes, in order, into the parameters tuple of the same call:
``cur.execute("INSERT ... VALUES (%s,%s)", (sensor_name, event_dict['reading']))``.

A value is a parameter only where SQL takes a value: between quotes (the
quotes go) or after ``=``, ``(``, ``,``, a comparison, ``IN (``, ``LIKE``,
``LIMIT`` or ``OFFSET``.  Anywhere else (a table or column name, part of a
quoted string such as ``'%' + x + '%'``) no placeholder replaces it, and
``fit`` answers None.  The placeholder is ``%s`` (psycopg2, PyMySQL,
MySQLdb, Django's cursor), ``?`` when the code uses ``sqlite3`` directly.
A query run by anything but ``execute``/``executemany`` (Cosmos DB's
``query_items``, an ORM) is another API: None.

May import: the standard library, ``tasks.fixes.shell_fit``.
"""

from __future__ import annotations

import ast
import re

from tasks.fixes.shell_fit import statement, text_parts

_SQL = re.compile(r"(?i)\b(?:select|insert|update|delete|replace)\b")
_VALUE_BEFORE = re.compile(r"(?i)(?:[=(,<>]|\bin\s*\(|\blike|\blimit|\boffset|\bvalues\s*\()\s*$")


def _execute(tree) -> ast.Call | None:
    return next((n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
                 and n.func.attr in ("execute", "executemany") and len(n.args) == 1 and not n.keywords), None)


def _percent(template: str, values: list) -> list[str] | None:
    """A query's % template: %s and %d take a value; a literal %% stays one %."""
    pieces = re.split(r"%[sd]", template.replace("%%", "\0"))
    if len(pieces) != len(values) + 1 or "%" in "".join(pieces):
        return None
    return [p.replace("\0", "%") for p in pieces]


def _parts(node) -> list | None:
    """Literal SQL text (str) and values (AST nodes), or None for another shape (tasks.fixes.shell_fit.text_parts)."""
    return text_parts(node, _percent)


def parameterised(parts: list, mark) -> tuple[str, list] | None:
    """(SQL text with placeholders, values in order), or None where a value is not in a value position."""
    merged: list = []
    for p in parts:  # "c.name =" + "'" + name + "'" + "and ...": adjacent literals are one text
        if isinstance(p, str) and merged and isinstance(merged[-1], str):
            merged[-1] += p
        else:
            merged.append(p)
    parts = [p for p in merged if not (isinstance(p, str) and p == "")]
    if not any(isinstance(p, str) and _SQL.search(p) for p in parts):
        return None
    text, values = "", []
    escape = (lambda s: s.replace("%", "%%")) if mark == "%s" else (lambda s: s)
    for i, part in enumerate(parts):
        if isinstance(part, str):
            text += escape(part)
            continue
        after = parts[i + 1] if i + 1 < len(parts) and isinstance(parts[i + 1], str) else ""
        if text.endswith("'") and after.startswith("'"):
            text, parts[i + 1] = text[:-1], after[1:]
            if re.match(r"\w", parts[i + 1]):  # `'...'and`: the quote kept the words apart
                parts[i + 1] = " " + parts[i + 1]
        elif not _VALUE_BEFORE.search(text) or text.count("'") % 2:
            return None  # an identifier, or part of a quoted string: no placeholder stands for it
        if isinstance(part, ast.Call) and isinstance(part.func, ast.Attribute) and part.func.attr == "join":
            return None  # `IN ('%s')` % "','".join(xs): one placeholder per item, not one for the joined text (round 50)
        text += mark(part) if callable(mark) else mark
        values.append(part)
    return (text, values) if values else None


def fit(lines: list[str], start_line: int, line: int, below: str = "", code_text: str = "") -> str | None:
    """The flagged query rewritten with bound parameters in its own ``execute`` call, as advice text; None when
    the query or its call is of another shape."""
    at = line - start_line
    found = statement(lines, at, lambda t: _execute(t) is not None or isinstance(t.body[0], ast.Assign))
    if not found:
        return None
    tree, first, last = found
    call = _execute(tree)
    shown = tree
    if call is None:  # query = "..." + x here, cur.execute(query) below
        assign = tree.body[0]
        if len(assign.targets) != 1 or not isinstance(assign.targets[0], ast.Name):
            return None
        name = assign.targets[0].id
        rest = (below or "").splitlines()[last - at + 1:last - at + 25] if below else lines[last + 1:last + 25]
        runs = [r for r in rest if re.search(rf"\.execute(?:many)?\(\s*{re.escape(name)}\s*\)", r)]
        if not runs:
            return _cosmos(name, assign.value, rest)
        run = statement(rest, rest.index(runs[0]), lambda t: _execute(t) is not None)
        if not run:
            return None
        shown, call, query = run[0], _execute(run[0]), assign.value
    else:
        query = call.args[0]
    direct = re.search(r"\b(?:sqlite3|pyodbc)\b", code_text) and "django" not in code_text  # Django's cursor takes %s
    mark = "?" if direct else "%s"
    result = parameterised(_parts(query) or [], mark)
    if result is None:
        return None
    text, values = result
    call.args = [ast.Constant(text), ast.Tuple(values, ast.Load())]
    new = ast.unparse(ast.fix_missing_locations(shown))
    where = (f"line {line}" if first == last else f"lines {start_line + first}-{start_line + last}") if shown is tree \
        else "the call that runs it"
    names = ", ".join(f"`{ast.unparse(v)}`" for v in values)
    names += " as query parameters" if len(values) > 1 else " as a query parameter"
    marks = ("`?` is the placeholder of sqlite3 and pyodbc" if mark == "?" else
             "`%s` is the placeholder of psycopg2, PyMySQL, MySQLdb and Django's cursor; sqlite3 takes `?`")
    return (f"Keep the SQL text constant and pass {names}, which the driver sends apart from the "
            f"text; {where}:\n```python\n{new}\n```\n{marks}. Table or column names cannot be parameters: choose them "
            "from an allowlist.")


def _cosmos(name: str, query, rest: list[str]) -> str | None:
    """Azure Cosmos DB's ``query_items``: ``@name`` in the query text and ``parameters=[{"name": "@name", ...}]``."""
    if not any(".query_items(" in r for r in rest):
        return None
    result = parameterised(_parts(query) or [], lambda v: "@" + (v.id if isinstance(v, ast.Name) else "value"))
    if result is None or len({ast.unparse(v) for v in result[1]}) != len(result[1]):
        return None
    text, values = result
    if len({f"@{v.id}" if isinstance(v, ast.Name) else "@value" for v in values}) != len(values):
        return None
    params = ", ".join(f'{{"name": "@{v.id if isinstance(v, ast.Name) else "value"}", "value": {ast.unparse(v)}}}'
                       for v in values)
    new = ast.unparse(ast.Assign([ast.Name(name)], ast.Constant(text), lineno=1))
    return (f"The query runs through Cosmos DB's `query_items`, not a DB-API cursor: keep the query text constant with a "
            f"named parameter and pass the value separately:\n```python\n{new}\n```\nand give `query_items` "
            f"`parameters=[{params}]` next to the query.")
