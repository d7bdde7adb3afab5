"""Defects held-out set 24 (ArchiveBox, CTFd, glances, terraform-aws-eks) showed, each with the neighbour that stays:
wrong facts in the evidence, redaction of values that are no secret, and fixes that would break a build."""

from __future__ import annotations

from test_triage_containers import Files

from tasks.findings import secrets
from tasks.findings.secret_evidence import classify_one
from tasks.fixes.dockerfile_user import user_left_off
from tasks.fixes.iac_file import after_build_steps
from tasks.triage.constant_names import constant_sink
from tasks.triage.main_guard import check_main_guard
from tasks.triage.test_site import _enclosing_test, credential_elided
from tasks.triage.verdict import Judge

NESTED = """def setup_mock_modules():
    class MockLogger:
        def info(self, m):
            pass
    return MockLogger


with open(path) as fh:
    exec(compile(fh.read(), path, "exec"))


def test_snapshot_completed():
    def emit_completed(event):
        return event

    assert emit_completed(1) == 1
""".splitlines()


def test_the_statement_is_placed_in_the_function_that_holds_it_not_the_one_above():
    assert _enclosing_test(NESTED, 9) is None  # module level, after a nested helper: not "in info()"
    assert _enclosing_test(NESTED, 16) == "test_snapshot_completed()"  # not the helper nested above it
    assert _enclosing_test(NESTED, 4) == "info()"


def test_only_a_credential_shaped_literal_is_cut_from_the_quoted_line():
    import re

    cut = lambda line: re.sub(r"(['\"])([^'\"\n]{13,})\1", credential_elided, line)  # noqa: E731
    assert cut("assert '/tmp/alert.log' in called_cmd") == "assert '/tmp/alert.log' in called_cmd"
    assert cut("headers={'Accept-encoding': 'gzip'}") == "headers={'Accept-encoding': 'gzip'}"
    assert cut("db.execute(f'CREATE TABLE IF NOT EXISTS {x} (id INT)')") == "db.execute(f'CREATE TABLE IF NOT EXISTS {x} (id INT)')"
    assert "…" in cut("token = 'ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8'")


def test_values_a_program_is_made_of_are_not_redacted_and_a_real_one_still_is():
    text = ('            pwd="/tmp/archive/example",\n            cmd=["archivebox", "run", "--snapshot-id", "123"],\n'
            '            LDAP_USER_BASE="ou=users,dc=example,dc=com",\n'
            '            register_user(app, email="user1@examplectf.com", password="password")\n'
            '            client.get(token="valid_jwt_token")\n            "ACCESS_TOKEN": "super-secret-token",\n'
            '            "change_password": True,\n')
    kept = secrets.scrub(text, secrets.detect(text, "tests/test_x.py") + secrets.literal_values(text))
    for value in ("/tmp/archive/example", "--snapshot-id", "ou=users,dc=example,dc=com", "user1@examplectf.com",
                  "valid_jwt_token", "super-secret-token", '"change_password"'):
        assert value in kept, value
    pw = "k7#Qz" + "!9vLp2$"  # built at run time: no real-looking value sits in the repository (.gitleaks.toml)
    real = f'password="{pw}"\napi_key = "correct-horse-battery-staple"\n'
    assert pw not in secrets.scrub(real, secrets.detect(real, "app.py"))
    assert "correct-horse-battery-staple" not in secrets.scrub(real, secrets.detect(real, "app.py"))
    assert classify_one("True")["match"].startswith("True, a boolean or null constant (Bandit quotes")  # set 29: not text


def test_a_user_line_goes_after_the_whole_last_build_step():
    text = ("FROM ubuntu:24.04\nUSER root\nRUN apt-get update \\\n    # tools\n    && apt-get install -y curl\n"
            "RUN chmod +x /app/bin/*.sh \\\n    && gosu app true\nCMD [\"serve\"]\n")
    assert "after line 7, the end of the stage's last build step" in after_build_steps(text, 2, "Dockerfile")


def test_no_user_line_where_the_maintainers_switched_it_off_or_the_file_builds_several_images():
    off = "FROM base AS release\nRUN x\nFROM release AS full\n# USER glances\nCMD [\"glances\"]\n"
    assert "`USER glances` commented out" in user_left_off(off)
    targets = "FROM ubuntu AS base\nRUN x\nFROM base AS minimal\nCMD [\"a\"]\nFROM base AS full\nCMD [\"b\"]\n"
    assert "builds 2 images (stages minimal, full)" in user_left_off(targets)
    assert user_left_off("FROM golang AS build\nRUN go build\nFROM alpine\nCOPY --from=build /a /a\n") is None


def test_user_root_in_an_image_whose_start_script_drops_root_with_gosu():
    files = Files({"Dockerfile": "FROM ubuntu:24.04\nRUN useradd app\nUSER root\nENTRYPOINT [\"/app/bin/entry.sh\"]\n"
                                 "CMD [\"serve\"]\n",
                   "bin/entry.sh": "#!/bin/bash\nusermod -u \"$PUID\" app\nexec gosu app \"$@\"\n"})
    f = {"id": "8" * 32, "tool": "checkov", "kind": "config", "severity": "low", "rule_id": "CKV_DOCKER_8",
         "title": "Ensure the last USER is not root", "description": "d", "location": {"path": "Dockerfile", "start_line": 3}}
    rec = Judge(reader=files, imports=files).judge(f)
    assert rec["verdict"] == "false_positive" and "`exec gosu app \"$@\"` runs it as app" in rec["reasons"][0]["evidence"]


def _b201(line: str) -> tuple[dict, Files]:
    files = Files({"serve.py": "from CTFd import create_app\napp = create_app()\n" + line + "\n"})
    return ({"id": "2" * 32, "tool": "bandit", "kind": "code", "severity": "high", "rule_id": "B201", "title": "debug",
             "description": "d", "location": {"path": "serve.py", "start_line": 3}}, files)


def test_the_debugger_on_the_loopback_interface_only_and_a_public_one_stays():
    f, files = _b201('app.run(debug=True, threaded=True, host="127.0.0.1", port=4000)')
    hit = check_main_guard(f, files, files)
    assert hit and "serves the debugger on 127.0.0.1, the loopback interface" in hit["evidence"]
    f, files = _b201('app.run(debug=True, host="0.0.0.0", port=4000)')
    assert check_main_guard(f, files, files) is None


def test_a_binding_after_the_use_is_not_named_as_its_source():
    source = ("def upgrade(c, has_data):\n    cols = ['id', 'url']\n    if has_data:\n"
              "        c.execute('SELECT %s FROM t' % ', '.join(cols))\n    cols = ['id', 'title']\n"
              "    c.execute('SELECT %s FROM s' % ', '.join(cols))\n")
    evidence = constant_sink(source, 4, "m.py")
    assert evidence and "m.py:2" in evidence and "m.py:5" not in evidence
    loop = "def f(c):\n    q = 'a'\n    for _ in range(2):\n        c.execute(q)\n        q = 'b'\n"
    assert "m.py:5" in constant_sink(loop, 4, "m.py")  # a loop brings the later binding round


def test_memory_limits_are_named_as_limits():
    from tasks.triage.iac_rules import OPERATIONAL

    assert OPERATIONAL["CKV_K8S_13"].startswith("memory limits") and OPERATIONAL["CKV_K8S_12"].startswith("memory requests")


AUTH = """def _is_authenticated(self, auth):
    if auth.lower().startswith("basic "):
        try:
            user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
            if user == self.username:
                return self._password.check_password(self.hashed, password)
        except Exception:
            pass

    return False
"""


def _b110(text: str) -> tuple[dict, Files]:
    return ({"id": "1" * 32, "tool": "bandit", "kind": "code", "severity": "low", "rule_id": "B110",
             "title": "Try, Except, Pass detected.", "description": "d", "snippet": "7         except Exception:\n8             pass\n",
             "location": {"path": "api.py", "start_line": 7, "end_line": 8}}, Files({"api.py": text}))


def test_a_swallowed_error_in_an_auth_check_that_falls_through_to_a_refusal_fails_closed():
    f, files = _b110(AUTH)
    rec = Judge(reader=files, imports=files).judge(f)
    assert rec["verdict"] == "false_positive" and "line 10: `return False`, which refuses" in rec["reasons"][0]["evidence"]
    f, files = _b110(AUTH.replace("    return False\n", "    return True\n"))  # fails open: the check stays a finding
    assert Judge(reader=files, imports=files).judge(f)["verdict"] != "false_positive"


def _semgrep(rule: str, path: str, line: int) -> dict:
    return {"id": "5" * 32, "tool": "semgrep", "kind": "code", "severity": "medium", "rule_id": rule, "title": rule,
            "description": "d", "location": {"path": path, "start_line": line, "end_line": line}}


def test_a_redirect_to_a_constant_path_of_this_site_and_one_that_can_leave_it():
    from tasks.triage.redirect_target import check_redirect_target

    rule = "python.django.security.injection.open-redirect"
    view = ('from django.shortcuts import redirect\n\n\ndef login_or_403(request):\n'
            '    return redirect(f"/admin/login/?next={request.path}")\n\n\ndef other(request):\n'
            '    return redirect(f"/{request.GET[\'to\']}")\n')
    files = Files({"views.py": view})
    hit = check_redirect_target(_semgrep(rule, "views.py", 5), files)
    assert hit and "starts with the constant path `/admin/login/?next=`" in hit["evidence"]
    assert check_redirect_target(_semgrep(rule, "views.py", 9), files) is None  # "/" + "/evil.example" leaves the site
    newer = Files({"views.py": view + 'x = f"{"\\\\n".join(a)}"\n'})  # 3.12 syntax this Python cannot parse: the line's text
    assert "`/admin/login/?next=`" in check_redirect_target(_semgrep(rule, "views.py", 5), newer)["evidence"]


def test_a_digest_pin_rule_on_a_release_tag_from_an_arg_default():
    from tasks.triage.stage_base import check_digest_pin

    rule = "dockerfile.security.dockerfile-source-not-pinned"
    text = "ARG IMAGE_VERSION=3.24\nFROM alpine:${IMAGE_VERSION} AS base\nARG TAG\nFROM python:${TAG}\n"
    files = Files({"Dockerfile": text})
    hit = check_digest_pin(_semgrep(rule, "Dockerfile", 2), files)
    assert hit and "release tag 3.24 (its ARG default)" in hit["evidence"]
    assert check_digest_pin(_semgrep(rule, "Dockerfile", 4), files) is None  # no default: which image is built is open


def test_markup_inside_a_comment_is_never_rendered():
    from tasks.triage.commented_out import check_commented_out

    vue = ('<template>\n  <div v-html="a"></div>\n  <!--\n  <div v-html="b"></div>\n  -->\n'
           '  <p v-html="c"></p> <!-- c is escaped -->\n</template>\n')
    files = Files({"amps.vue": vue})
    rule = "javascript.vue.security.audit.xss.templates.avoid-v-html"
    assert "inside the comment `<!-- ... -->` of lines 3-5" in check_commented_out(_semgrep(rule, "amps.vue", 4), files)["evidence"]
    assert check_commented_out(_semgrep(rule, "amps.vue", 2), files) is None
    assert check_commented_out(_semgrep(rule, "amps.vue", 6), files) is None  # a comment after live markup


def test_formats_and_flag_urls_are_shown_and_a_flags_secret_and_an_example_key_are_not():
    env = "AWS_ACCESS_KEY_ID: AKIAIOSFODNN7EXAMPLE\nAWS_SECRET_ACCESS_KEY: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"
    # AWS's documentation keys stay redacted (no raw key-shaped value reaches an output); the evidence names them
    assert set(secrets.detect(env, ".github/workflows/mysql8.yml")) >= {"AKIAIOSFODNN7EXAMPLE"}
    other = "AWS_SECRET_ACCESS_KEY: " + "Xq7hT2mK9pLw3ZrB8vN4" + "cYdF6gJ1sQeR5uA0oIkV\n"
    assert secrets.detect(other, "ci.yml")
    code = 'ts = now.strftime("%Y-%m-%d__%H:%M:%S")\ncmd = ["python", "/tmp/job.py", "--url=https://example.com"]\n'
    assert not any(secrets.plausible(v, code) for v in ("%Y-%m-%d__%H:%M:%S", "--url=https://example.com"))
    assert secrets.plausible("--token=abc", 'cmd = ["--token=abc"]')


def test_a_drop_to_a_user_variable_that_defaults_to_root_is_no_drop():
    """homepage (set 21): `export PUID=${PUID:-0}` ... `exec su-exec ${PUID}:${PGID}` runs as root unless the operator
    sets PUID, so `USER root` stays a finding; ArchiveBox's default is 911 and PUID=0 is refused."""
    from tasks.triage.entrypoint import drops_root

    root = ["#!/bin/sh\n", "export PUID=${PUID:-0}\n", "exec su-exec ${PUID}:${PGID} \"$@\"\n"]
    assert drops_root(root) is None
    assert drops_root([l.replace("${PUID:-0}", "${PUID:-911}") for l in root])[1] == "${PUID}"


def test_an_httpresponse_of_format_html_and_joined_escaped_rows_in_a_file_this_python_cannot_fully_parse():
    from tasks.triage.escaped_py import escaped_sink

    view = ('from django.http import HttpResponse\nfrom django.utils.html import format_html, mark_safe\n\n\n'
            'def missing(request, slug):\n    return HttpResponse(format_html("No snapshot <code>{}</code>", slug), '
            'content_type="text/html", status=404)\n\n\n'
            'def listing(rows):\n    return mark_safe("<br/>".join(format_html("<b>{}</b>", r.url) for r in rows))\n\n\n'
            'def raw(request):\n    return HttpResponse("<p>" + request.GET["q"])\n\n\n'
            'def newer(key):\n    return f"{"\\\\n".join(key)}"\n')  # 3.12 quoting: this function alone is left out
    rule = "python.django.security.audit.xss.direct-use-of-httpresponse"
    assert "HttpResponse() at line 6" in escaped_sink(view, 6, rule)["evidence"]
    assert "mark_safe() at line 10" in escaped_sink(view, 10, "python.django.security.audit.avoid-mark-safe")["evidence"]
    assert escaped_sink(view, 14, rule) is None  # request data reaches it
