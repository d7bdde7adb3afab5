"""Which literals of a secret finding's lines are secret values: the flagged one and those given to a secret's name.

Bandit's B107 reports a function's password default over the whole function, so its lines hold the docstring,
messages, assert texts and prints as well: taking every quoted literal there hid a test helper's docstring and its
'not logged in, should exit on connect' (round 45, changedetection.io's test_basic_socketio.py).  A value is taken when
it is the literal the tool quoted, or when it stands right after a secret-named variable, parameter, keyword argument
or key (``password="x"``, ``{'token': 'x'}``); prose never is.

A phrase of plain words that names the credential it stands for ('bad token', 'wrong password') describes a value
instead of being one: the test that sends it checks the rejection ('Access denied, bad token'), and redacting it hid
that evidence (round 45, changedetection.io's test_rss.py).  A passphrase of words that says nothing about itself
('correct horse battery staple') stays a value.
"""

from __future__ import annotations

import re
from typing import Iterable

_SECRET_NAME = re.compile(
    r"(?i)(?:pass(?:wd|word|phrase)?|pwd|secret|token|api[-_]?key|apikey|private[-_]?key|credentials?"
    r"|auth(?:orization|entication|[-_]?(?:token|key|secret|code|header|value))?)"
    r"(?:[_\-.]?(?:key|value|str|string|text|\d+))?[\"'`\]]?\s*(?:[:=]|=>|:=)\s*[rbuRBUfF]{0,2}$")
_WORD = re.compile(r"[A-Za-z]{2,24}")  # one plain word, no digit or symbol
_IDENT = re.compile(r"[A-Za-z]+(?:[_.-][A-Za-z]+)*[_.-]?\d{0,3}")  # words and a small number (`user_oauth1`), no token
_ID_KEY = re.compile(r"(?i)(?:^|_)(?:id|name|slug|type|kind)$")  # a record's id or name, not a login (the attack on it)
_BANDIT_TITLE = re.compile(r"(?i)hard-?coded password:\s*(?P<q>['\"])(?P<v>.{0,200})(?P=q)\s*$")  # to the last quote: Bandit
# quotes the value as it is, so `'Hey, that's not a server token!'` holds its own apostrophe (set 58's audit)
_NOUNS = {"token", "tokens", "password", "passwords", "passwd", "secret", "key", "apikey", "credential", "credentials",
          "pass", "passphrase", "pin", "otp", "code"}
_SAYS = {"bad", "wrong", "invalid", "incorrect", "fake", "dummy", "bogus", "expired", "revoked", "nonexistent", "garbage",
         "junk", "unknown", "missing", "broken", "stale", "mock"}  # words saying the value is not a working one; 'my
#   secret key' or 'the new password' may be somebody's real password (the review of 750ff3a)


def names_itself(value: str) -> bool:
    """'bad token', 'wrong password': two to five plain lower-case words, one the credential's kind and one saying
    what sort of it the value pretends to be."""
    words = value.strip().split(" ")  # spaces only: `missing-key-ring` is a passphrase (the attack on 7d80061)
    return 2 <= len(words) <= 5 and all(re.fullmatch(r"[a-z]+", w) for w in words) \
        and bool(set(words) & _NOUNS) and bool(set(words) & _SAYS)


def prose(value: str) -> bool:
    """A clause of four or more plain words with a comma inside or a closing mark ('not logged in, should exit on
    connect', a test mode's name compared with ``password_mode ==``): text for a person, which detect-secrets' keyword
    plugin takes for a password after a secret-named word; a passphrase is words alone."""
    words = value.strip().split()
    if len(words) >= 7 and all(re.fullmatch(r"[A-Za-z'’]+[,;:.!?]?", w) for w in words):  # a docstring's sentence
        return True  # (a passphrase is four to six words; under a secret's name it is redacted whatever its length)
    return len(words) >= 4 and all(re.fullmatch(r"[A-Za-z'’]+[,;:.!?]?", w) for w in words[:-1]) \
        and bool(re.fullmatch(r"[A-Za-z'’]+[.!?]?", words[-1])) and bool(re.search(r"[,;:] |[.!?]$", value.strip()))


def not_a_value(value: str) -> bool:
    """A phrase naming the credential it stands for, or prose: nothing to redact (unless given to a secret's name)."""
    return names_itself(value) or prose(value)


def compared_prose(value: str, line: str) -> bool:
    """What detect-secrets' keyword plugin takes for a password's value and is none: prose the line compares with
    (``password_mode == "not logged in, should exit on connect"``); a name listed after "password" in a sequence of
    names a membership test reads (``if k in ("password", "timestamp", "stats")``: pyload, round 46; a seed row's
    ``('password', 'letmein', 'string')`` is a name and its value); an author's ``Name <e-mail>``
    (``IMAGE_AUTHORS="Walter Purcaro <vuolter@gmail.com>"``, round 46).  A sentence assigned to a secret's name stays."""
    v = re.escape(value)
    return prose(value) and re.search(r"[=!]==?\s*[\"']" + v, line or "") is not None \
        or bool(re.fullmatch(r"[a-z_]{3,30}", value)) and re.search(  # the secret's name, this word and another
            rf"""\bin\s*[(\[{{]\s*(["'])(?:pass(?:word|wd)?|secret|token|key)\1\s*,\s*(["']){v}\2\s*,\s*["']\w+["']""",
            line or "") is not None \
        or author(value)


def author(value: str) -> bool:
    """A person's ``Name <e-mail>``: an author or maintainer line (pyload's ``ARG IMAGE_AUTHORS``, round 46)."""
    return bool(re.fullmatch(r"[^\W\d_][\w.' -]{1,60} <[\w.+-]+@[\w-]+(?:\.[\w-]+)+>", value.strip()))


def given_to_secret(value: str, text: str) -> bool:
    """``value`` stands quoted in ``text`` right after a secret-named variable, parameter, keyword argument or key."""
    for m in re.finditer(rf"([\"'`]){re.escape(value)}\1", text or ""):
        if _SECRET_NAME.search(text[max(0, m.start() - 80):m.start()]):
            return True
    return False


def kept(values: Iterable[str], text: str, flagged: str | None) -> set[str]:
    """Of ``values`` (literals of a finding's lines ``text``), the ones to redact: every literal but prose (a docstring,
    a message) and a phrase naming its own credential ('bad token'), unless given to a secret's name; all of them
    when the tool quoted no value (nothing says which literal it meant).  A positional secret (an FTP login's
    password, an HMAC key) has no name before it and stays redacted (the review of 750ff3a)."""
    values = {v for v in values if not only_key(v, text)}  # `"new_password1": ...`: a form field's name (round 49)
    if flagged is None:
        return values
    return {v for v in values if given_to_secret(v, text) or not (names_itself(v) or prose(v) and v != flagged
                                                                   or ADDRESS.fullmatch(v) and v != flagged)}


ADDRESS = re.compile(r"[\w.+-]*@[\w-]+(?:\.[\w-]+)+")  # team@examplectf.com, "@examplectf.com": an account's name (round 49)


def only_key(value: str, text: str) -> bool:
    """Is ``value`` a field's name (``new_password1``) and every place it stands quoted in ``text`` a mapping's key,
    opened by ``{`` or ``,`` (``"new_password1": x``)?  Not ``case "x":`` nor a ternary's ``? "x" :`` (the review of
    the set-45 change: both are values)."""
    if not re.fullmatch(r"[A-Za-z_][\w-]{0,63}", value):
        return False
    quoted = re.findall(rf"""["']{re.escape(value)}["']""", text)
    keys = re.findall(rf"""(?:^|[{{,])\s*["']{re.escape(value)}["']\s*:(?!:)""", text, re.M)
    return bool(quoted) and len(keys) == len(quoted)


def _plain_key(value: str, text: str, names: re.Pattern | None = None) -> bool:
    """Is every place ``value`` stands in ``text`` the value of a key or keyword whose name says nothing of a secret
    (and, with ``names``, whose name matches it: ``account_id="user_oauth1"``, set 53's grader)?"""
    keys = re.findall(rf"""([\w-]+)["']?\s*(?:[:=]|=>)\s*[rbuRBUfF]{{0,2}}["']{re.escape(value)}["']""", text)
    return bool(keys) and len(keys) == text.count(value) and all(names is None or names.search(k) for k in keys) and not any(
        re.search(r"(?i)pass|pw|pin|secret|token|key|auth|cred|answer|phrase|code|salt|sign|otp", k) for k in keys)


def kept_literals(finding, lines: list[str] | None, start: int, end: int, values: Iterable[str]) -> set[str]:
    """``kept`` for a finding read from the file: Bandit's B105-B107 quote the value they flagged in the title."""
    m = _BANDIT_TITLE.search(str(finding.title or "")) if finding.tool == "bandit" else None  # secrets.bandit_value's
    flagged = m.group("v") if m else None  # reading (imported, it would make an import cycle)
    text = "".join((lines or [])[max(start, 1) - 1:end])
    if flagged is not None and str(finding.rule_id or "").upper() in ("B105", "B106"):  # one assignment or keyword: a
        values = {v for v in values if v == flagged or not (_WORD.fullmatch(v) and _plain_key(v, text)  # word under a
                                                           or _IDENT.fullmatch(v) and _plain_key(v, text, _ID_KEY))}
        # plain key is the code around it (cabot's `'calculated_status': u'passing'` beside `'password': None`, round
        # 47); one under `root_pw=`, `passcode=` or no key at all stays a password (the review of cc48935)
    return kept(values, text, flagged)
