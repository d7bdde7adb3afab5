"""What the code does with the value a Bandit hardcoded-password rule flagged (B105, B106, B107).

Bandit's B105 fires on a string literal next to a name that contains
"password", "token", "secret" or "pass": an assignment, a dict entry, a
comparison.  An empty or one-character literal there is rarely a
credential, but why differs with the code, and a held-out review marked
the one stock sentence used for all of them as boilerplate ("whether a
server accepts an empty password ...") and, for a one-character value in
a registration payload, as wrong.  A reviewer says what the line does: it
blanks the password field of a record before it is returned, it is the
starting value a later line replaces from the environment, it is the
"no token" value the next ``if`` tests, an unfilled entry of a settings
dict, a check that a form field was filled in.  Read with Python's own
``ast`` (Bandit scans only Python); None when the file does not parse or
the line is none of these shapes, and the caller then says less.

May import: ``tasks.findings`` (the choice suffixes at module level; the rest inside functions).
"""

from __future__ import annotations

import ast
import re

from tasks.findings.secret_keys import CHOICE_SUFFIXES

# the names Bandit's B105-B107 look for (bandit.plugins.general_hardcoded_password.RE_WORDS)
_CANDIDATE = re.compile(r"(?i)(pas+wo?r?d|pass(phrase)?|pwd|token|secrete?)")
_MAX = 60  # characters of an expression quoted in the description


def _src(text: str, node: ast.AST) -> str:
    seg = ast.get_source_segment(text, node) or ""
    seg = " ".join(seg.split())
    return seg if len(seg) <= _MAX else seg[:_MAX].rsplit(" ", 1)[0] + " ..."


def _parents(tree: ast.AST) -> dict:
    out = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            out[child] = node
    return out


def _scope(node, parents):
    while node in parents:
        node = parents[node]
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Module)):
            return node
    return node


def _later(scope, start: int):
    """The nodes of ``scope`` after line ``start``, in line order; nested functions and classes are left out (a
    name there is another variable)."""
    found, stack = [], list(ast.iter_child_nodes(scope))
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        if getattr(node, "lineno", 0) > start:
            found.append(node)
        stack.extend(ast.iter_child_nodes(node))
    return sorted(found, key=lambda n: (n.lineno, n.col_offset))


def _tests(node) -> str | None:
    """The name an ``if``/``while`` test reads as true or false (``if token:``, ``if not token:``)."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        node = node.operand
    return node.id if isinstance(node, ast.Name) else None


def _branch(node, parents, text: str) -> str:
    """" in the else branch of `if auth_header`" / " when `...` raises" for a statement inside a branch, or ""."""
    child, up = node, parents.get(node)
    while up is not None and not isinstance(up, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Module)):
        if isinstance(up, ast.If) and child in up.orelse and not (len(up.orelse) == 1 and isinstance(up.orelse[0], ast.If)):
            return f" in the else branch of `if {_src(text, up.test)}`"
        if isinstance(up, ast.ExceptHandler):
            tried = parents.get(up)
            body = tried.body[0] if isinstance(tried, ast.Try) and tried.body else None
            return f" when `{_src(text, body)}` fails (its except branch)" if body is not None else " in an except branch"
        child, up = up, parents.get(up)
    return ""


def _name_assigned(name: str, node, parents, text: str) -> str:
    scope = _scope(node, parents)
    where = _branch(node, parents, text)
    for later in _later(scope, node.lineno):
        if isinstance(later, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in later.targets) \
                and not isinstance(later.value, ast.Constant):
            return (f"`{name}` starts empty{where} and line {later.lineno} sets it from `{_src(text, later.value)}`: "
                    "the value comes from there, not from the code")
        if isinstance(later, (ast.If, ast.While)) and _tests(later.test) == name:
            negated = isinstance(later.test, ast.UnaryOp)
            branch = later.body if negated else getattr(later, "orelse", [])
            refused = bool(branch) and isinstance(branch[0], (ast.Return, ast.Raise))
            return (f"`{name} = \"\"`{where} is the \"no value\" case, which `if {_src(text, later.test)}` on line "
                    f"{later.lineno} reads as missing" + (f" (line {branch[0].lineno} refuses it)" if refused else ""))
    return f"`{name}` is set to an empty string{where}, an initial or reset value" if where else ""


def _subscript_assigned(target: ast.Subscript, node, parents, text: str) -> str | None:
    if isinstance(target.value, ast.Attribute) and _src(text, target.value) == "os.environ" \
            and isinstance(target.slice, ast.Constant) or isinstance(target.value, ast.Name) and target.value.id == "environ":
        return (f"`{_src(text, target)} = \"\"` sets the environment variable {target.slice.value!r} to an empty string: "
                "nothing is configured there, and no credential is stored") if isinstance(target.slice, ast.Constant) else None
    if not isinstance(target.value, ast.Name) or not isinstance(target.slice, ast.Constant):
        return None
    obj, key = target.value.id, target.slice.value
    what = f"`{_src(text, target)} = \"\"` blanks the `{key}` field of `{obj}`"
    up = parents.get(node)
    while up is not None and not isinstance(up, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Module)):
        if isinstance(up, ast.For) and isinstance(up.target, ast.Name) and up.target.id == obj:
            what += f", each record of `{_src(text, up.iter)}` (the loop on line {up.lineno})"
            break
        up = parents.get(up)
    scope = _scope(node, parents)
    roots = {obj} | ({_root(up.iter)} if isinstance(up, ast.For) else set())
    ret = next((n for n in _later(scope, node.lineno) if isinstance(n, ast.Return) and n.value is not None
                and roots & {x.id for x in ast.walk(n.value) if isinstance(x, ast.Name)}), None)
    return what + (f" before line {ret.lineno} returns them: it removes the stored value from what the code hands on, "
                   "it stores no credential" if ret else ": it stores no credential")


def _root(node) -> str | None:
    while isinstance(node, (ast.Subscript, ast.Attribute, ast.Call)):
        node = node.value if not isinstance(node, ast.Call) else node.func
    return node.id if isinstance(node, ast.Name) else None


def _dict_path(value, parents, text: str) -> tuple[str, ast.AST | None]:
    """``DATABASES['default']['PASSWORD']`` for a value inside nested dict literals, and the node that holds the
    outermost dict (its Assign, Return or Call); the keys that are not literals are written ``[...]``."""
    keys, node = [], value
    while isinstance(parents.get(node), ast.Dict):
        d = parents[node]
        i = next((i for i, v in enumerate(d.values) if v is node), None)
        if i is None:
            break
        k = d.keys[i]
        keys.append(repr(k.value) if isinstance(k, ast.Constant) else "...")
        node = d
    holder = parents.get(node)
    base = ""
    if isinstance(holder, ast.Assign) and len(holder.targets) == 1:
        base = _src(text, holder.targets[0])
    return base + "".join(f"[{k}]" for k in reversed(keys)), holder


def describe(lines: list[str], line: int, rule: str) -> str | None:
    """One sentence on what the code at ``line`` does with the flagged literal, or None."""
    text = "".join(l if l.endswith("\n") else l + "\n" for l in lines)  # the reader's lines keep their newlines
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    parents = _parents(tree)
    rule = rule.upper()
    for node in ast.walk(tree):
        if rule == "B107" and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.lineno == line:
            args = node.args.args[len(node.args.args) - len(node.args.defaults):] if node.args.defaults else []
            named = [a.arg for a, d in zip(args, node.args.defaults) if isinstance(d, ast.Constant)
                     and isinstance(d.value, str) and _CANDIDATE.search(a.arg)]
            if named:
                return (f"the default of the `{named[0]}` parameter of `{node.name}()`: a caller that passes none gets "
                        "that value")
        if rule == "B106" and isinstance(node, ast.Call) and node.lineno == line:
            kw = next((k for k in node.keywords if k.arg and _CANDIDATE.search(k.arg) and isinstance(k.value, ast.Constant)
                       and isinstance(k.value.value, str)), None)
            if kw:
                return f"{kw.value.value!r} passed as `{kw.arg}=` to `{_src(text, node.func)}()`"
        if rule != "B105" or not isinstance(node, ast.Constant) or not isinstance(node.value, str) or node.lineno != line:
            continue
        up = parents.get(node)
        if isinstance(up, ast.Compare):
            other = up.left if up.left is not node else (up.comparators[0] if up.comparators else None)
            if other is not None and node.value == "" and _CANDIDATE.search(_src(text, other)):
                test = up
                while isinstance(parents.get(test), (ast.BoolOp, ast.UnaryOp)):
                    test = parents[test]
                guard = parents.get(test)
                refused = isinstance(guard, ast.If) and guard.test is test and isinstance(guard.body[0], (ast.Return, ast.Raise))
                return (f"compares `{_src(text, other)}` with an empty string: a check that the value was given" +
                        (f", and line {guard.body[0].lineno} refuses an empty one" if refused else ""))
        elif isinstance(up, ast.Assign) and up.value is node and len(up.targets) == 1:
            target = up.targets[0]
            if not _CANDIDATE.search(_src(text, target)):
                continue
            if isinstance(target, ast.Subscript) and node.value == "":
                return _subscript_assigned(target, up, parents, text)
            if isinstance(target, ast.Name) and node.value == "":
                return _name_assigned(target.id, up, parents, text) or None
        elif isinstance(up, ast.Dict):
            path, holder = _dict_path(node, parents, text)
            if not _CANDIDATE.search(path.rsplit("[", 1)[-1]):
                continue
            top = _scope(node, parents)
            if isinstance(holder, ast.Assign) and isinstance(top, ast.Module) and path:
                owner = parents.get(holder)  # spiderfoot's `opts = {...}` is a class attribute (set 37's audit)
                level = f"a class-level dict of `{owner.name}`" if isinstance(owner, ast.ClassDef) else "a module-level dict"
                if node.value == "":
                    return f"the `{path}` entry of {level}, left empty in the file: a setting not filled in"
                return (f"the `{path}` entry of {level}, set to {node.value!r} in the file: a value the code "
                        "itself supplies (anyone who reads the file knows it), not a secret it was given")
            if path.startswith("["):
                return f"the {path} entry of a dict literal on line {line}, set to {node.value!r}"
    return None


# a name for the words shown beside a secret's field (redash's password_title = "API Token"), assigned or a dict key;
# the same for a text a person reads (set 36's e-mail subjects) and a choice of algorithm (round 40)
TEXT_SUFFIXES = "subject|body|title|heading|subtitle|message|text"
_UI_LABEL = re.compile(rf"(?i)\b(\w*(?:passw|secret|token|key|pwd)\w*_(?:label|placeholder|help_text|hint|caption|"
                       rf"description|{TEXT_SUFFIXES}|{CHOICE_SUFFIXES}))\b['\"]?\s*[:=]")


def form_label(code: str | None) -> str | None:
    """The name on a flagged line that holds a secret field's label, not its value (``password_title``), or None."""
    m = _UI_LABEL.search(code or "")
    return m.group(1) if m else None


# a UI translation catalogue: frontend/lang/messages/de-DE.json, locales/fr/translation.json, i18n/en.yml, po files
_ENTRY = re.compile(r"""^\s*["']?([\w.-]+)["']?\s*[:=]""")


def translation_label(path: str | None, code: str | None) -> str | None:
    """``key (a string of the translation catalogue PATH)`` when the flagged line is an entry of a UI translation file:
    the value is the text a person reads in their language ("api-token": "API-Token"), never a credential."""
    from tasks.findings.secret_keys import translation_catalogue

    if not translation_catalogue(path):
        return None  # public/language/da/register.json: a namespace file of one locale's folder counts too
    m = _ENTRY.match(code or "")
    entry = f"`{m.group(1)}` is an entry of" if m else "the flagged line is in"
    return f"{entry} the translation catalogue {path}: its value is the text a person reads in their language"


# `password_file='/run/secrets/db-password'`, `DB_PASSWORD_FILE = "/etc/app/secret"`: where the secret is read from
_PATH_ARG = re.compile(r"""(?i)\b(\w*(?:passw|secret|token|key|pwd)\w*[_-](?:file|path|filename|location|dir))\b\s*[=:]\s*(?:[fr]?)["']"""
                       r"""(/[\w.@/-]+|[\w.-]+/[\w.@/-]+)["']""")


def check_secret_file_path(f) -> dict | None:
    """Bandit B105-B107 on the *path* of a secret file (Docker secrets, a mounted key): the name says `_file`, the value
    is a path; the secret itself is read at run time from outside the code."""
    from tasks.findings.model import as_finding
    from tasks.triage.constant import flagged_code

    f = as_finding(f)
    if f.tool != "bandit" or str(f.rule_id).upper() not in ("B105", "B106", "B107"):
        return None
    m = _PATH_ARG.search(flagged_code(f, through_end=False) or "")
    if not m:
        return None
    return {"check": "secret", "status": "not_a_secret",
            "evidence": f"not a credential: `{m.group(1)}` names the file the secret is read from (`{m.group(2)}`), not "
                        "the secret itself; its value is outside the code (a Docker secret, a mounted file)"}


_DEMO_COMMENT = re.compile(r"(?i)(?:#|//|/\*|<!--|--)\s*.*\b(?:(?:our|a|the|this)\s+)?(?:demo|example|sample|dummy|placeholder|public test)"
                           r"\s+(?:api\s+)?(?:key|token|secret|credentials?)\b.*")


def check_demo_key_comment(f, reader=None) -> dict | None:
    """A secret the comment just above it (or on its line) calls a demo or example key ("Please don't use our demo key
    in production!"): the project publishes it as one, and a deployment sets its own."""
    from tasks.findings.model import as_finding
    from tasks.findings.secrets import tool_marks_secret
    from tasks.repository.source import finding_lines

    f = as_finding(f)
    if f.kind != "secret" and not tool_marks_secret(f.tool, str(f.rule_id), f.title or ""):
        return None
    lines = finding_lines(reader, f)
    n = f.location.start_line if f.location else None
    if not lines or not n or not 1 <= n <= len(lines):
        return None
    for i in range(n, max(0, n - 3), -1):
        m = _DEMO_COMMENT.search(lines[i - 1])
        if m:
            return {"check": "secret", "status": "not_a_secret",
                    "evidence": f"a published demo key: line {i} of {f.path} says `{m.group(0).strip()[:100]}`; a "
                                "deployment sets its own"}
        if i < n and lines[i - 1].strip() and not lines[i - 1].lstrip().startswith(("#", "//", "/*", "*", "--", "<!--")):
            break  # code between the comment and the value: the comment is about something else
    from tasks.triage.public_key_comment import public_on_purpose

    return public_on_purpose(f, lines, n)

