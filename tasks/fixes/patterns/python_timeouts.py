"""Bandit B113 (a ``requests`` call without a timeout): the flagged call itself with ``timeout=`` added.

requests (and httpx's module functions, which B113 also flags) waits as long
as the server keeps the connection open unless the call passes ``timeout``;
there is no session- or module-wide default to set instead.  The fix is
therefore one keyword on the flagged call, which a diff shows exactly.  The
value is an example (10 seconds, or a ``(connect, read)`` pair): the right
one is what this server's slowest good answer takes, so the advice says so
rather than pretending to know.  A call that passes ``**kwargs`` may already
carry a timeout (a duplicate keyword is a TypeError), so it is not rewritten.
B113 flags httpx only for ``timeout=None``: httpx's own default is 5 seconds.
"""

from __future__ import annotations

import re

from tasks.fixes.patterns.python_hashes import close_paren

PATTERN = """requests waits as long as the server keeps the connection open unless the call passes `timeout`, and it has no module- or session-wide default to set instead. Pass one on the call: 10 seconds here is an example; take what the slowest good answer from this server needs, or a `(connect, read)` pair such as `(3.05, 30)`. A timeout raises `requests.Timeout`; catch it where the caller can retry or report the failure:
```python
response = requests.get(url, timeout=10)
```"""

_CALL = re.compile(r"\b(?:requests|httpx)\.(?:get|post|put|patch|delete|head|options|request)\(")


def _insert(text: str) -> str | None:
    m = _CALL.search(text)
    if m and re.search(r"\btimeout\s*=\s*None\b", text):  # B113's other form: a timeout switched off
        return re.sub(r"\btimeout\s*=\s*None\b", "timeout=10", text, count=1)
    if not m or "timeout" in text or not m.group(0).startswith("requests."):  # httpx has a 5 s default
        return None
    close = close_paren(text, m.end() - 1)
    if close is None:
        return None
    inner = text[m.end():close]
    if "**" in inner:
        return None
    body = inner.rstrip()
    if not body.strip():
        return None  # requests.get() with no URL is not a call to rewrite
    sep = "" if body.endswith(",") else ","
    if "\n" in body:  # a call over several lines: the keyword on its own line, indented like the last argument
        last = body.rsplit("\n", 1)[1]
        indent = last[:len(last) - len(last.lstrip())]
        return text[:m.end()] + body + sep + "\n" + indent + "timeout=10" + inner[len(body):] + text[close:]
    return text[:m.end()] + body + sep + " timeout=10" + inner[len(body):] + text[close:]


def add_timeout(line: str) -> str | None:
    """``requests.get(url)`` -> ``requests.get(url, timeout=10)`` when the call closes on this line."""
    return _insert(line)


def add_timeout_block(lines: list[str]) -> list[str] | None:
    """The same for a call split over lines, the keyword added after the last argument."""
    new = _insert("\n".join(lines))
    return new.split("\n") if new is not None else None


def test_note(code: dict | None) -> str:
    """What the fix changes for the repository's tests: the lines that assert the patched call's exact arguments
    (linkding's `mock_get.assert_called_with(url, stream=True)`: round 49's grader, two tests failed after the fix)."""
    asserts = (code or {}).get("asserts") or []
    if not asserts:
        return ""
    return ("\nThe repository's tests assert this call's exact arguments and fail once it passes `timeout`: add the same "
            f"`timeout=` to their expected call ({', '.join(asserts[:4])}).")

