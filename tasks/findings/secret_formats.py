"""Whether a flagged value has the shape the rule looks for: an issuer's format (an "AWS access key" of 15 letters
is test data), or, for a rule that looks for randomness, any randomness at all.

Why a module of its own: the format table grows with every issuer a rule names, and the classifier
(tasks.findings.secret_evidence) only asks one question of it.
"""

from __future__ import annotations

import math
import re
from collections import Counter

FORMATS = {
    "aws access key id": (re.compile(r"^(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}$"), ("aws-access-token", "aws access key", "aws-access-key-id")),
    "GitHub token": (re.compile(r"^(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,}$|^github_pat_[A-Za-z0-9_]{22,}$"), ("github-pat", "github-oauth", "github-app-token", "github-fine-grained-pat")),
    "Slack token": (re.compile(r"^xox[abposr]-[A-Za-z0-9-]{10,}$"), ("slack-access-token", "slack-bot-token", "slack-user-token")),
    "Stripe key": (re.compile(r"^(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,}$"), ("stripe-access-token",)),
}


# rules that look for randomness, not for one issuer's format (Checkov's CKV_SECRET_6/19 are detect-secrets' plugins)
_ENTROPY_RULES = {"ckv_secret_6", "ckv_secret_19", "base64highentropystring", "hexhighentropystring"}
# a namespaced PHP class (App\API\Authentication\AccessTokenHandler): a name the framework resolves, never a secret
CLASS_NAME = re.compile(r"^\\?(?:[A-Z][A-Za-z]+\\){2,8}[A-Z](?=[A-Za-z]*[a-z])[A-Za-z]*$|^(?:[a-z_]+\.){2,8}[A-Z](?=[A-Za-z]*[a-z])[A-Za-z]*$")  # letters only: `Kx9\Pq7\Zr4m` is none


def credential_format(rule: str | None, value: str, cls: str = "") -> tuple[str | None, bool | None]:
    """(credential type, whether the value fits its issuer's format) for rules that name one type; for an entropy
    rule, whether the value is random at all (a coin's name in a JSON map is a word)."""
    rule = (rule or "").strip().lower()
    if rule in _ENTROPY_RULES:  # a random value claims no issuer's format: only a word is told apart
        return ("high-entropy string", False) if cls in ("plain-word", "low-entropy") else (None, None)
    for name, (pattern, rules) in FORMATS.items():
        if rule in rules:
            return name, bool(pattern.match(value.strip().strip("'\"`")))
    return None, None


def issuer_values(rule: str | None, text: str | None) -> list[str]:
    """The values of ``text`` in the format of the issuer the rule names: Semgrep's aws-access-token on a long line of
    a sample event (`"eTag":"ASIAI44QH8DHBEXAMPLE"` inside an escaped JSON message) flags that key, not the line's
    first literal (`"Message"`, which was weighed as a 7-letter word: set 42)."""
    name = (rule or "").strip().lower().rsplit(".", 1)[-1]
    for pattern, rules in FORMATS.values():
        if name in rules:
            body = pattern.pattern.strip("^$")
            return list(dict.fromkeys(re.findall(rf"(?<![A-Za-z0-9_])(?:{body})(?![A-Za-z0-9_])", text or "")))[:5]
    return []


_URL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//(?P<host>[^/\s@?#]+)(?P<path>/[^\s?#]*)?(?:\?(?P<query>[^\s#]*))?(?:#\S*)?$", re.I)
# addresses whose path is the credential (incoming webhooks, bot tokens), whatever the path looks like
_WEBHOOK = re.compile(r"(?i)//(?:hooks\.slack\.com/|(?:[\w-]+\.)?discord(?:app)?\.com/api/webhooks/|[\w.-]*webhook\.office\.com/"
                      r"|hooks\.zapier\.com/|maker\.ifttt\.com/|api\.telegram\.org/bot|chat\.googleapis\.com/v1/spaces/)")
_SECRET_PARAM = re.compile(r"(?i)(?:^|&)[\w.-]*(?:key|token|secret|pass|pwd|sig|signature|auth|credential)[\w.-]*=")


def plain_url(value: str) -> str | None:
    """``"a URL with no credential in it"`` for an address that carries none: no user:password before the host, no
    query parameter named for a key or token, no long random path segment (a Slack webhook's path is its secret);
    None otherwise.  An OpenAPI document's code sample (``requests.get('http://localhost:5000/api/v1/watch')``)
    was read as a 42-character credential (held-out set 21)."""
    m = _URL.match(value.strip())
    if not m or _SECRET_PARAM.search(m.group("query") or "") or _WEBHOOK.search(value):
        return None
    if any(_random_segment(seg) for seg in (m.group("path") or "").split("/")):
        return None
    return f"a URL with no credential in it ({m.group('host')[:60]})"


_USERINFO = re.compile(r"^(?P<scheme>[a-z][a-z0-9+.-]*)://(?P<user>[^:/\s@]*):(?P<password>[^@/\s]+)@(?P<host>[^/\s?#]+)", re.I)
_ALL_CAPS = re.compile(r"^[A-Z][A-Z_]{2,}$")


# how a password found inside a URL is described (the value itself is never shown)
_IN_URL_TEXT = {"plain-word": "a plain word ({length} characters, {entropy} bits/char)",
                "low-entropy": "a low-entropy value ({length} characters, {entropy} bits/char)",
                "weak": "a weak, guessable value ({match})", "example": "a documented example value ({match})",
                "placeholder": "a placeholder ({match})"}


def url_credential(value: str, classify) -> dict | None:
    """The evidence for a connection URL that carries a password (``postgres://user:pass@host/db``), judged on the
    password alone (the address around it lifts any measure of entropy), or None for any other value.  The
    documented shape ``postgres://USERNAME:PASSWORD@HOST/DBNAME`` is a placeholder; ``classify`` judges a password."""
    m = _USERINFO.match(value.strip())
    if not m:
        return None
    scheme, host, password = m.group("scheme"), m.group("host"), m.group("password")
    if all(_ALL_CAPS.match(part.split(":")[0]) for part in (m.group("user"), password, host)):
        return {"class": "placeholder", "entropy": round(entropy(value), 1), "length": len(value),
                "match": f"the documented shape of a {scheme} URL, every part an upper-case placeholder word"}
    inner = classify(password)
    if inner["class"] not in _IN_URL_TEXT:  # a random password (or a masked one) is judged as itself
        return inner
    what = _IN_URL_TEXT[inner["class"]].format(**inner)
    return inner | {"match": f"the password of a {scheme} URL to {host[:40]}: {what}"}


_B64 = re.compile(r"^(?:Basic\s+)?([A-Za-z0-9+/]{12,}={0,2})$")


def _ascii_b64(data: str) -> str | None:
    """``data`` decoded from standard base64 (padding restored) when it is ASCII text, else None."""
    import base64
    import binascii

    try:
        return base64.b64decode(data + "=" * (-len(data) % 4), validate=True).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None


def encoded_pair(value: str, classify) -> dict | None:
    """A base64 ``user:password`` pair (an HTTP Basic header's value) whose password ``classify`` finds a dummy or a
    placeholder: ntfy's docs encode ``testuser:fakepassword`` (set 41); a random password keeps the value as it was."""
    m = _B64.match(value.strip())
    text = _ascii_b64(m.group(1)) if m else None
    if text is None:
        return None
    if text.startswith("Basic "):  # a header encoded again (a query parameter's `auth=` form)
        return encoded_pair(text, classify)
    pair = re.fullmatch(r"([\w.@+-]{1,40}):([A-Za-z]{3,24})", text)  # a password of letters only: a word, shown
    inner = classify(pair.group(2)) if pair else None
    if not inner or inner["class"] not in ("example", "placeholder"):  # a weak one may be real: never shown
        return None
    return inner | {"match": f"the base64 of the pair `{pair.group(1)}:{pair.group(2)}`, whose password is "
                             f"{inner.get('match') or inner['class']}"}


def encoded_hash(value: str) -> str | None:
    """'the base64 of a bcrypt password hash' when ``value`` decodes to a password hash in a standard format (gatus'
    documented `password-bcrypt-base64`, the hash of its README's example password: round 46), else None."""
    v = value.strip()
    text = _ascii_b64(v) if re.fullmatch(r"[A-Za-z0-9+/]{40,}={0,2}", v) else None
    if text is None or not PASSWORD_HASH.fullmatch(text):
        return None
    kind = "bcrypt" if text.startswith("$2") else "argon2" if text.startswith("$argon2") else "crypt(3)"
    return f"the base64 of a {kind} password hash (what a server stores to check a password, not the password)"


def _random_segment(seg: str) -> bool:
    """A path segment that can be a token (a webhook's secret part): long, varied, and mixing digits with letters
    or cases; words joined by ``_``, ``-`` or ``.`` (``passwordretrieval.html``, ``rakuten_token_exchange``: set 22)
    are not."""
    if len(seg) < 16 or entropy(seg) < 3.0:
        return False
    if re.search(r"[A-Za-z0-9]{20,}", seg):  # one unbroken run this long is no word: a token in any alphabet
        return True
    if re.fullmatch(r"[a-z_.-]+|[A-Z_.-]+", seg):
        return False
    return bool(re.search(r"\d", seg) and re.search(r"[A-Za-z]", seg) or re.search(r"[a-z]", seg) and re.search(r"[A-Z]", seg))


def entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    counts = Counter(value or "")
    return 0.0 if not value else abs(-sum(c / len(value) * math.log2(c / len(value)) for c in counts.values()))


def _run(value: str, step: int) -> int:
    """The longest run of characters that repeat (step 0) or count up (step 1: abcd, 1234, 7890)."""
    best = cur = 1
    for a, b in zip(value, value[1:]):
        nxt = ord(a) + step
        cur = cur + 1 if (ord(b) == nxt or (step and a == "9" and b == "0")) else 1
        best = max(best, cur)
    return best if value else 0


def filler(value: str) -> str | None:
    """A value padded with one repeated character or a counting sequence: typed by hand, not generated."""
    if len(value) < 8:
        return None
    for step, what in ((0, "one character repeated"), (1, "a counting sequence (abcd…, 1234…)")):
        n = _run(value, step)
        if n >= 8 or n * 2 >= len(value) and n >= 6:
            return f"{what}, {n} of {len(value)} characters"
    counted = max((len(m.group(0)) for m in re.finditer(r"\d+", value) if _numbers_count(m.group(0))), default=0)
    letters = max((_run(m.group(0), 1) for m in re.finditer(r"[a-z]+|[A-Z]+", value)), default=0)
    if counted >= 6 and counted + (letters if letters >= 3 else 0) >= 0.75 * len(value):  # '789101112hijk' (set 22)
        return f"a counting sequence (consecutive numbers, abcd…), {counted + (letters if letters >= 3 else 0)} of {len(value)} characters"
    letters = [c for c in value.lower() if c.isalpha()]
    if set(letters) <= set("abcdef"):
        return None  # hex: a, d, f sit on the home row
    for row in ("asdfghjkl", "qwertyuiop", "zxcvbnm"):  # a random letter is on one row about 1 time in 3
        on_row = sum(c in row for c in letters)
        if len(letters) >= 14 and on_row >= 0.94 * len(letters):  # random base36: under 1 in 100,000 (1620bfe's review)
            return f"keys typed along one keyboard row ({on_row} of {len(letters)} letters from {row[:4]}…)"
    return None


def _numbers_count(digits: str) -> bool:
    """``digits`` is consecutive integers written one after another (``789101112``), from its first character."""
    for width in (1, 2, 3):
        n, rest, seen = int(digits[:width] or 0), digits, 0
        while rest.startswith(str(n)):
            rest, n, seen = rest[len(str(n)):], n + 1, seen + 1
        if not rest and seen >= 4:
            return True
    return False


# a key algorithm or elliptic-curve name (lemur's key-type options: 'ECCPRIME256V1', 'RSA2048', round 40's harmful
# row); such a name selects a key type and is never a credential
_ALGORITHM = re.compile(r"(?i)^(?:ecc)?(?:prime|secp|sect|brainpoolp)\d{3}[rkv]\d$|^(?:rsa|dsa)[-_]?\d{3,5}$|"
                        r"^ecdsa(?:[-_]?p\d{3})?$|^(?:ed25519|ed448|x25519|x448)$|^p-?(?:256|384|521)$")
# a flagged region that is a whole assignment (`certificate.keyType = 'ECCPRIME256V1'` in an ng-init): its literal
ASSIGNED = re.compile(r"^[A-Za-z_$][\w.$]*\s*=\s*(['\"])([^'\"]*)\1?;?$")  # the closing quote may be stripped


def algorithm_name(value: str) -> bool:
    """Whether ``value`` names a key algorithm or curve (``ECCPRIME256V1``, ``RSA2048``, ``secp384r1``)."""
    return bool(_ALGORITHM.match(value))


# a generative model's published name (Flowise's doc comment `"claude-opus-4-7"`, round 45's harmful row: "rotated"):
# a model family, then parts joined by - . : / @ that are each a version, a size, a date or a word of model names;
# a password of a family word and a year (`falcon-2024`) or a random tail is none (the review of 750ff3a)
_MODEL = re.compile(r"^(?:[a-z0-9]+\.)?(claude|gpt|chatgpt|o[134]|gemini|gemma|llama|codellama|mistral|mixtral|codestral"
                    r"|ministral|pixtral|qwen|qwq|phi|deepseek|command|text-embedding|text-davinci|davinci|babbage|whisper"
                    r"|dall-e|tts|sonar|grok|titan|nova|jamba|granite|olmo|smollm|falcon|starcoder|voyage)(\d{1,2}(?:\.\d)?)?((?:[-.:/@][a-z0-9]+)+)$")
_MODEL_WORDS = {"opus", "sonnet", "haiku", "instant", "mini", "nano", "turbo", "pro", "flash", "lite", "large", "medium",
                "small", "tiny", "base", "instruct", "it", "chat", "latest", "preview", "exp", "experimental", "embed",
                "embedding", "text", "code", "coder", "vision", "plus", "max", "ultra", "r", "oss", "distill", "reasoner",
                "v", "hf", "gguf", "mlx", "premier", "micro", "express", "lightning", "beta", "alpha", "rc", "audio",
                "realtime", "search", "image", "multimodal", "vl", "math", "thinking", "sft", "dpo", "ada", "davinci"}
_MODEL_PART = re.compile(r"v?\d{1,3}(?:[a-z]|b|k|m)?|\d{6,8}|(?!19|20)\d{4}|\d+x\d+b|[a-z]{1,3}\d{1,3}|\d{1,3}[a-z]{1,2}\d?")


def model_name(value: str) -> bool:
    """Whether ``value`` is a model's published name (``claude-opus-4-7``, ``gpt-4o-mini``, ``anthropic.claude-3-haiku``)."""
    m = _MODEL.match(str(value or "")) if len(str(value or "")) <= 80 else None
    parts = [p for p in re.split(r"[-.:/@]", m.group(3)) if p] if m else []
    return bool(parts) and bool(m.group(2) or any(re.search(r"\d", p) for p in parts)) and all(
        p in _MODEL_WORDS or _MODEL_PART.fullmatch(p) for p in parts)


def code_name(value: str) -> bool:
    """A key algorithm's or a model's name: what code selects by name, never a credential."""
    return algorithm_name(value) or model_name(value)


# a password hash in a standard format (PHC strings, modular crypt, Django's): what a system stores instead of the
# password, not a credential; it stays readable (issue 22: hashes stay; set 39: an argon2 hash in a test was redacted)
PASSWORD_HASH = re.compile(r"(?:\$argon2(?:id|i|d)\$v=\d+\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+"
                           r"|\$2[abxy]?\$\d{2}\$[./A-Za-z0-9]{53}|\$[156]\$(?:rounds=\d+\$)?[./A-Za-z0-9]{1,16}\$[./A-Za-z0-9]{22,86}"
                           r"|(?:pbkdf2_sha(?:1|256)|argon2|bcrypt_sha256)\$[\w$+/=.-]{20,})")


CODE_SUFFIXES = (".py", ".js", ".mjs", ".cjs", ".ts", ".tsx", ".jsx", ".go", ".java", ".kt", ".rb", ".php", ".cs", ".rs",
                 ".swift", ".scala", ".groovy", ".dart", ".c", ".cc", ".cpp", ".h")


# a module's private name (`_jwt_private_pem`); any other word may be a password in a string (b336798's review)
_PROGRAM_NAME = re.compile(r"_[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
_COMMENT_START = re.compile(r"^\s*(?:#|//|/\*|\*|--|;)")


def assigned_variable(value: str, path: str | None, line: str | None = None) -> bool:
    """An unquoted name after ``=`` in a program's code is a variable: wger's ``HEADLESS_JWT_PRIVATE_KEY = _jwt_private_pem``
    (set 44's grader: weighed and redacted as the key).  In a .env or YAML file, a comment or a string (the review of
    9a2f23f) the same text is the value; so is anything but a private name."""
    if not path or not str(path).lower().endswith(CODE_SUFFIXES) or not _PROGRAM_NAME.fullmatch(value):
        return False
    if line is None:
        return True
    at = line.find(value)
    return at >= 0 and not _COMMENT_START.match(line) and line[:at].count('"') % 2 == 0 and line[:at].count("'") % 2 == 0 \
        and "//" not in line[:at] and "#" not in line[:at]


def called(m: re.Match, text: str) -> bool:
    """``= authenticate(username=..., password='yellow')``: the name after ``=`` (``m``'s group ``v``) is a call - not
    a word of code (snake_case, dotted or CamelCase, no digit) followed by a closed parenthesis on the same line (set
    53's grader: the prompt redacted the function); ``DB_PASSWORD=Xk9q2LmZ7wR4(vB`` stays a value."""
    name, rest = m.group("v"), text[m.end():].split("\n", 1)[0]
    words = re.fullmatch(r"[a-z_][a-z_]*(?:\.[a-z_][a-z_]*)*|(?:[A-Z][a-z]+)+", name)  # snake_case, dotted or CamelCase, no digit
    key = (text[:m.start()].rsplit("\n", 1)[-1].split() or [""])[-1]  # `DB_PASSWORD-1=ab(c)`: a value (the attacks)
    secretish = re.search(r"(?i)pass|secret|token|key|pwd|cred|auth|psk|(?<![a-z])pw", key)
    return bool(words) and not secretish and re.match(r"\([^()]*\)", rest) is not None
