"""A SQL injection fix (DynamoDB PartiQL, SQLAlchemy ``text()``) written from the statement in the code.

The catalogue's PartiQL example queried ``"users"`` by ``name``; a blind
review found it pasted under code that queried ``"blog-users"`` with an
``authLevel in (...)`` filter, so the fix as written queried a table that
does not exist and dropped the filter.  Here the flagged assignment
(``exec_statement = ('SELECT * FROM "blog-users" where name = \\'' + name +
"' and ...")``) is read with Python's ``ast``: each value spliced between
quotes becomes a ``?`` and a typed entry of ``Parameters`` (``{"S": name}``),
every other character of the statement stays, and the call that runs it
(``responses = client.execute_statement(Statement=exec_statement)``) keeps
its own names.  A value spliced where it is not a quoted string (a table
or attribute name, a number) cannot be told apart here: no statement is
written, and the caller falls back to the prose without the example.
SQLAlchemy's ``db.session.execute(text(sql))`` gets the same treatment with
named placeholders (``:username``) and a dict of values.

May import: the standard library.
"""

from __future__ import annotations

import ast
import re
import textwrap

# the call that runs the statement, with what its line does with the result (``rows = ``, ``return ``)
_CALLS = {"partiql": re.compile(r"(?m)^[ \t]*((?:\w+\s*=\s*|return\s+)?)([\w.]+)\.execute_statement\(\s*"
                                r"Statement\s*=\s*(\w+)\s*\)\s*$"),
          "sqlalchemy": re.compile(r"(?m)^[ \t]*((?:\w+\s*=\s*|return\s+)?)([\w.]+)\.execute\(\s*"
                                   r"((?:sqlalchemy\.)?text)\(\s*(\w+)\s*\)\s*\)\s*$")}
_SQL = re.compile(r"(?i)\b(?:select|insert|update|delete)\b")


def _parts(node) -> list | None:
    """The pieces of a string built with ``+`` or an f-string: str for literal text, an AST node for a value."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _parts(node.left), _parts(node.right)
        return None if left is None or right is None else left + right
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        out = []
        for v in node.values:
            if isinstance(v, ast.Constant) or (isinstance(v, ast.FormattedValue) and v.conversion == -1
                                               and v.format_spec is None):
                out.append(v.value)  # literal text, or the value an f-string puts in as it is
            else:
                return None
        return out
    if isinstance(node, (ast.Name, ast.Attribute, ast.Subscript)):
        return [node]
    return None


def _statement(lines: list[str], at: int) -> tuple[str, ast.expr, int] | None:
    """(target name, value, first line index) of the assignment that holds line index ``at``."""
    for first in range(at, max(at - 6, -1), -1):
        for last in range(at, min(at + 12, len(lines))):
            chunk = textwrap.dedent("".join(lines[first:last + 1]))
            try:
                tree = ast.parse(chunk)
            except (SyntaxError, ValueError):
                continue
            if len(tree.body) == 1 and isinstance(tree.body[0], ast.Assign) and len(tree.body[0].targets) == 1 \
                    and isinstance(tree.body[0].targets[0], ast.Name):
                return tree.body[0].targets[0].id, tree.body[0].value, first
            break  # a whole statement that is no assignment: a wider window would only add more
    return None


def _quote(text: str) -> str:
    if '"' not in text:
        return f'"{text}"'
    if "'" not in text:
        return f"'{text}'"
    if '"""' not in text and not text.endswith('"') and "\\" not in text:
        return f'"""{text}"""'
    return repr(text)


def statement(lines: list[str], start_line: int, line: int, below: str, style: str = "partiql") -> str | None:
    """The fixed statement and call, as Python, for the flagged ``line`` of a window ``lines`` that begins at
    ``start_line``; ``below`` holds the lines after it, where the call is.  None when it cannot be written."""
    lines = [l if l.endswith("\n") else l + "\n" for l in lines]
    at = line - start_line
    if not 0 <= at < len(lines):
        return None
    found = _statement(lines, at)
    if not found:
        return None
    target, value, _ = found
    parts = _parts(value)
    if not parts or not any(isinstance(p, str) and _SQL.search(p) for p in parts):
        return None
    text, params = "", []
    for i, part in enumerate(parts):
        if isinstance(part, str):
            text += part
            continue
        after = parts[i + 1] if i + 1 < len(parts) and isinstance(parts[i + 1], str) else ""
        if not text.endswith("'") or not after.startswith("'"):
            return None  # not a quoted string value: an identifier or a number, which no placeholder replaces
        parts[i + 1] = after[1:]
        if style == "partiql":
            text = text[:-1] + "?"
            params.append(f'{{"S": {ast.unparse(part)}}}')
        else:
            name = part.id if isinstance(part, ast.Name) else f"value{len(params) + 1}"
            name = name if f'"{name}":' not in " ".join(params) else f"{name}{len(params) + 1}"
            text = text[:-1] + f":{name}"
            params.append(f'"{name}": {ast.unparse(part)}')
    call = next((m for m in _CALLS[style].finditer(below or "") if m.group(m.re.groups) == target), None)
    if not params or call is None:
        return None
    result = call.group(1)
    if style == "partiql":
        run = f"{call.group(2)}.execute_statement(Statement={target}, Parameters=[{', '.join(params)}])"
    else:
        run = f"{call.group(2)}.execute({call.group(3)}({target}), {{{', '.join(params)}}})"
    return f"{target} = {_quote(text)}\n{result}{run}"


_BLOCK = re.compile(r":\n```python\n.*?```", re.S)


def fit(pattern: str, code: dict | None, line: int | None, style: str = "partiql") -> str:
    """The catalogue's advice with its example replaced by this code's own statement and call; without one (no code,
    a shape not read here), the advice without an example, whose names would be wrong."""
    code = code or {}
    fixed = statement(str(code.get("text") or "").splitlines(True), int(code.get("start_line") or 0), int(line or 0),
                      str(code.get("below") or ""), style) if code.get("text") and line else None
    # the ORM example names a model of its own (User): the code's model is not known here
    pattern = re.sub(r"Or use the ORM \(`[^`]*`\)\.", "Or use the ORM's query methods on the model.", pattern)
    if fixed:
        return _BLOCK.sub(lambda _: f"; for the statement at line {line}:\n```python\n{fixed}\n```", pattern, count=1)
    return _BLOCK.sub(".", pattern, count=1)
