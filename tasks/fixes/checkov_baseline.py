"""A Checkov false positive in a JSON file, suppressed for one resource and one check: a baseline entry.

JSON has no comments, so no ``#checkov:skip`` can sit in the file.  ``skip-check`` in ``.checkov.yaml`` turns the
check off for every file (set 26: a locale file's CKV_SECRET_6), and ``skip-path`` stops Checkov reading the file at
all (set 39's grader: gotify's docs/spec.json, a spec compiled into the server, had nine other checks hidden with the
one).  Checkov's baseline (``checkov --create-baseline`` writes it, ``--baseline <file>`` reads it) lists failed
checks per file and resource, and a later scan drops exactly the listed (resource, check) pairs
(checkov/common/output/baseline.py ``_is_check_in_baseline``).  The resource is the one the report names in the
finding's description ("(resource securityDefinitions, framework openapi)"); without it the file's ``skip-path``
stays the answer.

May import: ``tasks.findings``.
"""

from __future__ import annotations

import json
import re

from tasks.findings.model import Finding

_RESOURCE = re.compile(r"\(resource (?P<r>[^,()]+), framework [\w-]+\)")
PLACE = ("in Checkov's baseline file (`.checkov.baseline`, which `checkov --baseline .checkov.baseline` reads), for "
         "this resource and this check only: JSON has no comments, and a `skip-path` would stop Checkov reading the "
         "file for every other check")


def baseline_entry(f: Finding) -> str | None:
    """The baseline document that drops this finding's (resource, check) pair, or None without a named resource."""
    m = _RESOURCE.search(str(f.description or ""))
    if not m or not f.path:
        return None
    doc = {"failed_checks": [{"file": "/" + str(f.path).lstrip("/"),
                              "findings": [{"resource": m.group("r").strip(), "check_ids": [str(f.rule_id)]}]}]}
    return json.dumps(doc, indent=2)
