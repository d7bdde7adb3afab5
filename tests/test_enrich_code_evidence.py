"""Verdict evidence read from infrastructure code and from the flagged line (tasks.enrich.iac_reach,
tasks.enrich.evidence), and the stage-1 rows it decides (issue 22: the held-out review's wrong facts and bare verdicts)."""

from __future__ import annotations

from test_enrich_verdicts import STOCK, bandit

from tasks.datasets import rows
from tasks.enrich.evidence import benign, config_setting
from tasks.enrich.verdicts import reconcile, verdict_text


TWO_PORTS = ('resource "aws_security_group" "web-node" {\n  ingress {\n    from_port = 80\n    to_port   = 80\n'
             '    protocol  = "tcp"\n    cidr_blocks = [\n    "0.0.0.0/0"]\n  }\n  ingress {\n    from_port = 22\n'
             '    to_port   = 22\n    protocol  = "tcp"\n    cidr_blocks = [\n    "0.0.0.0/0"]\n  }\n}\n')


def test_a_security_group_check_quotes_the_rule_for_its_own_port():
    # TerraGoat ec2.tf:77-115: port 80 comes first, CKV_AWS_24 is about the SSH rule below it
    from tasks.enrich.iac_reach import terraform_reach

    f = {"id": "5" * 32, "tool": "checkov", "kind": "config", "rule_id": "CKV_AWS_24", "title": "t", "severity": "high",
         "description": "Ensure no security groups allow ingress from 0.0.0.0:0 to port 22 (resource aws_security_group.web-node, "
                        "framework terraform)", "location": {"path": "ec2.tf", "start_line": 77, "end_line": 93},
         "snippet": TWO_PORTS}
    ev = config_setting(f, "```hcl\ncidr_blocks = [var.admin_cidr]\n```")
    assert ev.text == 'aws_security_group.web-node sets `cidr_blocks = ["0.0.0.0/0"]` (line 89)'
    assert "on port 22:" in terraform_reach(f)
    web = f | {"rule_id": "CKV_AWS_260"}
    assert "(line 82)" in config_setting(web, "```hcl\ncidr_blocks = [var.http_source_cidr]\n```").text
    assert "on port 80:" in terraform_reach(web)


def test_a_fix_that_adds_its_own_resource_never_quotes_the_buckets_name_as_evidence():
    bucket = 'resource "aws_s3_bucket" "data" {\n  bucket = "acme-data"\n  acl    = "private"\n}\n'
    f = {"id": "6" * 32, "tool": "checkov", "kind": "config", "rule_id": "CKV_AWS_21", "title": "t", "severity": "medium",
         "description": "Ensure all data stored in the S3 bucket have versioning enabled (resource aws_s3_bucket.data, "
                        "framework terraform)", "location": {"path": "s3.tf", "start_line": 1, "end_line": 4}, "snippet": bucket}
    fix = '```hcl\nresource "aws_s3_bucket_versioning" "data" {\n  bucket = aws_s3_bucket.data.id\n}\n```'
    ev = config_setting(f, fix)
    assert ev.text == ("Checkov found no `aws_s3_bucket_versioning` resource attached to aws_s3_bucket.data with the setting "
                       "on, and the bucket has no inline `versioning` block")
    assert config_setting(f | {"snippet": bucket.replace("}\n", "  versioning {\n    enabled = false\n  }\n}\n")}, fix) is None
    empty = config_setting(f | {"snippet": 'resource "aws_s3_bucket" "data" {}\n'}, fix)  # wrongsecrets shared-state main.tf:15
    assert empty.text.startswith("Checkov found no `aws_s3_bucket_versioning` resource attached to aws_s3_bucket.data")


def test_bandits_high_shell_form_says_the_command_is_built_at_run_time():
    f = bandit("B602", "introduction/views.py", 432, "431     command,\n432     shell=True,\n", cwe=("CWE-78",))
    f["title"] = "subprocess call with shell=True identified, security issue."
    text = verdict_text(reconcile(f, {"verdict": "true_positive", "reasons": [], "source": "report"}))
    assert "True positive" in text and "the command handed to the shell is not a string literal" in text
    literal = dict(f, title="subprocess call with shell=True seems safe, but may be changed in the future")
    assert reconcile(literal, {"verdict": "true_positive", "reasons": [], "source": "report"})["reasons"] == []


POD = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: mysql\nspec:\n  containers:\n    - image: mysql\n      name: mysql\n"
       "      ports:\n        - containerPort: 3306\n")


def test_a_manifest_verdict_says_what_the_container_leaves_to_the_default():
    # kubernetes/examples databases/mysql-cinder-pd/mysql.yaml (CKV_K8S_20): the whole Pod, no securityContext
    f = {"id": "7" * 32, "tool": "checkov", "kind": "config", "rule_id": "CKV_K8S_20", "title": "t", "severity": "medium",
         "description": "Containers should not run with allowPrivilegeEscalation (resource Pod.default.mysql, framework kubernetes)",
         "location": {"path": "mysql.yaml", "start_line": 1, "end_line": 10}, "snippet": POD}
    fix = "```yaml\ncontainers:\n  - name: mysql\n    securityContext:\n      allowPrivilegeEscalation: false\n```"
    assert config_setting(f, fix).text == ("container `mysql` (image mysql) sets no securityContext: allowPrivilegeEscalation "
                                           "defaults to true, so a setuid binary in the image can raise the process's privileges")
    rec = reconcile(f, {"verdict": "true_positive", "reasons": [], "source": "report"}, remediation=fix)
    assert rec["reasons"][0]["evidence"].startswith("container `mysql` (image mysql) sets no securityContext")
    assert config_setting(f | {"snippet": POD.split("spec:")[0]}, fix) is None  # a cut manifest: no claim of absence
    already = POD + "      securityContext:\n        allowPrivilegeEscalation: true\n"
    assert config_setting(f | {"snippet": already}, fix) is None


def test_a_dockerfile_verdict_quotes_the_add_line_or_the_missing_user():
    base = {"id": "8" * 32, "tool": "checkov", "kind": "config", "title": "t", "severity": "medium"}
    add = base | {"rule_id": "CKV_DOCKER_4", "description": "d (resource /Dockerfile.ADD, framework dockerfile)",
                  "location": {"path": "Dockerfile", "start_line": 5, "end_line": 5}, "snippet": "ADD secret.txt /root/secret.txt"}
    assert config_setting(add, "```dockerfile\nCOPY secret.txt /root/secret.txt\n```").text.startswith(
        "line 5 ADDs the local file secret.txt (`ADD secret.txt /root/secret.txt`)")
    whole = "FROM alpine:latest\n\nADD secret.txt /root/secret.txt\n\nCMD [\"sh\"]\n"
    user = base | {"rule_id": "CKV_DOCKER_3", "description": "d (resource /Dockerfile., framework dockerfile)",
                   "location": {"path": "Dockerfile", "start_line": 1, "end_line": 5}, "snippet": whole}
    fix = "```dockerfile\nUSER 10001\n```"
    assert config_setting(user, fix).text.startswith("no line of the Dockerfile (lines 1-5) sets USER")
    assert config_setting(user | {"snippet": whole + "USER app\n"}, fix) is None
    licensed = user | {"snippet": "# Copyright 2016 The Kubernetes Authors.\n\n" + whole}
    assert config_setting(licensed, fix).text.startswith("no line of the Dockerfile (lines 1-7) sets USER")


def test_a_password_digest_is_confirmed_by_the_code():
    f = bandit("B324", "sqli/dao/user.py", 41, "40     def check_password(self, password: str):\n"
               "41         return self.pwd_hash == md5(password.encode('utf-8')).hexdigest()\n", cwe=("CWE-327",))
    rec = reconcile(f, {"verdict": "true_positive", "reasons": [], "source": "report"})
    assert rec["reasons"][0]["evidence"].startswith("line 41 digests `password` with MD5, a fast unsalted hash")
    salted = dict(f, snippet="41         return sha1(passwd.encode() + salt).digest() + salt\n")  # privacyidea tools/ssha.py (set 29)
    said = reconcile(salted, {"verdict": "true_positive", "reasons": [], "source": "report"})["reasons"][0]["evidence"]
    assert said.startswith("line 41 digests `passwd` with SHA1, salted but fast") and "unsalted" not in said
    key = dict(f, snippet="41         key = md5(url.encode()).hexdigest()\n")
    assert not any("digests" in r["evidence"] for r in reconcile(key, {"verdict": "true_positive", "reasons": [],
                                                                       "source": "report"})["reasons"])


def test_a_row_that_would_say_only_its_verdict_is_not_built_and_a_repeated_section_goes():
    # terraform-aws-eks tests/eks-fargate-profile/main.tf (CKV_AWS_355): needs review by path, nothing else to say
    tf = {"id": "9" * 32, "tool": "checkov", "kind": "config", "rule_id": "CKV_AWS_355", "title": "t", "severity": "medium",
          "description": "d (resource aws_iam_policy.additional, framework terraform)", "snippet": None,
          "location": {"path": "tests/eks-fargate-profile/main.tf", "start_line": 150, "end_line": 164}}
    rec = {"verdict": "needs_review", "reasons": [{"check": "path", "evidence": "tests/eks-fargate-profile/main.tf is test "
                                                   "code: check whether it is deployed"}], "source": "evidence"}
    s1 = rows.chat("s", "Rule: CKV_AWS_355", "## References\n- https://docs.example/ckv_aws_355", {"stage": 1})
    out, _ = rows.apply_triage(tf, {"narrative": "x", "sections": {}}, {}, rec, s1, (None, "no fix", {}), {"triage": "explain"})
    assert out is None
    from tasks.enrich.specifics import reach

    assert reach(tf) is None  # an infrastructure test applies real resources: not "only in CI"
    f = bandit("B307", "introduction/mitre.py", 218, "217     expression = request.POST.get('expression')\n"
               "218     result = eval(expression)\n", cwe=("CWE-95",))
    s1 = rows.chat("s", "Rule: B307", "## What is wrong here\n`expression` is set on line 217 from "
                   "`request.POST.get('expression')`.\n\n## How it works\n`eval` runs any Python expression.", {"stage": 1})
    tp = {"verdict": "true_positive", "reasons": [], "source": "report"}
    out, _ = rows.apply_triage(f, {"narrative": "x", "sections": {}}, {}, tp, s1, (None, "no fix", {}), {"triage": "explain"})
    text = out["messages"][2]["content"]
    assert text.count("is set on line 217") == 1 and "## What is wrong here" not in text and "## How it works" in text


def test_a_token_hashed_from_guessable_values_says_what_it_is_made_from():
    from tasks.enrich.analysis import what_is_wrong

    # pygoat dockerized_labs/broken_auth_lab/app.py:85-86 (Bandit B324)
    f = bandit("B324", "lab/app.py", 86, "85     # Vulnerable: Predictable token generation\n"
               "86     token = hashlib.md5(f\"{email}:{datetime.now()}\".encode()).hexdigest()\n", cwe=("CWE-327",))
    assert what_is_wrong(f, ["CWE-327"], "report").startswith(
        "Line 86 makes the token from `email` and `datetime.now()`: values an attacker knows")
    etag = dict(f, snippet="86     etag = hashlib.md5(body).hexdigest()\n")
    assert "makes the token" not in what_is_wrong(etag, ["CWE-327"], "report")


def test_a_bare_verdict_with_only_the_catalogue_pattern_is_not_a_row():
    from tasks.enrich.wording import teaches_nothing
    from tasks.findings.model import as_finding

    f = as_finding(bandit("B602", "app/run.py", 12, "12     subprocess.call(cmd, shell=True)\n", cwe=("CWE-78",)))
    bare = {"verdict": "true_positive", "reasons": [STOCK]}
    generic = ("## Verdict\nTrue positive (OS Command Injection, CWE-78) as reported.\n\n## How it works\nx\n\n"
               "## How to fix it\n- For this python code: y")
    assert teaches_nothing(f, bare, "pattern", {"has_diff": False}, generic)
    # naming no weakness either, it is no analysis whatever the fix: the line a small model learns first
    assert teaches_nothing(f, bare, "pattern", {"has_diff": True}, generic.replace(" (OS Command Injection, CWE-78)", ""))
    analysed = generic.replace(" (OS Command Injection, CWE-78)", "").replace(  # an analysis of its own keeps the row
        "## How it works", "## What is wrong here\nline 12 passes request.args['q'] to a shell\n\n## How it works")
    assert not teaches_nothing(f, bare, "pattern", {"has_diff": True}, analysed)
    assert not teaches_nothing(f, bare, "pattern", {"has_diff": True}, generic)  # the fix is fitted to this code
    said = {"verdict": "true_positive", "reasons": [{"check": "code", "evidence": "line 12 reads the request"}]}
    assert not teaches_nothing(f, said, "pattern", {"has_diff": False}, generic)
    assert not teaches_nothing(f, bare, "pattern", {"has_diff": False}, generic.replace("## How it works",
                                                                                       "## What is wrong here\n`cmd` is set on line 9\n\n## How it works"))
    # a LOW-confidence match nothing decided, with the catalogue paragraphs only (round 19): no row either
    unsure = {"verdict": "needs_review", "reasons": [{"check": "report", "evidence": "the rule rates its own confidence LOW; "
                                                      "check whether a value from outside reaches app/run.py:12"}]}
    assert teaches_nothing(f, unsure, "pattern", {"has_diff": False}, generic.replace("True positive as reported", "Needs review"))
    assert not teaches_nothing(f, unsure, "pattern", {"has_diff": False, "fitted": True}, generic)  # the call's own safe form
    decided = {"verdict": "needs_review", "reasons": [{"check": "code", "evidence": "but line 12 reads the request"}]}
    assert not teaches_nothing(f, decided, "pattern", {"has_diff": False}, generic)


def test_a_trivy_container_block_without_a_security_context_is_evidence_too():
    # Trivy kubernetes.json (shared fixture), KSV014 on default/Deployment/redis-follower: the container's own lines
    f = {"id": "c" * 32, "tool": "trivy", "kind": "config", "rule_id": "KSV014", "title": "Root file system is not read-only",
         "severity": "high", "description": "d", "location": {"path": "default/Deployment/redis-follower", "start_line": 132,
                                                            "end_line": 140},
         "snippet": "- image: gcr.io/google_samples/gb-redis-follower:v2\n  imagePullPolicy: IfNotPresent\n  name: follower\n"
                    "  ports:\n    - containerPort: 6379\n"}
    ev = config_setting(f, "```yaml\ncontainers:\n  - securityContext:\n      readOnlyRootFilesystem: true\n```")
    assert ev.text.startswith("container `follower` (image gcr.io/google_samples/gb-redis-follower:v2) sets no securityContext")
    assert config_setting(f | {"snippet": "  ports:\n    - containerPort: 6379\n"}, "```yaml\nreadOnlyRootFilesystem: true\n```") is None


def test_a_parser_built_above_with_resolve_entities_false_is_benign():
    # DefectDojo dojo/tools/nmap/parser.py:15-16 (Bandit B320): the parser is built on the line above the flagged call
    nmap = bandit("B320", "dojo/tools/nmap/parser.py", 16, "15         parser = le.XMLParser(resolve_entities=False)\n"
                  "16         nmap_scan = le.parse(file, parser)\n17         root = nmap_scan.getroot()\n", cwe=())
    assert "the parser used on line 16 is built with `resolve_entities=False`" in benign(nmap).text
    plain = dict(nmap, snippet="15         parser = le.XMLParser()\n16         nmap_scan = le.parse(file, parser)\n")
    assert benign(plain) is None


def test_a_fixed_file_path_feeding_yaml_load_is_not_confirmed_as_outside_input():
    # pygoat introduction/lab_code/test.py:22-23, a scratch script reading /home/fox/test.yaml
    f = bandit("B506", "introduction/lab_code/test.py", 23, "22 stream = open('/home/fox/test.yaml', 'r')\n"
               "23 data = yaml.load(stream)\n24 \n", cwe=("CWE-20",))
    ev = benign(f)
    assert ev.text == ("`stream` is set on line 22 from `open('/home/fox/test.yaml', 'r')`, a file at a fixed path, so only "
                       "whoever can write that file reaches line 23")
    tp = {"verdict": "true_positive", "reasons": [], "source": "report"}
    assert reconcile(f, tp)["verdict"] == "needs_review"
    upload = bandit("B506", "app/app.py", 3, "2 stream = request.files['f'].read()\n3 data = yaml.load(stream)\n", cwe=("CWE-20",))
    assert benign(upload) is None


def test_a_pod_level_fix_names_the_manifests_only_container():
    # kubernetes/examples _archived/volumes/portworx/portworx-volume-pvcpod.yaml (CKV_K8S_23, pod-level block)
    f = {"id": "d" * 32, "tool": "checkov", "kind": "config", "rule_id": "CKV_K8S_23", "title": "t", "severity": "medium",
         "description": "d (resource Pod.default.mysql, framework kubernetes)",
         "location": {"path": "mysql.yaml", "start_line": 1, "end_line": 10}, "snippet": POD}
    ev = config_setting(f, "```yaml\nsecurityContext:\n  runAsNonRoot: true\n  runAsUser: 10001\n```")
    assert ev.text.startswith("container `mysql` (image mysql) sets no securityContext: runAsNonRoot is unset")
