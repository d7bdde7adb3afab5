"""A secret the tool masked in part (Checkov's ``T2kV**********``) is never judged by its stars: only the
real value, read from the file (``source.repo_path``), is; without the file the finding is kept."""

from __future__ import annotations

import pytest

import json
import subprocess

from test_triage_verdicts import finding

from tasks.findings.parsers.finalise import finalise
from tasks.findings.secret_evidence import classify_one, masked
from tasks.repository.source import SourceReader
from tasks.triage.verdict import Judge

REAL = "Xk9vQ2mZr7LpW4tB"  # a generated-looking password (made up for this test)


def _checkov(shown: str) -> dict:
    f = finding(tool="checkov", kind="secret", rule_id="CKV_SECRET_6", title="Base64 High Entropy String",
                location={"path": "main.tf", "start_line": 2, "end_line": 2},
                snippet=f'1 resource "aws_db_instance" "db" {{\n2   password = "{shown}"\n3 }}\n')
    return finalise(f)


def _repo(tmp_path, value: str):
    repo = tmp_path / "repo"
    repo.mkdir(parents=True)
    (repo / "main.tf").write_text(f'resource "aws_db_instance" "db" {{\n  password = "{value}"\n}}\n')
    subprocess.run(["git", "-C", str(repo), "init", "-q"], check=True)
    return SourceReader(repo)


def test_masked_values_are_not_judged_by_their_stars():
    assert masked("T2kV**********") and not masked("T2kVq9Zr")
    assert classify_one("T2kV**********", from_code=True)["class"] == "redacted-by-tool"
    assert classify_one("aaaaaaaaaaaaaa", from_code=True)["class"] != "redacted-by-tool"  # a real repeated value still is


def test_masked_checkov_secret_is_kept_without_the_file():
    f = _checkov("T2kV**********")
    assert f["secret_evidence"]["class"] == "redacted-by-tool"
    rec = Judge(None).judge(f)
    assert rec["verdict"] == "true_positive"
    assert "one character repeated" not in json.dumps(rec)


def test_masked_checkov_secret_is_judged_on_the_real_value_from_the_file(tmp_path):
    f = _checkov(REAL[:4] + "*" * 12)
    rec = Judge(None, reader=_repo(tmp_path, REAL)).judge(f)
    assert rec["verdict"] == "true_positive" and "high-entropy" in json.dumps(rec)
    assert REAL not in json.dumps(rec) and REAL[:4] + "*" not in json.dumps(rec)
    placeholder = Judge(None, reader=_repo(tmp_path / "b", "changeme")).judge(_checkov("chan****"))
    assert placeholder["verdict"] == "false_positive" and "changeme" not in json.dumps(placeholder)


def test_resource_names_beside_a_secret_are_not_redacted():
    from tasks.findings.secrets import literal_values

    text = f'  password               = "{REAL}"\n  parameter_group_name   = "default.mysql8.0"\n  secret_name = "prod/db"\n'
    assert literal_values(text) == [REAL]
    assert literal_values('  db_password = "default.mysql8.0"\n') == ["default.mysql8.0"]  # a secret's key still takes it


def test_checkov_secret_range_ends_at_the_secret_line():
    from tasks.findings.parsers.checkov import parse

    check = {"check_id": "CKV_SECRET_6", "check_name": "Base64 High Entropy String", "file_path": "/main.tf",
             "repo_file_path": "/main.tf", "file_line_range": [138, 139], "resource": "x",
             "code_block": [[138, '  password = "T2kV**********"\n']]}
    other = dict(check, check_id="CKV_AWS_16", file_line_range=[131, 149])
    found = parse({"check_type": "secrets", "results": {"failed_checks": [check, other]}})
    assert (found[0]["location"]["start_line"], found[0]["location"]["end_line"]) == (138, 138)
    assert found[1]["location"]["end_line"] == 149


def test_a_workflow_permissions_check_is_not_a_secret_check():
    """CKV2_GHA_1 (top-level permissions not write-all) flags a block of YAML, not a value: its lines are not
    taken for a secret (no redaction of the workflow, no secret row); a curl-with-secrets check still is."""
    from tasks.findings.secrets import tool_marks_secret

    assert not tool_marks_secret("checkov", "CKV2_GHA_1", "Ensure top-level permissions are not set to write-all")
    assert tool_marks_secret("checkov", "CKV_GHA_3", "Suspicious use of curl with secrets")
    assert tool_marks_secret("checkov", "CKV_SECRET_6", "Base64 High Entropy String")


@pytest.mark.parametrize("rule,title,holds", [
    ("CKV_K8S_38", "Ensure that Service Account Tokens are only mounted where necessary", False),
    ("CKV_AWS_149", "Ensure that Secrets Manager secret is encrypted using KMS CMK", False),
    ("CKV_AWS_107", "Ensure IAM policies does not allow credentials exposure", False),
    ("CKV_AWS_304", "Ensure Secrets Manager secrets should be rotated within 90 days", False),
    ("CKV_OPENAPI_10", "Ensure that operation objects do not use 'password' flow in OAuth2 authentication", False),
    ("CKV_AWS_10", "Ensure IAM password policy requires minimum length of 14 or greater", False),
    ("CKV_AWS_999", "Ensure no hard coded AWS access key and secret key exists in provider", True),
    ("CKV_AWS_998", "Ensure no hard-coded secrets exist in lambda environment", True),
    ("CKV_AWS_295", "Ensure DataSync Location Object Storage doesn't expose secrets", True),
])
def test_a_check_about_secrets_is_not_a_check_that_holds_one(rule, title, holds):
    """heldout set 7: CKV_K8S_38's range is a whole Deployment, and taking its literals for secrets redacted
    `apiVersion`, `metadata`, image names and mount paths in every row of that manifest."""
    from tasks.findings.secrets import tool_marks_secret

    assert tool_marks_secret("checkov", rule, title) is holds


def test_a_space_is_not_called_an_empty_string():
    """dateutil's lexer: `token = ' '` (B105) is a space, and the row said 'an empty string' (a wrong fact)."""
    assert classify_one("", from_code=True)["match"] == "an empty string"
    assert classify_one(" ", from_code=True)["match"] == "a single space"
    assert classify_one("\t", from_code=True)["match"] == "whitespace only"
    assert classify_one("x", from_code=True)["match"] == "a single character"
    assert {classify_one(v, from_code=True)["class"] for v in ("", " ", "x")} == {"empty"}


def test_a_secret_that_occurs_inside_the_finding_id_leaves_the_id_alone():
    """A Checkov record's 32-hex id held a short hex secret by chance: redacting it made the id '0a[REDACTED ...]cc41'
    and the schema refused the finding, which failed the whole parse."""
    f = {"id": "0a8b34042bcc4184969f0c847e8215b8", "tool": "checkov", "kind": "secret", "rule_id": "CKV_SECRET_6",
         "title": "Base64 High Entropy String", "description": "", "snippet": "12 token: 8b34042b\n",
         "fix_hint": None, "references": [], "location": {"path": "k8s/app.yaml", "start_line": 12, "end_line": 12}}
    out = finalise(f)
    assert out["id"] == "0a8b34042bcc4184969f0c847e8215b8"
    assert "8b34042b" not in out["snippet"] and out["redacted"] is True


def test_an_expired_jwt_is_not_a_live_credential_and_a_current_one_is():
    """security_monkey's Okta test fixture: an ID token whose exp passed in 2018; decoded, never verified."""
    import base64
    import json as _json
    import time

    def jwt(exp):
        enc = lambda d: base64.urlsafe_b64encode(_json.dumps(d).encode()).decode().rstrip("=")
        return f"{enc({'alg': 'RS256', 'kid': 'k1'})}.{enc({'sub': 'testtest@example.com', 'exp': exp})}.c2lnbmF0dXJl"

    old = classify_one(jwt(1538077113), from_code=True)
    assert old["class"] == "expired" and old["match"] == "a JSON Web Token whose exp claim passed on 2018-09-27", old
    live = classify_one(jwt(int(time.time()) + 86400 * 365), from_code=True)
    assert live["class"] == "high-entropy", live
    assert classify_one(jwt("soon"), from_code=True)["class"] != "expired"


def test_a_masked_url_in_a_code_sample_is_judged_on_the_quoted_string_only(tmp_path):
    """changedetection.io's docs/api-spec.yaml (held-out set 21): Checkov's entropy plugin flagged the quoted URL of
    a Python sample; the line's `headers=headers` and the `//localhost...` after `http:` are no flagged value."""
    from tasks.triage.file_secrets import file_evidence

    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "api.yaml").write_text("        source: |\n            import requests\n"
                                   "            response = requests.get('http://localhost:5000/api/v1/notifications', "
                                   "headers=headers)\n")
    subprocess.run(["git", "-C", str(repo), "init", "-q"], check=True)
    f = finalise(finding(tool="checkov", kind="secret", rule_id="CKV_SECRET_6", title="Base64 High Entropy String",
                         location={"path": "api.yaml", "start_line": 3, "end_line": 3},
                         snippet="3             response = requests.get('http://**********', headers=headers)\n"))
    ev = file_evidence(Judge(None).__class__ and __import__("tasks.findings.model", fromlist=["as_finding"]).as_finding(f),
                       SourceReader(repo))
    assert ev["class"] == "url" and ev["match"] == "a URL with no credential in it (localhost:5000)"
    rec = Judge(None, reader=SourceReader(repo)).judge(f)
    assert rec["verdict"] == "false_positive" and "a URL with no credential in it" in json.dumps(rec)
