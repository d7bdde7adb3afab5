"""Go findings that the module's own files settle (held-out set 37, woodpecker; both labellers: false positive).

* **TLS minimum version** (Semgrep's ``missing-ssl-minversion``): a ``tls.Config`` without ``MinVersion`` takes
  crypto/tls's default, which is TLS 1.2 for clients since Go 1.18 and for servers since Go 1.22 (the change
  is tied to the ``go`` line of the main module's go.mod through GODEBUG, ``tls10server``).  With ``go 1.22`` or
  later in the nearest go.mod and no ``tls10server`` setting in it, the flagged config accepts nothing older.
* **text/template that renders no page** (``import-text-template``): the rule warns that text/template does not
  escape HTML.  A file that imports no net/http, names no ``ResponseWriter`` and holds no HTML tag writes its
  output somewhere else -- a commit-status string, a terminal -- where HTML escaping means nothing.
* **cookies** (``cookie-missing-secure``/``-httponly``): an ``http.Cookie`` whose ``MaxAge`` is negative deletes the
  cookie -- the browser drops it at once, so no flag protects anything; one whose ``Secure`` is a test of HTTPS
  (``Secure: IsHTTPS(r)``, ``r.TLS != nil``) is Secure whenever the request came over HTTPS; the rule only sees no
  ``true``.  Comments are ignored, and any other expression (``cfg.Dev``, ``r.TLS == nil``) keeps the finding.
* **websocket origin** (gorilla's ``websocket-missing-origin-check``): the rule looks for ``CheckOrigin`` only in the
  function that calls ``Upgrade``; a file whose every ``websocket.Upgrader{...}`` sets a CheckOrigin that tests
  something (gotify's ``newUpgrader``: same host or a configured pattern; set 39) checks the origin, and so does one
  that sets none: gorilla then refuses a cross-origin handshake (filebrowser's commands.go; the package docs: "If
  CheckOrigin is nil, then a safe default is used").  A CheckOrigin that returns true keeps the finding.
* **a digest as a name** (``use-of-sha1``/``use-of-md5``): a function named for a name, key or path that hex-encodes
  the digest and returns it, with nothing about passwords, tokens, signatures or comparisons in its body; or one case
  of a switch over algorithm names that also offers SHA-256/512 (a checksum the caller picks).
* **generated code** (``use-of-unsafe-block``): an ``unsafe`` call in a file that says ``// Code generated ...
  DO NOT EDIT.`` before its package clause (protoc-gen-go's descriptor slices) is the generator's, rebuilt on
  every run; the audit rule asks a reviewer to look at hand-written unsafe code.

May import: ``tasks.findings``, ``tasks.repository``, ``tasks.triage.parsed_source``.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from tasks.findings.model import Finding, as_finding
from tasks.triage.parsed_source import finding_source

_GO_LINE = re.compile(r"(?m)^go\s+(\d+)\.(\d+)")
_GENERATED = re.compile(r"(?m)^// Code generated .* DO NOT EDIT\.$")
_HTML_TAG = re.compile(r"<(?:html|body|head|div|span|p|a|table|tr|td|ul|li|br|h[1-6]|script|style|form|img)\b", re.I)
_WEB = re.compile(r'"net/http"|ResponseWriter|fasthttp|text/html|Content-Type|"github\.com/(?:gin-gonic/gin|labstack/echo|gofiber/fiber)')
# a config handed to a client's dial on the flagged line; a file that also serves TLS is not judged
_CLIENT = re.compile(r"\b(?:\w+\.)?Dial\w*\(|\btls\.Client\(|TLSClientConfig\s*[:=]")
# what only a client's config sets (statping-ng's mailer, transport and gRPC credentials: set 46)
_CLIENT_FIELD = re.compile(r"\b(?:InsecureSkipVerify|RootCAs|ServerName|Renegotiation)\b|\bWithTransportCredentials\(")
_SERVER = re.compile(r"\btls\.(?:Listen|NewListener|Server)\(|ListenAndServeTLS|ServeTLS|\bTLSConfig\s*:|grpc\.(?:Creds|NewServer)\(")
_LOADS = re.compile(r"\.Parse(?:Files|Glob|FS)\(|template\.Must\(template\.ParseFiles")  # a template file: its text is unseen


def _go_mod(reader, f: Finding) -> tuple[str, str] | None:
    """(path, text) of the repository's root go.mod at the finding's commit, when it is the go.mod nearest above the
    flagged file: GODEBUG's defaults follow the main module's ``go`` line, and a nested module may be a library."""
    from tasks.repository.source import finding_lines

    for folder in PurePosixPath(str(f.path)).parents:
        mod = "go.mod" if str(folder) == "." else f"{folder}/go.mod"
        lines = finding_lines(reader, f, mod)
        if lines:
            return (mod, "".join(lines)) if mod == "go.mod" else None
    return None


def _tls_default(f: Finding, reader, source: str) -> dict | None:
    if f.location.start_line > source.count("\n") + 1 or re.search(r"\.MinVersion\s*=|//go:debug", source):
        return None  # `c.MinVersion = tls.VersionTLS10` after the literal, or a file-level GODEBUG setting
    found = _go_mod(reader, f)
    m = _GO_LINE.search(found[1]) if found else None
    split = source.splitlines()
    if not 0 < f.location.start_line <= len(split):
        return None
    line = split[f.location.start_line - 1]
    after = split[f.location.start_line:f.location.start_line + 8]
    after = after[:next((i for i, x in enumerate(after) if re.match(r"func\b", x)), len(after))]  # not the next function's
    before = split[max(0, f.location.start_line - 4):f.location.start_line]
    before = before[max((i + 1 for i, x in enumerate(before[:-1]) if x.startswith("}")), default=0):]  # this function's
    near = "\n".join(before + after)  # the literal and what it sets
    mark = _CLIENT.search(line) or _CLIENT_FIELD.search(near)
    client = mark and not _SERVER.search(source)  # semaphore's `ldap.DialTLS(..., &tls.Config{` (set 42)
    if not m or (int(m.group(1)), int(m.group(2))) < ((1, 18) if client else (1, 22)) \
            or re.search(r"(?m)tls10\w*|^\s*godebug\b", found[1]):
        return None
    return {"check": "code", "status": "safe_default",
            "evidence": f"safe by default: {found[0]} says `go {m.group(1)}.{m.group(2)}`, and since Go " + (
                "1.18 a tls.Config without MinVersion offers TLS 1.2 or later as a client, which the flagged config is "
                f"(`{line.strip()[:70]}`" + (f", beside `{mark.group(0)}`" if mark.group(0) not in line else "") + "); " if client else
                "1.22 a tls.Config without MinVersion accepts TLS 1.2 or later for servers (clients since Go 1.18); ") +
                        f"the flagged config at {f.path}:{f.location.start_line} takes that default, the file sets no "
                        "MinVersion later, and go.mod has no `godebug` line to undo it"}


def _text_template(f: Finding, source: str) -> dict | None:
    if _WEB.search(source) or _HTML_TAG.search(source) or '"text/template"' not in source or _LOADS.search(source) \
            or '"html/template"' in source:  # both engines: HTML goes through one of them (listmonk's e-mail: set 39)
        return None
    into = sorted(set(re.findall(r"\.Execute(?:Template)?\(\s*(&?[\w.]+)", source)))
    where = f" (it executes into {', '.join(f'`{t}`' for t in into[:3])})" if into else ""
    return {"check": "code", "status": "not_html",
            "evidence": f"no HTML output: {f.path} uses text/template but imports no net/http, names no ResponseWriter "
                        f"and holds no HTML tag{where}, so what it renders is plain text for a terminal, a file or an "
                        "API string, where HTML escaping would change nothing"}


_HTTPS_TEST = re.compile(r"^(?:\w+\.)*(?:is_?https?|is_?secure|secure_?request|use_?https|https)\w*\(\s*\w*\s*\)$"
                         r"|^\w+\.TLS\s*!=\s*nil$", re.I)  # IsHTTPS(r), isSecure(req), r.TLS != nil


def _cookie(f: Finding, source: str, rule: str) -> dict | None:
    loc = f.location
    lines = source.splitlines()[loc.start_line - 1:max(loc.end_line or loc.start_line, loc.start_line)]
    block = "\n".join(re.sub(r"//.*$", "", line) for line in lines)  # comments say nothing the cookie does
    if "http.Cookie{" not in block:
        return None
    where = f"{f.path}:{loc.start_line}"
    fields = {m.group(1): m.group(2).strip() for m in re.finditer(r"\b(MaxAge|Secure|Expires):\s*([^,}\n]+)", block)}
    if re.fullmatch(r"-\d+", fields.get("MaxAge", "")):
        return {"check": "code", "status": "deletion_cookie",
                "evidence": f"a deletion cookie: the cookie at {where} sets `MaxAge: {fields['MaxAge']}`, which tells the "
                            "browser to drop the cookie at once, so it holds nothing a script or a plain-HTTP request could take"}
    name = re.search(r"\bName:\s*\"([\w.-]+)\"", block)
    if rule.endswith("cookie-missing-httponly") and name and _NOT_SESSION.match(name.group(1)):
        return {"check": "code", "status": "not_a_session_cookie", "evidence": (  # semaphore's oauthstate (set 42)
            f"not a session cookie: the cookie at {where} is `{name.group(1)}`, " + ("the OAuth state the login compares "
            "once when the provider sends the user back" if re.search(r"(?i)state|nonce", name.group(1)) else
            "a display preference") + "; it authenticates nothing, so a script that could read it gains nothing")}
    secure = fields.get("Secure", "")
    if rule.endswith("cookie-missing-secure") and _HTTPS_TEST.match(secure):
        per_request = bool(re.search(r"\(\s*\w+\s*\)$|\.TLS\b|^(?:ctx|c|r|req|request|context|input|in)\.|\.(?:Input|Request)\.",
                                     secure))  # IsHTTPS(r), ctx.Input.IsSecure(); config.Opts.HTTPS() is a setting
        return {"check": "code", "status": "secure_when_https",
                "evidence": f"Secure when served over HTTPS: the cookie at {where} sets `Secure: {secure}`, " + (
                    "a test of whether the request came over HTTPS, so the browser gets a Secure cookie on every HTTPS "
                    "request" if per_request else "the deployment's own setting for whether it is served over HTTPS, "
                    "not a test of each request, so a deployment that serves HTTPS sends a Secure cookie")
                + "; the rule looks only for `Secure: true`"}
    return None


_NOT_SESSION = re.compile(r"(?i)^(?:oauth_?state|oidc_?state|state|oauth_?nonce|nonce|lang|locale|language|theme|tz)$")
_UPGRADER = re.compile(r"websocket\.Upgrader\s*\{")
_ALLOW_ALL = re.compile(r"^func\s*\([^)]*\)\s*bool\s*\{\s*return\s+true\s*;?\s*\}$")


def _literal(source: str, start: int) -> str:
    """The composite literal opening at ``start`` (its first ``{``), braces balanced, comments dropped."""
    depth, i = 0, source.index("{", start)
    for j in range(i, len(source)):
        depth += {"{": 1, "}": -1}.get(source[j], 0)
        if depth == 0:
            return re.sub(r"//[^\n]*", "", source[i:j + 1])
    return ""


def _origin(f: Finding, source: str) -> dict | None:
    """gorilla's websocket-missing-origin-check where every Upgrader the file builds checks the origin: with a
    CheckOrigin that tests something, or with none, which gorilla replaces by its same-origin check."""
    lines = source.splitlines()
    if 0 < f.location.start_line <= len(lines) and re.search(r"\bwebsocket\.Upgrade\(", lines[f.location.start_line - 1]):
        return None  # the deprecated package function checks no origin at all (the review)
    built = [(m.start(), _literal(source, m.start())) for m in _UPGRADER.finditer(source)
             if not re.search(r"(?:\*|\)\s*)$", source[max(m.start() - 40, 0):m.start()])]  # a type, not a literal
    assigned = re.findall(r"\.CheckOrigin\s*=\s*(func\s*\([^)]*\)\s*bool\s*\{[^{}]*\}|\w+)", source)
    if not built or any(_ALLOW_ALL.match(" ".join(a.split())) for a in assigned):
        return None
    shown, default = [], []
    for at, body in built:
        line = source[:at].count("\n") + 1
        func = re.findall(r"(?m)^func\s+(?:\([^)]*\)\s*)?(\w+)", source[:at])
        where = f"line {line}{f' in {func[-1]}()' if func else ''}"
        if "CheckOrigin:" not in body:
            default.append(where)
            continue
        expr = body.split("CheckOrigin:", 1)[1].strip()
        if expr.startswith("func") and "{" in expr:
            expr = expr[:expr.index("{")] + _literal(expr, 0)
        else:
            expr = re.split(r",\s*\n|\n", expr)[0].strip().rstrip(",")
        named = re.search(rf"(?ms)^func\s+{re.escape(expr)}\s*\(([^)]*)\)\s*bool\s*(\{{.*?^\}})", source) \
            if re.fullmatch(r"\w+", expr) else None
        body = " ".join((named.group(2) if named else expr).split())
        if not (expr.startswith("func") or named) or _ALLOW_ALL.match(" ".join(expr.split())) \
                or re.fullmatch(r"\{\s*return\s+true\s*\}", named.group(2) if named else "") \
                or re.search(r"\|\|\s*true\b|\btrue\s*\|\|", body):
            return None  # a method value or a var (not read), `return true`, `|| true`: every origin may be let in
        short = " ".join(expr.split())
        shown.append(f"{where}: `CheckOrigin: {short[:70]}{'…' if len(short) > 70 else ''}`")
    if default and assigned:
        return None  # a CheckOrigin set later on some upgrader: which one is not read here
    parts = ([f"sets its own CheckOrigin ({'; '.join(shown[:3])})"] if shown else []) + (
        [f"leaves CheckOrigin unset ({', '.join(default[:3])}), and gorilla/websocket then uses its safe default, "
         "which refuses a handshake whose Origin header names another host than the request's Host"] if default else [])
    return {"check": "code", "status": "origin_checked",
            "evidence": f"the upgrader checks the origin: every websocket.Upgrader {f.path} builds "
                        f"{' or '.join(parts)}, and the flagged Upgrade call at line {f.location.start_line} goes through "
                        "it; the rule looks for the field only around the call"}


_NAME_FUNC = re.compile(r"(?i)(?:name|key|path|etag|shard|bucket|id)$")
_SECRET_NAME_FUNC = re.compile(r"(?i)session|reset|token|secret|csrf|nonce|salt|auth|sign|verif|pass|otp|invite|apikey|api_key|"
                               r"confirm|activat|recover|unsubscribe|share|download")
_SECURITY_USE = re.compile(r"(?i)passw|secret|token|sign|verify|hmac|auth|\.Equal\(|subtle\.|salt|nonce")


_CASE = re.compile(r'^\s*case\s+"([\w-]+)"\s*:')
_STRONG = re.compile(r"(?i)^sha-?(?:256|384|512|3)|^blake")


def _enclosing(lines: list[str], i: int) -> tuple[int | None, int]:
    """(index of the last `func` line at or above line index ``i``, index of its closing `}` or len(lines))."""
    head = next((j for j in range(i, -1, -1) if re.match(r"^func\b", lines[j])), None)
    end = next((j for j in range(head + 1, len(lines)) if lines[j].startswith("}")), len(lines)) if head is not None else len(lines)
    return head, end


def _checksum_menu(f: Finding, lines: list[str], n: int) -> dict | None:
    """The flagged constructor is one case of a switch over algorithm names that also offers a strong one
    (filebrowser's FileInfo.Checksum: md5, sha1, sha256, sha512; set 39): the caller picks the checksum to compare
    with one published elsewhere, which must be the publisher's algorithm."""
    if n < 2 or not _CASE.match(lines[n - 2]):
        return None
    top = next((i for i in range(n - 2, max(n - 40, -1), -1) if re.match(r"^\s*switch\b", lines[i])), None)
    if top is None:
        return None
    cases = []
    for line in lines[top + 1:top + 60]:
        m = _CASE.match(line)
        cases += [m.group(1)] if m else []
        if re.match(r"^\s*}", line) and len(line) - len(line.lstrip()) <= len(lines[top]) - len(lines[top].lstrip()):
            break
    head, end = _enclosing(lines, top)
    if not any(_STRONG.match(c) for c in cases) or head is None or _SECURITY_USE.search("\n".join(lines[head:end])):
        return None  # a signature, a password or a token in the same function: not a file's checksum
    return {"check": "code", "status": "checksum_choice",
            "evidence": f"a checksum the caller chooses: line {n} is the `{_CASE.match(lines[n - 2]).group(1)}` case of "
                        f"`{lines[top].strip()[:40]}` (line {top + 1}), which offers {', '.join(cases[:6])}; a file's "
                        "checksum is compared with one published elsewhere and must use the publisher's algorithm, "
                        "nothing here signs or authenticates, and the stronger digests are offered beside it"}


def _digest_name(f: Finding, source: str) -> dict | None:
    """A SHA-1/MD5 digest that a Go function returns as a name (diskcache's getFileName, filebrowser: set 39)."""
    lines, n = source.splitlines(), f.location.start_line
    menu = _checksum_menu(f, lines, n) if 0 < n <= len(lines) else None
    if menu:
        return menu
    head, end = _enclosing(lines, min(n, len(lines)) - 1)
    if head is None:
        return None
    name = re.match(r"^func\s+(?:\([^)]*\)\s*)?(\w+)", lines[head])
    if end == len(lines) or end < n - 1 or not name or not _NAME_FUNC.search(name.group(1)) \
            or _SECRET_NAME_FUNC.search(name.group(1)):  # newSessionID, resetKey: a guessable name is the weakness
        return None
    body = "\n".join(lines[head + 1:end])
    ret = next(((i + 1, lines[i].strip()[7:]) for i in range(head + 1, end) if lines[i].strip().startswith("return ")), None)
    if _SECURITY_USE.search(body) or not re.search(r"hex\.EncodeToString|%x", body) or not ret:
        return None
    shown = ret[1][:70] + ("…" if len(ret[1]) > 70 else "")
    return {"check": "code", "status": "digest_as_name",
            "evidence": f"the digest is a name, not a signature: {name.group(1)}() (line {head + 1}) hex-encodes it and "
                        f"returns `{shown}` (line {ret[0]}); a name needs the hash to spread its inputs, not to resist "
                        "forgery, and nothing in the function compares it to authenticate anything"}


def _generated(f: Finding, source: str) -> dict | None:
    package = re.search(r"(?m)^package\s", source)
    m = _GENERATED.search(source[:package.start()]) if package else None  # before the package clause only
    return {"check": "path", "status": "generated",
            "evidence": f"generated code: {f.path} says `{m.group(0)[3:]}` before its package clause; the unsafe "
                        "call is the generator's and is rewritten on every run, while the audit rule asks for a "
                        "look at hand-written unsafe code"} if m else None


def check_go(f: Finding | dict, reader=None) -> dict | None:
    f = as_finding(f)
    rule = str(f.rule_id).lower()
    if reader is None or not f.location or not f.location.start_line or not str(f.path or "").endswith(".go"):
        return None
    kind = ("tls" if rule.endswith("missing-ssl-minversion") else "template" if rule.endswith("import-text-template")
            else "unsafe" if rule.endswith("use-of-unsafe-block") else "origin" if rule.endswith("websocket-missing-origin-check")
            else "digest" if rule.endswith(("use-of-sha1", "use-of-md5"))
            else "cookie" if rule.endswith(("cookie-missing-secure", "cookie-missing-httponly")) else None)
    source = finding_source(reader, f) if kind else None
    if not source:
        return None
    if kind == "tls":
        return _tls_default(f, reader, source)
    if kind == "cookie":
        return _cookie(f, source, rule)
    if kind == "origin":
        return _origin(f, source)
    if kind == "digest":
        return _digest_name(f, source)
    return _text_template(f, source) if kind == "template" else _generated(f, source)
