"""Triage checks that read more of the evidence: the CPE a scanner matched, altered example secrets,
request data reaching a sink, weak hashes used as identifiers.  Each check has a case it flags and a
case it must leave alone."""

from __future__ import annotations

import json

import pytest
from test_triage_containers import Files  # a repository of a few files, as the source reader reads them
from test_triage_verdicts import dep, finding

from tasks.findings.model import as_finding
from tasks.findings.parsers.registry import parse_report
from tasks.findings.secret_evidence import classify, classify_one
from tasks.triage.cpe import names_product, parse_cpe
from tasks.triage.flow import check_hash_use, check_user_input
from tasks.triage.lookup import prefetch
from tasks.triage.verdict import Judge

JIRA = "cpe:2.3:a:atlassian:jira:*:*:*:*:*:*:*:*"


def cpe_dep(name, eco, cpes, description="", **kw):
    return dep(name, "2.1.0", eco=eco, ids=("CVE-2019-8444",), match={"by": "cpe", "cpes": cpes}, description=description, **kw)


def test_parse_cpe_reads_vendor_product_and_target_software():
    assert parse_cpe("cpe:2.3:a:lodash:lodash:*:*:*:*:*:node.js:*:*") == {"vendor": "lodash", "product": "lodash", "target_sw": "node.js"}
    assert parse_cpe("cpe:/a:apache:cxf:3.3.1") == {"vendor": "apache", "product": "cxf", "target_sw": "*"}
    assert parse_cpe("not a cpe") is None


@pytest.mark.parametrize("name,eco,product,same", [
    ("jinja2", "pypi", "jinja", True), ("angular", "npm", "angular.js", True), ("opencv-python", "pypi", "opencv", True),
    ("@angular/core", "npm", "angular", True), ("cxf-core", "maven", "cxf", True), ("django", "pypi", "django", True),
    ("jira", "npm", "jira_server", False), ("jira", "pypi", "jira_data_center", False), ("redis", "pypi", "memcached", False),
])
def test_a_cpe_product_names_the_package_loosely(name, eco, product, same):
    assert names_product(as_finding(cpe_dep(name, eco, [])), eco, product) is same


def test_a_cpe_product_that_is_not_the_package_is_a_false_positive():
    f = cpe_dep("jira", "npm", ["cpe:2.3:a:atlassian:jira_server:*:*:*:*:*:*:*:*"])
    rec = Judge().judge(f)
    assert rec["verdict"] == "false_positive" and rec["source"] == "evidence"
    assert "atlassian:jira_server, which is not the npm package jira" in rec["reasons"][0]["evidence"]
    # the product is the package's name: a server and a library can share it; offline only a review can tell
    same = Judge().judge(cpe_dep("jira", "npm", [JIRA]))
    assert same["verdict"] == "needs_review" and "vendor atlassian" in same["reasons"][0]["evidence"]


def test_a_cpe_for_another_platform_is_an_ecosystem_mismatch():
    f = cpe_dep("lodash", "pypi", ["cpe:2.3:a:lodash:lodash:*:*:*:*:*:node.js:*:*"])
    rec = Judge().judge(f)
    assert rec["verdict"] == "false_positive" and "target software node.js is not the pypi ecosystem" in rec["reasons"][0]["evidence"]
    same = cpe_dep("lodash", "npm", ["cpe:2.3:a:lodash:lodash:*:*:*:*:*:node.js:*:*"])
    assert Judge().judge(same)["verdict"] == "needs_review"


def test_a_module_of_the_cpe_product_is_not_flagged():
    f = cpe_dep("cxf-core", "java-archive", ["cpe:2.3:a:apache:cxf:*:*:*:*:*:*:*:*"])
    assert Judge().judge(f)["verdict"] == "needs_review"


def test_an_advisory_about_a_server_product_on_a_library_of_the_same_name():
    text = "Affected versions of Atlassian Jira Server and Data Center allow remote attackers to read files."
    rec = Judge().judge(cpe_dep("jira", "pypi", [JIRA], description=text))
    assert rec["verdict"] == "false_positive" and "describes Jira Server and Data Center, a server product" in rec["reasons"][0]["evidence"]
    # a Java artifact can be the server itself
    assert Judge().judge(cpe_dep("jira", "java-archive", [JIRA], description=text))["verdict"] == "needs_review"
    assert Judge().judge(cpe_dep("jira", "pypi", [JIRA], description="A flaw in jira before 2.2."))["verdict"] == "needs_review"


class _Client:
    """An OSV client stand-in: querybatch lists ids per package; get() answers the records it holds."""

    def __init__(self, listed, records):
        self.listed, self.records = listed, records

    def query_batch(self, queries):
        return [self.listed.get((eco, name)) for eco, name, _ in queries]

    def get(self, vid):
        return self.records.get(vid)


def test_osv_full_list_without_the_cve_makes_a_cpe_match_a_false_positive():
    other = {"id": "GHSA-aaaa-bbbb-cccc", "aliases": ["CVE-2020-0001"], "affected": []}
    f = as_finding(cpe_dep("jira", "npm", [JIRA]))
    judge = Judge(client=_Client({("npm", "jira"): ["GHSA-aaaa-bbbb-cccc"]}, {"GHSA-aaaa-bbbb-cccc": other}))
    judge.records = lambda ids: []
    prefetch(judge, [f], lambda x: ["CVE-2019-8444"])
    rec = judge.judge(f)
    assert rec["verdict"] == "false_positive" and "OSV lists 1 advisories for the npm package jira and none is CVE-2019-8444" in rec["reasons"][0]["evidence"]
    # a record OSV listed but could not be read: the list is incomplete, so no verdict from it
    judge = Judge(client=_Client({("npm", "jira"): ["GHSA-aaaa-bbbb-cccc"]}, {}))
    judge.records = lambda ids: []
    prefetch(judge, [f], lambda x: ["CVE-2019-8444"])
    assert judge.osv_answered == {} and judge.judge(f)["verdict"] == "needs_review"


def test_grype_keeps_the_data_namespace_of_a_cpe_match(tmp_path):
    doc = {"descriptor": {"name": "grype", "version": "0.80.0"}, "source": {}, "matches": [{
        "vulnerability": {"id": "CVE-2021-26086", "namespace": "nvd:cpe", "fix": {"versions": [], "state": "unknown"}},
        "matchDetails": [{"type": "cpe-match", "found": {"cpes": ["cpe:2.3:a:atlassian:jira_server:*:*:*:*:*:*:*:*"]}}],
        "artifact": {"name": "jira", "version": "3.1.1", "type": "python", "locations": [{"path": "/app/requirements.txt"}]}}]}
    (tmp_path / "g.json").write_text(json.dumps(doc))
    f = parse_report(tmp_path / "g.json").findings[0]
    assert f["match"]["namespace"] == "nvd:cpe"
    assert "from nvd:cpe" in Judge().judge(f)["reasons"][0]["evidence"]


@pytest.mark.parametrize("value,cls,words", [
    ("AKIAIOSFODNN7EXAMAAA", "example", "altered copy of AWS's documented example access key id"),
    ("AKIAIOSFODNN7ABCDEFG", "example", "its first 13 characters"),
    ("AKIAXXXXXXXXXXXXXXXX", "placeholder", "one character repeated"),
    ("AKIA1234567890123456", "placeholder", "counting sequence"),
    ("Bearer ${API_TOKEN}", "placeholder", "template variable"),
    ("sk_live_<your-key-here>", "placeholder", "template variable"),
    ("AKIAQYLPMN5HHHFPZAM2", "high-entropy", None),
    ("AKIAHGTRWPLMZKQXVBNC", "high-entropy", None),  # letters only, but no word
    ("ghp_R4nd0mL00k1ngT0k3nV4lu3Zq8Xw2Yt6Pp9Kk", "high-entropy", None),
])
def test_example_variations_fillers_and_templates(value, cls, words):
    got = classify_one(value)
    assert got["class"] == cls and (words is None or words in got["match"])


def _gitleaks(tmp_path, secret, path="app/settings.py"):
    report = [{"RuleID": "aws-access-token", "Description": "AWS", "File": path, "StartLine": 2, "EndLine": 2,
               "Secret": secret, "Match": f"key = '{secret}'"}]
    (tmp_path / "g.json").write_text(json.dumps(report))
    return parse_report(tmp_path / "g.json").findings[0]


def test_an_altered_example_key_is_a_probable_example_and_a_random_key_stays_real(tmp_path):
    f = _gitleaks(tmp_path, "AKIAIOSFODNN7EXAMAAA")
    rec = Judge().judge(f)
    assert rec["verdict"] == "false_positive" and "probably an altered copy" in rec["reasons"][0]["evidence"]
    assert "AKIAIOSFODNN7EXAMAAA" not in json.dumps(f) + json.dumps(rec)
    real = _gitleaks(tmp_path, "AKIAQYLPMN5HHHFPZAM2")
    rec = Judge().judge(real)
    assert rec["verdict"] == "true_positive" and "AKIAQYLPMN5HHHFPZAM2" not in json.dumps(real) + json.dumps(rec)
    assert classify(["AKIAQYLPMN5HHHFPZAM2"], "aws-access-token")["format"] == "fits the aws access key id format"


SQL = "cursor.execute(\"SELECT * FROM users WHERE name = '%s'\" % request.POST['name'])"


def test_request_data_in_the_flagged_code_outweighs_low_confidence():
    f = finding(tool="bandit", rule_id="B608", title="hardcoded_sql_expressions", snippet=SQL,
                description="Possible SQL injection vector through string-based query construction. confidence: low")
    rec = Judge().judge(f)
    assert rec["verdict"] == "true_positive" and rec["reasons"][0]["check"] == "code"
    assert "reads user input (request.POST)" in rec["reasons"][0]["evidence"]
    safe = finding(tool="bandit", rule_id="B608", title="hardcoded_sql_expressions", snippet="cursor.execute(QUERY % TABLE)",
                   description="Possible SQL injection vector. confidence: low")
    assert Judge().judge(safe)["verdict"] == "needs_review"


def test_test_code_is_a_false_positive_unless_it_reads_request_data():
    plain = finding(rule_id="python.lang.security.audit.formatted-sql-query", location={"path": "tests/test_db.py", "start_line": 3},
                    snippet="cursor.execute('SELECT %s' % name)")
    rec = Judge().judge(plain)
    assert rec["verdict"] == "false_positive" and rec["reasons"][0]["evidence"] == "not run by the application: tests/test_db.py is test code"
    flow = finding(rule_id="python.lang.security.audit.formatted-sql-query", location={"path": "examples/app.py", "start_line": 3},
                   snippet="db.execute('SELECT %s' % req.query.name)")
    rec = Judge().judge(flow)
    assert rec["verdict"] == "needs_review" and "req.query" in rec["reasons"][0]["evidence"]


def test_an_assert_reading_request_data_is_not_a_sink():
    f = finding(tool="bandit", rule_id="B101", title="assert_used", snippet="assert request.GET['x']",
                location={"path": "tests/test_views.py", "start_line": 3})
    assert check_user_input(as_finding(f)) is None
    assert Judge().judge(f)["verdict"] == "false_positive"


def test_the_enclosing_function_shows_request_data_reaching_the_flagged_line():
    code = "def view(request):\n    name = request.GET.get('n')\n    other = 1\n    cursor.execute('SELECT ' + name)\n"
    f = finding(rule_id="python.django.security.injection.sql.sql-injection-using-raw", location={"path": "app/views.py", "start_line": 4})
    ev = check_user_input(as_finding(f), Files(code))
    assert ev and "app/views.py:2 assigns user input (request.GET) to name" in ev["evidence"]
    constant = "def view(request):\n    name = request.GET.get('n')\n    cursor.execute('SELECT 1')\n"
    f["location"]["start_line"] = 3
    assert check_user_input(as_finding(f), Files(constant)) is None


def test_a_weak_hash_used_as_a_deduplication_key():
    f = finding(tool="bandit", rule_id="B303", title="md5", snippet="dupe_key = hashlib.md5(title.encode()).hexdigest()")
    rec = Judge().judge(f)
    assert rec["verdict"] == "false_positive" and "computes dupe_key, an identifier" in rec["reasons"][0]["evidence"]
    password = finding(tool="bandit", rule_id="B303", title="md5", snippet="cache_key = hashlib.md5(password).hexdigest()")
    assert check_hash_use(as_finding(password)) is None
    assert Judge().judge(finding(tool="bandit", rule_id="B303", title="md5",
                                 snippet="digest = hashlib.md5(data).hexdigest()"))["verdict"] == "true_positive"


def test_a_bare_key_is_an_identifier_only_in_a_deduplication_context():
    dedup = finding(tool="bandit", rule_id="B303", title="md5",
                    snippet="# assigning findings\nkey = hashlib.md5(finding.title.encode()).hexdigest()\nif key not in dupes:")
    assert Judge().judge(dedup)["verdict"] == "false_positive"
    crypto = finding(tool="bandit", rule_id="B303", title="md5", snippet="key = hashlib.md5(shared).digest()\ncipher = AES.new(key)")
    assert check_hash_use(as_finding(crypto)) is None


def test_a_sarif_rule_tagged_only_for_code_quality_is_not_a_security_finding(tmp_path):
    def run(tags):
        doc = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "CodeQL", "rules": [
            {"id": "py/x", "properties": {"tags": tags}}]}},
            "results": [{"ruleId": "py/x", "message": {"text": "m"}, "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": "app/views.py"}, "region": {"startLine": 3}}}]}]}]}
        (tmp_path / "r.sarif").write_text(json.dumps(doc))
        return parse_report(tmp_path / "r.sarif").findings[0]
    quality = run(["maintainability", "useless-code", "external/cwe/cwe-563"])
    assert quality["rule_tags"] == ["maintainability", "useless-code"]
    rec = Judge().judge(quality)
    assert rec["verdict"] == "false_positive" and "tagged maintainability, useless-code and not 'security'" in rec["reasons"][0]["evidence"]
    security = run(["security", "maintainability", "external/cwe/cwe-079"])
    assert Judge().judge(security)["verdict"] == "true_positive"
    untagged = run([])
    assert "rule_tags" not in untagged and Judge().judge(untagged)["verdict"] == "true_positive"


@pytest.mark.parametrize("version,fixes,flagged", [
    ("3.20.3", ["3.18.3", "3.19.5", "3.20.2", "4.21.6"], True),   # protobuf: the 3.20 line's fix is below
    ("3.20.1", ["3.18.3", "3.19.5", "3.20.2", "4.21.6"], False),  # inside the 3.20 line's range
    ("3.21.0", ["3.18.3", "3.19.5", "3.20.2", "4.21.6"], False),  # no fix named for its line: no decision
    ("3.7.2", ["2.12.5", "3.7.2", "4.0.0.beta8"], True),          # sprockets on its line's fix
])
def test_the_fix_the_report_names_for_the_installed_line(version, fixes, flagged):
    rec = Judge().judge(dep("protobuf", version, eco="pypi" if "4.21.6" in fixes else "gem", ids=("CVE-2022-1941",),
                            fixed=fixes[0], fixes=fixes))
    assert (rec["verdict"] == "false_positive") is flagged
    if flagged:
        assert "is the fix on the installed" in rec["reasons"][0]["evidence"]


def test_a_secret_in_test_fixture_data_unless_it_has_an_issuers_format(tmp_path):
    pem = _gitleaks(tmp_path, "-----BEGIN RSA PRIVATE KEY-----", path="unittests/scans/report_3_vuln.json")
    rec = Judge().judge(pem)
    assert rec["verdict"] == "false_positive" and "is a test fixture or test data file" in rec["reasons"][0]["evidence"]
    real_format = _gitleaks(tmp_path, "AKIAQYLPMN5HHHFPZAM2", path="tests/fixtures/aws.json")
    assert Judge().judge(real_format)["verdict"] == "needs_review"
    in_test_code = _gitleaks(tmp_path, "-----BEGIN RSA PRIVATE KEY-----", path="tests/test_keys.py")
    assert Judge().judge(in_test_code)["verdict"] == "needs_review"


def test_the_scanners_own_cpe_for_the_package_names_another_vendor():
    f = cpe_dep("jira", "npm", [JIRA])
    f["match"]["searched"] = ["cpe:2.3:a:jira:jira:2.1.0:*:*:*:*:*:*:*"]
    rec = Judge().judge(f)
    assert rec["verdict"] == "false_positive"
    assert "has vendor jira, the advisory's (cpe:2.3:a:atlassian:jira" in rec["reasons"][0]["evidence"]
    f["match"]["searched"] = ["cpe:2.3:a:atlassian:jira:2.1.0:*:*:*:*:*:*:*"]  # the scanner thinks Atlassian made it
    assert Judge().judge(f)["verdict"] == "needs_review"
    java = cpe_dep("jira-core", "java-archive", ["cpe:2.3:a:atlassian:jira:*:*:*:*:*:*:*:*"])
    java["match"]["searched"] = ["cpe:2.3:a:jira-core:jira:8.0.0:*:*:*:*:*:*:*"]
    assert Judge().judge(java)["verdict"] == "needs_review"


@pytest.mark.parametrize("name,flagged", [("geronimo-jta_1.1_spec", True), ("log4j-api", True), ("tomcat-servlet-api", True),
                                          ("log4j-core", False), ("cxf-core", False), ("apiman-gateway", False)])
def test_an_api_or_specification_jar_matched_by_cpe(name, flagged):
    f = dep(name, "2.14.1", eco="java-archive", ids=("CVE-2021-44228",), match={"by": "cpe", "cpes": []})
    rec = Judge().judge(f)
    assert (rec["verdict"] == "false_positive") is flagged
    if flagged:
        assert "is an API or specification jar" in rec["reasons"][0]["evidence"]
    assert Judge().judge(dep(name, "2.14.1", eco="npm", ids=("CVE-2021-44228",), match={"by": "cpe", "cpes": []}))["verdict"] != "false_positive"


def test_the_narratives_signal_and_the_verdict_agree_on_request_data():
    from tasks.triage.report_signals import triage as signal

    tainted = finding(tool="bandit", rule_id="B608", title="hardcoded_sql_expressions", snippet=SQL,
                      description="Possible SQL injection vector. confidence: low")
    assert signal(as_finding(tainted)) is None  # no "probably acceptable" text for a row whose verdict is true positive
    plain = dict(tainted, snippet="cursor.execute(QUERY % TABLE)")
    assert signal(as_finding(plain))["signal"] == "low-confidence rule"


def test_a_zap_identification_alert_is_not_a_weakness():
    ident = finding(tool="zap", kind="web", rule_id="10111", title="Authentication Request Identified", severity="info",
                    location={"path": "https://app.example/login", "start_line": None})
    rec = Judge().judge(ident)
    assert rec["verdict"] == "false_positive" and "Authentication Request Identified" in rec["reasons"][0]["evidence"]
    xss = dict(ident, rule_id="40012", title="Cross Site Scripting (Reflected)", severity="high")
    assert Judge().judge(xss)["verdict"] == "true_positive"
    raised = dict(ident, severity="medium")  # someone raised its risk: the report no longer calls it informational
    assert Judge().judge(raised)["verdict"] == "true_positive"
