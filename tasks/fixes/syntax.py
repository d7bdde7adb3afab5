"""Does the code in an answer parse?  Fenced blocks in the languages we can check, by their own parsers.

YAML, JSON and Python by PyYAML, json and ast; other languages by
tree-sitter-language-pack (0.9: grammars bundled, nothing fetched).  A
statement fragment is tried again inside a minimal program for grammars
that need one (Go, Java, PHP, C#, Kotlin).  An elided excerpt (``...``) or an
unknown language gets no verdict (None) rather than a wrong one.  Used by
the dataset lint and by the teacher's answer checks.
"""

from __future__ import annotations

import ast
import json
import re
import textwrap

_FENCE = re.compile(r"```([A-Za-z0-9_+-]*)[^\n]*\n(.*?)```", re.S)
LANGUAGE_TAGS = {"py": "python", "python": "python", "yaml": "yaml", "yml": "yaml", "json": "json", "js": "javascript",
                 "javascript": "javascript", "ts": "typescript", "typescript": "typescript", "java": "java", "go": "go",
                 "rb": "ruby", "ruby": "ruby", "php": "php", "hcl": "hcl", "terraform": "hcl", "tf": "hcl",
                 "dockerfile": "dockerfile", "xml": "xml", "cs": "csharp", "csharp": "csharp", "kotlin": "kotlin"}
# wrappers that make a statement fragment a whole program for grammars that need one
_WRAP = {"go": "package p\nfunc _() {{\n{}\n}}\n", "java": "class _W {{ void _w() {{\n{}\n}} }}\n",
         "php": "<?php\n{}\n", "csharp": "class _W {{ void _w() {{\n{}\n}} }}\n", "kotlin": "fun _w() {{\n{}\n}}\n"}


def code_blocks(text: str) -> list[tuple[str, str]]:
    """(language tag, body) of every fenced block."""
    return [(m.group(1).lower(), m.group(2)) for m in _FENCE.finditer(text)]


def prose(text: str) -> str:
    return _FENCE.sub(" ", text)


def _parses_with_tree_sitter(language: str, body: str) -> bool | None:
    try:
        from tree_sitter_language_pack import get_parser
        parser = get_parser(language)
    except Exception:  # grammar missing or the package absent: no verdict
        return None
    if not parser.parse(body.encode()).root_node.has_error:
        return True
    wrap = _WRAP.get(language)
    return bool(wrap) and not parser.parse(wrap.format(body).encode()).root_node.has_error


def parses(tag: str, body: str) -> bool | None:
    """True/False for a block in a language we can parse, None when we cannot tell."""
    language = LANGUAGE_TAGS.get(tag)
    body = textwrap.dedent(body)
    if not language or not body.strip() or "..." in body or "…" in body:
        return None  # an elided excerpt is not meant to parse
    if language == "python":
        return any(_python_parses(text) for text in _python_fragments(body))
    if language == "yaml":
        import yaml
        try:
            list(yaml.safe_load_all(body))
            return True
        except yaml.YAMLError:
            return False
    if language == "json":
        try:
            json.loads(body)
            return True
        except ValueError:
            return False
    return _parses_with_tree_sitter(language, body)




def _python_parses(text: str) -> bool:
    try:
        ast.parse(text)
        return True
    except SyntaxError:
        return False


def _python_fragments(body: str) -> list[str]:
    """The block, and the program a shown fragment belongs to: a clause (`except ...:`) inside a try, an
    opened block given a body, a call whose arguments continue below the line shown (it ends with `(`), a
    decorator given its function, an entry (`"token": "abc",`) given its dict, list or call."""
    out = [body]
    lines = body.rstrip().splitlines()
    last = re.sub(r"\s+#.*$", "", lines[-1]) if lines else ""
    if last.endswith(":"):
        out.append(body.rstrip() + "\n" + " " * (len(lines[-1]) - len(lines[-1].lstrip()) + 4) + "pass")
    if re.match(r"\s*(?:except\b|else:|elif\b|finally:)", lines[0] if lines else ""):
        out += ["try:\n    pass\n" + o for o in list(out)]
    if last.endswith(("(", "[", "{", ",")):
        out.append(body.rstrip() + "\n" + _closers(body))
    openers = _openers(body)
    if openers:  # the line shown continues a call opened above it (`..., verify=False)  # nosec B501`)
        out.append("_" + openers + "\n" + body.rstrip())
    if last.lstrip().startswith("@"):  # a decorator line shown alone: the function it decorates follows it
        out.append(body.rstrip() + "\n" + last[:len(last) - len(last.lstrip())] + "def _():\n    pass")
    if last.endswith(",") and not openers and not _closers(body):  # an entry of a dict, a list or a call's arguments
        out += [f"_ = {{\n{body.rstrip()}\n}}", f"_ = [\n{body.rstrip()}\n]", f"_(\n{body.rstrip()}\n)"]
    return out


def _openers(body: str) -> str:
    """What opens the brackets a fragment closes without opening (``x)]`` -> ``[(``, outermost first)."""
    need: list[str] = []
    depth: list[str] = []
    code = re.sub(r"#.*$", "", re.sub(r"(['\"]).*?\1", "''", body), flags=re.M)
    for ch in code:
        if ch in "([{":
            depth.append(ch)
        elif ch in ")]}":
            if depth:
                depth.pop()
            else:
                need.append({")": "(", "]": "[", "}": "{"}[ch])
    return "".join(reversed(need))


def _closers(body: str) -> str:
    """What closes the brackets a fragment leaves open, innermost first (``f([x,`` -> ``])``)."""
    stack: list[str] = []
    code = re.sub(r"#.*$", "", re.sub(r"(['\"]).*?\1", "''", body), flags=re.M)  # strings and comments hold no brackets
    for ch in code:
        if ch in "([{":
            stack.append({"(": ")", "[": "]", "{": "}"}[ch])
        elif ch in ")]}" and stack and stack[-1] == ch:
            stack.pop()
    return "".join(reversed(stack))

