"""The review checks (tasks.datasets.checks): each fires on the defect a strict review found, with real code,
and stays silent on the good row next to it."""

from __future__ import annotations

import pytest

from datasets_rows import dependency, finding, row
from tasks.datasets import checks
from tasks.datasets.lint import row_problems

PROMPT = ("Tool: bandit 1.7.5\nRule: B602\nTitle: subprocess call with shell=True identified, security issue.\n"
          "Severity: high\nCWE: CWE-78\nLocation: tools/release.py:42\n"
          "Description: subprocess call with shell=True identified, security issue.")


def test_restated_prompt_fires_on_a_paraphrase_and_not_on_knowledge():
    restated = ("Bandit reported subprocess call with shell=True identified, security issue in tools/release.py:42 "
                "with high severity (B602, CWE-78).")
    assert checks.restated_prompt(restated, PROMPT)
    knowledge = ("`tag` comes from `sys.argv[1]` two lines up, so whoever runs the release script controls the shell "
                 "line: `v1; rm -rf ~` runs the second command. Pass a list (`subprocess.run(['git', 'tag', tag])`) "
                 "and the shell is never started.")
    assert checks.restated_prompt(knowledge, PROMPT) is None


@pytest.mark.parametrize("text", ["CWE-330 (The scanner named no CWE; this is the closest catalogue entry.)",
                                  "Fix (sql injection) at app/db.py:11, Python:", "Use the <fix_family> pattern.",
                                  "cwe_source: retrieved", "To do not give the instance a public IP, set this:",
                                  "check with `docker run --rm --user 10001 <your image>` first",
                                  "set this in .github/workflows/pr.yaml (resource on(build)):"])
def test_template_markers(text):
    assert checks.template_marker(text)


def test_template_marker_is_silent_on_ordinary_prose():
    assert checks.template_marker("Fix it with `hashlib.sha256(data).hexdigest()` in app/cache.py (CWE-328).") is None


def test_absolute_and_climbing_diff_paths_are_refused():
    bad = "```diff\n--- a//src/app/views.py\n+++ b//src/app/views.py\n@@ -1 +1 @@\n-x = 1\n+x = 2\n```"
    assert checks.absolute_diff_path(bad)
    assert checks.absolute_diff_path(bad.replace("a//src", "a/../etc").replace("b//src", "b/../etc"))
    good = "```diff\n--- a/src/app/views.py\n+++ b/src/app/views.py\n@@ -1 +1 @@\n-x = 1\n+x = 2\n```"
    assert checks.absolute_diff_path(good) is None
    new_file = "```diff\n--- /dev/null\n+++ b/.github/dependabot.yml\n@@ -0,0 +1 @@\n+version: 2\n```"
    assert checks.absolute_diff_path(new_file) is None


@pytest.mark.parametrize("tag,body,ok", [
    ("yaml", "securityContext:\n  runAsNonRoot: true\n  readOnlyRootFilesystem: true\n", True),
    ("yaml", "securityContext:\n  runAsNonRoot: true\n readOnlyRootFilesystem: true\n", False),  # bad indentation
    ("json", '{"compilerOptions": {"strict": true}}', True),
    ("json", '{"compilerOptions": {"strict": true},}', False),
    ("python", "cur.execute('SELECT * FROM users WHERE id = %s', (uid,))", True),
    ("python", "cur.execute('SELECT * FROM users WHERE id = %s', (uid,)", False),
    # a suppression shown on the flagged line alone: a decorator, a dict entry (held-out healthchecks' B105/B106)
    ("python", '# test code\n@override_settings(DEBUG=False, SECRET_KEY="---")  # nosec B106', True),
    ("python", '# test code\n"token": "abc",  # nosec B105', True),
    ("python", '@override_settings(DEBUG=False, SECRET_KEY="---"  # nosec B106', False),
    ("python", '"token": "abc" "x": 1,', False),
    ("java", 'PreparedStatement ps = conn.prepareStatement("SELECT * FROM t WHERE id = ?");\nps.setString(1, id);', True),
    ("java", 'PreparedStatement ps = conn.prepareStatement("SELECT * FROM t WHERE id = ?";', False),
    ("go", 'rows, err := db.Query("SELECT * FROM t WHERE id = $1", id)', True),
    ("javascript", "const token = jwt.sign(payload, key, { algorithm: 'RS256' });", True),
    ("javascript", "const token = jwt.sign(payload, key, { algorithm: 'RS256' );", False),
])
def test_code_blocks_parse_by_language(tag, body, ok):
    assert checks.parses(tag, body) is ok
    assert (checks.unparsable_code(f"```{tag}\n{body}\n```") is None) is ok


def test_an_elided_excerpt_or_an_unknown_language_is_not_judged():
    assert checks.parses("python", "def f(x):\n    ...") is None
    assert checks.parses("cobol", "MOVE A TO B.") is None


def test_a_diff_that_deletes_tests_is_harmful():
    whole_file = ("```diff\n--- a/tests/test_auth.py\n+++ /dev/null\n@@ -1,3 +0,0 @@\n-def test_login():\n"
                  "-    assert login('a', 'b')\n-\n```")
    assert checks.deletes_tests(whole_file)
    one_test = ("```diff\n--- a/spec/auth.spec.js\n+++ b/spec/auth.spec.js\n@@ -10,4 +10,0 @@\n"
                "-it('rejects an expired token', () => {\n-  expect(verify(old)).toBe(false);\n-});\n```")
    assert checks.deletes_tests(one_test)
    fix = ("```diff\n--- a/tests/test_auth.py\n+++ b/tests/test_auth.py\n@@ -1,2 +1,2 @@\n def test_login():\n"
           "-    assert login('a', 'b')\n+    assert login('a', 'b') is True\n```")
    assert checks.deletes_tests(fix) is None


def test_rotating_aws_documented_example_key_is_harmful():
    f = finding("aws", tool="gitleaks", kind="secret", rule_id="aws-access-token", cwe=["CWE-798"],
                title="AWS Access Key", snippet="aws_access_key_id = AKIAIOSFODNN7EXAMPLE",
                location={"path": "deploy/config.ini", "start_line": 3, "end_line": 3})
    answer = "Revoke the AWS access key in IAM and rotate it; load it from the CI secret store."
    assert checks.example_secret_rotated(answer, f)
    real = dict(f, snippet="aws_access_key_id = AKIA****************")
    assert checks.example_secret_rotated(answer, real) is None
    docs = dict(real, location={"path": "docs/examples/config.ini", "start_line": 3, "end_line": 3})
    assert checks.example_secret_rotated(answer, docs)


MANIFEST = """<activity android:name=".MainActivity" android:exported="true">
    <intent-filter>
        <action android:name="android.intent.action.MAIN" />
        <category android:name="android.intent.category.LAUNCHER" />
    </intent-filter>
</activity>"""


def test_unexporting_the_launcher_activity_silently_is_harmful():
    f = finding("android", tool="semgrep", kind="config", rule_id="java.android.exported-activity", cwe=["CWE-926"],
                location={"path": "app/src/main/AndroidManifest.xml", "start_line": 1, "end_line": 1}, snippet=MANIFEST)
    answer = ("```diff\n--- a/app/src/main/AndroidManifest.xml\n+++ b/app/src/main/AndroidManifest.xml\n@@ -1 +1 @@\n"
              '-<activity android:name=".MainActivity" android:exported="true">\n'
              '+<activity android:name=".MainActivity" android:exported="false">\n```\nReason: not exported.')
    assert checks.silent_behaviour_change(answer, f, 2, MANIFEST)
    said = answer + " This is the launcher activity: unexporting it means the app can no longer start; keep it exported."
    assert checks.silent_behaviour_change(said, f, 2, MANIFEST) is None


def test_a_major_upgrade_must_say_it_breaks():
    f = dependency("express", "express", "3.21.2", "5.0.0")
    f["tool"], f["package"]["ecosystem"] = "npm-audit", "npm"
    assert checks.silent_behaviour_change("Upgrade express from 3.21.2 to 5.0.0.", f, 2)
    assert checks.silent_behaviour_change(
        "Upgrade express from 3.21.2 to 5.0.0. This crosses two major versions and breaks: app.del is gone, "
        "req.param() is removed and path patterns changed; check the migration guides.", f, 2) is None
    minor = dependency("pyyaml", "PyYAML", "5.3.1", "5.4")
    assert checks.silent_behaviour_change("Upgrade PyYAML from 5.3.1 to 5.4.", minor, 2) is None


def test_a_paragraph_shared_by_many_rows_is_boilerplate():
    para = ("Consequences: an attacker may be able to read or modify application data, bypass protection mechanisms "
            "and execute unauthorized code or commands.")
    texts = [f"## What is wrong here\n`uid` is set on line {i} from `request.args['id']`.\n\n## How it works\n{para}"
             for i in range(6)] + [f"## How it works\n{para}"]
    shared, only = checks.shared_paragraphs(texts)
    assert sorted(shared) == [3, 4, 5, 6] and "7 rows share" in shared[3]
    assert list(only) == [6]  # nothing of its own: pure boilerplate


def test_row_problems_reports_the_review_checks():
    sql = finding("sql")
    r = row(sql, "```diff\n--- a//work/app/db.py\n+++ b//work/app/db.py\n@@ -11 +11 @@\n-x\n+y\n```\nCWE-89 in app/db.py.")
    assert "absolute_diff_path" in row_problems(r, sql)


def test_unsafe_stage2_answers_are_not_built():
    from tasks.datasets import rows

    leaked = finding("gl", tool="gitleaks", kind="secret", rule_id="aws-access-token", cwe=["CWE-798"],
                     location={"path": "dojo/unittests/tools/test_gitlab_parser.py", "start_line": 37, "end_line": 37})
    assert rows.unsafe_fix(leaked, ("1. Treat the AWS access key ...", "secret-rotation", {})) == rows.SECRET_IN_TESTS
    label = finding("b105", tool="bandit", rule_id="B105", cwe=["CWE-259"],
                    location={"path": "detect_secrets/plugins/ibm_cos_hmac.py", "start_line": 21, "end_line": 21})
    assert rows.unsafe_fix(label, ("1. Treat the password ...", "secret-rotation", {})) == rows.PASSWORD_HEURISTIC
    unseen = finding("sg", tool="semgrep", kind="code", rule_id="hardcoded-secret-assignment-python", cwe=["CWE-798"],
                     location={"path": "app/app.py", "start_line": 63, "end_line": 63}, snippet=None)
    assert rows.unsafe_fix(unseen, ("1. Treat the credential ...", "secret-rotation", {})) == rows.SECRET_NOT_SHOWN
    shown = finding("sg2", tool="semgrep", kind="code", rule_id="hardcoded-secret-assignment-python", cwe=["CWE-798"],
                    location={"path": "app/app.py", "start_line": 63, "end_line": 63}, snippet='STRIPE_KEY = "sk_live_..."')
    assert rows.unsafe_fix(shown, ("1. Treat the credential ...", "secret-rotation", {})) is None
    demo = ("app/app.py:63 belongs to nodegoat, a deliberately vulnerable application", "secret-rotation",
            {"fix_family": "secret-in-demo"})
    assert rows.unsafe_fix(unseen, demo) is None  # the project, not the code, says what it is
    sql = finding("generic")
    assert rows.unsafe_fix(sql, ("In app/db.py (Python): Pass the values as query parameters", "pattern", {"has_diff": False})) \
        == rows.GENERIC_PATTERN
    assert rows.unsafe_fix(sql, ("```diff ...```", "pattern", {"has_diff": True})) is None


@pytest.mark.parametrize("line", ["except Exception:  # nosec B110 - test cleanup",
                                  "version = subprocess.check_output(  # nosec B603 - fixed argv",
                                  "with urllib.request.urlopen(url) as f:  # nosec B310 - constant URL",
                                  "# constant input\nsubprocess.check_call([sys.executable,  # nosec B603",
                                  "# not deployed\nurl + '/get/2', proxies=proxies, verify=False)  # nosec B501"])
def test_a_line_shown_from_longer_code_is_not_a_parse_error(line):
    # a suppression answer shows the flagged line with its comment; the statement continues in the file
    assert checks.parses("python", line) is True


def test_braces_in_code_are_not_template_markers():
    answer = "Mark the line:\n```python\nos.system(f'icacls \"{protected_path}\" /remove:d Everyone')  # nosec B605\n```"
    assert checks.template_marker(answer) is None
    assert checks.template_marker("Use the {package} release.")


def test_an_f_string_quoted_inline_is_code_not_a_template_marker():
    # DVGA's core/views.py:211 passes an f-string to run_cmd; the call site is quoted as written
    said = "the repository calls it from core/views.py:211 in `mutate` with `f'curl --insecure {url}'`."
    assert checks.template_marker(said) is None
    assert checks.template_marker("Upgrade `{package}` to {version}.")


def test_placeholder_names_in_stage2_code_are_caught():
    from test_fixes_config import parsed

    f = next(f for f in parsed("checkov/checkov-report-multiple-check_type.json") if f["rule_id"] == "CKV_AWS_118")
    prompt = f"Code:\n```\n{f['snippet']}\n```"  # TerraGoat's aws_db_instance.default
    made_up = "```hcl\nmonitoring_interval = 60\nmonitoring_role_arn = aws_iam_role.rds_monitoring.arn\n```"
    assert "aws_iam_role.rds_monitoring" in checks.placeholder_name(made_up, prompt)
    shown = "```hcl\nvpc_security_group_ids = [aws_security_group.default.id]\n```"  # a resource the code names
    assert checks.placeholder_name(shown, prompt) is None
    assert "var.admin_cidr" in checks.placeholder_name("```hcl\ncidr_blocks = [var.admin_cidr]\n```", prompt)
    declared = "```hcl\ncidr_blocks = [var.admin_cidr]\n```\n```hcl\nvariable \"admin_cidr\" {\n  type = string\n}\n```"
    assert checks.placeholder_name(declared, prompt) is None
    assert "<container>" in checks.placeholder_name("```yaml\ncontainers:\n  - name: <container>\n```", prompt)
    generic = "```java\nList<String> names = new ArrayList<>();\n```"  # a type parameter is not a blank
    assert checks.placeholder_name(generic, prompt) is None


def test_a_suppression_needs_a_false_positive_verdict():
    from test_fixes_config import parsed

    f = next(f for f in parsed("bandit/many_vulns.json") if f["rule_id"] == "B105" and "'POST'" in f["title"])
    answer = "```python\n# a protocol keyword\nACCESS_TOKEN_METHOD = 'POST'  # nosec B105\n```"
    fp = {"verdict": "false_positive", "reasons": [{"check": "secret", "evidence": "not a credential: a protocol keyword"}]}
    assert checks.suppresses_real_finding(answer, {"stage": 2, "fix_source": "suppression", "triage": fp}, f) is None
    tp = {"verdict": "true_positive", "reasons": [{"check": "report", "evidence": "bandit reports it"}]}
    assert "true_positive" in checks.suppresses_real_finding(answer, {"stage": 2, "fix_source": "pattern", "triage": tp}, f)
    fixed = "```diff\n--- a/dojo/okta.py\n+++ b/dojo/okta.py\n@@ -36 +36 @@\n-    x = 1  # nosec B105\n+    x = 1\n```"
    assert checks.suppresses_real_finding(fixed, {"stage": 2, "fix_source": "pattern", "triage": tp}, f) is None


def test_leaked_scaffolding_is_caught():
    # the stage-1 fix section once turned a Checkov setting into a list item holding the fence
    leaked = "## How to fix it\n- ```hcl\niam_database_authentication_enabled = true\n```\nThen re-run checkov."
    assert "list item" in checks.broken_markup(leaked)
    assert "never closed" in checks.broken_markup("Set this:\n```hcl\nmonitoring = true\n")
    assert "parenthesis" in checks.broken_markup("Reason: Detected a workflow step triggered on(build")
    good = ("To enable detailed monitoring (billed per metric), set this in db-app.tf (resource aws_instance.db_app):\n"
            "```hcl\nmonitoring = true\n```\nThen re-run checkov (`checkov -f db-app.tf`).")
    assert checks.broken_markup(good) is None


def test_a_cut_title_is_not_quoted_as_the_reason():
    from test_fixes_config import parsed

    from tasks.fixes import fix_for

    f = next(f for f in parsed("semgrep/many_vulns.json") if "unquoted-csv-writer" in f["rule_id"])
    answer, label, _ = fix_for(f, f["cwe"])
    assert label == "scanner-fix" and answer.rstrip().endswith("Use 'quoting=csv.QUOTE_ALL'.")
    md5 = dict(next(f for f in parsed("semgrep/many_vulns.json") if f["rule_id"].endswith("md5")),
               scanner_fix={"fix": "hashlib.sha256(fingerprint.encode('utf-8'))"})
    from tasks.fixes import _reason

    from tasks.findings.model import as_finding

    assert _reason(as_finding(md5)).endswith("Use SHA256 or SHA3 instead.")  # the whole message, not the title's "... MD5 is not"


def test_a_fix_item_cut_to_its_block_is_repaired_not_left_as_scaffolding():
    from datasets_rows import narrative

    from tasks.datasets import grouping, rows

    f = finding("rds-iam", tool="checkov", kind="config", rule_id="CKV_AWS_161", cwe=[],
                title="Ensure RDS database has IAM authentication enabled",
                location={"path": "infra/terraform/aws/db-app.tf", "start_line": 1, "end_line": 41}, snippet=None)
    text = ("## What is wrong here\naws_db_instance.default in db-app.tf accepts only password logins.\n\n"
            "## How to fix it\n- ```hcl\niam_database_authentication_enabled = true\n```\nThen re-run checkov.")
    n = narrative(f, text, cwe=[], language="terraform")
    meta = rows.base_meta(f, n, grouping.group_key(f, "config:CKV_AWS_161"), "terraform")
    row = rows.stage1_row(f, n, meta, None, {"triage": "explain", "max_snippet_chars": 1500})
    answer = row["messages"][-1]["content"]
    assert "\n```hcl\niam_database_authentication_enabled = true\n```" in answer and "- ```" not in answer
    assert checks.broken_markup(answer) is None
