"""Where else a test's credential is written: the fixture or helper of the test folder that writes the same value.

"A test credential ... it opens only what the tests set up" was true of every flagged password in a test and said
nothing about this one (round 56's graders, three rows with the same paragraph: "it doesn't say the value matches
the fixture users created in create_users()").  The test folder says more: the fixture, factory or helper that
writes the same literal under a credential's name (or in a setup function's rows) - the account the test logs in
to, the secret the app under test is configured with; setup code first, then other tests.  Only places are said,
never the value (the prompt shows it redacted, and a row must not carry it).  The folder's literals are indexed
once per reader: a suite's hundreds of B105s share one read.

May import: ``tasks.findings``, ``tasks.repository``.
"""

from __future__ import annotations

import ast
import re
import weakref

from tasks.findings.model import Finding
from tasks.repository.source import finding_lines

_VALUE = re.compile(r"""(?i)(?:passw\w*|pwd|secret\w*|token\w*|api_?key\w*|\bkey)["']?\s*[=:]\s*(?:b|r)?(["'])([^"'\\\n]{3,80})\1""")
_JS = (".js", ".ts", ".mjs", ".cjs", ".tsx", ".jsx")
_JS_TEST = re.compile(r"""\b(?:it|test|describe)\s*\(\s*(["'`])([^"'`\n]{1,60})\1""")
_SUFFIXES = (".py", ".js", ".ts", ".mjs", ".cjs", ".tsx", ".jsx", ".go", ".rb", ".java", ".php", ".yaml", ".yml", ".json", ".cfg", ".ini")
MAX_FILES = 120
# where a test suite makes its accounts and configured secrets: a fixture, a factory, a setup helper
_SETUP = re.compile(r"(?i)conftest|fixture|factor(?:y|ies)|setup|set_up|populate|seed|create_?user|make_?user|add_?user|helpers?\b|utils?\b")
MAX_BYTES = 256 * 1024


def _spans(lines: list[str], name: str) -> list[tuple[int, int, str]]:
    """(first line, last line, "name() (line N)") of each Python function of the file, innermost last when sorted."""
    if not name.endswith(".py"):
        return []
    try:
        tree = ast.parse("".join(t if t.endswith("\n") else t + "\n" for t in lines))
    except (SyntaxError, ValueError):
        return []
    return sorted((n.lineno, n.end_lineno or n.lineno, f"{n.name}() (line {n.lineno})") for n in ast.walk(tree)
                  if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)))


def _enclosing(lines: list[str], line: int, name: str, spans: list | None = None) -> str | None:
    """The function (Python, by its syntax tree) or JavaScript test the 1-based ``line`` of file ``name`` sits in."""
    if name.endswith(".py"):
        inside = [s for s in (_spans(lines, name) if spans is None else spans) if s[0] <= line <= s[1]]
        return inside[-1][2] if inside else None
    for k in range(line - 2, max(line - 200, 0) - 1, -1):  # a JavaScript test's title, the nearest above
        js = _JS_TEST.search(lines[k]) if name.endswith(_JS) else None
        if js:
            return f"the test '{js.group(2)}' (line {k + 1})"
    return None


_INDEX: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # reader -> {(commit, folder): (files, literals)}
_LITERAL = re.compile(r"""(["'])([^"'\\\n]{3,80})\1""")


def _index(reader, f: Finding, folder: str) -> tuple[dict, dict]:
    """Every literal of the test folder's files, read once per folder: a suite's hundreds of B105s share it."""
    commit = f.source.commit if f.source else None
    key = (commit, folder)
    try:
        known = _INDEX.setdefault(reader, {})
    except TypeError:  # a reader that cannot be weakly referenced (a test's stand-in): read, not kept
        known = {}
    if key not in known:
        texts, where = {}, {}
        names = [n for n in reader.tracked(reader.resolve(commit), folder, limit=2000) if n.endswith(_SUFFIXES)]
        for name in sorted(names, key=lambda n: (not _SETUP.search(n.rsplit("/", 1)[-1]), n))[:MAX_FILES]:
            text = finding_lines(reader, f, name)
            if not text or sum(len(t) for t in text) > MAX_BYTES:
                continue
            texts[name] = (text, _spans(text, name))
            for k, line in enumerate(text, start=1):
                named = {v.group(2) for v in _VALUE.finditer(line)}
                for lit in {m.group(2) for m in _LITERAL.finditer(line)} | named:
                    where.setdefault(lit, []).append((name, k, lit in named))
        known[key] = (texts, where)
    return known[key]


def _plain(text: str) -> str:
    """Letters and digits only, lower-cased: `create_user_summer_2024` spells `Summer2024` (the second attack)."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _folder(path: str) -> str | None:
    parts = path.split("/")
    for i, part in enumerate(parts[:-1]):
        if re.fullmatch(r"(?i)tests?|__tests__|spec|specs|testing|fixtures?|testdata", part):
            return "/".join(parts[:i + 1])
    return None


def test_use(f: Finding, reader) -> str:
    """"the same value is also written at tests/conftest.py:12 (in create_users()); " (ending in "; ", to go before
    the sentence it supports), or "" when the flagged line holds no readable value or no other test code writes it.
    The test the line sits in is the path evidence's to say ("test code (line 7, in test_change())")."""
    path, line = str(f.path or ""), f.line
    lines = finding_lines(reader, f)
    m = _VALUE.search(lines[line - 1]) if path and line and 0 < line <= len(lines) else None
    if not m:
        return ""
    value = m.group(2)
    folder = _folder(path)
    texts, where = _index(reader, f, folder) if folder and hasattr(reader, "tracked") else ({}, {})
    found = []
    for name, k, named in where.get(value, [])[:400]:
        if name == path and abs(k - line) <= 2:
            continue
        at = _enclosing(texts[name][0], k, name, texts[name][1])
        fn = at.split(" (line")[0] if at else ""
        setup = bool(_SETUP.search(fn)) and not fn.startswith("test") and len(value) >= 5 and not value.isdigit() \
            and not re.search(r"(?i)\b\w*(?:id|uuid|pk|name|slug)\s*=\s*[\"']" + re.escape(value), texts[name][0][k - 1])  # a
        # fixture's row of users, not a test, nor a record's id (`uuid='123'` in setUp(): set 53's grader)
        if named or setup:
            found.append((not setup, not _SETUP.search(name.rsplit("/", 1)[-1]), name != path,
                          f"{name}:{k}" + (f" (in {fn})" if fn and _plain(value) not in _plain(fn) else "")))
    # a function or test named for the value (`create_user_with_Summer2024`) would spell it out: its place only
    others, places = [], set()
    for *_, at in sorted(found):
        place = (at.split(":")[0], at.partition(" (in ")[2])  # one line per function of a file
        if place not in places and len(others) < 2:
            places.add(place)
            others.append(at)
    return f"the same value is also written at {' and '.join(others)}; " if others else ""
