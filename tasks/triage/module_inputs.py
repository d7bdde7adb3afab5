"""A Checkov finding on a Terraform module's resource whose failing value is one caller's input, not the module's.

Checkov scans a module repository (terraform-aws-modules and the like) by
evaluating the module once per call it finds: ``module "ec2_spot_instance"
{ source = "../../" ... }`` in examples/complete/main.tf makes it check
main.tf's ``aws_instance.this`` as ``module.ec2_spot_instance.aws_instance.this``
with that example's arguments.  When the example sets
``associate_public_ip_address = true``, CKV_AWS_88 fails on main.tf line 41,
although the module only passes its input through and leaves the choice to
its caller.  Blind labellers called such findings false positives in every
held-out module set (IMDSv2 ``http_tokens`` defaulting to "required" but
unresolvable through wrappers/, a public IP only the example asks for); the
value that fails is the example's.

The evidence is checkov's own: its breadcrumbs trace each checked key to the
module call's argument and the module's input variable (the parser keeps
them as ``Finding.module_inputs``, for every failing call at that place, and
not at all when one call's value has no such trace, as when the module's
own default fails).  The check then reads each call in the repository:

* a call in an example or test folder that sets the argument itself: the
  example's choice;
* a call in ``wrappers/`` that passes its own caller's value through
  (``try(each.value.NAME, var.defaults.NAME, ...)``, which checkov cannot
  resolve), when an example call that leaves the argument to the module's
  default does not fail the check.

Anything else (a call in the project's own configuration, an argument the
call does not set) is no evidence: the module's default or the project's own
input is what fails.

May import: ``tasks.findings``, ``tasks.triage.context``.
"""

from __future__ import annotations

import posixpath
import re

from tasks.findings.model import as_finding
from tasks.triage.context import path_class

# how every such verdict's evidence reads after the file name (tasks.fixes.module_skip finds it by this)
LEAD = "is a reusable module's resource and checkov judged it with its callers' inputs"
_MODULE = re.compile(r'^\s*module\s+"([\w-]+)"\s*\{')
_PASS_THROUGH = r"try\(\s*each\.value\.{0}\s*,\s*var\.defaults\.{0}\b"


def _blocks(lines: list[str]) -> list[tuple[str, int, list[str]]]:
    """(name, 1-based line, lines at the block's top level) of every ``module`` block."""
    out = []
    for i, line in enumerate(lines):
        m = _MODULE.match(line)
        if not m:
            continue
        depth, top = line.count("{") - line.count("}"), []
        for j in range(i + 1, min(len(lines), i + 2000)):
            if depth == 1:
                top.append((j + 1, lines[j]))
            depth += lines[j].count("{") - lines[j].count("}")
            if depth <= 0:
                break
        out.append((m.group(1), i + 1, top))
    return out


def _argument(top, name: str) -> tuple[int, str] | None:
    for number, line in top:
        m = re.match(rf"^\s*{re.escape(name)}\s*=\s*(.+?)\s*$", line)
        if m:
            return number, m.group(1)
    return None


def _source(top, call_path: str) -> str | None:
    """The module folder a call's local ``source`` points at, repository-relative ('' = root); None otherwise."""
    arg = _argument(top, "source")
    m = re.match(r'^"(\.{1,2}/[^"]*)"$', arg[1]) if arg else None
    if not m:
        return None
    folder = posixpath.normpath(posixpath.join(posixpath.dirname(call_path), m.group(1)))
    return "" if folder == "." else None if folder.startswith("..") else folder


def _calls(reader, files, module_dir: str, limit: int = 400) -> list[tuple[str, str, int, list]]:
    """(file, call name, line, top-level lines) of every call of the module folder in the repository's .tf files,
    kept on the reader: every module finding of a build asks for the same few folders."""
    cache = vars(reader).setdefault("_module_calls", {})
    key = (len(files), module_dir)
    if key not in cache:
        out = []
        for path in [p for p in files if p.endswith(".tf")][:limit]:
            lines = reader.lines(path, None) or []
            out += [(path, name, line, top) for name, line, top in _blocks(lines) if _source(top, path) == module_dir]
        cache[key] = out
    return cache[key]


def _creates_nothing(top) -> bool:
    """A call that switches the module off (``create = false``, ``count = 0``): checkov checks none of its resources
    (UNKNOWN), so its not failing shows nothing (terraform-aws-ecr's "ecr_disabled", set 26's reason audit)."""
    return any(re.match(r"^\s*(?:create\w*|enabled?|count)\s*=\s*(?:false|0)\s*$", line) for _, line in top)


def check_module_input(f, reader, files) -> dict | None:
    """False positive when every failing call's value is an example's own argument or a wrapper's pass-through."""
    f = as_finding(f)
    origins = f.module_inputs or []
    if f.tool != "checkov" or not origins or reader is None or not files or not str(f.path or "").endswith(".tf"):
        return None
    module_dir = posixpath.dirname(str(f.path))
    calls = _calls(reader, files, module_dir)
    named = {(path, name): (line, top) for path, name, line, top in calls}
    chosen, passed_through = [], []
    for o in origins:
        call = named.get((o.get("module_path"), o.get("module")))
        if call is None:
            return None
        line, top = call
        arg = _argument(top, str(o.get("variable")))
        if arg is None:
            return None  # the call leaves it to the module's default: the module's own value fails
        where = f'{o["module_path"]}:{arg[0]}'
        if path_class(o["module_path"]) in ("example", "test") and not re.search(r"\bvar\.", arg[1]):
            chosen.append(f'module "{o["module"]}" sets {o["variable"]} = {arg[1][:80]} ({where})')
        elif o["module_path"].split("/", 1)[0] == "wrappers" and re.match(_PASS_THROUGH.format(re.escape(o["variable"])), arg[1]):
            v = o["variable"]
            passed_through.append((o, where, f"try(each.value.{v}, var.defaults.{v}, ...)"))
        else:
            return None
    failing = {(o["module_path"], o["module"]) for o in origins}
    if passed_through:
        variables = {o["variable"] for o, _, _ in passed_through}
        default = next(((path, name, line) for path, name, line, top in calls if (path, name) not in failing
                        and path_class(path) in ("example", "test") and not any(_argument(top, v) for v in variables)
                        and not _creates_nothing(top)), None)
        if default is None:
            return None  # nothing shows the module's own default passing
    parts = []
    if chosen:
        more = f" ({len(set(chosen)) - 4} more example calls alike)" if len(set(chosen)) > 4 else ""
        parts.append("the failing value is an example's own argument: " + "; ".join(sorted(set(chosen))[:4]) + more)
    if passed_through:
        o, where, arg = passed_through[0]
        shown = arg if len(arg) <= 160 else arg[:150].rsplit(" ", 1)[0] + " …"  # never cut inside a name (set 29)
        parts.append(f'{where} passes its own caller\'s {o["variable"]} through (`{shown}`), a value checkov cannot '
                     f'resolve, while module "{default[1]}" ({default[0]}:{default[2]}), which leaves {o["variable"]} to '
                     "the module's default, does not fail the check")
    var = origins[0]
    return {"check": "config", "verdict": "false_positive",
            "evidence": f"{f.path} {LEAD}: "
                        f"{'; '.join(parts)}. Checkov traces the checked value through the module's input variable "
                        f"{var['variable']}{' (' + var['variable_path'] + ')' if var.get('variable_path') else ''}, which "
                        "the module leaves to whoever calls it; a deployment that calls the module sets it there"}

