"""Check 3d: a deserialiser or XML parser fed the repository's own file -- no data from outside reaches it.

``yaml.load`` without a safe loader, ``pickle.load``, ``marshal.load``
(Bandit B301/B302/B506, Semgrep's unsafe-load rules) are dangerous when an
attacker chooses the bytes.  A maintainer's script that opens a file by a
literal path which is committed in the same repository
(``open("serverlessrepo.yaml")``, ``os.path.join(os.path.dirname(__file__),
"config.yaml")``, ``Path(__file__).parent / "model.pkl"``) parses content
whoever can change the code can change too: the input is not from outside.
The same holds for an XML parser (Bandit B313-B320: external entities) that
parses a committed file (``ET.parse('./db/attacks.xml')``, its path given
directly, or ``fromstring(open(PATH).read())``).

Python only, with the file and the repository's file list
(``source.repo_path``).  The deserialiser's first argument is followed
through names bound in the same function (or the module) to ``open(PATH)``,
``open(PATH).read()``, ``Path(PATH).read_text()``/``read_bytes()``/``open()``
or a ``with open(PATH) as f`` block, PATH itself possibly a name bound only to
such a literal (``CONFIG = "config.yaml"``); every binding must be one of those, the
path a literal that is a committed file (looked up relative to the
repository's root and to the script's own folder), and the file must never
open that path for writing (a program that writes the file it loads may
write what a user sent).  Anything else -- a parameter, a download, a path
built from a variable, a file the repository does not hold -- decides
nothing.  The evidence names the call, the path and the lines.
"""

from __future__ import annotations

import ast
import re
from pathlib import PurePosixPath

from tasks.findings.model import Finding, as_finding
from tasks.triage.constant_names import dotted, parse_module
from tasks.triage.parsed_source import finding_source

_RULE = re.compile(r"(?i)yaml|pickle|marshal|deserial|\bB30[12]\b|\bB506\b|\bB31[3-9]\b|\bB320\b|xml|xxe")
_LOADER = re.compile(r"^(?:yaml\.(?:load|load_all|unsafe_load|unsafe_load_all|full_load|full_load_all)"
                     r"|(?:c?[Pp]ickle|_pickle|dill|marshal|jsonpickle|shelve|joblib)\.(?:loads?|Unpickler|decode|open)"
                     r"|Unpickler)$")
# XML parsers (Bandit B313-B320, XXE rules) that take the file's path itself, or its text
_XML_PATH = re.compile(r"^(?:\w+\.)*(?:ET|ElementTree|cElementTree|etree|minidom|pulldom|sax|expatbuilder|xml)\.(?:parse|iterparse)$")
_XML_TEXT = re.compile(r"^(?:\w+\.)*(?:ET|ElementTree|cElementTree|etree|minidom|pulldom|expatbuilder)\.(?:fromstring|XML|parseString)$")
_READS = {"read", "read_text", "read_bytes", "open", "readlines"}
_WRITE_MODE = re.compile(r"[wax+]")


def _literal_path(node, folder: str) -> tuple[str, ...] | None:
    """Repository-relative candidates for a literal path expression: the string itself (relative to the root or the
    working directory) and, for ``__file__``-based paths, the script's folder."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return (node.value, f"{folder}/{node.value}" if folder else node.value)
    if isinstance(node, ast.Call) and dotted(node.func) in ("os.path.join", "path.join") and node.args:
        here = _here(node.args[0])
        parts = node.args[1:]
        if here and parts and all(isinstance(p, ast.Constant) and isinstance(p.value, str) for p in parts):
            rel = "/".join(p.value for p in parts)
            return (f"{folder}/{rel}" if folder else rel,)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div) and isinstance(node.right, ast.Constant) \
            and isinstance(node.right.value, str):
        if _here(node.left):
            return (f"{folder}/{node.right.value}" if folder else node.right.value,)
        left = _literal_path(node.left, folder)
        return tuple(f"{p}/{node.right.value}" for p in left) if left else None
    if isinstance(node, ast.Call) and dotted(node.func) in ("Path", "pathlib.Path", "PurePath") and len(node.args) == 1:
        return _literal_path(node.args[0], folder)
    return None


def _here(node) -> bool:
    """``os.path.dirname(__file__)``, ``os.path.dirname(os.path.abspath(__file__))``, ``Path(__file__).parent``."""
    text = ast.unparse(node).replace(" ", "")
    return text in ("os.path.dirname(__file__)", "os.path.dirname(os.path.abspath(__file__))",
                    "os.path.dirname(os.path.realpath(__file__))", "Path(__file__).parent",
                    "Path(__file__).resolve().parent", "pathlib.Path(__file__).parent", "pathlib.Path(__file__).resolve().parent")


class _Resolver:
    def __init__(self, mod, folder: str, files: set[str]):
        self.mod, self.folder, self.files = mod, folder, files
        self.lines: list[int] = []
        self.paths: list[str] = []

    def committed(self, node, depth: int = 0) -> bool:
        if isinstance(node, ast.Name) and depth < 3:  # CONFIG = "config.yaml"; open(CONFIG): every binding a committed path
            scope = self.mod.scope_of(node)
            found = _bindings(scope, node.id)
            if found == [] and scope is not self.mod.tree:  # not bound in the function: the module's name
                found = _bindings(self.mod.tree, node.id)
            if found and all(self.committed(expr, depth + 1) for expr, _ in found):
                self.lines += [line for _, line in found]
                return True
            return False
        cands = _literal_path(node, self.folder)
        for c in cands or ():
            clean = str(PurePosixPath(c))
            if ".." not in PurePosixPath(clean).parts and clean.removeprefix("./") in self.files:
                self.paths.append(clean.removeprefix("./"))
                return True
        return False

    def opened(self, node, depth: int) -> bool:
        """``node`` is (the content of) a committed file opened for reading."""
        if depth > 6:
            return False
        if isinstance(node, ast.Call) and dotted(node.func) in ("open", "io.open", "codecs.open") and node.args:
            mode = node.args[1] if len(node.args) > 1 else next((k.value for k in node.keywords if k.arg == "mode"), None)
            if mode is not None and not (isinstance(mode, ast.Constant) and isinstance(mode.value, str)
                                         and not _WRITE_MODE.search(mode.value)):
                return False
            return self.committed(node.args[0])
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _READS \
                and not node.args:
            base = node.func.value
            return self.opened(base, depth + 1) or (node.func.attr != "readlines" and self.committed(base))
        if isinstance(node, ast.Name):
            return self.name(node, depth)
        return False

    def name(self, node: ast.Name, depth: int) -> bool:
        scope = self.mod.scope_of(node)
        while True:
            found = _bindings(scope, node.id)
            if found is None:
                return False
            if found:
                ok = all(self.opened(expr, depth + 1) for expr, _ in found)
                self.lines += [line for _, line in found]
                return ok
            if scope is self.mod.tree:
                return False
            scope = self.mod.scope_of(scope)


def _bindings(scope, name: str) -> list[tuple[ast.AST, int]] | None:
    """(expression, line) for each plain assignment or ``with … as name`` of ``name`` in ``scope``; None when another
    kind of binding (a parameter, a loop, an import, ``global``) makes the value unknown."""
    from tasks.triage.constant_names import _all_args, _own_nodes

    if not isinstance(scope, ast.Module) and name in {a.arg for a in _all_args(scope.args)}:
        return None
    found = []
    for node in _own_nodes(scope):
        if isinstance(node, ast.Assign) and any(name in {n.id for n in ast.walk(t) if isinstance(n, ast.Name)}
                                                for t in node.targets):
            if len(node.targets) != 1 or not isinstance(node.targets[0], ast.Name):
                return None
            found.append((node.value, node.lineno))
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                if isinstance(item.optional_vars, ast.Name) and item.optional_vars.id == name:
                    found.append((item.context_expr, node.lineno))
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign, ast.NamedExpr, ast.For, ast.AsyncFor, ast.comprehension)) \
                and name in {n.id for n in ast.walk(node.target) if isinstance(n, ast.Name)} or \
                isinstance(node, (ast.Global, ast.Nonlocal)) and name in node.names or \
                isinstance(node, (ast.Import, ast.ImportFrom)) and any((a.asname or a.name).split(".")[0] == name
                                                                       for a in node.names) or \
                isinstance(node, ast.ExceptHandler) and node.name == name:
            return None
    return found


def _written(tree, path: str, folder: str) -> bool:
    """Whether the module opens ``path`` (by the same literal) with a writing mode or writes it through pathlib."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        if dotted(node.func) in ("open", "io.open", "codecs.open") and node.args:
            mode = node.args[1] if len(node.args) > 1 else next((k.value for k in node.keywords if k.arg == "mode"), None)
            if mode is None or (isinstance(mode, ast.Constant) and isinstance(mode.value, str) and not _WRITE_MODE.search(mode.value)):
                continue
            target = node.args[0]
        elif isinstance(node.func, ast.Attribute) and node.func.attr in ("write_text", "write_bytes", "touch"):
            target = node.func.value
        else:
            continue
        cands = _literal_path(target, folder)
        if cands is None or any(str(PurePosixPath(c)).removeprefix("./") == path for c in cands):
            return True  # a path not known to be another file may be this one
    return False


def check_repo_file_input(f: Finding | dict, reader=None, imports=None) -> dict | None:
    """{"check": "code", "status": "constant_input", "evidence"} when the flagged deserialiser reads only a file the
    repository commits, opened by a literal path the program never writes."""
    f = as_finding(f)
    loc = f.location
    files = set(getattr(imports, "files", None) or ())
    if f.kind != "code" or not _RULE.search(f"{f.rule_id} {f.title}") or reader is None or loc is None \
            or not loc.start_line or not str(loc.path or "").endswith(".py"):
        return None
    mod = parse_module(finding_source(reader, f), loc.path)
    if mod is None:
        return None
    copied = _round_trip(mod.tree, loc.start_line)
    if copied or not files:
        return copied and {"check": "code", "status": "constant_input",
                           "evidence": f"an in-process copy: `{copied}` at {loc.path}:{loc.start_line} loads the bytes the "
                                       "same expression has just serialised from an object of this process (a fast deep "
                                       "copy), so no byte from outside reaches the loader"}
    calls = [n for n in ast.walk(mod.tree) if isinstance(n, ast.Call) and (_LOADER.match(dotted(n.func))
             or _XML_PATH.match(dotted(n.func)) or _XML_TEXT.match(dotted(n.func)))
             and n.lineno <= loc.start_line <= (n.end_lineno or n.lineno)]
    if not calls:
        return None
    folder = str(PurePosixPath(loc.path).parent).removeprefix(".")
    shown = []
    for call in calls:
        res = _Resolver(mod, folder, files)
        by_path = bool(_XML_PATH.match(dotted(call.func)))  # ET.parse('db/attacks.xml'): the path, not the content
        if not call.args or not (res.committed(call.args[0]) if by_path else False) and not res.opened(call.args[0], 0) \
                or any(_written(mod.tree, p, folder) for p in res.paths):
            return None
        where = ", ".join(f"{loc.path}:{n}" for n in sorted(set(res.lines))) or f"{loc.path}:{call.lineno}"
        shown.append(f"{dotted(call.func)}() at line {call.lineno} reads {', '.join(sorted(set(res.paths)))} ({where})")
    return {"check": "code", "status": "constant_input",
            "evidence": f"repository file input: {'; '.join(shown)}, a file committed in the repository and opened by a "
                        "literal path the program never writes, so no data from outside reaches the parser"}


def _round_trip(tree, line: int) -> str | None:
    """``pickle.loads(pickle.dumps(obj))`` on ``line``: the loader's input is the dump of an object, in one expression."""
    for n in ast.walk(tree):
        if isinstance(n, ast.Call) and n.lineno <= line <= (n.end_lineno or n.lineno) and _LOADER.match(dotted(n.func)) \
                and n.args and isinstance(n.args[0], ast.Call) and dotted(n.args[0].func).endswith("dumps") \
                and dotted(n.args[0].func).split(".")[0] == dotted(n.func).split(".")[0]:
            text = " ".join(ast.unparse(n).split())
            return text if len(text) <= 80 else text[:77] + "..."
    return None
