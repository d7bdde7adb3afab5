"""Literals given to a secret-named key or argument: redacted whatever they look like.

detect-secrets skips low-entropy values and the call form, so ``app.config['SECRET_KEY'] = 'aaaaaaa'`` or
``os.environ.setdefault('DB_PASSWORD', 'hunter2')`` reached prompts; a weak key is still the application's key.
What code is made of stays (a dotted name, a template, an environment variable's name, an algorithm, an HTTP
method, a resource name after ``*_name =``, Bandit's own issue wording).
"""

from __future__ import annotations

import re

from tasks.findings.redact import REDACTED_WORDS
from tasks.findings.secret_evidence import BOOLEAN_WORDS, classify_one

_MARKER = re.compile(r"\[REDACTED secret sha256:[0-9a-f]{12}\]")
# -- what is never a secret value (issue 22: redaction ate jwt.sign, 'RS256', commit ids, 'POST') -----------
_DOTTED = re.compile(r"^(?!eyJ)[A-Za-z_$][\w$]{0,39}(?:\.[A-Za-z_$][\w$]{0,39}){1,5}(?:\(\))?$")  # jwt.sign (not a JWT)
# a template or interpolation, whole or cut at a nested quote (`"${file("${var.key}")}"` yields `${file(`)
_TEMPLATE = re.compile(r"^(?:\$\{[^}]*\}|\{\{[^}]*\}\}|\{[a-z]+(?:_[a-z]+)+\}|\{(?:password|passwd|secret|token|key|api_key)\}|%\(?\w*\)?s|<[\w .-]+>|\$[A-Z_][A-Z0-9_]*|\$\{[\w.]*\(?|\{\{[^}]*)$")
_PINNED = re.compile(r"^[\w.-]+/[\w./-]+@(?:[0-9a-f]{7,64}|v?\d[\w.]*|[\w.-]+)$")  # actions/checkout@<sha>
_TEMPLATES_IN = re.compile(r"\$\{[^}]*\}|\{\{[^}]*\}\}")
_ENV_NAME = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$")                              # JWT_SECRET: a name
_HTTP = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "CONNECT"}
_ALGORITHM = re.compile(
    r"(?i)^(?:[RHEP]?S(?:256|384|512)|ES256K|EdDSA|none|RSA(?:-OAEP(?:-256)?|-PSS|\d+)?|HMAC(?:-?SHA-?\d+)?|"
    r"SHA-?(?:1|224|256|384|512)|SHA3-\d+|MD5|AES(?:-?\d+)?(?:[-/](?:GCM|CBC|CTR|ECB|CFB|OFB|CCM))?(?:/\w+)?|"
    r"(?:Triple)?DES(?:ede)?|3DES|ChaCha20(?:-Poly1305)?|bcrypt|scrypt|argon2(?:id|i|d)?|pbkdf2(?:[-_]?sha\d+)?|"
    r"Ed25519|X25519|secp256[kr]1|prime256v1|P-(?:256|384|521)|A(?:128|192|256)(?:GCM|KW|CBC-HS\d+))$"
)
# the key names a resource, not a credential: parameter_group_name = "default.mysql8.0", secret_name = "prod/db",
# engine_version, region, instance_class (an AWS resource's identifier or name is not a secret)
# a key that names which algorithm, type or method is used: its value is that choice (password_algorithm: round 40)
CHOICE_SUFFIXES = "algorithm|algo|scheme|method|type|kind|hasher"
_NAME_KEY_BEFORE = re.compile(rf"(?i)(?:name|identifier|_arn|arn|region|engine(?:_version)?|_version|_class|_zone|_family|"
                              rf"_(?:{CHOICE_SUFFIXES})|(?<=\s)(?:source|htmlFor|field|autoComplete))"  # a JSX input's field name
                              rf"[\"'`\]]?\s*(?:[:=]|=>|:=)\s*[\"'`]?$")
_BANDIT_WORDING = re.compile(r"(?i)hard-?coded password:\s*['\"]?$")  # Bandit's "Possible hardcoded password: 'Fail'"
# what a value given even to a secret-named key is not (held-out set 24): a file path (`pwd="/tmp/archive/example"`,
# a working directory; its first segment is a word), a command-line flag (`"--snapshot-id"`, its first word letters), an
# LDAP distinguished name (`ou=users,dc=example`: LDAP's own attribute types only); a value whose words name a token
# (`valid_jwt_token`, `random_token_that_shouldnt_work`, `super-secret-token`: a test's label for a credential; an app
# key named `super-secret-key` is still a key in use); a strftime/printf format with nothing else in it
_NOT_A_VALUE = re.compile(r"^(?:~?/[A-Za-z_.][A-Za-z_.-]*(?:/[\w.-]+)+/?|--?[a-z]+(?:-[a-z0-9]+)*"
                          r"(?:=(?:https?://[\w.-]+(?::\d+)?(?:/[\w./-]*)?|/[\w./-]+))?"  # --url=https://example.com
                          r"|(?:(?i:cn|ou|dc|o|c|l|st|uid|sn|street)=[^,=]+,)+(?i:cn|ou|dc|o|c|l|st|uid|sn|street)=[^,=]+)$")
_ARMOUR = re.compile(r"-{2,}(?:BEGIN|END)(?:[A-Z0-9 ]*-*)?")  # a PEM armour line or its cut start, never key material
_FORMAT = re.compile(r"%[a-zA-Z]")  # "%Y-%m-%d__%H:%M:%S": two directives or more, and no word between them
_PHRASE = re.compile(r"^[a-z]+(?:[-_][a-z]+){1,6}$")
_KIND = {"token", "credential", "credentials"}
_LONG_PLACEHOLDERS = {"placeholder", "yourpassword", "yoursecret", "yourtoken", "yourapikey", "changemeplease",
                      "examplepassword", "dummypassword"}  # dummy words longer than ten letters, exactly


def structural(value: str) -> bool:
    """A path, a flag, a distinguished name, a format, a boolean word or a phrase naming a token: never a credential's
    value (a reviewer's leaks, this session: `uid=svc,pwd=...`, `aB3%xY9%qZ!`, `/s3cr3t/Pa55.w0rd` stay secrets)."""
    if _ARMOUR.fullmatch(value):
        return True  # `-----END` of a PEM line after `v==` (Gokapi's docs key, round 54): the armour, not the key
    if value in BOOLEAN_WORDS or len(_FORMAT.findall(value)) >= 2 and not re.search(r"[A-Za-z0-9]{3,}", _FORMAT.sub(" ", value)):
        return True
    if _PHRASE.match(value) and _KIND & set(re.split(r"[-_]", value)):
        return classify_one(value)["class"] != "weak"
    return bool(_NOT_A_VALUE.match(value)) and not re.search(r"[A-Za-z0-9+]{20,}", value)


# a literal given to a secret-named key or argument: app.config['SECRET_KEY'] = 'aaaaaaa',
# os.environ.get("DB_PASSWORD", "hunter2hunter"), {"api_key": "k3y"} - detect-secrets skips the low-entropy and
# call forms, and a weak key is still the application's key
_SECRET_NAME = (r"""(?:pass(?:wd|word|phrase)?|pwd|secret|token|api[-_]?key|apikey|private[-_]?key|credentials?)"""
                r"""(?:[_\-.]?(?:key|value|str|string|text|\d+))?""")
_VALUE = r"""\s*(?P<q>["'`])(?P<v>[^"'`\s]{4,200})(?P=q)"""
# an assignment or a mapping entry (PASSWORD = '...', 'api_key': '...'), or a call whose first argument is the
# name (getenv('DB_PASSWORD', '...')); not any literal after a word with "pass" in it ("pass1", "mail@x")
_KEYED = (re.compile(rf"""(?i){_SECRET_NAME}["'`\]]{{0,2}}\s*(?:=|:|=>|:=){_VALUE}"""),
          re.compile(rf"""(?i)\(\s*["'`][\w.-]*?{_SECRET_NAME}["'`]\s*,{_VALUE}"""),
          # a Kubernetes env entry, `- name: MYSQL_ROOT_PASSWORD` then `value: "mysql"` (the attack on 218b6ed: never
          # learnt, so the manifest's password showed in every prompt that quoted it)
          re.compile(rf"""(?im)\bname:[ \t]*["']?[\w.-]*?{_SECRET_NAME}["']?[ \t]*\r?\n[ \t]*value:[ \t]*(?P<q>["'`]?)"""
                     r"""(?P<v>[^"'`\s]{4,200})(?P=q)[ \t]*$"""))


def keyed_values(text: str) -> list[str]:
    """Literals given to a secret-named key or argument: whatever they look like, except what code is made of
    (a dotted name, a template, an environment variable's name, an algorithm, an HTTP method)."""
    out = []
    for m in (m for pattern in _KEYED for m in pattern.finditer(text)):
        line_start = text.rfind("\n", 0, m.start()) + 1
        if text[m.start()] != "(" and re.match(r"\w", text[m.start() - 1:m.start()] or " ") and not re.match(r"[_\-.]", text[m.start() - 1]):
            continue  # the name only ends in the word (bypass = 'x', mytoken is fine: _ . - separate it)
        v = m.group("v")
        code = (_DOTTED.match(v) or _TEMPLATE.match(v) or _TEMPLATES_IN.search(v) or _PINNED.match(v) or _ENV_NAME.match(v)
                or structural(v))
        if not (code or _ALGORITHM.match(v) or v.upper() in _HTTP or _MARKER.search(v) or v in REDACTED_WORDS
                or _NAME_KEY_BEFORE.search(text[line_start:m.start("q")])
                or _BANDIT_WORDING.search(text[max(line_start, m.start() - 40):m.start("q") + 1])):  # Bandit's issue text
            out.append(v)
    return out


# a UI translation catalogue: locales/nl.json, i18n/de.yml, public/language/da/register.json, messages.po
_LOCALE_DIRS = {"lang", "langs", "language", "languages", "locale", "locales", "i18n", "intl", "l10n", "translations",
                "translation", "messages", "strings"}  # audiobookshelf's client/strings/hr.json (round 52)
# Symfony names a catalogue <domain>.<locale>.<format> (translations/messages.gl.yml, CraueConfigBundle.fa.yml: set 45)
_LOCALE_FILE = re.compile(r"(?i)^(?:[\w+-]+\.)?(?:[a-z]{2,3}(?:[-_][A-Za-z]{2,4})?|messages|translations?|strings)"
                          r"\.(?:json|ya?ml|po|properties|arb|xlf|xliff)$")
_UI_WORDS = re.compile(r"[^\W\d_]+(?:[ '’-]{1,2}[^\W\d_]+){0,7}[.!?:]?")
_UI_TOKEN = re.compile(r"[(«\"“„]?[^\W\d_]+(?:['’-][^\W\d_]+)*[)»\"”,;:.!?…]{0,2}")  # one word of a sentence


def translation_catalogue(path: str | None) -> bool:
    """Whether ``path`` is a UI translation file: a locale's catalogue in a locale folder."""
    if not path:
        return False
    from pathlib import PurePosixPath

    p = PurePosixPath(path)
    by_locale = bool(re.fullmatch(r"[a-z]{2,3}(?:[-_][A-Za-z]{2,4})?", p.parent.name)) and p.suffix.lower() in (
        ".json", ".yml", ".yaml", ".po", ".php", ".properties")  # PHP arrays: FreshRSS' app/i18n/pl/conf.php (set 49)
    return bool(_LOCALE_FILE.match(p.name) or by_locale) and bool({d.lower() for d in p.parts[:-1]} & _LOCALE_DIRS)


def ui_words(value: str) -> bool:
    """Words a person reads ("API-sleutel", "Toegangstoken", "Clé d'accès"): letters, spaces, hyphens and apostrophes
    only, no digit - what a translation catalogue holds; a key or token has digits or symbols."""
    if len(value) <= 80 and _UI_WORDS.fullmatch(value):
        return True
    words = value.split()  # a sentence: memos' hr.json "Zahtijevajte od korisnika da se prijave ... lozinkom." (round 47):
    return 4 <= len(words) <= 60 and len(value) <= 400 and value[0].isupper() and value.rstrip()[-1] in ".!?…:" and all(
        _UI_TOKEN.fullmatch(w) and len(w) <= 24 and (sum(c.isupper() for c in w) <= 1 or w.isupper() and len(w) <= 5)
        for w in words)  # a capital, a full stop, no random-case word (a passphrase or a password in prose stays secret)


_BEGIN = re.compile(r"-----BEGIN[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----")
_END = re.compile(r"-----END[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----")
BARE_HEADER = re.compile(r"[\"'`]?-----(?:BEGIN|END)[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----[\"'`,;]*")  # a line, no key
_HEADER_ONLY = re.compile(r"-----BEGIN[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----[\"'`]")  # the string closes right after it


def private_key_rule(rule_id: object, title: object = "") -> bool:
    """A rule that flags a private key block (gitleaks' private-key, Semgrep's detected-private-key)."""
    return bool(re.search(r"(?i)private[-_ ]?key", f"{rule_id} {title}"))


def key_block_lines(lines: list[str], start: int, end: int) -> set[int] | None:
    """For a private-key rule's span: the line numbers of ``start``..``end`` that can hold key material, or None when
    the span holds no BEGIN line or none but header-only dummies is beside an unclosed one.  A private-key match runs
    from a header to the next ``KEY-----`` anywhere: outline's test file has five header-only dummies (``"-----BEGIN
    RSA PRIVATE KEY-----"``, the string closing at once) and the match spanned 55 lines of test titles and paths,
    every literal of which was then taken for the secret (set 37's grade: over-redaction).  A block's lines from BEGIN
    to END are kept, and a BEGIN that is not closed in the span keeps every line after it (the key runs on)."""
    span = list(enumerate(lines[max(start, 1) - 1:end], max(start, 1)))
    if not any(_BEGIN.search(text) for _, text in span):
        return None
    keep: set[int] = set()
    opened = None
    for n, text in span:
        begin, close = _BEGIN.search(text), _END.search(text)
        if begin and close and close.start() > begin.start():
            keep.add(n)  # BEGIN ... END on one line (a key with `\n` escapes)
        elif begin and not _HEADER_ONLY.search(text):
            opened = n if opened is None else opened
        elif close and opened is not None:
            keep.update(range(opened, n + 1))
            opened = None
    if opened is not None:
        keep.update(range(opened, max(start, 1) + len(span)))
    return keep


# the keys that name things, not secrets: a plain word given to one of them elsewhere in the text is a name
_NAMING_KEY = (r"(?:user(?:name)?|db|database|db_?name|name|host(?:name)?|schema|owner|login|role|account|bucket|"
               r"project|app(?:_?name)?|service|container|image|namespace)")


def named_elsewhere(value: str, text: str) -> bool:
    """A plain word that the same text also gives to a key that names something (listmonk's install docs:
    ``user = "listmonk"``, ``password = "listmonk"``, ``database = "listmonk"``: set 39): the project's own name as
    its documented default, and redacting it would replace the user and the database too."""
    if not re.fullmatch(r"[a-z][a-z0-9_-]{2,19}", value):  # a lowercase name (listmonk, listmonk-dev), no key's mix
        return False
    return bool(re.search(rf"""(?im)(?:^|[\s{{,(])["']?{_NAMING_KEY}["']?\s*(?:=|:|=>)\s*(["']?){re.escape(value)}\1"""
                          rf"""\s*(?:$|[,;}})]|#)""", text + "\n"))  # the whole value, not a name's first word


SECRETISH_NAME = re.compile(r"(?i)secret|token|passw|pwd|key|cred|auth|session|nonce|otp|signature")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)


def id_valued(value: str, text: str) -> bool:
    """A UUID given to a key or attribute named for an id (`client_conn.id = "0a8833da-..."`: mitmproxy's test-flow
    generator, set 39): a record's identifier, not a secret, whatever rule flagged it."""
    m = re.search(rf"""(?i)([\w.-]*)["'\]]?\s*(?:=|:)\s*["'`]{re.escape(value.strip())}""", text)
    return bool(_UUID.fullmatch(value.strip())) and bool(m) and bool(re.search(r"(?i)(?:^|[._-])(?:id|uuid|guid)$", m.group(1))) \
        and not SECRETISH_NAME.search(m.group(1))  # Vault's `secret_id` is the credential (the review)
