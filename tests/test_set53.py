"""Held-out set 53's row defects (mezzanine, DjangoGoat, fastapi-users, django-rest-framework,
terraform-aws-network-firewall, terraform-aws-key-pair), each beside the neighbour that stays as it was."""

from __future__ import annotations

from tasks.findings import secrets
from tasks.findings.model import as_finding
from tasks.findings.secret_literals import kept_literals
from test_round45_rows import _reasons
from test_triage_constant_data import _repo
from test_triage_hygiene import finding


def _b106(value: str, start: int, end: int) -> object:
    return as_finding({"id": "1" * 32, "tool": "bandit", "kind": "code", "rule_id": "B106", "description": "d",
                       "title": f"Possible hardcoded password: '{value}'",
                       "location": {"path": "tests/conftest.py", "start_line": start, "end_line": end}})


def test_a_call_on_a_secret_line_is_code_not_a_value():
    """django-rest-framework's `self.user = authenticate(username='ringo', password='yellow')`: the prompt redacted
    the function's name everywhere in the file."""
    line = "        self.user = authenticate(username='ringo', password='yellow')\n"
    assert secrets.literal_values(line) == ["yellow"]
    assert "Xk9q2LmZ7wR4vB" in secrets.literal_values("    secret = Xk9q2LmZ7wR4vB\n")  # an unquoted value stays a value
    for line in ("DB_PASSWORD=Xk9q2LmZ7wR4(vB\n", "token=Qm7Zp2Lk9Xw4(Rt8)\n", "password=hunterxx(a)\n"):  # the attack on it
        assert secrets.literal_values(line), line


def test_an_identifier_under_an_identity_key_is_not_learnt_as_a_secret():
    """fastapi-users' OAuth fixture: `access_token="TOKEN"` beside `account_id="user_oauth1"`."""
    lines = ['        oauth_name="service1",\n', '        access_token="TOKEN",\n', '        account_id="user_oauth1",\n',
             '        refresh_token="rt_9fQ2xLk7Zp",\n']
    values = set(secrets.literal_values("".join(lines)))
    kept = kept_literals(_b106("TOKEN", 1, 4), lines, 1, 4, values)
    assert "user_oauth1" not in kept and "rt_9fQ2xLk7Zp" in kept  # a token-named value on the same call stays redacted
    for key in ("login", "user", "account", "account_id"):  # the attack on it: a login's or an account's token
        lines = [f'        {key}="Qm7Zp2Lk9Xw4Rt8Vb3Nc",\n', '        password="x",\n']
        values = set(secrets.literal_values("".join(lines)))
        assert "Qm7Zp2Lk9Xw4Rt8Vb3Nc" in kept_literals(_b106("x", 1, 2), lines, 1, 2, values), key


SETTINGS = '''import os

PROJECT_APP_PATH = os.path.dirname(os.path.abspath(__file__))
PROJECT_APP = os.path.basename(PROJECT_APP_PATH)

f = os.path.join(PROJECT_APP_PATH, "local_settings.py")
if os.path.exists(f):
    exec(open(f, "rb").read())

g = os.path.join(UPLOAD_ROOT, "local_settings.py")
exec(open(g, "rb").read())
'''


def test_a_settings_file_beside_the_module_through_a_name_bound_once(tmp_path):
    """mezzanine's project template: `exec(open(f, "rb").read())` of local_settings.py, `f` joined from a module name
    bound once to the module's own folder (set 53's grader: a missed false positive)."""
    from test_round45_rows import _reasons
    from test_triage_hygiene import finding

    files = {"project_template/project_name/settings.py": SETTINGS}
    f = finding(tool="bandit", rule_id="B102", title="Use of exec detected.",
                location={"path": "project_template/project_name/settings.py", "start_line": 8, "end_line": 8})
    rec, said = _reasons(tmp_path / "a", files, f)
    assert rec["verdict"] == "false_positive" and "`local_settings.py` beside the module" in said, said
    f["location"] = {"path": "project_template/project_name/settings.py", "start_line": 11, "end_line": 11}
    rec, said = _reasons(tmp_path / "b", files, f)
    assert "beside the module" not in said  # a folder the file does not fix


TAGS = '''from django.utils.html import escape
from django.utils.safestring import mark_safe


def format_value(value):
    if isinstance(value, str):
        if (value.startswith('http:') or value.startswith('https:') or value.startswith('/')) and ' ' not in value:
            return mark_safe('<a href="{value}">{value}</a>'.format(value=escape(value)))
        elif '@' in value:
            return mark_safe('<a href="mailto:{value}">{value}</a>'.format(value=escape(value)))
        return mark_safe('<a href="{value}">{value}</a>'.format(value=escape(value)))
    if value.startswith('javascript:'):
        return mark_safe('<a href="{value}">{value}</a>'.format(value=escape(value)))
'''


def test_an_escaped_link_behind_a_scheme_check_or_after_a_fixed_scheme(tmp_path):
    """django-rest-framework's format_value (set 53, both labellers: sanitised): escape() in an href is safe only
    where the value cannot start a `javascript:` URL - a startswith() check around it, or `mailto:` before it."""
    from test_round45_rows import _reasons
    from test_triage_hygiene import finding

    files = {"rest_framework/templatetags/rest_framework.py": TAGS}
    said = {}
    for line in (8, 10, 11, 13):
        f = finding(tool="bandit", rule_id="B703", title="Potential XSS on mark_safe function.",
                    location={"path": "rest_framework/templatetags/rest_framework.py", "start_line": line, "end_line": line})
        rec, said[line] = _reasons(tmp_path / str(line), files, f)
        assert (rec["verdict"] == "false_positive") is (line in (8, 10)), (line, said[line])
    assert "after line 7 checks that `value` starts with `/`, `http:`, `https:`" in said[8], said[8]


def test_a_test_value_is_never_spelt_by_the_function_named_for_it(tmp_path):
    """The attack on test_value: `(in create_user_with_Summer2024())` would carry the value; the place alone is said."""
    import subprocess

    from test_triage_constant_data import _repo
    from test_triage_containers import bandit_at

    files = {"tests/utils.py": 'def create_user_with_Summer2024(db):\n    db.add(user="a", password="Summer2024")\n',
             "tests/test_x.py": 'def test_login(client):\n    client.login(user="a", password="Summer2024")\n'}
    judge = _repo(tmp_path, files)
    subprocess.run(["git", "-C", str(tmp_path / "repo"), "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "t"], check=True)
    said = " | ".join(r["evidence"] for r in judge.judge(bandit_at("B106", 2, "tests/test_x.py",
                                                                   "Possible hardcoded password: 'Summer2024'"))["reasons"])
    assert "tests/utils.py:2" in said and "Summer2024" not in said, said


def test_the_second_attack_a_secret_key_with_a_suffix_and_a_value_spelt_another_way():
    """`DB_PASSWORD-1=bluesky(prod)` is a value, not a call; `create_user_summer_2024` spells `Summer2024`."""
    from tasks.triage.test_value import _plain

    for line in ("DB_PASSWORD-1=bluesky(prod)\n", "db.password.1=Sunshine(prod)\n", "auth-header=bluesky(prod)\n",
                 "token.str=SunnyDay(x)\n", "secret-text=bluesky(prod)\n"):
        assert secrets.literal_values(line), line
    assert secrets.literal_values("        self.user = authenticate(username='ringo', password='yellow')\n") == ["yellow"]
    for value, fn in (("Summer2024", "create_user_summer_2024"), ("P@ssw0rd", "create_user_p_ssw0rd"),
                      ("correct horse battery", "the test 'logs in as correct-horse-battery'")):
        assert _plain(value) in _plain(fn), (value, fn)


_TOOLBAR = ('{% load i18n static %}\n<div id="editable-toolbar">\n    {% url "admin:index" as admin_index_url %}\n'
            '    {% url "admin:logout" as admin_logout_url %}\n    {% url "logout" as accounts_logout_url %}\n'
            '    <a href="{{ accounts_logout_url|default:admin_logout_url }}?{{ REDIRECT_FIELD_NAME }}={{ request.path }}">'
            '{% trans "Log out" %}</a>\n</div>\n')


def test_a_link_that_starts_with_a_url_the_template_reverses(tmp_path):
    """mezzanine's editable toolbar (set 53: both labellers): the href starts with names bound by `{% url ... as x %}`
    in the same template; a name the context or a `{% with %}` also sets, or one bound after the link, keeps it."""
    rule = "generic.html-templates.security.var-in-href"
    for name, text, fp in (
            ("reversed", _TOOLBAR, True),
            ("context", _TOOLBAR.replace("default:admin_logout_url", "default:next_url"), False),
            ("rebound", _TOOLBAR.replace("</div>", "").replace('    <a href', '    {% with accounts_logout_url=user.site %}\n'
                                                                 '    <a href'), False),
            ("after", _TOOLBAR.replace('    {% url "logout" as accounts_logout_url %}\n', "") +
             '{% url "logout" as accounts_logout_url %}\n', False)):
        line = text.splitlines().index(next(t for t in text.splitlines() if "<a href" in t)) + 1
        rec, said = _reasons(tmp_path / name, {"app/templates/includes/toolbar.html": text},
                             finding(tool="semgrep", rule_id=rule, title=rule,
                                     location={"path": "app/templates/includes/toolbar.html", "start_line": line, "end_line": line}))
        assert (rec["verdict"] == "false_positive") is fp, (name, said)
        if fp:
            assert 'bound at line 5 by `{% url "logout" as accounts_logout_url %}`' in said, said


def test_help_text_marked_safe_is_the_developers_declaration(tmp_path):
    """django-rest-framework's `{{ field.help_text|safe }}` (set 53: both labellers): help text is declared in code;
    a model that stores a help_text column (mezzanine's form builder) or another value behind |safe keeps it."""
    rule = "python.flask.security.xss.audit.template-unescaped-with-safe"
    page = '{% if field.help_text %}\n  <span class="help-block">{{ field.help_text|safe }}</span>\n{% endif %}\n'
    serializer = 'class S(serializers.Serializer):\n    name = serializers.CharField(help_text="The <b>name</b>")\n'
    stored = 'class Field(models.Model):\n    label = models.CharField(max_length=9)\n    help_text = models.TextField(blank=True)\n'
    for name, files, fp in (("declared", {"app/serializers.py": serializer}, True),
                            ("stored", {"app/serializers.py": serializer, "forms/models.py": stored}, False),
                            ("other", {"app/serializers.py": serializer, "x": page.replace("help_text|", "value|")}, False)):
        text = files.pop("x", page)
        rec, said = _reasons(tmp_path / name, {**files, "app/templates/field.html": text},
                             finding(tool="semgrep", rule_id=rule, title=rule,
                                     location={"path": "app/templates/field.html", "start_line": 2, "end_line": 2}))
        assert (rec["verdict"] == "false_positive") is fp, (name, said)
        assert ("help text a developer writes" in said) is fp, said


def test_a_corrected_cwe_names_the_reports_own():
    """Bandit files B102/B307 under CWE-78; the parser's CWE-95 beside "as reported" was graded a wrong fact (sets 52
    and 53): the verdict says both."""
    from tasks.enrich.verdicts import verdict_text

    rec = {"tool": "bandit", "rule_id": "B307", "verdict": "true_positive", "reasons": []}
    assert "(CWE-95, eval injection; Bandit's report files B307 under CWE-78, OS command injection)" in verdict_text(rec, "CWE-95")
    assert "True positive (CWE-78) as reported." in verdict_text({**rec, "rule_id": "B602"}, "CWE-78")
    assert "Bandit's report" not in verdict_text({**rec, "tool": "semgrep"}, "CWE-95")


def test_a_private_key_block_whose_body_is_a_comment_is_a_placeholder(tmp_path):
    """fastapi-users' docs (set 53: the row said only "is documentation"): the block between BEGIN and END holds the
    comment "# Your RSA private key in PEM format goes here"; Semgrep quoted no code, so it is read from the file. A
    block with a base64 body stays a key."""
    from tasks.triage.dev_cert import check_dev_cert

    page = ('PRIVATE_KEY = """-----BEGIN RSA PRIVATE KEY-----\n# Your RSA private key in PEM format goes here\n'
            '-----END RSA PRIVATE KEY-----"""\n')
    body = "MIIEpAIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u"
    for name, text, fp in (("placeholder", page, True),
                           ("key", page.replace("# Your RSA private key in PEM format goes here", body), False)):
        judge = _repo(tmp_path / name, {"docs/jwt.md": text})
        f = as_finding({"id": "1" * 32, "tool": "semgrep", "kind": "code", "rule_id": "generic.secrets.gitleaks.private-key",
                        "title": "private key", "description": "d", "location": {"path": "docs/jwt.md", "start_line": 1}})
        said = check_dev_cert(f, judge.reader)
        assert bool(said) is fp, said
        if fp:
            assert "`# Your RSA private key in PEM format goes here`" in said["evidence"]
            assert judge.judge(f)["reasons"][0]["evidence"] == said["evidence"]


_LAZY = '''from django.conf import settings
from django.contrib.admin.sites import AdminSite, NotRegistered, site as default_site


class LazyAdminSite(AdminSite):
    def lazy_registration(self):
        for model, admin in default_site._registry.items():
            self._deferred.append(("register", (model, admin.__class__), {}))
        for model in getattr(settings, "ADMIN_REMOVAL", []):
            try:
                model = tuple(model.rsplit(".", 1))
                exec("from %s import %s" % model)
            except ImportError:
                pass
            else:
                AdminSite.unregister(self, eval(model[1]))
'''


def test_exec_of_code_built_only_from_djangos_settings(tmp_path):
    """mezzanine's lazy_admin (set 53, two graders: a missed false positive): exec/eval of the models the
    ADMIN_REMOVAL setting lists; the same loop over a request value, or a model name the loop also takes from a
    parameter, keeps the finding."""
    from tasks.triage.settings_exec import check_settings_exec

    for name, text, fp in (("settings", _LAZY, True),
                           ("request", _LAZY.replace('getattr(settings, "ADMIN_REMOVAL", [])', 'request.GET.getlist("m")'), False),
                           ("parameter", _LAZY.replace("def lazy_registration(self):", "def lazy_registration(self, extra):")
                            .replace('model = tuple(model.rsplit(".", 1))', 'model = tuple((model + extra).rsplit(".", 1))'), False)):
        judge = _repo(tmp_path / name, {"app/boot/lazy_admin.py": text})
        for rule, line in (("B102", 12), ("B307", 16)):
            f = as_finding({"id": "1" * 32, "tool": "bandit", "kind": "code", "rule_id": rule, "title": "t", "description": "d",
                            "location": {"path": "app/boot/lazy_admin.py", "start_line": line}})
            said = check_settings_exec(f, judge.reader)
            assert bool(said) is fp, (name, rule, said)
            if fp:
                assert "built only from `settings.ADMIN_REMOVAL`" in said["evidence"]
