"""A rule's mechanism said of the flagged call itself: "`subprocess.Popen(command, ..., shell=True)` hands `command` to
``/bin/sh -c``" rather than the same rule-level paragraph in every row.

Held-out graders counted the mechanism sentences of tasks.enrich.mechanisms
as catalogue text: the lint's shared-paragraph check found them verbatim in
many rows.  For the Bandit rules whose mechanism is one call (exec, eval,
pickle, yaml.load, a shell, urlopen, requests without a timeout; B608's
values pasted into SQL), and other tools' Python rules of the same CWE, the
flagged statement is parsed (tasks.fixes.shell_fit.statement, from the
scanner's snippet or the source reader's code) and the sentence names the
call as written and the argument it takes.  Where no such call is on the
flagged line, None: the rule-level sentence stays (tasks.enrich.mechanisms).

May import: ``tasks.findings``, ``tasks.fixes``.
"""

from __future__ import annotations

import ast
import dataclasses
import re
import textwrap

from tasks.findings.model import Finding, as_finding

MAX_CALL = 70


def _name(node: ast.Call) -> str:
    return ast.unparse(node.func)


def _shell(node: ast.Call) -> bool:
    return any(k.arg == "shell" and isinstance(k.value, ast.Constant) and k.value.value is True for k in node.keywords)


# rule -> (is this call the sink, sentence with {call} and {arg})
TIED = {
    "B102": (lambda c: _name(c) == "exec",
             "`{call}` runs whatever Python `{arg}` holds with this process's rights; it is exploitable only if part of "
             "`{arg}` can come from outside."),
    "B307": (lambda c: _name(c) == "eval",
             "`{call}` evaluates any Python expression `{arg}` holds, `__import__('os').system(...)` included, with this "
             "process's rights; `ast.literal_eval` parses literals only."),
    "B301": (lambda c: bool(re.search(r"(?:^|\.)(?:loads?|Unpickler)$", _name(c))),
             "`{call}` calls the constructors the pickled data in `{arg}` names (`__reduce__`), so whoever wrote those "
             "bytes runs code in this process; it is safe only for data this program wrote and nobody else can change."),
    "B506": (lambda c: _name(c) in ("yaml.load", "load", "yaml.load_all", "load_all"),
             "`{call}` builds the Python objects its loader allows from the tags in `{arg}`: under `UnsafeLoader` (and the "
             "default or `FullLoader` of PyYAML before 5.4) `!!python/object/apply` runs code; `yaml.safe_load` builds "
             "plain types only."),
    "B602": (_shell,
             "`{call}` hands `{arg}` to `/bin/sh -c`, which also runs what follows `;`, `|`, `$( )` or backticks in it; "
             "it is exploitable when any part of `{arg}` comes from outside."),
    "B605": (lambda c: bool(re.search(r"(?:^|\.)(?:system|popen\d?|spawn\w*|startfile)$", _name(c))),
             "`{call}` runs `{arg}` through a shell, so `;`, `|` or `$( )` in any outside part of it runs extra commands."),
    "B310": (lambda c: bool(re.search(r"(?:^|\.)(?:urlopen|Request|urlretrieve|URLopener)$", _name(c))),
             "`{call}` also opens `file://` and other schemes, so if `{arg}` can come from outside it can read local "
             "files; it is safe when `{arg}` is a constant or its scheme is checked to be http(s)."),
    "B113": (lambda c: bool(re.match(r"(?:requests|httpx)\.(?:get|post|put|patch|delete|head|options|request)$", _name(c))),
             "requests has no default timeout, so a server that accepts the connection and never answers blocks "
             "`{call}` for good; `timeout=(connect, read)` bounds it."),
}


def _src(chunk: str, node) -> str:
    """The code of ``node`` as written (its own quotes), on one line."""
    return " ".join((ast.get_source_segment(chunk, node) or ast.unparse(node)).split())


def _said(chunk: str, call: ast.Call, rule: str) -> str:
    """The call as written, shortened to its callee, first argument and (for a shell) ``shell=True``."""
    text = _src(chunk, call)
    if len(text) <= MAX_CALL:
        return text
    first = _src(chunk, call.args[0]) if call.args else ""
    if not first and call.keywords and call.keywords[0].arg:  # `requests.get(url=..., ...)` had "requests.get(, ...)"
        first = f"{call.keywords[0].arg}={_src(chunk, call.keywords[0].value)}"  # (netbox, round 47)
        first = first if len(first) <= MAX_CALL // 2 else f"{call.keywords[0].arg}=..."
    tail = ", shell=True" if rule == "B602" else ""
    rest = ", ..." if len(call.args) + len(call.keywords) > (1 + bool(tail)) else ""
    rest = rest if first else rest.lstrip(", ")
    return f"{_src(chunk, call.func)}({first}{rest}{tail})"


def _sql_values(lines: list[str], at: int) -> tuple[str, list] | None:
    """B608: (chunk, the values spliced into the SQL text) of the flagged statement."""
    from tasks.fixes.shell_fit import statement
    from tasks.fixes.sql_fit import _SQL, _parts

    def built(tree):
        for node in ast.walk(tree):
            parts = _parts(node) if isinstance(node, (ast.BinOp, ast.JoinedStr, ast.Call)) else None
            if parts and any(isinstance(p, str) and _SQL.search(p) for p in parts) and any(not isinstance(p, str) for p in parts):
                return [p for p in parts if not isinstance(p, str)]
        return None

    found = statement(lines, at, lambda t: built(t) is not None)
    if not found:
        return None
    return textwrap.dedent("\n".join(lines[found[1]:found[2] + 1])), built(found[0])


# another tool's Python rule, by its CWE: the Bandit entries whose call it is about
BY_CWE = {"CWE-78": ("B602", "B605"), "CWE-77": ("B602", "B605"), "CWE-89": ("B608",), "CWE-94": ("B102", "B307"),
          "CWE-95": ("B102", "B307"), "CWE-502": ("B301", "B506")}


def tied(f: Finding | dict, code: dict | None = None) -> str | None:
    """The rule's mechanism sentence about the flagged call, or None (another rule, no such call on the line)."""
    f = as_finding(f)
    rule = str(f.rule_id).upper()
    if f.tool != "bandit":  # Semgrep, CodeQL: a Python rule whose CWE names one of these calls
        if not (f.path or "").endswith(".py") or f.kind != "code":
            return None
        tried = [r for cwe in f.cwe or [] for r in BY_CWE.get(cwe, ())]
        return next((t for t in (tied(dataclasses.replace(f, tool="bandit", rule_id=r), code)
                                 for r in dict.fromkeys(tried)) if t), None)
    if rule == "B608":
        return _sql(f, code)
    if rule not in TIED:
        return None
    from tasks.fixes.patches import code_of
    from tasks.fixes.shell_fit import statement

    c = code_of(f, code)
    if c is None or not c.exact:
        return None
    at = c.target[0] - c.start_line
    sink, sentence = TIED[rule]
    if not 0 <= at < len(c.lines):
        return None

    def calls(tree):
        return [n for n in ast.walk(tree) if isinstance(n, ast.Call) and sink(n)]

    found = statement(c.lines, at, lambda t: bool(calls(t)))
    if not found:
        return None
    tree, first, last = found
    chunk = textwrap.dedent("\n".join(c.lines[first:last + 1]))
    call = calls(tree)[0]
    arg = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg in ("url", "args", "stream")), None)
    if arg is None or isinstance(arg, ast.Constant):
        return None  # "`os.popen('uptime')` runs `'uptime'` through a shell ... any outside part" says nothing of a constant
    said_arg = _src(chunk, arg)
    if len(said_arg) > 50:
        return None  # a long expression quoted twice reads worse than the rule's sentence
    text = sentence.format(call=_said(chunk, call, rule), arg=said_arg)
    if rule == "B113":  # a blocked call stops one worker, or in a coroutine the whole event loop
        above = [l for l in c.lines[:first + 1] if re.match(r"^\s*(?:async\s+)?def\s", l)]
        text += (" Inside this `async def` it blocks the whole event loop, not one request."
                 if above and re.match(r"^\s*async\s", above[-1]) else "")
    return text


def _sql(f: Finding, code: dict | None) -> str | None:
    from tasks.fixes.patches import code_of

    c = code_of(f, code)
    at = c.target[0] - c.start_line if c is not None and c.exact else -1
    found = _sql_values(c.lines, at) if 0 <= at < len(c.lines) else None
    if not found:
        return None
    chunk, values = found
    said = [_src(chunk, v) for v in values]
    said = list(dict.fromkeys(s for s in said if len(s) <= 40))[:3]
    if not said:
        return None
    names = " and ".join(f"`{s}`" for s in said)
    verb = "are" if len(said) > 1 else "is"
    return (f"{names} {verb} pasted into the SQL text, so a quote that ends a quoted value, or any text where a value is "
            "not quoted, is read as SQL (a second condition, a UNION, another statement where the driver allows it); "
            "bound parameters send the values apart from the SQL text.")
