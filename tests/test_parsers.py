"""Every fixture report parses to the exact number of findings, with the right fields."""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES, parse_fixture

from tasks.core.errors import SecftError
from tasks.core.schemas import validate_all
from tasks.findings.parsers import detect, parse_report
from tasks.findings.parsers.loading import load_report

# file -> (findings, detected format). The counts are the 'raw count' column of
# tests/fixtures/scanners/SOURCES.md, written by whoever collected the reports.
EXPECTED = {
    "bandit/bandit-report.json": (11, "bandit"),
    "bandit/bandit-report.sarif": (3, "sarif"),
    "bandit/dd.json": (47, "bandit"),
    "bandit/many_vulns.json": (214, "bandit"),
    "bandit/no_vuln.json": (0, "bandit"),
    "bandit/one_vuln.json": (1, "bandit"),
    "checkov/checkov-report-0-vuln.json": (0, "checkov"),
    "checkov/checkov-report-1-vuln.json": (1, "checkov"),
    "checkov/checkov-report-many-vuln.json": (3, "checkov"),
    "checkov/checkov-report-multiple-check_type.json": (13, "checkov"),
    "checkov/checkov2-report-0-vuln.json": (0, "checkov"),
    "checkov/openapi-runner-results.sarif": (12, "sarif"),
    "gitleaks/data_many.json": (2, "gitleaks"),
    "gitleaks/empty.json": (0, "empty"),
    "gitleaks/gitleaks8_many.json": (4, "gitleaks"),
    "gitleaks/gitleaks_7.5.0.sarif": (8, "sarif"),
    "gitleaks/json_simple.json": (1, "gitleaks"),
    "gitleaks/no_findings.json": (0, "empty"),
    "gitleaks/redacted_data_many.json": (6, "gitleaks"),
    "gitleaks/sarif_simple.sarif": (1, "sarif"),
    "grype/TestEmptyJsonPresenter.json": (0, "grype"),
    "grype/TestSarifPresenter_image.sarif": (2, "sarif"),
    "grype/check_all_fields.json": (6, "grype"),
    "grype/cxf-3.4.6.sarif": (22, "sarif"),
    "grype/many_vulns.json": (1509, "grype"),
    "grype/many_vulns_with_epss_values.json": (15, "grype"),
    "grype/no_vuln.json": (0, "grype"),
    "grype/same_cve_different_paths.json": (2, "grype"),
    "npm_audit/many_vuln_npm7.json": (15, "npm-audit"),
    "npm_audit/multiple_cwes.json": (41, "npm-audit"),
    "npm_audit/no_vuln.json": (0, "npm-audit"),
    "npm_audit/npm7plus_many_vulns.json": (6, "npm-audit"),
    "npm_audit/npm7plus_no_vuln.json": (0, "npm-audit"),
    "npm_audit/one_vuln.json": (1, "npm-audit"),
    "osv_scanner/many_findings.json": (66, "osv-scanner"),
    "osv_scanner/no_findings.json": (0, "empty"),
    "osv_scanner/results-empty.json": (0, "osv-scanner"),
    "osv_scanner/some_findings.json": (1, "osv-scanner"),
    "osv_scanner/test-vuln-results-a.json": (3, "osv-scanner"),
    "pip_audit/empty.json": (0, "empty"),
    "pip_audit/empty_new.json": (0, "pip-audit"),
    "pip_audit/many_vulns.json": (7, "pip-audit"),
    "pip_audit/zero_vulns.json": (0, "pip-audit"),
    "sarif/DefectDojo_django-DefectDojo__2020-12-11_13 42 10__export.sarif": (510, "sarif"),
    "sarif/appendix_k.sarif": (1, "sarif"),
    "sarif/appendix_k1.sarif": (0, "sarif"),
    "sarif/codeQL-output.sarif": (72, "sarif"),
    "sarif/example-3-13-5-01.json": (2, "sarif"),
    "sarif/no_runs.sarif": (0, "sarif"),
    "sarif/suppression_test.sarif": (5, "sarif"),
    "semgrep/empty.json": (0, "semgrep"),
    "semgrep/high-medium-low-severities.json": (3, "semgrep"),
    "semgrep/many_vulns.json": (48, "semgrep"),
    "semgrep/one_finding.json": (1, "semgrep"),
    "semgrep/repeated_findings.json": (2, "semgrep"),
    "semgrep/semgrepowasp-benchmark-sample.sarif": (1768, "sarif"),
    "semgrep/test_sarif_output_include_nosemgrep.sarif": (2, "sarif"),
    "semgrep/test_sarif_output_when_errors.sarif": (0, "sarif"),
    "trivy/alpine-310.sarif": (4, "sarif"),
    "trivy/juice-shop-v12.10.2.json": (185, "trivy"),
    "trivy/kubernetes.json": (20, "trivy"),
    "trivy/legacy_many_vulns.json": (93, "trivy"),
    "trivy/legacy_no_vuln.json": (0, "empty"),
    "trivy/misconfigurations_and_secrets.json": (5, "trivy"),
    "trivy/scheme_2_no_vuln.json": (0, "trivy"),
    "trivy/trivy-results.sarif": (0, "sarif"),
    "zap/basic-traditional-json-plus.json": (1, "zap"),
    "zap/basic-traditional-json.json": (1, "zap"),
    "zap/empty_2.9.0.xml": (0, "zap"),
    "zap/juice-shop.json": (7, "zap"),
    "zap/juicy2.xml": (6, "zap"),
    "zap/some_2.9.0.xml": (7, "zap"),
    "zap/zap-results-first-scan.xml": (15, "zap"),
    "zap/zap_2.16.1_with_req_resp.xml": (4, "zap"),
}
BAD = {"sarif/JSON1001.SyntaxError.sarif", "npm_audit/empty_with_error.json"}


def test_every_fixture_is_covered():
    on_disk = {p.relative_to(FIXTURES).as_posix() for p in FIXTURES.rglob("*") if p.is_file() and p.name != "SOURCES.md"}
    assert on_disk == set(EXPECTED) | BAD


@pytest.mark.parametrize("relpath", sorted(EXPECTED))
def test_fixture_count_format_and_schema(relpath):
    count, fmt = EXPECTED[relpath]
    report = parse_fixture(relpath)
    assert report.format == fmt
    assert len(report.findings) == count
    assert report.raw_count == count
    validate_all("finding", report.findings, relpath)
    for f in report.findings:
        assert f["source"]["sha256"] == report.sha256


def _one(relpath, **match):
    found = [f for f in parse_fixture(relpath).findings if all(f.get(k) == v for k, v in match.items())]
    assert len(found) >= 1, f"no finding with {match} in {relpath}"
    return found[0]


def test_semgrep_fields():
    f = _one("semgrep/one_finding.json")
    assert f["tool"] == "semgrep"
    assert f["rule_id"] == "java.lang.security.audit.cbc-padding-oracle.cbc-padding-oracle"
    assert f["severity"] == "medium"  # WARNING
    assert f["cwe"] == ["CWE-696"]
    assert f["location"] == {"path": "src/main/java/org/owasp/benchmark/testcode/BenchmarkTest02194.java", "start_line": 64, "end_line": 64}
    assert "AES/GCM/NoPadding" in f["fix_hint"]
    assert "DES/CBC/PKCS5Padding" in f["snippet"]


def test_trivy_vulnerability_misconfiguration_and_secret():
    rel = "trivy/misconfigurations_and_secrets.json"
    v = _one(rel, rule_id="CVE-2021-33503")
    assert v["severity"] == "high" and v["cwe"] == ["CWE-400"] and v["kind"] == "dependency"
    assert v["package"] == {"name": "urllib3", "version": "1.26.3", "fixed_version": "1.26.5", "ecosystem": "pip",
                            "fix_status": "fixed", "fixed_versions": ["1.26.5"], "purl": None, "group": None}
    assert "GHSA-q2q7-5pp4-w6pg" in v["ghsa"]
    m = _one(rel, rule_id="DS002")
    assert m["kind"] == "config" and m["severity"] == "high" and m["location"]["path"] == "Dockerfile"
    assert "USER" in m["fix_hint"]
    s = _one(rel, rule_id="github-pat")
    assert s["kind"] == "secret" and s["severity"] == "critical" and s["redacted"] is True


def test_trivy_kubernetes_resources():
    f = _one("trivy/kubernetes.json", rule_id="KSV011")
    assert f["location"] == {"path": "default/Deployment/redis-follower", "start_line": 132, "end_line": 143}
    assert f["severity"] == "low"


def test_trivy_sarif_package_data():
    f = _one("trivy/alpine-310.sarif", rule_id="CVE-2019-1549")
    assert f["tool"] == "trivy"
    assert f["package"]["name"] == "libcrypto1.1"
    assert f["package"]["version"] == "1.1.1c-r0" and f["package"]["fixed_version"] == "1.1.1d-r0"


def test_checkov_fields():
    f = _one("checkov/checkov-report-1-vuln.json")
    assert f["rule_id"] == "CKV_AZURE_42" and f["kind"] == "config"
    assert f["location"] == {"path": "file_path", "start_line": 1, "end_line": 16}
    assert f["fix_hint"] == "https://docs.bridgecrew.io/docs/ensure-the-key-vault-is-recoverable"
    assert parse_fixture("checkov/openapi-runner-results.sarif").tools == ["checkov"]


def test_osv_fields():
    f = _one("osv_scanner/some_findings.json")
    assert f["rule_id"] == "MAL-2023-1035" and f["cwe"] == ["CWE-506"]
    assert f["package"] == {"name": "flot-axis", "version": "0.0.0", "fixed_version": None, "ecosystem": "npm",
                            "fix_status": "none published", "fixed_versions": [], "purl": "pkg:npm/flot-axis", "group": None}
    assert f["ghsa"] == ["GHSA-8348-2q94-ffjx"] and f["severity"] == "critical"


def test_zap_alert_with_instances():
    f = _one("zap/some_2.9.0.xml", rule_id="10011")
    assert f["title"] == "Cookie Without Secure Flag" and f["severity"] == "low" and f["cwe"] == ["CWE-614"]
    assert [i["param"] for i in f["instances"]] == ["opvc", "dmid", "sitevisitscookie"]
    assert "secure flag" in f["fix_hint"]
    high = [f for f in parse_fixture("zap/zap-results-first-scan.xml").findings if f["severity"] == "high"]
    assert len(high) == 4  # riskcode 3


def test_bandit_grype_npm_pip_fields():
    b = _one("bandit/bandit-report.json", rule_id="B101")
    assert b["severity"] == "low" and b["cwe"] == ["CWE-703"]
    g = _one("grype/check_all_fields.json", rule_id="CVE-2004-0971")
    assert g["severity"] == "info"  # Negligible
    assert g["package"]["name"] == "libgssapi-krb5-2" and g["package"]["fixed_version"] is None
    n = _one("npm_audit/one_vuln.json")
    assert n["package"]["name"] == "growl" and n["package"]["fixed_version"] == "1.10.2"
    assert n["severity"] == "critical" and n["cwe"] == ["CWE-94"] and n["cve"] == ["CVE-2017-16042"]
    n7 = _one("npm_audit/npm7plus_many_vulns.json", title="Regular Expression Denial of Service in debug")
    assert n7["cwe"] == ["CWE-400"] and n7["ghsa"] == ["GHSA-gxpj-cx7g-858c"] and n7["severity"] == "medium"
    d = _one("pip_audit/many_vulns.json", rule_id="PYSEC-2021-439")
    assert d["package"]["version"] == "3.2.9" and d["package"]["fixed_version"] == "3.2.10"


def test_sarif_suppressions_message_templates_and_fingerprints():
    assert [f["suppressed"] for f in parse_fixture("sarif/suppression_test.sarif").findings] == [True, True, True, False, False]
    assert sum(f["suppressed"] for f in parse_fixture("semgrep/test_sarif_output_include_nosemgrep.sarif").findings) == 1
    k = parse_fixture("sarif/appendix_k.sarif").findings[0]
    assert k["suppressed"] and k["location"]["path"] == "collections/list.h"
    codeql = parse_fixture("sarif/codeQL-output.sarif").findings
    assert len({f["id"] for f in codeql}) == len(codeql)  # line hashes are per file, not global
    assert any(f["cwe"] == ["CWE-390"] for f in codeql)
    two_runs = parse_fixture("sarif/example-3-13-5-01.json")
    assert two_runs.tools == ["imageaccessibilityscanner", "imagesuitabilityscanner"]


def test_ids_are_stable_across_runs_and_copies(tmp_path):
    src = FIXTURES / "semgrep/many_vulns.json"
    copy = tmp_path / "later-run.json"
    copy.write_text(json.dumps(json.loads(src.read_text()), indent=4))  # same results, other bytes
    first = [f["id"] for f in parse_report(src).findings]
    assert first == [f["id"] for f in parse_report(copy).findings]
    # same issue at the same place, reported twice in one report, gets one id
    rep = parse_fixture("semgrep/repeated_findings.json").findings
    assert rep[0]["id"] == rep[1]["id"]


def test_malformed_json_is_one_line_naming_the_file():
    with pytest.raises(SecftError) as exc:
        parse_report(FIXTURES / "sarif/JSON1001.SyntaxError.sarif")
    msg = str(exc.value)
    assert "\n" not in msg and "JSON1001.SyntaxError.sarif" in msg and "malformed JSON at line 3" in msg


def test_npm_error_object_is_rejected():
    with pytest.raises(SecftError, match=r"empty_with_error\.json: npm audit reported an error.*ENOAUDIT"):
        parse_report(FIXTURES / "npm_audit/empty_with_error.json")


def test_unknown_format_and_huge_file(tmp_path):
    odd = tmp_path / "odd.json"
    odd.write_text('{"hello": [1, 2]}')
    with pytest.raises(SecftError, match=r"odd\.json: unrecognised report format \(a JSON object with keys hello\)"):
        parse_report(odd)
    with pytest.raises(SecftError, match=r"many_vulns\.json: report is 3804852 bytes, over the parse\.max_bytes limit of 1000000"):
        parse_report(FIXTURES / "grype/many_vulns.json", max_bytes=1_000_000)


def test_xml_entity_expansion_is_refused(tmp_path):
    bomb = tmp_path / "bomb.xml"
    bomb.write_text(
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        '<OWASPZAPReport version="2.9.0"><site name="&lol2;"/></OWASPZAPReport>'
    )
    with pytest.raises(SecftError, match=r"bomb\.xml: unsafe XML refused"):
        load_report(bomb)


def _raw_gitleaks_secrets() -> set[str]:
    secrets = set()
    for path in (FIXTURES / "gitleaks").glob("*.json"):
        data = json.loads(path.read_text() or "null") or []
        for d in data:
            for key in ("Secret", "offender"):
                if d.get(key) and d[key] != "REDACTED":
                    secrets.add(d[key])
    for path in (FIXTURES / "gitleaks").glob("*.sarif"):
        for run in json.loads(path.read_text())["runs"]:
            for r in run.get("results") or []:
                off = (r.get("properties") or {}).get("offender")
                if off:
                    secrets.add(off)
    return secrets


RAW_SECRETS = _raw_gitleaks_secrets()


def test_secrets_are_redacted_in_every_finding():
    assert len(RAW_SECRETS) >= 5  # the test would be vacuous without real secrets to look for
    outputs = []
    for path in sorted((FIXTURES / "gitleaks").iterdir()):
        if path.suffix in (".json", ".sarif"):
            outputs.append(json.dumps(parse_report(path).findings))
    outputs.append(json.dumps(parse_fixture("trivy/misconfigurations_and_secrets.json").findings))
    text = "\n".join(outputs)
    leaked = [s for s in RAW_SECRETS if s in text]
    assert leaked == []
    assert text.count("[REDACTED secret sha256:") >= 4


def test_detection_ignores_file_names(tmp_path):
    disguised = tmp_path / "results.sarif"  # a Trivy JSON report under a SARIF-looking name
    disguised.write_bytes((FIXTURES / "trivy/legacy_many_vulns.json").read_bytes())
    assert parse_report(disguised).format == "trivy"
    assert detect(json.loads((FIXTURES / "bandit/one_vuln.json").read_text())) == "bandit"
