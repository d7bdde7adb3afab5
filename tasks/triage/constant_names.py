"""Check 3c, second half: a Python sink fed by names that are bound only to literals.

``constant.py`` decides on the flagged call's own text, so a name stops it. Here, with the whole file, each name the
sink's input uses is followed to every place the same scope binds it: an assignment, a ``for`` loop, ``+=``, a
comprehension; a function's own names first, then the module's. A name is constant when every binding is: literals,
containers, ``%``/``+``/f-string/``.format`` of constants, a conditional of two constants, ``str()``/``int()``/``len()``
of constants, a hash of a literal, a class attribute bound once to a literal, a call of the file's own function that
returns literals only (tasks.triage.class_constants), a model's ``_meta.db_table``; ``QuerySet.extra()``'s SQL is its
``select``/``where``/``tables``/``order_by`` text. A name bound to ``request.form``, a parameter, an ``input()``, a
``with`` or an ``import``, or mutated with anything not constant, keeps the finding; a parameter is constant only when
``callers`` (tasks.triage.callers) shows every call passing constants. The evidence names the names and the lines that
bind them, never a value; values bound beside the SQL text are said."""

from __future__ import annotations

import ast
import re

from tasks.triage.class_constants import class_constant, returns_constant, wrapped_text
from tasks.triage.parsed_source import may_reach, parsed_tree

MAX_SOURCE, MAX_DEPTH = 512 * 1024, 8
_SQL = {"execute", "executemany", "executescript", "raw", "query", "text", "mogrify", "extra"}
_EXTRA_SQL = ("select", "where", "tables", "order_by")  # QuerySet.extra()'s SQL text (params= is bound, never spliced)
_BOUND = "; the values beside it (`params`, later arguments) are bound parameters, which cannot change the statement"
_MODEL_META = {"db_table", "model_name", "app_label", "object_name", "pk"}  # model._meta.x: fixed by the model class
_COMMAND = re.compile(r"^(?:subprocess\.(?:run|call|check_call|check_output|Popen|getoutput|getstatusoutput)"
                      r"|os\.(?:system|popen|exec[lv]p?e?|spawn[lv]p?e?)|(?:eval|exec))$")
_XML = re.compile(r"^(?:[\w.]*\.)?(?:fromstring|fromstringlist|XML|parseString|iterparse)$"  # XML parsers (Bandit
                  r"|(?:etree|ElementTree|ET|minidom|pulldom|sax|expatbuilder)\.parse$")  # B313-B320, Semgrep XXE rules)
_MUTATORS = {"append", "extend", "insert", "update", "add", "setdefault", "__setitem__", "appendleft", "extendleft"}
_STR_METHODS = {"format", "join", "upper", "lower", "strip", "lstrip", "rstrip", "replace", "encode", "decode", "split",
                "title", "capitalize", "zfill", "ljust", "rjust", "center", "items", "keys", "values", "copy"}
_PURE = {"str", "int", "float", "bool", "len", "tuple", "list", "sorted", "reversed", "repr", "range", "enumerate", "zip",
         "min", "max", "abs", "round", "set", "frozenset", "dict", "bytes"}
_HASH = re.compile(r"(?i)^(?:hash|encrypt|digest|hexdigest|crypt|b64encode|urlsafe_b64encode|hexlify|md5|sha1|sha224|sha256"
                   r"|sha384|sha512|blake2b|blake2s|make_password|generate_password_hash|quote_name)$")  # + a quoted table
# values the program makes itself, which no request can choose: a random UUID, the clock, a random token
_GENERATED = re.compile(r"^(?:uuid\.)?uuid[14]$|^(?:datetime\.)?(?:datetime|date)\.(?:now|utcnow|today)$"
                        r"|^time\.(?:time|time_ns|monotonic|strftime)$|^secrets\.token_(?:hex|urlsafe|bytes)$")
_ON_GENERATED = {"strftime", "isoformat", "timestamp", "date", "hex"}  # datetime.now().strftime('%Y'), uuid4().hex
_CONST_ATTR = {("sys", "executable"), ("subprocess", "PIPE"), ("subprocess", "DEVNULL"), ("subprocess", "STDOUT")}


def dotted(node) -> str:
    if isinstance(node, ast.Attribute):
        return f"{dotted(node.value)}.{node.attr}" if dotted(node.value) else node.attr
    return node.id if isinstance(node, ast.Name) else ""


def _own_nodes(scope):
    """The nodes of ``scope`` outside nested functions, lambdas and classes (their names are their own)."""
    todo = list(ast.iter_child_nodes(scope))
    while todo:
        node = todo.pop()
        yield node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            todo.extend(ast.iter_child_nodes(node))


def parse_module(source: str, path: str, callers=None) -> Module | None:
    """``source`` parsed (a ``Module``), or None when it is too large or is not Python that parses: no evidence."""
    try:
        mod = Module(source, path, callers)
    except (SyntaxError, ValueError, RecursionError):
        return None
    return mod if mod.tree is not None else None


def _names_in(target) -> set[str]:
    return {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}


def _literal_sequence(node) -> bool:  # a string literal or a list/tuple of literals: multiplied, it repeats literals only
    return (isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes))) or (
        isinstance(node, (ast.List, ast.Tuple)) and all(isinstance(e, ast.Constant) for e in node.elts))


class Module:
    """One parsed file: the scopes, and which names each binds and how."""

    def __init__(self, source: str, path: str, callers=None):
        self.tree, self.parent = parsed_tree(source, MAX_SOURCE)  # shared with other findings of the file: read only
        self.path, self.callers = path, callers
        self.used: list[tuple[str, str]] = []  # (name, where it is bound), for the evidence; the generator calls taken
        self.generated: list[str] = []  # as constant (uuid.uuid4()); int(...)/float(...) conversions: outside data, but
        self.numbers: list[str] = []  # only ever a number

    def scope_of(self, node):
        while node in self.parent:
            node = self.parent[node]
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                return node
        return self.tree

    def bindings(self, scope, name: str) -> list[tuple[str, ast.AST, int]] | None:
        """(kind, expression, line) for each binding of ``name`` in ``scope``; None when one cannot be followed."""
        found = []
        for node in _own_nodes(scope):
            if isinstance(node, ast.Assign):
                for t in node.targets:
                    if isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name) and t.value.id == name:
                        found.append(("value", node.value, node.lineno))
                    elif name in _names_in(t):
                        found.append(("value", node.value, node.lineno))
            elif isinstance(node, (ast.AnnAssign, ast.AugAssign, ast.NamedExpr)) and name in _names_in(node.target):
                if getattr(node, "value", None) is None:
                    continue  # a bare annotation binds nothing
                found.append(("value", node.value, node.lineno))
            elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)) and name in _names_in(node.target):
                found.append(("each", node.iter, getattr(node, "lineno", node.iter.lineno)))
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _MUTATORS \
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == name:
                found.append(("value", ast.Tuple(elts=list(node.args) + [k.value for k in node.keywords]), node.lineno))
            elif isinstance(node, (ast.Global, ast.Nonlocal)) and name in node.names:
                return None
            elif isinstance(node, (ast.With, ast.AsyncWith)) and any(i.optional_vars is not None and name in _names_in(i.optional_vars)
                                                                     for i in node.items):
                return None
            elif isinstance(node, ast.ExceptHandler) and node.name == name:
                return None
            elif isinstance(node, (ast.Import, ast.ImportFrom)) and any((a.asname or a.name).split(".")[0] == name for a in node.names):
                return None
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == name:
                return None
            elif isinstance(node, ast.Delete) and name in _names_in(ast.Tuple(elts=node.targets)):
                return None
            elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name == name or \
                    isinstance(node, ast.MatchMapping) and node.rest == name:
                return None
        return found

    def name_constant(self, node: ast.Name, depth: int, seen: set) -> bool:
        scope = self.scope_of(node)
        while scope is not None:
            if scope is not self.tree and node.id in {a.arg for a in _all_args(scope.args)}:
                found, key = self.bindings(scope, node.id), (id(scope), node.id)
                if found is None or not all(self.constant(expr, depth + 1, seen) for _, expr, _ in found):
                    return False  # a parameter rebound in the body: each binding counts too
                if key in seen:
                    return True  # a recursive call: the other call sites decide
                seen.add(key)
                return self.callers is not None and self.callers(self, scope, node.id, depth, seen)
            found = self.bindings(scope, node.id)
            if found is None:
                return False
            if found:
                if scope is self.tree and any(isinstance(n, ast.Global) and node.id in n.names for n in ast.walk(self.tree)):
                    return False
                key = (id(scope), node.id)
                if key in seen:
                    return True  # already being shown constant further up: a loop adds nothing new
                seen.add(key)
                for kind, expr, line in found:
                    mark = len(self.used)
                    if not self.constant(expr, depth + 1, seen):
                        return False
                    if may_reach(self.parent, line, node, node.id):  # every binding must be constant; those after it are not shown
                        self.used.append((node.id, f"{self.path}:{line}"))
                    else:  # nor what a binding that cannot reach the use was made of (set 36: zou's other loops' lists)
                        del self.used[mark:]
                return True
            scope = self.scope_of(scope) if scope is not self.tree else None
        return False

    def constant(self, node, depth: int = 0, seen: set | None = None) -> bool:
        """Whether ``node`` evaluates to a value made of literals only, whatever path the program takes."""
        seen = set() if seen is None else seen
        if depth > MAX_DEPTH or node is None:
            return False
        if isinstance(node, ast.Constant):
            return True
        if isinstance(node, ast.Name):
            return self.name_constant(node, depth, seen)
        if isinstance(node, (ast.JoinedStr, ast.BoolOp)):
            return all(self.constant(v, depth, seen) for v in node.values)
        if isinstance(node, (ast.FormattedValue, ast.Starred)):
            return self.constant(node.value, depth, seen)
        if isinstance(node, ast.BinOp):
            if isinstance(node.op, ast.Mult) and any(_literal_sequence(side) for side in (node.left, node.right)):
                return self._copies(node)  # "?" * len(ids), ["%s"] * n: copies of a literal, however many
            return self.constant(node.left, depth, seen) and self.constant(node.right, depth, seen)
        if isinstance(node, (ast.GeneratorExp, ast.ListComp, ast.SetComp)) and isinstance(node.elt, ast.Constant):
            return self._copies(node)  # ", ".join("?" for _ in ids): placeholders only, one per value
        if isinstance(node, (ast.GeneratorExp, ast.ListComp, ast.SetComp)):  # ["comments." + f for f in FIELDS] (set 29)
            return all(self.constant(g.iter, depth, seen) for g in node.generators) and self.constant(node.elt, depth, seen)
        if isinstance(node, ast.UnaryOp):
            return self.constant(node.operand, depth, seen)
        if isinstance(node, ast.IfExp):
            return self.constant(node.body, depth, seen) and self.constant(node.orelse, depth, seen)
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            return all(self.constant(e, depth, seen) for e in node.elts)
        if isinstance(node, ast.Dict):
            return all(self.constant(e, depth, seen) for e in [k for k in node.keys if k is not None] + node.values)
        if isinstance(node, ast.Subscript):
            return self.constant(node.value, depth, seen) and self.constant(node.slice, depth, seen)
        if isinstance(node, ast.Slice):
            return all(self.constant(p, depth, seen) for p in (node.lower, node.upper, node.step) if p is not None)
        if isinstance(node, ast.Attribute):
            if node.attr in _MODEL_META and isinstance(node.value, ast.Attribute) and node.value.attr == "_meta":
                self.generated += [m for m in [f"the model's own metadata, `{ast.unparse(node)[:40]}`"] if m not in self.generated]
                return True
            if node.attr in _ON_GENERATED and isinstance(node.value, ast.Call) and self._generated(node.value, depth, seen):
                return True
            return (dotted(node.value), node.attr) in _CONST_ATTR or class_constant(self.tree, node, self.used)
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Name) and node.func.id in ("int", "float") and len(node.args) == 1:
                shown = f"{ast.unparse(node)[:50]} at line {node.lineno}"  # int(entry["id"]): a number, whatever came in
                if shown not in self.numbers:
                    self.numbers.append(shown)
                return True
            return self._generated(node, depth, seen) or self._call_constant(node, depth, seen)
        return False

    def _copies(self, node) -> bool:  # shown as what the program makes itself: how many copies is not data's choice
        self.generated += [s for s in [f"copies of a literal, `{ast.unparse(node)[:40]}`"] if s not in self.generated]
        return True

    def _generated(self, node: ast.Call, depth: int, seen: set) -> bool:
        """A value the program makes itself (``uuid.uuid4()``, ``datetime.datetime.now().strftime('%Y')``)."""
        func, args = node.func, list(node.args) + [k.value for k in node.keywords]
        if isinstance(func, ast.Attribute) and func.attr in _ON_GENERATED and isinstance(func.value, ast.Call):
            return self._generated(func.value, depth, seen) and all(self.constant(a, depth, seen) for a in args)
        name = dotted(func)
        if not _GENERATED.match(name) or not all(self.constant(a, depth, seen) for a in args):
            return False
        if f"{name}()" not in self.generated:
            self.generated.append(f"{name}()")
        return True

    def _call_constant(self, node: ast.Call, depth: int, seen: set) -> bool:
        args = list(node.args) + [k.value for k in node.keywords]
        func = node.func
        if returns_constant(self, node, depth, seen):
            return True
        if isinstance(func, ast.Attribute) and func.attr in _STR_METHODS:  # shlex.split(cmd): oncall's celery (set 35)
            pure = dotted(func) in ("shlex.split", "shlex.join") or self.constant(func.value, depth, seen)
        elif isinstance(func, ast.Name) and func.id in _PURE:
            pure = True
        else:  # a digest of a literal is a constant (hashlib.md5(b'x').hexdigest()), as is connection.ops.quote_name(t)
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            pure = bool(_HASH.search(name)) and (not isinstance(func, ast.Attribute) or not isinstance(func.value, ast.Call)
                                                 or self.constant(func.value, depth, seen))
        return pure and all(self.constant(a, depth, seen) for a in args)

    def sink_calls(self, line: int) -> list[tuple[ast.Call, str]]:
        """The sink calls whose span covers ``line``: (call, "sql" | "command"); an XML parser counts as a command
        (every argument must be constant)."""
        out = []
        for node in ast.walk(self.tree):
            if not isinstance(node, ast.Call) or not (node.lineno <= line <= (node.end_lineno or node.lineno)):
                continue
            name = dotted(node.func)
            if isinstance(node.func, ast.Attribute) and node.func.attr in _SQL or name in ("text", "RawSQL"):
                out.append((node, "sql"))
            elif _COMMAND.match(name) or _XML.match(name):
                out.append((node, "command"))
        return out


def _all_args(a: ast.arguments) -> list[ast.arg]:
    return a.posonlyargs + a.args + a.kwonlyargs + ([a.vararg] if a.vararg else []) + ([a.kwarg] if a.kwarg else [])


def constant_sink(source: str, line: int, path: str, callers=None) -> str | None:
    """The evidence when every sink call covering ``line`` takes constants only (names followed), else None."""
    mod = parse_module(source, path, callers)
    if mod is None:
        return None
    calls = mod.sink_calls(line)
    shown, bound_in = [], any(kind == "sql" and not all(mod.constant(v) for v in call.args[1:] * (dotted(call.func)[-6:]  # beside
        != ".extra") + [k.value for k in call.keywords if k.arg in ("params", "parameters")]) for call, kind in calls)  # SQL
    for call, kind in calls:
        inputs = call.args[:1] if kind == "sql" else list(call.args) + [k.value for k in call.keywords]
        if kind == "sql" and isinstance(call.func, ast.Attribute) and call.func.attr == "extra":
            inputs = list(call.args) + [v for k in call.keywords if k.arg in _EXTRA_SQL for v in (k.value.values if isinstance(k.value, ast.Dict) else [k.value])]
        if kind == "sql" and inputs and wrapped_text(inputs[0]):
            continue  # execute(text(...)): the text() call inside is a sink of its own, its values bound parameters
        if not inputs or not all(mod.constant(a) for a in inputs) or kind != "sql" and re.search(r"[$`]", ast.unparse(call)):
            return None  # a shell expands `$SRC` in a literal from the environment (the review of set 40)
        shown.append(f"{dotted(call.func) or 'the call'}() at line {call.lineno}")
    if not shown:  # Bandit B608 flags the line that builds the query: q = "SELECT ... %s" % name
        built = [n for n in ast.walk(mod.tree) if isinstance(n, (ast.Assign, ast.AnnAssign, ast.Return))
                 and isinstance(n.value, (ast.BinOp, ast.JoinedStr, ast.Call)) and n.lineno <= line <= (n.end_lineno or n.lineno)]
        if len(built) != 1 or not mod.constant(built[0].value):
            return None
        shown.append(f"the string built at line {built[0].lineno}")
    names = list(dict.fromkeys(mod.used))
    what, tail = ("SQL text", _BOUND) if bound_in else ("input", "; no data from outside reaches the sink")
    made = f"values the program makes itself ({', '.join(mod.generated[:4])})" if mod.generated else ""
    if not names:  # literals only: constant.py's shape says it first, where the flagged line holds the whole call
        return (f"constant data: the {what} of {'; '.join(shown)} in {path} is built only from literals"  # a call over
                + (f" and {made}" if made else "") + tail)  # lines (set 27)
    bound = ", ".join(f"{n} ({at})" for n, at in names[:6]) + (", …" if len(names) > 6 else "")
    made = f" or to {made}" if made else ""
    if mod.numbers:  # outside data does reach the sink, converted to a number first
        return (f"only numbers reach the sink: the input of {'; '.join(shown)} in {path} is built only from literals "
                f"and names bound to literals or to numbers ({'; '.join(mod.numbers[:3])}): {bound}; a number carries "
                "no quote or command syntax")
    return f"constant data: the {what} of {'; '.join(shown)} in {path} is built only from names bound to literals{made}: {bound}{tail}"
