"""What kind of value a secret finding flagged, decided at parse time, before the value is redacted.

Triage (tasks/triage/context.py) must tell AWS's documented example key or a ``changeme`` placeholder from a real
credential, but the parsers replace the value by a marker before anything is written.  So the parser asks this module
first and keeps only a class and two numbers, never the value or a part of it (``entropy`` is re-exported):

``{"class": "empty" | "message" | "example" | "placeholder" | "code-word" | "weak" | "uuid" | "hash" | "plain-word" |
"low-entropy" | "key-header" | "high-entropy" | "redacted-by-tool", "entropy": bits per character (1 decimal),
"length": characters, "match": which documented value or placeholder form, or null}``

``example`` values are the ones vendors publish in their documentation (AWS's ``AKIAIOSFODNN7EXAMPLE`` and its
secret key, Stripe's and GitHub's test forms); ``placeholder`` is a template to fill in (``<your-token>``, ``xxxx``,
``changeme``, ``${VAR}``); ``code-word`` a protocol keyword (Bandit B105 on ``'POST'`` or ``'refresh'``); ``weak`` a
guessable value people pick (``secret``, ``password123``, ``demo1234``): a real but weak credential where it is used,
not a placeholder; ``uuid`` the form of a record id (random, but what it identifies decides); ``hash`` a stored
password hash (a hex digest, bcrypt/argon2/PBKDF2), only for password rules; ``plain-word`` letters only, which may
still be a weak password; ``low-entropy`` a value too regular to be a generated credential; ``empty`` a literal in the
code that holds nothing or one character (``password = ''``), and ``message`` text written for a person: a one-word UI
status (``'Updated.'``) or a sentence (``'Password is incorrect.'``); a passphrase (``correct horse battery staple``) is none.
"""

from __future__ import annotations

import re

from tasks.findings.jwt_claims import dead_jwt
from tasks.findings.secret_literals import author
from tasks.findings.secret_formats import (ASSIGNED, CLASS_NAME, algorithm_name, model_name, encoded_pair,  # noqa: F401
                                           encoded_hash, credential_format, entropy, filler, plain_url, url_credential)

# published documentation values: name -> pattern (whole value)
EXAMPLES = {
    "AWS documentation access key id": re.compile(r"^(?:AKIA|ASIA)[A-Z0-9]{0,12}EXAMPLE$"),
    "AWS documentation secret key": re.compile(r"^wJalrXUtnFEMI/K7MDENG/bPxRfiCY[A-Za-z0-9/+]*$"),
    "value marked EXAMPLE": re.compile(r"(?i)^.*example.*$"),
    "Stripe test key": re.compile(r"^(?:sk|pk|rk)_test_[A-Za-z0-9]+$"),
    "jwt.io's sample token (sub 1234567890, name John Doe)": re.compile(  # its two published payloads, whole
        r"^eyJ[A-Za-z0-9_-]+\.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwi"
        r"(?:aWF0IjoxNTE2MjM5MDIyfQ|YWRtaW4iOnRydWUsImlhdCI6MTUxNjIzOTAyMn0)\.[A-Za-z0-9_-]*$"),
    "Google's published reCAPTCHA test key": re.compile(r"^6LeIxAcTAAAAA(?:JcZVRqyHh71UMIEGNQ_MXjiZKhI|GG-vFI1TnRWxMZNFuojJ4WifJWe)$"),
    "dummy/fake/sample value": re.compile(r"(?i)dummy|fake|sample|mock|test|foobar"),
}
PLACEHOLDERS = {
    "template marker <...>": re.compile(r"^<[^<>]{1,80}>$|^\[[A-Za-z _-]{1,60}\]$|^\{\{.*\}\}$"),
    "variable reference": re.compile(r"^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$|^%\(?[A-Za-z_]+\)?s?$|^\{[A-Za-z_]+\}$|^process\.env\.|^os\.environ"),
    "repeated character (xxxx, ****, 0000)": re.compile(r"^([xX*0#._-])\1{3,}$|^(?i:x{4,}[-_x]*)$"),
    "placeholder word": re.compile(
        r"(?i)^(?:changeme|change[-_]?me|your[-_]?\w*|replace[-_]?me|todo|tbd|none|null|undefined|insert[-_\w]*here|"
        r"placeholder|redacted|fill[-_]?me[-_]?in|to[-_]?be[-_]?replaced|set[-_]?me)$"),
}
# values people pick as passwords and keys: guessable, so a weak credential (not a placeholder) when it is really used
WEAK = {
    "common password or key word": re.compile(
        r"(?i)^(?:password\d*|passw0rd|p@ssw0rd|pass(?:word)?123|secret\d*|mysecret|supersecret|my[-_]?\w*(?:key|token|secret|password)|"
        r"admin\d*|root|guest|default|12345+|123456789|qwerty\d*|letmein|abc123|iloveyou|welcome\d*|monkey|dragon|"
        r"secret[-_]?key|api[-_]?key|token|keyboard cat|s3cr3t|hunter2)$"),
    "one character repeated": re.compile(r"^(.)\1{3,}$"),
    # 'this_is_a_secret_abc123': a sentence saying what it is, typed by a person (a test's, or a guessable real key)
    "a sentence saying what it is": re.compile(r"(?i)^this[-_ ]is[-_ ](?:a|an|my|the|not|our|just)[-_ ]"),
    "words and digits joined by - or _": re.compile(  # orig-pass-12345, my_postgres1
        r"^[a-z]{2,10}(?:[-_][a-z]{2,10}){0,3}[-_]\d{1,6}$|^[a-z]{2,10}(?:[-_][a-z]{2,10}){1,3}\d{1,6}$"),
    # 'avoidPlaintextPasswords1': three or more words, one of them "password", then digits (a subset of the next
    # entry, so nothing more is weak: only the words differ; 'valid_jwt_token' stays a program's name)
    "a phrase naming itself a password": re.compile(
        r"^(?=.*[Pp]assw)[A-Za-z][a-z]+(?:[A-Z][a-z]+){2,}\d{1,6}[!.?]?$"),
    "a word followed by digits": re.compile(r"^(?:[A-Z]?[a-z]{2,6}|(?i:[a-z]*(?:qwert[yz]|azerty|passw|summer|winter|spring|"
                                            r"autumn|welcome|hello|master|shadow|sunshine)[a-z]*))[0-9]{1,6}[!.?]?$"),
}
# stored password hashes: a digest of hex digits, or a crypt/bcrypt/argon2/pbkdf2/Django hash string
HASHES = {
    "a hex digest": re.compile(r"^(?:[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64}|[0-9a-f]{128}|[0-9A-F]{32}|[0-9A-F]{40}|[0-9A-F]{64}"
                               r"|[0-9A-F]{128})$"),
    "a bcrypt hash": re.compile(r"^\$2[abxy]?\$\d{2}\$[./A-Za-z0-9]{53}$"),
    "an argon2 hash": re.compile(r"^\$argon2(?:id|i|d)\$v=\d+\$"),
    "a PBKDF2 hash": re.compile(r"^(?:pbkdf2[_:-]?sha\d+\$\d+\$|\$pbkdf2(?:-sha\d+)?\$\d+\$)"),
    "a crypt(3) hash": re.compile(r"^\$[156y]\$[./A-Za-z0-9]{1,16}\$[./A-Za-z0-9]{22,86}$"),
    "a Django password hash": re.compile(r"^(?:sha1|md5|bcrypt(?:_sha256)?|scrypt)\$[^$\s]*\$[A-Za-z0-9+/=.]{20,}$"),
}
_PASSWORD_RULE = re.compile(r"(?i)^B10[567]$|passw|pwd|hard-?coded[-_.]?(?:secret|credential)|bcrypt|argon2")


def password_rule(rule: str | None) -> bool:
    """Bandit's hardcoded-password tests and rules that name a password (not generic API-key rules, where hex is common)."""
    return bool(_PASSWORD_RULE.search(str(rule or "").strip()))
# literals secret rules match by variable name that are protocol words, not credentials (Bandit B105 on
# token_type = 'refresh', method = 'POST')
CODE_WORDS = {"get", "post", "put", "patch", "delete", "head", "options", "bearer", "basic", "digest", "refresh",
              "access", "refresh_token", "access_token", "id_token", "client_credentials", "authorization_code",
              "implicit", "password_reset", "token_type", "grant_type", "authorization", "x-api-key", "api-key",
              "utf-8", "utf8", "ascii", "json", "jwt", "hs256", "rs256", "sha256", "md5", "true", "false", "yes", "no",
              "sha1", "sha384", "sha512", "hs384", "hs512", "rs384", "rs512", "es256", "ps256", "base64", "oauth2", "http2"}
TOOL_REDACTED = {"", "REDACTED", "*****", "****", "***"}
# a value the tool masked in part (Checkov prints ``T2kV**********``): its stars are the tool's, not the value's
_MASKED = re.compile(r"\*{3,}|•{3,}|\[(?:REDACTED|MASKED)\]", re.I)


def masked(value: str) -> bool:
    """Is ``value`` (partly) masked by the tool?  Then its shape says nothing about the real value:
    never judged for entropy, repetition or placeholder form."""
    return bool(_MASKED.search(str(value or "")))
# the values vendors print in their documentation: a copy with a few characters changed (a tutorial's
# AKIAIOSFODNN7EXAMAAA) is still the example, not a key the issuer generated
DOCUMENTED = [  # (what it is, the documented value); the evidence names the first, never a value
    ("AWS's documented example access key id", "AKIAIOSFODNN7EXAMPLE"), ("AWS's documented example access key id", "AKIAI44QH8DHBEXAMPLE"),
    ("AWS's documented example secret access key", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
    ("AWS's documented example secret access key", "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY"),
    ("the OAuth 2.0 RFCs' example bearer token (RFC 6750, 7662)", "mF_9.B5f-4.1JqM"),  # django-oauth-toolkit (set 56)
    ("RFC 6749's example access token", "2YotnFZFEjr1zCsicMWpAA"), ("RFC 6749's example refresh token", "tGzv3JOkF0XG5Qx2TlKWIA"), ("RFC 6749's example client secret", "7Fjfp0ZBr1KtDRbnfVdmIw")]
# a template or a filler inside a longer value ("Bearer ${TOKEN}", "sk_live_<your-key>", "ghp_xxxx…")
_EMBEDDED = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_.]*\}|\{\{[^{}]{1,60}\}\}|<[A-Za-z][A-Za-z0-9 _.-]{1,40}>|%\([A-Za-z_]+\)s|"
                       r"(?i:changeme|change[-_]me|placeholder|replace[-_]?me|insert[-_]?your|your[-_]?(?:api[-_]?)?"
                       r"(?:key|token|secret|password))|xxxx|XXXX")
WORDS = "words of letters joined by spaces or hyphens"  # varied, so high-entropy, yet no random string


def _documented_variant(value: str) -> str | None:
    """Which documented example the value is an altered copy of: the same length with at most a quarter
    of the characters changed, or the example's first 13 characters kept; also a value with the
    EXAMPLE marker cut short (EXAMP)."""
    for name, doc in DOCUMENTED:
        if len(value) == len(doc):
            diff = sum(a != b for a, b in zip(value, doc))
            if diff <= len(doc) // 4:  # the value itself when none differs (set 56: RFC 6750's bearer token)
                return name if not diff else f"probably an altered copy of {name} ({diff} of {len(doc)} characters differ)"
        if len(value) >= 13 and value[:13] == doc[:13]:
            return f"probably an altered copy of {name} (its first 13 characters)"
    if "EXAMP" in value:
        return "a value marked EXAMP(LE), the documentation marker cut short"
    return None


# text for a person: a status word with its full stop ('Updated.', 'Saved!') or a sentence of plain words
_STATUS = re.compile(r"^[A-Z]?[a-z]{2,20}[.!]$")
_UI_WORDS = re.compile(r"(?i)\b(?:successfully|failed|could not|couldn't|is required|are required|invalid|please|try again"
                       r"|not found|has been|have been|does not match|do not match|incorrect|error|must be)\b")
_L = r"(?:[^\W\d_]|['’,-])"  # a letter of any script (gogs's pl-PL.json: 'Potrzebujesz konta? Zarejestruj się teraz.')
_SENTENCE = re.compile(rf"^[^\W\d_]{_L}*(?:[.!?]? {_L}+|[ ]?[:;-] ?{_L}+){{1,40}}[.!?…]$")


def message_shape(value: str) -> str | None:
    """Why ``value`` reads as a message for a person (a UI status, a sentence, UI words: 'Password Reset Successfully')."""
    if _STATUS.match(value):  # 'Welcome!', 'Secret.': a weak password with a mark, not a status
        word = value[:-1]
        if any(p.match(word) for p in WEAK.values()) or re.search(r"(?i)pass|secret|key|token|admin|root|login", word):
            return None
        return "a one-word status message with its punctuation"
    if _SENTENCE.match(value) and (value.count(" ") >= 2 or value[0].isupper()):  # 'pass word.' may be a passphrase
        return f"a sentence of {value.count(' ') + 1} words ending in {value[-1]!r}"
    words = value.split()
    if len(words) >= 3 and all(re.fullmatch(r"[A-Za-z'’,]+", w) for w in words) and _UI_WORDS.search(value):
        return f"a message of {len(words)} words ('{_UI_WORDS.search(value).group(0)}')"  # 'Password Reset Successfully'
    return None


def classify_one(value: str, for_password: bool = False, from_code: bool = False) -> dict:
    """The class of one value; ``for_password``: the rule is about passwords, so a digest is a stored hash;
    ``from_code``: the value is a literal read from the code, so an empty one is empty, not redacted by the tool."""
    raw = str(value or "")
    if from_code and len(raw.strip()) <= 1:
        what = "an empty string" if not raw else "a single space" if raw == " " else "whitespace only" if not raw.strip() else "a single character"
        return {"class": "empty", "entropy": 0.0, "length": len(raw.strip()), "match": what}
    value = raw.strip().strip("'\"`")
    value = ASSIGNED.match(value).group(2) if ASSIGNED.match(value) else value  # the literal of a flagged assignment
    if value in TOOL_REDACTED or set(value) <= {"*"} or masked(value):
        return {"class": "redacted-by-tool", "entropy": 0.0, "length": 0,
                "match": "masked by the tool" if masked(value) and set(value) - {"*"} else None}
    address = plain_url(value)
    if address:
        return {"class": "url", "entropy": round(entropy(value), 1), "length": len(value), "match": address}
    in_url = url_credential(value, lambda v: classify_one(v, for_password=True, from_code=from_code))
    if in_url and in_url["class"] != "code-word":  # the password alone is the secret (set 31); never a "name" there
        return in_url
    hashed = encoded_hash(value)
    if hashed:  # gatus' password-bcrypt-base64 (round 46)
        return {"class": "hash", "entropy": round(entropy(value), 1), "length": len(value), "match": hashed}
    in_pair = encoded_pair(value, lambda v: classify_one(v, for_password=True, from_code=from_code))
    if in_pair:  # ntfy's documented Basic header for testuser:fakepassword (set 41)
        return in_pair
    message = message_shape(value) or ("a person's name and e-mail address (an author line)" if author(value) else None)
    if message:
        return {"class": "message", "entropy": round(entropy(value), 1), "length": len(value), "match": message}
    bits = round(entropy(value), 1)
    out = {"entropy": bits, "length": len(value), "match": None}
    if re.fullmatch(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----", value):  # the key follows it in the file
        return out | {"class": "key-header", "match": "a PEM private-key header; the key follows it in the file"}
    if len(value) >= 6 and "-----BEGIN ".startswith(value):  # Semgrep's private-key rule reports `-----BEG` (set 35)
        return out | {"class": "key-header", "match": "the start of a PEM header, as the scanner cut it"}
    for name, pattern in HASHES.items() if for_password else ():
        if pattern.match(value):
            what = f"{name} of {len(value)} hex digits" if name == "a hex digest" else name
            return out | {"class": "hash", "match": what}
    expired = dead_jwt(value)
    if expired:
        return out | {"class": "expired", "match": expired}
    for name, pattern in EXAMPLES.items():
        hit = pattern.search(value) if name == "dummy/fake/sample value" else pattern.match(value)
        if hit and (name != "dummy/fake/sample value" or bits < 3.6):  # which word, not the list (set 28's graders)
            return out | {"class": "example", "match": name if name != "dummy/fake/sample value" else f"{name}: {hit.group(0).lower()}"}
    for name, pattern in PLACEHOLDERS.items():
        if pattern.match(value):
            return out | {"class": "placeholder", "match": name}
    if value in BOOLEAN_WORDS:  # Bandit quotes a boolean it took for a password (under a password-like name)
        return out | {"class": "code-word", "match": f"{value}, a boolean or null constant (Bandit quotes the value it took)"}
    if model_name(value) and not for_password:  # Flowise's "claude-opus-4-7" in a doc comment (round 45)
        return out | {"class": "code-word", "match": f"an AI model's published name (`{value}`), which code selects a model by"}
    php_class = bool(CLASS_NAME.match(value)) and (not for_password or bool(re.fullmatch(  # kimai (set 40); a password
        r"(?:[a-z_]+\.){3,8}(?:[A-Z][a-z]*){2,}[A-Z]?|(?=(?:\w+\.)*(?:tests?|apps?|api|core|\w*_\w*)\.)(?:[a-z_]\w*\.){2,8}[A-Z]"
        r"\w*(?:Serializer|Backend|Middleware|Form|View|Model|Field|Storage|Loader|Hasher|Validator|Permission)", value)))  # a
    # deep path of a CamelCase class (set 55), or one whose class says what it is (dj-rest-auth's serializer, round 68)
    if value.lower() in CODE_WORDS or _HASH_SCHEME.match(value) or algorithm_name(value) or php_class:  # 'hs256', a
        # password-hashing scheme's name ('pbkdf2_sha512', pgadmin's SECURITY_PASSWORD_HASH: set 23), a PHP class
        what = ("a key algorithm or curve name" if algorithm_name(value) else "a namespaced class name (a dotted or backslashed path ending in a class)" if php_class
                else "a yes/no word" if value.lower() in ("yes", "no") else "a protocol or API keyword")
        return out | {"class": "code-word", "match": what}
    for name, pattern in WEAK.items():
        if pattern.match(value):
            return out | {"class": "weak", "match": name}
    variant = _documented_variant(value)
    if variant:
        return out | {"class": "example", "match": variant}
    typed = filler(value)
    if typed:
        return out | {"class": "placeholder", "match": typed}
    told = _told(value)
    if told:
        return out | {"class": "placeholder", "match": told}
    if _EMBEDDED.search(value):
        return out | {"class": "placeholder", "match": "a template variable or placeholder word inside the value"}
    if re.fullmatch(rf"{_WORD}(?:[-_ ]{_WORD}){{0,3}}|[A-Z]?[a-z]+(?:[A-Z][a-z]+){{1,4}}", value) and len(value) <= 24:
        return out | {"class": "plain-word"}
    if re.fullmatch(r"[a-z]{2,}(?:_[a-z]{2,}){2,7}", value):  # 'trigger_command_not_found' (set 27, elided as '…')
        return out | {"class": "plain-word", "match": f"{value.count('_') + 1} words joined by _, an identifier's shape"}
    if re.fullmatch(r"[^\W\d_]+(?: [^\W\d_]+){1,5}", value) and value == value.lower() and len(value) <= 40:
        return out | {"class": "plain-word", "match": f"a phrase of {value.count(' ') + 1} words"}  # 'password with ümläutß'
    if re.fullmatch(r"(?:/[\w.-]+){2,}/?", value) and not re.search(r"[A-Za-z0-9+]{20,}", value) or _RELATIVE.fullmatch(value):
        return out | {"class": "url", "match": "a file path, not a secret's value"}  # '/var/run/secrets/tokens/oidc' (set 23)
    if _UUID.fullmatch(value):  # random, but the form of a record id: what decides is what it identifies
        return out | {"class": "uuid", "match": "a UUID"}
    if bits < 3.0 or len(set(value)) < 6 or len(value) < 8:
        return out | {"class": "low-entropy"}
    if re.fullmatch(r"[^\W\d_]+(?:[ '’-]+[^\W\d_]+)+", value):  # 'RSS-Bridge-Authentifizierungs-Token' (set 32)
        return out | {"class": "high-entropy", "match": WORDS}
    return out | {"class": "high-entropy"}


def _told(value: str) -> str | None:
    """An instruction written as one CamelCase word, which a generated key never is: terraform-aws-ecr's example token
    (set 26) tells the reader not to store it in plain text; a passphrase of words ("CorrectHorseBatteryStaple") says
    nothing about itself and stays a value."""
    words = [w.lower() for w in re.findall(r"[A-Z][a-z]+", value)]
    if not re.fullmatch(r"(?:[A-Z][a-z]+){4,12}", value):
        return None
    said = set(words)
    if said & {"replace", "insert", "enter", "your", "yours"} or {"should", "not"} <= said or {"plain", "text"} <= said \
            or {"do", "not"} <= said and said & {"use", "commit", "store", "share"}:
        return f"an instruction to the reader written as one word ({len(words)} words), not a generated value"
    return None


# a relative file path in lower case with an extension: 'source/rbac/generate-scope-table.py' (set 26, elided)
_RELATIVE = re.compile(r"(?:\.{1,2}/)?(?:[a-z0-9_][a-z0-9_.-]*/)+[a-z0-9_][a-z0-9_.-]*\.[a-z]{1,5}")
BOOLEAN_WORDS = {"True", "False", "None", "true", "false", "null", "none"}  # no secret's value (secret_keys too)
_HASH_SCHEME = re.compile(r"(?i)^(?:pbkdf2(?:[_-]sha(?:1|256|512))?|bcrypt(?:_sha256)?|argon2(?:id|i|d)?|scrypt|"
                          r"(?:sha256|sha512|md5|des|bsdi)_crypt|django_pbkdf2_sha256|plaintext)$")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_WORD = r"(?:[A-Z]?[a-z]+(?:[A-Z][a-z]+){0,3}|[A-Z]{1,12})"  # a word as people write it (password, SuperSecret, ADMIN), not random case
_NAMES = {"password", "passwd", "pwd", "secret", "secret_key", "secretkey", "api_key", "apikey", "token", "auth_token",
          "jwt_secret", "session_secret", "private_key", "credentials", "pass"}


def _is_name(value: str) -> bool:
    """A literal that names a secret (a dict key: SECRET_KEY, 'password'), beside the literal that is its value."""
    v = str(value).strip().strip("'\"`")
    return bool(re.fullmatch(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+", v)) or v.lower() in _NAMES or bool(
        re.fullmatch(r"[a-z][a-z0-9]*(?:_[a-z0-9]+){1,}", v) and re.search(r"token|passw|secret|key|cred", v))  # token_budget_month,
    # confirm_password beside its value "newpassword123" (openwisp's API docs, set 27: the key's length was given)


_RANK = {"name": 5.5, "empty": 4, "message": 4, "url": 4, "expired": 5, "key-header": 0, "high-entropy": 0, "hash": 0.5, "weak": 1, "uuid": 1, "plain-word": 1, "low-entropy": 2, "code-word": 3, "placeholder": 4, "example": 5, "redacted-by-tool": 6}


def classify(values, rule: str | None = None, from_code: bool = False) -> dict | None:
    """The evidence for the flagged values: the most credential-like one decides (a high-entropy value
    beside a placeholder keeps the finding real).  None when there is no value at all.  With the
    rule id, ``format`` says whether the value has the shape its issuer gives that credential
    (an "AWS access key" of 15 letters is test data)."""
    pairs = [(classify_one(v, password_rule(rule), from_code), v) for v in values if isinstance(v, str)]
    if any(not _is_name(v) for _, v in pairs) or all(re.fullmatch(r"[a-z][a-z0-9]*(?:_[a-z0-9]+){2,}", v) for _, v in pairs):
        pairs = [({**e, "class": "name"} if _is_name(v) and e["class"] not in ("placeholder", "example")
                  and e.get("match") != "a sentence saying what it is" else e, v) for e, v in pairs]
    real = [p for p in pairs if p[0]["class"] != "redacted-by-tool"]
    if not pairs:
        return None
    cut = [p for p in pairs if p[0]["class"] == "redacted-by-tool" and p[0].get("match") == "masked by the tool"]
    if cut:  # Checkov's "OneCh**********" is the value it flagged; the line's other strings are its key and context
        return cut[0][0] | {"format": None}
    evidence, value = min(real or pairs, key=lambda p: (_RANK[p[0]["class"]], -p[0]["entropy"]))
    kind, fits = credential_format(rule, value, evidence["class"]) if evidence["class"] not in ("redacted-by-tool", "empty") else (None, None)
    return evidence | {"format": None if kind is None else f"{'fits' if fits else 'does not fit'} the {kind} format"}
