"""Where a test-file finding sits: the flagged statement and the test that holds it, for the path reason.

``test_site`` gives " (line 122: `assert r.status_code == 200`, in test_notify())", read from the file (or Bandit's
numbered snippet).  The enclosing test is found by indentation, so module-level code after a nested helper is not
placed inside that helper; a literal is cut only when it is shaped like a credential.

May import: ``tasks.findings``, ``tasks.core``.
"""

from __future__ import annotations

import re

from tasks.core.markdown import code_span

from tasks.findings.model import Finding


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
    func = _enclosing_test(lines, n)
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

    value = m.group(2)
    dotted = re.fullmatch(r"[a-z][\w-]*(?:[.:][a-z][\w-]*)+", value)  # a setting's key (ckan.webassets.path: set 31)
    # or a Django URL name (radius:accounting: set 33)
    shaped = not re.search(r"\s", value) and not dotted and classify_one(value)["class"] == "high-entropy"  # SQL: spaces
    return f"{m.group(1)}…{m.group(1)}" if shaped else m.group(0)


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
