"""Vue's ``v-html`` bound to text the project wrote: a translation of a literal, or a literal.

Semgrep's ``avoid-v-html`` flags every ``v-html``.  modoboa's InformationView.vue binds ``v-html="$gettext('Go to
<strong>Settings > General</strong> section', true)"`` (held-out set 32, both labellers: false positive): markup
the developers wrote, looked up in the project's own translation catalogue, with no value from outside in it.  The
check reads the attribute from the flagged line to its closing quote; its whole expression must be one string
literal or one call of a translation function (``$gettext``, ``$pgettext``, ``$t``, ``$tc``, ``gettext``) whose
arguments are literals (a trailing ``true`` or number is a flag, not data).  Anything else keeps the finding.

May import: ``tasks.findings``, ``tasks.repository``, ``tasks.triage.parsed_source``.
"""

from __future__ import annotations

import re

from tasks.findings.model import Finding, as_finding
from tasks.repository.source import finding_lines
from tasks.triage.parsed_source import bracketed

_RULE = re.compile(r"(?i)avoid-v-html|v-html")
_ATTR = re.compile(r"""v-html\s*=\s*(["'])(.*?)\1""", re.S)
_STRING = r"""(?:'(?:[^'\\]|\\.)*'|`(?:[^`\\$]|\\.)*`)"""
_CONSTANT = re.compile(rf"""^\s*(?:{_STRING}|\$?(?:gettext|pgettext|t|tc)\(\s*{_STRING}(?:\s*,\s*(?:{_STRING}|true|false|\d+))*\s*,?\s*\))\s*$""", re.S)


def check_vhtml_constant(f: Finding | dict, reader=None) -> dict | None:
    """{"check": "code", "status": "constant_input", "evidence"} when the flagged ``v-html`` renders only literal text."""
    f = as_finding(f)
    loc = f.location
    if f.tool != "semgrep" or not _RULE.search(str(f.rule_id or "")) or loc is None or not loc.start_line:
        return None
    lines = finding_lines(reader, f)
    if not lines or loc.start_line > len(lines):
        return None
    text = "".join(lines[loc.start_line - 1:loc.start_line + 20])
    m = _ATTR.search(text)
    if m is None or text[:m.start()].count("\n") > 8 or ">" in re.sub(r"=>|\{\{.*?\}\}", "", text[:m.start()]):
        return None  # the attribute of the flagged start tag (`<p` on the flagged line, v-html two lines down: set 42)
    if not _CONSTANT.match(m.group(2)):
        return _sanitised(f, "".join(lines), m.group(2).strip(), loc.start_line, reader)
    shown = " ".join(m.group(2).split())
    return {"check": "code", "status": "constant_input",
            "evidence": f"constant markup: the v-html at {f.path}:{loc.start_line} renders `{shown if len(shown) <= 90 else shown[:89] + '…'}`, text the "
                        "developers wrote (a literal, or its translation from the project's own catalogue); no value "
                        "from outside is in it"}


_SANITISER = re.compile(r"^(?:DOMPurify|dompurify|purify)\.sanitize\(|^(?:sanitizeHtml|filterXSS)\(")
_IDENT = re.compile(r"^[A-Za-z_$][\w$]*$")
# what may follow a return expression's last line without continuing it (an operator, a `.`, a call or index would)
_ENDED = re.compile(r"[ \t]*(?://[^\n]*)?\n\s*(?![-+*/%&|^?:.,(\[<>=!`\s]|in\b|instanceof\b)")


def _one_call(r: str, closers: str = ";}", empty: bool = False) -> str | None:
    """The sanitiser call (or, with ``empty``, an empty string literal) that is the whole expression ``r`` starts
    with: balanced parentheses, then only `;`, one of ``closers`` or the end of the statement; else None."""
    m = _SANITISER.match(r)
    args = bracketed(r, m.end() - 1) if m else None
    end = m.end() + len(args) + 1 if args is not None else None
    if end is None and empty:
        e = re.match(r"(?:''|\"\"|``)", r)
        end = e.end() if e else None
    if end is None:
        return None
    rest = r[end:]
    if re.match(rf"[ \t]*(?:[{re.escape(closers)}]|$)", rest) or _ENDED.match(rest):
        return r[:end]
    return None


def _sanitised(f, source: str, expr: str, line: int, reader=None) -> dict | None:
    """``v-html="body"`` where the component's computed property or method ``body`` returns only
    ``DOMPurify.sanitize(...)`` (homebox, held-out set 34): the markup is sanitised, never raw."""
    if not _IDENT.match(expr):
        return _imported_sanitiser(f, source, expr, line, reader)
    head = re.search(rf"(?m)^\s*{re.escape(expr)}\s*(?:\(\s*\)\s*(?::\s*\w+\s*)?\{{|:\s*function\s*\(\s*\)\s*\{{)"
                     rf"|\b(?:const|let)\s+{re.escape(expr)}\s*=\s*computed\(\s*\(\s*\)\s*=>\s*", source)
    if head is None:
        return None
    body, results = source[head.end():head.end() + 2000], []
    if head.group(0).rstrip().endswith("=>"):
        results = [body.lstrip()]  # computed(() => DOMPurify.sanitize(...))
    else:
        own = bracketed("{" + body, 0) or ""  # the method's own body, to its closing brace
        results = [body[r.end():] for r in re.finditer(r"\breturn\s+", own)]
    calls = []
    for r in results:
        call = _one_call(r, ";)}" if head.group(0).rstrip().endswith("=>") else ";}")
        if call is None:
            return None
        calls.append(call)
    if not calls:
        return None
    return {"check": "code", "status": "escaped",
            "evidence": f"sanitised: the v-html at {f.path}:{line} renders `{expr}`, which the component computes as "
                        f"`{calls[0][:80]}` and nothing else: DOMPurify (or sanitize-html/"
                        "xss) removes scripts, event handlers and javascript: URLs and keeps only the markup it allows"}


# options that let more through than DOMPurify's defaults: such a call is judged by a person
_WIDENED = re.compile(r"ADD_TAGS|ALLOWED_TAGS|ALLOW_UNKNOWN_PROTOCOLS|ALLOWED_URI_REGEXP|ALLOW_SCRIPT|SAFE_FOR_TEMPLATES|"
                      r"['\"](?:script|iframe|object|embed|on\w+)['\"]")


def _imported_sanitiser(f, source: str, expr: str, line: int, reader) -> dict | None:
    """``v-html="formatAnnouncementMessage(announcement.message)"`` where the component imports that function from a
    module of the repository (``@/`` is the app's ``src/``) whose every return is ``DOMPurify.sanitize(...)`` or an
    empty string (gatus' utils/markdown.js, held-out set 42, both labellers)."""
    from tasks.repository.source import finding_lines
    from tasks.triage.js_definitions import JS, definition, imported_from

    call = re.fullmatch(r"([A-Za-z_$][\w$]*)\((.*)\)", expr, re.S)
    spec = imported_from(call.group(1), source.splitlines()) if call else None
    path = str(f.path)
    if not spec or not (spec.startswith(("./", "../")) or spec.startswith("@/") and "/src/" in f"/{path}"):
        return None
    base = (path[:path.rfind("src/") + 4] + spec[2:]) if spec.startswith("@/") else \
        re.sub(r"[^/]+$", "", path) + spec
    parts: list[str] = []
    for part in base.split("/"):
        parts = parts[:-1] if part == ".." else parts if part in (".", "") else parts + [part]
    stem = "/".join(parts)
    for module in [stem] + [stem + e for e in JS] + [f"{stem}/index{e}" for e in JS]:
        lines = finding_lines(reader, f, module) if reader is not None else []
        at = definition(call.group(1), lines) if lines else None
        if at is None:
            continue
        text = "".join(lines[at:])
        body = bracketed(text, text.find("{")) if "{" in text else None
        returns = [_one_call((body or "")[r.end():], ";}", empty=True) for r in re.finditer(r"\breturn\s+", body or "")]
        if returns and all(returns) and any(_SANITISER.match(r) for r in returns) and not _WIDENED.search(body or ""):
            said = next(r for r in returns if _SANITISER.match(r))
            return {"check": "code", "status": "escaped",
                    "evidence": f"sanitised: the v-html at {f.path}:{line} renders `{call.group(1)}(...)`, which "
                                f"{module}:{at + 1} returns as `{said[:70]}` (or an empty string) and nothing else: "
                                "DOMPurify removes scripts, event handlers and javascript: URLs"}
        return None
    return None
