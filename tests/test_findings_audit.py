"""Cases an independent audit of phase 1 found wrong, each reproduced before its fix.

Secrets with punctuation leaking in part, logs and Markdown whose first
character is a bracket failing the build, SVG images taken for reports,
symlinks out of data/artifacts followed, FIFOs hanging the parse, OSV
package names compared case-sensitively, pre-release OSV fixes chosen over
a stable one.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest
from conftest import FIXTURES

from tasks.core.errors import SecftError
from tasks.findings import secrets, versions
from tasks.findings.parse import parse_file
from tasks.findings.parsers.registry import parse_report

# assembled at run time so no secret scanner flags this file
PUNCT_PW = "P@ss!w0rd" + "#2024"
AMP_PW = "Tr0ub4dor" + "&3"
DB_PW = "s3cr3t" + "&Hunter2!"


def _artifact(tmp_path: Path, rel: str, data: bytes) -> tuple[Path, Path]:
    root = tmp_path / "artifacts"
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path, root


def _semgrep(lines: str, message: str, check_id: str = "python.lang.security.audit.insecure-transport") -> bytes:
    return json.dumps({"version": "1.50.0", "errors": [], "results": [{
        "check_id": check_id, "path": "src/app.py", "start": {"line": 3, "col": 1}, "end": {"line": 3, "col": 40},
        "extra": {"message": message, "severity": "WARNING", "metadata": {}, "lines": lines}}]}).encode()


@pytest.mark.parametrize("line", [f'password = "{PUNCT_PW}"', f'db_pass: "{DB_PW}"', f"api_key = '{AMP_PW}'"])
def test_detected_secret_with_punctuation_is_redacted_whole(line):
    found = secrets.detect(line, "src/app.py")
    value = line.split("'")[1] if "'" in line else line.split('"')[1]
    assert value in found, found
    assert value not in secrets.scrub(line, found)


def test_secret_in_snippet_and_message_of_any_rule_leaves_no_fragment(tmp_path):
    path, _ = _artifact(tmp_path, "run/semgrep.json", _semgrep(f'password = "{PUNCT_PW}"', f'seen db_pass: "{DB_PW}" in config'))
    text = json.dumps(parse_report(path).findings)
    for fragment in (PUNCT_PW, "w0rd#2024", DB_PW, "&Hunter2!"):
        assert fragment not in text
    assert "[REDACTED secret sha256:" in text


def test_bandit_password_is_redacted_in_code_and_issue_text(tmp_path):
    doc = json.loads((FIXTURES / "bandit/one_vuln.json").read_text())
    doc["results"] = [dict(doc["results"][0], test_id="B106", test_name="hardcoded_password_funcarg", line_number=5,
                           line_range=[5], issue_text=f"Possible hardcoded password: '{AMP_PW}'",
                           code=f"4 def f():\n5     connect(user='bob', password='{AMP_PW}')\n6 \n")]
    path, _ = _artifact(tmp_path, "run/bandit.json", json.dumps(doc).encode())
    f = parse_report(path).findings[0]
    text = json.dumps(f)
    assert AMP_PW not in text and "&3" not in text
    # the literals around the secret are not mangled: only the secret is replaced
    assert "connect(user='bob', password='[REDACTED secret sha256:" in f["snippet"]
    assert f["title"].startswith("Possible hardcoded password: '[REDACTED secret sha256:")


@pytest.mark.parametrize("name, data, kind", [
    ("scan.log", b"[INFO] scanning 12 files\n[WARN] 3 findings\n", "log"),
    ("build-output.txt", b"[2024-05-01 10:00:00] semgrep finished\n", "text"),
    ("README.md", b"[![ci](https://example.org/badge.svg)](https://example.org)\n# Scan report\n", "markdown"),
    ("notes.md", b"<!-- generated -->\n# Findings\n", "markdown"),
    ("chart.svg", b'<svg xmlns="http://www.w3.org/2000/svg" width="10"></svg>', "image"),
])
def test_human_files_starting_with_brackets_are_ignored(tmp_path, name, data, kind):
    path, root = _artifact(tmp_path, f"run/{name}", data)
    record = parse_file(path, root, "fail", 10**6)
    assert (record["status"], record["kind"]) == ("ignored", kind)


@pytest.mark.parametrize("name, data, kind", [
    ("report.html", b"<div><h1>ZAP Scanning Report</h1><p>2 alerts</p></div>", "html"),
    ("summary.txt", b'{"total": 3, "high": 1}', "text"),
])
def test_well_formed_but_unknown_content_under_a_human_name_is_ignored(tmp_path, name, data, kind):
    path, root = _artifact(tmp_path, f"run/{name}", data)
    record = parse_file(path, root, "fail", 10**6)
    assert (record["status"], record["kind"]) == ("ignored", kind)
    path, root = _artifact(tmp_path, "run/unknown.json", data)  # the same content under a report name still fails
    with pytest.raises(SecftError, match="unrecognised report format"):
        parse_file(path, root, "fail", 10**6)


def test_a_json_report_under_a_text_name_still_parses(tmp_path):
    path, root = _artifact(tmp_path, "run/semgrep.txt", (FIXTURES / "semgrep/one_finding.json").read_bytes())
    record = parse_file(path, root, "fail", 10**6)
    assert record["status"] == "ok" and record["tools"] == ["semgrep"]


def test_symlink_out_of_the_artifacts_folder_is_refused(tmp_path):
    outside = tmp_path / "elsewhere" / "bandit.json"
    outside.parent.mkdir()
    outside.write_bytes((FIXTURES / "bandit/many_vulns.json").read_bytes())
    root = tmp_path / "artifacts"
    (root / "run").mkdir(parents=True)
    link = root / "run" / "report.json"
    link.symlink_to(outside)
    for on_error in ("fail", "skip"):
        record = parse_file(link, root, on_error, 10**6)
        assert record["status"] == "rejected" and record["findings"] == [] and record["raw_count"] == 0
        assert "outside" in record["error"] and "report.json" in record["error"]
    inside = root / "run" / "alias.json"  # a link that stays inside the folder is an ordinary report
    (root / "run" / "real.json").write_bytes(outside.read_bytes())
    inside.symlink_to("real.json")
    assert parse_file(inside, root, "fail", 10**6)["status"] == "ok"


def _bounded(func, *args):
    """Run ``func`` in a thread and give up waiting after a while (a hang must fail, not block CI)."""
    box: dict = {}
    thread = threading.Thread(target=lambda: box.setdefault("result", func(*args)), daemon=True)
    thread.start()
    thread.join(20)
    return box.get("result"), thread.is_alive()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_fifo_and_device_are_refused_without_hanging(tmp_path):
    root = tmp_path / "artifacts"
    (root / "run").mkdir(parents=True)
    fifo = root / "run" / "pipe.json"
    os.mkfifo(fifo)
    record, hung = _bounded(parse_file, fifo, root, "fail", 10**6)
    assert not hung
    assert record["status"] == "rejected" and "not a regular file" in record["error"]
    dev = root / "run" / "zero.json"
    dev.symlink_to("/dev/zero")
    record, hung = _bounded(parse_file, dev, root, "fail", 10**6)
    assert not hung and record["status"] == "rejected"


def test_osv_package_names_match_case_insensitively(tmp_path):
    vuln = {"id": "GHSA-xxxx-yyyy-zzzz", "aliases": ["CVE-2024-0001"], "summary": "Django SQL injection", "affected": [{
        "package": {"ecosystem": "PyPI", "name": "Django"},
        "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "3.2.25"}]},
                   {"type": "ECOSYSTEM", "events": [{"introduced": "4.0"}, {"fixed": "4.2.11"}]}]}]}
    doc = {"results": [{"source": {"path": "requirements.txt", "type": "lockfile"}, "packages": [
        {"package": {"name": "django", "version": "4.1.2", "ecosystem": "PyPI"}, "vulnerabilities": [vuln]}]}]}
    path, _ = _artifact(tmp_path, "run/osv.json", json.dumps(doc).encode())
    pkg = parse_report(path).findings[0]["package"]
    assert (pkg["fixed_version"], pkg["fix_status"]) == ("4.2.11", "fixed")


def test_osv_advisory_without_data_for_the_package_is_unknown_not_none_published():
    assert versions.fix_from_osv_ranges("1.0.0", [], "npm") == (None, versions.UNKNOWN, [])


def test_osv_prefers_a_stable_unaffected_fix_over_a_pre_release():
    affected = [{"ranges": [{"type": "ECOSYSTEM", "events": [
        {"introduced": "0"}, {"fixed": "1.2.0-rc.1"}, {"introduced": "1.2.0"}, {"fixed": "1.2.5"}]}]}]
    assert versions.fix_from_osv_ranges("1.0.0", affected, "npm")[:2] == ("1.2.5", "fixed")
    only_pre = [{"ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.0.0-rc.1"}]}]}]
    assert versions.fix_from_osv_ranges("1.0.0", only_pre, "npm")[:2] == ("2.0.0-rc.1", "fixed")


@pytest.mark.parametrize("run_json", ['{"branch": {"name": "main"}, "commit": "abc"}', '{"branch": "main", "commit": ["a", "b"]}',
                                      '{"branch": true}', '"main"', "[1, 2]"])
def test_run_json_with_non_string_fields_is_one_line(tmp_path, run_json):
    path, root = _artifact(tmp_path, "run-7/semgrep.json", (FIXTURES / "semgrep/one_finding.json").read_bytes())
    (root / "run-7" / "run.json").write_text(run_json)
    record = parse_file(path, root, "skip", 10**6)
    assert record["status"] == "rejected" and "run.json" in record["error"] and "\n" not in record["error"]
    with pytest.raises(SecftError, match="run.json"):
        parse_file(path, root, "fail", 10**6)


@pytest.mark.parametrize("text, expected", [
    ("Scanned /home/runner/work/shop/shop in 3s", "Scanned . in 3s"),
    ("cd /github/workspace && semgrep", "cd . && semgrep"),
    ("/builds/grp/shop: no such file", ".: no such file"),
    ("C:\\actions-runner\\_work\\shop\\shop\\src\\a.py", "src\\a.py"),
])
def test_the_workspace_itself_and_self_hosted_windows_runners_are_scrubbed(text, expected):
    from tasks.findings import paths

    assert paths.scrub_text(text) == expected and not paths.has_ci_prefix(paths.scrub_text(text))


@pytest.mark.parametrize("written, expected", [
    ("/github/workspace", "."), ("/home/runner/work/shop/shop/", "."),
    ("C:\\actions-runner\\_work\\shop\\shop\\app\\x.py", "app/x.py"),
])
def test_workspace_root_and_windows_self_hosted_paths_normalise(written, expected):
    from tasks.findings import paths

    assert paths.normalise(written) == (expected, True)


def _redacted(text: str, path: str) -> str:
    """``text`` as a prompt shows it: what the parsers' detection finds in it, scrubbed."""
    return secrets.scrub(text, secrets.detect(text, path))


def test_an_address_under_a_secret_named_key_is_kept_and_a_credential_in_one_is_not():
    """calibre-web's kobo.py (held-out set 22): a dict of public store URLs whose keys name passwords and tokens was
    redacted line by line in every prompt; a URL with a password, or a webhook whose path is the secret, still is."""
    hook = "https://hooks.slack.com/services/T024BE7LD/B1H9ZBKFU/" + "kmVsIkyfT6oCtCOX2lw1eOHG"
    text = ('    "password_retrieval_page": "https://www.kobo.com/passwordretrieval.html",\n'
            '    "rakuten_token_exchange": "https://storeapi.kobo.com/v1/auth/rakuten_token_exchange",\n'
            f'    "db_password": "https://user:{PUNCT_PW}@db.internal/app",\n    "slack_token": "{hook}",\n')
    kept = _redacted(text, "cps/kobo.py")
    assert "https://www.kobo.com/passwordretrieval.html" in kept and "rakuten_token_exchange\"" in kept
    assert PUNCT_PW not in kept and hook not in kept


def test_a_secrets_name_or_a_dummy_word_given_as_its_value_is_not_redacted():
    """paperless-ngx's test_api_permissions.py (round 27, set 22): `"password": "password"` elsewhere in the file made
    every `password=` keyword in the prompt a redaction marker, and `password="test"` took Bandit's own word "test"
    from its description; a real value beside them still goes."""
    text = ('        data = {"username": "user", "password": "password"}\n'
            '        user1 = User.objects.create(username="testuser", password="test")\n'
            f'        admin = User.objects.create(username="admin", password="{PUNCT_PW}")\n')
    kept = _redacted(text, "src/documents/tests/test_api_permissions.py")
    assert 'password="test"' in kept and '"password": "password"' in kept
    assert PUNCT_PW not in kept
    assert secrets.dummy_word("changeme") and secrets.dummy_word("Password") and not secrets.dummy_word("hunter2xyz")


def test_a_learnt_value_that_is_a_field_value_leaves_the_record_whole(tmp_path):
    """pgadmin4 (held-out set 23): `'OAUTH2_RESPONSE_TYPE': 'code'` in a flagged block was taken as a secret (the key
    matched `auth\\w*`), and the redaction rewrote the record's `kind: code`, failing the whole report's parse."""
    code = ("208                 'OAUTH2_CLIENT_SECRET': 'testclientsec',\n209                 'OAUTH2_TOKEN_URL':\n"
            "210                     'https://keycloak.org/auth/realms/TEST-REALM/protocol/'\n"
            "211                     'openid-connect/token',\n222                 'OAUTH2_CHALLENGE_METHOD': 'S256',\n"
            "223                 'OAUTH2_RESPONSE_TYPE': 'code',\n")
    report = {"errors": [], "generated_at": "2026-12-05T00:00:00Z", "metrics": {"_totals": {}}, "results": [{
        "code": code, "filename": "./web/pgadmin/browser/tests/test_oauth2.py", "issue_confidence": "MEDIUM",
        "issue_cwe": {"id": 259, "link": "https://cwe.mitre.org/data/definitions/259.html"}, "issue_severity": "LOW",
        "issue_text": "Possible hardcoded password: 'https://keycloak.org/auth/realms/TEST-REALM/protocol/openid-connect/token'",
        "line_number": 209, "line_range": list(range(208, 224)), "test_id": "B105", "test_name": "hardcoded_password_string",
        "col_offset": 16}]}
    path, _ = _artifact(tmp_path, "run/bandit.json", json.dumps(report).encode())
    found = parse_report(path).findings
    assert found[0]["kind"] == "code" and "'code'" in found[0]["snippet"] and "'OAUTH2_CHALLENGE_METHOD': 'S256'" in found[0]["snippet"]
    assert "testclientsec" not in json.dumps(found)  # the flagged block's secret still goes


def test_a_placeholder_password_is_shown_and_a_learnt_class_name_leaves_the_evidence_whole(tmp_path):
    """glances (held-out set 24): Bandit's B105 on `'password': 'placeholder'` took the word as a secret; redacting it
    rewrote another record's `secret_evidence.class: placeholder` and the schema check failed the whole report. A
    placeholder word is no secret's value; a learnt value never rewrites the evidence's class."""
    rows = [("299             'username': 'glances',\n300             'password': 'placeholder',\n", 300, "placeholder"),
            ("285             'username': 'glances',\n286             'password': '" + PUNCT_PW + "',\n", 286, PUNCT_PW)]
    report = {"errors": [], "generated_at": "2026-12-05T00:00:00Z", "metrics": {"_totals": {}}, "results": [{
        "code": code, "filename": "./tests/test_browser_tui.py", "issue_confidence": "MEDIUM",
        "issue_cwe": {"id": 259, "link": "https://cwe.mitre.org/data/definitions/259.html"}, "issue_severity": "LOW",
        "issue_text": f"Possible hardcoded password: '{value}'", "line_number": line, "line_range": [line - 1, line],
        "test_id": "B105", "test_name": "hardcoded_password_string", "col_offset": 12} for code, line, value in rows]}
    path, _ = _artifact(tmp_path, "run/bandit.json", json.dumps(report).encode())
    found = parse_report(path).findings
    shown, hidden = found
    assert "'placeholder'" in shown["snippet"] and not shown.get("redacted")
    assert shown["secret_evidence"]["class"] == "placeholder"
    assert PUNCT_PW not in json.dumps(found)
    from tasks.findings.parsers.finalise import finalise

    record = {**shown, "secret_evidence": {"class": "url", "entropy": 3.0, "length": 20, "match": "https://x.example/"},
              "description": "value url"}
    scrubbed = finalise(dict(record, snippet="password = 'url'\ntoken = 'ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8'\n",
                             rule_id="B105", tool="bandit", title="Possible hardcoded password: 'url'"))
    assert scrubbed["secret_evidence"]["class"] == "url"


def test_a_learnt_value_equal_to_an_enum_never_rewrites_the_schema_fields():
    """The same class as pgadmin4's `kind` and glances' `class`: every enum inside the record's objects stays."""
    from tasks.findings.parsers.finalise import finalise

    record = {"id": "e" * 32, "tool": "bandit", "kind": "code", "rule_id": "B105", "title": "Possible hardcoded password: 'x'",
              "severity": "low", "description": "d", "cwe": [], "cve": [], "ghsa": [], "aliases": [], "references": [],
              "location": {"path": "a.py", "start_line": 1, "end_line": 1}, "suppressed": False, "instances": None,
              "snippet": "password = 'unknown'\ntoken = 'package'\nsecret = 'codeFlow'\nkey = 'semgrep-fix'\n",
              "package": {"name": "p", "fix_status": "unknown"}, "match": {"by": "package"},
              "flow": [{"via": "codeFlow", "message": "token = 'package' here"}],
              "scanner_fix": {"kind": "semgrep-fix", "diff": "x"}}
    out = finalise(record)
    assert out["package"]["fix_status"] == "unknown" and out["match"]["by"] == "package"
    assert out["flow"][0]["via"] == "codeFlow" and out["scanner_fix"]["kind"] == "semgrep-fix"
    assert "'package'" not in out["flow"][0]["message"]  # the free text next to them is still scrubbed
