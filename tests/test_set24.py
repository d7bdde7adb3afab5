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
from tasks.triage.test_site import _credential_elided, _enclosing_test
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

    cut = lambda line: re.sub(r"(['\"])([^'\"\n]{13,})\1", _credential_elided, line)  # noqa: E731
    assert cut("assert '/tmp/alert.log' in called_cmd") == "assert '/tmp/alert.log' in called_cmd"
    assert cut("headers={'Accept-encoding': 'gzip'}") == "headers={'Accept-encoding': 'gzip'}"
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
    real = 'password="k7#Qz!9vLp2$"\napi_key = "correct-horse-battery-staple"\n'
    assert "k7#Qz!9vLp2$" not in secrets.scrub(real, secrets.detect(real, "app.py"))
    assert "correct-horse-battery-staple" not in secrets.scrub(real, secrets.detect(real, "app.py"))
    assert classify_one("True")["match"] == "the constant True, not a string"


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
