"""A command-injection fix (Bandit B602/B605, CWE-78 in Python) written from the flagged call, not a catalogue one.

Blind graders found ``subprocess.run(["convert", src_path, dst_path])``
under ``subprocess.Popen(command, shell=True)`` and ``os.system(cmd)``: an
example about another program, with names the code does not have.  Here the
flagged statement is read with ``ast`` (``statement``: the smallest window of
lines around the flagged one that parses as one statement holding the sink
call).  When the command is a string built from literal text and values
(``"nslookup " + params["domain"]``, ``"echo %s" % x``, ``.format``, an
f-string), on the line or in the nearest assignment above it in the same
function, the call is shown rewritten: the same callee without ``shell=True``
and with the command as a list (``["nslookup", params["domain"]]``), each value
one argument; ``os.system(cmd)`` becomes ``subprocess.run([...])`` and
``os.popen(cmd).read()`` ``subprocess.run([...], capture_output=True,
text=True).stdout``.  Literal text with shell syntax (quotes, pipes,
redirections, globs) has no list form: then, as for a command that arrives
whole (a parameter, another call's result), the advice is one sentence with
the call's own names and no example.

May import: the standard library.
"""

from __future__ import annotations

import ast
import re
import textwrap

_SHELL_SYNTAX = re.compile(r"[;&|<>$`'\"\\(){}*?\[\]~\n#]")
_DEF = re.compile(r"^\s*(?:async\s+)?def\s")


def statement(lines: list[str], at: int, wanted) -> tuple[ast.Module, int, int] | None:
    """(tree, first, last) of the smallest window around line index ``at`` that parses as one statement for
    which ``wanted(tree)`` holds (a line inside a call's arguments can parse as a tuple of its own)."""
    for first in range(at, max(at - 8, -1), -1):
        for last in range(at, min(at + 12, len(lines))):
            chunk = textwrap.dedent("\n".join(lines[first:last + 1]))
            try:
                tree = ast.parse(chunk)
            except (SyntaxError, ValueError):
                continue
            if len(tree.body) == 1 and wanted(tree):
                return tree, first, last
            break
    return None


def _sink(node) -> str | None:
    """'system' / 'popen' for os.system/os.popen, 'shell' for any call with shell=True, else None."""
    if not isinstance(node, ast.Call) or not node.args:
        return None
    name = ast.unparse(node.func)
    if name in ("os.system", "system"):
        return "system"
    if name in ("os.popen", "popen"):
        return "popen"
    if any(k.arg == "shell" and isinstance(k.value, ast.Constant) and k.value.value is True for k in node.keywords):
        return "shell"
    return None


def text_parts(node, percent, value=lambda v: v) -> list | None:
    """Literal text (str) and values (AST nodes) of a string built by +, %, str.format or an f-string, or None for
    another shape.  ``percent(template, values)`` reads a ``%`` template into pieces (its caller's conversions);
    ``value`` is what each formatted value becomes (a command's ``str(value)``, a query's value as it is).
    Shared by the command fix here and the query fix (tasks.fixes.sql_fit)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = text_parts(node.left, percent, value), text_parts(node.right, percent, value)
        return None if left is None or right is None else left + right
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and isinstance(node.left, ast.Constant) \
            and isinstance(node.left.value, str):
        values = node.right.elts if isinstance(node.right, ast.Tuple) else [node.right]
        pieces = percent(node.left.value, values)
        return None if pieces is None else interleave(pieces, values, value)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format" \
            and isinstance(node.func.value, ast.Constant) and isinstance(node.func.value.value, str) and not node.keywords:
        pieces = node.func.value.value.split("{}")
        if len(pieces) != len(node.args) + 1 or re.search(r"[{}]", "".join(pieces)):
            return None
        return interleave(pieces, node.args, value)
    if isinstance(node, ast.JoinedStr):
        out = []
        for v in node.values:
            if isinstance(v, ast.Constant):
                out.append(v.value)
            elif isinstance(v, ast.FormattedValue) and v.conversion == -1 and v.format_spec is None:
                out.append(value(v.value))
            else:
                return None
        return out
    if isinstance(node, (ast.Name, ast.Attribute, ast.Subscript, ast.Call)):
        return [node]
    return None


def _percent(template: str, values: list) -> list[str] | None:
    """A command's % template: %s, %d and %r take a value; a literal %% stays one %."""
    pieces = re.split(r"%[sdr]", template)
    if len(pieces) != len(values) + 1 or "%" in "".join(pieces).replace("%%", ""):
        return None
    return [p.replace("%%", "%") for p in pieces]


def _parts(node) -> list | None:
    """Literal text and values of a command, each value as the text the shell receives (``str(value)``)."""
    return text_parts(node, _percent, _text)


def _text(node):
    """A value that %, str.format or an f-string turned into text: ``str(value)`` in a list (a number stays text)."""
    return node if _is_str_call(node) or isinstance(node, ast.Constant) else ast.Call(ast.Name("str"), [node], [])


def interleave(pieces: list[str], values: list, value=lambda v: v) -> list:
    """Literal pieces with ``value`` of each value between them."""
    out: list = []
    for i, piece in enumerate(pieces):
        out.append(piece)
        if i < len(values):
            out.append(value(values[i]))
    return out


def argv(parts: list) -> list | None:
    """The command as list items (AST nodes): literal words split on spaces, each value one argument; None when
    the literal text uses shell syntax, or no value comes in (a constant command is not the problem)."""
    if not any(not isinstance(p, str) for p in parts):
        return None
    if any(isinstance(p, str) and _SHELL_SYNTAX.search(p) for p in parts):
        return None
    words: list[list] = [[]]
    for p in parts:
        if not isinstance(p, str):
            words[-1].append(p)
            continue
        for i, chunk in enumerate(re.split(r"[ \t]+", p)):
            if i:
                words.append([])
            if chunk:
                words[-1].append(chunk)
    items = []
    for word in (w for w in words if w):
        node = None
        for piece in word:
            piece = ast.Constant(piece) if isinstance(piece, str) else piece
            if len(word) > 1 and not isinstance(piece, ast.Constant) and not _is_str_call(piece):
                piece = ast.Call(ast.Name("str"), [piece], [])  # "-n" + count: the value joins a word as text
            node = piece if node is None else ast.BinOp(node, ast.Add(), piece)
        items.append(node)
    if not items or not isinstance(items[0], ast.Constant):
        return None  # the program itself comes in from outside: no fixed program to keep
    return items


def _is_str_call(node) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "str"


def _assigned(lines: list[str], name: str, below: int) -> ast.expr | None:
    """The value of the nearest ``name = ...`` above line index ``below``, inside the same function."""
    for i in range(below - 1, -1, -1):
        if _DEF.match(lines[i]):
            return None
        if re.match(rf"^\s*{re.escape(name)}\s*=(?!=)", lines[i]):
            found = statement(lines, i, lambda t: isinstance(t.body[0], ast.Assign))
            return found[0].body[0].value if found else None
    return None


def fit(pattern: str, lines: list[str], start_line: int, line: int | None) -> str:
    """The command-injection advice for the flagged call: the call rewritten, or one sentence in its names."""
    at = (line or 0) - start_line
    found = statement(lines, at, lambda t: any(_sink(n) for n in ast.walk(t))) if 0 <= at < len(lines) else None
    if not found:
        return _CATALOGUE_BLOCK.sub(".", pattern, count=1) if "```" in pattern else pattern
    tree, first, last = found
    call = next(n for n in ast.walk(tree) if _sink(n))
    kind, command = _sink(call), call.args[0]
    source = command
    if isinstance(command, ast.Name):
        source = _assigned(lines, command.id, first) or command
    items = argv(_parts(source) or [])
    said = ast.unparse(call.func)
    where = f"line {line}" if first == last else f"lines {start_line + first}-{start_line + last}"
    chunk = textwrap.dedent("\n".join(lines[first:last + 1]))
    written = " ".join((ast.get_source_segment(chunk, command) or ast.unparse(command)).split())  # its own quotes
    if items is None:
        return _sentence(kind, said, written, call)
    new = _rewritten(tree, call, kind, items)
    if new is None:
        return _sentence(kind, said, written, call)
    program = items[0].value if isinstance(items[0], ast.Constant) else None
    note = (f" A value that starts with `-` is still read as an option of `{program}`: check it, or put `--` before it "
            f"where `{program}` accepts that." if program and len(items) > 1 and not isinstance(items[1], ast.Constant)
            else "")
    imports = " (with `import subprocess` if the file does not import it yet)" if kind != "shell" else ""
    return (f"Run the program without a shell and pass each value as its own list item, so `;`, `|` or `$( )` in it "
            f"are not interpreted; {where}{imports}:\n```python\n{new}\n```\n" + note.strip())


_CATALOGUE_BLOCK = re.compile(r":\n```python\n.*?```", re.S)


def _rewritten(tree: ast.Module, call: ast.Call, kind: str, items: list) -> str | None:
    listed = ast.List(items, ast.Load())
    if kind == "shell" and not re.search(r"(?:^|\.)(?:Popen|run|call|check_call|check_output)$", ast.unparse(call.func)):
        return None  # B604: shell=True to another function, which may not take a list
    if kind == "shell":
        call.args[0] = listed
        call.keywords = [k for k in call.keywords if k.arg != "shell"]
        return ast.unparse(ast.fix_missing_locations(tree))
    run = ast.Call(ast.Attribute(ast.Name("subprocess"), "run"), [listed], [])
    parent = {c: p for p in ast.walk(tree) for c in ast.iter_child_nodes(p)}
    if kind == "system":
        if not isinstance(tree.body[0], ast.Expr) or tree.body[0].value is not call:
            return None  # its wait status is used: subprocess's return code is not the same number
        tree.body[0].value = run
        return ast.unparse(ast.fix_missing_locations(tree))
    read = parent.get(call)
    outer = parent.get(read)
    if not (isinstance(read, ast.Attribute) and read.attr == "read" and isinstance(outer, ast.Call) and not outer.args):
        return None
    run.keywords = [ast.keyword("capture_output", ast.Constant(True)), ast.keyword("text", ast.Constant(True))]
    replacement = ast.Attribute(run, "stdout", ast.Load())
    holder = parent.get(outer)
    for field, value in ast.iter_fields(holder):
        if value is outer:
            setattr(holder, field, replacement)
        elif isinstance(value, list):
            setattr(holder, field, [replacement if v is outer else v for v in value])
    return ast.unparse(ast.fix_missing_locations(tree))


def _sentence(kind: str, said: str, command: str, call: ast.Call) -> str:
    """No faithful rewrite: the advice in the call's own names, without an example."""
    kept = ", ".join(f"`{ast.unparse(k)}`" for k in call.keywords if k.arg not in ("shell", None))
    keep = f" (keeping {kept})" if kept else ""
    target = f"`{said}`" if kind == "shell" else "`subprocess.run`"
    return (f"`{command}` reaches `{said}` as one whole command line, which a shell interprets: build the command as a "
            f"list of a fixed program and its arguments where it is put together, and pass that list to {target}{keep} "
            "without `shell=True`. Quoting or filtering a whole command line does not make it safe.")
