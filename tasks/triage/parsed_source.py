"""The flagged file as the code checks parse it: its text (``finding_source``); for Python, its module
(``python_tree``) and the function around a line (``enclosing_function``); for JavaScript/TypeScript, its syntax
tree behind one guard (``parse_js``) and the nodes of that tree on the flagged line (``nodes_on_line``).

Every check that reads a JS/TS module (tasks.triage.constant_js,
tasks.triage.escaped_js) parses it here so that all of them refuse the same
files: one larger than ``MAX_SOURCE`` (a bundle, not code someone wrote),
one no grammar is installed for, and one that does not parse cleanly (a
tree with an ERROR node is a guess about the code, and evidence from a guess
could turn a real finding into a false positive).  tree-sitter-language-pack
picks the grammar from the file's suffix: TypeScript for ``.ts``/``.mts``/
``.cts``, TSX for ``.tsx``, JavaScript for the rest.
"""

from __future__ import annotations

import ast

from tasks.findings.model import Finding
from tasks.repository.source import finding_lines

MAX_SOURCE = 512 * 1024
_GRAMMAR = {".ts": "typescript", ".mts": "typescript", ".cts": "typescript", ".tsx": "tsx"}


def finding_source(reader, f: Finding) -> str:
    """The finding's file at its run's commit as one text, every line ending in a newline ("" when unreadable)."""
    return "".join(line if line.endswith("\n") else line + "\n" for line in finding_lines(reader, f))


def python_tree(reader, f: Finding) -> tuple[ast.Module, str] | None:
    """(module, text) of the finding's Python file at its run's commit; None without a reader, for another language,
    or when the file is unreadable, empty or does not parse (a guess about the code is no evidence).  The module is
    ``parsed_tree``'s shared one: every check of every finding in the file reads the same parse."""
    parsed = python_parents(reader, f)
    return parsed[:2] if parsed else None


def python_parents(reader, f: Finding) -> tuple[ast.Module, str, dict] | None:
    """``python_tree`` and the child -> parent map ``parsed_tree`` keeps beside the shared parse (built once per file,
    not once per check)."""
    if reader is None or not str(f.path or "").endswith(".py"):
        return None
    source = finding_source(reader, f)
    try:
        tree, parent = parsed_tree(source, len(source)) if source else (None, {})
    except (SyntaxError, ValueError, RecursionError):
        return None
    return (tree, source, parent) if tree is not None else None


def bound_targets(node: ast.AST) -> list[ast.AST]:
    """The target expressions ``node`` binds, when it is an assignment (plain, augmented, annotated), a loop, a
    ``with``, a walrus or a comprehension; else []."""
    if isinstance(node, ast.Assign):
        return list(node.targets)
    if isinstance(node, (ast.AugAssign, ast.AnnAssign, ast.For, ast.AsyncFor, ast.NamedExpr, ast.comprehension)):
        return [node.target]
    if isinstance(node, (ast.With, ast.AsyncWith)):
        return [i.optional_vars for i in node.items if i.optional_vars is not None]
    return []


def binds_name(node: ast.AST, name: str) -> bool:
    """Does ``node`` (one of ``bound_targets``' kinds) bind ``name``, alone or inside a tuple or list target?"""
    return any(isinstance(x, ast.Name) and x.id == name for t in bound_targets(node) for x in ast.walk(t))


def flagged_python(f: Finding, reader, rule) -> tuple[ast.Module, str, dict] | None:
    """``python_parents`` for a code finding whose rule id ``rule`` (a compiled pattern) matches and whose line is
    known, else None: the opening every single-rule Python check shares."""
    loc = f.location
    if f.kind != "code" or not rule.search(str(f.rule_id or "")) or not loc or not loc.start_line:
        return None
    return python_parents(reader, f)


def enclosing_function(tree: ast.AST, line: int):
    """The innermost function (def or async def, at any depth) whose lines hold ``line``, or None."""
    funcs = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
             and n.lineno <= line <= (n.end_lineno or n.lineno)]
    return max(funcs, key=lambda n: n.lineno) if funcs else None


JS_SUFFIXES = (".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".jsx", ".tsx")


def flagged_js(f: Finding, reader, rule):
    """The parsed JS/TS file of a Semgrep finding whose rule id ``rule`` matches and whose line is known, else None:
    the opening the single-rule JavaScript checks share (constant_key, own_markup)."""
    if f.tool != "semgrep" or not rule.search(str(f.rule_id or "")) or reader is None or not f.line \
            or not str(f.path or "").endswith(JS_SUFFIXES):
        return None
    source = finding_source(reader, f)
    return parse_js(source, str(f.path)) if source else None


def parse_js(source: str, path: str):
    """The tree-sitter root node of JS/TS ``source`` (the file at ``path``, whose suffix picks the grammar), or None
    when the file is too large, no parser is installed, or the tree has a syntax error."""
    data = source.encode("utf-8")
    if len(data) > MAX_SOURCE:
        return None
    suffix = "." + path.rsplit(".", 1)[-1].lower() if "." in path else ""
    try:
        from tree_sitter_language_pack import get_parser

        root = get_parser(_GRAMMAR.get(suffix, "javascript")).parse(data).root_node
    except Exception:  # noqa: BLE001 - no grammar or parser: no evidence
        return None
    return None if root.has_error else root


def nodes_on_line(root, line: int):
    """Every node of the tree whose span covers ``line`` (1-based), each before the nodes inside it."""
    todo = [root]
    while todo:
        n = todo.pop()
        if n.start_point[0] + 1 <= line <= n.end_point[0] + 1:
            todo.extend(n.named_children)
            yield n


_TREES: dict[int, tuple] = {}  # hash of a source -> (tree, parent map): a file with many findings is parsed once
_MAX_TREES = 48


def parsed_tree(source: str, limit: int) -> tuple[ast.AST | None, dict]:
    """(tree, child -> parent) of ``source``, or (None, {}) when longer than ``limit``; SyntaxError as ``ast.parse``.

    A repository's test file can carry hundreds of findings (Bandit's B101 on every assert), and every check that
    reads the file used to parse it again; the last 48 parsed files are kept.  The trees are shared: callers only
    read them."""
    if len(source) > limit:
        return None, {}
    key = hash(source)
    if key not in _TREES:
        tree = ast.parse(source)
        parent = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        if len(_TREES) >= _MAX_TREES:
            _TREES.pop(next(iter(_TREES)))
        _TREES[key] = (tree, parent)
    return _TREES[key]


def may_reach(parent: dict, line: int, use, name: str | None = None) -> bool:
    """Whether a binding at ``line`` can give ``use`` (a node whose parents ``parent`` maps) its value: the binding comes
    first, or a loop holds both (set 24: the `select_cols` of a later branch was cited as the source of line 122's).
    Inside a ``for`` whose target binds ``name``, only bindings within that loop can (set 36: zou's migration reuses
    `table` in four loops, and each statement was said to take all four lists)."""
    node = use
    while name and node in parent:
        node = parent[node]
        if isinstance(node, (ast.For, ast.AsyncFor)) and name in {n.id for n in ast.walk(node.target) if isinstance(n, ast.Name)}:
            return node.lineno <= line <= (node.end_lineno or node.lineno)
    if line <= getattr(use, "lineno", 0):
        return True
    node = use
    while node in parent:
        node = parent[node]
        if isinstance(node, (ast.For, ast.AsyncFor, ast.While)) and node.lineno <= line <= (node.end_lineno or node.lineno):
            return True
    return False


def bracketed(text: str, start: int) -> str | None:
    """The text between the bracket at ``start`` (``(``, ``[`` or ``{``) and its match, skipping quoted strings; None if it
    never closes.  One walk for a call's arguments (tasks.triage.constant), a method's body (tasks.triage.vue_html) and
    a wrapped sink's argument (tasks.enrich.specifics)."""
    depth, i, quote = 0, start, None
    while i < len(text):
        c = text[i]
        if quote:
            if c == "\\":
                i += 2
                continue
            if text.startswith(quote, i):
                i += len(quote)
                quote = None
                continue
        elif text.startswith(('"""', "'''"), i):
            quote = text[i:i + 3]
            i += 3
            continue
        elif c in "'\"`":
            quote = c
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth == 0:
                return text[start + 1:i]
        i += 1
    return None


_TOP = ("def ", "async def ", "class ", "@")


def partial_tree(source: str) -> ast.Module | None:
    """The module without the top-level functions or classes this Python cannot parse (ArchiveBox's views.py uses
    3.12's f-string quoting in one view, held-out set 24), line numbers kept; None when the whole file parses (use
    ``parsed_tree``), when anything but a def or class is lost, or when a lost part rebinds a module name."""
    lines = source.splitlines(True)
    starts = [i for i, l in enumerate(lines) if l[:1].strip() and not l.startswith(("#", ")", "]", "}"))
              and not (i and lines[i - 1].startswith("@") and l.startswith(_TOP[:3]))]
    body, lost = [], 0
    for a, b in zip(starts, starts[1:] + [len(lines)]):
        chunk = "".join(lines[a:b])
        try:
            part = ast.parse(chunk)
        except (SyntaxError, ValueError, RecursionError):
            if not lines[a].startswith(_TOP) or any(w in chunk for w in ("global ", "nonlocal ")):
                return None
            lost += 1
            continue
        ast.increment_lineno(part, a)
        body.extend(part.body)
    return ast.Module(body=body, type_ignores=[]) if lost else None
