"""Stage-1 wording defects a blind review found (issue 22), each on real report text: a fence left without its
lead-in ("- ```hcl"), a sentence cut inside inline code, a garbled Semgrep autofix, a secret paragraph that
fits every secret, an advisory range said twice, the guideline URL repeated from References."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tasks.enrich.analysis import what_is_wrong
from tasks.enrich.credentials import what_it_grants
from tasks.enrich.narrative import _hint, narrative_for
from tasks.enrich.wording import content_words, drop_restating, split_sentences
from tasks.findings.model import as_finding
from tasks.findings.parse import parse_report

from test_enrich_datasets import kb_path  # noqa: F401

SCANNERS = Path(__file__).parent / "fixtures" / "scanners"


def test_a_restating_lead_in_stays_with_its_code_block():
    # DefectDojo checkov-report-0/1 (CKV_AZURE_42 on azurerm_key_vault.main): the lead-in repeats the title
    said = set(content_words("CKV_AZURE_42 Ensure the key vault is recoverable (resource azurerm_key_vault.main, framework terraform)"))
    item = ("To make the key vault recoverable, set this (resource azurerm_key_vault.main):\n\n```hcl\n"
            "purge_protection_enabled   = true\nsoft_delete_retention_days = 90\n```\nThen re-run checkov to confirm CKV_AZURE_42 passes.")
    kept = drop_restating(item, said)
    assert kept.startswith("To make the key vault recoverable") and "```hcl\npurge_protection_enabled" in kept
    # a restating sentence with no code after it still goes
    assert drop_restating("Ensure the key vault is recoverable for azurerm_key_vault.main framework terraform.", said) == ""


def test_sentences_are_never_cut_inside_inline_code():
    text = "Pin the action: `uses: actions/checkout@v4`. Then check `on(build: x)` before merging."
    assert split_sentences(text) == ["Pin the action:", "`uses: actions/checkout@v4`.", "Then check `on(build: x)` before merging."]


@pytest.mark.parametrize("fix,snippet,kept", [
    # semgrepowasp-benchmark-sample.sarif, cbc-padding-oracle: the parser's autofix lost its dots
    ('javax crypto Cipher.getInstance("AES/GCM/NoPadding");', 'javax.crypto.Cipher c = javax.crypto.Cipher.getInstance("DES/CBC/PKCS5Padding");', False),
    # DefectDojo semgrep many_vulns.json, use-defused-xml: the fix is one word of an import
    ("defusedxml", "from xml.dom import NamespaceErr", False),
    ("yaml.safe_load(data)", "cfg = yaml.load(data)", True),
])
def test_a_semgrep_autofix_is_shown_only_when_it_reads_as_code(fix, snippet, kept):
    f = {"id": "c" * 32, "tool": "semgrep", "kind": "code", "rule_id": "r", "title": "t", "severity": "high",
         "fix_hint": fix, "snippet": snippet, "location": {"path": "A.java", "start_line": 3, "end_line": 3}}
    assert (_hint(as_finding(f)) is not None) == kept


def test_a_secret_says_what_its_kind_grants_and_how_to_check_it():
    findings = parse_report(SCANNERS / "gitleaks" / "data_many.json").findings
    github = next(f for f in findings if f["rule_id"] == "Github")
    text = what_is_wrong(github, ["CWE-798"], "kind-default")
    assert "https://api.github.com/user" in text and "X-OAuth-Scopes" in text
    assert "every clone" not in text  # the paragraph that fitted every secret is gone
    generic = next((f for f in findings if "generic" in f["rule_id"].lower()), None) or github | {"rule_id": "generic-api-key", "title": "Generic API Key"}
    assert what_it_grants(generic) == ""  # an unknown kind: say less


def test_a_dependency_row_does_not_repeat_the_affected_range_its_verdict_gives(tmp_path):
    findings = parse_report(SCANNERS / "osv_scanner" / "some_findings.json").findings
    f = findings[0]
    assert f["package"]["version"] and "affected range" not in what_is_wrong(f, [], "report")


@pytest.fixture(scope="module")
def kb(kb_path):  # noqa: F811
    from tasks.enrich.knowledge_base import KnowledgeBase

    return KnowledgeBase(kb_path)


def test_the_guideline_url_is_not_a_fix_step_twice(kb):
    # DefectDojo checkov-report-1-vuln.json: the check's only guidance is its documentation link
    f = parse_report(SCANNERS / "checkov" / "checkov-report-1-vuln.json").findings[0]
    n = narrative_for(kb, f, 3)
    assert "The check's guideline" not in n["narrative"]
    assert json.dumps(f["references"]).count("docs.bridgecrew.io") >= 1 or "bridgecrew" in (f.get("fix_hint") or "")


def test_npm_audit_several_installed_lines_are_not_told_to_jump_to_the_newest_major(kb):
    # npm audit v7 (many_vuln_npm7.json): ansi-regex installed as 3.0.0 and 4.1.0, the report proposes 5.0.1
    f = {"id": "e" * 32, "tool": "npm-audit", "kind": "dependency", "rule_id": "GHSA-93q8-gq69-wqmw", "severity": "medium",
         "title": "Inefficient Regular Expression Complexity in chalk/ansi-regex", "cwe": ["CWE-1333"],
         "cve": ["CVE-2021-3807"], "ghsa": ["GHSA-93q8-gq69-wqmw"], "location": None,
         "description": "ansi-regex is vulnerable to Inefficient Regular Expression Complexity\nInstalled versions: 3.0.0, 4.1.0",
         "package": {"name": "ansi-regex", "version": None, "ecosystem": "npm", "fixed_version": "5.0.1", "fix_status": "fixed"}}
    text = narrative_for(kb, f, 3)["narrative"]
    assert "Move ansi-regex to 5.0.1" not in text and "installed ansi-regex 3.0.0, 4.1.0" in text and "crosses a major" in text
    same_line = dict(f, description="ansi-regex is vulnerable\nInstalled versions: 5.0.0")
    assert "Move ansi-regex to 5.0.1" in narrative_for(kb, same_line, 3)["narrative"]


def test_a_scanner_fix_that_only_repeats_the_upgrade_is_left_out(kb):
    # npm audit v7: minimist 1.2.0, "Upgrade to version 1.2.3 or later"
    f = {"id": "9" * 32, "tool": "npm-audit", "kind": "dependency", "rule_id": "GHSA-vh95-rmgr-6w4m", "severity": "medium",
         "title": "Prototype Pollution in minimist", "cwe": ["CWE-915"], "cve": ["CVE-2020-7598"], "ghsa": [], "location": None,
         "description": "Affected versions of `minimist` are vulnerable to prototype pollution.", "fix_hint": "Upgrade to version 1.2.3 or later",
         "package": {"name": "minimist", "version": "1.2.0", "ecosystem": "npm", "fixed_version": "1.2.3", "fix_status": "fixed"}}
    text = narrative_for(kb, f, 3)["narrative"]
    assert "Upgrade minimist from 1.2.0 to 1.2.3" in text and "or later" not in text
    parent = dict(f, fix_hint="Upgrade vercel to 32.3.0 (semver-major)")
    assert "vercel" in narrative_for(kb, parent, 3)["narrative"]  # another package's upgrade is news


def test_a_regex_backreference_autofix_is_not_shown():
    # DefectDojo semgrep many_vulns.json, unquoted-csv-writer: fix_regex replacement "\1, quoting=csv.QUOTE_ALL)"
    f = {"id": "8" * 32, "tool": "semgrep", "kind": "code", "rule_id": "python.lang.security.unquoted-csv-writer.unquoted-csv-writer",
         "title": "t", "severity": "high", "fix_hint": "\\1, quoting=csv.QUOTE_ALL)",
         "snippet": "        writer = csv.writer(open(file_path, 'w'))", "location": {"path": "x.py", "start_line": 33, "end_line": 33}}
    assert _hint(as_finding(f)) is None


def test_gitleaks_redaction_takes_the_value_and_leaves_the_variable_name(tmp_path):
    # gitleaks 7 data_many.json: offender `GITHUB_TOKEN="c77e..."` on the line `export JEKYLL_GITHUB_TOKEN="c77e..."`
    github = next(f for f in parse_report(SCANNERS / "gitleaks" / "data_many.json").findings if f["rule_id"] == "Github")
    assert github["snippet"].startswith('export JEKYLL_GITHUB_TOKEN="[REDACTED secret sha256:')
    assert "c77e01c1" not in json.dumps(github)
    # gitleaks 8 (a Match that is the Secret itself): still fully redacted
    v8 = parse_report(SCANNERS / "gitleaks" / "gitleaks8_many.json").findings[0]
    assert "secretAWSsecret" not in json.dumps(v8)
    doc = [{"Description": "Generic API Key", "StartLine": 3, "EndLine": 3, "Match": "api_key = 'Zx81kqP0wL3mN7vT2bY6'",
            "Secret": "Zx81kqP0wL3mN7vT2bY6", "File": "app/settings.py", "Commit": "a" * 40, "RuleID": "generic-api-key"}]
    (tmp_path / "gitleaks.json").write_text(json.dumps(doc))
    f = parse_report(tmp_path / "gitleaks.json").findings[0]
    assert f["snippet"].startswith("api_key = '[REDACTED secret sha256:") and "Zx81kqP0" not in json.dumps(f)


def test_a_pre_release_fix_points_to_the_final_release_and_npms_own_copy_is_fixed_through_npm(kb):
    # pip-audit many_vulns.json: twisted 18.9.0, PYSEC-2020-260 fixed in 20.3.0rc1
    f = {"id": "7" * 32, "tool": "pip-audit", "kind": "dependency", "rule_id": "PYSEC-2020-260", "severity": "high",
         "title": "twisted 18.9.0 is vulnerable", "cwe": [], "cve": [], "ghsa": [], "location": None, "description": "",
         "package": {"name": "twisted", "version": "18.9.0", "ecosystem": "PyPI", "fixed_version": "20.3.0rc1", "fix_status": "fixed"}}
    text = narrative_for(kb, f, 3)["narrative"]
    assert "to the final release 20.3.0 or later" in text and "20.3.0rc1, a pre-release" in text
    final = dict(f, package=dict(f["package"], fixed_version="20.3.0"))
    assert "pre-release" not in narrative_for(kb, final, 3)["narrative"]
    # Trivy juice-shop image: request 2.88.0 inside the image's global npm, no fix published
    npm = {"id": "6" * 32, "tool": "trivy", "kind": "dependency", "rule_id": "CVE-2023-28155", "severity": "medium",
           "title": "request: SSRF", "cwe": [], "cve": ["CVE-2023-28155"], "ghsa": [], "description": "",
           "location": {"path": "usr/local/lib/node_modules/npm/node_modules/request/package.json", "start_line": None, "end_line": None},
           "package": {"name": "request", "version": "2.88.0", "ecosystem": "node-pkg", "fixed_version": None, "fix_status": "none published"}}
    text = narrative_for(kb, npm, 3)["narrative"]
    assert "dependency of npm itself" in text and "remove the dependency" not in text


def test_an_altered_aws_documentation_key_is_still_the_documented_example():
    from tasks.findings.secret_evidence import classify

    # the blind review's AKIAIOSFODNN7EXAMAAA: AWS's documented AKIAIOSFODNN7EXAMPLE with its tail changed
    assert classify(["AKIAIOSFODNN7EXAMAAA"], "aws-access-token")["class"] == "example"
    assert classify(["AKIA5Q2ZTR7WXN4KJ3HV"], "aws-access-token")["class"] == "high-entropy"  # a random key id stays real


def test_a_java_cipher_transformation_says_what_it_asks_for():
    from tasks.enrich.specifics import cipher_choice

    # Semgrep one_finding.json (OWASP Benchmark BenchmarkTest02194.java:64)
    f = parse_report(SCANNERS / "semgrep" / "one_finding.json").findings[0]
    text = cipher_choice(f)
    assert text.startswith("The code on line 64 asks for `\"DES/CBC/PKCS5Padding\"`, DES in CBC mode with PKCS5Padding: DES, whose")
    assert "padding oracle" in text
    assert "ECB with PKCS5Padding in the JDK" in cipher_choice(dict(f, snippet='Cipher c = Cipher.getInstance("AES");'))
    assert cipher_choice(dict(f, snippet='Cipher c = Cipher.getInstance("AES/GCM/NoPadding");')) is None


def test_a_package_named_semver_is_not_called_semver_major_by_its_parents_upgrade(kb):
    # npm audit (npm7plus_many_vulns): semver under @vercel/fun, fix "Upgrade vercel to 32.3.0 (semver-major)"
    f = {"id": "1" * 32, "tool": "npm-audit", "kind": "dependency", "rule_id": "GHSA-c2qf-rxjj-qqgw", "severity": "medium",
         "title": "semver vulnerable to Regular Expression Denial of Service", "cwe": ["CWE-1333"], "cve": [], "ghsa": [],
         "location": None, "description": "", "fix_hint": "Upgrade vercel to 32.3.0 (semver-major)",
         "package": {"name": "semver", "version": None, "ecosystem": "npm", "fixed_version": "7.5.2", "fix_status": "fixed"}}
    assert "It is a semver-major change" not in narrative_for(kb, f, 3)["narrative"]
    own = dict(f, fix_hint="Upgrade semver to 7.5.2 (semver-major)")
    assert "It is a semver-major change" in narrative_for(kb, own, 3)["narrative"]
