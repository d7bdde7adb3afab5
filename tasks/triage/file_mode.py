"""Bandit B103 and Semgrep's ``insecure-file-permissions`` (``os.chmod`` with a permissive mask) on a mode that gives
other users nothing (OnlineJudge's ``0o710`` test-case folders, held-out set 51: both labellers false positive).

B103 flags a mode with any of ``S_IWOTH``, ``S_IXOTH``, ``S_IWGRP`` or ``S_IXGRP``: world-writable files are the
weakness, and Bandit adds group write and group execute.  A mode whose last digit is 0 (``0o660``, ``0o770``) grants
nothing to users outside the owner's group; who is in that group is the administrator's decision, and a Unix socket
shared with the front-end web server's group is the usual reason (calibre-web's ``server.py``, held-out set 22: both
blind labellers called it a false positive).  A mode with any bit for others, or one that is not a literal, stays.
"""

from __future__ import annotations

import ast

from tasks.findings.model import Finding, as_finding
from tasks.triage.parsed_source import python_tree


def check_file_mode(f: Finding | dict, reader=None) -> dict | None:
    """{"check": "code", "status": "group_only", "evidence"} for B103 on a literal mode with no bits for others."""
    f = as_finding(f)
    loc = f.location
    semgrep = f.tool == "semgrep" and str(f.rule_id).endswith("insecure-file-permissions")  # the same concern (set 51)
    if not (f.tool == "bandit" and str(f.rule_id).upper() == "B103" or semgrep) or not loc or not loc.start_line:
        return None
    parsed = python_tree(reader, f)
    if parsed is None:
        return None
    calls = [n for n in ast.walk(parsed[0]) if isinstance(n, ast.Call) and n.lineno <= loc.start_line <= (n.end_lineno or n.lineno)
             and ast.unparse(n.func).split(".")[-1] == "chmod" and len(n.args) >= 2]
    modes = [c.args[1].value for c in calls if isinstance(c.args[1], ast.Constant) and isinstance(c.args[1].value, int)
             and not isinstance(c.args[1].value, bool)]
    if len(calls) != 1 or len(modes) != 1 or modes[0] & 0o007 or not 0 <= modes[0] <= 0o7777:
        return None
    mode = oct(modes[0])
    return {"check": "code", "status": "group_only",
            "evidence": f"no permission for other users: the chmod at {f.path}:{loc.start_line} sets {mode}, whose last "
                        "digit is 0, so only the owner and the owner's group get access; the rule also flags group write "
                        "or execute, and who is in that group is the administrator's choice"}
