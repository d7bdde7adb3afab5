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
    assert "aws_db_instance.default" in answer
    assert "infra/terraform/aws/db-app.tf" in answer and "os.environ" not in answer
    # the resource has `storage_encrypted = false`: the fix changes that line in place (a diff that applies to
    # the reported block), it does not add a second argument of the same name
    from tasks.fixes.patch_check import apply_patch, extract_diff

    assert meta["has_diff"] and "-  storage_encrypted       = false\n+  storage_encrypted       = true" in answer
    patched = apply_patch(extract_diff(answer), meta["code"])
    assert patched.count("storage_encrypted") == 1 and "storage_encrypted       = true" in patched
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
    text = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n"
            "      containers:\n      - name: shop\n        image: bkimminich/juice-shop:v12.10.2\n")
    f = finding("config", "checkov", "CKV_K8S_20", path="deploy/web.yaml", start=1, end=10, snippet=text,
                title="Containers should not run with allowPrivilegeEscalation",
                description="Containers should not run with allowPrivilegeEscalation (resource Deployment.default.web, framework kubernetes)")
    answer, label, meta = fix_for(f, [])
    assert meta["language"] == "kubernetes" and "allowPrivilegeEscalation: false" in answer and "```yaml" in answer
    assert "- name: shop" in answer and "<container>" not in answer  # the manifest's own container
    # a manifest excerpt that names no container gets no row rather than "<container>"
    answer, reason, _ = fix_for(dict(f, snippet="apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"), [])
    assert answer is None and "container" in reason


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


def test_a_trivy_cluster_finding_names_its_kind_and_name_and_the_yaml_parses():
    import yaml

    from tasks.findings.parsers import parse_report

    findings = parse_report(FIXTURES / "trivy/kubernetes.json").findings
    f = next(f for f in findings if f["kind"] == "config" and f["rule_id"] == "KSV012")
    answer, _, _ = fix_for(f, [])
    # an image whose user is unknown: the precondition opens the answer, then the resource the scanner names
    first, second = answer.splitlines()[:2]
    assert first.startswith("Only if gcr.io/google_samples/gb-redis-follower:v2 runs as a non-root user")
    assert second.startswith("In the Deployment redis-follower (namespace default):")
    block = answer.split("```yaml\n", 1)[1].split("```", 1)[0]
    doc = yaml.safe_load(block)
    assert doc["kind"] == "Deployment" and doc["metadata"] == {"name": "redis-follower", "namespace": "default"}
    container = doc["spec"]["template"]["spec"]["containers"][0]
    assert container["name"] == "follower" and container["securityContext"]["runAsNonRoot"] is True
    # the same check reported on a Role is not given a Deployment's (or any) pod spec
    role = dict(f, location={"path": "default/Role/pod-reader", "start_line": None, "end_line": None})
    answer, _, _ = fix_for(role, [])
    assert "the Role pod-reader" in answer and "Deployment" not in answer and "containers:" not in answer


RDS = '''resource "aws_db_instance" "default" {
  engine            = "mysql"
  instance_class    = "db.t3.micro"
  storage_encrypted = false
}'''
EC2 = '''resource "aws_instance" "db_app" {
  ami           = data.aws_ami.amazon-linux-2.id
  instance_type = "t2.nano"
  subnet_id     = "${aws_subnet.web_subnet.id}"
}'''


def _checkov(rule, title, snippet, resource="aws_db_instance.default"):
    return {"id": "2" * 32, "tool": "checkov", "kind": "config", "rule_id": rule, "title": title,
            "description": f"{title} (resource {resource}, framework terraform)", "severity": "medium",
            "location": {"path": "infra/db.tf", "start_line": 1, "end_line": 5}, "snippet": snippet, "fix_hint": None,
            "cwe": [], "package": None}


def test_a_setting_terraform_cannot_change_in_place_says_so():
    answer, _, _ = fix_for(_checkov("CKV_AWS_16", "Ensure all data stored in the RDS is securely encrypted at rest", RDS), [])
    assert "storage_encrypted = true" in answer and "destroys and re-creates the database" in answer
    # TerraGoat's db_app is a t2.nano, which cannot be EBS-optimised: no row (the apply would fail)
    answer, reason, _ = fix_for(_checkov("CKV_AWS_135", "Ensure that EC2 is EBS optimized", EC2, "aws_instance.db_app"), [])
    assert answer is None and "t2.nano cannot be EBS-optimised" in reason
    unknown = EC2.replace('"t2.nano"', "var.instance_type")
    answer, _, _ = fix_for(_checkov("CKV_AWS_135", "Ensure that EC2 is EBS optimized", unknown, "aws_instance.db_app"), [])
    assert "ebs_optimized = true" in answer and "check instance_type first" in answer


def test_a_setting_already_present_is_not_overwritten():
    answer, reason, _ = fix_for(_checkov("CKV2_AWS_17", "Ensure that EC2 instances belong to a VPC", EC2, "aws_instance.db_app"), [])
    assert answer is None and "subnet_id is already set" in reason


def test_a_csp_missing_directives_gets_them_added_not_set_the_header_again():
    f = {"id": "3" * 32, "tool": "zap", "kind": "web", "rule_id": "10055", "title": "CSP: Wildcard Directive", "severity": "medium",
         "description": "The directive(s): frame-ancestors, form-action are among the directives that do not fallback "
                        "to default-src, missing/excluding them is the same as allowing anything.",
         "location": {"path": "https://juice-shop.herokuapp.com", "start_line": None, "end_line": None},
         "snippet": "default-src 'none'", "fix_hint": "Ensure that your web server ... set the Content-Security-Policy header.",
         "cwe": ["CWE-693"], "package": None, "instances": [{"uri": "https://juice-shop.herokuapp.com/assets"}]}
    answer, source, _ = fix_for(f, ["CWE-693"])
    assert source == "config-setting"
    assert "Content-Security-Policy: default-src 'none'; frame-ancestors 'none'; form-action 'self'" in answer


def test_settings_that_would_break_the_workload_say_what_else_is_needed():
    from tasks.findings.parsers import parse_report

    findings = [f for f in parse_report(FIXTURES / "trivy/kubernetes.json").findings if f["kind"] == "config"]
    import yaml

    by = {(f["rule_id"], f["location"]["path"]): f for f in findings}
    # docker.io/redis:6.0.5 writes to /data: the manifest mounts an emptyDir there (the pod still starts)
    ro = fix_for(by[("KSV014", "default/Deployment/redis-leader")], [])[0]
    spec = yaml.safe_load(ro.split("```yaml\n", 1)[1].split("```")[0])["spec"]["template"]["spec"]
    assert spec["containers"][0]["securityContext"]["readOnlyRootFilesystem"] is True
    assert spec["containers"][0]["volumeMounts"] == [{"name": "writable-0", "mountPath": "/data"}]
    assert spec["volumes"] == [{"name": "writable-0", "emptyDir": {}}]
    # Google's gb-redis-follower is built on redis: it writes to /data too (its UID is not known, so runAsUser is not set)
    ro = fix_for(by[("KSV014", "default/Deployment/redis-follower")], [])[0]
    assert "mountPath: /data" in ro and "built on redis" in ro
    nonroot = fix_for(by[("KSV012", "default/Deployment/redis-leader")], [])[0]
    assert "runAsNonRoot: true" in nonroot and "runAsUser: 999" in nonroot  # the redis image's own user
    nonroot = fix_for(by[("KSV012", "default/Deployment/redis-follower")], [])[0]
    assert "runAsNonRoot: true" in nonroot and "also set runAsUser" in nonroot


def test_a_strict_csp_is_rolled_out_report_only_first_and_obsolete_headers_are_not_advised():
    f = {"id": "4" * 32, "tool": "zap", "kind": "web", "rule_id": "10038", "title": "Content Security Policy (CSP) Header Not Set",
         "severity": "medium", "description": "CSP is an added layer of security.", "snippet": None,
         "location": {"path": "http://bodgeit:8080", "start_line": None, "end_line": None}, "cwe": ["CWE-693"], "package": None,
         "fix_hint": "Ensure that your web server, application server, load balancer, etc. is configured to set the "
                     "Content-Security-Policy header, to achieve optimal browser support: \"Content-Security-Policy\" for "
                     "Chrome 25+, Firefox 23+ and Safari 7+, \"X-Content-Security-Policy\" for Firefox 4.0+ and Internet "
                     "Explorer 10+, and \"X-WebKit-CSP\" for Chrome 14+ and Safari 6+.",
         "instances": [{"uri": "http://bodgeit:8080/bodgeit/"}]}
    answer = fix_for(f, ["CWE-693"])[0]
    assert "Content-Security-Policy-Report-Only" in answer and "X-WebKit-CSP" not in answer


def test_a_key_in_terraform_state_means_state_leaves_the_repository():
    f = {"id": "5" * 32, "tool": "gitleaks", "kind": "secret", "rule_id": "AWS Access Key", "title": "AWS Access Key leaked",
         "description": "x", "location": {"path": "terraform/terraform.tfstate.backup", "start_line": 1025, "end_line": 1025},
         "snippet": None, "cwe": ["CWE-798"], "package": None, "fix_hint": None}
    answer = fix_for(f, ["CWE-798"])[0]
    assert "stop committing it" in answer and "*.tfstate*" in answer and "remote backend" in answer


def test_an_added_list_item_gives_yaml_that_parses():
    import yaml

    from tasks.findings.parsers import parse_report

    f = next(f for f in parse_report(FIXTURES / "trivy/kubernetes.json").findings if f["rule_id"] == "KSV003")
    answer = fix_for(f, [])[0]
    doc = yaml.safe_load(answer.split("```yaml\n", 1)[1].split("```", 1)[0])
    assert doc["spec"]["template"]["spec"]["containers"][0]["securityContext"]["capabilities"]["drop"] == ["ALL"]
