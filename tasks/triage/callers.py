"""Check 3c, across files: a parameter is constant when every call in the repository passes a constant.

``user_create(username)`` formats ``username`` into SQL; if the only calls are
``for u, p in users: user_create(u, p)`` with a literal ``users`` list, no data
from outside reaches the query.  tasks.triage.constant_names asks this module
when a sink's input is a function's parameter.

It answers yes only for a plain module-level function or a method of a plain class (no base class: a
framework calls a base class's methods by name; then ``obj.name()`` sites count, and no other def of the name
may exist anywhere) (no decorator: a
framework may call a decorated one; not listed in ``__all__``: code outside the
repository may call an exported one) whose name, in every Python file of the
repository that mentions it, is only ever called -- never passed, stored or
referenced otherwise, nor named in a string (``getattr``, a dispatch table) nor in a
tracked configuration file (an OpenAPI ``operationId`` connexion routes to, a serverless ``handler``) --
with at least one call outside tests, and every call
passes a constant for the parameter (or omits it, and the default is
constant).  ``*args``/``**kwargs`` at a call site stop it.  Never for an
entry point a platform calls with outside data (a Lambda/Cloud Functions
``handler(event, context)``, an Azure ``main(req: func.HttpRequest)``): the
``__main__`` block that calls it with a sample event is a local test, not
the caller.  A name another module defines for itself (each Lambda folder's
own ``handler``) is that module's function, not a call site of this one.  Files are the
tracked ones (tasks.triage.reachability's ``ImportIndex``), at most
``MAX_FILES`` searched and ``MAX_CHARS`` read per run.
"""

from __future__ import annotations

import ast
import re

from tasks.triage.report_signals import is_test_path

MAX_FILES = 3000
MAX_CHARS = 32 << 20
MAX_SITES = 50
# files where a framework or platform names the Python function it routes to (OpenAPI ``operationId`` with
# connexion, ``handler: app.fn`` in serverless.yml/SAM, Django/Celery settings, setup.cfg entry points)
ROUTING_SUFFIXES = (".yaml", ".yml", ".json", ".toml", ".cfg", ".ini", ".xml", ".conf", ".tf")
MAX_ROUTING_BYTES = 1 << 20
# functions a serverless platform calls with the request: AWS Lambda, Google Cloud Functions, Azure Functions
ENTRY_NAMES = {"handler", "lambda_handler", "main_handler"}
ENTRY_PARAMS = (["event", "context"], ["event", "ctx"], ["request", "context"], ["req", "context"])


def entry_point(func) -> bool:
    """Whether a platform (not the repository's code) calls ``func`` with outside data."""
    args = func.args.posonlyargs + func.args.args
    names = [a.arg for a in args]
    annotated = any(a.annotation is not None and ast.unparse(a.annotation).split(".")[-1] == "HttpRequest" for a in args)
    return func.name in ENTRY_NAMES or names[:2] in ENTRY_PARAMS or annotated


def _defines(tree, name: str) -> bool:
    """Whether a module binds ``name`` itself at top level (a def, a class, an assignment)."""
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == name:
            return True
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return True
    return False


def _plain_method(mod, func) -> bool:
    """An ordinary method of a plain top-level class (no base class, no decorator, not a dunder): no framework calls
    it by name (a Django view's ``get``, a test case's ``setUp`` come from a base class), only the code's own
    ``obj.name(...)`` calls do."""
    cls = mod.parent.get(func)
    return (isinstance(cls, ast.ClassDef) and mod.parent.get(cls) is mod.tree and not cls.decorator_list
            and not cls.keywords and all(isinstance(b, ast.Name) and b.id == "object" for b in cls.bases)
            and not func.name.startswith("__") and bool(func.args.args))


class Callers:
    """Call sites of module-level functions and plain methods across the repository's Python files."""

    def __init__(self, index):
        self.index, self.reader = index, index.reader
        self._texts: dict[str, str] | None = None
        self._routing: dict[str, str] | None = None
        self._modules: dict[str, object] = {}

    def _sources(self) -> dict[str, str]:
        if self._texts is None:
            self._texts, chars = {}, 0
            for path in self.index.sources("pypi")[:MAX_FILES]:
                lines = self.reader.lines(path, None) or []
                text = "".join(line if line.endswith("\n") else line + "\n" for line in lines)
                chars += len(text)
                if chars > MAX_CHARS:
                    break
                self._texts[path] = text
        return self._texts

    def _routing_texts(self) -> dict[str, str]:
        """{path: text} of the tracked configuration files (bounded like the sources)."""
        if self._routing is None:
            self._routing, chars = {}, 0
            files = [p for p in getattr(self.index, "files", []) if p.endswith(ROUTING_SUFFIXES)
                     and "node_modules/" not in p and not is_test_path(p)
                     and "babel" not in p.rsplit("/", 1)[-1].lower()]  # pybabel's extractors get files, not requests
            for path in files[:MAX_FILES]:
                text = "\n".join(line.rstrip("\n") for line in self.reader.lines(path, None) or [])
                if len(text) > MAX_ROUTING_BYTES:
                    continue
                chars += len(text)
                if chars > MAX_CHARS:
                    break
                self._routing[path] = text
        return self._routing

    def routed(self, name: str) -> str | None:
        """The configuration file that names ``name`` (a framework routes requests to it), or None."""
        word = re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])")
        return next((path for path, text in self._routing_texts().items() if word.search(text)), None)

    def _module(self, path: str):
        if path not in self._modules:
            from tasks.triage.constant_names import parse_module

            self._modules[path] = parse_module(self._sources()[path], path, self)
        return self._modules[path]

    def sources(self) -> dict[str, str]:
        """{path: text} of the repository's Python files (read once, bounded by MAX_FILES and MAX_CHARS)."""
        return self._sources()

    def module(self, path: str):
        """The parsed module at ``path`` (constant_names.Module), or None when it does not parse."""
        return self._module(path)

    def __call__(self, mod, func, param: str, depth: int, seen: set) -> bool:
        """Whether every call of ``func`` passes a constant for ``param`` (constant_names.Module.name_constant)."""
        if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)) or func.decorator_list or entry_point(func):
            return False
        method = _plain_method(mod, func)
        if mod.parent.get(func) is not mod.tree and not method:
            return False
        if any(isinstance(n, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in n.targets)
               and func.name in {getattr(e, "value", None) for e in getattr(n.value, "elts", [])} for n in mod.tree.body):
            return False
        args = func.args
        positional = [a.arg for a in args.posonlyargs + args.args][1 if method else 0:]  # a method's self is bound
        if args.vararg and args.vararg.arg == param or args.kwarg and args.kwarg.arg == param:
            return False
        defaults = dict(zip(positional[len(positional) - len(args.defaults):], args.defaults))
        defaults.update({a.arg: d for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None})
        if param in defaults and not mod.constant(defaults[param], depth + 1, seen):
            return False
        if self.routed(func.name):
            return False  # a framework calls it too (connexion's operationId, a serverless handler): not only these sites
        word = re.compile(rf"\b{re.escape(func.name)}\b")
        sites, outside_tests, from_sites = [], False, []
        for path, text in self._sources().items():
            if not word.search(text):
                continue
            other = mod if path == mod.path else self._module(path)
            if other is None:
                return False
            if method and any(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == func.name
                              and n is not func for n in ast.walk(other.tree)):
                return False  # another class's method of that name: `x.name()` could mean either
            if other is not mod and not method and _defines(other.tree, func.name):
                continue  # its own function of that name: not a call of this one
            for node in ast.walk(other.tree):
                if method and isinstance(node, ast.Name) and node.id == func.name:
                    return False  # a bare name is not this method
                if isinstance(node, ast.Constant) and node.value == func.name:
                    return False  # named in a string: getattr, a dispatch table, a task name
                name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None
                if name != func.name:
                    continue
                call = other.parent.get(node)
                if not isinstance(call, ast.Call) or call.func is not node:
                    return False  # passed, stored or referenced: someone else may call it
                arg = self._argument(call, positional, param)
                if arg is False or (arg is None and param not in defaults):
                    return False
                start = len(other.used)
                if arg is not None and not other.constant(arg, depth + 1, seen):
                    return False
                if other is not mod:
                    from_sites.extend(other.used[start:])
                sites.append(f"{path}:{call.lineno}")
                outside_tests = outside_tests or not is_test_path(path)
                if len(sites) > MAX_SITES:
                    return False
        if not sites or not outside_tests:
            return False
        mod.used.append((f"{param} of {func.name}()", "every call passes constants: " + ", ".join(sites[:4])
                         + (", …" if len(sites) > 4 else "")))
        mod.used.extend(u for u in from_sites if u not in mod.used)  # the names the call sites' constants came from
        return True

    @staticmethod
    def _argument(call: ast.Call, positional: list[str], param: str):
        """The expression passed for ``param``; None when omitted; False when it cannot be told (*args, **kwargs)."""
        if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
            return False
        for k in call.keywords:
            if k.arg == param:
                return k.value
        if param in positional and positional.index(param) < len(call.args):
            return call.args[positional.index(param)]
        return None

