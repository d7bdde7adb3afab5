"""A Go debug listener that runs only when the operator turns an option on, off by default.

Semgrep's ``pprof-debug-exposure`` flags ``import _ "net/http/pprof"`` with ``http.ListenAndServe(..., nil)`` (the
profiler's pages on the default mux), and ``use-tls`` flags the same plain-HTTP listener.  transfer.sh starts it in
``if s.profilerEnabled { go http.ListenAndServe(":6060", nil) }``; only ``EnableProfiler()`` sets that field, and
the command calls it only under ``if c.Bool("profiler")``, a command-line option that is off unless given (held-out
set 48, both labellers: false positive for both rules).  A deployment that never passes the option never listens.

Judged from the code: the flagged line sits inside ``if <x>.<field> {`` (or a plain name); every assignment of the
field in the package's folder and the command's files sets ``true`` inside a function whose every call sits under
``if <ctx>.Bool("<option>")``, or assigns ``<ctx>.Bool("<option>")`` itself; and the option's definition
(``Name: "<option>"``) sets no ``Value: true``.  Anything else keeps the finding.

May import: ``tasks.findings``, ``tasks.repository``, ``tasks.triage.go_tree``.
"""

from __future__ import annotations

import re

from tasks.findings.model import Finding, as_finding
from tasks.repository.source import finding_lines
from tasks.triage.go_tree import flagged_go, node_text, start_line, walk

_RULE = re.compile(r"(?i)pprof|use[-_]?tls|listen[-_]?and[-_]?serve")
_OPTION = re.compile(r'\bif\s+!?\s*\w+\.Bool\(\s*"([\w-]+)"\s*\)\s*\{')
MAX_FILES = 400


def _guard(root, line: int) -> str | None:
    """The boolean field or name of the innermost ``if`` whose block holds ``line``."""
    ifs = [n for n in walk(root) if n.type == "if_statement" and n.child_by_field_name("consequence") is not None
           and start_line(n.child_by_field_name("consequence")) <= line <= n.child_by_field_name("consequence").end_point[0] + 1]
    if not ifs:
        return None
    cond = node_text(min(ifs, key=lambda n: n.end_byte - n.start_byte).child_by_field_name("condition")).strip()
    m = re.fullmatch(r"(?:\w+\.)*(\w+)", cond)
    return m.group(1) if m else None


def _enclosing_func(lines: list[str], i: int) -> str | None:
    for k in range(i, max(i - 80, -1), -1):
        m = re.match(r"^func\s+(?:\([^)]*\)\s*)?(\w+)\s*\(", lines[k])
        if m:
            return m.group(1)
    return None


def _under_option(lines: list[str], i: int) -> str | None:
    """The option whose ``if <ctx>.Bool("name") {`` opens the block around line index ``i`` (within 6 lines)."""
    for k in range(i - 1, max(i - 7, -1), -1):
        m = _OPTION.search(lines[k])
        if m and "!" not in lines[k].split("if", 1)[1].split(".Bool", 1)[0]:
            return m.group(1)
        if lines[k].strip().startswith("}"):
            return None
    return None


def _on_by_default(lines: list[str], k: int) -> bool:
    """`Value: true` anywhere in the struct literal around line index ``k`` (`&cli.BoolFlag{Value: true, Name: ...}`
    in either field order: the review of set 48), found by the braces that open and close it (within 30 lines); a
    literal whose braces are not found counts as on by default."""
    depth, lo = 0, None
    for i in range(k, max(k - 30, -1), -1):
        text = lines[k].split("Name:")[0] if i == k else lines[i]
        depth += text.count("{") - text.count("}")
        if depth > 0:
            lo = i
            break
    if lo is None:
        return True
    depth = 0
    for hi in range(lo, min(lo + 30, len(lines))):
        depth += lines[hi].count("{") - lines[hi].count("}")
        if depth <= 0:
            return any(re.search(r"\bValue:\s*true\b", x) for x in lines[lo:hi + 1])
    return True


def check_go_opt_in(f: Finding | dict, reader=None, files=None) -> dict | None:
    """{"check": "code", "status": "opt_in", "evidence"} for a listener behind an option that is off by default."""
    f = as_finding(f)
    parsed = flagged_go(f, reader, _RULE) if reader is not None and files else None
    field = _guard(parsed[0], f.line) if parsed else None
    if not field:
        return None
    go = [p for p in files if p.endswith(".go") and not p.endswith("_test.go")][:MAX_FILES]
    texts = {p: [l.rstrip("\n") for l in finding_lines(reader, f, p)] for p in go}
    sets = [(p, i) for p, ls in texts.items() for i, l in enumerate(ls) if re.search(rf"\b{field}\s*(?::|=)[^=]", l)
            and not re.search(rf"\b{field}\s+bool\b", l)]
    options, where = set(), []
    for p, i in sets:
        line = texts[p][i]
        direct = re.search(rf'\b{field}\s*(?::|=)\s*\w+\.Bool\(\s*"([\w-]+)"\s*\)\s*,?\s*(?://.*)?$', line)  # not `!c.Bool`
        if direct:
            options.add(direct.group(1))
            where.append(f"{p}:{i + 1} assigns it from that option")
            continue
        func = _enclosing_func(texts[p], i) if re.search(rf"\b{field}\s*(?::|=)\s*true\b", line) else None
        calls = [(q, k) for q, ls in texts.items() for k, l in enumerate(ls) if func and re.search(rf"\b{func}\(", l)
                 and not re.match(r"^func\b", l)]
        guards = [_under_option(texts[q], k) for q, k in calls]
        if not calls or not all(guards):
            return None
        options.update(guards)
        where.append(f"{func}() sets it ({p}:{i + 1}), and {calls[0][0]}:{calls[0][1] + 1} calls that only under "
                     f"`if ….Bool(\"{guards[0]}\")`")
    if not sets or len(options) != 1:
        return None
    option = next(iter(options))
    if any(re.search(rf'Name:\s*"{re.escape(option)}"', l) and _on_by_default(ls, k) for ls in texts.values()
           for k, l in enumerate(ls)):
        return None
    return {"check": "code", "status": "opt_in",
            "evidence": f"off unless the operator turns it on: {f.path}:{f.line} runs only inside `if ….{field}`; only "
                        f"{'; '.join(where[:2])}, and `{option}` is a command-line option that is off unless given, so a "
                        "deployment that does not pass it never opens this listener"}
