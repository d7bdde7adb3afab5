"""What is specific about one finding: its path through the code, where its values come from, who reaches it.

A reviewer's analysis says what the prompt does not: the source-to-sink path
the tool traced (SARIF ``codeFlows``, parsed into ``finding.flow``), where
the flagged line's values are set in the code around it (an assignment above,
a parameter of the enclosing function, or only constant literals, which no
attacker controls), and who can reach the place (a test file, an example, a
container image's OS package).  Everything here is read from the finding;
when nothing is known the function returns nothing and the analysis says
less rather than something generic.
"""

from __future__ import annotations

import ast
import re
from pathlib import PurePosixPath

from tasks.findings.model import NO_LOCATION, NO_PACKAGE, Finding, as_finding
from tasks.fixes.ecosystems import NPM_BUNDLED
from tasks.triage.parsed_source import bracketed
from tasks.triage.report_signals import is_test_path

_IDENT = re.compile(r"\b[A-Za-z_][A-Za-z0-9_]*\b")
_KEYWORDS = {"if", "else", "elif", "for", "while", "return", "def", "class", "import", "from", "as", "in", "not", "and", "or",
             "is", "None", "True", "False", "try", "except", "with", "lambda", "self", "cls", "const", "let", "var", "new",
             "function", "await", "async", "pass", "raise", "yield", "assert", "print", "str", "int", "len", "open"}
_DEF = re.compile(r"^\s*(?:async\s+)?def\s+(\w+)\s*\(([^)]*)\)|^\s*(?:export\s+)?(?:async\s+)?function\s+(\w+)\s*\(([^)]*)\)|"
                  r"^\s*func\s+(?:\([^)]*\)\s*)?(\w+)\s*\(([^)]*)\)")
# folders whose code is, by convention, not shipped (tools/ or scripts/ often are: a guess would be a wrong fact)
_EXAMPLE_DIRS = {"examples", "example", "samples", "sample", "demo", "demos"}


def _code(f: Finding, code: dict | None = None):
    from tasks.fixes.patches import code_of

    return code_of(f, code)


def flow_path(f: Finding | dict) -> str | None:
    """The traced path, source to sink, each step with its code: 'bad/api.py:32 `data = request.get_json()` -> ...'."""
    f = as_finding(f)
    steps = f.flow or []
    if len(steps) < 2:
        return None
    parts = []
    for s in steps:
        where = f"{s['path']}:{s['line']}" if s.get("line") else s["path"]
        parts.append(f"{where} `{s['code']}`" if s.get("code") else where)
    loc = f.location or NO_LOCATION
    sink = loc.path and f"{loc.path}:{loc.start_line}"
    related = any(s.get("via") == "related" for s in steps)
    text = ("The tool links this result to: " if related else
            "The tool traced the value from its source to this line: ") + (", " if related else " -> ").join(parts)
    if sink and not parts[-1].startswith(sink) and not related:
        text += f" -> {sink}"
    return text + "."


def _flagged(c) -> tuple[list[str], int] | None:
    lo, hi = c.target
    idx = [i for i in range(len(c.lines)) if lo <= c.start_line + i <= hi]
    return ([c.lines[i] for i in idx], idx[0]) if idx else None


def _constant_call(text: str) -> bool | None:
    """True when every argument of every call on the line is a literal (Python); None when it does not parse."""
    try:
        tree = ast.parse(re.sub(r"^(?:return|await|yield)\s+", "", text.strip().rstrip(":").removesuffix("\\")))
    except SyntaxError:
        return None
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    if not calls:
        return None

    def literal(node) -> bool:
        return isinstance(node, (ast.Constant, ast.List, ast.Tuple)) and all(
            literal(e) for e in getattr(node, "elts", [])) or isinstance(node, ast.Constant)

    args = [a for n in calls for a in list(n.args) + [k.value for k in n.keywords]]
    return bool(args) and all(literal(a) for a in args)  # every argument of every call (md5(x).hexdigest() is not)


# a backslash escapes the next character, a quote too (`'name = \''` is one literal, as Python reads it)
_STRING = re.compile(r"(?<![A-Za-z0-9_])([rRbBuUfF]{1,2})?(['\"])((?:\\.|(?!\2)[^\\])*)\2")


def outside_strings(text: str) -> str:
    """The code without its string literals and their prefixes (the `f` of an f-string is no variable); an
    f-string keeps the names it interpolates (`{username}`)."""
    def keep(m: re.Match) -> str:
        if m.group(1) and "f" in m.group(1).lower():
            return " " + " ".join(re.findall(r"\{([^{}:!]*)", m.group(3))) + " "
        return " "
    return _STRING.sub(keep, text)


def value_origins(f: Finding | dict, code: dict | None = None) -> list[str]:
    """Where the flagged line's names are set in the code shown (``code`` from the source reader, else the
    snippet): an assignment above, the enclosing function's parameter with the repository's calls of it
    (``code["sites"]``, tasks.enrich.call_sites; nothing without them), or constant literals only."""


    f = as_finding(f)
    c = _code(f, code)
    if not c:
        return []
    hit = _flagged(c)
    if not hit:
        return []
    lines, first = hit
    sites = (code or {}).get("sites") or {}
    line_no = c.start_line + first
    text = " ".join(l.strip() for l in lines)
    out: list[str] = []
    if (f.tool == "bandit" or (f.path or "").endswith(".py")) and _constant_call(text):
        return [f"Every argument of the call on line {line_no} is a constant literal, so no outside input reaches it here."]
    from tasks.enrich.redirect_span import redirect_line

    below, target = redirect_line(f, lines, first)  # a Semgrep open-redirect span: its redirect's own argument
    names = [n for n in dict.fromkeys(_IDENT.findall(outside_strings(target if target is not None else _sink_args(text))))
             if n not in _KEYWORDS]
    enclosing = None
    for i in range(first - 1, -1, -1):
        m = _DEF.match(c.lines[i])
        if m:
            name, params = next((m.group(k), m.group(k + 1)) for k in (1, 3, 5) if m.group(k))
            enclosing = (name, [p.strip().split(":")[0].split("=")[0].strip(" *") for p in params.split(",")], c.start_line + i)
            break
    by_param = _param_sites(sites, enclosing)
    for name in names[:6]:
        assign = re.compile(rf"^\s*(?:(?:const|let|var)\s+)?{re.escape(name)}\s*(?::[^=]+)?(?<![=!<>])=(?!=)\s*(.+)$")
        found = None
        for i in range(below - 1, -1, -1):
            if enclosing and c.start_line + i < enclosing[2]:
                break  # above the enclosing function: another scope
            m = assign.match(c.lines[i])
            if m:
                rhs = _whole_value(m.group(1).strip(), c.lines[i + 1:below])
                if rhs is None:
                    break  # a value cut where the code shown ends: no half a call quoted
                if not re.search(rf"\b{re.escape(name)}\b", re.sub(r"(['\"]).*?\1", "", rhs)):  # `data = [.. data ..]`
                    found = f"`{name}` is set on line {c.start_line + i} from `{rhs}`."
                    used = set(_IDENT.findall(outside_strings(rhs)))  # `cmd = "echo " + x`, x a parameter: its callers
                    found += "".join(" " + by_param[p] for p in sorted(by_param) if p in used)
                break
        if found:
            out.append(found)
        elif name in by_param:
            # who calls it, from the repository (tasks.enrich.call_sites); "its callers decide" alone fits every function
            out.append(by_param[name])
    return out[:3]


# the sink a rule is about, when the flagged line wraps it in another call: `messages.error(request, mark_safe(msg))`
# is about `msg`, not `request` (round 40's grade of peering-manager's handle_protectederror)
_SINK = re.compile(r"\b(?:mark_safe|Markup|SafeString|format_html|execute|executemany|system|Popen|check_output|"
                   r"check_call|eval|exec)\s*\(")


def _sink_args(text: str) -> str:
    """The argument text of the sink call on the line (up to its closing bracket), or the whole line without one."""
    m = _SINK.search(text)
    if m is None:
        return text
    args = bracketed(text, m.end() - 1)
    return text[m.end():] if args is None else args


def _whole_value(rhs: str, after: list[str]) -> str | None:
    """The right-hand side of an assignment as one line, continued over the lines below while its brackets are open
    (``req = urllib.request.Request(`` is half a call), shortened to ``callee(first, ...)`` past 80 characters."""
    text, more = rhs, list(after)
    while sum(text.count(o) for o in "([{") > sum(text.count(o) for o in ")]}") and more:
        text += " " + more.pop(0).strip()
    text = " ".join(text.split())
    if len(text) <= 80:
        return text if sum(text.count(o) for o in "([{") == sum(text.count(o) for o in ")]}") else None
    try:
        node = ast.parse(text, mode="eval").body
    except SyntaxError:
        return None
    if isinstance(node, ast.Call) and node.args:
        short = f"{ast.get_source_segment(text, node.func)}({ast.get_source_segment(text, node.args[0])}, ...)"
        return short if len(short) <= 80 else None
    return None


def _param_sites(sites: dict[str, str], enclosing) -> dict[str, str]:
    """{parameter: sentence} of the function the flagged line sits in; ``sites`` is keyed by the whole file's
    module-level function, so a window that shows another def (a method, a nested function) gets none."""
    out = {}
    for key, said in sites.items():
        func, param = key.split(".", 1)
        if enclosing is None or (func == enclosing[0] and param in enclosing[1]):
            out[param] = said
    return out


_TRANSFORMATION = re.compile(r'Cipher\.getInstance\(\s*"([A-Za-z0-9]+)(?:/([A-Za-z0-9]+)/([A-Za-z0-9]+))?"')
_ALGORITHMS = {
    "DES": "DES, whose 56-bit key can be searched exhaustively",
    "DESEDE": "Triple DES, whose 64-bit blocks collide after about 32 GB under one key (Sweet32)",
    "TRIPLEDES": "Triple DES, whose 64-bit blocks collide after about 32 GB under one key (Sweet32)",
    "BLOWFISH": "Blowfish, whose 64-bit blocks collide after about 32 GB under one key (Sweet32)",
    "RC4": "RC4, whose keystream is biased", "ARCFOUR": "RC4, whose keystream is biased",
    "RC2": "RC2, an obsolete 64-bit block cipher",
}


def cipher_choice(f: Finding | dict) -> str | None:
    """What a Java ``Cipher.getInstance`` transformation on the flagged line asks for, and what is wrong with it."""
    f = as_finding(f)
    m = _TRANSFORMATION.search(f.snippet or "")
    if not m:
        return None
    alg, mode, pad = m.group(1), (m.group(2) or "").upper(), (m.group(3) or "").upper()
    line = f"line {f.line}" if f.line else "the flagged line"
    problems = [_ALGORITHMS[alg.upper()]] if alg.upper() in _ALGORITHMS else []
    if not mode:
        problems.append(f'"{alg}" alone gets the provider\'s default mode, ECB with PKCS5Padding in the JDK, where equal '
                        "plaintext blocks give equal ciphertext blocks")
    elif mode == "ECB":
        problems.append("ECB mode, where equal plaintext blocks give equal ciphertext blocks")
    elif mode == "CBC" and pad != "NOPADDING":
        problems.append("CBC with padding and no integrity check, so a service that reveals whether the padding was valid "
                        "(a padding oracle) lets an attacker decrypt")
    if not problems:
        return None
    transformation = m.group(0).split('"')[1]
    asked = f"{alg}" + (f" in {mode} mode with {m.group(3)}" if mode else "")
    return f"The code on {line} asks for `\"{transformation}\"`, {asked}: {'; '.join(problems)}."


_SOURCES = ((re.compile(r"\brequest\.|\breq\.(?:body|query|params|headers|cookies)|\$_(?:GET|POST|REQUEST|COOKIE)|getParameter\("),
             "the HTTP request, so any client that can send it"),
            (re.compile(r"\bsys\.argv|\bargparse|\bparse_args\(|process\.argv|os\.Args"), "the command line, so whoever runs the program"),
            (re.compile(r"\bos\.environ|\bgetenv\(|process\.env"), "the environment, so whoever sets the process's environment"),
            (re.compile(r"\binput\(|sys\.stdin|readline\("), "standard input, so whoever feeds the program"))


_NESTED = re.compile(r"node_modules/((?:@[^/]+/)?[^/]+)/(.*?)node_modules/((?:@[^/]+/)?[^/]+)(?:/package\.json)?$")
_NOT_SHIPPED = ("benchmark", "test", "tests", "example", "examples", "docs")


def npm_parent(path: str, name: str | None) -> str | None:
    """Who pulls in a nested npm copy: ``node_modules/archiver/node_modules/async`` is archiver's own async."""
    m = _NESTED.search(path)
    if not m or (name and m.group(3) != name):
        return None
    parent, inner, name = m.group(1), [p for p in m.group(2).split("/") if p], m.group(3)
    if inner:
        folder = "/".join(inner)
        text = (f"This copy of {name} ships inside {parent}'s own {folder}/ folder, part of {parent}'s published files "
                f"rather than a dependency npm resolved for the application")
        return text + (", and the application does not load that folder at run time." if inner[0].lower() in _NOT_SHIPPED else ".")
    return (f"This copy of {name} is nested under {parent}, so it is {parent}'s own dependency (npm nests a copy when "
            f"the top-level one does not fit the parent's version range): the fix goes through {parent}, a release of it "
            f"that allows the fixed {name}, or an override.")


def reach(f: Finding | dict) -> str | None:
    """Who can reach the place, from where it is: the traced source, a test, an example or tool, a container's OS package."""
    f = as_finding(f)
    path = f.path
    flow = f.flow or []
    traced = len(flow) > 1 and not any((s or {}).get("via") == "related" for s in flow)
    steps = [str((s or {}).get("code") or "") for s in flow[:-1]] if traced else []
    for pattern, who in _SOURCES:
        if any(pattern.search(code) for code in steps[:3]):  # the source may follow a guard (`if request.method`)
            return f"The traced source is {who} controls the value that reaches the sink."
    if f.kind == "dependency":
        if NPM_BUNDLED.search(path or ""):
            return ("This copy sits inside the image's global npm, which the application does not load at run time; "
                    "it is reached only by running npm in the container (builds, `npm install` at start-up).")
        parent = npm_parent(path or "", (f.package or NO_PACKAGE).name)
        if parent:
            return parent
        return None  # an OS package: the fix line says to rebuild on the base image; a stock paragraph adds nothing
    if f.kind == "config":
        from tasks.enrich.iac_reach import terraform_reach

        exposed = terraform_reach(f)
        if exposed:
            return exposed
    if f.kind in ("code", "config") and is_test_path(path) and not re.search(r"\.(?:tf|hcl|ya?ml|json)$", path or ""):
        # (infrastructure tests apply real resources: "not in the deployed application" would be wrong there)
        return (f"{path} is test code: it runs in CI and on developers' machines, not in the deployed application, so "
                "only someone who controls the test inputs reaches it.")
    parts = {p.lower() for p in PurePosixPath(path or "").parts[:-1]}
    if f.kind == "code" and parts & _EXAMPLE_DIRS:
        folder = sorted(parts & _EXAMPLE_DIRS)[0]
        return (f"{path} is example code under {folder}/: it matters where someone copies it into an application, "
                "not in this project's own runtime.")
    return None
