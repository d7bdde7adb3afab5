"""Find secrets in every string a finding carries, whichever tool wrote it.

Two sources, both applied before a finding leaves the parser:

* what the tool itself says is a secret (gitleaks/Trivy give the value;
  Semgrep secret rules, Bandit B105-B107 and Checkov secret checks only point
  at the line, so the literal values on that line are taken as the secret);
* Yelp's ``detect-secrets`` with its default plugin set, run in-process over
  each line of each text field (no files, no subprocess).  Its plugins are
  loaded once per process and results are cached per line, because the same
  advisory text repeats across hundreds of findings.

The redaction itself (marker, hash) is ``tasks.findings.redact``.
"""

from __future__ import annotations

import keyword
import re
from functools import lru_cache
from typing import Any, Iterable

from tasks.findings import secret_literals, tokens
from tasks.findings.secret_formats import ASSIGNED, assigned_variable, called, code_name, plain_url
from tasks.findings.redact import REDACTED_WORDS, marker, scrub  # noqa: F401 - scrub re-exported
from tasks.findings.secret_keys import (  # noqa: F401  (the filters keyed_values shares; _MARKER is this module's API)
    _ALGORITHM, _BANDIT_WORDING, _DOTTED, _ENV_NAME, _HTTP, _LONG_PLACEHOLDERS, named_elsewhere, _MARKER, _NAME_KEY_BEFORE,
    _PINNED, BARE_HEADER, _TEMPLATE, _TEMPLATES_IN, keyed_values, structural,
)

_PEM = re.compile(r"-----BEGIN[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----(?:(?!-----BEGIN)[\s\S])*?(?:-----END[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|\Z)")
_TOKEN_CHARS = r"[A-Za-z0-9_\-+/=.~]"
# one string literal at a time, left to right: a short literal ('bob') is consumed, not skipped, so
# the text *between* two literals (", password=") is never taken for one
_QUOTED = re.compile(r"""(?P<q>["'`])(?P<v>(?:\\.|(?!(?P=q))[^\\\n])*)(?P=q)""")
_MIN_LITERAL = 4  # shorter literals are too common in code to replace everywhere in a finding
_ASSIGNED = re.compile(r"""(?:[:=]|=>|:=)\s*(?P<v>[^\s"'`,;#)(\]\[{}<>]{6,})""")  # a YAML value may sit on the next line

_KEYWORDS = frozenset(keyword.kwlist)
_SEMGREP_SECRET = re.compile(
    r"(?i)secret|password|passwd|credential|api[-_.]?key|token|private[-_.]?key|hard[-_.]?coded|aws[-_.]?(?:access|secret)"
    r"|(?:^|\.)detected-[a-z0-9-]+$")  # generic secrets rules, also under a local rules folder's id (set 39); not: a
# rule about what code does with a secret (a log call: set 18; a validation, a CSRF token, a hash, a store's KMS key)
_SEMGREP_NOT_SECRET = re.compile(r"(?i)logger|disclos|unvalidated-password|used-as-password|none-for-password|no-csrf-token|"
                                 r"exposed-credentials|in-query-parameter|hashids-with|hardcoded_config_(?:debug|env|testing)|"
                                 r"secretsmanager|secrets?-manager|unencrypted|kms-key|key-rotation")
_BANDIT_SECRET = {"B105", "B106", "B107"}
_CHECKOV_SECRET_IDS = {"CKV_AWS_41", "CKV_AWS_45", "CKV_AWS_46", "CKV_AZURE_45", "CKV_BCW_1",
                       "CKV_LIN_1", "CKV_OCI_1", "CKV_PAN_1", "CKV_GCP_36", "CKV_GHA_3"}
# a check whose title says the flagged code *holds* a secret ("no hard coded ... key exists in provider", "does not
# expose secrets"), not one that is merely about secrets: "Service Account Tokens are only mounted where necessary",
# "Secrets Manager secret is encrypted using KMS CMK" or "IAM policies does not allow credentials exposure" span a
# whole resource, and taking its every literal for a secret redacted `apiVersion`, image names and mount paths
_CHECKOV_SECRET_NAME = re.compile(
    r"(?i)hard.?coded|\b(?:no|not)\b[^.]{0,60}\b(?:secrets?|credentials?|passwords?|access keys?|private keys?|tokens?)\b"
    r"[^.]{0,30}\b(?:exists?|contains?|present|stored)\b|\b(?:contains?|exposes?|leaks?)\b (?:any )?"
    r"(?:secrets|credentials|passwords|keys|tokens)\b")


def tool_marks_secret(tool: str, rule_id: str, title: str = "") -> bool:
    """Does the tool say this result *is* a secret (so the matched code holds it)?"""
    rule_id = rule_id or ""
    if tool == "bandit":
        return rule_id.upper() in _BANDIT_SECRET
    if tool == "checkov":
        rid = rule_id.upper()
        return rid.startswith("CKV_SECRET") or rid in _CHECKOV_SECRET_IDS or bool(_CHECKOV_SECRET_NAME.search(title or ""))
    if tool == "semgrep":
        return bool(_SEMGREP_SECRET.search(rule_id)) and not _SEMGREP_NOT_SECRET.search(rule_id)
    return False


def literal_values(text: Any, start: int | None = None, end: int | None = None, every: bool = False,
                   path: str | None = None) -> list[str]:
    """Quoted literals and assigned values on the lines a secret rule matched.

    Bandit's ``code`` numbers its lines and adds context lines around the hit;
    only the reported lines are taken, so context literals survive; a name before ``(`` is a call (set 53).  In a program's source (``path``'s suffix) an
    unquoted identifier after ``=`` is a variable, not a value: wger's ``HEADLESS_JWT_PRIVATE_KEY = _jwt_private_pem``
    (set 44's grader: the name was weighed and redacted as the key); in a .env or YAML file it is the value.
    """
    if not isinstance(text, str):
        return []
    numbered = [re.match(r"^(\d+) (.*)$", line) for line in text.splitlines()]
    if start and numbered and all(numbered):
        last = end or start
        text = "\n".join(m.group(2) for m in numbered if start <= int(m.group(1)) <= last)
    found = quoted_values(text) + [m.group("v") for m in _ASSIGNED.finditer(text) if not called(m, text)
                                   and not assigned_variable(m.group("v"), path, text[text.rfind("\n", 0, m.start()) + 1:].split("\n", 1)[0])]
    # ``every``: all the values the rule flagged (the triage weighs them); else only those that can be a secret
    return [v for v in found if (v.strip() or every) and v not in REDACTED_WORDS and not _MARKER.search(v)
            and v not in _KEYWORDS and (every or plausible(v, text))]  # `if token:\n return`: a statement, no value


_BANDIT_TITLE = secret_literals._BANDIT_TITLE  # to the last quote: `'Hey, that's not a server token!'` (set 58)


def bandit_value(title: Any) -> str | None:
    """The value Bandit's B105-B107 title quotes ("Possible hardcoded password: ''"), of any length, or None."""
    m = _BANDIT_TITLE.search(title) if isinstance(title, str) else None
    return m.group("v") if m else None


_HEX_ID = re.compile(r"^(?:[0-9a-f]{7,12}|[0-9a-f]{40}|[0-9a-f]{64}|[0-9A-F]{40}|[0-9A-F]{64})$")  # commit ids, digests
_HASH_PREFIXED = re.compile(r"^(?:sha(?:1|224|256|384|512)|md5|blake2b?)[-:][A-Za-z0-9+/=]+$", re.I)  # sha512-... integrity
_WORD = re.compile(r"^[A-Za-z]+(?:[-_ ][A-Za-z]+){0,2}$")                              # 'refresh', 'utf-8', 'max-age'
_SECRETISH_WORD = re.compile(r"(?i)secret|pass|pwd|key|token|cred|auth")
# `"token": "updated-token",\n "priority"`: the secret-like word before the comma ends a *value*, so the next string
# is the next key, not the value of a key named ...token (a tuple ("password", "x") has no `key:` before it)
_AFTER_PAIR = re.compile(r"[:=]\s*[\"'][^\"'\n]*[\"']\s*,\s*[\"'`]?$")
_NAMES_OF_SECRETS = {"password", "passwd", "passphrase", "secret", "token", "key", "apikey", "api_key", "api-key", "pass",
                     "credentials", "credential", "auth", "private_key", "secret_key", "access_token", "refresh_token"}
_SECRET_KEY_BEFORE = re.compile(
    r"(?i)(?:pass(?:wd|word|phrase)?|pwd|secret|token|api[-_]?key|apikey|private[-_]?key|credentials?"
    r"|auth(?:orization|entication|[-_]?(?:token|key|secret|code|header|value))?)"
    r"(?:[_\-.]?(?:key|value|str|string|text|\d+))?(?:[\"'`\]]?\s*(?:[:=]|=>|:=|\()|\s*,)\s*[\"'`]?$"
)  # the key *ends* in the secret's name: PASSWORD = ..., api_key: ...; not ACCESS_TOKEN_METHOD = 'POST'; a comma only
#   after a bare name (`login(user, password, "x")`), never after a string ('.../openid-connect/token', 'NEXT_KEY')


def plausible(value: str, context: str = "") -> bool:
    """Could ``value`` (taken from ``context``) be a secret's value?  False for what code is made of.

    Never secrets: dotted names and calls (``jwt.sign``), templates (``${TOKEN}``), algorithm names (``RS256``), HTTP methods, env names (``JWT_SECRET``),
    commit ids and digests (``sha512-...``), plain words (``'refresh'``).  A value given to a
    secret-named key or argument (``password = "letmein"``) is taken whatever it looks like,
    except a dotted name or a template, and a plain word that names a secret (``'mysecretkey'``) is taken;
    a value that *is* a secret's name (``password="password"``, ``token: token``) is a placeholder, never taken.
    """
    v = value.strip()
    if not v or _DOTTED.match(v) or _TEMPLATE.match(v) or _PINNED.match(v):
        return False
    bare = _TEMPLATES_IN.sub("", v).strip()
    if bare != v and (not bare or _WORD.match(bare)):  # `Bearer ${token}`: words around a template
        return False
    at = context.find(value) if context else -1
    if at >= 0 and re.search(r"://[^/\s:@]*:$", context[max(0, at - 200):at]) and context[at + len(value):at + len(value) + 1] == "@":
        return v.lower() not in _NAMES_OF_SECRETS  # a URL's password (https://user:hunter@host), but not a
        # documentation placeholder (an advisory's `https://username:password@proxy:8080`)
    fields = re.sub(r"\{\s*[A-Za-z_]?[\w.]*\s*\}", "", v).strip()  # f"Bearer {token}", "Bearer {}".format(t): an auth scheme
    if at > 0 and fields != v and "{" not in fields and fields in ("", "Bearer", "Basic", "Token", "token", "JWT", "Bot") \
            and (re.search(r"(?i)(?<![\w])r?fr?$", context[max(0, at - 4):at - 1])  # around plain fields (round 48: mealie's
                 or context[at + len(value) + 1:].startswith(".format(")):  # header template was redacted); a literal
        return False  # inside a field, or other words (f"Welcome{year}"), stays (the review of 9a2f23f)
    before = context[max(0, at - 80):at] if at >= 0 else ""
    if re.search(r"\b(?:reverse(?:_lazy)?|redirect|resolve_url)\(\s*[\"']$", before):  # a Django URL name
        return False  # (`reverse("radius:user_auth_token")`: set 33), never a credential
    if re.fullmatch(r"(?:/[A-Za-z_-]+)+/?|[A-Za-z_-]+(?:/[A-Za-z_-]+)+/?", v):  # a route or path of plain words (/default/login,
        return False  # /tmp/x, 'openid-connect/token': the tail of a URL split over two string literals)
    if structural(v) or (context and re.fullmatch(r"[A-Za-z][A-Za-z_-]*", v) and re.search(  # a mapping's key
            rf"(?m)(?:^(?:\d+ )?|[{{,])\s*[\"']{re.escape(v)}[\"']\s*:(?!:)", context)):  # (`"change_password": True`,
        # set 24; Bandit numbers its lines: flaskbb's `120 "old_password": "old_password"`, set 49)
        return False
    if dummy_word(v):  # password="password": the value is the name of a secret, a placeholder; hiding it would also
        return False    # hide every identifier spelled the same (`password=`, the rule); and a dummy word ('test')
    if plain_url(v):  # "password_retrieval_page": "https://www.kobo.com/passwordretrieval.html" (set 22): an address
        return False  # with no user:password, no key in its query and no token-like path segment is no secret's value
    if before and _SECRET_KEY_BEFORE.search(before) and not _BANDIT_WORDING.search(before) and not _AFTER_PAIR.search(before):
        return True
    if re.fullmatch(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", v):  # an e-mail address is an account's name, not under a secret's key
        return False
    if re.fullmatch(r"\d{1,9}(?:\.\d+)?", v):  # TOKEN_EXPIRY_SECONDS = '3600': a number under a name that is no secret's
        return False
    if before and _NAME_KEY_BEFORE.search(before):
        return False
    if v.upper() in _HTTP or _ALGORITHM.match(v) or _ENV_NAME.match(v) or _HEX_ID.match(v) or _HASH_PREFIXED.match(v) \
            or code_name(ASSIGNED.match(v).group(2) if ASSIGNED.match(v) else v):  # 'ECCPRIME256V1' (round 40)
        return False
    if _WORD.match(v) and not _SECRETISH_WORD.search(v):  # (a secret's own name left with dummy_word above)
        return False
    return True


def quoted_values(text: Any) -> list[str]:
    """The string literals of ``text`` long enough to be a secret (Bandit's issue text quotes the password)."""
    if not isinstance(text, str):
        return []
    values = [m.group("v") for m in _QUOTED.finditer(text)]
    return [v for v in values if len(v.strip()) >= _MIN_LITERAL and v not in REDACTED_WORDS and not _MARKER.search(v)]


@lru_cache(maxsize=1)
def _scanner():
    """detect-secrets' line scanner with the default plugins, configured once per process."""
    from detect_secrets.core import scan
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    from detect_secrets.settings import (
        cache_bust,
        configure_settings_from_baseline,
        get_filters,
        get_settings,
    )

    # what ``default_settings()`` does, but for the life of the process (the plugin list is cached)
    cache_bust()
    configure_settings_from_baseline(
        {"plugins_used": [{"name": cls.__name__} for cls in get_mapping_from_secret_type_to_class().values()]}
    )
    # we scan strings, not files: the "file exists" filter would drop every hit (as scan_line does)
    get_settings().disable_filters("detect_secrets.filters.common.is_invalid_file")
    get_filters.cache_clear()
    if not scan.get_plugins():
        raise RuntimeError("detect-secrets loaded no plugins")
    return scan


@lru_cache(maxsize=65536)
def _scan_line(line: str, suffix: str) -> tuple[str, ...]:
    scan = _scanner()
    found = []
    for secret in scan._process_line_based_plugins([(1, line)], f"finding{suffix}"):
        value = secret.secret_value or ""
        if not value:
            continue
        starts = [m.start() for m in re.finditer(re.escape(value), line)]  # not inside a name: `dump_password="pass"`
        whole = [i for i in starts if (i == 0 or not re.match(_TOKEN_CHARS, line[i - 1])) and not re.match(  # alone first,
            _TOKEN_CHARS, line[i + len(value):i + len(value) + 1])]  # not the head of a key named after it (round 49)
        start = whole[0] if whole else next((i for i in starts if i == 0 or not re.match(_TOKEN_CHARS, line[i - 1])), starts[0] if starts else -1)
        if start >= 0:  # (set 39); a capture group ("ghp") is widened to the token, never narrowed ("&", "#" stay in)
            right = re.match(rf"{_TOKEN_CHARS}*", line[start + len(value):])
            left = re.search(rf"{_TOKEN_CHARS}*$", line[:start])
            widened = (left.group(0) if left else "") + value + (right.group(0) if right else "")
            value = widened.strip("=") if len(widened.strip("=")) >= len(value) else widened
        if len(value) >= 4 and not _MARKER.search(value) and not dummy_word(value) and not secret_literals.compared_prose(value, line):
            found.append(value)
    return tuple(found)


def dummy_word(value: str) -> bool:
    """A secret's name or a dummy word given as its value (``"password": "password"``, ``password="test"``): no secret,
    and redacting it would replace the same word everywhere in the text (a keyword argument's name, Bandit's own
    "test" in its description: round 27, set 22)."""
    from tasks.findings import secret_evidence

    v = value.strip()
    if v.lower() in _NAMES_OF_SECRETS or not re.fullmatch(r"[A-Za-z]{4,20}", v):  # or a phrase naming it ('bad token'), or prose
        return v.lower() in _NAMES_OF_SECRETS or secret_literals.names_itself(v) or secret_literals.author(v)
    seen = secret_evidence.classify_one(v)  # a short dummy word; a longer one only when it is a placeholder word ('placeholder', set 24)
    return seen["class"] in ("example", "placeholder") and (len(v) <= 10 or v.lower() in _LONG_PLACEHOLDERS)


def detect(text: Any, path: str | None = None) -> list[str]:
    """Secrets detect-secrets finds in ``text`` (PEM private keys as whole blocks)."""
    if not isinstance(text, str) or not text.strip():
        return []
    suffix = ""
    if path:
        m = _SUFFIX.search(path)
        suffix = m.group(0).lower() if m else ""
    return list(_detect(text, suffix))


_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,10}$")
CHUNK = 4000    # detect-secrets is given a long line in pieces this long ...
OVERLAP = 400   # ... each overlapping the last by this much, so a secret on a piece boundary is whole in one
_TOKEN_CHAR = re.compile(r"[A-Za-z0-9_\-.=+/]")


def _chunks(line: str):
    """``line`` in overlapping pieces: a key far along a minified line is scanned too.

    A piece ends at the last character no token holds (a quote, a space, ';' ...) past its first
    OVERLAP characters, so a token longer than the overlap (a 713-character JWT) is never cut in
    two; only a run of token characters filling the whole piece falls back to a plain cut.
    """
    if len(line) <= CHUNK:
        yield line
        return
    start = 0
    while True:
        end = start + CHUNK
        if end >= len(line):
            yield line[start:]
            return
        cut = next((i for i in range(end - 1, start + OVERLAP, -1) if not _TOKEN_CHAR.match(line[i])), None)
        if cut is None:
            yield line[start:end]
            start = end - OVERLAP
        else:
            yield line[start:cut]
            start = cut - OVERLAP  # context (``auth="``) for the next piece; no token crosses ``cut``


@lru_cache(maxsize=65536)
def _detect(text: str, suffix: str) -> tuple[str, ...]:
    """detect() for one (text, file suffix): a CI history repeats the same finding texts run after run.

    Three passes: private key blocks whole; the token table (``tasks.findings.tokens``) over the
    whole text, since detect-secrets lacks those kinds and its filters skip code-looking lines;
    detect-secrets over every line, a long line in overlapping chunks.
    """
    found = [m.group(0) for m in _PEM.finditer(text) if re.search(r"[A-Za-z0-9+/=]{32,}", m.group(0))]  # `<private key>`: docs
    rest = _PEM.sub(lambda m: " " if m.group(0) in found else m.group(0), text)  # a dummy block is scanned as text
    found.extend(tokens.find(rest))
    found.extend(v for v in keyed_values(rest) if not dummy_word(v) and not secret_literals.compared_prose(v, rest))
    for line in rest.splitlines():
        if len(line.strip()) >= 4:
            for piece in _chunks(line):
                found.extend(v for v in _scan_line(piece, suffix) if plausible(v, piece))
    return tuple(v for v in found if not named_elsewhere(v, rest) and not BARE_HEADER.fullmatch(v.strip()))
