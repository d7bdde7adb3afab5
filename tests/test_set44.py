"""Held-out set 44's misses (PrivateBin, remark42, mealie), tuned after the measurement, each with the neighbour that
stays a finding."""

from __future__ import annotations

from test_round45_rows import _reasons
from test_triage_hygiene import finding

DEV = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOiJyZW1hcmsiLCJleHAiOjE5NzYwNTY3NTYsInVzZXIiOnsibmFtZSI6ImRldl91c2VyIn19."
       "tApiHeplNuDpGPok-RKYulNoQNNs8IplkwSnmvBo51o")  # HS256 with "12345", expires 2032
LIVE = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOiJyZW1hcmsiLCJleHAiOjE5NzYwNTY3NTYsInVzZXIiOnsibmFtZSI6ImRldl91c2VyIn19."
        "Go5q8V3TnuWH1O3mCt5FW9JY_rt9SoBFCI06xPBL6DA")  # an unknown secret, expires 2032
OLD = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOiJyZW1hcmsiLCJleHAiOjE2NTc3MDQ5NzksInVzZXIiOnsibmFtZSI6ImRldl91c2VyIn19."
       "WCf3o1wQGBMlkQ2agk3QC0ZBG1Rle4m0E0NfHUDOS18")  # an unknown secret, expired 2022-07-13


def _rest(token: str, note: str = "dev token for secret=12345, not admin") -> str:
    return f"\n### find request with plain. {note}\nGET {{{{host}}}}/api/v1/find?site={{{{site}}}}\nX-JWT: {token}\n"


def _jwt(line: int = 4):
    return finding(rule_id="tmp.rules.jwt", title="JWT token detected",
                   location={"path": "backend/remark.rest", "start_line": line, "end_line": line})


def test_a_jwt_signed_with_the_secret_its_file_names_or_expired_grants_nothing(tmp_path):
    """remark42's backend/remark.rest (set 44, both labellers): dev tokens for `secret=12345`, one expired in 2022."""
    rec, said = _reasons(tmp_path, {"backend/remark.rest": _rest(DEV)}, _jwt())
    assert rec["verdict"] == "false_positive" and "verifies with the secret written on line 2" in said
    assert DEV not in said and "12345" not in said
    rec, said = _reasons(tmp_path / "old", {"backend/remark.rest": _rest(OLD)}, _jwt())
    assert rec["verdict"] == "false_positive" and "expired on 2022-07-13" in said


def test_a_live_jwt_of_an_unknown_secret_stays(tmp_path):
    rec, said = _reasons(tmp_path, {"backend/remark.rest": _rest(LIVE)}, _jwt())
    assert "a token that grants nothing" not in said
    rec, said = _reasons(tmp_path / "b", {"backend/remark.rest": _rest(LIVE, "production token")}, _jwt())
    assert "a token that grants nothing" not in said


TESTS = """name: Tests
on:
  push:
  pull_request:
    branches: [ master ]
permissions: {}
jobs:
  PHPunit:
    runs-on: ubuntu-latest
    steps:
    - uses: actions/checkout@v5
      with:
        persist-credentials: false
    - uses: shivammathur/setup-php@v2
"""


def _action(line: int = 14):
    return finding(rule_id="tmp.rules.third-party-action-not-pinned-to-commit-sha", title="t",
                   location={"path": ".github/workflows/tests.yml", "start_line": line, "end_line": line})


def test_an_unpinned_action_whose_token_has_no_permissions_and_no_secret_has_nothing_to_take(tmp_path):
    """PrivateBin's tests.yml: push, pull_request, `permissions: {}`, no secret (set 44, both labellers)."""
    rec, said = _reasons(tmp_path, {".github/workflows/tests.yml": TESTS}, _action())
    assert rec["verdict"] == "false_positive" and "gives its token no permissions (`permissions: {}`, line 6)" in said
    env = TESTS + "      with:\n        php-version: ${{ env.php-version }}\n"  # an env value: no secret without `secrets`
    rec, said = _reasons(tmp_path / "env", {".github/workflows/tests.yml": env}, _action())
    assert rec["verdict"] == "false_positive"


def test_an_unpinned_action_with_a_secret_or_a_jobs_own_grant_stays(tmp_path):
    cases = {"a secret": TESTS + "      with:\n        token: ${{ secrets.SNYK_TOKEN }}\n",
             "a job's grant": TESTS.replace("    runs-on: ubuntu-latest\n", "    runs-on: ubuntu-latest\n    permissions:\n      contents: write\n"),
             "no block": TESTS.replace("permissions: {}\n", "")}
    for n, (what, text) in enumerate(cases.items()):
        rec, said = _reasons(tmp_path / str(n), {".github/workflows/tests.yml": text}, _action())
        assert "nothing to steal or write with" not in said, what


APP = '''import uvicorn


def main():
    uvicorn.run(
        "app:app",
        host="0.0.0.0",
        port=9000,
        reload=True,
    )
'''


def test_uvicorns_reloading_server_on_all_interfaces_is_a_development_run(tmp_path):
    """mealie's mealie/app.py main() (set 44, both labellers); the same call without reload stays."""
    f = finding(tool="bandit", rule_id="B104", title="Possible binding to all interfaces.",
                location={"path": "mealie/app.py", "start_line": 7, "end_line": 7})
    rec, said = _reasons(tmp_path, {"mealie/app.py": APP}, f)
    assert rec["verdict"] == "false_positive" and "`uvicorn.run(..., reload=True)`" in said
    rec, said = _reasons(tmp_path / "prod", {"mealie/app.py": APP.replace("        reload=True,\n", "")}, f)
    assert "a development server" not in said


PREVIEW = """const purifyHtmlConfig = {ALLOWED_ATTR: ['href', 'class'], USE_PROFILES: {html: true}};
function render(plainText, converter, text) {
    plainText.innerHTML = DOMPurify.sanitize(
        converter.makeHtml(text),
        purifyHtmlConfig
    );
}
function raw(el, converter, text) {
    el.innerHTML = DOMPurify.sanitize(
        converter.makeHtml(text)
    ) + location.hash;
}
"""


def test_dom_html_of_a_dompurify_call_over_several_lines_is_sanitised(tmp_path):
    """PrivateBin's markdown preview (js/privatebin.js:2628, set 44, both labellers)."""
    f = finding(rule_id="tmp.rules.insecure-document-method", title="t",
                location={"path": "js/privatebin.js", "start_line": 3, "end_line": 3})
    rec, said = _reasons(tmp_path, {"js/privatebin.js": PREVIEW}, f)
    assert rec["verdict"] == "false_positive" and "assigns DOMPurify's sanitize of it directly" in said
    g = dict(f, location={"path": "js/privatebin.js", "start_line": 9, "end_line": 9})
    rec, said = _reasons(tmp_path / "b", {"js/privatebin.js": PREVIEW}, g)
    assert "DOMPurify's sanitize of it directly" not in said  # something joined after the call
    unsafe = PREVIEW.replace("ALLOWED_ATTR: ['href', 'class']", "ADD_ATTR: ['onerror']")
    rec, said = _reasons(tmp_path / "c", {"js/privatebin.js": unsafe}, f)
    assert "DOMPurify's sanitize of it directly" not in said  # a config that lets handlers through


def test_a_compose_file_named_for_development_anywhere_in_its_name(tmp_path):
    """remark42's backend/_example/memory_store/compose-dev-memstore.yml (set 44)."""
    f = finding(rule_id="tmp.rules.no-new-privileges", title="t",
                location={"path": "backend/_example/memory_store/compose-dev-memstore.yml", "start_line": 3, "end_line": 3})
    files = {"backend/_example/memory_store/compose-dev-memstore.yml": "services:\n  remark42:\n    image: umputun/remark42\n"}
    rec, said = _reasons(tmp_path, files, f)
    assert rec["verdict"] == "false_positive" and "its name marks it for dev" in said
    g = dict(f, location={"path": "compose-devops.yml", "start_line": 3, "end_line": 3})
    rec, said = _reasons(tmp_path / "b", {"compose-devops.yml": files["backend/_example/memory_store/compose-dev-memstore.yml"]}, g)
    assert "its name marks it" not in said


def test_a_secret_rule_on_a_variable_in_code_weighs_no_value_and_redacts_no_name(tmp_path):
    """wger's settings/main.py:286 `HEADLESS_JWT_PRIVATE_KEY = _jwt_private_pem` (round 48's grader: a true positive of
    CWE-798 and the variable's name redacted); the same text in a .env file is the value."""
    from tasks.findings.parsers.finalise import finalise

    line = "HEADLESS_JWT_PRIVATE_KEY = _jwt_private_pem"
    f = finding(rule_id="tmp.rules.generic-api-key", title="Generic API Key", snippet=line,
                location={"path": "settings/main.py", "start_line": 1, "end_line": 1})
    done = finalise(dict(f, references=[], fix_hint=None))
    assert done["snippet"] == line and done["secret_evidence"]["class"] == "name"
    rec, said = _reasons(tmp_path, {"settings/main.py": "_jwt_private_pem = load()\n" + line + "\n"},
                         dict(done, location={"path": "settings/main.py", "start_line": 2, "end_line": 2}))
    assert rec["verdict"] == "false_positive" and "the variable `_jwt_private_pem`" in said
    env = finalise(dict(f, references=[], fix_hint=None, snippet="HEADLESS_JWT_PRIVATE_KEY=_jwt_private_pem",
                        location={"path": ".env", "start_line": 1, "end_line": 1}))
    assert "_jwt_private_pem" not in env["snippet"]


def test_a_bandit_suppression_of_a_string_spanning_lines_goes_after_the_string():
    """wger's migration: `schema_editor.execute(` / `f\"\"\"` (line 64) ... `\"\"\"` (line 73); round 48's grader ran bandit
    1.9.4: `# nosec` on line 64 or 63 is ignored, on line 73 it suppresses."""
    from tasks.fixes.suppression import suppression_place

    snippet = '63     schema_editor.execute(\n64         f"""\n65         DO $$\n73         """\n74     )'
    f = finding(tool="bandit", rule_id="B608", title="Possible SQL injection vector through string-based query construction.",
                snippet=snippet, location={"path": "wger/core/migrations/0027.py", "start_line": 64, "end_line": 73})
    rec = {"verdict": "false_positive", "reasons": [{"check": "code", "evidence": "constant data"}]}
    assert suppression_place(f, rec).startswith("on line 73, after the string that line 64 opens")
    one = dict(f, snippet="47     cursor.execute(\"SELECT 1\" % x)", location={"path": "a.py", "start_line": 47, "end_line": 47})
    assert suppression_place(one, rec) == "on the flagged line"


def test_an_authorization_header_template_is_no_secret_value():
    """mealie's dev/scripts login helper: `return {"Authorization": f"Bearer {token}"}` was redacted in the prompt
    (round 48's grader); a literal with real characters beside a field stays a candidate."""
    from tasks.findings import secrets

    assert not secrets.plausible("Bearer {token}", 'return {"Authorization": f"Bearer {token}"}')
    assert not secrets.plausible("Bearer {}", 'h = {"Authorization": "Bearer {}".format(t)}')
    assert secrets.plausible("hunter{n}xK9q", 'password = f"hunter{n}xK9q"')
    assert secrets.plausible("Bearer {token}", 'token = "Bearer {token}"')  # no f-string: the braces are the value


MODEL = "from django.urls import reverse\n\n\nclass Ingredient:\n    def get_absolute_url(self):\n        return reverse('nutrition:ingredient:view', kwargs={'pk': self.id})\n"
LIST = '{% for ingredient in ingredients %}\n<a class="item"\n   href="{{ ingredient.get_absolute_url }}">{{ ingredient.name }}</a>\n{% endfor %}\n'


def test_a_link_to_the_objects_own_reversed_url_cannot_be_javascript(tmp_path):
    """wger's ingredient/overview.html:18 (set 44, both labellers); a model that returns a stored URL keeps it."""
    f = finding(rule_id="tmp.rules.var-in-href", title="t",
                location={"path": "wger/nutrition/templates/ingredient/overview.html", "start_line": 3, "end_line": 3})
    files = {"wger/nutrition/templates/ingredient/overview.html": LIST, "wger/nutrition/models/ingredient.py": MODEL}
    rec, said = _reasons(tmp_path, files, f)
    assert rec["verdict"] == "false_positive" and "1 `get_absolute_url` definitions all return reverse()" in said
    stored = dict(files, **{"wger/nutrition/models/source.py": "class Source:\n    def get_absolute_url(self):\n        return self.url\n"})
    rec, said = _reasons(tmp_path / "b", stored, f)
    assert "get_absolute_url` definitions" not in said


def test_a_settings_class_path_is_no_password(tmp_path):
    """wger's `HEADLESS_TOKEN_STRATEGY = 'wger.utils.headless_auth.WgerJWTTokenStrategy'` (B105, set 44)."""
    from tasks.findings.secret_evidence import classify_one

    assert classify_one("wger.utils.headless_auth.WgerJWTTokenStrategy")["class"] == "code-word"
    assert classify_one("x7.kq.Zr4mPq")["class"] != "code-word"


CHANGE = '''import logging
from getpass import getpass

logger = logging.getLogger(__name__)


def main(user, token):
    logger.info("changing password for %s", user.username)
    pw = getpass("Please enter the new password: ")
    logger.debug("new password is %s", pw)
    logger.info(f"reset token for {user.email}: {token}")
'''


def test_a_log_line_that_names_a_password_but_logs_a_user_name_discloses_nothing(tmp_path):
    """mealie's scripts/change_password.py:31 (round 48's harmful row: "revoke the credential")."""
    def flagged(line):
        return finding(rule_id="tmp.rules.python-logger-credential-disclosure", title="t",
                       location={"path": "mealie/scripts/change_password.py", "start_line": line, "end_line": line})
    rec, said = _reasons(tmp_path, {"mealie/scripts/change_password.py": CHANGE}, flagged(8))
    assert rec["verdict"] == "false_positive" and "interpolates `user.username`" in said
    for n, line in enumerate((10, 11)):  # the password itself; a token beside the e-mail
        rec, said = _reasons(tmp_path / str(n), {"mealie/scripts/change_password.py": CHANGE}, flagged(line))
        assert "no credential in the log line" not in said, line


WGER_DOCKERFILE = """FROM wger/base:latest AS builder
RUN npm ci
FROM wger/base:latest
COPY --chown=wger:wger --from=builder /root/src/node_modules /home/wger/src/node
"""


def test_a_latest_build_stage_is_no_false_positive_when_the_shipped_stage_is_latest_too(tmp_path):
    """wger's extras/docker/production/Dockerfile (round 48's harmful row: a file-wide skip for the builder stage hid the
    final stage's own `FROM wger/base:latest`); with a pinned final stage the builder's tag decides no shipped base."""
    f = finding(tool="checkov", kind="config", rule_id="CKV_DOCKER_7", title="Ensure the base image uses a non latest version tag",
                location={"path": "extras/docker/production/Dockerfile", "start_line": 1, "end_line": 1})
    rec, said = _reasons(tmp_path, {"extras/docker/production/Dockerfile": WGER_DOCKERFILE}, f)
    assert "a build-only stage" not in said
    pinned = WGER_DOCKERFILE.replace("FROM wger/base:latest\n", "FROM wger/base:2.4\n")
    rec, said = _reasons(tmp_path / "pinned", {"extras/docker/production/Dockerfile": pinned}, f)
    assert rec["verdict"] == "needs_review" and "a build-only stage" in said  # round 52: what it builds ships


def test_a_log_disclosure_rule_is_fixed_in_the_log_call_not_by_rotating_a_secret():
    """round 48: mealie's log line got "revoke the credential ... purge it from history" (the hardcoded-secret fix)."""
    from tasks.fixes.families import family_of
    from tasks.fixes.patterns.prose import PROSE

    f = finding(rule_id="tmp.rules.python-logger-credential-disclosure", title="t", cwe=["CWE-532"])
    assert family_of(f, ["CWE-532"]) == "secret-in-log"
    assert PROSE["secret-in-log"].startswith("Log who and what, never the credential")
    assert family_of(finding(rule_id="tmp.rules.hardcoded-credential", title="t"), []) == "hardcoded-secret"


def test_a_go_vendored_modules_finding_names_go_tooling_for_its_upgrades():
    """remark42's backend/vendor/.../chroma/v2/table.py (round 48: "pip-audit, npm audit" on a Go module)."""
    from tasks.fixes.scan_scope import exclusion_answer

    evidence = ("installed third-party package, not this project's code: backend/vendor/github.com/alecthomas/chroma/v2/"
                "table.py is in a vendor/ folder a package manager filled (backend/vendor/modules.txt:10 records module "
                "github.com/alecthomas/chroma/v2 v2.27.0 (`go mod vendor`))")
    said = exclusion_answer("bandit", "backend/vendor/github.com/alecthomas/chroma/v2/table.py",
                            {"reasons": [{"check": "path", "evidence": evidence}]})
    assert "on the go.mod that installs it (govulncheck, osv-scanner)" in said and "pip-audit" not in said


def test_an_example_path_says_it_is_not_what_the_project_ships_not_that_nothing_runs_it(tmp_path):
    """terraform-aws-secrets-manager's examples/complete/function.py, which the example's main.tf deploys as the rotation
    Lambda (round 48's grader: "not run by the application" is false for it)."""
    code = "import logging\nlogger = logging.getLogger()\n\n\ndef step(arn):\n    logger.info('setSecret: %s', arn)\n"
    f = finding(rule_id="tmp.rules.logging-arn", title="t", location={"path": "examples/complete/function.py",
                                                                      "start_line": 6, "end_line": 6})
    rec, said = _reasons(tmp_path, {"examples/complete/function.py": code}, f)
    assert rec["verdict"] == "false_positive" and said.startswith("not what the project ships: examples/complete/function.py")


PROVIDER = '''class CredentialsProvider:
    def verify_fake_password(self):
        # To prevent user enumeration we perform the verify_password computation to ensure
        # server side time is relatively constant and not vulnerable to timing attacks.
        CredentialsProvider.verify_password(
            "abc123cba321",
            "$2b$12$JdHtJOlkPFwyxdjdygEzPOtYmdQF5/R5tHxw5Tq8pxjubyLqdIX5i",
        )
'''


def test_a_timing_equalisers_decoy_hash_protects_no_account(tmp_path):
    """mealie's credentials_provider.py:63 (round 48's grader: "a stored password hash" said nothing of what it is)."""
    f = finding(rule_id="tmp.rules.detected-bcrypt-hash", title="bcrypt hash detected",
                snippet='            "$2b$12$JdHtJOlkPFwyxdjdygEzPOtYmdQF5/R5tHxw5Tq8pxjubyLqdIX5i",',
                location={"path": "mealie/core/security/providers/credentials_provider.py", "start_line": 7, "end_line": 7})
    from tasks.findings.parsers.finalise import finalise

    done = finalise(dict(f, references=[], fix_hint=None))
    rec, said = _reasons(tmp_path, {"mealie/core/security/providers/credentials_provider.py": PROVIDER}, done)
    assert rec["verdict"] == "false_positive" and "a decoy hash, protecting no account" in said
    assert "`verify_fake_password()` (line 2)" in said and "$2b$12$" not in said
    plain = PROVIDER.replace("verify_fake_password", "seed_admin").replace("# To prevent user enumeration we perform", "#").replace(
        "# server side time is relatively constant and not vulnerable to timing attacks.", "# the admin account")
    rec, said = _reasons(tmp_path / "b", {"mealie/core/security/providers/credentials_provider.py": plain}, done)
    assert "a decoy hash" not in said


REMARK = """FROM umputun/baseimage:buildgo-v1.17.0 AS build-backend
RUN go build -o remark42
FROM umputun/baseimage:app-v1.17.0
COPY docker-init.sh /srv/init.sh
COPY --from=build-backend /build/backend/remark42 /srv/remark42
RUN chown -R app:app /srv
CMD ["/srv/remark42", "server"]
"""


def test_a_final_stage_that_uses_a_user_it_never_creates_asks_about_the_base_image(tmp_path):
    """remark42's Dockerfile (round 48's harmful row: `adduser app` fails, and USER stops the start script's chown)."""
    f = finding(tool="checkov", kind="config", rule_id="CKV_DOCKER_3", title="Ensure that a user for the container has been created",
                location={"path": "Dockerfile", "start_line": 1, "end_line": 7})
    rec, said = _reasons(tmp_path, {"Dockerfile": REMARK, "docker-init.sh": "#!/bin/sh\nchown -R app:app /srv/var\n"}, f)
    assert rec["verdict"] == "needs_review" and "gives files to `app`, which no line of the Dockerfile creates" in said
    made = REMARK.replace("RUN chown -R app:app /srv", "RUN adduser -D app && chown -R app:app /srv")
    rec, said = _reasons(tmp_path / "made", {"Dockerfile": made}, f)
    assert "the base image provides a user" not in said
