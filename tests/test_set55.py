"""Held-out set 55's misses and row defects (jazzband/django-silk, lektor/lektor, django-cms/django-filer,
pennersr/django-allauth, terraform-aws-global-accelerator), each beside the neighbour that stays as it was."""

from __future__ import annotations

from test_round45_rows import _reasons
from test_triage_constant_data import _repo
from test_triage_hygiene import finding

_FOLDER = ("from django.urls import reverse\n\n\nclass Folder:\n    def get_admin_directory_listing_url_path(self):\n"
           "        return reverse('admin:filer-directory_listing', args=(self.id,))\n\n\nclass Root:\n"
           "    def get_admin_directory_listing_url_path(self):\n        return reverse('admin:filer-directory_listing-root')\n")
_LISTING = ('{% load i18n %}\n{% url \'admin:jsi18n\' as jsi18nurl %}\n'
            '<script type="text/javascript" src="{{ jsi18nurl|default:\'../../jsi18n/\' }}"></script>\n'
            '<a href="{{ folder.get_admin_directory_listing_url_path }}{% filer_admin_context_url_params %}">x</a>\n')


def _judge(tmp_path, name, files, rule, line):
    return _reasons(tmp_path / name, files, finding(tool="semgrep", rule_id=rule, title=rule, location={
        "path": "filer/templates/listing.html", "start_line": line, "end_line": line}))


def test_a_link_from_a_url_getter_whose_every_definition_reverses(tmp_path):
    """django-filer's `{{ folder.get_admin_directory_listing_url_path }}` (set 55: both labellers): every definition
    returns reverse(); one that returns a stored URL, or a rebinding of the name, keeps the finding."""
    rule = "generic.html-templates.security.var-in-href"
    stored = _FOLDER + "\n\nclass Link:\n    def get_admin_directory_listing_url_path(self):\n        return self.url\n"
    rebound = _FOLDER + "\nFolder.get_admin_directory_listing_url_path = lambda self: self.url\n"
    for name, models, fp in (("reversed", _FOLDER, True), ("stored", stored, False), ("rebound", rebound, False)):
        rec, said = _judge(tmp_path, name, {"filer/models.py": models, "filer/templates/listing.html": _LISTING}, rule, 4)
        assert (rec["verdict"] == "false_positive") is fp, (name, said)
        if fp:
            assert "the repository's 2 definitions of `get_admin_directory_listing_url_path`" in said, said


def test_a_script_src_that_the_template_reverses_with_a_relative_default(tmp_path):
    """django-filer's `src="{{ jsi18nurl|default:'../../jsi18n/' }}"` after `{% url 'admin:jsi18n' as jsi18nurl %}`
    (set 55: both labellers); a default that is an absolute URL of another host, or no binding, keeps it."""
    rule = "javascript.express.security.audit.xss.mustache.var-in-script-tag"
    for name, text, fp in (("bound", _LISTING, True),
                           ("other-host", _LISTING.replace("'../../jsi18n/'", "'https://cdn.example/i18n.js'"), False),
                           ("unbound", _LISTING.replace("{% url 'admin:jsi18n' as jsi18nurl %}", ""), False)):
        rec, said = _judge(tmp_path, name, {"filer/models.py": _FOLDER, "filer/templates/listing.html": text}, rule, 3)
        assert (rec["verdict"] == "false_positive") is fp, (name, said)
        if fp:
            assert "bound at line 2 by `{% url 'admin:jsi18n' as jsi18nurl %}`" in said, said


def test_the_projects_own_bandit_configuration_is_the_teams_suppression(tmp_path):
    """django-allauth's pyproject.toml excludes tests/ from Bandit and its Makefile runs `bandit -c pyproject.toml`
    (set 55's grader: no row said so); a skipped test id counts too, a path or test the configuration keeps does not,
    nor does a configuration that does not parse."""
    from tasks.triage.bandit_config import excluded

    pyproject = '[project]\nname = "x"\n\n[tool.bandit]\nexclude_dirs = ["tests"]\nskips = ["B311"]\n'
    make = "lint:\n\tbandit -q -c pyproject.toml -r allauth/\n"
    for name, files, path, rule, said in (
            ("excluded", {"pyproject.toml": pyproject, "Makefile": make}, "tests/apps/test_signup.py", "B101",
             "pyproject.toml [tool.bandit] excludes `tests` (its Makefile:2 runs Bandit with `pyproject.toml`)"),
            ("skipped", {"pyproject.toml": pyproject}, "allauth/utils.py", "B311", "pyproject.toml [tool.bandit] skips B311"),
            ("kept", {"pyproject.toml": pyproject}, "allauth/utils.py", "B101", None),
            ("ini", {".bandit": "[bandit]\nexclude = ./docs,./tests\n"}, "tests/x.py", "B105", ".bandit excludes `./tests`"),
            ("broken", {"pyproject.toml": pyproject.replace("]\nskips", "\nskips")}, "tests/x.py", "B101", None)):
        judge = _repo(tmp_path / name, {**files, path: "assert True\n"})
        f = finding(tool="bandit", rule_id=rule, title="t", location={"path": path, "start_line": 1, "end_line": 1})
        got = excluded(f, judge.reader)
        assert (got is None) is (said is None), (name, got)
        if said:
            assert said in got, got
            rec = judge.judge(f)
            said_at = [r["evidence"] for r in rec["reasons"]].index(got)
            assert rec["verdict"] == "false_positive" and said_at <= 1, rec  # the code's own reason may lead
            assert rec["source"] == ("suppression" if said_at == 0 else "evidence"), rec


def test_rows_of_a_finding_the_projects_configuration_leaves_out_ask_for_no_nosec():
    """Set 55's stage-2 grader: a `# nosec` in every test file repeats what pyproject.toml already says; the rows say
    to scan as the project does, and name the file (a shared paragraph alone was quarantined)."""
    from tasks.datasets.rows import false_positive_analysis
    from tasks.fixes.suppression import suppression_answer, suppression_place

    config = ("the project's own Bandit configuration leaves this finding out: pyproject.toml [tool.bandit] excludes "
              "`tests` (run as `bandit -q -c pyproject.toml -r allauth/` in Makefile:21); the report comes from a scan "
              "that did not load it")
    f = finding(tool="bandit", rule_id="B101", title="t", location={"path": "tests/test_signup.py", "start_line": 3, "end_line": 3})
    rec = {"verdict": "false_positive", "source": "suppression", "tool": "bandit", "rule_id": "B101",
           "reasons": [{"check": "suppression", "evidence": config}]}
    text = suppression_answer(f, rec)
    assert "nosec" not in text and "Nothing to change or suppress in tests/test_signup.py" in text, text
    place = suppression_place(f, rec)
    what = false_positive_analysis({}, rec, place, "tests/test_signup.py")
    assert what.endswith("## What to do\nDo not change tests/test_signup.py: leave it as it is and scan with the project's "
                         "own Bandit configuration, as its build does, which leaves it out."), what
    other = {**rec, "reasons": [{"check": "path", "evidence": "not run by the application: tests/test_signup.py is test code"}]}
    assert "nosec" in suppression_answer(f, other)


def test_a_private_key_shortened_with_an_ellipsis_is_no_key(tmp_path):
    """django-allauth's jwt-tokens.rst (set 55: the row said only "is documentation"): `...` between the base64 lines;
    the whole block stays a key."""
    from tasks.findings.model import as_finding
    from tasks.triage.dev_cert import check_dev_cert

    page = ('  HEADLESS_JWT_PRIVATE_KEY = """\n    -----BEGIN PRIVATE KEY-----\n'
            "    MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCiStSwvoSk61uf\n    ...\n"
            "    gtUcukumVPtrDhGK9i/PG3Q=\n    -----END PRIVATE KEY-----\n    \"\"\"\n")
    for name, text, fp in (("shortened", page, True), ("whole", page.replace("    ...\n", "    cQvkGDmR6gsM2QjV\n"), False)):
        judge = _repo(tmp_path / name, {"docs/jwt.rst": text})
        f = as_finding({"id": "1" * 32, "tool": "semgrep", "kind": "code", "rule_id": "generic.secrets.gitleaks.private-key",
                        "title": "private key", "description": "d", "location": {"path": "docs/jwt.rst", "start_line": 2}})
        said = check_dev_cert(f, judge.reader)
        assert bool(said) is fp, said
        if fp:
            assert "skips the middle of its body with an ellipsis (line 4)" in said["evidence"], said


def test_an_import_path_under_a_password_rule_is_a_class_name():
    """B105 on settings.HEADLESS_TOKEN_STRATEGY = "tests.apps....CustomJWTTokenStrategy" (set 55's grader): a Python
    import path, not a password; a dotted password with digits stays a value."""
    from tasks.findings.secret_evidence import classify_one

    said = classify_one("tests.apps.headless.tokens.test_jwttokenstrategy.CustomJWTTokenStrategy", True)
    assert said["class"] == "code-word" and "namespaced class name" in said["match"]
    assert classify_one("Summer.Time2024", True)["class"] != "code-word"
    for value in ("admin.prod.Secret", "my.db.prod.Password"):  # shown in the evidence if taken for a name: a password
        assert classify_one(value, True)["class"] != "code-word", value
    assert classify_one("App\\Entity\\User", True)["class"] != "code-word"  # a PHP name under a password rule: as before


def test_a_weak_hash_of_a_secret_is_no_mere_name():
    """django-allauth's Draugiem login signs `md5(f"{app.secret}{redirect_url}")` (set 55's grader: a secret-keyed
    authenticator, not "a name for the data it digests"); the same digest of the URL alone is a name."""
    from test_triage_round6 import b324
    from test_triage_hygiene import Files

    from tasks.triage.verdict import Judge

    code = ("from hashlib import md5\n\n\ndef login(app, redirect_url):\n"
            "    redirect_url_hash = md5(f\"{app.secret}{redirect_url}\".encode()).hexdigest()\n"
            "    return {\"hash\": redirect_url_hash}\n")
    rec = Judge(reader=Files(code)).judge(b324(5))
    assert not (rec["verdict"] == "false_positive" and "a name for the data" in rec["reasons"][0]["evidence"]), rec
    rec = Judge(reader=Files(code.replace("{app.secret}", ""))).judge(b324(5))
    assert rec["verdict"] == "false_positive" and "a name for the data" in rec["reasons"][0]["evidence"], rec


def test_the_defusedxml_swap_says_what_it_changes():
    """Lektor's image_info.py catches `etree.ParseError` around the parse (set 55: the defusedxml swap, harmful
    because EntitiesForbidden is a ValueError the handler misses): the fix says so."""
    from tasks.fixes import line_fit
    from tasks.fixes.patterns import python

    for text in (python.PATTERNS["xxe"], line_fit._REQUIREMENT):
        assert "`EntitiesForbidden` or `ExternalReferenceForbidden`" in text and "defusedxml.DefusedXmlException" in text, text


def test_translate_as_matched_across_tags(tmp_path):
    """django-filer's breadcrumbs (set 55: both labellers, a grader): the rule ran from `{% translate 'Go back' %}` to
    the `as folder_name` of a blocktrans; a real `{% translate "x" as title %}` keeps the finding."""
    rule = "python.django.security.audit.xss.template-translate-as-no-escape"
    page = ('<a title="{% translate \'Go back to root folder\' %}">{% translate "Folder" %}</a>\n'
            '{% for ancestor in folder.logical_path %}\n'
            '  <a title="{% blocktrans with ancestor.name as folder_name %}Go back to \'{{ folder_name }}\'{% endblocktrans %}">\n'
            '{% endfor %}\n')
    real = '{% translate "Go <b>back</b>" as title %}\n<p>\n</p>\n<a title="{{ title }}">x</a>\n'
    for name, text, end, fp in (("across", page, 3, True), ("real", real, 4, False)):
        rec, said = _reasons(tmp_path / name, {"filer/templates/listing.html": text,
                                               "filer/views.py": "from django.shortcuts import render\n"},
                             finding(tool="semgrep", rule_id=rule, title=rule,
                                     location={"path": "filer/templates/listing.html", "start_line": 1, "end_line": end}))
        assert (rec["verdict"] == "false_positive") is fp, (name, said)
        if fp:
            assert "ran on to the `as folder_name` of `{% blocktrans ... %}` at line 3" in said, said


def test_a_primary_key_marked_safe(tmp_path):
    """django-filer's `<option value="{{ folder.pk|safe }}">` (set 55: both labellers): a row's key is a number; a
    model with a text primary key, or `.id` of anything, keeps the finding."""
    rule = "python.flask.security.xss.audit.template-unescaped-with-safe"
    models = "from django.db import models\n\n\nclass Folder(models.Model):\n    name = models.CharField(max_length=9)\n"
    text_key = models + "\n\nclass Tag(models.Model):\n    slug = models.CharField(\n        max_length=9, primary_key=True)\n"
    page = '<option value="{{ folder.pk|safe }}">{{ folder.name }}</option>\n'
    for name, files, fp in (("number", {"filer/models.py": models, "x": page}, True),
                            ("text-key", {"filer/models.py": text_key, "x": page}, False),
                            ("id", {"filer/models.py": models, "x": page.replace(".pk|", ".id|")}, False)):
        text = files.pop("x")
        rec, said = _reasons(tmp_path / name, {**files, "filer/templates/option.html": text},
                             finding(tool="semgrep", rule_id=rule, title=rule,
                                     location={"path": "filer/templates/option.html", "start_line": 1, "end_line": 1}))
        assert (rec["verdict"] == "false_positive") is fp, (name, said)
        assert ("is a row's primary key" in said) is fp, said


def test_an_api_spec_folder_inside_a_package_is_not_a_test_folder():
    """django-allauth's `allauth/headless/spec/doc/openapi.yaml` was called "test code" (set 55's grader: it is package
    data a view serves); RSpec's and Jasmine's spec/ folders stay tests."""
    from tasks.triage.report_signals import is_test_path

    assert not is_test_path("allauth/headless/spec/doc/openapi.yaml")
    assert not is_test_path("src/spec/helpers.py")
    for path in ("spec/fixtures/users.yml", "app/spec/widget.js", "engines/a/spec/models/user_spec.rb", "spec/x.py",
                 "tests/spec/a.yaml"):
        assert is_test_path(path), path


def test_a_secret_nested_under_an_openapi_examples_key(tmp_path):
    """The session token of `components: examples: X: value: meta: session_token:` (django-allauth's spec, set 55):
    an example value however deep; the same key outside `examples` stays a finding."""
    spec = ("openapi: 3.0.3\ninfo:\n  title: t\npaths: {}\ncomponents:\n  examples:\n    Authenticated:\n"
            "      value:\n        meta:\n          session_token: ufwcig0zen9skyd545jc0fkq813ghar2\n"
            "  schemas:\n    Meta:\n      properties:\n        session_token: ufwcig0zen9skyd545jc0fkq813ghar3\n")
    from tasks.findings.model import as_finding
    from tasks.triage.openapi import check_spec_example

    judge = _repo(tmp_path, {"pkg/spec/doc/openapi.yaml": spec})
    for line, fp in ((10, True), (14, False)):
        f = as_finding({"id": "1" * 32, "tool": "checkov", "kind": "secret", "rule_id": "CKV_SECRET_6", "title": "t",
                        "description": "d", "location": {"path": "pkg/spec/doc/openapi.yaml", "start_line": line}})
        assert bool(check_spec_example(f, judge.reader)) is fp, line


_PASS = "corp.Vpn.Summer2024"


def test_no_new_evidence_quotes_a_secret_from_the_repository(tmp_path):
    """The attack on this session's evidence (nine leaks): a class name, a placeholder PEM body, a Makefile line, a
    mail-sending line, an exec call, a translate tag, a url tag's arguments, a link's user:pass@ and gettext's
    keyword values each quoted a secret the repository held. None of them may reach a reason's evidence."""
    from tasks.findings.model import as_finding
    from tasks.findings.secret_evidence import classify_one
    from tasks.triage.dev_cert import check_dev_cert

    for value, pw in (("a.b.c.DeployKey", True), ("corp.vpn.Summer", False), ("Corp\\Vpn\\Summer", False)):
        said = classify_one(value, pw)
        assert value not in str(said.get("match")), said
    assert classify_one("postgresql://app:corp.vpn.prod.DeployKey@db.internal/app", False)["class"] != "code-word"
    files = {
        "pyproject.toml": '[tool.bandit]\nexclude_dirs = ["tests"]\n',
        "Makefile": f"lint:\n\tbandit -c pyproject.toml -r . ; sshpass -p '{_PASS}' scp x y\n",
        "tests/test_x.py": "assert True\n",
        "app/mail.py": ("from django.core.mail import EmailMessage\nfrom django.template.loader import render_to_string\n\n\n"
                        f"def send(u):\n    template_name = \"app/activation_email.html\"; SMTP_PASSWORD = \"{_PASS}\"\n"
                        "    EmailMessage(body=render_to_string(template_name, {}), to=[u]).send()\n"),
        "app/templates/app/activation_email.html": "{% autoescape off %}Hi {{ name }}{% endautoescape %}\n",
        "app/boot.py": ("from django.conf import settings\n\n\ndef connect():\n"
                        f"    exec(\"db = connect(password='{_PASS}', host='%s')\" % settings.DB_HOST)\n"),
        "app/templates/t.html": (f'{{% translate "Temp login pw: {_PASS}" %}}\n{{% url "api:hook" token="{_PASS}" as hook_url %}}\n'
                                 '<a href="{{ hook_url }}">x</a>\n'
                                 f'<a href="https://deploy:{_PASS}@ci.example.com/{{{{ job.id }}}}">y</a>\n'
                                 f"{{{{ _('See %(u)s', u='https://bot:{_PASS}@h.example/')|safe }}}}\n"),
        "deploy/server.pem": f"-----BEGIN PRIVATE KEY-----\n; put {_PASS} here\n-----END PRIVATE KEY-----\n",
    }
    judge = _repo(tmp_path, files)
    cases = [("bandit", "B101", "tests/test_x.py", 1, "code"),
             ("semgrep", "python.django.security.audit.xss.template-autoescape-off", "app/templates/app/activation_email.html", 1, "code"),
             ("bandit", "B102", "app/boot.py", 5, "code"),
             ("semgrep", "python.django.security.audit.xss.template-translate-as-no-escape", "app/templates/t.html", 1, "code"),
             ("semgrep", "generic.html-templates.security.var-in-href", "app/templates/t.html", 3, "code"),
             ("semgrep", "generic.html-templates.security.var-in-href", "app/templates/t.html", 4, "code"),
             ("semgrep", "python.flask.security.xss.audit.template-unescaped-with-safe", "app/templates/t.html", 5, "code")]
    for tool, rule, path, line, kind in cases:
        rec = judge.judge(finding(tool=tool, rule_id=rule, title=rule, location={"path": path, "start_line": line, "end_line": line}))
        said = " | ".join(r["evidence"] for r in rec["reasons"])
        assert _PASS not in said and "Summer2024" not in said, (rule, line, said)
    key = as_finding({"id": "1" * 32, "tool": "semgrep", "kind": "code", "rule_id": "generic.secrets.gitleaks.private-key",
                      "title": "private key", "description": "d", "location": {"path": "deploy/server.pem", "start_line": 1}})
    assert not check_dev_cert(key, judge.reader) or _PASS not in str(check_dev_cert(key, judge.reader))
    whole = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCiStSwvoSk61uf\n...\n-----END PRIVATE KEY-----\n"
    judge2 = _repo(tmp_path / "whole", {"k.pem": whole})
    trailing = as_finding(
        {"id": "2" * 32, "tool": "semgrep", "kind": "code", "rule_id": "generic.secrets.gitleaks.private-key", "title": "t",
         "description": "d", "location": {"path": "k.pem", "start_line": 1}})
    assert not check_dev_cert(trailing, judge2.reader), "a whole body with an ellipsis after it is no shortened key"


def test_no_usedforsecurity_where_the_repository_supports_python_before_3_9(tmp_path):
    """shuup's setup.py declares python_requires=">=3.6" and CI runs 3.6-3.8 (set 56: two harmful stage-2 rows added
    `usedforsecurity=False`, a TypeError there); a floor of 3.9 or later keeps the keyword."""
    from tasks.datasets.python_floor import python_floor
    from tasks.fixes.patterns.python_hashes import non_security

    for name, files, floor in (("old", {"setup.py": 'setup(name="shuup", python_requires=">=3.6")\n'}, "setup.py requires Python >= 3.6"),
                               ("new", {"pyproject.toml": '[project]\nname = "x"\nrequires-python = ">=3.10"\n'}, None),
                               ("none", {"README.md": "x\n"}, None)):
        judge = _repo(tmp_path / name, files)
        assert python_floor(judge.reader, None, {}) == floor, name
    text, rewrite = non_security("import hashlib\n", "setup.py requires Python >= 3.6")
    assert rewrite is None and "setup.py requires Python >= 3.6" in text and "raises TypeError" in text
    assert non_security("import hashlib\n", None)[1] is not None


def test_the_oauth_rfcs_example_tokens_are_documented_examples():
    """django-oauth-toolkit's introspection docstring `token=mF_9.B5f-4.1JqM` (set 56's grader: RFC 6750/7662's example
    token, a missed false positive); the evidence names the document, never the value."""
    from tasks.findings.secret_evidence import classify_one

    for value, name in (("mF_9.B5f-4.1JqM", "RFC 6750, 7662"), ("2YotnFZFEjr1zCsicMWpAA", "RFC 6749's example access token")):
        said = classify_one(value, False)
        assert said["class"] == "example" and name in said["match"] and value not in said["match"], said
    assert classify_one("mF_9.B5f-4.1JqX", False)["match"].startswith("probably an altered copy")


_DIFF = '''from diff_match_patch import diff_match_patch
from django.utils.safestring import mark_safe


def export_diff(left, right):
    data = []
    dmp = diff_match_patch()
    for v1, v2 in zip(left, right):
        diff = dmp.diff_main(str(v1), str(v2))
        html = dmp.diff_prettyHtml(diff)
        html = mark_safe(html)
        data.append(html)
    return data
'''


def test_mark_safe_of_diff_match_patch_pretty_html(tmp_path):
    """django-import-export's preview (set 56: both labellers, three findings and two graded rows): diff_prettyHtml
    escapes &, < and > in every chunk, and `html = mark_safe(html)` binds after its own use; mark_safe of the raw
    values keeps the finding."""
    for name, text, fp in (("pretty", _DIFF, True),
                           ("raw", _DIFF.replace("html = dmp.diff_prettyHtml(diff)", "html = str(v2)"), False)):
        rec, said = _reasons(tmp_path / name, {"import_export/resources.py": text},
                             finding(tool="bandit", rule_id="B308", title="Use of mark_safe() may expose cross-site "
                                     "scripting vulnerabilities and should be reviewed.",
                                     location={"path": "import_export/resources.py", "start_line": 11, "end_line": 11}))
        assert (rec["verdict"] == "false_positive") is fp, (name, said)
        if fp:
            assert "dmp.diff_prettyHtml()" in said and "quotes" not in said, said


def test_a_swappable_model_setting_names_a_model_not_a_token(tmp_path):
    """django-oauth-toolkit's `OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL = "tests.SampleAccessToken"` and a settings dict's
    `"ID_TOKEN_MODEL": "tests.LocalIDToken"` (set 56's grader: B105 matched `TOKEN`); `ACCESS_TOKEN = "..."` stays."""
    text = ('OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL = "tests.SampleAccessToken"\nOAUTH2_PROVIDER = {\n'
            '    "ID_TOKEN_MODEL": "tests.LocalIDToken",\n}\nACCESS_TOKEN = "tests.SampleAccessToken"\n')
    judge = _repo(tmp_path, {"app/settings_swapped.py": text})
    from tasks.triage.secret_names import check_secret_name

    for line, fp in ((1, True), (3, True), (5, False)):
        f = finding(tool="bandit", rule_id="B105", title="Possible hardcoded password: 'x'",
                    location={"path": "app/settings_swapped.py", "start_line": line, "end_line": line})
        said = check_secret_name(f, judge.reader)
        assert bool(said) is fp, (line, said)
        if fp:
            assert "whose last word `model`" in said["evidence"] and "tests." not in said["evidence"], said
