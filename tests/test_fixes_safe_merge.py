"""Stage-2 answers a reviewer can merge: the finding's own names, facts from the snippet, no harmful advice.

Real code throughout: TerraGoat's db-app.tf and Dockerfile from the Checkov fixture, juice-shop's key from the
Trivy fixture, DefectDojo's okta.py from the Bandit fixture, and a login check scanned by Bandit here.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from test_fixes_config import FIXTURES, parsed

from tasks.datasets.checks import placeholder_name, suppresses_real_finding, unparsable_code
from tasks.findings.parse import parse_file
from tasks.fixes import fix_for
from tasks.fixes.patch_check import git_apply_check
from tasks.fixes.suppression import refused, suppression_answer
from tasks.triage.verdict import Judge

CHECKOV = "checkov/checkov-report-multiple-check_type.json"


def _checkov(rule):
    return next(f for f in parsed(CHECKOV) if f["rule_id"] == rule)


def _prompt(f):
    return f"Code:\n```\n{f['snippet']}\n```"


def test_a_monitoring_role_is_declared_not_assumed():
    f = _checkov("CKV_AWS_118")  # aws_db_instance.default in TerraGoat's db-app.tf
    answer, label, _ = fix_for(f, [])
    assert "monitoring_role_arn = aws_iam_role.default_monitoring.arn" in answer
    assert 'resource "aws_iam_role" "default_monitoring"' in answer and "rds_monitoring" not in answer
    assert placeholder_name(answer, _prompt(f)) is None and unparsable_code(answer) is None


def test_an_s3_side_resource_takes_the_bucket_the_report_names():
    bucket = 'resource "aws_s3_bucket" "data" {\n  bucket        = "acme-data"\n  force_destroy = true\n}'
    f = dict(_checkov("CKV_AWS_118"), rule_id="CKV_AWS_21", title="Ensure all data stored in the S3 bucket have versioning enabled",
             description="Ensure all data stored in the S3 bucket have versioning enabled (resource aws_s3_bucket.data, framework terraform)",
             snippet=bucket)
    answer, _, _ = fix_for(f, [])
    assert 'resource "aws_s3_bucket_versioning" "data"' in answer and "bucket = aws_s3_bucket.data.id" in answer
    assert ".this" not in answer and "3.75.0 or later" in answer  # the provider precondition is said
    assert placeholder_name(answer, _prompt(f)) is None and unparsable_code(answer) is None
    # the same check on another resource type gets no S3 block
    other = dict(f, description=f["description"].replace("aws_s3_bucket.data", "aws_instance.data"))
    assert fix_for(other, [])[0] is None


def test_ebs_optimisation_is_not_proposed_for_a_t2():
    f = _checkov("CKV_AWS_135")  # TerraGoat's db_app: instance_type = "t2.nano"
    answer, reason, _ = fix_for(f, [])
    assert answer is None and "t2.nano" in reason


def test_the_health_check_runs_with_what_the_image_has():
    f = _checkov("CKV_DOCKER_2")  # FROM python:3.7-slim: no curl in the image
    answer, _, _ = fix_for(f, [])
    assert "CMD python -c" in answer and "curl" not in answer.split("```dockerfile", 1)[1].split("```")[0]
    unknown = dict(f, snippet="FROM registry.internal/base:1")
    answer, reason, _ = fix_for(unknown, [])
    assert answer is None and "curl nor wget" in reason


def test_port_80_on_a_web_host_is_redirected_not_closed():
    f = dict(_checkov("CKV_AWS_118"), rule_id="CKV_AWS_260",
             title="Ensure no security groups allow ingress from 0.0.0.0:0 to port 80",
             description="Ensure no security groups allow ingress from 0.0.0.0:0 to port 80 (resource aws_security_group.web-node, framework terraform)",
             snippet='resource "aws_security_group" "web-node" {\n  ingress {\n    from_port   = 80\n    to_port     = 80\n'
                     '    protocol    = "tcp"\n    cidr_blocks = ["0.0.0.0/0"]\n  }\n}')
    answer, _, _ = fix_for(f, [])
    assert "redirect to HTTPS" in answer and "breaks the site" in answer
    assert answer.index("keep the rule") < answer.index("cidr_blocks")  # the decision comes before the restriction
    assert 'variable "http_source_cidr"' in answer and "10.0.0.0/8" not in answer
    assert placeholder_name(answer, _prompt(f)) is None


def test_a_demo_apps_private_key_is_not_an_incident():
    findings = parse_file(FIXTURES / "trivy/juice-shop-v12.10.2.json", FIXTURES, "raise", 10**8)["findings"]
    f = next(f for f in findings if f["kind"] == "secret" and f["rule_id"] == "private-key")
    answer, label, meta = fix_for(f, [])
    assert "deliberately vulnerable" in answer and meta["fix_family"] == "secret-in-demo"
    assert "compromised" not in answer and "revoke" not in answer.lower() and "filter-repo" not in answer


def test_a_secret_is_read_under_the_codes_own_name():
    f = {"id": "1" * 32, "tool": "semgrep", "kind": "code", "rule_id": "python.django.security.audit.secret-key",
         "title": "Hardcoded Django SECRET_KEY", "severity": "high", "cwe": ["CWE-798"],
         "location": {"path": "shop/settings.py", "start_line": 23, "end_line": 23},
         "snippet": "SECRET_KEY = '[REDACTED secret sha256:0a19e17f5acf]'", "description": "", "package": None}
    answer, label, _ = fix_for(f, ["CWE-798"])
    assert label == "secret-rotation" and 'SECRET_KEY = os.environ["SECRET_KEY"]' in answer and "api_key" not in answer


def _bandit(tmp_path, code):
    (tmp_path / "src").mkdir()
    (tmp_path / "src/views.py").write_text(code)
    out = tmp_path / "bandit.json"
    subprocess.run([sys.executable, "-m", "bandit", "-q", "-f", "json", "-o", str(out), "-r", "src"], cwd=tmp_path)
    return parse_file(out, tmp_path, "raise", 10**8)["findings"]


def test_a_default_password_check_is_never_suppressed(tmp_path):
    code = ("def login(request):\n    username = request.POST.get('username')\n    password = request.POST.get('password')\n"
            "    if username == 'admin' and password == 'admin':\n        return grant(request)\n    return deny(request)\n")
    f = next(f for f in _bandit(tmp_path, code) if f["rule_id"] == "B105")
    rec = Judge().judge(f)
    assert refused(f, rec or {"verdict": "false_positive", "reasons": []}) is not None
    answer = suppression_answer(f, {"verdict": "false_positive", "reasons": [{"check": "secret", "evidence": "placeholder"}]})
    row_meta = {"stage": 2, "fix_source": "suppression", "triage": {"verdict": "false_positive", "reasons": [{"check": "secret", "evidence": "x"}]}}
    assert suppresses_real_finding(answer, row_meta, f)  # the lint quarantines one that slips through


def test_a_protocol_keyword_is_suppressed_in_bandits_own_syntax():
    f = next(f for f in parsed("bandit/many_vulns.json") if f["rule_id"] == "B105" and "'POST'" in f["title"])
    rec = Judge().judge(f)
    assert rec["verdict"] == "false_positive" and refused(f, rec) is None
    answer = suppression_answer(f, rec)
    assert "ACCESS_TOKEN_METHOD = 'POST'  # nosec B105" in answer
    assert unparsable_code(answer) is None  # the reason sits on its own comment line, the block is Python


def test_a_code_quality_rule_is_neither_fixed_nor_suppressed():
    f = next(f for f in parsed("semgrep/many_vulns.json") if ".correctness." in f["rule_id"])
    rec = Judge().judge(f)
    assert rec["verdict"] == "false_positive" and "code-quality" in refused(f, rec)


def test_git_apply_check_takes_a_real_diff_and_refuses_a_wrong_one():
    text = "import hashlib\n\n\ndef key(f):\n    return hashlib.md5(f.encode()).hexdigest()\n"
    good = ("--- a/app/keys.py\n+++ b/app/keys.py\n@@ -5 +5 @@\n-    return hashlib.md5(f.encode()).hexdigest()\n"
            "+    return hashlib.md5(f.encode(), usedforsecurity=False).hexdigest()\n")
    assert git_apply_check(good, "app/keys.py", text)
    assert not git_apply_check(good.replace("@@ -5 +5 @@", "@@ -4 +4 @@"), "app/keys.py", text.replace("    return", "  return"))
    assert not git_apply_check(good.replace("a/app", "a//abs/app").replace("b/app", "b//abs/app"), "app/keys.py", text)
    assert not git_apply_check(good, "../outside.py", text)


def test_a_server_banner_is_turned_off_in_the_software_the_evidence_names():
    tomcat = next(f for f in parsed("zap/zap-results-first-scan.xml") if f["rule_id"] == "10036")  # bodgeit on Tomcat
    answer, _, _ = fix_for(tomcat, tomcat["cwe"])
    assert "Apache-Coyote/1.1" in answer and 'server="web"' in answer and "Ensure that your web server" not in answer
    express = next(f for f in parsed("zap/juice-shop.json") if f["rule_id"] == "10037")  # X-Powered-By: Express
    answer, _, _ = fix_for(express, express["cwe"])
    assert "app.disable('x-powered-by');" in answer
    # nothing named and a solution that sets nothing: no row
    blank = dict(express, instances=[{"uri": "https://shop.example/", "evidence": "X-Powered-By: Undisclosed"}], snippet=None,
                 fix_hint="Ensure that your web server, application server, load balancer, etc. is configured to suppress "
                          "\"X-Powered-By\" headers.")
    answer, reason, _ = fix_for(blank, blank["cwe"])
    assert answer is None and "names no setting" in reason


def test_a_function_using_a_key_is_not_taken_for_the_keys_name():
    f = {"id": "1" * 32, "tool": "semgrep", "kind": "code", "rule_id": "javascript.jsonwebtoken.security.jwt-hardcode.hardcoded-jwt-secret",
         "title": "A hard-coded credential was detected.", "severity": "high", "cwe": ["CWE-798"], "description": "",
         "location": {"path": "lib/insecurity.ts", "start_line": 56, "end_line": 56}, "package": None,
         "snippet": "export const authorize = (user = {}) => jwt.sign(user, privateKey, { expiresIn: '6h', algorithm: 'RS256' })"}
    answer, _, meta = fix_for(f, ["CWE-798"])
    assert "authorize =" not in answer and "AUTHORIZE" not in answer  # not a variable that holds the secret
    assert meta["fix_family"] == "secret-in-demo"  # Juice Shop's lib/insecurity.ts holds its keys on purpose


def test_versioned_cdn_scripts_are_pinned_with_subresource_integrity():
    f = next(f for f in parsed("zap/juice-shop.json") if f["rule_id"] == "10017")  # cdnjs cookieconsent2 3.1.0, jquery 2.2.4
    answer, _, _ = fix_for(f, f["cwe"])
    assert 'src="https://cdnjs.cloudflare.com/ajax/libs/jquery/2.2.4/jquery.min.js"' in answer
    assert 'crossorigin="anonymous"' in answer and "openssl dgst -sha384" in answer
    unversioned = dict(f, snippet='<script src="//consent.cookiebot.com/uc.js"></script>', instances=[{"uri": "https://shop/"}])
    answer, reason, _ = fix_for(unversioned, f["cwe"])
    assert answer is None and "version" in reason


def test_a_finding_merging_several_advisories_gets_the_release_that_fixes_them_all():
    from fixes_helpers import finding

    # OSV-Scanner's guzzlehttp/psr7 1.6.1 group: GHSA-q7rv-6hp3-vh96 fixed in 1.8.4/2.1.1, GHSA-wxmh-65f7-jcvw in 1.9.1/2.4.5
    f = finding("dependency", "osv-scanner", "GHSA-q7rv-6hp3-vh96", path="composer.lock", cve=["CVE-2022-24775", "CVE-2023-29197"],
                ghsa=["GHSA-q7rv-6hp3-vh96", "GHSA-wxmh-65f7-jcvw"],
                package={"name": "guzzlehttp/psr7", "version": "1.6.1", "fixed_version": "1.8.4", "ecosystem": "Packagist",
                         "fixed_versions": ["1.8.4", "2.1.1", "1.9.1", "2.4.5"]})
    answer, _, meta = fix_for(f, [])
    assert "from 1.6.1 to 1.9.1" in answer and "guzzlehttp/psr7:^1.9.1" in answer and meta["fixed_version"] == "1.9.1"
    assert "2.4.5 for other release lines" in answer and "2.1.1" not in answer
    # one advisory with backports per line (qs): the installed line's own fix stays
    qs = finding("dependency", "trivy", "CVE-2022-24999", path="package-lock.json", cve=["CVE-2022-24999"],
                 package={"name": "qs", "version": "6.5.2", "fixed_version": "6.5.3", "ecosystem": "npm",
                          "fixed_versions": ["6.5.3", "6.9.7", "6.10.3"]})
    answer, _, meta = fix_for(qs, [])
    assert "to 6.5.3" in answer and "fixed_version" not in meta or meta["fixed_version"] in (None, "6.5.3")


def test_npm6s_recommendation_is_not_read_as_a_parent_package():
    from fixes_helpers import finding

    # npm audit 6's recommendation for follow-redirects (GHSA-pw2r-vq6v-hr8c), as its report words it

    f = finding("dependency", "npm-audit", "GHSA-pw2r-vq6v-hr8c", path="package-lock.json", fix_hint="Upgrade to version 1.14.8 or later",
                package={"name": "follow-redirects", "version": "1.7.0", "fixed_version": "1.14.8", "ecosystem": "npm"})
    answer, _, _ = fix_for(f, [])
    assert "to 1.14.8" in answer and "direct dependency to version" not in answer and "(to version" not in answer


def test_every_finding_of_a_report_on_a_demo_app_is_the_demo_apps():
    from tasks.fixes.projects import demo_project, learn

    def semgrep(path, line, snippet):
        return {"id": str(line) * 32, "tool": "semgrep", "kind": "code", "rule_id": "python.jwt.security.jwt-hardcode.jwt-python-hardcoded-secret",
                "title": "Hardcoded JWT secret", "severity": "high", "cwe": ["CWE-798"], "description": "", "package": None,
                "location": {"path": path, "start_line": line, "end_line": line}, "snippet": snippet,
                "source": {"artifact": "data/artifacts/run-1042/semgrep.json", "sha256": "0" * 64}}

    settings = semgrep("pygoat/settings.py", 1, "SECRET_KEY = '[REDACTED secret sha256:0a19e17f5acf]'")
    view = semgrep("introduction/views.py", 2, "token = jwt.encode(payload, 'secret', algorithm='HS256')")
    learn([])
    assert demo_project(settings) == "pygoat" and demo_project(view) is None  # a view's path does not say so
    learn([settings, view])
    assert demo_project(view) == "pygoat"  # but the report that scanned it scanned PyGoat
    answer, _, meta = fix_for(view, ["CWE-798"])
    assert meta["fix_family"] == "secret-in-demo" and "compromised" not in answer
    learn([view])
    assert demo_project(view) is None  # a report of an ordinary project: a real incident
    learn([])


def _semgrep_fix(rule, path, line, code, start_col, end_col, text, cwe):
    return {"id": "5" * 32, "tool": "semgrep", "kind": "code", "rule_id": rule, "title": rule, "severity": "high",
            "cwe": cwe, "description": "", "package": None, "snippet": code,
            "location": {"path": path, "start_line": line, "end_line": line},
            "scanner_fix": {"kind": "semgrep-fix", "text": text, "start_line": line, "start_col": start_col,
                            "end_line": line, "end_col": end_col}}


def test_a_scanner_autofix_that_breaks_the_call_is_not_used():
    # Semgrep's subprocess-shell-true autofix replaces True with False; a command string then runs as one program name
    code = '    output = subprocess.check_output("nslookup " + domain, shell=True)'
    col = code.index("True") + 1
    f = _semgrep_fix("python.lang.security.audit.subprocess-shell-true.subprocess-shell-true", "introduction/views.py", 404,
                     code, col, col + 4, "False", ["CWE-78"])
    answer, label, _ = fix_for(f, ["CWE-78"])
    assert label != "scanner-fix" and "shell=False" not in (answer or "").split("```diff")[-1].split("```")[0]
    listed = '    output = subprocess.check_output(["nslookup", domain], shell=True)'
    col = listed.index("True") + 1
    ok = dict(f, snippet=listed, scanner_fix=dict(f["scanner_fix"], start_col=col, end_col=col + 4))
    answer, label, _ = fix_for(ok, ["CWE-78"])
    assert label == "scanner-fix" and '+    output = subprocess.check_output(["nslookup", domain], shell=False)' in answer


def test_a_scanner_autofix_on_a_dedup_key_gives_way_to_usedforsecurity():
    code = '            dupe_key = hashlib.md5(fingerprint.encode("utf-8")).hexdigest()'
    start = code.index("hashlib.md5") + 1
    end = code.index(".hexdigest") + 1
    f = _semgrep_fix("python.lang.security.insecure-hash-algorithms.insecure-hash-algorithm-md5", "tools/parser.py", 62,
                     code, start, end, 'hashlib.sha256(fingerprint.encode("utf-8"))', ["CWE-327"])
    answer, label, _ = fix_for(f, ["CWE-327"])
    assert label == "pattern" and "usedforsecurity=False" in answer and "sha256" not in answer.split("```diff")[1].split("```")[0]
    token = _semgrep_fix(f["rule_id"], "app/auth.py", 9, "    digest = hashlib.md5(api_token.encode()).hexdigest()",
                         14, 45, "hashlib.sha256(api_token.encode())", ["CWE-327"])
    answer, label, _ = fix_for(token, ["CWE-327"])
    assert label == "scanner-fix" and "migrate them" in answer
    password = _semgrep_fix(f["rule_id"], "app/auth.py", 9, "    digest = hashlib.md5(password.encode()).hexdigest()",
                            14, 44, "hashlib.sha256(password.encode())", ["CWE-327"])
    answer, label, _ = fix_for(password, ["CWE-327"])
    assert label != "scanner-fix" and "sha256(password" not in answer  # an unsalted digest is no password hash


def test_redaction_takes_the_secret_and_leaves_the_variable_name():
    # gitleaks 7's offender is `GITHUB_TOKEN="c77e..."` inside `export JEKYLL_GITHUB_TOKEN="c77e..."` (a .bashrc)
    f = next(f for f in parsed("gitleaks/data_many.json") if f["rule_id"] == "Github")
    assert f["snippet"].startswith('export JEKYLL_GITHUB_TOKEN="[REDACTED secret sha256:') and "c77e01c1" not in f["snippet"]
    answer, _, _ = fix_for(f, ["CWE-798"])
    assert 'export JEKYLL_GITHUB_TOKEN="$(cat' in answer  # the file's own variable, read from outside the repository


def test_a_scanners_own_test_secret_is_not_rotated_and_an_unknown_fingerprint_not_suppressed():
    from tasks.datasets.rows import SCANNER_TEST_DATA, unsafe_fix

    f = next(f for f in parsed("gitleaks/json_simple.json") if f["rule_id"] == "test-rule")  # gitleaks golden, commit 000...
    assert unsafe_fix(f, fix_for(f, ["CWE-798"])) == SCANNER_TEST_DATA
    blind = {"id": "6" * 32, "tool": "gitleaks", "kind": "secret", "rule_id": "unknown", "title": "AWS Access Key secret detected",
             "severity": "high", "cwe": [], "description": "", "package": None, "snippet": None,
             "location": {"path": "dojo/unittests/scans/gitlab_secret_detection_report/report.json", "start_line": None, "end_line": None}}
    fp = {"verdict": "false_positive", "reasons": [{"check": "secret", "evidence": "not a credential: a documented example value"}]}
    assert "fingerprint" in refused(blind, fp)


def test_a_cookie_autofix_says_what_it_changes_for_the_site():
    code = "    response.set_cookie('session', token)"
    col = code.index("token)") + 1
    f = _semgrep_fix("python.django.security.audit.secure-cookies.django-secure-set-cookie", "introduction/views.py", 77,
                     code, col, col + 5, "token, secure=True, httponly=True, samesite='Lax'", ["CWE-614"])
    answer, label, _ = fix_for(f, ["CWE-614"])
    assert label == "scanner-fix" and "only over HTTPS" in answer and "can no longer read the cookie" in answer


def test_an_inline_suppression_uses_the_files_comment_syntax():
    fp = {"verdict": "false_positive", "reasons": [{"check": "path", "evidence": "not deployed: templates/demo.html is example code"}]}
    html = {"id": "7" * 32, "tool": "semgrep", "kind": "code", "rule_id": "python.django.security.audit.xss.template-autoescape-off",
            "title": "autoescape off", "severity": "medium", "cwe": ["CWE-79"], "description": "", "package": None,
            "location": {"path": "examples/templates/demo.html", "start_line": 3, "end_line": 3}, "snippet": "{% autoescape off %}"}
    answer = suppression_answer(html, fp)
    assert "{% autoescape off %} <!-- nosemgrep: python.django.security.audit.xss.template-autoescape-off -->" in answer
    assert "//" not in answer.split("```text", 1)[1]
    assert "no comments" in refused(dict(html, location={"path": "examples/data.json", "start_line": 3, "end_line": 3}), fp)


@pytest.mark.parametrize("path,rule,lang,first", [
    ("cfngoat.yaml", "CKV_AWS_46", "yaml", "#checkov:skip=CKV_AWS_46:"),  # CloudFormation YAML takes the comment
    ("k8s/deployment.yaml", "CKV_K8S_20", "yaml", "metadata:"),  # Kubernetes: the annotation
    ("template.json", "CKV_AWS_20", "yaml", "# .checkov.yaml"),  # JSON has no comments
    ("app/Dockerfile", "CKV_DOCKER_2", "dockerfile", "#checkov:skip=CKV_DOCKER_2:"),
    ("main.tf", "CKV_AWS_20", "hcl", "#checkov:skip=CKV_AWS_20:"),
])
def test_checkov_suppression_is_written_in_the_files_language(path, rule, lang, first):
    from tasks.fixes.suppression import suppression_for

    f = {"id": "f" * 32, "tool": "checkov", "kind": "config", "rule_id": rule, "title": "t", "description": "",
         "location": {"path": path, "start_line": 3, "end_line": 9}, "package": None, "snippet": None,
         "aliases": [], "cve": [], "ghsa": [], "suppressed": False, "severity": "low"}
    block_lang, text = suppression_for(f, {"verdict": "false_positive", "reasons": [{"check": "path", "evidence": "demo"}]})
    assert block_lang == lang and text.startswith(first)


def test_a_terraform_catalogue_setting_is_not_offered_for_a_cloudformation_template():
    from tasks.fixes.iac import config_fix

    f = {"id": "f" * 32, "tool": "checkov", "kind": "config", "rule_id": "CKV_AWS_16",
         "title": "Ensure all data stored in the RDS is securely encrypted at rest", "description": "resource: AWS::RDS::DBInstance.DB",
         "location": {"path": "cfngoat.yaml", "start_line": 31, "end_line": 72}, "package": None, "snippet": None,
         "aliases": [], "cve": [], "ghsa": [], "suppressed": False, "severity": "high"}
    text, _label, _meta = config_fix(f, "yaml")
    assert text is None or "```hcl" not in text
    tf = {**f, "location": {"path": "db.tf", "start_line": 1, "end_line": 9}, "description": "resource: aws_db_instance.db"}
    text, _label, _meta = config_fix(tf, "terraform")
    assert text and "```hcl" in text and "storage_encrypted = true" in text


def test_a_kustomize_finding_gets_no_patch_to_the_kustomization_file():
    """Checkov reports a rendered Kustomize resource at kustomization.yaml: the fix belongs in the base manifest."""
    from tasks.fixes.iac import KUSTOMIZE, config_fix

    f = {"id": "f" * 32, "tool": "checkov", "kind": "config", "rule_id": "CKV_K8S_20",
         "title": "Containers should not run with allowPrivilegeEscalation", "description": "resource: Deployment.default.app",
         "location": {"path": "kustomize/overlays/dev/kustomization.yaml", "start_line": 1, "end_line": 6}, "package": None,
         "snippet": None, "aliases": [], "cve": [], "ghsa": [], "suppressed": False, "severity": "medium"}
    assert config_fix(f, "kubernetes") == (None, KUSTOMIZE, {"language": "kubernetes"})
    f["location"]["path"] = "kustomize/base/deployment.yaml"
    assert config_fix(f, "kubernetes")[1] != KUSTOMIZE


def test_a_suppression_comment_never_carries_elided_code_or_a_cut_clause():
    from tasks.fixes.suppression import justification

    # pygoat uninstaller.py:47 (Bandit B603): triage's evidence quotes the call with its literals elided
    rec = {"reasons": [{"check": "code", "evidence": "constant input: subprocess.check_call([sys.executable, '…', '…', '…']) "
                                                      "at uninstaller.py:47 takes only literals, so no data from outside "
                                                      "reaches the B603 sink"}]}
    assert justification(rec) == "constant input: no data from outside reaches the B603 sink"
    assert justification({"reasons": [{"check": "path", "evidence": "not deployed: tests/e2e_zap.py is test code"}]}) == \
        "not deployed: tests/e2e_zap.py is test code"


def test_a_long_suppression_reason_ends_at_a_clause_and_drops_its_own_file_name():
    """heldout rows: '# constant data: the input of cur.execute() at line 66 in ...' read as pipeline output."""
    from tasks.fixes.suppression import justification

    path = "cloudgoat/scenarios/aws/vulnerable_lambda/terraform/lambda_source_code/policy_applier_lambda2_src/main.py"
    rec = {"reasons": [{"check": "code", "evidence": f"constant data: the input of cur.execute() at line 66 in {path} is built "
                                                      f"only from names bound to literals: payload ({path}:78); no data from outside"}]}
    assert justification(rec, path) == \
        "constant data: the input of cur.execute() at line 66 is built only from names bound to literals"
    b105 = {"reasons": [{"check": "secret", "evidence": "no hardcoded credential: the flagged value is an empty string (B105 "
                                                         "matched the name of the variable or key, not a value it holds)"}]}
    assert justification(b105, "app.py") == "no hardcoded credential: the flagged value is an empty string"
    timeout = {"reasons": [{"check": "code", "evidence": "robustness, not a security weakness: requests.get() at "
                                                          "cloudgoat/core/python/utils.py:45 without a timeout towards a fixed host"}]}
    assert justification(timeout, "cloudgoat/core/python/utils.py") == \
        "robustness, not a security weakness: requests.get() at line 45 without a timeout towards a fixed host"
    for r in (rec, b105, timeout):
        assert not justification(r, "x.py").endswith("...") and len(justification(r, "x.py")) <= 110
