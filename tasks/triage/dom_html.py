"""HTML written into the DOM (``innerHTML``, ``dangerouslySetInnerHTML``) that no attacker writes (held-out set 40).

Semgrep's ``insecure-innerhtml``, ``insecure-document-method`` and ``react-dangerouslysetinnerhtml`` flag every
assignment of a non-literal.  Three shapes, each read from the lines above the flagged one, settle it:

* **sanitised**: the value comes from DOMPurify's ``sanitize`` (navidrome's ``SafeHTML.jsx``: ``const purified =
  useMemo(() => ... purify.sanitize(children), ...)`` then ``__html: purified``), which strips scripts and handlers;
* **the application's own page**: the value is the body of a response the script fetched (``response.text().then(
  html => ... el.innerHTML = html``: kimai's modals and reloads swap in server-rendered HTML), and the repository
  renders its pages with an auto-escaping engine (Twig, Blade, Jinja, ERB, Razor), so what arrives is escaped markup;
* **its own words**: the value is markup literals and names set from a translation call with a literal key
  (kimai's ``const msg = this.translate('modal.dirty')``).

Each names the line it rests on; anything else (a parameter, a value read from the URL) keeps the finding.

May import: ``tasks.findings``, ``tasks.repository``.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from tasks.findings.model import Finding, as_finding
from tasks.repository.source import finding_lines
from tasks.triage.parsed_source import bracketed

_RULE = re.compile(r"(?i)innerhtml|document-method|dangerouslysetinnerhtml|outerhtml|insertadjacenthtml")
_JS = (".js", ".jsx", ".ts", ".tsx", ".mjs", ".vue")
_SINK = re.compile(r"(?:\.(?:innerHTML|outerHTML)\s*=(?!=)\s*|__html\s*:\s*)(?P<value>[^;]+?)\s*(?:[;}]|$)")
_SANITIZE = re.compile(r"\b(?:DOMPurify|purify|dompurify)\.sanitize\s*\(")
_PURIFY_IMPORT = re.compile(r"""(?:from\s+|require\(\s*)['"](?:isomorphic-)?dompurify['"]""", re.I)
_TRANSLATE = re.compile(r"""^(?:this\.translate|translation\.get|i18n\.t|__|trans|\$t|t)\(\s*(['"])[\w.:-]+\1\s*\)$""")
# page templates of engines that escape by default (Jinja escapes only where the application turns it on: no claim)
_ENGINES = ((".html.twig", "Twig"), (".blade.php", "Blade"), (".html.erb", "ERB"), (".cshtml", "Razor"))
LOOK_BACK = 25
_FROM_URL = re.compile(r"location\.(?:search|hash|href)|URLSearchParams|document\.(?:URL|referrer|documentURI)|"
                       r"window\.name|addEventListener\(\s*['\"]message|\.data\b.*postMessage")


def _value(line: str) -> str | None:
    m = _SINK.search(line)
    return m.group("value").strip() if m else None


def _engine(files) -> str | None:
    """"Twig (412 templates)" when the repository renders pages with an auto-escaping engine."""
    counts: dict[str, int] = {}
    for p in files or []:
        low = p.lower()
        name = next((n for suffix, n in _ENGINES if low.endswith(suffix)), None)
        if name and "node_modules/" not in low and "/vendor/" not in low:
            counts[name] = counts.get(name, 0) + 1
    if not counts:
        return None
    name = max(counts, key=counts.get)
    return f"{name} ({counts[name]} templates)"


def _reassigned(name: str, lines: list[str]) -> bool:
    """``name = ...`` or ``name += ...`` on any of ``lines`` (after its declaration): its value may be another."""
    return any(re.search(rf"(?<![\w$.]){re.escape(name)}\s*(?:[-+]?=)(?!=)", l) for l in lines)


def _sanitised(name: str, above: list[str], first: int, text: str) -> str | None:
    for i in range(len(above) - 1, -1, -1):
        if re.search(rf"\b(?:const|let|var)\s+{re.escape(name)}\s*=", above[i]):
            if _reassigned(name, above[i + 1:]):
                return None  # `html += location.hash` after the sanitize
            decl = above[i]
            memo = re.search(r"=\s*(?:React\.)?useMemo\(", decl)
            body = above[i:i + 8] if memo else [decl]  # the declaration's own value, or the memo's returned one
            hit = next((j for j, l in enumerate(body) if _SANITIZE.search(l) and (j == 0 or l.lstrip().startswith("return"))), None)
            if hit is not None and (_PURIFY_IMPORT.search(text) or "DOMPurify.sanitize" in body[hit]):
                return (f"the HTML is sanitised: `{name}` is set from DOMPurify's sanitize (line {first + i + hit} "
                        f"`{body[hit].strip()[:70]}`), which strips scripts and event handlers before it is inserted")
            return None
    return None


def _fetched(name: str, above: list[str], first: int, files, text: str = "") -> str | None:
    if _FROM_URL.search(text):
        return None  # the script reads its page's address or messages: a fetched URL may be the attacker's
    callback = re.compile(rf"\.text\(\)\s*\.then\(\s*(?:\(\s*{re.escape(name)}\s*\)|{re.escape(name)}|"
                          rf"(?:async\s+)?function\s*\(\s*{re.escape(name)}\s*\))\s*(?:=>|\{{)")
    hit = next((i for i in range(len(above) - 1, -1, -1) if callback.search(above[i])), None)
    where = f"line {first + hit} `{above[hit].strip()[:70]}`" if hit is not None else ""
    if hit is None:  # `const callback = (text) => {...}` handed to `response.text().then(callback)` (kimai's datatable)
        named = re.compile(rf"\b(?:const|let|var)\s+(\w+)\s*=\s*(?:\(\s*{re.escape(name)}\s*\)|{re.escape(name)})\s*=>")
        at = next((i for i in range(len(above) - 1, -1, -1) if named.search(above[i])), None)
        cb = named.search(above[at]).group(1) if at is not None else None
        use = re.search(rf"\.text\(\)\s*\.then\(\s*{re.escape(cb)}\s*\)", text) if cb else None
        if use is None:
            return None
        where = (f"the parameter of `{cb}` (line {first + at}), which line {text.count(chr(10), 0, use.start()) + 1} "
                 f"hands to `response.text().then({cb})`")
    engine = _engine(files)
    if not engine:
        return None
    return (f"the HTML is the application's own page: `{name}` is the body of a response this script fetched ({where}), "
            f"which the server renders with {engine}, an engine that escapes the values it writes by default; the "
            "script swaps server-rendered markup into the page")


def _purified(lines: list[str], line: int) -> str | None:
    """``el.innerHTML = DOMPurify.sanitize(...)``, the call spanning lines (PrivateBin's markdown preview, set 44), with
    nothing joined to it on its last line or the next, no regular expression inside it (bracket counting cannot read
    one), and a config (inline, or a ``const`` of the file) that adds no script, handler or unknown protocol (the
    review of cc48935)."""
    text = "".join(lines[line - 1:line + 15])
    sink = _SINK.search(text.split("\n", 1)[0])
    m = _SANITIZE.match(text, sink.start("value")) if sink else None
    inner = bracketed(text, m.end() - 1) if m else None
    if inner is None or "\n" not in inner:
        return None  # a one-line call is tasks.triage.escaped_js's
    rest = text[m.end() + len(inner) + 1:].split("\n")
    after = next((r for r in rest[1:] if r.strip() and not r.lstrip().startswith(("//", "/*", "*"))), "")
    if not re.fullmatch(r"\s*;?\s*(?://.*)?", rest[0]) or re.match(r"\s*(?:[-+.?:&|,*/[]|\.\.\.)", after):
        return None  # `) + location.hash`, `)\n.replace(...)`: something joined to the sanitised HTML
    if any(c == "/" and inner[i + 1:i + 2] not in ("/", "*") and (inner[:i].rstrip()[-1:] or "(") in "(,=:[!&|?{};"
           for i, c in enumerate(inner)):
        return None  # a regex literal: its brackets may be unbalanced
    args = inner.split(",", 1)
    config = args[1].strip() if len(args) > 1 else ""
    if re.fullmatch(r"[A-Za-z_$][\w$]*", config):
        defined = re.search(rf"(?:const|let|var)\s+{re.escape(config)}\s*=\s*\{{", "".join(lines))
        config = bracketed("".join(lines), defined.end() - 1) if defined else None
    if config is None or _UNSAFE_CONFIG.search(config):
        return None
    return (f"the HTML is sanitised: line {line} assigns DOMPurify's sanitize of it directly (`{m.group(0)}...)`), which "
            "strips scripts and event handlers")


_UNSAFE_CONFIG = re.compile(r"""(?i)["'](?:script|iframe|object|embed|on\w+)["']|ALLOW_UNKNOWN_PROTOCOLS\s*:\s*true|"""
                            r"""WHOLE_DOCUMENT|ALLOWED_URI_REGEXP\s*:\s*/\.""")


def _own_sanitizer(value: str, reader, f: Finding, files) -> str | None:
    """``ESCAPER.sanitize(html)``, where the repository's own ``sanitize`` method returns ``DOMPurify.sanitize(...)``."""
    m = re.match(r"(?:[\w$]+\.)*sanitize\(", value)
    if not m or bracketed(value, m.end() - 1) is None or len(bracketed(value, m.end() - 1)) + m.end() + 1 != len(value):
        return None  # one call, nothing joined to it (`sanitize(a) + location.hash`)
    for p in [p for p in files or [] if p.lower().endswith(_JS) and "node_modules/" not in p][:3000]:
        lines = finding_lines(reader, f, p)
        for n, line in enumerate(lines, 1):
            if re.match(r"\s*(?:async\s+)?sanitize\s*\(\s*\w+\s*\)\s*\{", line):
                body = "".join(lines[n:n + 3])
                if re.search(r"^\s*return\s+DOMPurify\.sanitize\(", body, re.M):
                    return (f"the HTML is sanitised: `{value[:60]}` calls the application's own sanitize ({p}:{n}), "
                            "which returns DOMPurify's sanitize of it, stripping scripts and event handlers")
    return None


def _own_words(value: str, above: list[str], first: int) -> str | None:
    parts = [p.strip() for p in re.split(r"\s\+\s", value)]
    literal = re.compile(r"""^(['"])(?:(?!\1)[^\\]|\\.)*\1$""")
    names = [p for p in parts if not literal.match(p)]
    if not names or len(names) > 3 or any(not re.fullmatch(r"[A-Za-z_$][\w$]*", n) for n in names):
        return None
    said = []
    for n in names:
        at = next((i for i in range(len(above) - 1, -1, -1)
                   if re.search(rf"\b(?:const|let|var)\s+{re.escape(n)}\s*=", above[i])), None)
        rhs = above[at].split("=", 1)[1].strip().rstrip(";") if at is not None else ""
        if at is None or not _TRANSLATE.match(rhs) or _reassigned(n, above[at + 1:]):
            return None
        said.append(f"`{n}` (line {first + at}: `{rhs}`)")
    return (f"the HTML is the application's own text: markup literals and {', '.join(said)}, the translation of a "
            "constant key; no value from outside reaches it")


def check_dom_html(f: Finding | dict, reader=None, files=None) -> dict | None:
    """{"check": "code", "evidence"} for DOM HTML that is sanitised, the app's own page, or its own text; else None."""
    f = as_finding(f)
    if f.kind != "code" or reader is None or not f.line or not _RULE.search(str(f.rule_id)):
        return None
    if PurePosixPath(str(f.path or "")).suffix.lower() not in _JS:
        return None
    lines = finding_lines(reader, f)
    if not 0 < f.line <= len(lines):
        return None
    value = _value(lines[f.line - 1])
    if not value:
        return None
    first = max(1, f.line - LOOK_BACK)
    above = lines[first - 1:f.line - 1]
    name = re.sub(r"\.trim\(\)$", "", value)
    ident = re.fullmatch(r"[A-Za-z_$][\w$]*", name)
    text = "".join(lines)
    found = ((_sanitised(name, above, first, text) or _fetched(name, above, first, files, text)) if ident
             else _purified(lines, f.line) or _own_sanitizer(name, reader, f, files) or _own_words(value, above, first))
    return {"check": "code", "evidence": found} if found else None
