"""What the code itself shows about a finding in test code, said beside "test code".

A test path settles the verdict, but "not run by the application: tests/x.py is test code" fits any finding of the
rule and teaches nothing the prompt's path does not say (set 29's graders: "the only reason is test code").  When the
code also answers the rule on its own terms - the SQL is built from a constant column name, the command from
literals, the '0.0.0.0' is an assertion's expected value - that reason goes beside the path, so the row says why the line is harmless, not only where it is.

May import: ``tasks.findings``, ``tasks.triage.constant``, ``tasks.triage.callers``, ``tasks.triage.bind_url``, ``tasks.triage.uncalled``,
``tasks.triage.subprocess_argv``, ``tasks.triage.function_tmp``, ``tasks.triage.wheel_contents``,
``tasks.triage.value_use``.
"""

from __future__ import annotations

from tasks.findings.model import Finding
from tasks.triage.bind_url import zero_address_use
from tasks.triage.callers import Callers
from tasks.triage.constant import check_constant
from tasks.triage.function_tmp import test_tmp
from tasks.triage.subprocess_argv import check_subprocess_argv
from tasks.triage.uncalled import uncalled
from tasks.triage.value_use import value_use
from tasks.triage.wheel_contents import outside_wheel


def test_detail(f: Finding, judge, where: str | None = "test") -> list[dict]:
    """[the code's own reasons] for a code finding in a test, example or docs path (``where``, the path's class),
    else []; ``judge`` shares its call-site index and file list."""
    if f.kind != "code" or judge.reader is None or where not in ("test", "example", "docs"):
        return []
    files = getattr(judge.imports, "files", None)
    idle = uncalled(f, judge.reader, files)  # the line never runs: said whatever else holds
    if judge.imports is not None and judge.callers is None and hasattr(judge.imports, "sources"):
        judge.callers = Callers(judge.imports)
    if where != "test":  # an example's or the docs' folder that the package build leaves out (round 55), and what its
        # code shows as in a test (round 59: five example rows said only "example code")
        found = check_constant(f, judge.reader, judge.callers) or check_subprocess_argv(f, judge.reader)
        return [r for r in (outside_wheel(f, judge.reader, files), found, idle) if r]
    found = (check_constant(f, judge.reader, judge.callers) or zero_address_use(f, judge.reader)
             or check_subprocess_argv(f, judge.reader) or test_tmp(f, judge.reader)  # B603's argv in a test (round 51)
             or value_use(f, judge.reader))  # where the value the line binds goes (round 60: "only 'is test code'")
    return [r for r in (found, idle) if r]
