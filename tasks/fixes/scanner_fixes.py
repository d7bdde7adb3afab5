"""Is a scanner's own autofix safe to merge as it stands - and what does it change besides the finding?

Semgrep's autofixes are mechanical: ``shell=True`` -> ``shell=False`` (a
command string then runs as one program name and fails), ``md5`` ->
``sha256`` on a de-duplication key (every stored key changes for nothing),
``http://`` -> ``https://`` (a host that serves no TLS stops answering),
``@csrf_exempt`` removed (cross-site callers such as webhooks are refused).
A fix that breaks the code is refused; one that changes behaviour gets a
sentence saying what to check.
"""

from __future__ import annotations

import re

from tasks.fixes.patterns import python_hashes


_USER = re.compile(r"(?im)^\s*USER\s+([^\s:]+)")
# users a base image already has: node's images `node`, every Debian/Alpine image `nobody`
_IMAGE_USERS = {"nobody": r"", "node": r"(?im)^\s*FROM\s+(?:\S+/)?node[:@\s]"}


def missing_user(added: list[str], dockerfile: str) -> str | None:
    """The user name a ``USER`` line switches to that the Dockerfile never creates and its base image lacks (Semgrep's
    ``USER non-root``): the container would stop at start with "unable to find user"."""
    for line in added:
        m = _USER.match(line)
        name = m.group(1) if m else None
        if not name or name.isdigit() or name.startswith("$") or name == "root":
            continue
        made = re.search(rf"(?im)\b(?:useradd|adduser|addgroup|groupadd|usermod)\b[^\n]*[\s\"']{re.escape(name)}(?:[\s\"']|$)", dockerfile)
        known = name in _IMAGE_USERS and (not _IMAGE_USERS[name] or re.search(_IMAGE_USERS[name], dockerfile))
        if not made and not known:
            return name
    return None


# autofixes that do not compile as written (Semgrep's defaulthttpclient-is-deprecated: a protected constructor of a
# builder, where an HttpClient is expected)
_BROKEN = [(r"\bnew\s+HttpClientBuilder\s*\(\s*\)", "the scanner's fix `new HttpClientBuilder()` does not compile: the "
            "constructor is protected and a builder is no HttpClient; the working call is "
            "`HttpClientBuilder.create().build()` (or `HttpClients.createDefault()`)"),
           # Semgrep's unverified-jwt-decode autofix: PyJWT then needs the key and `algorithms`, and raises on every token
           (r"""jwt\.decode\((?![^)]*\b(?:key|algorithms)\b)[^)]*["']verify_signature["']\s*:\s*True""",
            "the scanner's fix turns verification on without a key or `algorithms`: PyJWT then raises DecodeError on "
            "every token, so every login with one fails; verification needs `jwt.decode(token, key, algorithms=[...])`")]
_ASSIGNED = re.compile(r"^\s*(?:[\w<>\[\],.?]+\s+)?([A-Za-z_$][\w$]*)\s*=(?!=)\s*(.+?);?\s*$")


def dropped_assignment(removed: list[str], added: list[str]) -> str | None:
    """The variable a removed ``x = call(...)`` assigned when the added lines keep the call but not the assignment
    (Semgrep's XXE autofix turned ``db = dbf.newDocumentBuilder();`` into ``dbf.newDocumentBuilder();``)."""
    for line in removed:
        m = _ASSIGNED.match(line)
        if not m or "(" not in m.group(2):
            continue
        name, rhs = m.group(1), m.group(2).strip()
        kept = any(rhs in a for a in added)
        if kept and not any(re.search(rf"(?<![\w.]){re.escape(name)}\s*=(?!=)", a) for a in added):
            return name
    return None


def review(family: str | None, removed: list[str], added: list[str], text: str = "") -> tuple[str | None, str]:
    """(why the fix must not be used, or None; the note on what else it changes).  ``text``: the whole file."""
    before, after = "\n".join(removed), "\n".join(added)
    broken = next((why for rx, why in _BROKEN if re.search(rx, after) and not re.search(rx, before)), None)
    if broken:
        return broken, ""
    dropped = dropped_assignment(removed, added)
    if dropped:
        return (f"the scanner's fix drops the assignment to `{dropped}`: the call still runs, its result is thrown "
                f"away and `{dropped}` keeps its old value", "")
    if re.search(r"runAsNonRoot:\s*true", after) and not re.search(r"runAsUser:\s*\d", after + "\n" + text):
        return ("runAsNonRoot alone makes the kubelet refuse an image whose USER is a name, not a number (\"container has "
                "runAsNonRoot and image has non-numeric user\"), and the manifest sets no runAsUser: the pod would not "
                "start", "")  # set 30: shynet's image runs as `appuser`
    user = missing_user(added, text) if _USER.search(after) else None
    if user:
        return (f"the scanner's fix switches to user `{user}`, which the image never creates: the container would stop "
                "at start (\"unable to find user\")", "")
    if re.search(r"shell\s*=\s*True", before) and re.search(r"shell\s*=\s*False", after):
        call = re.search(r"\(\s*([^,)]*)", before)
        if not call or not call.group(1).lstrip().startswith(("[", "(")):
            return ("the scanner's shell=False fix leaves a command string, which then runs as one program name and "
                    "fails: the call needs an argument list", "")
    if requoted(removed, added):
        return ("the template expression already sits inside a quoted attribute: the quotes the scanner adds close it "
                "and put the value outside, where text like `x onmouseover=...` becomes an attribute of its own", "")
    spread = spread_keyword(removed, added, text)
    if spread:
        if spread[1].endswith("()"):
            return (f"the scanner's fix adds `{spread[0]}=` to a call that also spreads `**{spread[1]}`, whose keys are "
                    f"not known here: if it returns `{spread[0]}` already, the call gets two values and raises TypeError; "
                    f"check what {spread[1]} returns before adding it", "")
        return (f"the scanner's fix adds `{spread[0]}=` to a call that also spreads `**{spread[1]}`, and the file already "
                f"sets `{spread[0]}` in `{spread[1]}`: the call would get two values for it and raise TypeError (the "
                "setting it asks for is already there)", "")
    if re.search(r'"math/rand"', before) and re.search(r'"crypto/rand"', after):
        used = sorted(set(re.findall(r"\brand\.(?!Read\b)([A-Z]\w*)", text)))  # math/rand's Int() takes no reader
        if used:  # statping-ng's perlin.go (round 50): rand.NewSource, rand.New have no crypto/rand twin
            return (f"the scanner's fix swaps the import for crypto/rand, which has no {', '.join(f'`rand.{u}`' for u in used[:3])}"
                    " of math/rand's kind: the file would not compile; a security use of randomness needs crypto/rand's "
                    "Read, or Int with a reader and a bound", "")
    if re.search(r"\bio\.Copy\(", before) and re.search(r"\bio\.CopyN\(", after) and "io.EOF" not in after:
        return ("the scanner's fix copies with io.CopyN, which returns io.EOF whenever the stream is shorter than the "
                "limit: every ordinary (smaller) file would now end in that error; a limit needs io.LimitReader, or "
                "io.CopyN with io.EOF treated as the normal end", "")  # set 49: filebrowser's static.go served no .js
    if re.search(r"\bif\s+(?:not\s+)?[\w.]*validate_password\(", after):  # semgrep's own unvalidated-password fix
        return ("Django's validate_password returns None when the password passes and raises ValidationError when it "
                "does not: `if validate_password(...)` never sets the password; call it on its own line, before "
                "set_password, and turn the ValidationError into the form's or API's error", "")
    unimported = new_module(removed, added, text)
    if unimported:
        return (f"the scanner's fix calls `{unimported}`, but the file does not import `{unimported.split('.')[0]}`: "
                "every call would raise NameError (and the package may not be installed)", "")
    narrow = narrow_field(removed, text) if re.search(r"(?i)\b(?:md5|sha1)\b", before) and re.search(
        r"(?i)sha256|sha3|sha512|blake2", after) else None
    if narrow:
        return narrow, ""
    named = named_for_algorithm(text)
    if named and re.search(r"(?i)\b(?:md5|sha1)\b", before) and re.search(r"(?i)sha256|sha3|sha512|blake2", after):
        return (f"the digest is kept under a name that says its algorithm (`{named}`): a stored checksum or file "
                "fingerprint whose length and values every reader of it expects; another algorithm changes both", "")
    if family == "weak-hash" and python_hashes.hash_purpose(before) == "non-security":
        return "the scanner swaps the algorithm of an identifier digest: every stored key would change for nothing", ""
    if re.search(r"(?i)\b(?:md5|sha1)\([^)]*pass(?:word|wd|phrase)?", before) and re.search(r"(?i)sha256|sha3|sha512", after):
        return "a password needs a salted, slow hash (argon2, bcrypt, scrypt), not a faster digest", ""
    notes = []
    if family == "weak-hash" or re.search(r"\b(?:md5|sha1)\b", before, re.I) and re.search(r"sha256|sha3|sha512", after, re.I):
        notes.append("Where digests of the old algorithm are kept (a database column, a file, a cache key, a peer that "
                     "compares them), they no longer match: migrate them (passwords: re-hash at the next login); a "
                     "digest made and compared within one run needs nothing.")  # set 25: Radicale's hash_dict, Mailu's
        # ULA prefix keep nothing, and an unconditional "migrate them" was a wrong fact there
    if "http://" in before and "https://" in after:
        notes.append("The host must serve HTTPS at the same address: check it before merging.")
    if re.search(r"@csrf_exempt", before) and not re.search(r"@csrf_exempt", after):
        notes.append("Callers that post to this view from elsewhere (webhooks, other sites' forms, API clients) now "
                     "need a CSRF token or their own authentication: check who calls it.")
    if re.search(r"verify\s*=\s*False", before) and re.search(r"verify\s*=\s*True", after):
        notes.append("A server with a self-signed or private-CA certificate now fails verification: pass "
                     "verify=\"/path/to/ca.pem\" for it rather than turning checks off.")
    if re.search(r"\bsecure\s*=\s*True", after) and not re.search(r"\bsecure\s*=\s*True", before):
        notes.append("The browser then sends the cookie only over HTTPS: a site still served over plain HTTP (a local "
                     "development server) loses it.")
    if re.search(r"\bhttponly\s*=\s*True", after, re.I) and not re.search(r"\bhttponly\s*=\s*True", before, re.I):
        notes.append("Scripts of the page can no longer read the cookie: check that none does.")
    return None, " ".join(notes)


_MODULE_USE = re.compile(r"(?<![\w.])([a-z_][a-z0-9_]*)(?:\.[A-Za-z_]\w*)+\s*\(")  # defusedxml.etree.ElementTree.parse(
_NOT_MODULES = {"self", "cls", "super", "str", "bytes", "dict", "list", "set", "tuple", "int", "float", "object"}


def spread_keyword(removed: list[str], added: list[str], text: str) -> tuple[str, str] | None:
    """(keyword, spread name) when the added lines give a call ``kw=`` next to ``**name`` and the file sets ``kw`` in
    ``name`` (``dict(autoescape=True, ...)``, ``{"autoescape": ...}``): semgrep's autoescape fix on jupyterhub's
    ``Environment(loader=loader, **jinja_options)`` (set 26, harmful: Jinja raised TypeError at start-up)."""
    before, after = "\n".join(removed), "\n".join(added)
    for name, called in re.findall(r"\*\*\s*([A-Za-z_][\w.]*)\s*(\()?", after):
        for kw in set(re.findall(r"[(,]\s*([A-Za-z_]\w*)\s*=(?!=)", after)) - set(re.findall(r"\b([A-Za-z_]\w*)\s*=(?!=)", before)):
            if called:  # `**get_jinja_env_options()` (ckan, round 36): what the call returns is not read here, so it
                return kw, name + "()"  # may hold the keyword already (it did: autoescape=True, and Jinja raised TypeError)
            if re.search(rf"\b{re.escape(name)}\s*=\s*(?:dict\([^)]*\b{re.escape(kw)}\s*=|\{{[^}}]*['\"]{re.escape(kw)}['\"]\s*:)", text) \
                    or re.search(rf"\b{re.escape(name)}\[['\"]{re.escape(kw)}['\"]\]\s*=", text):
                return kw, name
    return None


def new_module(removed: list[str], added: list[str], text: str) -> str | None:
    """``"defusedcsv.writer"`` when the added lines call into a name that neither the removed lines, the code shown
    (the whole file when the reader has it) nor an added import line defines: semgrep's use-defusedcsv autofix
    swaps ``csv.writer`` for ``defusedcsv.writer`` without the import."""
    known = "\n".join(removed) + "\n" + text
    imported = {m.group(1) for l in added for m in [re.match(r"\s*(?:import|from)\s+(\w+)", l)] if m}
    for line in added:
        for m in _MODULE_USE.finditer(line.split("#", 1)[0]):
            name = m.group(1)
            if name in _NOT_MODULES or name in imported or _bound(name, known) or re.search(  # the code uses it already
                    rf"(?<![\w.]){re.escape(name)}\.", "\n".join(removed)):
                continue
            return m.group(0).rstrip("( ")
    return None


def _bound(name: str, text: str) -> bool:
    """Does ``text`` bind ``name``: an import of it, an ``as`` alias, a from-import, an assignment, a def, a class, a loop
    or a parameter?  ``from django.contrib.auth import x`` names django but binds only ``x`` (set 51: semgrep's
    unvalidated-password autofix calls ``django.contrib...`` in a file that never binds ``django``).  Linear: each
    from-import is read within its own statement (its line, or its parentheses)."""
    n = re.escape(name)
    if re.search(rf"(?m)^\s*import\s+(?:[\w.]+(?:\s+as\s+\w+)?\s*,\s*)*{n}\b(?!\s+as\b)|\bas\s+{n}\b"
                 rf"|(?<![\w.]){n}\s*(?::[^=\n]*)?=(?!=)|\b(?:def|class|for|global|nonlocal)\s+{n}\b|[(,]\s*{n}\s*[,)=:]", text):
        return True
    for m in re.finditer(r"(?m)^\s*from\s+[\w.]+\s+import\s+(\([^)]*\)|[^\n]*)", text):
        if re.search(rf"(?<![\w.]){n}\b", m.group(1).split("#", 1)[0] if not m.group(1).startswith("(") else m.group(1)):
            return True
    return False


_FIELD = re.compile(r"(?m)^\s*(\w+)\s*=\s*(?:models\.)?CharField\([^)]*?\bmax_length\s*=\s*(\d+)")


def narrow_field(removed: list[str], text: str) -> str | None:
    """Why a longer digest breaks the code: the function the flagged line sits in fills a model's CharField whose
    max_length holds the old digest and not the new one (shuup's ``combination_hash = models.CharField(max_length=40,
    unique=True)`` set from ``hash_combination()``: round 60, a harmful SHA-256 autofix), else None."""
    lines = text.splitlines()
    own = re.match(r"\s*(?:self|cls|obj|instance)\.(\w+)\s*=", removed[0]) if removed else None  # `self.hashkey = sha1(..)`
    for m in _FIELD.finditer(text) if own else ():  # django-simple-captcha's hashkey, CharField(max_length=40) (round 65)
        if m.group(1) == own.group(1) and int(m.group(2)) < 64:
            return (f"the digest is stored in `{m.group(1)}` (line {text.count(chr(10), 0, m.start(1)) + 1}: "
                    f"CharField(max_length={m.group(2)})): a SHA-256 hex digest is 64 characters and no longer fits, and "
                    "every stored value would stop matching; the change needs a migration that widens the column")
    at = next((i for i, line in enumerate(lines) if removed and removed[0].strip() and line.strip() == removed[0].strip()), None)
    func = next((m.group(1) for line in reversed(lines[:at + 1]) for m in [re.match(r"\s*def\s+(\w+)", line)] if m),
                None) if at is not None else None
    if func is None:
        return None
    for m in _FIELD.finditer(text):
        field, width = m.group(1), int(m.group(2))
        if width < 64 and re.search(rf"\b{re.escape(field)}\s*=\s*(?:self\.|cls\.)?{re.escape(func)}\(", text):
            line = text.count("\n", 0, m.start(1)) + 1
            return (f"the digest {func}() returns is stored in `{field}` (line {line}: CharField(max_length={width})): a "
                    f"SHA-256 hex digest is 64 characters and no longer fits, and every stored value would stop matching; "
                    "the change needs a migration that widens the column and recomputes the stored digests")
    return None


def named_for_algorithm(text: str) -> str | None:
    """An identifier of the code that names md5/sha1 (``_generate_sha1``, ``self.sha1``, ``md5sum``) other than the
    hash call itself (``hashlib.sha1``) or a string naming the algorithm."""
    for m in re.finditer(r"(?<![\w'\"])([A-Za-z_]\w*)", text):
        word = m.group(1)
        if re.search(r"(?i)md5|sha1", word) and text[max(0, m.start() - 8):m.start()] != "hashlib." \
                and not text[max(0, m.start() - 4):m.start()].endswith(("new(", "Hash.")):
            return word
    return None


def requoted(removed: list[str], added: list[str]) -> bool:
    """Semgrep's template-unquoted-attribute-var autofix on ``href="{{ a }}?q={{ b }}"``: ``{{ b }}`` is already inside
    the attribute's quotes, and the added ones end the attribute before it (round 26: an XSS made by the fix)."""
    for before, after in zip(removed, added):
        inside = any(before[:m.start()].count('"') % 2 for m in re.finditer(r"\{\{", before))
        if inside and after.count('"') > before.count('"'):
            return True
    return False
