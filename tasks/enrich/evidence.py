"""What the code itself says about a finding's verdict: outside data reaching the line, or nothing that can.

A verdict decided by where a file sits or by the rule's own confidence
misleads when the code says otherwise: a Bandit B608 rated LOW confidence is
still a SQL injection when the query is built from ``request.POST``, and an
MD5 used as a de-duplication key is no broken control however the rule is
rated.  This module reads the code shown (the source reader's window, else
the scanner's snippet, else the traced path) and returns one piece of
evidence a reader can verify against the lines quoted:

* ``outside``: a value on the flagged line comes, directly or through up to
  three assignments in the code shown, from the HTTP request (Django
  ``request.POST``, Flask ``request.args``/``get_json()``, Express
  ``req.body``, PHP ``$_GET``, servlet ``getParameter``), or the tool traced
  it from there (SARIF codeFlows);
* ``benign``: every argument of the flagged call is a constant literal, the
  digest is an identifier (tasks.fixes' purpose rule), or the line only
  imports a module;
* ``config``: what a flagged infrastructure resource sets, or does not set,
  for the attribute the fix changes (Terraform, from the resource's code).

Nothing here guesses: without code, or when the code is cut before the
assignment, the result is None and the verdict stays triage's.
"""

from __future__ import annotations

import re

from tasks.enrich.redirect_span import redirect_line
from tasks.enrich.stance import Evidence
from tasks.findings.model import Finding, as_finding

_REQUEST = re.compile(
    r"\brequest\.(?:POST|GET|FILES|COOKIES|META|body|data|json|form|args|values|files|cookies|headers|query_params|"
    r"get_json|get_data|params|query)\b|\breq\.(?:body|query|params|headers|cookies|files)\b|"
    r"\$_(?:GET|POST|REQUEST|COOKIE|FILES)\b|\.get(?:Parameter|Header|QueryString|Cookies)\(|"
    r"\brequest\.getParameter\b|\bparams\[:")
_ASSIGN = r"^\s*(?:(?:const|let|var|final|String|int|Object)\s+)?{name}\s*(?::[^=]+)?(?<![=!<>])=(?!=)\s*(.+)$"
_IDENT = re.compile(r"\b[A-Za-z_][A-Za-z0-9_]*\b")
_STRING = re.compile(r"(['\"]).*?\1")
_IMPORT = re.compile(r"^\s*(?:from\s+[\w.]+\s+import\s+[\w., ()*]+|import\s+[\w., ]+(?:\s+as\s+\w+)?)\s*$")


# rules whose premise is outside data reaching the line (injection, unsafe parsing): a constant argument
# or a request source decides them; for others (a fixed temp path, a bind address, debug=True) the
# constant *is* the finding
_INJECTION_CWES = {"CWE-22", "CWE-23", "CWE-36", "CWE-73", "CWE-74", "CWE-77", "CWE-78", "CWE-79", "CWE-80", "CWE-88",
                   "CWE-89", "CWE-90", "CWE-91", "CWE-94", "CWE-95", "CWE-502", "CWE-601", "CWE-611", "CWE-643",
                   "CWE-918", "CWE-943"}
_INJECTION_BANDIT = {"B102", "B301", "B302", "B307", "B308", "B310", "B313", "B314", "B315", "B316", "B317", "B318",
                     "B319", "B320", "B506", "B602", "B604", "B605", "B608", "B609", "B703", "B704"}
_IMPORT_BANDIT = re.compile(r"^B4\d\d$")


def injection_rule(f: Finding | dict) -> bool:
    """Does the rule's premise need outside data at the flagged line (SQL, shell, path, XSS, parsing)?"""
    f = as_finding(f)
    rule = str(f.rule_id).upper()
    if f.tool == "bandit":  # Bandit's CWEs are per plugin (B201 flask debug=True says CWE-94): its ids decide
        return rule in _INJECTION_BANDIT
    return bool(set(f.cwe or []) & _INJECTION_CWES)


def _code(f: Finding, code: dict | None):
    from tasks.fixes.patches import code_of

    return code_of(f, code)


def _flagged(c) -> tuple[list[str], int] | None:
    lo, hi = c.target
    idx = [i for i in range(len(c.lines)) if lo <= c.start_line + i <= hi]
    return ([c.lines[i] for i in idx], idx[0]) if idx else None


def _shown_lines(f: Finding, code: dict | None):
    """(code, flagged lines, index of the first) for the finding's code shown, or None without them."""
    c = _code(f, code)
    hit = c and _flagged(c)
    return (c, *hit) if hit else None


def _assignment(c, name: str, below: int) -> tuple[int, str] | None:
    """The nearest assignment of ``name`` above line index ``below``: (index, right-hand side)."""
    pattern = re.compile(_ASSIGN.format(name=re.escape(name)))
    for i in range(below - 1, -1, -1):
        m = pattern.match(c.lines[i])
        if m:
            return i, m.group(1).strip()
        if re.match(r"^\s*(?:async\s+)?def\s|^\s*(?:export\s+)?(?:async\s+)?function\b", c.lines[i]):
            return None  # the enclosing function starts here: above it is another scope
    return None


def _names(text: str) -> list[str]:
    from tasks.enrich.specifics import outside_strings  # the `f` of an f-string is no name

    return [n for n in dict.fromkeys(_IDENT.findall(outside_strings(text)))
            if n not in {"self", "request", "req", "return", "if", "for", "in", "and", "or", "not", "None"}]


def request_origin(f: Finding | dict, code: dict | None = None) -> Evidence | None:
    """Outside data on the flagged line, directly or through up to three assignments in the code shown."""
    f = as_finding(f)
    if not injection_rule(f):
        return None
    steps = f.flow or []
    source = next((s for s in steps[:-1] if _REQUEST.search(str(s.get("code") or ""))), None) if len(steps) > 1 else None
    if source and not any(s.get("via") == "related" for s in steps):  # the source may follow a guard (`if request.method`)
        first = source
        where = f"{first.get('path')}:{first['line']}" if first.get("line") else str(first.get("path"))
        return Evidence("outside", f"the tool traced the value from `{str(first['code']).strip()[:80]}` ({where}), "
                                   "the HTTP request, to this line")
    shown = _shown_lines(f, code)
    if not shown:
        return None
    c, lines, first = shown
    text = " ".join(l.strip() for l in lines)
    sink = c.start_line + first
    m = _REQUEST.search(text)
    if m:
        return Evidence("outside", f"line {sink} reads the HTTP request itself (`{m.group(0)}`)")
    below, target = redirect_line(f, lines, first)  # a Semgrep open-redirect span: its redirect's own argument
    frontier, seen = [(n, below) for n in _names(target if target is not None else text)], set()
    for _depth in range(3):
        nxt = []
        for name, below in frontier:
            if name in seen:
                continue
            seen.add(name)
            found = _assignment(c, name, below)
            if not found:
                continue
            i, rhs = found
            m = _REQUEST.search(rhs)
            if m:
                return Evidence("outside", f"`{name}` is set on line {c.start_line + i} from `{rhs[:70]}`, the HTTP "
                                           f"request, and reaches line {sink}")
            nxt += [(n, i) for n in _names(rhs)]
        frontier = nxt
    return None


def benign(f: Finding | dict, code: dict | None = None, fix_family: str | None = None) -> Evidence | None:
    """Code that no outside input reaches, or a use the rule's premise does not fit."""
    f = as_finding(f)
    from tasks.enrich.specifics import _constant_call

    shown = _shown_lines(f, code)
    if not shown:
        return None
    c, lines, first = shown
    line = c.start_line + first
    text = " ".join(l.strip() for l in lines)
    if str(fix_family or "").endswith("-not-security"):
        return Evidence("benign", f"the digest on line {line} is an identifier (a de-duplication or cache key), "
                                  "not a security control")
    security = injection_rule(f) or (f.tool == "bandit" and _IMPORT_BANDIT.match(str(f.rule_id).upper()))
    if not security:
        return None
    if all(_IMPORT.match(l) or not l.strip() for l in lines) and any(l.strip() for l in lines) \
            and str(f.rule_id).upper() != "B413":  # B413's risk is the installed package, not a later call
        return Evidence("benign", f"line {line} only imports (`{text[:60]}`); the risk is in a later call on data from "
                                  "outside, which this line does not show")
    built = " ".join(a[1] for a in (_assignment(c, n, first) for n in _names(text)) if a)  # the parser passed in
    if re.search(r"\bresolve_entities\s*=\s*False\b", text + " " + built) and ("CWE-611" in (f.cwe or []) or re.match(
            r"B3(?:1[3-9]|20)$", str(f.rule_id).upper())):
        return Evidence("benign", f"the parser used on line {line} is built with `resolve_entities=False`, so external "
                                  "entities are not read")
    if injection_rule(f) and str(c.path or "").endswith(".py") and _constant_call(text):
        return Evidence("benign", f"every argument of the call on line {line} is a constant literal, so no outside "
                                  "input reaches it here")
    return _fixed_file(f, c, text, first) if injection_rule(f) and str(c.path or "").endswith(".py") else None


def _fixed_file(f: Finding, c, text: str, first: int) -> Evidence | None:
    """The call's only input is a file opened at a fixed path (``stream = open('/home/fox/test.yaml')``): only
    whoever can write that file reaches it."""
    from tasks.enrich.specifics import _constant_call

    call = re.sub(r"^\s*[\w.]+\s*=(?!=)\s*", "", text)
    names = [n for n in _names(re.sub(r"\w+\s*=(?!=)|\.\w+|\w+(?=\s*[.(])", " ", _STRING.sub("", call)))]
    if len(names) != 1:
        return None
    found = _assignment(c, names[0], first)
    if not found or not re.match(r"^(?:open|io\.open|codecs\.open|Path)\(\s*['\"]", found[1]) or not _constant_call(found[1]):
        return None
    return Evidence("benign", f"`{names[0]}` is set on line {c.start_line + found[0]} from `{found[1][:70]}`, a file at a "
                              f"fixed path, so only whoever can write that file reaches line {c.start_line + first}")


_SQL_TEXT = re.compile(r"(?i)\b(?:select\s.+\sfrom|insert\s+into|update\s+\w+\s+set|delete\s+from)\b")


def _sql_built(text: str, line: int, low: bool = False) -> Evidence | None:
    """B608: the flagged line puts variables into the SQL text (concatenation, %, format, an f-string)."""
    if not _SQL_TEXT.search(text):
        return None
    target = re.match(r"^\s*[\w.]+\s*=(?!=)\s*", text)
    body = text[target.end():] if target else text
    body = re.sub(r"(?m)\s+#[^'\"\n]*$", "", body)  # a trailing comment (`# noqa: S608`) holds no SQL value
    how = ("an f-string" if re.search(r"\bf['\"]", body) else "concatenation" if re.search(r"['\"]\s*\+|\+\s*['\"]", body)
           else "%-formatting" if re.search(r"['\"]\s*%\s*[\w(]", body) else "str.format" if ".format(" in body else None)
    if how is None:
        return None
    inner = re.findall(r"\{([A-Za-z_][\w.]*)[^}]*\}", body) if how == "an f-string" else []
    body = re.sub(r"\b[A-Za-z_]\w*(?:\.\w+)*\.\w+\s*\(", " ", body)  # a call's receiver (cur.execute) is no SQL value
    names = [n for n in dict.fromkeys(inner + _names(re.sub(r"\.\w+\(|\w+\(", " ", body))) if not n[0].isupper()]
    if not names:
        return None
    said = " and ".join(f"`{n}`" for n in names[:3])
    return Evidence("confirmed", f"line {line} puts {said} into the SQL text by {how}" + (
        "; Bandit rates B608 LOW only because the string is not passed straight to execute() on that line" if low
        else ""))


_LITERAL_LIST = re.compile(r"""\(\s*[\[(]\s*(?:(['"])[^'"\n]*\1\s*,\s*)*(['"])[^'"\n]*\2\s*,?\s*[\])]""")


def confirmed(f: Finding | dict, code: dict | None = None) -> Evidence | None:
    """The code shows the rule's exact pattern, whatever confidence the rule gives itself: Bandit rates B113
    (requests without a timeout) LOW, yet a call with no ``timeout=`` is simply that; B608 LOW, yet a query
    built from variables is one; B602's HIGH form is reported only for a command that is not a literal."""
    f = as_finding(f)
    rule = str(f.rule_id).upper()
    if f.tool == "bandit" and rule == "B602" and "identified, security issue" in (f.title or ""):
        shown = _shown_lines(f, code)  # Bandit reports the call's last line: its first argument may sit lines above
        if shown and _LITERAL_LIST.search(" ".join(l.strip() for l in shown[0].lines[max(0, shown[2] - 3):shown[2] + len(shown[1])])):
            return None  # Bandit rates a list of literals HIGH too: jupyterhub's setup.py ['npm', 'run', ...] (set 26)
        return Evidence("confirmed", "the command handed to the shell is not a string literal (Bandit gives B602 its "
                                     "HIGH form only then), so it is put together at run time")
    if f.tool == "bandit" and rule in ("B303", "B324"):
        shown = _shown_lines(f, code)
        text = " ".join(l.strip() for l in shown[1]) if shown else ""
        m = re.search(r"(?i)\b(md5|sha1)\(\s*([\w.]*pass(?:word|wd)?\w*)", text)
        return Evidence("confirmed", f"line {shown[0].start_line + shown[2]} digests `{m.group(2)}` with {m.group(1).upper()}, " + (
            "salted but fast: a leaked digest and its salt still fall to offline guessing at billions of tries a second"
            if re.search(r"(?i)\bsalt", text[m.start():]) else "a fast unsalted hash: a leaked digest falls to offline guessing")) if m else None
    if f.tool == "bandit" and rule == "B608":
        shown = _shown_lines(f, code)
        from tasks.triage.report_signals import confidence_of

        low = confidence_of(f) == "low"
        return _sql_built(" ".join(l.strip() for l in shown[1]), shown[0].start_line + shown[2], low) if shown else None
    if f.tool != "bandit" or rule != "B113":
        return None
    shown = _shown_lines(f, code)
    if not shown:
        return None
    c, lines, first = shown
    i = first
    call = " ".join(c.lines[i:i + 6])  # the call may go on over the next lines
    if "timeout" in call or not re.search(r"\brequests\.\w+\(|\.(?:get|post|put|delete|request)\(", call):
        return None
    if call.count("(") > call.count(")"):
        return None  # the call goes on past what is shown: a timeout may follow
    return Evidence("confirmed", f"the call on line {c.start_line + first} passes no `timeout=`, so it waits as long as "
                                 "the server keeps the connection open")


_SIGNING_KEY = re.compile(r"\b(?:SECRET_KEY|JWT_SECRET(?:_KEY)?|SESSION_SECRET|secret_key|signing_key|cookie_secret)\b")


def signing_key_use(f: Finding | dict, code: dict | None = None) -> Evidence | None:
    """The flagged literal is the application's signing key (Flask/Django ``SECRET_KEY``, a JWT secret): a
    placeholder there is not harmless test data but a key anyone can guess."""
    f = as_finding(f)
    shown = _shown_lines(f, code)
    if not shown:
        return None
    c, lines, first = shown
    m = _SIGNING_KEY.search(" ".join(lines))
    if not m:
        return None
    return Evidence("outside", f"line {c.start_line + first} sets it as the application's `{m.group(0)}`, so a guessable "
                               "value there lets anyone sign what that key protects (session cookies, tokens)")


from tasks.enrich.iac_reach import config_setting  # noqa: E402,F401  (what a Terraform resource sets: its own module)


def what_decides(f: Finding | dict, code: dict | None = None) -> str | None:
    """'line N `statement`; `a` is set at line M (`rhs`)': the flagged statement and where its names are set in the
    code shown, for a LOW-confidence match nothing else decided, so the reader checks those, not the rule's premise.
    None without code, or for a line too long to quote (minified code)."""
    f = as_finding(f)
    shown = _shown_lines(f, code)
    if not shown:
        return None
    c, lines, first = shown
    text = " ".join(l.strip() for l in lines)
    if not text or len(text) > 160 or len(lines) > 3 or text.rstrip()[-1:] in "([{,\\+=":
        return None  # minified, or a statement cut before its end: nothing to quote that says what decides it
    sets = []
    for name in _names(text):
        found = _assignment(c, name, first)
        if found and len(sets) < 3 and len(found[1]) <= 80:
            sets.append(f"`{name}` is set at line {c.start_line + found[0]} (`{found[1].rstrip(';').strip()}`)")
    return f"line {c.start_line + first} `{text.rstrip(';')}`" + ("; " + ", ".join(sets) if sets else "")
