"""A pickle deserialisation fix (Bandit B301, Semgrep's pickle rules) written for the call in the code.

The catalogue's fix shows ``json.loads(payload)`` next to ``yaml.safe_load``
whatever the code does; a blind review found it under a Flask view that
unpickles a base64 cookie: the YAML line did not apply, the writer
(``pickle.dumps`` where the cookie is set) was not mentioned, so switching
the reader alone breaks the app, and JSON in a cookie still lets the client
write ``"admin": true``.  Here the flagged ``X = pickle.loads(EXPR)`` keeps
its own target and argument (``cookie = json.loads(base64.b64decode(cookie))``);
the writer must change in the same commit; and when the code shown reads
the value from a request's cookies or headers, the answer says it must be
signed as well.  Another shape (``pickle.load(f)``, a call in an
expression) keeps the catalogue's prose without its example.

May import: the standard library.
"""

from __future__ import annotations

import ast
import re

_CLIENT = re.compile(r"\brequest\.(?:cookies|COOKIES|headers|META)\b|\breq\.(?:cookies|headers)\b")
_BLOCK = re.compile(r":\n```python\n.*?```", re.S)


def _call(line: str) -> tuple[str, str] | None:
    """(target, argument source) of ``target = pickle.loads(arg)`` / ``cPickle.loads`` on one line, or None."""
    try:
        tree = ast.parse(line.strip())
    except (SyntaxError, ValueError):
        return None
    node = tree.body[0] if len(tree.body) == 1 else None
    if not isinstance(node, ast.Assign) or len(node.targets) != 1 or not isinstance(node.value, ast.Call):
        return None
    func, args = node.value.func, node.value.args
    if not (isinstance(func, ast.Attribute) and func.attr == "loads" and isinstance(func.value, ast.Name)
            and func.value.id in ("pickle", "cPickle", "_pickle") and len(args) == 1 and not node.value.keywords):
        return None
    return ast.unparse(node.targets[0]), ast.unparse(args[0])


def fit(pattern: str, code: dict | None, line: int | None) -> str:
    """The catalogue's deserialisation advice fitted to the flagged ``pickle.loads`` line, or without its example."""
    code = code or {}
    lines = str(code.get("text") or "").splitlines()
    at = (line or 0) - int(code.get("start_line") or 0)
    found = _call(lines[at]) if 0 <= at < len(lines) else None
    if not found:  # a pickle call of another shape: the prose stays, the json-or-yaml example goes
        flagged = lines[at] if 0 <= at < len(lines) else ""
        return _BLOCK.sub(".", pattern, count=1) if "pickle" in flagged else pattern
    target, arg = found
    text = (f"Do not unpickle data that can come from outside: `pickle.loads` runs the code the bytes name. Read a "
            f"data-only format instead; on line {line}:\n```python\n{target} = json.loads({arg})\n```\n"
            "(with `import json`). Whatever writes this value with `pickle.dumps` must write `json.dumps` in the same "
            "change, or every value written before fails to load.")
    client = _CLIENT.search("\n".join(lines[:at + 1]))
    if client:
        sign = ("Django's `django.core.signing.dumps(...)` / `signing.loads(...)`" if re.search(r"COOKIES|META", client.group(0))
                else "Flask's `session`, or `itsdangerous.URLSafeSerializer(secret_key).dumps(...)` / `.loads(...)`")
        text += (" The value comes from the client (a cookie or header): JSON stops the code execution, but the client "
                 f"can still write any field it likes (an `\"admin\": true`), so sign it as well - {sign}, which "
                 "rejects a changed value.")
    return text
