"""Check 3c: constant input -- the flagged sink is called with literals only.

An eval/exec, command or SQL rule asks "can data from outside reach this
call?".  When the call's arguments are literals (JavaScript
``new Function('return this')``, ``vm.runInContext('1 + 1', ctx)``, Python
``subprocess.run([sys.executable, '-m', 'pip', 'install', 'x'])``,
``cursor.execute("SELECT count(*) FROM users")``), nothing can: the finding
is a false positive of the deployed application.

Judged on the code the report shows (Semgrep ``extra.lines``, Bandit
``code``) or, with ``source.repo_path``, the file at the run's commit.  Only a
provably constant call decides: a name, an f-string with a brace, a ``%``,
``+`` or ``.format`` with anything but literals (``"… ('%s')" % ('a', '60.0')``
is constant) or a template ``${`` leaves the finding as it is, and so does a
call that does not close within the text available; with the whole Python
file, tasks.triage.constant_names then follows each name to its bindings.  The evidence shows the
call's shape with every literal elided (``'…'``) except a command's program name and its flags (``['ps', '…']``,
``'-m'``: round 56's grader called ``['…', '…']`` redaction that eats code; any other argument may be a password).
"""

from __future__ import annotations

import ast
import re

from tasks.findings.model import Finding, as_finding
from tasks.findings.secrets import plausible
from tasks.repository.source import finding_lines
from tasks.triage.flow import sink_rule
from tasks.triage.parsed_source import bracketed, finding_source

# calls whose argument becomes code, a command or SQL
_SINK = re.compile(r"(?:\bnew\s+Function|(?<![\w.$])Function|\bnew\s+vm\.Script|\bvm\.(?:runInContext|runInNewContext|runInThisContext)"
                   r"|(?<![\w.])(?:eval|exec|execSync|spawn|spawnSync|execFile|execFileSync|setTimeout|setInterval)"
                   r"|\bchild_process\.\w+|\bsubprocess\.(?:run|call|check_call|check_output|Popen|getoutput|getstatusoutput)"
                   r"|\bos\.(?:system|popen|exec[lv]p?e?|spawn[lv]p?e?)"
                   r"|\.(?:execute|executemany|executescript|query|raw)|(?<![\w.])text"
                   r"|\b(?:fromstring|fromstringlist|parseString|iterparse)"  # XML parsers: the document is the input
                   r"|(?<![\w.])(?:mark_safe|Markup|SafeString))\s*\(")  # HTML marked safe: django-wiki's onclick (set 32)
_NOT_ABOUT_INPUT = re.compile(r"(?i)\bB60[79]\b|partial[-_ ]path|wildcard|start_process_with_partial_path")
_LITERAL_JS = re.compile(r"""\s*(?:'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"|`(?:\\.|[^`\\$]|\$(?!\{))*`)\s*""")
_SQL_CALL = re.compile(r"\.(?:execute|executemany|query|raw)$|(?<![\w.])text$")
_FIRST_ONLY = re.compile(r"vm\.|setTimeout|setInterval|exec|spawn|child_process|query|raw|execute")  # later args: context, options, callback


_PROGRAM = re.compile(r"(?:/[\w.-]+)*/?[a-z][a-z0-9_+-]{0,30}")  # `ps`, `git`, `/usr/bin/convert`
_FLAG = re.compile(r"-[A-Za-z]|--[a-z][a-z0-9-]{1,30}")  # `-m`, `--force`: never `-pSecret` nor `--token=x`


def _literal(value: str, quote: str = "'", program: bool = False) -> str:
    """A string literal as the evidence shows it: a program's name (an argv's first item) or a flag as
    written, anything else elided - an argument may be a password (`sshpass -p bluesky`: the attack on round 56's
    mend), so no other word is shown, however plain."""
    shown = _FLAG.fullmatch(value) or program and _PROGRAM.fullmatch(value) and not plausible(value)
    return f"{quote}{value}{quote}" if shown else "'…'"


def _py_shape(node, program: bool = False) -> str | None:
    """The elided shape of a constant Python expression, None when any part is not constant; ``program``: the node is
    a command's first word."""
    if isinstance(node, ast.Constant):
        return (_literal(node.value, program=program) if isinstance(node.value, str) else "'…'") \
            if isinstance(node.value, (str, bytes)) else repr(node.value)
    if isinstance(node, ast.JoinedStr) and all(isinstance(v, ast.Constant) for v in node.values):
        return "'…'"
    if isinstance(node, (ast.List, ast.Tuple)):
        parts = [_py_shape(e, program and i == 0) for i, e in enumerate(node.elts)]
        if None in parts:
            return None
        shown = parts if len(parts) <= 6 else parts[:5] + ["…"]
        return ("[{}]" if isinstance(node, ast.List) else "({})").format(", ".join(shown))
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and (node.value.id, node.attr) == ("sys", "executable"):
        return "sys.executable"
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mod, ast.Add)):  # "… ('%s')" % ('a', 'b'), 'a' + 'b'
        left, right = _py_shape(node.left), _py_shape(node.right)
        return f"{left} {'%' if isinstance(node.op, ast.Mod) else '+'} {right}" if left and right else None
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format"
            and isinstance(node.func.value, ast.Constant) and isinstance(node.func.value.value, str)):
        shown = [_py_shape(a) for a in node.args] + [_py_shape(k.value) if k.arg else None for k in node.keywords]
        return None if None in shown else f"'…'.format({', '.join(shown)})"
    return None


def _kw_shape(node) -> str | None:
    """A keyword's value: a constant, or one of subprocess's own stream constants (stdout=subprocess.PIPE)."""
    if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "subprocess"
            and node.attr in ("PIPE", "DEVNULL", "STDOUT")):
        return f"subprocess.{node.attr}"
    return _py_shape(node)


def _python(callee: str, args: str) -> str | None:
    try:
        call = ast.parse(f"_({args})", mode="eval").body
    except (SyntaxError, ValueError):
        return None
    if not isinstance(call, ast.Call) or not call.args:
        return None
    if _SQL_CALL.search(callee):  # the SQL text is the first argument; the rest are bound parameters, sent apart
        first = _py_shape(call.args[0])
        more = len(call.args) > 1 or call.keywords
        return f"{callee}({first}{', <bound parameters>' if more else ''})" if first else None
    if re.search(r"(?i)system|popen|shell|subprocess|\bcall\b|\brun\b|exec", callee) and any(
            isinstance(a, ast.Constant) and isinstance(a.value, str) and re.search(r"[$`]", a.value) for a in call.args):
        return None  # `convert $SRC out.png`: a shell expands the environment's value into the literal (the review)
    command = bool(re.search(r"(?i)subprocess|spawn|exec[lv]|\bcall\b|\brun\b|check_output|popen", callee))
    shown = [_py_shape(a, command and i == 0 and isinstance(a, (ast.List, ast.Tuple))) for i, a in enumerate(call.args)] + [f"{k.arg}={_kw_shape(k.value)}" if k.arg and _kw_shape(k.value) else None
                                                  for k in call.keywords]
    return None if None in shown else f"{callee}({', '.join(shown)})"


def _javascript(callee: str, args: str) -> str | None:
    first = _LITERAL_JS.match(args)
    if not first:
        return None
    rest = args[first.end():]
    if rest and not rest.startswith(","):
        return None  # 'a' + b, 'a'.concat(b), a template with a call after it
    if "Function" in callee:  # every argument of new Function becomes code
        pos, count = 0, 0
        while pos < len(args):
            m = _LITERAL_JS.match(args, pos)
            if not m or (m.end() < len(args) and args[m.end()] != ","):
                return None
            pos, count = m.end() + 1, count + 1
        return f"{callee}({', '.join([chr(39) + '…' + chr(39)] * count)})"
    if rest and not _FIRST_ONLY.search(callee):
        return None
    text = first.group(0).strip()
    command = bool(re.search(r"spawn|execFile", callee))  # an argv's program name; never a shell line nor eval's code
    return f"{callee}({_literal(text[1:-1], text[0], command) if text[0] != '`' else chr(39) + '…' + chr(39)}{', …' if rest else ''})"


def flagged_code(f: Finding, through_end: bool = True) -> str:
    """The report's snippet from the flagged line on (Bandit numbers its lines and adds context around the hit);
    ``through_end=False``: only the flagged lines."""
    loc = f.location
    start = loc.start_line if loc else None
    snippet = f.snippet or ""
    numbered = [re.match(r"^(\d+) ?(.*)$", line) for line in snippet.splitlines()]
    if snippet and numbered and all(numbered) and start:
        last = float("inf") if through_end else ((loc.end_line if loc else None) or start)
        return "\n".join(m.group(2) for m in numbered if start <= int(m.group(1)) <= last)
    return snippet


def _text(f: Finding, reader) -> str | None:
    loc = f.location
    start = loc.start_line if loc else None
    if f.snippet:
        return flagged_code(f) or None
    if reader is None or loc is None or not loc.path or not start:
        return None
    lines = finding_lines(reader, f)
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines[start - 1:start + 19]) \
        if lines and start <= len(lines) else None


def check_constant(f: Finding | dict, reader=None, callers=None) -> dict | None:
    """{"check": "code", "status": "constant_input", "evidence"} when every sink call on the flagged line takes literals,
    or (Python, with the file) names bound only to literals (tasks.triage.constant_names)."""
    f = as_finding(f)
    if f.kind != "code" or not sink_rule(f) or _NOT_ABOUT_INPUT.search(f"{f.rule_id} {f.title}"):
        return None
    return _literal_call(f, reader) or _constant_names(f, reader, callers)


_FILE_LANGS = {".py", ".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx", ".mts", ".cts"}


def _constant_names(f: Finding, reader, callers) -> dict | None:
    loc = f.location
    suffix = "." + str(loc.path).rsplit(".", 1)[-1].lower() if loc is not None and loc.path and "." in str(loc.path) else ""
    if reader is None or loc is None or not loc.start_line or suffix not in _FILE_LANGS:
        return None
    source = finding_source(reader, f)
    if not source:
        return None
    if suffix == ".py":
        from tasks.triage.constant_names import constant_sink

        evidence = constant_sink(source, loc.start_line, loc.path, callers)
        if not evidence:  # mark_safe of escaped or encoded text (tasks.triage.escaped_py)
            from tasks.triage.escaped_py import escaped_sink as escaped_py

            return escaped_py(source, loc.start_line, f"{f.rule_id} {f.title}", getattr(callers, "sources", None))
    else:
        from tasks.triage import constant_js

        evidence = constant_js.constant_sink(source, loc.start_line, loc.path)
        if not evidence:  # an HTML sink fed escaped text or a number (tasks.triage.escaped_js)
            from tasks.triage.escaped_js import escaped_sink

            found = escaped_sink(source, loc.start_line, loc.path, f"{f.rule_id} {f.title}")
            return {"check": "code", "status": found[0], "evidence": found[1]} if found else None
    return {"check": "code", "status": "constant_input", "evidence": evidence} if evidence else None


def _literal_call(f: Finding, reader) -> dict | None:
    text = _text(f, reader)
    if not text:
        return None
    first_line = text.split("\n", 1)[0]
    cols = f.columns(f.line)
    if cols and len(first_line) > 200:
        text = first_line = first_line[cols[0] - 1:cols[1] - 1]  # a minified line: the matched call only
    python = f.tool == "bandit" or str(f.path or "").endswith(".py")
    shapes = []
    for m in _SINK.finditer(text):
        if m.start() > len(first_line):
            break  # the calls on the flagged line decide; a later line's call is another finding
        args = bracketed(text, m.end() - 1)
        if args is None:
            return None
        receiver = re.search(r"[\w$.]*$", text[:m.start()]).group(0) if m.group(0).startswith(".") else ""
        callee = receiver + re.sub(r"\s+", " ", m.group(0)[:-1].strip())
        shape = _python(callee, args) if python else _javascript(callee, args)
        if shape is None:
            return None
        shapes.append(shape)
    if not shapes:
        return None
    return {"check": "code", "status": "constant_input",
            "evidence": f"constant input: {'; '.join(shapes)} at {f.path}:{f.line or '?'} takes only literals, so no data "
                        f"from outside reaches the {f.rule_id} sink"}


def check_escaped_input(f: Finding | dict, reader=None) -> dict | None:
    """An HTML sink whose argument request data reaches only through an escaping call (django-autocomplete-light's
    `HttpResponse(format_html('<div data-value="{}">{}</div>', result, result))` of a POSTed value, round 62's grader:
    a missed false positive): the escaping is what decides, so the escaped-sink judgement stands beside the taint.
    Only a judgement that names an escaper counts; constant data would contradict the taint."""
    f = as_finding(f)
    loc = f.location
    if f.kind != "code" or not sink_rule(f) or reader is None or loc is None or not loc.start_line \
            or not str(loc.path or "").endswith(".py"):
        return None
    source = finding_source(reader, f)
    from tasks.triage.escaped_py import escaped_sink

    found = escaped_sink(source, loc.start_line, f"{f.rule_id} {f.title}", None) if source else None
    return found if found and str(found.get("evidence", "")).startswith(("escaped before insertion", "sanitised before")) else None
