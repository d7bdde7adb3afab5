"""A false positive's suppression as a diff against the flagged code, where the tool reads a comment in place.

Why: a suppression written as a loose block ("put this on the flagged line")
leaves the reader to find the line and copy it by hand, and teaches a model
nothing it can apply.  Where the report (or the source reader) gives the
flagged line itself, the suppression is the one-line change ``git apply``
takes: Bandit's ``# nosec <test>`` and Semgrep's ``nosemgrep: <rule>`` at the
end of the flagged line (Semgrep's on its own line just above it when the line would grow past 79 characters),
the reason on a comment line above it at the same indentation; Checkov's ``#checkov:skip=<check>:<reason>`` as the first line
inside the flagged Terraform resource.  Everything else (ignore files,
annotations, VEX) stays a block: there is no line of the flagged file to
change.

The diff is computed (``tasks.fixes.patches.unified_diff``) from the exact
lines, never written by hand, and a Python file must still parse after it.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from tasks.findings.model import NO_LOCATION, Finding, as_finding
from tasks.fixes import patches
from tasks.fixes.iac_diff import RESOURCE_HEAD, inner_indent, resource_code
from tasks.fixes.comments import comment_text, open_tag
from tasks.fixes.suppression import justification
from tasks.fixes.validate import diff_is_sound

_TERRAFORM = (".tf", ".hcl")
# PEP 8's line length: a flagged line with `  # nosemgrep: <rule>` appended past it would fail a linter's E501 (round
# 42: securedrop's ruff at 100 rejected six suppressions), so the marker goes on its own line above instead
INLINE_MAX = 79
# a line whose end is not code: a comment appended there would land inside a string or a heredoc
_OPEN_STRING = re.compile(r"""(?:<<-?\s*[A-Z_]+\s*$|\\\s*$|(?:'''|\"\"\")[^'\"]*$)""")


def _flagged_index(c: patches.Code) -> int | None:
    """Index in ``c.lines`` of the flagged line, when the snippet's numbering places it."""
    if not c.exact:
        return None
    i = c.target[0] - c.start_line
    return i if 0 <= i < len(c.lines) and c.lines[i].strip() else None


def _line_comment(c: patches.Code, path: str, reason: str, marker: str, python: bool) -> list[str] | None:
    """``c.lines`` with the reason above the flagged line and ``marker`` at its end; None when unsafe."""
    i = _flagged_index(c)
    if i is None:
        return None
    line = c.lines[i].rstrip()
    if "[REDACTED" in line or _OPEN_STRING.search(line) or len(line) > 200:
        return None
    if python and "#" in line:  # a comment or a '#' inside a string: appending another is ambiguous
        return None
    bare = re.sub(r"\\.", "", line)
    if not python and any(bare.count(q) % 2 for q in "`'\""):  # a string left open: the comment would land in it
        return None
    indent = line[:len(line) - len(line.lstrip())]
    # the comment line pushes the flagged line down by one: "line 221" in the reason would name the comment itself
    signature = python and re.match(r"\s*(?:async\s+)?def\s", line) and not line.rstrip().endswith(":")  # B107 on a def
    where = "in the signature that starts on the next line" if signature else "on the next line"  # spread over lines (round 56)
    reason = re.sub(rf"\b(at |on )?line {c.start_line + i}\b", lambda m: where if m.group(1) else "the next line",
                    reason)  # "an import only: line 5 imports ..." keeps its subject (round 25: "only: on the next line imports")
    above = indent + comment_text(path, reason)
    inline = f"{line}{'  ' if python else ' '}{comment_text(path, marker)}"  # PEP 8's two spaces; gofmt and prettier one
    if python and re.match(r"\s*(?:import|from)\s", line):  # a comment line inside an import block fails isort
        said = [f"{inline}  # {r}" for r in (reason, re.split(r"[:;(]", reason)[0].strip())]  # (ruff's I001: set 39,
        fits = [x for x in said if len(x) <= INLINE_MAX]  # mitmproxy's version.py); bandit stops at the second '#'
        return c.lines[:i] + [fits[0] if fits else inline] + c.lines[i + 1:]
    if marker.startswith("nosemgrep") and (len(inline) > INLINE_MAX or open_tag(path, line)):  # the line above too:
        return c.lines[:i] + [above, indent + comment_text(path, marker), line] + c.lines[i + 1:]  # no over-long line
    return c.lines[:i] + [above, inline] + c.lines[i + 1:]


def _resource_skip(c: patches.Code, rule: str, reason: str) -> list[str] | None:
    """``c.lines`` with Checkov's skip comment as the first line inside the flagged resource block."""
    if not c.lines:
        return None
    head = RESOURCE_HEAD.match(c.lines[0])
    if not head:
        return None
    return [c.lines[0], f"{inner_indent(c.lines, head)}#checkov:skip={rule}:{reason}"] + c.lines[1:]


def suppression_diff(f: Finding | dict, rec: dict, code: dict | None = None) -> tuple[str, patches.Code] | None:
    """(unified diff, the code it applies to) for finding ``f`` judged false positive by ``rec``, or None."""
    f = as_finding(f)
    from tasks.fixes.module_skip import judged

    if f.redacted or judged(f, rec):  # a module's resource: the skip goes in the example's call (module_skip)
        return None
    loc = f.location or NO_LOCATION
    path = str(loc.path or "")
    c = resource_code(f, code) if f.tool == "checkov" else patches.code_of(f, code)
    if c is None or not path or path.startswith("/") or ".." in path.split("/"):  # a diff git applies inside the checkout
        return None
    reason = justification(rec, path)
    rule = str(f.rule_id or "")
    suffix = PurePosixPath(path).suffix.lower()
    language = "python" if suffix == ".py" else None
    new = None
    if suffix == ".py" and in_python_string((code or {}).get("file"), c, c.target[0]):
        return None  # a comment there would be text of the string (set 20: a test's expected HTML changed, B311 stayed)
    if f.tool == "bandit" and suffix == ".py" and re.fullmatch(r"B\d{3}", rule):
        new = _line_comment(c, path, reason, f"nosec {rule}", python=True)
    elif f.tool == "semgrep" and rule and suffix in (".py", ".js", ".ts", ".jsx", ".tsx", ".java", ".go", ".rb", ".php", ".cs", ".kt"):
        new = _line_comment(c, path, reason, f"nosemgrep: {rule}", python=suffix == ".py")
    elif f.tool == "checkov" and suffix in _TERRAFORM and re.fullmatch(r"CKV2?_[A-Z0-9_]+", rule):
        new = _resource_skip(c, rule, reason)
    if new is None or not diff_is_sound(language, c, new):
        return None
    diff = patches.unified_diff(c, new)
    return (diff, c) if diff else None


def in_python_string(file_text: str | None, c: patches.Code, line: int) -> bool:
    """Is file line ``line`` inside a string literal that spans lines (a triple-quoted string, an f-string passed to
    ``assertInHTML``)?  Read from the whole file when the reader gave it, else from the snippet; a snippet that does
    not parse counts as inside when a triple quote opens above the line or the line is no statement of its own."""
    import ast

    whole = isinstance(file_text, str) and bool(file_text.strip())
    text, first = (file_text, 1) if whole else ("\n".join(c.lines), c.start_line)
    spans = _string_spans(text, True)  # the whole file parsed once: a test file's hundred B101 findings share it
    if spans is None:  # a fragment: the line must be a statement of its own
        i = line - c.start_line
        flagged = c.lines[i].strip() if 0 <= i < len(c.lines) else ""
        above = "\n".join(c.lines[:max(0, i)])
        if (above.count('"""') + above.count("'''")) % 2:
            return True
        try:
            ast.parse(flagged + ("\n    pass" if flagged.endswith(":") else ""))
        except (SyntaxError, ValueError, RecursionError):
            return True  # '<td>{get_version_info(random.random())}</td>': text of a string opened above the snippet
        return False
    at = line - first + 1
    return any(a <= at <= b for a, b in spans)


# JavaScript and TypeScript files: a template literal there spans lines (the source reader hands their text over)
SCRIPT_SUFFIXES = (".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx")


def inside_string(f: Finding | dict, code: dict | None) -> str | None:
    """Why no comment may go on the flagged line: it lies inside a Python string that spans lines (a docstring's
    doctest: sqlmap's bcrypt test vector, set 40 - the `# nosemgrep` became part of the expected output and the
    doctest failed) or a JavaScript template literal (CTFd's team.js modal body, round 49: the comment would show in
    the page).  None when the line is code, or the file does not parse."""
    f = as_finding(f)
    text, path = (code or {}).get("file") or (code or {}).get("script"), str(f.path or "")
    if not text or not f.line:
        return None
    if path.endswith(SCRIPT_SUFFIXES):
        from tasks.triage.parsed_source import parse_js

        root = parse_js(text, path)
        rows = text.split("\n")
        if root is None or not 0 < f.line <= len(rows):
            return None
        line = rows[f.line - 1].rstrip()
        for col in (0, len(line.encode("utf-8"))):  # where the reason goes above it and where the marker ends it
            node = root.descendant_for_point_range((f.line - 1, col), (f.line - 1, col))
            while node is not None and node.type not in ("template_string", "template_substitution"):
                node = node.parent  # code inside a `${ ... }` substitution is code (the review of the set-45 change)
            if node is not None and node.type == "template_string" and node.start_point[0] + 1 < f.line:
                return (f"{f.path}:{f.line} is inside a template literal that spans lines {node.start_point[0] + 1}-"
                        f"{node.end_point[0] + 1}: a suppression comment there would become part of the string")
        return None
    if not path.endswith(".py"):
        return None
    for first, last in _string_spans(text) or ():
        if first < f.line <= last:
            return (f"{f.path}:{f.line} is inside a string that spans lines {first}-{last} (a docstring "
                    "or a text block): a suppression comment there would become part of the string")
    return None


_SPANS: dict[tuple[bytes, bool], tuple | None] = {}  # (digest, f-strings) -> spans: small, whatever the files
MAX_SPANS = 20_000


def _string_spans(text: str, formatted: bool = False) -> tuple[tuple[int, int], ...] | None:
    """(first, last line) of every string literal of Python ``text`` that spans lines (f-strings too when
    ``formatted``), or None when it does not parse; parsed once per file, not once per finding (saleor's 47,000
    Bandit findings, held-out set 48: the build spent minutes re-parsing the same test files, in no order a small
    cache of texts could keep).  Only the spans are kept, keyed by the text's BLAKE2 digest."""
    import ast
    import hashlib
    import textwrap

    key = (hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest(), formatted)
    if key in _SPANS:
        return _SPANS[key]
    try:
        tree = ast.parse(textwrap.dedent(text))
    except (SyntaxError, ValueError, RecursionError):
        tree = None
    spans = None if tree is None else tuple((n.lineno, n.end_lineno) for n in ast.walk(tree) if (
        isinstance(n, ast.Constant) and isinstance(n.value, str) or formatted and isinstance(n, ast.JoinedStr))
        and (n.end_lineno or n.lineno) > n.lineno)
    if len(_SPANS) >= MAX_SPANS:
        _SPANS.clear()
    _SPANS[key] = spans
    return spans
