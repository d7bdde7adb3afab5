"""Check 4c, second half: a weak digest that is only shown as a checksum, or that hashes generated dummy data.

MD5/SHA-1 rules (Bandit B303/B324, Semgrep's weak-hash rules) ask whether a collision or a preimage would break
something.  Two uses, read from the Python file (``source.repo_path``), break nothing:

* **an echoed checksum**: the flagged line binds the digest to a name whose
  every use puts it into a mapping under a key that names a digest
  of the HTTP response (``resp.media = {"status": "ok", "md5": digest}``,
  ``jsonify({"md5": digest})``, ``resp.headers["ETag"] = etag``): the client is
  told a content checksum; no comparison, lookup, storage or credential
  depends on it.  A digest returned from the function,
  compared, passed on or stored under any other key is left alone, and so is
  one of a password, secret, token or key.
* **generated dummy data**: everything the hash is computed from comes from a Faker generator
  (``hashlib.md5(str.encode(fake.password())).hexdigest()`` with ``fake = Faker()`` in the same function): seeded
  sample records, no real user's credential.

The evidence names the lines and the key or generator, never a value.
"""

from __future__ import annotations

import ast
import re

from tasks.triage.digest_input import algorithm, computed_from, spread_reason
from tasks.triage.digest_names import STORED_ID, as_number, checked_against_other, stored_name

_WEAK = re.compile(r"(?:^|\.)(?:md5|sha1|new)$")
_CHECKSUM_KEY = re.compile(r"(?i)^(?:md5|sha1|sha-1|checksum|digest|etag|content[-_]?md5|(?:file|content)[-_]?hash"
                           r"|(?:md5|sha1)[-_]?(?:sum|digest|hash|hex))$")
_SECRET = re.compile(r"(?i)passw|secret|token|salt|sign|hmac|credential|session|nonce|auth|key")
_RESPONSE_ATTRS = {"media", "body", "text", "data", "json"}
_RESPONSE_CALL = re.compile(r"(?:^|\.)(?:jsonify|JSONResponse|JsonResponse|json_response|make_response|Response|HttpResponse)$")
_HEADERS = re.compile(r"(?i)headers$")
_FAKER_CTOR = re.compile(r"^(?:faker\.)?Faker$")


def _weak_call(node) -> bool:
    if not isinstance(node, ast.Call):
        return False
    name = ast.unparse(node.func)
    if not _WEAK.search(name):
        return False
    if name.endswith("new"):  # hashlib.new('md5', data)
        return bool(node.args) and isinstance(node.args[0], ast.Constant) and str(node.args[0].value).lower() in ("md5", "sha1")
    return True


def _hash_calls(func, line: int) -> list[ast.Call]:
    return [n for n in ast.walk(func) if _weak_call(n) and n.lineno <= line <= (n.end_lineno or n.lineno)]


def _hashed(call: ast.Call) -> list[ast.AST]:
    """What the call digests: not ``usedforsecurity=``, nor a ``**options`` spread (cacheops' ``md5(**kwargs)``, r68)."""
    return list(call.args[1:] if ast.unparse(call.func).endswith("new") else call.args) + [
        k.value for k in call.keywords if k.arg not in ("usedforsecurity", None)]


def check_digest_use(f, tree: ast.Module, func, line: int) -> dict | None:
    """The evidence when the weak hash on the flagged ``line`` of ``func`` (in ``tree``, the parsed file) is only
    echoed as a checksum or hashes Faker output."""
    calls = _hash_calls(func, line)
    if not calls:
        return None
    if spread_reason(f, line, func, calls):  # `hashlib.md5(**kwargs)`, kwargs = {'usedforsecurity': False}
        return spread_reason(f, line, func, calls)
    if all(any(k.arg == "usedforsecurity" and isinstance(k.value, ast.Constant) and k.value.value is False
               for k in c.keywords) for c in calls):  # read from the file: Semgrep's report may not quote the line
        return {"check": "code", "status": "not_security_use",
                "evidence": f"not a security use: the weak hash at {f.path}:{line} passes usedforsecurity=False, the "
                            "code's own statement that the digest protects nothing (Python 3.9+)"}
    random_only = [ast.unparse(a) for c in calls for a in _hashed(c)]
    if random_only and all(_RANDOM_BYTES.match(a) for a in random_only):  # OctoPrint's CSRF value (round 27, set 22)
        return {"check": "code", "status": "not_security_use",
                "evidence": f"not a security use: the weak hash at {f.path}:{line} digests only `{random_only[0][:50]}`, "
                            "fresh random bytes, so the digest is a random token: a collision or preimage attack needs an "
                            "input the attacker chooses or knows, and these have neither"}
    fed = [c for c in ast.walk(tree) if isinstance(c, ast.Call) and getattr(c.func, "id", getattr(c.func, "attr", None)) == func.name
           and _CREDENTIAL_INPUT.search(ast.unparse(c))]  # `_hash(password)` elsewhere in the file (set 51's review)
    return _dummy(f, tree, func, calls, line) or _echoed(f, func, calls, line) or (None if fed else _named(f, func, calls, line))


_RANDOM_BYTES = re.compile(r"^(?:os\.urandom|urandom|secrets\.token_(?:bytes|hex|urlsafe)|token_bytes|token_hex|"
                           r"random\.SystemRandom\(\)\.randbytes|SystemRandom\(\)\.randbytes)\(\s*\d*\s*\)(?:\.encode\(\))?$")


def _fakers(func) -> dict[str, int]:
    """Names ``func`` (the whole module) binds only to ``Faker(...)``, never to anything else: name -> line."""
    found: dict[str, int] = {}
    other: set[str] = set()
    for node in ast.walk(func):
        if isinstance(node, ast.Assign):
            for t in node.targets:
                for n in ast.walk(t):
                    if isinstance(n, ast.Name):
                        if isinstance(t, ast.Name) and isinstance(node.value, ast.Call) and _FAKER_CTOR.match(ast.unparse(node.value.func)):
                            found.setdefault(n.id, node.lineno)
                        else:
                            other.add(n.id)
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign, ast.For, ast.With, ast.NamedExpr)):
            other |= {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    for fn in ast.walk(func):
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            a = fn.args
            other |= {x.arg for x in a.args + a.kwonlyargs + a.posonlyargs + [v for v in (a.vararg, a.kwarg) if v]}
        elif isinstance(fn, (ast.Import, ast.ImportFrom)):
            other |= {(x.asname or x.name).split(".")[0] for x in fn.names}
        elif isinstance(fn, (ast.Global, ast.Nonlocal)):
            other |= set(fn.names)
    return {k: v for k, v in found.items() if k not in other}


def _generated(node, fakers: dict[str, int], used: set[str]) -> bool:
    """``node`` is made only of Faker calls (``fake.password()``), constants and conversions of them."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.Call):
        func = node.func
        args = list(node.args) + [k.value for k in node.keywords]
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in fakers:
            used.add(func.value.id)
            return all(isinstance(a, ast.Constant) for a in args)
        if isinstance(func, ast.Attribute) and func.attr in ("encode", "hexdigest", "digest", "lower", "strip"):
            base = func.value
            return (isinstance(base, ast.Name) and base.id in ("str", "bytes") or _generated(base, fakers, used)) \
                and all(_generated(a, fakers, used) for a in args) and (args or not isinstance(base, ast.Name))
        if isinstance(func, ast.Name) and func.id in ("str", "bytes"):
            return all(_generated(a, fakers, used) for a in args)
        return False
    if isinstance(node, ast.BinOp):
        return _generated(node.left, fakers, used) and _generated(node.right, fakers, used)
    if isinstance(node, ast.JoinedStr):
        return all(_generated(v.value if isinstance(v, ast.FormattedValue) else v, fakers, used) for v in node.values)
    return False


def _dummy(f, tree, func, calls, line) -> dict | None:
    fakers = _fakers(tree)
    own = _fakers(func)  # the line shown is the flagged function's own binding when it has one
    fakers = {k: own.get(k, v) for k, v in fakers.items()}
    if not fakers:
        return None
    used: set[str] = set()
    if not all(_hashed(c) and all(_generated(a, fakers, used) for a in _hashed(c)) for c in calls) or not used:
        return None
    made = ", ".join(f"{n} = Faker() at {f.path}:{fakers[n]}" for n in sorted(used))
    return {"check": "code", "status": "not_security_use",
            "evidence": f"not a security use: the weak hash at {f.path}:{line} in {func.name}() digests only values a "
                        f"Faker generator makes ({made}): generated dummy data, no real user's password or secret"}


def _to_response(node, parents) -> bool:
    """The mapping becomes the HTTP response: assigned to ``resp.media``/``.body``/``.text``/``.data``/``.json`` or passed
    straight to a JSON/response constructor."""
    p = parents.get(node)
    if isinstance(p, ast.Assign) and p.value is node:
        return len(p.targets) == 1 and isinstance(p.targets[0], ast.Attribute) and p.targets[0].attr in _RESPONSE_ATTRS
    return isinstance(p, ast.Call) and node in p.args and _RESPONSE_CALL.search(ast.unparse(p.func)) is not None


def _echoed(f, func, calls, line) -> dict | None:
    assign = next((n for n in ast.walk(func) if isinstance(n, ast.Assign) and n.lineno <= line <= (n.end_lineno or n.lineno)
                   and len(n.targets) == 1
                   and isinstance(n.targets[0], ast.Name)), None)
    if assign is None or not any(c is assign.value or c in set(ast.walk(assign.value)) for c in calls):
        return None
    if any(_SECRET.search(ast.unparse(a)) for c in calls for a in _hashed(c)):
        return None
    name = assign.targets[0].id
    stores = [n for n in ast.walk(func) if isinstance(n, ast.Name) and n.id == name and not isinstance(n.ctx, ast.Load)]
    uses = [n for n in ast.walk(func) if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load)]
    if stores != [assign.targets[0]] or not uses:
        return None
    parents = {c: p for p in ast.walk(func) for c in ast.iter_child_nodes(p)}
    keys = []
    for use in uses:
        p = parents.get(use)
        if isinstance(p, ast.Dict) and use in p.values and _to_response(p, parents):
            key = p.keys[p.values.index(use)]
        elif isinstance(p, ast.Assign) and p.value is use and len(p.targets) == 1 and isinstance(p.targets[0], ast.Subscript) \
                and _HEADERS.search(ast.unparse(p.targets[0].value)):
            key = p.targets[0].slice
        else:
            return None
        if not (isinstance(key, ast.Constant) and isinstance(key.value, str) and _CHECKSUM_KEY.match(key.value)):
            return None
        keys.append((key.value, use.lineno))
    shown = ", ".join(f"'{k}' ({f.path}:{n})" for k, n in keys)
    return {"check": "code", "status": "not_security_use",
            "evidence": f"not a security use: the weak hash at {f.path}:{line} computes {name}, which {func.name}() only "
                        f"reports under a checksum key ({shown}): a content checksum shown to the client; no comparison, "
                        "lookup or credential depends on it"}


# inputs whose fast digest would itself be a leak (a password hash kept under a key name); an application's own
# SECRET_KEY mixed in only makes the name harder to invert
_CREDENTIAL_INPUT = re.compile(r"(?i)passw|pwd|\bpw\b|token|credential|otp|\bpin\b|api[-_]?key|private")
_ID_FUNC = re.compile(r"(?i)(?:^|_)(?:key|id|slug|etag|cache[-_]?key|bucket|hash|digest|checksum|fingerprint|file_?name|name)$")
_KEY_FUNC = re.compile(r"(?i)cache|_key$|_hash$|etag|_id$")  # a function whose result is a key, by its name
# a digest kept under a name that mixes in an application secret is an authenticator (django-allauth's Draugiem
# `md5(f"{app.secret}{redirect_url}")`, set 55), not a name for the data
_KEYED = re.compile(r"(?i)secret")
_SECURITY_FUNC = re.compile(r"(?i)passw|token|(?<![a-z])sign(?:ature|ed|_|$)|hmac|verify|secret|credential")
def _namespaced(node, parents) -> bool:
    """``node`` (a use of the digest) is a part of a key with a literal namespace (``f"em-{hashed}"``, ``"pw-" + h``)
    that is passed to a call, used as a subscript or returned."""
    p = parents.get(node)
    if isinstance(p, ast.FormattedValue):
        text = parents.get(p)
        first = text.values[0] if isinstance(text, ast.JoinedStr) and text.values else None
        ok = isinstance(first, ast.Constant) and isinstance(first.value, str) and first.value.strip() != "" and first is not p
    elif isinstance(p, ast.BinOp) and isinstance(p.op, ast.Add) and p.right is node:
        text = p
        ok = isinstance(p.left, ast.Constant) and isinstance(p.left.value, str) and p.left.value.strip() != ""
    else:
        return False
    holder = parents.get(text)
    return ok and (isinstance(holder, (ast.Call, ast.Return)) or isinstance(holder, ast.Subscript) and holder.slice is text)


def _of(calls) -> str:
    """`` (`img_src_name.encode('utf-8')`)``: what the digest is computed from, said rather than guessed (round 26:
    "a fingerprint of the content (cache busting)" was wrong of a file name's digest that builds a URL path)."""
    args = [a for c in calls[:1] for a in _hashed(c) if not isinstance(a, ast.Constant)]
    text = " ".join(ast.unparse(args[0]).split()) if args else ""
    return f" (`{text}`)" if text and len(text) <= 60 else ""


def _named(f, func, calls, line) -> dict | None:
    """The digest only names something: a namespaced key passed on (``TokenBucket.authorize(f"em-{hashed}", ...)``),
    or the value a ``..._key``/``..._id`` function returns; never a digest of a password, token or credential."""
    bound = {t.id: n.value for n in ast.walk(func) if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)}
    inputs = [ast.unparse(bound.get(a.id, a) if isinstance(a, ast.Name) else a) + " " + ast.unparse(a)
              for c in calls for a in _hashed(c)]  # a name is read with what it was set to (salted = (email + KEY))
    if any(_CREDENTIAL_INPUT.search(t) for t in inputs):
        return None
    parents = {c: p for p in ast.walk(func) for c in ast.iter_child_nodes(p)}
    ret = next((n for n in ast.walk(func) if isinstance(n, ast.Return) and n.lineno == line and n.value is not None), None)
    if ret is not None and _ID_FUNC.search(func.name) and not _SECURITY_FUNC.search(func.name) \
            and any(c in set(ast.walk(ret.value)) for c in calls):
        source = computed_from(func, [a for c in calls[:1] for a in _hashed(c)])  # the input as read (round 45)
        return {"check": "code", "status": "not_security_use",
                "evidence": f"the weak hash at {f.path}:{line} is what {func.name}() returns, an identifier"
                            + (f" computed from `{source}`" if source else "") + f": {algorithm(calls)}'s broken property, collision resistance, "
                            "matters to an identifier only when someone outside chooses the digested text (two crafted "
                            "inputs sharing one entry), and a stronger hash would make its input no harder to guess (only "
                            "the input's own randomness counts); `usedforsecurity=False` on the call records that"}
    stored = stored_name(func, calls, line)
    fingerprint = None if stored is None or not STORED_ID.search(stored[0]) or _SECURITY_FUNC.search(stored[0]) \
        or _CREDENTIAL_INPUT.search(stored[0]) or any(_KEYED.search(t) for t in inputs) else {
            "check": "code", "status": "not_security_use",
            "evidence": f"not a security use: the weak hash at {f.path}:{line} sets {stored[1][:60]}, a name for the data "
                        f"it digests{_of(calls)}; a weak hash's collisions matter to a name only when someone outside "
                        "chooses the digested text, and a stronger hash would hide a guessable input no better"}
    assign = next((n for n in ast.walk(func) if isinstance(n, ast.Assign) and n.lineno <= line <= (n.end_lineno or n.lineno)
                   and len(n.targets) == 1
                   and isinstance(n.targets[0], ast.Name)), None)
    if assign is None or not any(c in set(ast.walk(assign.value)) for c in calls):
        return fingerprint  # an attribute, a subscript or a dict key: no name to follow
    if fingerprint and checked_against_other(func, assign.targets[0].id, parents):
        fingerprint = None  # compared with something that is no stored fingerprint (a value the client sends): a check
    name = assign.targets[0].id
    stores = [n for n in ast.walk(func) if isinstance(n, ast.Name) and n.id == name and not isinstance(n.ctx, ast.Load)]
    uses = [n for n in ast.walk(func) if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load)]
    if stores == [assign.targets[0]] and uses and all(isinstance(parents.get(u), ast.Return) for u in uses) \
            and _ID_FUNC.search(func.name) and not _SECURITY_FUNC.search(func.name):  # args_hash = md5(..); return args_hash
        return {"check": "code", "status": "not_security_use",
                "evidence": f"not a security use: the weak hash at {f.path}:{line} computes {name}, which {func.name}() "
                            "returns as an identifier (a cache or lookup key); a weak hash's collisions matter to a key only "
                            "when someone outside chooses the digested text, and a stronger hash would hide a guessable "
                            "input no better"}
    if fingerprint:
        return fingerprint
    ret = next((r for r in ast.walk(func) if isinstance(r, ast.Return) and r.value is not None
                and any(isinstance(x, ast.Name) and x.id == name for x in ast.walk(r.value))), None)
    if ret is not None and _KEY_FUNC.search(func.name) and not _SECURITY_FUNC.search(func.name) \
            and "hexdigest" in ast.unparse(assign.value) + ast.unparse(ret.value):  # django-cms's cache keys (set 34)
        return {"check": "code", "status": "not_security_use",
                "evidence": f"not a security use: the weak hash at {f.path}:{line} goes into {name}, which {func.name}() "
                            f"returns (line {ret.lineno}) as a cache or lookup key; a weak hash's collisions matter to a key "
                            "only when someone outside chooses the digested text, and a stronger hash would hide a "
                            "guessable input no better"}
    if uses and all(as_number(u, parents) for u in uses):  # hue = int(digest[:4], 16) % 360
        return {"check": "code", "status": "not_security_use",
                "evidence": f"not a security use: the weak hash at {f.path}:{line} only becomes a number "
                            f"(`{ast.unparse(parents[uses[0]])[:40]}` read as int(..., 16) at line {uses[0].lineno}): a colour, "
                            "shard or bucket spread by the digest, which needs no collision resistance"}
    if stores != [assign.targets[0]] or not uses or not all(_namespaced(u, parents) for u in uses):
        return None
    where = ", ".join(f"{f.path}:{u.lineno}" for u in uses[:3])
    holders = [parents.get(parents[u]) if isinstance(parents[u], ast.FormattedValue) else parents[u] for u in uses]
    prefix = next((ast.unparse(h)[:70] for h in holders if h is not None and "gravatar" in ast.unparse(h).lower()), None)
    what = (f"Gravatar's image URL (`{prefix}`), whose scheme is the MD5 of the e-mail address" if prefix else  # set 33
            "a name for a bucket or cache entry")
    return {"check": "code", "status": "not_security_use",
            "evidence": f"not a security use: the weak hash at {f.path}:{line} computes {name}, which {func.name}() only "
                        f"uses inside a key with a fixed prefix ({where}): {what}; a weak hash's collisions matter to a "
                        "name only when someone outside chooses the digested text, and a stronger hash would hide a "
                        "guessable input no better"}
