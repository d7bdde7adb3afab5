"""Where a false positive of a module's resource is suppressed: in the example's call, never in the module.

Triage (tasks.triage.module_inputs) calls a Checkov finding on a reusable
Terraform module's resource a false positive when the failing value is an
example's own argument or a wrapper's pass-through.  A ``#checkov:skip`` in
the module's resource would silence the check for every caller of the
module, the deployments that set the value themselves included, so the
suppression goes where the value was chosen: inside the example's
``module "NAME"`` block, which Checkov honours for the resources of that
call only (checked with checkov 3.3.30: a skip in one of two identical calls
removes that call's finding and keeps the other's).  A wrapper passes its
own callers' values through: a skip there would hide theirs, so that case
leaves the wrappers/ folder out of this repository's own scan
(``skip-path`` in .checkov.yaml); the module's resources stay checked
through the example calls, whose defaults already pass.

May import: ``tasks.findings``, ``tasks.triage.module_inputs``.
"""

from __future__ import annotations

import re

from tasks.findings.model import Finding
from tasks.triage.module_inputs import LEAD

_CALL = re.compile(r'module "([\w-]+)" sets [\w-]+ = .*? \(([^()\s:]+):(\d+)\)')


def judged(f: Finding, rec: dict) -> bool:
    """Was the false positive judged from a module call's input?"""
    reasons = rec.get("reasons") or [{}]
    return f.tool == "checkov" and LEAD in str(reasons[0].get("evidence", ""))


def example_calls(rec: dict) -> list[tuple[str, str, int]]:
    """(file, call name, line of the argument) of every example call the evidence names."""
    return [(m.group(2), m.group(1), int(m.group(3))) for m in _CALL.finditer(rec["reasons"][0]["evidence"])]


def _variable(rec: dict) -> str:
    m = re.search(r"input variable ([\w-]+)", rec["reasons"][0]["evidence"])
    return m.group(1) if m else "the value"


def place(rec: dict) -> str:
    calls = example_calls(rec)
    if not calls:
        return ("in this repository's own scan settings, not in code (`skip-path: wrappers` in .checkov.yaml): a skip in "
                "the module or in its wrapper would silence the check for every caller")
    named = ", ".join(f'module "{n}" ({p}:{l})' for p, n, l in calls[:4])
    return f"inside the example's own module call that sets the value ({named}), not in the module"


def answer(f: Finding, rec: dict) -> str:
    why = rec["reasons"][0]["evidence"].rstrip(".")
    calls = example_calls(rec)
    head = (f"False positive: {why}. Do not change {f.path}: a skip in the module's resource would silence {f.rule_id} "
            "for every caller, the deployments that set the value themselves included.")
    if not calls:
        return (f"{head} Nor the wrapper, which passes its own callers' values through. Leave the wrappers out of this "
                "repository's own scan instead; the module's resources stay checked through the example calls:\n"
                "```yaml\n# .checkov.yaml\nskip-path:\n  - wrappers\n```\n")
    where = "; ".join(f'{p}, module "{n}" (its argument is on line {l})' for p, n, l in calls[:4])
    return (f"{head} Record it where the value is chosen instead, as the first line inside each example call that sets "
            f"it ({where}); Checkov applies a skip in a module call to that call's resources only:\n"
            f"```hcl\n#checkov:skip={f.rule_id}:an example's own {_variable(rec)}, which the module leaves to its "
            "caller\n```\n")
