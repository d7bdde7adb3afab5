"""Checks from held-out set 35 (lemur, terraform-aws-emr, fider, peering-manager, oncall) and round 40's grades,
written after its measurement, each with the neighbour that stays."""

from __future__ import annotations

from test_triage_containers import Files, bandit_at, semgrep_at


def test_a_label_action_that_uses_the_default_token_is_a_need_or_an_unknown():
    """Round 40's harmful stage-1 row: oncall's on-issue-closed.yml runs actions-ecosystem/action-remove-labels (which
    takes `github.token` by default, unasked) and was answered `permissions: contents: read`: the label removal would
    get a 403 in a green job. Label actions need `issues: write`; an unknown action named for writing is an unknown."""
    from tasks.fixes.api_workflows import gha_permissions_fix, known
    from tasks.fixes.gha_jobs import gha_permissions, jobs
    from tasks.findings.model import as_finding

    wf = ("name: On issue closed\non:\n  issues:\n    types:\n      - closed\njobs:\n  remove:\n    runs-on: ubuntu-latest\n"
          "    steps:\n      - uses: actions/checkout@v2\n      - uses: actions-ecosystem/action-remove-labels@2ce5d41b4b6a #v1.3.0\n"
          "        with:\n          labels: needs triage\n")
    block, _ = gha_permissions(wf)
    assert "issues: write" in block
    other = wf.replace("actions-ecosystem/action-remove-labels@2ce5d41b4b6a", "someone/auto-close-stale@v3")
    assert jobs(other, known)["unknown"] == ["job remove gives the token to someone/auto-close-stale@v3, whose needs are not listed here"]
    f = as_finding({"id": "a" * 32, "tool": "checkov", "kind": "config", "rule_id": "CKV2_GHA_1", "title": "t", "description": "d",
                    "location": {"path": ".github/workflows/on-issue-closed.yml", "start_line": 1, "end_line": 6}})
    text, why, _ = gha_permissions_fix(f, other, "yaml")
    assert text is None and "someone/auto-close-stale@v3" in why
    plain = wf.replace("actions-ecosystem/action-remove-labels@2ce5d41b4b6a", "actions/setup-node@v4")
    assert jobs(plain, known)["unknown"] == [] and gha_permissions(plain)[0] == "permissions:\n  contents: read"


def test_peering_managers_mark_safe_parts_tuple_binds_choice_labels_reverse_and_date_filter():
    """Set 35's labels (both false positive): `icon, colour = "check", "success"` / else other literals;
    `badge` bound in match cases with `self.get_action_display() or "Unknown"`; a link to `reverse("name", kwargs=...)`;
    and Django's `date` filter of a date with the settings' format."""
    from tasks.triage.escaped_py import escaped_sink

    code = ("from django.template.defaultfilters import date\nfrom django.urls import reverse\n"
            "from django.utils.safestring import mark_safe\n\n\ndef boolean_as_icon(value):\n    if value:\n"
            "        icon, colour = 'check', 'success'\n    else:\n        icon, colour = 'times', 'danger'\n"
            "    return mark_safe(f'<i class=\"fa-{icon} text-{colour}\"></i>')\n\n\n"
            "def action_html(self):\n    match self.action:\n        case 1:\n            badge = 'success'\n"
            "        case _:\n            badge = 'secondary'\n"
            "    return mark_safe(f'<span class=\"badge-{badge}\">{self.get_action_display() or \"Unknown\"}</span>')\n\n\n"
            "def journal(instance):\n    return mark_safe(f'<a href=\"{reverse(\"journal\", kwargs={\"pk\": instance.pk})}\">journal</a>')\n\n\n"
            "def when(value, settings):\n    if value:\n        long = date(value, settings.DATE_FORMAT)\n    else:\n"
            "        long = date(value, settings.DATETIME_FORMAT)\n    return mark_safe(f'<span>{long}</span>')\n\n\n"
            "def unpacked(value):\n    icon, colour = value, 'x'\n    return mark_safe(f'<i class=\"{icon}\"></i>')\n\n\n"
            "def named(self):\n    return mark_safe(f'<b>{self.name or \"Unknown\"}</b>')\n")
    hit = escaped_sink(code, 11, "B308 mark_safe")
    assert hit and "`icon`, one of 2 literals" in hit["evidence"] and "`colour`, one of 2 literals" in hit["evidence"]
    hit = escaped_sink(code, 20, "B308 mark_safe")
    assert hit and "`self.get_action_display()`, a choice label the model declares" in hit["evidence"]
    hit = escaped_sink(code, 24, "B308 mark_safe")
    assert hit and "a URL path `reverse('journal', kwargs={'pk': instance.pk})` builds" in hit["evidence"]
    hit = escaped_sink(code, 32, "B308 mark_safe")
    assert hit and "formatted by Django's `date` filter" in hit["evidence"]
    assert escaped_sink(code, 37, "B308 mark_safe") is None  # icon is the parameter
    assert escaped_sink(code, 41, "B308 mark_safe") is None  # a name, whatever its fallback
    local = code.replace("from django.template.defaultfilters import date\n", "from .utils import date\n")
    assert escaped_sink(local, 32, "B308 mark_safe") is None  # the project's own date(): unknown output


def test_workflow_run_checkout_guarded_to_the_repositorys_own_code():
    """fider's publish.yml checks out `workflow_run.head_sha` in a job whose `if:` requires
    `head_repository.full_name == github.repository` unless the run was no pull request (both labellers: false
    positive); an `||` that lets a fork through keeps the finding."""
    from tasks.triage.run_guard import check_run_guard

    wf = ("name: publish\non:\n  workflow_run:\n    workflows: [\"build\"]\n    types:\n      - completed\n\njobs:\n"
          "  publish:\n    runs-on: ubuntu-latest\n    if: >-\n      ${{ github.event.workflow_run.conclusion == 'success' &&\n"
          "          (github.event.workflow_run.event != 'pull_request' ||\n"
          "           github.event.workflow_run.head_repository.full_name == github.repository) }}\n    steps:\n"
          "      - name: Checkout\n        uses: actions/checkout@v4\n        with:\n"
          "          ref: ${{ github.event.workflow_run.head_sha }}\n")
    rule = "yaml.github-actions.security.workflow-run-target-code-checkout.workflow-run-target-code-checkout"
    hit = check_run_guard(semgrep_at(rule, ".github/workflows/publish.yml", 18), Files(wf))
    assert hit and "the job's condition at .github/workflows/publish.yml:11 requires " \
        "`github.event.workflow_run.head_repository.full_name == github.repository`" in hit["evidence"]
    loose = wf.replace("conclusion == 'success' &&", "conclusion == 'success' ||")
    assert check_run_guard(semgrep_at(rule, ".github/workflows/publish.yml", 18), Files(loose)) is None
    bare = wf.replace("    if: >-\n", "    env:\n      X: >-\n")
    assert check_run_guard(semgrep_at(rule, ".github/workflows/publish.yml", 18), Files(bare)) is None


def test_semgreps_sarif_confidence_tag_a_cut_pem_header_a_mock_folder_and_shlex_split_of_a_literal():
    """Round 40: Semgrep's SARIF carries a rule's confidence only as a `LOW CONFIDENCE` tag (the subprocess audit rule
    was called "does not rate itself LOW"); its private-key rule reports `-----BEG`, which was judged as an 8-character
    low-entropy password; Go's `pkg/mock/` is a test double; `subprocess.call(shlex.split("celery -A engine ..."))`."""
    from tasks.findings.secret_evidence import classify_one
    from tasks.triage.constant_names import constant_sink
    from tasks.triage.path_class import path_class
    from tasks.triage.report_signals import confidence_of

    base = {"id": "a" * 32, "tool": "semgrep", "kind": "code", "rule_id": "x", "title": "t", "description": "d"}
    assert confidence_of(base | {"rule_tags": ["CWE-78: OS Command Injection", "LOW CONFIDENCE", "security"]}) == "low"
    assert confidence_of(base | {"rule_tags": ["MEDIUM CONFIDENCE"]}) == "medium" and confidence_of(base) is None
    assert classify_one("-----BEG")["class"] == "key-header" and classify_one("-----BEGIN")["class"] == "key-header"
    assert classify_one("-----END")["class"] != "key-header"
    assert path_class("app/pkg/mock/server.go") == "fixture" and path_class("app/pkg/mockery/server.go") is None
    code = ("import shlex\nimport subprocess\n\n\ndef restart(queue):\n    cmd = 'celery -A engine control shutdown'\n"
            "    subprocess.call(shlex.split(cmd))\n    subprocess.call(shlex.split(queue))\n")
    assert constant_sink(code, 7, "engine/start_celery.py")
    assert constant_sink(code, 8, "engine/start_celery.py") is None


def test_a_test_named_in_a_template_literal_and_the_sink_argument_of_a_wrapped_call():
    """Round 40: `test(`user can see the other user's details`)` was quoted as `it('user can see the other user')`;
    and `messages.error(request, mark_safe(err_message))` was explained by `request`, not by the marked text."""
    from tasks.enrich.specifics import _sink_args
    from tasks.triage.test_site import _enclosing_test

    lines = ["test(`user can see the other user's details`, async ({ page }) => {\n", "  await go();\n"]
    assert _enclosing_test(lines, 2) == "test(`user can see the other user's details`)"
    assert _sink_args("    messages.error(request, mark_safe(err_message))") == "err_message"
    assert _sink_args("    logger.info(msg)") == "    logger.info(msg)"


SELF_SIGNED = """-----BEGIN CERTIFICATE-----
MIIBkDCCATWgAwIBAgIUeIdGAyt/DtzcJWzsb7pFSRqGPqMwCgYIKoZIzj0EAwIw
HTEbMBkGA1UEAwwSKi5kZXYuZXhhbXBsZS50ZXN0MB4XDTI2MTIwNjA2NDEwNloX
DTM2MTIwMzA2NDEwNlowHTEbMBkGA1UEAwwSKi5kZXYuZXhhbXBsZS50ZXN0MFkw
EwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEdDJLBIFRykMrjVW+Q5afcJ+5HQ5MI3nW
EdRJ5/Cj2LjW/jtOXmsfNEQFDop1HTzhGPP+D36Kb5I475qwmS8zm6NTMFEwHQYD
VR0OBBYEFF07+3JBux0zD/Y/v2qfhqvhOUsPMB8GA1UdIwQYMBaAFF07+3JBux0z
D/Y/v2qfhqvhOUsPMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSQAwRgIh
AO8KHKlTtL0miX6q97hVFAz2M4ECepHMXgI6IukgtYRBAiEA5///9Cf+4M7zYU3o
Ap1VcM3f9L0f1Wzf4XV9CkY3oS0=
-----END CERTIFICATE-----
"""  # openssl req -x509 -subj "/CN=*.dev.example.test" (a public certificate, made for this test)
CA_SIGNED = """-----BEGIN CERTIFICATE-----
MIIBMDCB1gIUNztFnsDrIrZO/6BkpyWbUZ1Ag7kwCgYIKoZIzj0EAwIwGjEYMBYG
A1UEAwwPRXhhbXBsZSBUZXN0IENBMB4XDTI2MTIwNjA2NDEwNloXDTM2MTIwMzA2
NDEwNlowGzEZMBcGA1UEAwwQZGV2LmV4YW1wbGUudGVzdDBZMBMGByqGSM49AgEG
CCqGSM49AwEHA0IABGzx+Yi+fHwokz6GRrPhEMgMZ2bTNGQ0Wfdfip5VvZrO49Gb
1Hz3r787Fvb1jrxaXCWJajsArdS0dExTVxFBlmEwCgYIKoZIzj0EAwIDSQAwRgIh
AKLloyFQ3MdFlh3laCWBQUvvSEj1oUbZ0kCivMdfLvxMAiEAtqn2Td2KVTdnmoua
tNx0KDY6gdMweMLeHlWAfaGTEuw=
-----END CERTIFICATE-----
"""  # CN dev.example.test, issued by "Example Test CA"


def test_a_key_beside_its_self_signed_development_certificate():
    """fider's etc/dev-fider-io.key beside etc/dev-fider-io.crt (issuer = subject, CN *.dev.fider.io): a developer's
    HTTPS setup (both labellers: false positive). A certificate a CA issued, or a key not named for development, stays."""
    from tasks.triage.dev_cert import check_dev_cert
    from tasks.findings.model import as_finding

    def key_at(path):
        return as_finding({"id": "b" * 32, "tool": "semgrep", "kind": "secret", "rule_id": "generic.secrets.private-key",
                           "title": "private key", "description": "d", "location": {"path": path, "start_line": 1, "end_line": 1}})

    files = {"etc/dev-site.crt": SELF_SIGNED, "etc/dev-leaf.crt": CA_SIGNED, "etc/server.crt": SELF_SIGNED}
    hit = check_dev_cert(key_at("etc/dev-site.key"), Files(files))
    assert hit and "etc/dev-site.key is the key of etc/dev-site.crt, a self-signed certificate" in hit["evidence"]
    assert "CN *.dev.example.test" in hit["evidence"]
    assert check_dev_cert(key_at("etc/dev-leaf.key"), Files(files)) is None  # issued by a CA
    assert check_dev_cert(key_at("etc/server.key"), Files(files)) is None  # not named for development
    assert check_dev_cert(key_at("etc/dev-none.key"), Files(files)) is None  # no certificate beside it


def test_a_fixture_is_named_with_the_test_that_reads_it_and_an_elided_value_with_its_key():
    """Round 40: stage-1 rows for fider's testdata/ said only "a test fixture or test data file" (restated prompt);
    renderer_test.go:41 compares a response with testdata/basic.html, ssl_test.go names the `test-fider-io` pair by
    its stem. And `(line 11: `"…",`)` showed nothing of jwt.spec.ts: the key above the value says what it is."""
    from tasks.triage.context import check_path
    from tasks.triage.fixture_users import fixture_user
    from tasks.triage.test_site import test_site
    from tasks.findings.model import as_finding

    files = {"app/pkg/web/renderer_test.go": 'func TestRenderer(t *testing.T) {\n\tcompareRendererResponse(buf, '
             '"/app/pkg/web/testdata/basic.html", ctx)\n}\n',
             "app/pkg/web/ssl_test.go": '\t\t{"single", "test-fider-io", "test.fider.io"},\n',
             "app/pkg/web/testdata/basic.html": "<script src=\"https://x/a.js\"></script>\n",
             "app/pkg/web/testdata/test-fider-io.key": "k\n", "app/pkg/web/testdata/other.html": "<p>\n",
             "app/pkg/web/testdata/xbasic.html": "<p>\n"}
    reader = Files(files)
    assert fixture_user("app/pkg/web/testdata/basic.html", reader, reader.files) == \
        '; app/pkg/web/renderer_test.go:2 reads it (`compareRendererResponse(buf, "/app/pkg/web/testdata/basic.html", ctx)`)'
    assert fixture_user("app/pkg/web/testdata/test-fider-io.key", reader, reader.files).startswith("; app/pkg/web/ssl_test.go:1")
    assert fixture_user("app/pkg/web/testdata/other.html", reader, reader.files) == ""
    assert fixture_user("app/pkg/web/testdata/xbasic.html", reader, reader.files) == ""  # basic.html is another file
    f = semgrep_at("html.security.audit.missing-integrity.missing-integrity", "app/pkg/web/testdata/basic.html", 1)
    assert "renderer_test.go:2 reads it" in check_path(as_finding(f), reader, reader.files)["evidence"]
    spec = ";[\n  {\n    token:\n      \"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.A4e171Ry70APUJ2a9uo9G9Aju9G08AJB\",\n  },\n]\n"
    assert test_site(as_finding(semgrep_at("jwt", "public/services/jwt.spec.ts", 4)), Files(spec)) == ' (line 4: `token: "…",`)'


def test_round_40s_harmful_rotations_a_disclaimed_sample_a_testing_block_and_a_curve_name():
    """Round 40's three harmful stage-2 rows rotated what is no credential: oncall's slack_auth.py (a dict under the
    comment "It contains NO actual tokens, got it from slack docs."), MATTERMOST_SIGNING_SECRET set inside
    `if TESTING:` in settings/dev.py, and lemur's `ng-init="certificate.keyType = 'ECCPRIME256V1'"`, a curve name."""
    from tasks.findings.model import as_finding
    from tasks.findings.secret_evidence import classify_one
    from tasks.findings.secrets import plausible
    from tasks.triage.context import check_secret
    from tasks.triage.secret_use import check_demo_key_comment

    def secret(path, line, cls="high-entropy"):
        return as_finding({"id": "c" * 32, "tool": "semgrep", "kind": "secret", "rule_id": "generic.secrets.generic-api-key",
                           "title": "t", "description": "d", "location": {"path": path, "start_line": line, "end_line": line},
                           "secret_evidence": {"class": cls, "entropy": 4.8, "length": 53, "match": None}})

    slack = ("# Example of a slack oauth response to be used in tests.\n# It contains NO actual tokens, got it from slack docs.\n"
             "SLACK_OAUTH_ACCESS_RESPONSE = {\n    \"ok\": True,\n    \"access_token\": \"xoxb-1-2-abc\",\n}\n\n"
             "REAL = {\n    \"access_token\": \"xoxb-1-2-abc\",\n}\n")
    hit = check_demo_key_comment(secret("engine/common/constants/slack_auth.py", 5), Files(slack))
    assert hit and "says its values are not real (line 2: `It contains NO actual tokens" in hit["evidence"]
    assert check_demo_key_comment(secret("engine/common/constants/slack_auth.py", 9), Files(slack)) is None
    settings = ("import sys\nTESTING = 'pytest' in sys.modules\nSECRET = 'x'\nif TESTING:\n    HOST = 'http://localhost'\n"
                "    MATTERMOST_SIGNING_SECRET = 'f0cb4953bec053e6e616febf2c2392ff60bd02c453a52ab53d9a8b0d0d6284a6'\n"
                "else:\n    OTHER_SIGNING_SECRET = 'f0cb4953bec053e6e616febf2c2392ff60bd02c453a52ab53d9a8b0d0d6284a6'\n")
    hit = check_secret(secret("engine/settings/dev.py", 6), None, Files(settings))
    assert hit and hit["status"] == "not_a_secret" and "sits in the block `if TESTING:` (line 4)" in hit["evidence"]
    assert check_secret(secret("engine/settings/dev.py", 8), None, Files(settings))["status"] != "not_a_secret"
    assert classify_one("certificate.keyType = 'ECCPRIME256V1'")["match"] == "a key algorithm or curve name"
    assert classify_one("api_key = 'sk_live_4eC39HqLyjWDarjtT1zdp7dc'")["class"] == "high-entropy"
    assert not plausible("certificate.keyType = 'ECCPRIME256V1'") and plausible("api_key = 'sk_live_4eC39HqLyjWDarjtT1zdp7dc'")


def test_an_action_pinned_by_tag_in_a_pull_request_only_workflow_without_secrets():
    """terraform-aws-modules' pre-commit.yml (sets 35 and 36, both labellers every time: false positive): runs only on
    pull_request, checks the code out, hands no step a secret. A workflow on push, or one that passes a secret, stays."""
    from tasks.triage.pr_only_action import check_pr_only_action

    wf = ("name: Pre-Commit\n\non:\n  pull_request:\n    branches:\n      - main\n\njobs:\n  collect:\n    runs-on: ubuntu-latest\n"
          "    steps:\n      - uses: actions/checkout@v4\n      - uses: clowdhaus/terraform-composite-actions/directories@v1.14.0\n")
    rule = "yaml.github-actions.security.third-party-action-not-pinned-to-commit-sha.third-party-action-not-pinned-to-commit-sha"
    # without a permissions block set 39's grader kept it for review; the labellers of sets 45 and 46 called it a false
    # positive again: only a branch's pull request, opened by someone who can already push, gets the default token
    review = check_pr_only_action(semgrep_at(rule, ".github/workflows/pre-commit.yml", 13), Files(wf))
    assert review.get("verdict", "false_positive") == "false_positive" and review["evidence"].startswith("no secret at stake")
    assert "only one from a branch of this repository, whose author can already push to it, gets the repository's default " \
        "token. `permissions: contents: read` would make that token read-only too" in review["evidence"]
    wf = wf.replace("\njobs:\n", "\npermissions:\n  contents: read\n\njobs:\n")
    hit = check_pr_only_action(semgrep_at(rule, ".github/workflows/pre-commit.yml", 16), Files(wf))
    assert hit and hit["evidence"].startswith("nothing to steal: .github/workflows/pre-commit.yml runs only on pull_request (line 3)")
    assert "sets `permissions: contents: read` (line 8)" in hit["evidence"]
    writes = wf.replace("  contents: read\n", "  contents: read\n  pull-requests: write\n")
    assert check_pr_only_action(semgrep_at(rule, ".github/workflows/pre-commit.yml", 17), Files(writes)) is None
    pushed = wf.replace("on:\n  pull_request:\n", "on:\n  push:\n  pull_request:\n")
    assert check_pr_only_action(semgrep_at(rule, ".github/workflows/pre-commit.yml", 14), Files(pushed)) is None
    secret = wf + "        with:\n          token: ${{ secrets.GITHUB_TOKEN }}\n"
    assert check_pr_only_action(semgrep_at(rule, ".github/workflows/pre-commit.yml", 13), Files(secret)) is None
    target = wf.replace("  pull_request:\n", "  pull_request_target:\n")
    assert check_pr_only_action(semgrep_at(rule, ".github/workflows/pre-commit.yml", 13), Files(target)) is None


def test_an_email_subject_under_a_password_key_is_text():
    """zou's email_i18n.py: `"auth_password_recovery_subject": "{organisation_name} - Kitsu: パスワードのリセット"`
    (Bandit B105, high entropy; set 36, both labellers: a translated e-mail text)."""
    from tasks.findings.model import as_finding
    from tasks.triage.context import check_secret

    def b105(line, code):
        return as_finding({"id": "d" * 32, "tool": "bandit", "kind": "code", "rule_id": "B105", "title": "Possible hardcoded password",
                           "description": "d", "location": {"path": "zou/app/utils/email_i18n.py", "start_line": line, "end_line": line},
                           "snippet": f"{line}     {code}", "secret_evidence": {"class": "high-entropy", "entropy": 4.3, "length": 46, "match": None}})

    hit = check_secret(b105(3, '"auth_password_recovery_subject": "[REDACTED secret sha256:0]",'), None)
    assert hit and hit["status"] == "not_a_secret" and "`auth_password_recovery_subject` holds what a person reads" in hit["evidence"]
    assert check_secret(b105(3, '"auth_password_recovery_secret": "[REDACTED secret sha256:0]",'), None)["status"] != "not_a_secret"


def test_set_36_a_release_folder_bidi_text_in_a_catalogue_and_an_address_fields_default():
    """Set 36 (measured at b97be78, written after): gogs serves CodeMirror 5.17.0's own demo pages from
    public/plugins/codemirror-5.17.0/ (no template names them); onionshare's locale/fa.json mixes right-to-left text
    with direction controls; ralph's migration sets `GenericIPAddressField(default='0.0.0.0')`."""
    from tasks.findings.model import as_finding
    from tasks.triage.bidi_text import check_bidi_text
    from tasks.triage.bind_url import check_bind_url
    from tasks.triage.context import check_path
    from tasks.triage.path_class import path_class, release_folder

    assert release_folder("public/plugins/codemirror-5.17.0/mode/tiki/index.html") == "codemirror-5.17.0/"
    assert release_folder("project-static/select2-4.0.13/js/select2.js") == "select2-4.0.13/"
    assert release_folder("src/app-1.2/main.py") is None and release_folder("static/js/app.js") is None
    assert path_class("public/plugins/codemirror-5.17.0/mode/tiki/index.html") == "library"
    files = {"public/plugins/codemirror-5.17.0/mode/tiki/index.html": "<a href=\"http://codemirror.net\">x</a>\n",
             "public/plugins/codemirror-5.17.0/mode/toml/index.html": "<a href=\"http://codemirror.net\">x</a>\n",
             "templates/base/footer.tmpl": "<script src=\"/plugins/codemirror-5.17.0/mode/toml/index.html\"></script>\n"}
    reader = Files(files)
    f = as_finding(semgrep_at("html.security.plaintext-http-link.plaintext-http-link",
                              "public/plugins/codemirror-5.17.0/mode/tiki/index.html", 1))
    hit = check_path(f, reader, reader.files)
    assert hit["status"] == "library" and "(its folder codemirror-5.17.0/ is named for a release of another project)" in hit["evidence"]
    assert "no template, script or setting of the repository names it" in hit["evidence"]
    g = as_finding(semgrep_at("html.security.plaintext-http-link.plaintext-http-link",
                              "public/plugins/codemirror-5.17.0/mode/toml/index.html", 1))
    assert "names it" not in check_path(g, reader, reader.files)["evidence"]  # the footer names toml/index.html
    bidi = "generic.unicode.security.bidi.contains-bidirectional-characters"
    assert check_bidi_text(semgrep_at(bidi, "desktop/onionshare/resources/locale/fa.json", 205))["status"] == "not_code"
    assert check_bidi_text(semgrep_at(bidi, "desktop/onionshare/settings.py", 205)) is None
    mig = ("from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    operations = [\n"
           "        migrations.AlterField(\n            field=models.GenericIPAddressField(default='0.0.0.0', unique=True),\n"
           "        ),\n    ]\napp.run(host='0.0.0.0')\n")
    hit = check_bind_url(bandit_at("B104", 7, "src/ralph/networks/migrations/0004_auto.py"), Files(mig))
    assert hit and "is the default value of `models.GenericIPAddressField(...)`" in hit["evidence"]
    assert check_bind_url(bandit_at("B104", 10, "src/ralph/networks/migrations/0004_auto.py"), Files(mig)) is None


def test_a_pytest_class_named_testsettings_is_no_test_configuration():
    """Set 36's grade: onionshare's tests/test_cli_settings.py `class TestSettings:` (a pytest class) was called "the
    settings the test suite loads"; in a test file the path says test code instead."""
    from tasks.findings.model import as_finding
    from tasks.triage.context import check_secret

    code = "class TestSettings:\n    def test_x(self):\n        password = 'changeme-now'\n"
    f = as_finding({"id": "e" * 32, "tool": "bandit", "kind": "code", "rule_id": "B105", "title": "t", "description": "d",
                    "location": {"path": "cli/tests/test_cli_settings.py", "start_line": 3, "end_line": 3},
                    "secret_evidence": {"class": "plain-word", "entropy": 2.0, "length": 12, "match": None}})
    hit = check_secret(f, {"class": "test", "evidence": "cli/tests/test_cli_settings.py is test code"}, Files(code))
    assert hit and "test configuration" not in hit["evidence"]
    config = as_finding(f.to_dict() | {"location": {"path": "app/config.py", "start_line": 3, "end_line": 3}})
    assert "sits in class TestSettings" in check_secret(config, None, Files(code))["evidence"]


def test_a_name_rebound_by_each_of_several_loops_names_only_its_own_list():
    """Set 36's audit: zou's migration reuses `table` in several `for` loops over constant lists; each op.execute was
    said to take every list (four wrong reasons). Only the loop around the use can give it its value."""
    from tasks.triage.constant_names import constant_sink

    code = ("A = [('a', 't1')]\nB = [('b', 't2')]\n\n\ndef upgrade(op):\n    for name, table in A:\n"
            "        op.execute(f'DROP INDEX {name} ON {table}')\n    for name, table in B:\n"
            "        op.execute(f'DROP INDEX {name} ON {table}')\n")
    first = constant_sink(code, 7, "migrations/x.py")
    assert first and "A (migrations/x.py:1)" in first and "B (" not in first and "migrations/x.py:8" not in first
    second = constant_sink(code, 9, "migrations/x.py")
    assert second and "B (migrations/x.py:2)" in second and "A (" not in second


def test_a_credential_in_documentation_is_checked_and_replaced_not_rotated():
    """Round 41's one harmful stage-2 row: onionshare's docs/source/develop.rst shows a one-off share's key in a sample
    debug transcript; the row said revoke, purge, force-push and inject it as an environment variable into the docs."""
    from tasks.fixes.secrets import rotation

    f = {"id": "a" * 32, "tool": "semgrep", "kind": "secret", "rule_id": "generic-api-key", "title": "t", "description": "d",
         "location": {"path": "docs/source/develop.rst", "start_line": 113, "end_line": 113}}
    text, meta = rotation(f, None)
    assert meta["fix_family"] == "secret-in-docs" and text.startswith("1. Check whether the credential in docs/source/develop.rst:113 is live")
    assert "environment variable" not in text and "force-push" not in text
    code = rotation(f | {"location": {"path": "app/settings.py", "start_line": 3, "end_line": 3}}, "python")[0]
    assert code.startswith("1. Treat the credential in app/settings.py:3 as compromised")


def test_round_41s_harmful_rows_a_polish_sentence_and_an_image_that_runs_sshd():
    """Round 41: gogs's web/src/locales/pl-PL.json "Potrzebujesz konta? Zarejestruj się teraz." was read as a
    high-entropy credential (the sentence test knew only ASCII letters); gogs's Dockerfile (EXPOSE 22, openssh, gosu
    in its start scripts) was given `USER 10001`, which would break sshd and the start script."""
    from tasks.findings.secret_evidence import classify_one
    from tasks.fixes.image_writes import root_tool

    assert classify_one("Potrzebujesz konta? Zarejestruj się teraz.")["class"] == "message"
    assert classify_one("Contraseña cambiada.")["class"] == "message"
    assert classify_one("Zq8#vL2!pR9x")["class"] != "message"
    gogs = "FROM alpine:3.23\nRUN apk add openssh s6\nEXPOSE 22 3000\nENTRYPOINT [\"/app/gogs/docker/start.sh\"]\n"
    assert "port 22 (EXPOSE)" in root_tool(gogs) and "`openssh`" in root_tool(gogs)
    assert root_tool("FROM alpine\nRUN apk add openssh-client\nEXPOSE 8080\n") is None
    assert root_tool("FROM nginx\nEXPOSE 80\n") is None  # a low port, but nothing here that starts as root by design


def test_round_40s_harmful_rows_an_algorithm_choice_and_a_golden_file():
    """Round 40: peering-manager's migration `password_algorithm="arista-type7"` (a choice of algorithm) was redacted
    and rotated; fider's testdata/home.html (compared byte for byte by renderer_test.go) was given inline nosemgrep
    comments, which would break the test. The first is no secret; the second leaves the fixture folder out of the scan."""
    from tasks.findings.model import as_finding
    from tasks.findings.secrets import plausible
    from tasks.fixes.scan_scope import exclusion_answer
    from tasks.triage.context import check_secret

    assert not plausible("arista-type7", 'password_algorithm="arista-type7"') and plausible("hunter2hunter", 'password="hunter2hunter"')
    f = as_finding({"id": "f" * 32, "tool": "semgrep", "kind": "secret", "rule_id": "generic.secrets.gitleaks.generic-api-key",
                    "title": "t", "description": "d", "snippet": '12         password_algorithm="[REDACTED secret sha256:c33b29551a22]",',
                    "location": {"path": "devices/migrations/0011_platform_arista_type7.py", "start_line": 12, "end_line": 12},
                    "secret_evidence": {"class": "weak", "entropy": 3.0, "length": 12, "match": None}})
    hit = check_secret(f, None)
    assert hit and hit["status"] == "not_a_secret" and "`password_algorithm` names which algorithm" in hit["evidence"]
    rec = {"verdict": "false_positive", "reasons": [{"check": "path", "evidence": "not run by the application: "
           "app/pkg/web/testdata/home.html is a test fixture or test data file; app/pkg/web/renderer_test.go:108 reads it"}]}
    text = exclusion_answer("semgrep", "app/pkg/web/testdata/home.html", rec)
    assert "Do not add a suppression comment to app/pkg/web/testdata/home.html" in text and "# .semgrepignore\napp/pkg/web/testdata/" in text
    assert exclusion_answer("semgrep", "app/pkg/web/testdata/helper.go", rec) is None  # code: its own comment is fine
