"""Check 3h: Bandit B603 ("subprocess call - check for execution of untrusted input") where no user can choose,
and B404 (``import subprocess``) in a command-line program; Semgrep's ``dangerous-subprocess-use-audit`` (a call whose
command is not one literal string) the same way.

B603 fires on every ``subprocess`` call that runs **without** a shell: it is a reminder to look at where the
arguments come from, not a finding by itself (no shell parses them, so shell metacharacters do nothing).  With the
Python file (``source.repo_path``) two shapes settle it:

* a **fixed program**: the argument list is written out and its first element, the program, is a literal
  (``subprocess.check_call(["uv", "lock"])``), in a file that reads no request data;
* **the user's own program**: the function reads the program from ``$EDITOR``/``$PAGER``/``$VISUAL``-style variables
  (mitmproxy's console viewer), as git or less do;
* a **command-line program**: the file is a script its user runs (an ``if __name__ == "__main__"`` guard, argparse
  or click) and reads no request data anywhere, so whoever chooses the arguments is the person running it.

A web handler (request data in the file, a route decorator, a view) keeps the finding, and so does a list whose
program is a variable in a file that is no command-line program.  The evidence names the call's line and which
shape holds, never an argument's value.
"""

from __future__ import annotations

import ast
import re

from tasks.findings.model import Finding, as_finding
from tasks.triage.flow import USER_INPUT
from tasks.triage.split_argv import split_program
from tasks.triage.parsed_source import finding_source

_SUBPROCESS = re.compile(r"^(?:subprocess\.)?(?:run|call|check_call|check_output|Popen)$")
_CLI = re.compile(r"(?m)^if\s+__name__\s*==\s*['\"]__main__['\"]\s*:|^\s*import\s+argparse\b|^\s*from\s+argparse\s+import"
                  r"|^\s*import\s+click\b|@click\.command\b")
_WEB = re.compile(r"@\w+(?:\.\w+)*\.(?:route|get|post|put|patch|delete)\s*\(|@api_view\b|\bdef\s+\w+\s*\(\s*(?:self\s*,\s*)?request\b")


def _function_around(tree, call):
    """The innermost function definition that holds ``call``, or None at module level."""
    around = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
              and n.lineno <= call.lineno <= (n.end_lineno or n.lineno)]
    return max(around, key=lambda n: n.lineno) if around else None


def _dotted(node) -> str:
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return node.id if isinstance(node, ast.Name) else ""


def check_subprocess_argv(f: Finding | dict, reader=None) -> dict | None:
    f = as_finding(f)
    loc = f.location
    rule = str(f.rule_id).upper()
    semgrep = f.tool == "semgrep" and rule.endswith("DANGEROUS-SUBPROCESS-USE-AUDIT")  # "without a static string"
    shell = f.tool == "semgrep" and rule.endswith("DANGEROUS-SYSTEM-CALL-AUDIT") or f.tool == "bandit" and rule == "B605"
    if not (semgrep or shell or (f.tool == "bandit" and rule in ("B603", "B404", "B607"))) or reader is None or not loc \
            or not loc.start_line or not str(loc.path or "").endswith(".py"):
        return None
    if shell:
        return _shell_script(f, finding_source(reader, f))
    flags = ("Semgrep's audit rule flags every call whose command is not one literal string" if semgrep
             else "B603 flags every call without a shell")
    source = finding_source(reader, f)
    if not source or USER_INPUT.search(source) or _WEB.search(source):
        return None
    if rule == "B404":  # the import alone: what the file runs is judged where it runs it (B602-B607)
        return None if not _CLI.search(source) else {
            "check": "code", "status": "command_line_program",
            "evidence": f"an import in a command-line program: {f.path}:{loc.start_line} imports subprocess in a file that "
                        f"is command-line code ({_cli_marker(source)}) and reads no request data; B404 flags the "
                        "import itself, and each call is judged by its own finding"}
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError):
        return None
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and _SUBPROCESS.match(_dotted(n.func))
             and n.lineno <= loc.start_line <= (n.end_lineno or n.lineno)]
    if len(calls) != 1 or not calls[0].args or any(  # `shell=False` (mitmproxy, set 39) is what a list implies
            k.arg == "shell" and not (isinstance(k.value, ast.Constant) and k.value.value is False) for k in calls[0].keywords):
        return None
    where = f"{f.path}:{calls[0].lineno}"
    argv, named = _argv_list(tree, calls[0])
    if argv is not None:
        built = f" (the list `{named}` built on line {argv.lineno})" if named else ""
        if rule == "B607":  # Bandit's PATH lookup of a program named without its folder
            return {"check": "code", "status": "fixed_program",
                    "evidence": f"a fixed program found through PATH: {where} runs {_program(argv)} with an argument "
                                f"list{built} and no shell, in a file that reads no request data; whoever can set this "
                                "process's PATH can already run code as it, so the lookup gives an attacker nothing new"}
        return {"check": "code", "status": "fixed_program",
                "evidence": f"no shell and a fixed program: {where} runs {_program(argv)} with an argument list"
                            f"{built} (no shell parses it), and the file reads no request data; {flags}"}
    if rule == "B607":
        return None
    editor = _user_program(tree, calls[0])
    if editor:
        return {"check": "code", "status": "user_program",
                "evidence": f"the user's own program: {where} runs, with an argument list and no shell, the program "
                            f"the environment names ({editor}), the same way git or less choose an editor or pager; "
                            "whoever sets this process's environment already runs programs as this user, and the file "
                            "reads no request data"}
    if _CLI.search(source):
        return {"check": "code", "status": "command_line_program",
                "evidence": f"no shell=True, in a command-line program: {where} passes an argument list, not a command "
                            "string; "
                            f"{f.path} is command-line code ({_cli_marker(source)}) and reads no request data anywhere, so no "
                            f"web request chooses the arguments; {flags}"}
    return None


_CHOOSER = re.compile(r"^(?:[A-Z][A-Z0-9]*_)?(?:EDITOR|VISUAL|PAGER|BROWSER|DIFFTOOL|TERMINAL)$")


def _user_program(tree, call) -> str:
    """"$MITMPROXY_EDITOR, $PAGER or $EDITOR, read on line 172" when the function around ``call`` reads the program from
    environment variables that name a user's editor, pager or browser (mitmproxy's console viewer: set 39), else ""."""
    scope = _function_around(tree, call)
    if scope is None or not _from_environment(scope, call):
        return ""
    names, first = [], None
    for n in ast.walk(scope):
        if isinstance(n, ast.Call) and _dotted(n.func) in ("os.environ.get", "os.getenv") and n.args \
                and isinstance(n.args[0], ast.Constant) and isinstance(n.args[0].value, str):
            if not _CHOOSER.match(n.args[0].value):
                return ""
            names.append(f"${n.args[0].value}")
            first = min(first or n.lineno, n.lineno)
    names = list(dict.fromkeys(names))
    if not names:
        return ""
    said = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
    return f"{said}, read on line {first}"


def _binds(scope, name: str) -> list:
    return [n.value for n in ast.walk(scope) if isinstance(n, ast.Assign) and len(n.targets) == 1
            and isinstance(n.targets[0], ast.Name) and n.targets[0].id == name]


def _env_value(node) -> bool:
    """`os.environ.get("PAGER")`, `os.getenv(...)`, a string literal, or an `or` of them."""
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
        return all(_env_value(v) for v in node.values)
    return isinstance(node, ast.Constant) and isinstance(node.value, str) or isinstance(node, ast.Call) and _dotted(
        node.func) in ("os.environ.get", "os.getenv")


def _from_environment(scope, call) -> bool:
    """The call's program comes from the environment: its argv is `shlex.split(c)` (then appended to), and every
    binding of `c` is an environment read or a literal (the review: a command taken from a mail header is not)."""
    argv = call.args[0]
    if not isinstance(argv, ast.Name):
        return False
    splits = _binds(scope, argv.id)
    if len(splits) != 1 or not (isinstance(splits[0], ast.Call) and _dotted(splits[0].func) == "shlex.split"
                                and len(splits[0].args) == 1 and isinstance(splits[0].args[0], ast.Name)):
        return False
    sources = _binds(scope, splits[0].args[0].id)
    return bool(sources) and all(_env_value(v) for v in sources)


# data from the network: a script that downloads what it runs is not only its user's choice
_REMOTE = re.compile(r"\brequests\.|\burlopen\b|\burllib\.request\b|\bhttpx\.|\baiohttp\b|\bsocket\.|\bparamiko\b")


def _shell_script(f: Finding, source: str) -> dict | None:
    """``os.system``/``os.popen`` in a command-line program that reads no request and nothing from the network
    (Tandoor's scripts/make_compile_messages.py, set 26): its user chooses the input and already has a shell."""
    if not source or not _CLI.search(source) or USER_INPUT.search(source) or _WEB.search(source) or _REMOTE.search(source):
        return None
    return {"check": "code", "status": "command_line_program",
            "evidence": f"a shell command in a command-line program: {f.path} is command-line code ({_cli_marker(source)}), "
                        "reads no request data and nothing from the network, so whatever reaches the shell comes from "
                        "the person running it or the repository's own files, and that person already has a shell"}


def _cli_marker(source: str) -> str:
    """What makes the file a script, and where: "`if __name__ == '__main__':` on line 68" (round 26: the catalogue's
    "a __main__ guard, argparse or click" named none of them, and "the person running it chooses the arguments" was
    false of a script whose arguments are constants)."""
    m = _CLI.search(source)
    line = source.count("\n", 0, m.end() - len(m.group(0).lstrip())) + 1  # `^\s*` may start on a blank line above
    start = source.rfind("\n", 0, m.end() - len(m.group(0).lstrip())) + 1
    end = source.find("\n", m.end())
    text = " ".join(source[start:end if end >= 0 else len(source)].split())[:80]  # the whole line: `@click.group()`
    return f"`{text}` on line {line}"


_SHELLS = {"sh", "bash", "zsh", "dash", "ksh", "cmd", "cmd.exe", "powershell", "pwsh"}


def _fixed(node, tree=None) -> bool:
    """An argument list written out whose program is a literal, or a path the module builds from literals and
    ``__file__`` (Kiwi's docs/source/conf.py: ``manage_py = os.path.abspath(os.path.join(...))``, set 25), or
    ``sys.executable``; and no shell (``["sh", "-c", script]`` parses its text, as ``python -c`` runs it).  A list
    joined to more arguments (``[sys.executable, "-m", "radicale"] + config_args``: round 51) keeps its program."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):  # an interpreter's added arguments could be
        left = node.left                                                  # `-c <code>`: its module must be fixed first
        elts = left.elts if isinstance(left, (ast.List, ast.Tuple)) else []
        at = next((i for i, e in enumerate(elts) if _dotted(e) == "sys.executable" or isinstance(e, ast.Constant) and re.match(
            r"(?:python|pypy)[\d.]*$", str(e.value).rsplit("/", 1)[-1])), None)  # `env python3`, `uv run python` too
        if at is not None and not any(isinstance(e, ast.Constant) and e.value == "-m" for e in elts[at + 1:-1]):
            return False
        return _fixed(left, tree)
    word = split_program(node)
    if word is not None:
        return bool(word) and word.lower() not in _SHELLS and not re.match(r"(?:python|pypy)[\d.]*$", word)
    if not (isinstance(node, (ast.List, ast.Tuple)) and node.elts):
        return False
    first, words = node.elts[0], []
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        words = [first.value.strip().rsplit("/", 1)[-1].split(" ", 1)[0]]
    elif tree is None or not _constant(first, tree, words):
        return False
    if _dotted(first) == "sys.executable" and any(isinstance(e, ast.Constant) and e.value == "-c" for e in node.elts):
        return False
    return not any(w.lower() in _SHELLS for w in words)


# calls that build a path from paths: a program put together from literals and __file__ is still one fixed file
_PATH_CALLS = {"os.path.join", "os.path.abspath", "os.path.dirname", "os.path.realpath", "os.path.normpath", "os.fspath",
               "str", "Path", "pathlib.Path", "shutil.which"}


def _constant(node, tree, words: list, depth: int = 0) -> bool:
    """Whether ``node`` is made of string literals, ``__file__`` and ``sys.executable`` only, through module-level
    names bound once; ``words`` collects the literals' last path segments (a shell's name is no fixed program)."""
    if depth > 5:
        return False
    if isinstance(node, ast.Constant):
        words.extend(p for p in str(node.value).split("/")[-1:] if p)
        return isinstance(node.value, (str, int))
    if isinstance(node, ast.Name):
        if node.id == "__file__":
            return True
        binds = [b.value for b in tree.body if isinstance(b, ast.Assign) and len(b.targets) == 1
                 and isinstance(b.targets[0], ast.Name) and b.targets[0].id == node.id]
        stores = sum(1 for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == node.id and isinstance(n.ctx, ast.Store))
        return len(binds) == 1 and stores == 1 and _constant(binds[0], tree, words, depth + 1)
    if isinstance(node, ast.Attribute):
        return _dotted(node) == "sys.executable" or node.attr in ("parent", "parents") and _constant(node.value, tree, words, depth + 1)
    if isinstance(node, ast.Subscript):
        return _constant(node.value, tree, words, depth + 1) and _constant(node.slice, tree, words, depth + 1)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Div, ast.Add)):
        return _constant(node.left, tree, words, depth + 1) and _constant(node.right, tree, words, depth + 1)
    if isinstance(node, ast.Call) and not node.keywords:
        if isinstance(node.func, ast.Attribute) and node.func.attr in ("resolve", "absolute") and not node.args:
            return _constant(node.func.value, tree, words, depth + 1)
        return _dotted(node.func) in _PATH_CALLS and all(_constant(a, tree, words, depth + 1) for a in node.args)
    return False


def _argv_list(tree, call) -> tuple[ast.AST | None, str]:
    """(the argument list whose program is a literal, the name it was bound to or ""), or (None, ""): the call's first
    argument itself, or a name that every binding in the innermost function around the call (else the module) sets to
    such a list (``command = ["ffmpeg", "-i", path]``; ``command += [...]`` and ``.append`` keep the program)."""
    argv = call.args[0]
    if _fixed(argv, tree):
        return argv, ""
    if not isinstance(argv, ast.Name):
        return None, ""
    scope = _function_around(tree, call) or tree
    if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)) and argv.id in {
            a.arg for a in scope.args.args + scope.args.kwonlyargs + scope.args.posonlyargs}:
        return None, ""
    values = [node.value for node in ast.walk(scope) if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None
              and any(isinstance(t, ast.Name) and t.id == argv.id
                      for t in (node.targets if isinstance(node, ast.Assign) else [node.target]))]
    extended = {id(n.target) for n in ast.walk(scope) if isinstance(n, ast.AugAssign)}  # command += [...]: same program
    # any other binding (a loop variable, a with-target, a tuple unpacking) is not a list written out
    stores = sum(1 for n in ast.walk(scope) if isinstance(n, ast.Name) and n.id == argv.id and isinstance(n.ctx, ast.Store)
                 and id(n) not in extended)
    # `command[0] = job.program`, `command.insert(0, x)`: the program may be replaced after the list is written
    changed = any(isinstance(n, ast.Subscript) and isinstance(n.value, ast.Name) and n.value.id == argv.id
                  and isinstance(n.ctx, (ast.Store, ast.Del)) or isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
                  and isinstance(n.func.value, ast.Name) and n.func.value.id == argv.id
                  and n.func.attr in ("insert", "clear", "pop", "remove", "reverse", "sort", "__setitem__")
                  for n in ast.walk(scope))
    if not values or changed or stores != len(values) or not all(_fixed(v, tree) for v in values):
        return None, ""
    return values[0], argv.id


def _program(argv) -> str:
    """The program, quoted: its name only (a one-element list can hold a whole command line, with its arguments, a
    password); a built path is named by the expression that holds it (`manage_py`, `sys.executable`)."""
    while isinstance(argv, ast.BinOp):  # `[sys.executable, "-m", "radicale"] + config_args`
        argv = argv.left
    word = split_program(argv)
    if word:
        return f"`{word[:40]}` (the first word of the text it splits)"
    first = argv.elts[0]
    if isinstance(first, ast.Constant):
        return f"`{str(first.value).strip().split(' ', 1)[0][:40]}`"
    if _dotted(first) == "sys.executable":
        return "`sys.executable` (this Python)"
    if isinstance(first, ast.Call) and _dotted(first.func) == "shutil.which":
        return f"`{ast.unparse(first)[:60]}` (a program named by a literal, found through PATH)"
    return f"`{(_dotted(first) or ast.unparse(first))[:40]}` (a path the module builds from literals and `__file__`)"
