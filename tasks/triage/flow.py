"""Check 4b: does the flagged code read user input?  Evidence for a code finding, from the code itself.

A rule's LOW confidence or a path under ``examples/`` says the pattern often
matches safe code; the code can say more.  When the flagged lines (the
report's own snippet: Semgrep ``extra.lines``, Bandit ``code``, SARIF
``snippet`` and ``codeFlows``), or with ``source.repo_path`` the enclosing
function up to the flagged line, read request data (Django
``request.POST``/``GET``, Flask ``request.args``/``form``, Express
``req.query``/``body``, PHP ``$_GET``, servlet ``getParameter``, Go
``r.FormValue``, Rails ``params.require``), the sink the rule names is fed by a
user, and the verdict must not rest on confidence or path alone.

The answer names the input and where it was seen, never guesses: no source
text, no evidence either way (``None``).  A redirect's target checked by an empty ``netloc`` alone is said so
(tasks.triage.redirect_target's ``netloc_only_guard``).

May import: ``tasks.findings``, ``tasks.repository``, ``tasks.triage.parsed_source``, ``tasks.triage.redirect_target``,
``tasks.triage.api_digest``, ``tasks.triage.protocol_digest``, ``tasks.triage.digest_use``.
"""

from __future__ import annotations

import ast
import re
from functools import lru_cache

from tasks.findings.model import Finding, as_finding
from tasks.repository.source import finding_lines
from tasks.triage.parsed_source import enclosing_function, python_tree

# request data a user controls, per framework (the text that shows it, not a type inference)
USER_INPUT = re.compile(
    r"\brequest\.(?:GET|POST|FILES|COOKIES|META|body|data|args|form|values|json|files|cookies|headers|query_params"
    r"|get_json|get_data|query_string|params|path_params|query)\b"
    r"|\breq(?:uest)?\.(?:query|body|params|cookies|headers|files|originalUrl|url)\b"
    r"|\bctx\.(?:query|params|request\.body)\b"
    r"|\$_(?:GET|POST|REQUEST|COOKIE|FILES|SERVER)\b"
    r"|\.getParameter(?:Values|Map|Names)?\s*\(|\.getHeader\s*\(|\.getQueryString\s*\(|\.getCookies\s*\(|@RequestParam\b"
    r"|@PathVariable\b|@RequestBody\b"
    r"|\br\.(?:FormValue|PostFormValue)\s*\(|\br\.URL\.Query\s*\(|\bc\.(?:Query|Param|PostForm|FormValue)\s*\("
    r"|\bparams\.(?:require|permit)\b")
_DEF = re.compile(r"^\s*(?:async\s+def|def|function|func|(?:public|private|protected)\s[^=;]*\(|class)\b")
_ASSIGN = re.compile(r"^\s*(?:(?:const|let|var|final|String|\$)\s*)?([A-Za-z_$][\w$]*)\s*(?::[^=]+)?=(?!=)")
# rules about a sink user input can reach (injection, traversal, XSS, SSRF, deserialisation...), by CWE or by words
SINK_CWES = {"CWE-20", "CWE-22", "CWE-23", "CWE-36", "CWE-73", "CWE-77", "CWE-78", "CWE-79", "CWE-80", "CWE-88", "CWE-89",
             "CWE-90", "CWE-91", "CWE-93", "CWE-94", "CWE-95", "CWE-99", "CWE-113", "CWE-117", "CWE-134", "CWE-470",
             "CWE-501", "CWE-502", "CWE-601", "CWE-611", "CWE-643", "CWE-776", "CWE-917", "CWE-918", "CWE-943", "CWE-1336"}
_SINK_WORDS = re.compile(r"(?i)inject|sqli|\bsql|exec|eval|command|shell|subprocess|os[-_.]system|popen|xss|cross.site|"
                         r"traversal|path[-_ ]injection|\bpath\b|deserial|pickle|marshal|yaml[-_.]load|ssrf|redirect|"
                         r"template|xxe|xml|ldap|xpath|header|format[-_ ]string|file[-_ ]inclusion|open[-_ ]url|"
                         r"\bB(?:102|307|301|310|31[4-9]|320|60[1-9]|61[01]|70[1-3])\b")
WINDOW = 40  # lines above the flagged line searched for the enclosing function's inputs


def _shown(match: str) -> str:
    return match.strip().rstrip("([").strip()


def _in_snippet(f: Finding) -> dict | None:
    texts = [("the flagged code", f.snippet or "")]
    for step in f.flow or []:
        if isinstance(step, dict):
            texts.append((f"the traced flow ({step.get('path') or f.path}:{step.get('line') or '?'})",
                          f"{step.get('code') or ''}\n{step.get('message') or ''}"))
    for where, text in texts:
        hit = USER_INPUT.search(text)
        if hit:
            return {"check": "code", "status": "user_input",
                    "evidence": f"{where} reads user input ({_shown(hit.group(0))}) at {f.path}:{f.line or '?'}, "
                                f"so the {f.rule_id} sink is fed by a request, not a constant"}
    return None


_PLAIN_STRING = re.compile(r"""(["'])(?:(?!\1)[^\\{}\n]|\\.)*\1""")  # a literal with no {field} or ${...} in it


def _in_function(f: Finding, reader) -> dict | None:
    loc = f.location
    if reader is None or loc is None or not loc.path or not loc.start_line:
        return None
    lines = finding_lines(reader, f)
    if not lines or loc.start_line > len(lines):
        return None
    last = min(len(lines), loc.end_line or loc.start_line)
    flagged = "\n".join(lines[loc.start_line - 1:last])
    first = loc.start_line - 1
    while first > 0 and loc.start_line - first < WINDOW and not _DEF.match(lines[first]):
        first -= 1
    for n in range(first, loc.start_line - 1):
        hit = USER_INPUT.search(lines[n])
        if not hit:
            continue
        var = _ASSIGN.match(lines[n])
        if var and _no_text(lines[n], hit):  # `int(request.args.get('n'))`, `... if request.args.get('t') == 'x' else`
            continue  # (changedetection.io's step screenshot, round 45): the request's text never reaches the value
        if var and re.search(rf"(?<![\w$-]){re.escape(var.group(1))}(?![\w$-])", _PLAIN_STRING.sub('""', flagged)):  # not
            # `--theme-color` (round 49), nor the word inside `content_type='text/html'` (round 62: `text` "reached" it)
            return {"check": "code", "status": "user_input",
                    "evidence": f"{loc.path}:{n + 1} assigns user input ({_shown(hit.group(0))}) to {var.group(1)}, "
                                f"which reaches the flagged line {loc.start_line} ({f.rule_id})"}
    hit = USER_INPUT.search(flagged)
    if hit:
        from tasks.triage.redirect_target import netloc_only_guard

        guard = netloc_only_guard(lines, loc.start_line, last) if re.search(r"(?i)redirect", str(f.rule_id)) else None
        return {"check": "code", "status": "user_input",
                "evidence": f"{loc.path}:{loc.start_line} reads user input ({_shown(hit.group(0))}) on the flagged line "
                            f"({f.rule_id})" + (f"; {guard}" if guard else "")}
    return None


_CALL_TAIL = re.compile(r"[\w.]*(?:\((?:[^()]|\([^()]*\))*\))?")


def _no_text(line: str, hit) -> bool:
    """Every read of the request on ``line`` is compared (``== 'before'``) or made a number (``int(...)``)."""
    reads = list(USER_INPUT.finditer(line))
    for m in reads:
        end = m.start() + len(_CALL_TAIL.match(line, m.start()).group(0))
        compared = re.match(r"\s*(?:[=!]==?|(?:not\s+)?in\b)", line[end:]) or re.search(r"[=!]==?\s*$", line[:m.start()])
        number = re.search(r"\b(?:int|float|bool|len|Number|parseInt|parseFloat|strconv\.Atoi)\(\s*$", line[:m.start()]) \
            and re.match(r"\s*(?:,\s*\d+\s*)?\)", line[end:])
        if not (compared or number):
            return False
    return bool(reads)


def sink_rule(f: Finding) -> bool:
    """Whether the rule is about a sink that user input can reach (not an ``assert`` or an unused variable)."""
    if {str(c).upper() for c in f.cwe or []} & SINK_CWES:
        return True
    return _sink_words(f"{f.rule_id} {f.title}")


@lru_cache(maxsize=65536)
def _sink_words(text: str) -> bool:
    """The rule's id and title name a sink (cached: thousands of findings share a few hundred rules)."""
    return bool(_SINK_WORDS.search(text))


def check_user_input(f: Finding | dict, reader=None) -> dict | None:
    """{"check": "code", "status": "user_input", "evidence"} when the code shows request data reaching the flagged line."""
    f = as_finding(f)
    if f.kind != "code" or not sink_rule(f):
        return None
    return _in_snippet(f) or _in_function(f, reader)


# a weak hash used as an identifier (de-duplication key, cache key, checksum), not for a password or signature
_WEAK_HASH_RULE = re.compile(r"(?i)md5|sha1|insecure[-_ ]hash|weak[-_ ]hash|\bB303\b|\bB324\b")
_ID_USE = re.compile(r"(?i)\b(\w*(?:dupe|dedup|unique|cache|etag|checksum|fingerprint|hash_key|content_hash|file_hash)\w*|key)"
                     r"\s*=\s*(?:['\"][^'\"]*['\"]\s*\+\s*)?[\w.]*(?:md5|sha1)\s*\((.*)")  # "tcache_" + md5(...) (set 30)
# what the digest names, from the function that computes it: Gravatar's URL (MD5 of the address by its own spec), a
# stored upload's content-addressed path (pinry's hashed_upload_to, set 30)
_NAMING_FUNC = re.compile(r"(?i)^(?:gravatar\w*|\w*avatar_url|\w*upload_to|\w*upload_path|\w*file_?path|\w*storage_path)$")
_DEDUP = re.compile(r"(?i)dupe|dedup")
# django-wiki's upload_path hashes random.randint(...) so that no one can guess an attachment's URL (round 37): a
# security use, whatever the function is called
_RANDOM_INPUT = re.compile(r"\brandom\.|\brandint\b|\buuid\.|\bsecrets\.|\burandom\b|token_hex|token_bytes")
_SECRET_INPUT = re.compile(r"(?i)passw|secret|\btoken|\bsalt|\bsign(?:ature|ed|ing)?\b|hmac|credential|session|nonce|\bauth")


def check_hash_use(f: Finding | dict, reader=None) -> dict | None:
    """{"check": "code", "status": "not_security_use", "evidence"} when the flagged weak hash names an identifier,
    or (Python, with ``reader``) its digest is only ever looked up in a set or mapping (de-duplication), only echoed
    as a checksum or only hashes Faker's dummy data (tasks.triage.digest_use)."""
    f = as_finding(f)
    if f.kind != "code" or not _WEAK_HASH_RULE.search(f"{f.rule_id} {f.title}"):
        return None
    line = f.location.start_line if f.location else None
    from tasks.triage.api_digest import api_digest
    from tasks.triage.protocol_digest import protocol_digest

    fixed = protocol_digest(f, reader) or api_digest(f, reader)  # PostgreSQL's md5 auth, RFC 6455's accept key (set
    # 40); a digest a remote API demands (pyload's hoster logins: set 42)
    if fixed:
        return fixed
    parsed = python_tree(reader, f) if line else None  # read and parsed once for both readings of the digest
    func = enclosing_function(parsed[0], line) if parsed else None
    lookup = None
    if func is not None:
        # a de-duplication or cache key; else an echoed checksum, a digest of Faker's dummy data
        from tasks.triage.digest_use import check_digest_use

        lookup = _lookup_only(f, func, line) or check_digest_use(f, parsed[0], func, line)
    if lookup:
        return lookup
    if func is not None and _NAMING_FUNC.match(func.name) and not _SECRET_INPUT.search(ast.unparse(func)) \
            and not _RANDOM_INPUT.search(ast.unparse(func)):  # a digest of random bytes makes a path hard to guess
        what = ("Gravatar's image URL, whose scheme is the MD5 of the e-mail address" if "avatar" in func.name.lower()
                else "the stored file's content-addressed path")
        return {"check": "code", "status": "not_security_use",
                "evidence": f"not a security use: the weak hash at {f.path}:{f.line or '?'} is computed in {func.name}() for "
                            f"{what}; nothing secret goes in and no check relies on it, so a collision costs a shared "
                            "name, not a bypass"}
    text = f.snippet or ""
    if "usedforsecurity=False" in text.replace(" ", ""):
        return {"check": "code", "status": "not_security_use",
                "evidence": f"not a security use: the flagged hash at {f.path}:{f.line or '?'} passes usedforsecurity=False"}
    hit = _ID_USE.search(text)
    if hit and hit.group(1).lower() == "key" and not _DEDUP.search(text):
        hit = None  # a bare "key" may be an encryption key; only a de-duplication context says otherwise
    if hit and not _SECRET_INPUT.search(hit.group(2)):
        return {"check": "code", "status": "not_security_use",
                "evidence": f"not a security use: the weak hash at {f.path}:{f.line or '?'} computes {hit.group(1)}, "
                            f"{'a checksum' if 'checksum' in hit.group(1).lower() else 'an identifier (a de-duplication or cache key)'}"
                            ", not a password hash, a signature or a MAC: a collision there costs a duplicate or a missed "
                            "typo, not a bypass"}
    return None


_LOOKUP_CALLS = {"add", "discard", "get", "setdefault", "pop", "count", "index"}


def _lookup_only(f: Finding, func, line: int) -> dict | None:
    """The flagged line assigns a weak digest to a name that its function only uses as a key of a set or mapping
    it both fills and looks up (``if digest not in seen: seen.add(digest)``, ``cache[digest]``): a de-duplication
    or cache key.  A digest only compared with a collection filled elsewhere (an allow-list of known hashes) is
    left alone: a collision there may be a bypass."""
    import ast

    assign = next((n for n in ast.walk(func) if isinstance(n, ast.Assign) and n.lineno == line and len(n.targets) == 1
                   and isinstance(n.targets[0], ast.Name)), None)
    if assign is None or not re.search(r"\b(?:md5|sha1)\b|new\(\s*['\"](?:md5|sha1)", ast.unparse(assign.value)) \
            or _SECRET_INPUT.search(ast.unparse(assign.value)):
        return None
    name = assign.targets[0].id
    parents = {c: p for p in ast.walk(func) for c in ast.iter_child_nodes(p)}
    uses = [n for n in ast.walk(func) if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load)]
    if not uses or any(isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Store) and n is not assign.targets[0]
                       for n in ast.walk(func)):
        return None
    looked, filled = set(), set()  # containers the digest is looked up in / put into
    for use in uses:
        p = parents.get(use)
        if isinstance(p, ast.Compare) and p.left is use and all(isinstance(o, (ast.In, ast.NotIn)) for o in p.ops):
            looked.update(ast.unparse(c) for c in p.comparators)
        elif isinstance(p, ast.Subscript) and p.slice is use:
            (filled if isinstance(p.ctx, ast.Store) else looked).add(ast.unparse(p.value))
        elif isinstance(p, ast.Call) and p.args and p.args[0] is use and isinstance(p.func, ast.Attribute) \
                and p.func.attr in _LOOKUP_CALLS:
            (filled if p.func.attr in ("add", "setdefault") else looked).add(ast.unparse(p.func.value))
        else:
            return None
    if not looked & filled:  # a set built from these same digests: de-duplication, not an allow-list of known hashes
        return None
    first = min(u.lineno for u in uses)
    return {"check": "code", "status": "not_security_use",
            "evidence": f"not a security use: the weak hash at {f.path}:{line} computes {name}, which {func.name}() only "
                        f"uses as a key of a collection it fills and checks itself ({f.path}:{first}), a de-duplication "
                        "or cache key; collisions there cost a duplicate, not a bypass"}
