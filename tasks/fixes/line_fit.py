"""Python fix patterns fitted to the flagged line: the same call's safe form with the code's own names, or no example.

The catalogue's examples (``ast.literal_eval(text)`` for ``exec(code)``,
``defusedxml.ElementTree.parse(path)`` for a ``pulldom.parseString`` call, a
``SELECT * FROM users`` query for an ``INSERT`` into ``sensor_temperature``)
were graded "not specific" and, where they named another API, not applicable:
a wrong or foreign example is worse than none.  ``fit`` replaces the
example of four families with one written from the flagged statement
(tasks.fixes.shell_fit reads it):

* command-injection: tasks.fixes.shell_fit;
* code-injection: ``eval(x)`` becomes ``ast.literal_eval(x)`` (literals
  only); ``exec`` has no data-only form, so one sentence in its names;
* xxe (Bandit B313-B320, whose title names the stdlib function): the same
  function from ``defusedxml``'s module of the same shape, as an import or
  the call rewritten; lxml (B320) gets ``parser=XMLParser(resolve_entities=False,
  no_network=True)`` on the call;
* sql-injection: a DB-API ``X.execute(<query built from values>)`` becomes
  ``X.execute("<query with placeholders>", (values...))`` (tasks.fixes.sql_fit);
* deserialization (``yaml_load``, pickle being tasks.fixes.unpickle's): ``yaml.load(x, Loader=...)``
  becomes ``yaml.safe_load(x)``, with what the loader named does on which PyYAML releases.

Without a statement to read, the advice stays without its example.

May import: the standard library, ``tasks.fixes.shell_fit``, ``tasks.fixes.sql_fit``.
"""

from __future__ import annotations

import ast
import re

from tasks.fixes import shell_fit, sql_fit
from tasks.fixes.shell_fit import statement

FAMILIES = ("command-injection", "code-injection", "xxe", "sql-injection", "url-scheme")
_BLOCK = re.compile(r":\n```python\n.*?```", re.S)
# the stdlib XML modules Bandit names and defusedxml's module with the same functions
_DEFUSED = {"xml.etree.cElementTree": "defusedxml.ElementTree", "xml.etree.ElementTree": "defusedxml.ElementTree",
            "xml.dom.minidom": "defusedxml.minidom", "xml.dom.pulldom": "defusedxml.pulldom", "xml.sax": "defusedxml.sax",
            "xml.dom.expatbuilder": "defusedxml.expatbuilder", "xml.sax.expatreader": "defusedxml.expatreader"}
_FUNCTIONS = {"defusedxml.ElementTree": {"parse", "iterparse", "fromstring", "XML", "XMLParser"},
              "defusedxml.minidom": {"parse", "parseString"}, "defusedxml.pulldom": {"parse", "parseString"},
              "defusedxml.sax": {"parse", "parseString", "make_parser"},
              "defusedxml.expatbuilder": {"parse", "parseString"}, "defusedxml.expatreader": {"create_parser"}}
_STDLIB_CALL = re.compile(r"\b((?:xml\.(?:etree|dom|sax)(?:\.\w+)?)|lxml\.etree)\.(\w+)\b")
_REQUIREMENT = ("defusedxml is a separate package: add it to the project's requirements (`pip install defusedxml`). By "
                "default it raises `EntitiesForbidden` or `ExternalReferenceForbidden` (`ValueError` subclasses, not "
                "`ParseError`) for a document that declares entities or refers to an external resource; a DTD alone "
                "still parses unless `forbid_dtd=True`. Where the code catches `ParseError` around the parse, catch "
                "`defusedxml.DefusedXmlException` too, or such a file that parsed before now stops the caller.")


def drop_example(pattern: str) -> str:
    """The pattern's advice without its example block (when a diff already shows the change)."""
    return _BLOCK.sub(".", pattern, count=1)


def fit(family: str, pattern: str, lines: list[str], start_line: int, line: int | None, title: str = "",
        below: str = "", code_text: str = "") -> str:
    """``pattern`` with its example written for the flagged statement, or without the example."""
    if not lines or not line or not 0 <= line - start_line < len(lines):
        return _BLOCK.sub(".", pattern, count=1)
    if family == "command-injection":
        return shell_fit.fit(pattern, lines, start_line, line)
    if family == "code-injection":
        return _code_injection(lines, start_line, line) or _BLOCK.sub(".", pattern, count=1)
    if family == "xxe":
        return _xxe(lines, start_line, line, title) or _BLOCK.sub(".", pattern, count=1)
    if family == "url-scheme":
        return _url_scheme(lines, start_line, line) or _BLOCK.sub(".", pattern, count=1)
    fitted = sql_fit.fit(lines, start_line, line, below, code_text)
    return fitted or _BLOCK.sub(".", pattern, count=1)


def yaml_load(pattern: str, lines: list[str], start_line: int, line: int | None, example: bool = True) -> str:
    """The deserialisation advice for a flagged ``yaml.load``: the same call as ``yaml.safe_load`` (shown unless a
    diff already shows it), or the pattern as it is when the line holds no such call (pickle: tasks.fixes.unpickle)."""
    at = (line or 0) - start_line
    if not 0 <= at < len(lines) or "yaml" not in lines[at]:
        return pattern

    def load(t):
        return next((n for n in ast.walk(t) if isinstance(n, ast.Call) and ast.unparse(n.func) in ("yaml.load", "yaml.load_all")
                     and len(n.args) in (1, 2) and all(k.arg == "Loader" for k in n.keywords)), None)

    found = statement(lines, at, lambda t: load(t) is not None)
    if not found:
        return _BLOCK.sub(".", pattern, count=1)
    call = load(found[0])
    loader = call.args[1] if len(call.args) == 2 else next((k.value for k in call.keywords), None)
    if loader is not None and ast.unparse(loader).split(".")[-1] in ("SafeLoader", "CSafeLoader", "BaseLoader"):
        return pattern  # already a safe loader: nothing to rewrite here
    call.func = ast.Attribute(ast.Name("yaml"), "safe_load" if call.func.attr == "load" else "safe_load_all")
    call.args, call.keywords = call.args[:1], []
    new = ast.unparse(ast.fix_missing_locations(found[0]))
    kind = ast.unparse(loader).split(".")[-1] if loader is not None else None
    if kind is None:
        said = ("`yaml.load` without `Loader=` constructs any Python object a tag such as `!!python/object/apply` names "
                "on PyYAML before 5.1 (and its FullLoader default still did before 5.4), and PyYAML 6 refuses the call")
    elif kind in ("FullLoader", "CFullLoader"):
        said = (f"`yaml.load` with `Loader={ast.unparse(loader)}` constructed arbitrary Python objects before PyYAML 5.4 "
                "(CVE-2020-14343) and still builds more than plain data")
    else:
        said = (f"`yaml.load` with `Loader={ast.unparse(loader)}` builds any Python object a tag such as "
                "`!!python/object/apply` names, so whoever writes the document runs code")
    shown = f"; line {line}:\n```python\n{new}\n```\n" if example else f" (line {line} as `{new.strip()}`). "
    return (f"{said}; `yaml.safe_load` builds only plain types (dicts, lists, strings, numbers){shown}A document that "
            "relies on Python tags no longer loads, which is the point.")


def _call_named(tree, names: tuple[str, ...]) -> ast.Call | None:
    return next((n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
                 and n.func.id in names and len(n.args) == 1 and not n.keywords), None)


def _literal_head(node) -> str:
    """The literal text an f-string, ``+``, ``%`` or ``.format`` expression starts with; "" when none shows."""
    if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
        return str(node.values[0].value)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        return _literal_head(node.left)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return _literal_head(node.func.value)
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else ""


def _built_call(tree, call: ast.Call, arg: str, name: str, line: int) -> str:
    """The fix for ``eval`` of a text that builds a call of ``name``: ``dict(...)``'s keywords parsed and each value
    read with ``ast.literal_eval``; for another function, the same in words."""
    if name != "dict":
        return (f"`{arg}` builds a call of `{name}(...)`, which `ast.literal_eval` refuses (it evaluates no calls), so "
                "it cannot simply replace `eval` here. Parse the text without running it (`ast.parse(text, "
                f"mode='eval')`), read each argument with `ast.literal_eval`, and call `{name}` directly; a text that "
                "is not that one call is refused.")
    parsed = ast.parse(f"{{k.arg: ast.literal_eval(k.value) for k in ast.parse({arg}, mode='eval').body.keywords}}",
                       mode="eval").body
    for node in ast.walk(tree):  # the eval call replaced where it stands
        for field, value in ast.iter_fields(node):
            if value is call:
                setattr(node, field, parsed)
    new = ast.unparse(ast.fix_missing_locations(tree))
    return (f"`ast.literal_eval` cannot replace `eval` here: `{arg}` builds a `dict(...)` call, and literal_eval "
            "refuses calls (ValueError). Parse the keyword list without running it and read each value as a literal; "
            f"line {line} (with `import ast`):\n```python\n{new}\n```\nA value that is not a literal (a name, a "
            "call) raises ValueError, and a text that is not one `dict(...)` call raises AttributeError: catch "
            "`(SyntaxError, ValueError, AttributeError)` where the call can fail.")


def _code_injection(lines: list[str], start_line: int, line: int) -> str | None:
    found = statement(lines, line - start_line, lambda t: _call_named(t, ("eval", "exec")) is not None)
    if not found:
        return None
    tree = found[0]
    call = _call_named(tree, ("eval", "exec"))
    arg = ast.unparse(call.args[0])
    if call.func.id == "exec":
        return (f"`exec({arg})` runs whatever statements `{arg}` holds and has no data-only form. If `{arg}` only carries "
                f"data, parse it instead of running it: `ast.literal_eval({arg})` for Python literals, `json.loads({arg})` "
                "for JSON. If it must run code, only code this program wrote may reach it; no filter on the text makes "
                "outside Python safe to run.")
    built = re.match(r"\s*([A-Za-z_]\w*)\(", _literal_head(call.args[0]))  # eval(f"dict({s.kwargs})"): a call
    if built:  # literal_eval refuses calls (ValueError): the rewrite would break every such line (round 63)
        return _built_call(tree, call, arg, built.group(1), line)
    call.func = ast.Attribute(ast.Name("ast"), "literal_eval")
    new = ast.unparse(ast.fix_missing_locations(tree))
    return (f"If `{arg}` should only hold Python literals (numbers, strings, lists, dicts), parse it with "
            f"`ast.literal_eval`, which evaluates no names, calls or operators; line {line} (with `import ast`):\n"
            f"```python\n{new}\n```\nFor an expression language, use a small parser with an allowlist of operations "
            "instead of `eval`.")


def _xxe(lines: list[str], start_line: int, line: int, title: str) -> str | None:
    m = _STDLIB_CALL.search(title or "")
    if not m:
        return None
    module, function = m.group(1), m.group(2)
    wanted = (lambda t: any(isinstance(n, ast.Call) and (isinstance(n.func, ast.Name) and n.func.id == function or
                                                          isinstance(n.func, ast.Attribute) and n.func.attr == function)
                            for n in ast.walk(t)))
    found = statement(lines, line - start_line, wanted)
    if not found:
        return None
    tree = found[0]
    call = next(n for n in ast.walk(tree) if isinstance(n, ast.Call) and wanted(ast.Module([ast.Expr(n)], [])))
    prefix = ast.unparse(call.func.value) if isinstance(call.func, ast.Attribute) else None
    if module == "lxml.etree":
        return _lxml(tree, call, prefix, function, line)
    safe = _DEFUSED.get(module)
    if not safe or function not in _FUNCTIONS.get(safe, ()):
        return None
    head = (f"Parse the XML with `{safe}.{function}`, which refuses external entities and entity-expansion bombs and "
            f"otherwise works like `{module}.{function}`")
    if prefix is None:  # parseString(...) imported by name: only the import changes
        return (f"{head}; import it from there in place of `{module}`:\n```python\nfrom {safe} import {function}\n```\n"
                f"Line {line} (`{ast.unparse(tree.body[0]).strip()[:90]}`) stays as it is. {_REQUIREMENT}")
    if prefix == module:  # xml.dom.minidom.parseString(...) written out in full
        call.func = ast.Attribute(ast.parse(safe, mode="eval").body, function)
        return (f"{head}; line {line} (with `import {safe}`):\n```python\n{ast.unparse(ast.fix_missing_locations(tree))}\n"
                f"```\n{_REQUIREMENT}")
    if not re.fullmatch(r"[A-Za-z_]\w*", prefix):
        return None
    imported = (f"from {safe.rsplit('.', 1)[0]} import {prefix}" if prefix == safe.rsplit(".", 1)[1]
                else f"import {safe} as {prefix}")
    return (f"{head}; bind `{prefix}` to it in place of `{module}`:\n```python\n{imported}\n```\nLine {line} stays as it "
            f"is. {_REQUIREMENT}")


def _lxml(tree, call: ast.Call, prefix: str | None, function: str, line: int) -> str | None:
    """lxml: the same call with a parser that resolves no entities and reads nothing from the network."""
    if function not in ("fromstring", "parse", "XML") or prefix is None or len(call.args) != 1 or call.keywords:
        return None
    call.keywords = [ast.keyword("parser", ast.Call(ast.Attribute(ast.parse(prefix, mode="eval").body, "XMLParser"), [],
                                                    [ast.keyword("resolve_entities", ast.Constant(False)),
                                                     ast.keyword("no_network", ast.Constant(True))]))]
    return (f"Give `{prefix}.{function}` a parser that does not resolve entities or fetch anything; line {line}:\n"
            f"```python\n{ast.unparse(ast.fix_missing_locations(tree))}\n```")


def _url_scheme(lines: list[str], start_line: int, line: int) -> str | None:
    """``urlopen(req)``: the scheme check on the URL it opens (``req``'s own ``Request(url, ...)`` above), before it."""
    from tasks.fixes.shell_fit import _assigned

    def opener(t):
        return next((n for n in ast.walk(t) if isinstance(n, ast.Call) and re.search(r"(?:^|\.)url(?:open|retrieve)$",
                                                                                        ast.unparse(n.func)) and n.args), None)

    found = statement(lines, line - start_line, lambda t: opener(t) is not None)
    if not found:
        return None
    call = opener(found[0])
    url = call.args[0]
    if isinstance(url, ast.Name):
        made = _assigned(lines, url.id, found[1])
        if isinstance(made, ast.Call) and re.search(r"(?:^|\.)Request$", ast.unparse(made.func)) and made.args:
            url = made.args[0]
    if not isinstance(url, (ast.Name, ast.Attribute, ast.Subscript)):
        return None  # a constant or an expression: nothing to name
    name = ast.unparse(url)
    check = (f'if urllib.parse.urlparse({name}).scheme not in ("http", "https"):\n'
             '    raise ValueError("only http(s) URLs are allowed")')
    retrieve = ast.unparse(call.func).endswith("urlretrieve")  # it takes no timeout (set 32: "pass a timeout" to it)
    return (f"`{ast.unparse(call.func)}` also opens `file://`, `ftp://` and other schemes, so check the scheme of "
            f"`{name}` before line {start_line + found[1]} (with `import urllib.parse`):\n```python\n{check}\n```\n"
            "A URL that must stay on known hosts needs those checked as well."
            + (" `urlretrieve` takes no timeout: a download that must not hang reads `urllib.request.urlopen(url, "
               "timeout=...)` and writes the file itself." if retrieve else ""))
