"""Config checks get the setting to change, secrets a rotation in the file's own platform, web alerts the header."""

from pathlib import Path

import pytest
from fixes_helpers import assert_own_language, finding

from tasks.findings.parse import parse_file
from tasks.fixes import fix_for

FIXTURES = Path(__file__).parent / "fixtures" / "scanners"


def parsed(rel):
    return parse_file(FIXTURES / rel, FIXTURES, "raise", 10**8)["findings"]


def test_checkov_terraform_check_names_attribute_and_resource():
    f = next(f for f in parsed("checkov/checkov-report-multiple-check_type.json") if f["rule_id"] == "CKV_AWS_16")
    answer, label, meta = fix_for(f, [])
    assert label == "config-setting" and meta["language"] == "terraform"
    assert "storage_encrypted = true" in answer and "aws_db_instance.default" in answer
    assert "infra/terraform/aws/db-app.tf" in answer and "os.environ" not in answer
    assert_own_language(answer, "terraform")


def test_checkov_title_mismatch_is_not_answered_from_the_table():
    # the fixture reports CKV_AZURE_41 with the key-vault-recoverable title: the table entry must not be used
    f = next(f for f in parsed("checkov/checkov-report-many-vuln.json") if f["rule_id"] == "CKV_AZURE_41")
    answer, label, _ = fix_for(f, [])
    assert answer is None and "no fix" not in label.lower().replace("no concrete", "")


def test_github_actions_permissions_check_is_a_setting_never_no_fix():
    f = finding("config", "checkov", "CKV2_GHA_1", path=".github/workflows/ci.yml", start=1, end=20,
                title="Ensure top-level permissions are not set to write-all",
                description="Ensure top-level permissions are not set to write-all (resource on(CI), framework github_actions)",
                fix_hint="https://docs.prismacloud.io/en/enterprise-edition/policy-reference/build-integrity-policies/github-actions-policies/ckv2-gha-1")
    answer, label, meta = fix_for(f, [])
    assert label == "config-setting" and meta["language"] == "github-actions"
    assert "permissions:\n  contents: read" in answer and "no fix" not in answer.lower()


def test_trivy_kubernetes_resolution_becomes_yaml_for_the_container():
    f = next(f for f in parsed("trivy/kubernetes.json") if f["rule_id"] == "KSV012")
    answer, label, meta = fix_for(f, [])
    assert label == "config-setting" and meta["language"] == "kubernetes"
    assert "- name: follower" in answer and "runAsNonRoot: true" in answer


def test_trivy_dockerfile_user_check():
    f = next(f for f in parsed("trivy/misconfigurations_and_secrets.json") if f["rule_id"] == "DS002")
    answer, label, _ = fix_for(f, [])
    assert label == "config-setting" and "USER 10001" in answer and "```dockerfile" in answer


@pytest.mark.parametrize("path,needle,forbidden", [
    ("conf/aws.tf", 'sensitive = true', "os.environ"),
    (".github/workflows/deploy.yml", "${{ secrets.AWS_ACCESS_KEY_ID }}", "os.environ"),
    ("src/config.js", "process.env.AWS_ACCESS_KEY_ID", "os.environ"),
    ("app/settings.py", 'os.environ["AWS_ACCESS_KEY_ID"]', "process.env"),
    ("src/main/java/Config.java", 'System.getenv("AWS_ACCESS_KEY_ID")', "os.environ"),
    ("Dockerfile", "--mount=type=secret", "ENV AWS"),
])
def test_secret_rotation_reads_from_the_platforms_store(path, needle, forbidden):
    f = finding("secret", "gitleaks", "aws-access-token", path=path, start=2, snippet="[REDACTED secret sha256:5b7a7bad19c6]",
                cwe=["CWE-798"], title=f"AWS leaked in {path}")
    answer, label, meta = fix_for(f, ["CWE-798"])
    assert label == "secret-rotation"
    assert answer.index("IAM") < answer.index("filter-repo")  # revoke first, then purge history
    assert needle in answer and forbidden not in answer
    if meta["language"]:
        assert_own_language(answer, meta["language"], path)


def test_private_key_file_is_removed_from_history():
    f = next(f for f in parsed("gitleaks/gitleaks8_many.json") if f["rule_id"] == "RSA-PK")
    answer, _, meta = fix_for(f, f["cwe"])
    assert meta["fix_family"] == "secret-key-file"
    assert "git filter-repo --invert-paths --path conf/rsa.pk" in answer and "os.environ" not in answer


def test_zap_header_alert_gives_the_header_and_urls():
    f = next(f for f in parsed("zap/zap-results-first-scan.xml") if f["rule_id"] == "10021")
    answer, label, meta = fix_for(f, f["cwe"])
    assert label == "config-setting" and "X-Content-Type-Options: nosniff" in answer and "http://" in answer


def test_zap_informational_alert_is_no_row():
    f = next(f for f in parsed("zap/zap-results-first-scan.xml") if f["rule_id"] == "10109")
    assert fix_for(f, f["cwe"])[0] is None


def test_zap_injection_alert_gets_family_prose_without_code():
    f = next(f for f in parsed("zap/zap-results-first-scan.xml") if f["rule_id"] == "40018")
    answer, label, meta = fix_for(f, f["cwe"])
    assert label == "pattern" and "bound parameter" in answer and "```" not in answer and "productid" in answer


def test_checkov_kubernetes_check_in_a_manifest():
    text = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"
    f = finding("config", "checkov", "CKV_K8S_20", path="deploy/web.yaml", start=1, end=4, snippet=text,
                title="Containers should not run with allowPrivilegeEscalation",
                description="Containers should not run with allowPrivilegeEscalation (resource Deployment.default.web, framework kubernetes)")
    answer, label, meta = fix_for(f, [])
    assert meta["language"] == "kubernetes" and "allowPrivilegeEscalation: false" in answer and "```yaml" in answer


def test_semgrep_workflow_shell_injection_moves_event_data_to_env():
    f = finding("code", "semgrep", "yaml.github-actions.security.run-shell-injection.run-shell-injection",
                path=".github/workflows/pr.yml", start=12, snippet='      run: echo "${{ github.event.pull_request.title }}"',
                cwe=["CWE-78"], title="Using variable interpolation `${{...}}` with `github` context data in a `run:` step")
    answer, label, meta = fix_for(f, ["CWE-78"])
    assert meta["language"] == "github-actions" and label == "pattern"
    assert "TITLE: ${{ github.event.pull_request.title }}" in answer and 'echo "Title: $TITLE"' in answer
    assert_own_language(answer, "github-actions")


@pytest.mark.parametrize("rule,path,needle", [
    ("yaml.github-actions.security.third-party-action-not-pinned-to-commit-sha", ".github/workflows/ci.yml",
     "actions/checkout@b4ffde65f46336ab88eb53be808477a3936bae11"),
    ("yaml.github-actions.security.pull-request-target-code-checkout", ".github/workflows/pr.yml", "pull_request_target"),
    ("dockerfile.security.missing-user.missing-user", "Dockerfile", "USER 10001"),
])
def test_semgrep_rules_on_infrastructure_files(rule, path, needle):
    f = finding("code", "semgrep", rule, path=path, start=3, snippet="x")
    answer, label, meta = fix_for(f, [])
    assert label == "pattern" and needle in answer
    assert_own_language(answer, meta["language"], path)


def test_android_manifest_debuggable_is_android_xml_not_python():
    f = finding("code", "semgrep", "java.android.security.debuggable-enabled", path="app/src/main/AndroidManifest.xml",
                start=12, snippet='    android:debuggable="true"', cwe=["CWE-489"])
    answer, label, meta = fix_for(f, ["CWE-489"])
    assert meta["platform"] == "android" and meta["language"] == "xml"
    assert 'android:debuggable="false"' in answer and "FLASK" not in answer and "```python" not in answer
