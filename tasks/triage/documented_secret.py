"""Check 5b: a credential the project's own README publishes -- a documented demo login, not a leaked secret.

A lab or demo application ships accounts and tells its users how to log in
(``* Admin Account - u:`admin` p:`Admin_123```, ``- roberto : asdfpiuw981``,
``docker run -e MYSQL_ROOT_PASSWORD=mysecretpassword``, ``SUPER_SECRET_TOKEN='…'``
as the ``.env`` example).  A secret rule that flags that same value in the
seed data or the settings reports something the project already
published on purpose: whoever reads the README knows it, so it leaks
nothing the project meant to keep.

Judged with the file and the repository's file list (``source.repo_path``):
each value the flagged lines assign to a credential-named key or variable
(``'password': 'x'``, ``MYSQL_ROOT_PASSWORD: x``; at least 6 characters,
not masked by the tool) is looked up, as a whole token, in the README files of the
flagged file's folder and every folder above it, and in the repository's request collections (``.http``/``.rest``
files that log in as the demo users), and counts only when the
same README line pairs it with the setting's own name from the flagged
code (``MYSQL_ROOT_PASSWORD``, ``SUPER_SECRET_TOKEN``) or, for a value
shaped like a made-up password (a digit, a capital, a symbol), with the
other value of the same record (the user name ``roberto``), or the e-mail of the seeded account a few lines
around it (``patrick@bikinibottom.sea:mayonnaise``): a value that
only happens to be a README word, or a file name the README mentions,
does not count.  The application's own signing or session key (``SECRET_KEY``,
``app.secret_key``, ``jwt.sign``, ``session({secret: …})``) is left alone
whatever the README says: a published signing key lets anyone forge
sessions.  The evidence names the README and its line, never the value.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from tasks.findings.model import Finding
from tasks.repository.source import finding_lines

MIN_LENGTH = 6
RECORD = 6  # lines around the flagged one that hold the same seeded record (its user's e-mail)
# request collections (the REST Client / JetBrains HTTP format) that log in as the demo accounts: documentation too
_REQUESTS = (".http", ".rest")
MAX_REQUEST_FILES = 50
_EMAIL = re.compile(r"^[\w.+-]+@[\w-]+(?:\.[\w-]+)+$")
MAX_LINES = 10  # a secret rule flags one value or one seeded record, not a block
_README = re.compile(r"(?i)^readme(?:\.(?:md|markdown|rst|txt|adoc))?$")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NAMED = re.compile(r"^(?=.*_)[A-Z0-9_]{6,}$|^[a-z]+[A-Z]\w{3,}$")  # MYSQL_ROOT_PASSWORD, secretPage: this setting's own name
# the value a credential-named key or variable is set to: 'password': 'x', MYSQL_ROOT_PASSWORD: x, TOKEN = "x"
_ASSIGNED = r"(?i)(?:pass|pwd|secret|token|key|cred|auth)\w*['\"]?\s*[:=]\s*['\"]?{}(?![\w$-])"
_GENERIC = {"password", "passwd", "pass", "pwd", "username", "user", "name", "email", "secret", "token", "key", "database",
            "db", "host", "port", "true", "false", "null", "none", "const", "var", "let"}


def _shaped(value: str) -> bool:
    """A value a person made up as a credential (a digit, a capital after the first letter, or a symbol), not a word."""
    return bool(re.search(r"\d|[^\w\s]|_|.[A-Z]", value))


def _readmes(files: set[str], path: str) -> list[str]:
    """README files of ``path``'s folder and every folder above it, nearest first."""
    parents = [str(p) for p in PurePosixPath(path).parents]
    found = []
    for folder in parents:
        prefix = "" if folder in ("", ".") else folder + "/"
        found += sorted(f for f in files if f.startswith(prefix) and "/" not in f[len(prefix):] and _README.match(f[len(prefix):]))
    return found


def check_documented(f: Finding, reader, imports) -> dict | None:
    """{"check": "secret", "status": "not_a_secret", "evidence"} when a value on the flagged lines is the one a
    README near the file publishes as a login or example credential; None otherwise."""
    from tasks.findings.secret_evidence import masked
    from tasks.findings.secrets import literal_values
    from tasks.triage.context import _APP_KEY as app_key

    # app_key: the signing-key pattern check_secret judges weak keys by

    loc = f.location
    files = set(getattr(imports, "files", None) or ())
    if reader is None or not files or loc is None or not loc.path or not loc.start_line:
        return None
    lines = finding_lines(reader, f)
    if not 0 < loc.start_line <= len(lines):
        return None
    site = _SITE_KEY.search(lines[loc.start_line - 1])
    if site and not re.search(r"(?i)secret|private", lines[loc.start_line - 1]) and not _verifies(lines, site.group(0)):
        return {"check": "secret", "status": "not_a_secret", "evidence": (
            f"a CAPTCHA site key, public by design: {loc.path}:{loc.start_line} sets `{site.group(0)}`, the key every page "
            "that shows the widget embeds for anyone to read; the secret key that verifies answers is a different value")}
    demo = demo_function(lines, loc.start_line)
    if demo and not app_key.search(f"{f.rule_id} {lines[loc.start_line - 1]}"):
        return {"check": "secret", "status": "not_a_secret", "evidence": (
            f"a fixed value of the demo data: {loc.path}:{loc.start_line} is inside {demo[0]}() (line {demo[1]}), which "
            "creates the same sample records on every installation that asks for them, so the value is public and "
            "guards only that sample data")}
    last = max(loc.end_line or loc.start_line, loc.start_line)
    if not lines or last > len(lines) or last - loc.start_line >= MAX_LINES:
        return None
    code = "\n".join(line.rstrip("\n") for line in lines[loc.start_line - 1:last])
    if app_key.search(f"{f.rule_id} {code}"):
        return None
    literals = [v for v in literal_values(code, every=True) if "\n" not in v and not masked(v)]
    values = {v for v in literals if len(v) >= MIN_LENGTH and re.search(_ASSIGNED.format(re.escape(v)), code)}
    names = {n for n in _IDENT.findall(code) if _NAMED.match(n) and not any(n in v for v in values)}  # never a value
    partners = {v for v in literals if len(v) >= 3 and v.lower() not in _GENERIC and not _NAMED.match(v)}
    near = "\n".join(line.rstrip("\n") for line in lines[max(0, loc.start_line - 1 - RECORD):last + RECORD])
    logins = {v for v in literal_values(near, every=True) if _EMAIL.match(v)}  # the record's user (a seeded account)
    if not values:
        return None
    for readme in _readmes(files, loc.path) + sorted(p for p in files if p.endswith(_REQUESTS))[:MAX_REQUEST_FILES]:
        text = finding_lines(reader, f, readme)
        for n, line in enumerate(text):
            for v in values:
                if not _token(v, line):
                    continue
                named = next((x for x in names if _token(x, line)), None)  # the README sets this same name to it
                pair = named or (next((x for x in partners - {v} if _token(x, line)), None) if _shaped(v) else None) \
                    or next((x for x in logins if _token(x, line)), None)  # user@host:password in a request file
                if pair:  # a login pair (user and password) or the setting's own name, on one README line
                    return {"check": "secret", "status": "not_a_secret",
                            "evidence": f"a documented demo credential: {readme}:{n + 1} publishes the value flagged at "
                                        f"{loc.path}:{loc.start_line} together with "
                                        f"{'the name ' + named if named else 'the other value of the same record'}, as "
                                        "a login or example the project tells its users, so it reveals nothing the "
                                        "project keeps secret"}
    return None


def _token(word: str, line: str) -> bool:
    return re.search(rf"(?<![\w$-]){re.escape(word)}(?![\w$-])", line) is not None


# a host no deployment has: the sample configuration of a documentation page (woodpecker's gitlab.mycompany.com)
PLACEHOLDER_HOST = re.compile(r"(?i)(?:://|@)([\w-]{0,40}(?:\.[\w-]{1,40}){0,3}?\.?(?:mycompany|yourcompany|your-?domain"
                              r"|mydomain|example)\.(?:com|org|net|io))\b|(<your[-_ ][^<>]{1,40}>)")  # a URL's host only
# the reader's own machine: a sample request to a local instance (wallabag's `http POST http://localhost:8000/oauth/v2/token`
# and its sample response's `Host: localhost:8000`, held-out set 45) - only for the request the value is sent in
LOCAL_HOST = re.compile(r"(?i)(?:://|^\s*Host:\s*)((?:localhost|127\.0\.0\.1)(?::\d{2,5})?)(?![\w.-])")
_MESSAGE = re.compile(r"^\s*(?:<[^<>]{1,80}>\s*){0,3}(?:HTTP/\d|(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+\S+\s+HTTP/)")


def request_span(lines: list[str], at: int, lo: int, hi: int) -> range:
    """The line indexes of the one request that holds line index ``at`` within ``lines[lo:hi]``: an HTTP message (the
    block starts with its status or request line) whole, else the shell command continued with trailing backslashes (a
    local MongoDB URL on another line says nothing of an API key: the review of the set-45 change)."""
    if lo < hi and _MESSAGE.match(lines[lo]):
        return range(lo, hi)
    first = at
    while first > lo and lines[first - 1].rstrip().endswith("\\"):
        first -= 1
    last = at
    while last + 1 < hi and lines[last].rstrip().endswith("\\"):
        last += 1
    return range(first, last + 1)


def sample_host(shown: list[str], lines: list[str], at: int, lo: int, hi: int) -> str | None:
    """A placeholder host on one of ``shown`` (the sample's other lines), else ``localhost:8000`` when the request
    holding line index ``at`` (within lines ``lo``..``hi``) goes to the reader's own machine."""
    return next((m.group(1) or m.group(2) for line in shown for m in [PLACEHOLDER_HOST.search(line)] if m), None) \
        or next((m.group(1) for i in request_span(lines, at, lo, hi) if len(lines[i]) < 400
                 for m in [LOCAL_HOST.search(lines[i])] if m), None)


_GENERIC_RULE = re.compile(r"(?i)generic|entropy|password|passwd|CKV_SECRET_(?:6|19)\b|B10[5-7]")  # not one issuer's format
_FENCE = re.compile(r"^\s*(?:```|~~~)")
DOC_SUFFIXES = (".md", ".mdx", ".markdown", ".rst", ".adoc", ".txt")


_LIVE = re.compile(r"\b(?:sk|rk|pk)_live_|\bghp_|\bgho_|github_pat_|\bxox[abpr]-|\bAKIA|\bASIA|\bAIza|\bglpat-|\bnpm_")
def live(line: str) -> bool:
    """An issuer's own token format on the line (AKIA..., sk_live_..., sk-proj-...: tasks.findings.tokens)."""
    from tasks.findings.tokens import find

    return bool(_LIVE.search(line)) or bool(find(line[:4000]))


_SAMPLE_PROSE = re.compile(r"(?i)\bexamples?\s*:|\bfor example\b|\bexample (?:config|configuration|value|password|key|"
                           r"token|file)|\bsample\b|substitut\w* your own|your own (?:value|password|key|secret|token)|"
                           r"replac\w* (?:it|this|them|the \w+) with|replac\w*\b[^.]{0,160}?\bwith your (?:own|actual|real)\b|do not use (?:the|this) (?:password|key|token|secret|"
                           r"value)|placeholder")
_VALUE = re.compile(r"(?<![\w+/=.-])(?=[A-Za-z0-9+/=_.-]*\d)(?=[A-Za-z0-9+/=_.-]*[A-Za-z])[A-Za-z0-9+/=_.-]{12,}(?![\w+/=.-])")
MAX_DOC_PAGES = 400


def _block(lines: list[str], at: int) -> tuple[int, int] | None:
    """(opening fence, closing fence) indexes of the fenced block holding line index ``at``, or None."""
    fences = [i for i, line in enumerate(lines) if _FENCE.match(line)]
    opened = [i for i in fences if i < at]
    closed = [i for i in fences if i > at]
    if len(opened) % 2 == 0 or not closed or closed[0] - opened[-1] > 40:  # not inside one fenced block
        return None
    return opened[-1], closed[0]


def _introduced(lines: list[str], fence: int) -> int | None:
    """The 1-based line of the paragraph just above a block (up to 3 prose lines, never a line of another block)
    that calls it an example or tells the reader to put in their own value."""
    above = []
    for i in range(fence - 1, max(-1, fence - 8), -1):
        if _FENCE.match(lines[i]):
            break  # the previous block's closing fence: its lines are code, not prose (the review of cc48935)
        if not lines[i].strip():
            if above:
                break  # the paragraph above the block ends at a blank line
            continue
        above.append(i)
    return next((i + 1 for i in above[:3] if _SAMPLE_PROSE.search(lines[i])), None)


def _sample_elsewhere(f: Finding, reader, files, value: str) -> list[str]:
    """``page:line`` of the same value in the repository's other documentation pages."""
    found = []
    for page in [p for p in files or [] if p.lower().endswith(DOC_SUFFIXES) and p != f.path][:MAX_DOC_PAGES]:
        lines = finding_lines(reader, f, page)
        n = next((i for i, line in enumerate(lines) if value in line and len(line) < 400), None)
        if n is not None:
            block = _block(lines, n)
            said = _introduced(lines, block[0]) if block else None
            found.append(f"{page}:{n + 1}" + (f" (introduced as an example on line {said})" if said else ""))
    return found


def check_docs_example(f: Finding, reader, path: dict | None, files=None) -> dict | None:
    """A value in a documentation page's sample block (one fenced block of a .md/.rst page under a docs path) whose
    other lines point at a placeholder host (``WOODPECKER_GITLAB_URL=http://gitlab.mycompany.com`` above
    ``WOODPECKER_GITLAB_SECRET=30f50640…``, held-out set 37), whose prose calls it an example or tells the reader to
    put in their own value, or whose value the documentation shows on two other pages, or on one that introduces it so
    (netbox's 'J5brHrAXFLQSif0K', set 43: "substituting your own value for the password"): the page illustrates the
    settings with made-up values.  Any other block, or a page outside the docs, keeps the finding."""
    loc = f.location
    if not path or path.get("class") != "docs" or not str(f.path or "").lower().endswith(DOC_SUFFIXES) or not loc \
            or not loc.start_line:
        return None
    lines = finding_lines(reader, f)
    if loc.start_line > len(lines):
        return None
    at = loc.start_line - 1
    fenced = _block(lines, at)
    if fenced is None:
        return None
    opened, closed = [fenced[0]], [fenced[1]]
    block = [line for i, line in enumerate(lines[opened[-1] + 1:closed[0]], opened[-1] + 1) if i != at and len(line) < 400]
    host = sample_host(block, lines, at, opened[-1] + 1, closed[0])
    if not host:
        if not _GENERIC_RULE.search(str(f.rule_id)) or live(lines[at]):
            return None  # an issuer's own format (AKIA..., sk_live_...) is judged by its issuer's rules, not the prose
        said = _introduced(lines, opened[-1])
        values = _VALUE.findall(lines[at]) if len(lines[at]) < 400 else []
        elsewhere = _sample_elsewhere(f, reader, files, values[-1]) if len(values) == 1 else []
        if said or any("introduced as an example" in e for e in elsewhere):  # repetition alone is no sample
            where = (f"the prose above its block calls it an example (line {said})" if said else "")
            again = f"the same value appears in other documentation pages: {', '.join(elsewhere[:3])}" if elsewhere else ""
            return {"check": "secret", "status": "not_a_secret",
                    "evidence": f"a documentation example: {f.path}:{loc.start_line} sits in a sample block of the "
                                f"documentation, and {'; '.join(x for x in (where, again) if x)}: a value the pages show "
                                "readers how to fill in, not a deployment's credential"}
        return None
    if not _GENERIC_RULE.search(str(f.rule_id)) or live(lines[at]):  # an issuer's live format stays; no value echoed
        return None
    return {"check": "secret", "status": "not_a_secret",
            "evidence": f"a documentation example: the sample block of {f.path} (lines {opened[-1] + 2}-{closed[0]}) points "
                        f"at `{host}`, a placeholder host or the reader's own machine, so it shows how to fill the settings "
                        "in, not a deployment's "
                        "values; a page that published a live credential would name the real host"}


_SITE_KEY = re.compile(r"(?i)\b(?:re|h)?captcha[_-]?(?:site[_-]?)?key\b|\bsite[_-]?key\b|\bdata-sitekey\b")
def _verifies(lines: list[str], name: str) -> bool:
    """The file sends the key as the server-side secret (reCAPTCHA's siteverify, hCaptcha's verify): not a site key."""
    text = "".join(lines)
    return bool(re.search(r"(?i)siteverify|hcaptcha\.com/siteverify|/verify\b", text)
                or re.search(rf"""(?i)["']?secret["']?\s*[:=]\s*[\w.]*\b{re.escape(name)}\b""", text))


_FUNC = re.compile(r"^(\s*)(?:func\s+(?:\([^)]*\)\s*)?|(?:async\s+)?def\s+|(?:export\s+)?(?:async\s+)?function\s+)(\w+)\s*\(")
# a function that says it makes demo or sample data (createDemoProject, seed_demo, load_sample_data), not any name with
# the word in it (send_sample_report, resample, demodulate: the review of set 42)
_DEMO = re.compile(r"(?i)^_*(?:create|make|build|seed|insert|add|setup|set_up|generate|populate|init|load|install)_?"
                   r"(?:the_?|a_?)?(?:demo|sample|example)s?(?:_?(?:project|data|user|users|account|accounts|content|"
                   r"records?|db|database|fixtures?|org|organi[sz]ation|team|env|site))?$")


def demo_function(lines: list[str], line: int) -> tuple[str, int] | None:
    """(name, line) of the function holding ``line`` when its name says it makes demo or sample data (semaphore's
    createDemoProject() holds the demo vault's password: round 46's grader, "a fixed demo value"); else None."""
    for n in range(min(line, len(lines)) - 1, max(-1, line - 1 - 80), -1):
        m = _FUNC.match(lines[n])
        if m:
            return (m.group(2), n + 1) if _DEMO.search(m.group(2)) and _encloses(lines, n, line, m.group(1)) else None
    return None


def _encloses(lines: list[str], start: int, line: int, indent: str) -> bool:
    """The function defined at ``start`` (0-based) still holds ``line`` (1-based): braces still open (Go, JavaScript),
    or, for Python, no line between at the def's indentation or less."""
    body = lines[start:line]
    if "{" in lines[start]:
        depth = sum(l.count("{") - l.count("}") for l in body[:-1])
        return depth > 0
    return all(not l.strip() or len(l) - len(l.lstrip()) > len(indent) for l in body[1:])
