"""A folder laid out like a real CI download goes through the real parse_findings doit tasks.

ZAP's baseline action upload (HTML + Markdown + JSON side by side), gitleaks'
``results.sarif/`` folder, a Semgrep JSON + SARIF pair of one scan, Trivy SARIF
with an empty ``Fixed Version:``, OSV and Grype with several affected ranges,
secrets in Semgrep / Bandit / Checkov results and runner-prefixed paths.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, REPO, make_workspace, run_doit

LAYOUTS = REPO / "tests" / "fixtures" / "ci_layouts"
GH = "/home/runner/work/shop/shop/"
# assembled at run time so no secret scanner flags this file; AWS's documented example key pair
EXAMPLE_ID = "AKIA" + "IOSFODNN7EXAMPLE"
EXAMPLE_SIG = "wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCYEXAMPLEKEY"
EXAMPLE_GH = "ghp_" + "x1Y2z3A4b5C6d7E8f9G0h1I2j3K4l5M6n7O8"
EXAMPLE_DB = "s3cr3t-" + "Hunter2-pa55"
# (file:/// alone is no CI prefix: the CWE catalogue quotes file:///c:/winnt/win.ini)
CI_PREFIX = re.compile(r"/home/runner/work/|/github/workspace|[A-Z]:[\\/]+a[\\/]|/builds/|/var/lib/jenkins/workspace/"
                       r"|file:///(?:home|github|builds|var/lib/jenkins|[A-Z]:/a/)|(?<![\w./-])/workspace/")


def _semgrep_pair(dest: Path) -> tuple[int, set]:
    """The same scan as Semgrep JSON (no login: 'requires login') and as SARIF (code, other rule prefix)."""
    doc = json.loads((FIXTURES / "semgrep/many_vulns.json").read_text())
    secret_hit = {"check_id": "tmp.generic.secrets.security.detected-aws-secret-access-key", "path": "app/settings.py",
                  "start": {"line": 3, "col": 1}, "end": {"line": 3, "col": 60},
                  "extra": {"message": "AWS secret access key detected", "severity": "ERROR", "metadata": {}, "lines": ""}}
    token_hit = {"check_id": "python.lang.best-practice.open-never-closed", "path": "app/tokens.py",
                 "start": {"line": 9, "col": 5}, "end": {"line": 9, "col": 40},
                 "extra": {"message": "file object opened without close", "severity": "INFO", "metadata": {}, "lines": ""}}
    code = {"app/settings.py": f'AWS_SECRET_ACCESS_KEY = "{EXAMPLE_SIG}"',
            "app/tokens.py": f'session.headers["Authorization"] = "token {EXAMPLE_GH}"'}
    results = doc["results"] + [secret_hit, token_hit]
    sarif_results, rules = [], {}
    for r in results:
        rule = r["check_id"].split(".", 1)[1] if r["check_id"].startswith("tmp.") else r["check_id"]
        rules[rule] = {"id": rule, "name": rule, "shortDescription": {"text": f"Semgrep Finding: {rule}"}}
        sarif_results.append({
            "ruleId": rule, "message": {"text": r["extra"]["message"]},
            "partialFingerprints": {"primaryLocationLineHash": "requires login"},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": r["path"], "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": r["start"]["line"], "startColumn": r["start"]["col"],
                           "endLine": r["end"]["line"], "snippet": {"text": code.get(r["path"], r["extra"]["lines"])}}}}],
        })
    for r in results:
        r["extra"]["lines"] = "requires login"
        r["extra"]["fingerprint"] = "requires login"
    (dest / "semgrep-results.json").write_text(json.dumps({"results": results, "errors": [], "version": "1.50.0"}))
    sarif = {"version": "2.1.0", "$schema": "https://json.schemastore.org/sarif-2.1.0.json", "runs": [{
        "tool": {"driver": {"name": "Semgrep OSS", "semanticVersion": "1.50.0", "rules": list(rules.values())}},
        "originalUriBaseIds": {"%SRCROOT%": {"uri": "file://" + GH}},
        "results": sarif_results}]}
    (dest / "semgrep.sarif").write_text(json.dumps(sarif))
    return len(results), {(r["check_id"].rsplit(".", 1)[1], r["path"], r["start"]["line"]) for r in results}


def _dependencies(dest: Path) -> None:
    logback = {"id": "GHSA-pr98-23f8-jwxv", "aliases": ["CVE-2024-12798"], "summary": "logback-core expression language injection",
               "details": "JaninoEventEvaluator ...", "affected": [{
                   "package": {"ecosystem": "Maven", "name": "ch.qos.logback:logback-core", "purl": "pkg:maven/ch.qos.logback/logback-core"},
                   "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.3.15"}]},
                              {"type": "ECOSYSTEM", "events": [{"introduced": "1.4.0"}, {"fixed": "1.5.13"}]}]}]}
    netty = {"id": "GHSA-prj3-ccx8-p6x4", "aliases": ["CVE-2025-55163"], "summary": "Netty MadeYouReset HTTP/2 DDoS",
             "details": "...", "affected": [{
                 "package": {"ecosystem": "Maven", "name": "io.netty:netty-codec-http2"},
                 "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "4.1.124.Final"}]},
                            {"type": "ECOSYSTEM", "events": [{"introduced": "4.2.0.Alpha1"}, {"fixed": "4.2.4.Final"}]}]}]}
    osv = {"results": [{"source": {"path": GH + "pom.xml", "type": "lockfile"}, "packages": [
        {"package": {"name": "ch.qos.logback:logback-core", "version": "1.3.5", "ecosystem": "Maven"}, "vulnerabilities": [logback],
         "groups": [{"ids": ["GHSA-pr98-23f8-jwxv"], "max_severity": "5.9"}]},
        {"package": {"name": "io.netty:netty-codec-http2", "version": "4.1.100.Final", "ecosystem": "Maven"}, "vulnerabilities": [netty],
         "groups": [{"ids": ["GHSA-prj3-ccx8-p6x4"], "max_severity": "7.5"}]}]}]}
    (dest / "osv-results.json").write_text(json.dumps(osv))
    grype = json.loads((FIXTURES / "grype/same_cve_different_paths.json").read_text())
    match = grype["matches"][0]
    match["vulnerability"].update(id="CVE-2024-12798", fix={"versions": ["1.5.13", "1.3.15"], "state": "fixed"})
    match["relatedVulnerabilities"] = [{"id": "GHSA-pr98-23f8-jwxv"}]
    match["artifact"].update(name="logback-core", version="1.3.5", type="java-archive", purl="pkg:maven/ch.qos.logback/logback-core@1.3.5",
                             locations=[{"path": "/github/workspace/lib/logback-core-1.3.5.jar"}])
    grype["matches"] = [match]
    (dest / "grype.json").write_text(json.dumps(grype))
    trivy = json.loads((FIXTURES / "trivy/misconfigurations_and_secrets.json").read_text())
    result = next(r for r in trivy["Results"] if r.get("Vulnerabilities"))
    result["Type"], vuln = "jar", result["Vulnerabilities"][0]
    vuln.update(VulnerabilityID="CVE-2023-2976", PkgName="com.google.guava:guava", InstalledVersion="31.1-jre",
                FixedVersion="32.0.1-android", PkgPath=GH + "lib/guava-31.1-jre.jar")
    (dest / "trivy.json").write_text(json.dumps(trivy))
    sarif = json.loads((FIXTURES / "trivy/alpine-310.sarif").read_text())
    first = sarif["runs"][0]["results"][0]
    first["message"]["text"] = re.sub(r"Fixed Version: [^\n]*", "Fixed Version: ", first["message"]["text"])
    (dest / "trivy-image.sarif").write_text(json.dumps(sarif))


def _secrets(dest: Path) -> None:
    bandit = json.loads((FIXTURES / "bandit/one_vuln.json").read_text())
    hit = dict(bandit["results"][0], test_id="B105", test_name="hardcoded_password_string", line_number=12, line_range=[12],
               filename="D:\\a\\shop\\shop\\app\\db.py", issue_text="Possible hardcoded password",
               code=f"11 def connect():\n12     password = '{EXAMPLE_DB}'\n13     return db(password)\n")
    bandit["results"] = [hit]
    (dest / "bandit.json").write_text(json.dumps(bandit))
    checkov = json.loads((FIXTURES / "checkov/checkov-report-1-vuln.json").read_text())
    check = dict(checkov["results"]["failed_checks"][0], check_id="CKV_AWS_41",
                 check_name="Ensure no hard coded AWS access key and secret key exists in provider",
                 file_path="/var/lib/jenkins/workspace/shop/main.tf", file_line_range=[1, 4],
                 code_block=[[1, 'provider "aws" {\n'], [2, f'  access_key = "{EXAMPLE_ID}"\n'],
                             [3, f'  secret_key = "{EXAMPLE_SIG}"\n'], [4, "}\n"]])
    checkov["results"]["failed_checks"] = [check]
    (dest / "checkov.json").write_text(json.dumps(checkov))


def _more_secrets(dest: Path) -> set[str]:
    """Secrets a logged-in Semgrep, Bandit B106/B107 and Checkov CKV_SECRET_* report, some with punctuation."""
    api, hook = "Zx9" + "Qw7Lk2Mn8Pb4Vc6Rt1Yh3Ju5", "https://hooks.slack.com/services/T0" + "1234567/B01234567/abcdefghijklmnopqrstuvwx"
    bearer = "eyJhbGciOiJIUzI1NiJ9" + ".eyJzdWIiOiIxMjM0NTY3ODkwIn0.sflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
    hdr, pw6, pw7, b64 = "AKIA" + "ZZZZYYYYXXXXWWWW", "Tr0ub4dor" + "&3", "P@ss!w0rd" + "#2024", "cGFzc3dvcmQx" + "MjM0NTY3OA=="
    db = "s3cr3t" + "&Hunter2!"  # only detect-secrets can find this one: the rule is not about secrets

    def hit(check_id, path, message, lines, cwe=()):
        return {"check_id": check_id, "path": path, "start": {"line": 4, "col": 7}, "end": {"line": 4, "col": 60},
                "extra": {"message": message, "severity": "ERROR", "metadata": {"cwe": list(cwe)}, "lines": lines}}

    semgrep = {"version": "1.50.0", "errors": [], "results": [
        hit("generic.secrets.security.detected-generic-api-key.detected-generic-api-key", "/github/workspace/src/conf.js",
            "Generic API Key detected", f"const apiKey = '{api}';", ["CWE-798"]),
        hit("generic.secrets.security.detected-slack-webhook.detected-slack-webhook", "src/notify.py", "Slack Webhook detected", f"URL = {hook}"),
        hit("python.requests.security.disabled-cert-validation", GH + "src/http.py",
            f"Certificate verification disabled; seen with header Authorization: Bearer {bearer} and db_pass: \"{db}\"",
            f"requests.get(url, headers={{'X-Api-Key': '{hdr}'}}, verify=False)", ["CWE-295"]),
    ]}
    (dest / "semgrep-loggedin.json").write_text(json.dumps(semgrep))
    bandit = json.loads((FIXTURES / "bandit/one_vuln.json").read_text())
    first = bandit["results"][0]
    bandit["results"] = [
        dict(first, test_id="B106", test_name="hardcoded_password_funcarg", line_number=5, line_range=[5],
             filename="/builds/grp/shop/app/x.py", issue_text=f"Possible hardcoded password: '{pw6}'",
             code=f"4 def f():\n5     connect(user='bob', password='{pw6}')\n6 \n"),
        dict(first, test_id="B107", test_name="hardcoded_password_default", line_number=8, line_range=[8, 9],
             filename="app/y.py", issue_text=f"Possible hardcoded password: '{pw7}'",
             code=f"8 def login(user,\n9           password='{pw7}'):\n10     pass\n"),
    ]
    (dest / "bandit-more.json").write_text(json.dumps(bandit))
    checkov = json.loads((FIXTURES / "checkov/checkov-report-1-vuln.json").read_text())
    checkov["check_type"] = "secrets"
    checkov["results"]["failed_checks"] = [dict(checkov["results"]["failed_checks"][0], check_id="CKV_SECRET_6",
        check_name="Base64 High Entropy String", file_path="/workspace/deploy/values.yaml", repo_file_path="/deploy/values.yaml",
        file_line_range=[3, 3], code_block=[[3, f"  db_password: {b64}\n"]])]
    (dest / "checkov-secrets.json").write_text(json.dumps([checkov]))
    # with the fragments a redaction that stops at the first symbol leaves behind
    return {api, hook, bearer, hdr, pw6, pw7, b64, db, "]&3'", "]&Hunter2!"}


def _raw_gitleaks_secrets() -> set[str]:
    doc = json.loads((FIXTURES / "gitleaks/gitleaks_7.5.0.sarif").read_text())
    return {(r.get("properties") or {}).get("offender") for run in doc["runs"] for r in run["results"]} - {None, ""}


@pytest.fixture(scope="module")
def ci_run(tmp_path_factory):
    ws = make_workspace(tmp_path_factory.mktemp("ci") / "ws", artifacts=[])
    run_dir = ws / "data" / "artifacts" / "run-1"
    shutil.copytree(LAYOUTS / "zap-baseline-action", run_dir / "zap-report")
    leaks = run_dir / "gitleaks" / "results.sarif"
    leaks.mkdir(parents=True)
    shutil.copy2(FIXTURES / "gitleaks/gitleaks_7.5.0.sarif", leaks / "results.sarif")
    for name in ("semgrep", "deps", "secrets", "more-secrets"):
        (run_dir / name).mkdir()
    raw, places = _semgrep_pair(run_dir / "semgrep")
    _dependencies(run_dir / "deps")
    _secrets(run_dir / "secrets")
    (ws / "more_secrets.json").write_text(json.dumps(sorted(_more_secrets(run_dir / "more-secrets"))))
    # through the datasets: narratives and rows must be as clean as the findings
    run = run_doit(ws, "build_datasets")
    assert run.returncode == 0, run.output[-3000:]
    findings = [json.loads(line) for line in (ws / "data/findings/findings.jsonl").read_text().splitlines()]
    summary = json.loads((ws / "data/findings/findings_summary.json").read_text())
    return ws, findings, summary, raw, places


def test_default_config_builds_and_ignores_human_reports(ci_run):
    ws, findings, summary, _, _ = ci_run
    assert summary["rejected"] == []
    assert sorted((i["artifact"].rsplit("/", 1)[1], i["kind"]) for i in summary["ignored"]) == [
        ("report_html.html", "html"), ("report_md.md", "markdown")]
    assert any(f["tool"] == "zap" for f in findings)
    assert sum(1 for f in findings if f["tool"] == "gitleaks") == 8


def test_semgrep_json_and_sarif_of_one_scan_merge(ci_run):
    _, findings, _, raw, places = ci_run
    semgrep = [f for f in findings if f["tool"] == "semgrep" and "/semgrep/" in f["source"]["artifact"]]
    assert len(semgrep) == len(places) == raw == 50
    assert all(f["seen_count"] == 2 for f in semgrep)
    assert all(f["snippet"] and f["snippet"] != "requires login" for f in semgrep if f["location"]["path"].startswith("app/"))
    assert all(f["location"]["path"] == f["location"]["path"].lstrip("/") for f in semgrep)


def test_fixed_versions_per_case(ci_run):
    _, findings, _, _, _ = ci_run
    deps = {(f["package"]["name"].rsplit(":", 1)[-1], f["package"]["version"]): f for f in findings if f.get("package")}
    logback = deps[("logback-core", "1.3.5")]
    assert logback["package"]["fixed_version"] == "1.3.15"
    assert {"CVE-2024-12798", "GHSA-pr98-23f8-jwxv"} <= set(logback["aliases"])
    assert logback["seen_count"] == 2  # OSV and Grype: one finding
    assert sum(1 for f in findings if (f.get("package") or {}).get("name", "").endswith("logback-core")) == 1
    assert deps[("netty-codec-http2", "4.1.100.Final")]["package"]["fixed_version"] == "4.1.124.Final"
    guava = deps[("guava", "31.1-jre")]["package"]
    assert guava["fixed_version"] == "32.0.1-jre" and guava["group"] == "com.google.guava"
    empty = next(f for f in findings if f["tool"] == "trivy" and f["rule_id"] == "CVE-2019-1549"
                 and f["package"]["name"] == "libcrypto1.1")
    assert empty["package"]["fixed_version"] is None and empty["package"]["fix_status"] == "none published"
    assert empty["fix_hint"] is None


def _outputs(ws: Path) -> list[Path]:
    """Every file the build wrote: data/ without the artifacts and the tokenizer corpus, and fine-tuning/."""
    roots = [p for p in (ws / "data").iterdir() if p.name not in ("artifacts", "corpus")] + [ws / "fine-tuning"]
    files = [p for r in roots for p in r.rglob("*") if p.is_file()]
    assert any(p.parent.name == "training_data" for p in files) and any(p.parent.name == "narratives" for p in files)
    return files


def _output_texts(ws: Path) -> dict[Path, str]:
    """The JSON and JSONL outputs as text (doit's own database and caches aside: see the secrets test)."""
    return {p: p.read_text(encoding="utf-8", errors="replace") for p in _outputs(ws)
            if p.suffix in (".json", ".jsonl") and not p.name.startswith(".")}


def _without_original_paths(value):
    """The report's own path is kept, on purpose, only in location.original_path."""
    if isinstance(value, dict):
        return {k: _without_original_paths(v) for k, v in value.items() if k != "original_path"}
    if isinstance(value, list):
        return [_without_original_paths(v) for v in value]
    return value


def test_no_ci_prefix_in_any_output(ci_run):
    ws, findings, _, _, _ = ci_run
    originals = {f["location"]["original_path"] for f in findings if f.get("location") and f["location"].get("original_path")}
    assert any(o.startswith(GH) for o in originals) and any(o.startswith("D:\\a\\") for o in originals)
    for path, text in _output_texts(ws).items():
        docs = [json.loads(line) for line in text.splitlines()] if path.suffix == ".jsonl" else [json.loads(text)]
        text = json.dumps(_without_original_paths(docs))
        assert not CI_PREFIX.search(text), (path, CI_PREFIX.search(text).group(0))
    checkov = next(f for f in findings if f["tool"] == "checkov")
    assert checkov["location"]["path"] == "main.tf"


def test_no_raw_secret_in_any_output(ci_run):
    ws, findings, summary, _, _ = ci_run
    raw = {EXAMPLE_ID, EXAMPLE_SIG, EXAMPLE_GH, EXAMPLE_DB} | _raw_gitleaks_secrets()
    raw |= set(json.loads((ws / "more_secrets.json").read_text()))
    assert len(raw) >= 14
    for path in _outputs(ws):  # every byte of every output, doit's database included
        data = path.read_bytes()
        assert [s for s in raw if s.encode() in data] == [], path
    assert {"bandit", "checkov", "semgrep", "gitleaks"} <= set(summary["redacted_by_tool"])
    bandit = next(f for f in findings if f["tool"] == "bandit")
    assert "return db(password)" in bandit["snippet"] and "[REDACTED secret sha256:" in bandit["snippet"]
