"""Checks from held-out set 27 (django-helpdesk, LNbits, openwisp-controller, terraform-aws-dynamodb-table), written
after its measurement, each with the neighbour that stays a finding."""

from __future__ import annotations

from test_triage_containers import Files, bandit_at


def _ckv(rule: str, path: str, line: int = 1) -> dict:
    return {"id": "9" * 32, "tool": "checkov", "kind": "config", "severity": "medium", "rule_id": rule, "title": "t",
            "description": "d", "location": {"path": path, "start_line": line, "end_line": line + 2}}


def test_an_image_its_own_comment_calls_development_only_is_no_deployment():
    """openwisp-controller's Dockerfile:1 "# NOTE: This Docker image is for development purposes only." (set 27)."""
    from tasks.triage.disclaimed import check_disclaimed

    dev = "# NOTE: This Docker image is for development purposes only.\n\nFROM python:3.12-slim\n"
    repo = Files({"Dockerfile": dev, "deploy/Dockerfile": "# the production image\nFROM python:3.12-slim\n"})
    hit = check_disclaimed(_ckv("CKV_DOCKER_3", "Dockerfile"), repo, repo.files)
    assert hit and hit["evidence"].startswith('not the project\'s deployment: Dockerfile:1 says "NOTE: This Docker image is '
                                              'for development purposes only."')
    assert check_disclaimed(_ckv("CKV_DOCKER_3", "deploy/Dockerfile"), repo, repo.files) is None


_b = bandit_at


def test_a_dict_of_names_mapped_to_themselves_holds_no_secret():
    """openwisp's config/base/vpn.py:680 `"secret": "secret"` beside `"zerotier_member_id": "zerotier_member_id"`."""
    from tasks.triage.secret_names import check_secret_name

    code = ('CONTEXT = {\n    "network_name": "network_name_1",\n    "zerotier_member_id": "zerotier_member_id",\n'
            '    "secret": "secret",\n}\nJWT = {"secret": "secret", "algorithm": "HS256"}\n')
    hit = check_secret_name(_b("B105", 4, "app/vpn.py", "Possible hardcoded password: 'secret'"), Files(code))
    assert hit and '(`"secret": "secret"`): a mapping of names' in hit["evidence"]
    assert check_secret_name(_b("B105", 6, "app/vpn.py", "Possible hardcoded password: 'secret'"), Files(code)) is None


def test_a_constant_command_over_several_lines_is_constant():
    """openwisp's `subprocess.run(\\n    "zerotier-idtool generate",\\n    shell=True, ...)`: Bandit flags the literal's line."""
    from tasks.triage.constant import check_constant

    code = ('import subprocess\n\n\ndef gen():\n    result = subprocess.run(\n        "zerotier-idtool generate",\n'
            '        shell=True,\n        check=True,\n        timeout=5,\n    )\n    return result\n\n\n'
            'def run(cmd):\n    return subprocess.run(\n        cmd,\n        shell=True,\n    )\n')
    f = _b("B602", 6, "app/vpn.py", "subprocess call with shell=True seems safe, but may be changed in the future")
    hit = check_constant(f, Files(code))
    assert hit and hit["evidence"].startswith("constant data: the input of subprocess.run() at line 5 in app/vpn.py is "
                                              "built only from literals")
    assert check_constant(_b("B602", 16, "app/vpn.py", "subprocess call with shell=True identified"), Files(code)) is None


def test_tojson_in_a_script_tag_is_escaped_json():
    """lnbits/templates/print.html:48 `const SETTINGS = {{ SETTINGS | tojson | safe }}` (set 27)."""
    from tasks.triage.template_forms import check_script_url

    page = "<script>\n  const SETTINGS = {{ SETTINGS | tojson | safe }}\n  const NAME = '{{ name }}'\n</script>\n"
    rule = "javascript.express.security.audit.xss.mustache.var-in-script-tag.var-in-script-tag"

    def f(line):
        return {"id": "2" * 32, "tool": "semgrep", "kind": "code", "severity": "medium", "rule_id": rule, "title": "t",
                "description": "d", "location": {"path": "lnbits/templates/print.html", "start_line": line, "end_line": line}}

    assert "goes through Jinja's tojson" in check_script_url(f(2), Files(page))["evidence"]
    assert check_script_url(f(3), Files(page)) is None


def test_a_jquery_element_from_a_literal_tag_with_attributes_is_no_html_text():
    """openwisp's widget.js: `$('<div class="advanced_editor"></div>')` then `.insertBefore(...)` (set 27)."""
    from tasks.triage.jquery_dom import check_jquery_dom

    js = ("function f(target) {\n  var advanced = $('<div class=\"advanced_editor\"></div>');\n"
          "  $(advanced).insertBefore($('#main'));\n  $(advanced).insertBefore(target.html);\n}\n")

    def rule(line, name):
        f = {"id": "3" * 32, "tool": "semgrep", "kind": "code", "severity": "medium", "rule_id": name, "title": "t",
             "description": "d", "location": {"path": "static/js/widget.js", "start_line": line, "end_line": line}}
        return check_jquery_dom(f, Files(js))

    hit = rule(3, "javascript.jquery.security.audit.jquery-insecure-method.jquery-insecure-method")
    assert hit and "an empty element made from a literal tag" in hit["evidence"]
    assert rule(4, "javascript.jquery.security.audit.jquery-insecure-method.jquery-insecure-method") is None


def test_a_library_property_is_named_when_the_file_imports_the_library():
    """lnbits' views.py:108 `ip_address(host).is_private` and eclair.py:224 `r.is_error` (set 27's reason audit: "a
    maintainability rule" alone would dismiss a real method too)."""
    from test_triage_set22 import flag_hit

    files = {"app/views.py": "from ipaddress import ip_address\n\n\ndef ok(host):\n"
                             "    if ip_address(host).is_private:\n        return 1\n    if host.is_cached:\n        return 2\n"}
    hit = flag_hit(files, 5, "app/views.py")
    assert hit and "`ip_address(host).is_private` is a property (a bool) of the ipaddress module's address objects" in hit["evidence"]
    assert flag_hit(files, 7, "app/views.py") is None  # nothing says what is_cached is


def test_a_vendored_asset_nothing_names_is_loaded_by_no_page():
    """django-helpdesk's static/helpdesk/jquery.translate-debug-all.js (set 27's reason audit): a 2009 plugin no
    manifest lists, which no template names; "a newer release" was no reason for it."""
    from tasks.triage.unreferenced import never_named

    lib = "/*! jQuery Translate plugin 1.4.7 */\n(function($){ $.translate = 1; })(jQuery);\n"
    files = {"static/helpdesk/jquery.translate-debug-all.js": lib, "static/helpdesk/used.js": lib,
             "templates/base.html": "<script src=\"{% static 'helpdesk/used.js' %}\"></script>\n",
             "docs/notes.md": "jquery.translate-debug-all.js is old\n"}
    repo = Files(files)
    assert never_named("static/helpdesk/jquery.translate-debug-all.js", repo, list(files)).startswith(
        "; no template, script or setting of the repository names it")
    assert never_named("static/helpdesk/used.js", repo, list(files)) == ""  # a template loads it
    globbed = files | {"gulpfile.js": "src(['static/helpdesk/*.js'])\n"}
    assert never_named("static/helpdesk/jquery.translate-debug-all.js", Files(globbed), list(globbed)) == ""


def test_a_format_template_beside_a_flagged_default_is_not_learnt(tmp_path):
    """django-helpdesk's tests/helpers.py (set 27, s1-08): B107 on a default learnt every literal of the function,
    and the prompt showed `email=f"[REDACTED …]"` for f"{username}@example.com"."""
    import subprocess

    from tasks.repository.source import SourceReader

    repo = tmp_path / "repo"
    (repo / "tests").mkdir(parents=True)
    (repo / "tests" / "helpers.py").write_text(
        'def get_user(username="staff", pw="Xk9#mQ2$vL7!"):\n    return create(username=username, password=pw,\n'
        '                  email=f"{username}@example.com")\n')
    subprocess.run(["git", "-C", str(repo), "init", "-q"], check=True)
    reader = SourceReader(repo)
    reader.learn_secrets([{"id": "5" * 32, "tool": "bandit", "kind": "code", "severity": "low", "rule_id": "B107",
                           "title": "Possible hardcoded password: 'Xk9#mQ2$vL7!'", "description": "d",
                           "location": {"path": "tests/helpers.py", "start_line": 1, "end_line": 3}}])
    text = reader.context("tests/helpers.py", None, 1, 3)["text"]
    assert 'email=f"{username}@example.com"' in text and "Xk9#mQ2$vL7!" not in text


def test_an_assert_that_can_never_fail_is_a_bug():
    """django-helpdesk's models.py:1287 `assert NotImplementedError(...)` (set 27, s2-38): called a sanity check. Both
    labellers call the B101 finding no security weakness; the evidence says it is a bug and what was meant."""
    from tasks.triage.assert_use import check_assert_use

    code = ("class Base:\n    def render(self):\n        assert NotImplementedError('subclasses render')\n\n"
            "    def check(self, x):\n        assert (x > 0, 'x must be positive')\n\n    def ok(self, n):\n"
            "        assert n >= 0\n")
    hit = check_assert_use(_b("B101", 3, "helpdesk/models.py"), Files(code))
    assert "verdict" not in hit and "tests an exception object, which is always true" in hit["evidence"]
    assert hit["evidence"].startswith("not a security check, and a bug: the assert can never fail")
    assert hit["evidence"].endswith("`raise` was meant")
    assert "non-empty tuple" in check_assert_use(_b("B101", 6, "helpdesk/models.py"), Files(code))["evidence"]
    assert "verdict" not in check_assert_use(_b("B101", 9, "helpdesk/models.py"), Files(code))  # an invariant


def test_a_secret_in_a_test_says_which_test_but_never_the_statement():
    """Set 27's graders: "test code" alone fits any B105; the test's name is specific and carries no value."""
    from tasks.triage.verdict import Judge

    code = "import unittest\n\n\nclass T(unittest.TestCase):\n    def test_login(self):\n        pw = 'hunter22'\n"
    f = _b("B105", 6, "tests/test_login.py", "Possible hardcoded password: 'hunter22'")
    ev = Judge(reader=Files(code)).judge(f)["reasons"][0]["evidence"]
    assert "(line 6, in test_login())" in ev and "hunter22" not in ev and "pw =" not in ev


def test_a_drop_guarded_by_a_variable_that_defaults_to_root_drops_nothing():
    """ihatemoney's conf/entrypoint.sh (set 28's graders): `su - abc` only when PUID and PGID are set non-zero, both
    defaulting to 0, so gunicorn runs as root by default; an unconditional drop still counts."""
    from tasks.triage.entrypoint import drops_root

    script = ("#!/bin/sh\nPUID=${PUID:-0}\nPGID=${PGID:-0}\ncmd=\"exec gunicorn app\"\n"
              "if [ \"$PGID\" -ne 0 -a \"$PUID\" -ne 0 ]; then\n     usermod -o -u \"$PUID\" abc\n"
              "     cmd=\"su - abc -c '$cmd'\"\nfi\neval \"$cmd\"\n")
    assert drops_root(script.splitlines(True)) is None
    always = script.replace("if [ \"$PGID\" -ne 0 -a \"$PUID\" -ne 0 ]; then\n", "").replace("fi\n", "")
    assert drops_root(always.splitlines(True))


def test_a_dummy_value_names_its_word_not_the_list():
    """Set 28's graders: "names itself dummy, fake, sample, mock or test" was an unfilled list."""
    from tasks.findings.secret_evidence import classify_one
    from tasks.triage.verdict import Judge

    assert classify_one("test_secret", True, True)["match"] == "dummy/fake/sample value: test"
    code = "def test_login(client):\n    client.login(password='mock_pw1')\n"
    f = _b("B106", 2, "tests/test_login.py", "Possible hardcoded password: 'mock_pw1'")
    ev = str(Judge(reader=Files(code)).judge(f)["reasons"])
    assert "it names itself `mock`" in ev and "dummy, fake, sample, mock or test" not in ev


def test_a_users_flag_is_djangos_when_no_user_class_of_the_project_defines_it():
    """etesync's `token.user.is_active` (set 28's reason audit): a Redis wrapper's `is_active` property was cited."""
    from test_triage_set22 import flag_hit

    hit = flag_hit({"app/deps.py": "from django.db import models\n\n\ndef check(token):\n    if not token.user.is_active:\n"
                                   "        raise Exception()\n",
                    "app/redis.py": "class RedisWrapper:\n    @property\n    def is_active(self):\n        return True\n"},
                   5, "app/deps.py")
    assert hit and "`token.user.is_active` is a model field (BooleanField) of Django's User" in hit["evidence"]
    assert "redis.py" not in hit["evidence"]
