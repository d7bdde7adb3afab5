"""Rounds 59-60's row defects that need no project of set 57 (django-allauth's parametrize placeholders taken for
passwords; "lines 62-62" in a verdict) and held-out set 57's misses, each beside the neighbour that stays as it was."""

from __future__ import annotations

import subprocess

from test_review_750 import _bandit


def _judged(path_root, files, tool, rule, title, path, start, end):
    """(record, its reasons joined) for ``tool``'s finding of ``rule`` at ``path``:``start``-``end`` in a repository
    of ``files`` made under ``path_root``: the judge every test below asks."""
    from test_round45_rows import _reasons
    from test_triage_hygiene import finding

    return _reasons(path_root, files, finding(tool=tool, rule_id=rule, title=title,
                                              location={"path": path, "start_line": start, "end_line": end}))


def test_a_format_placeholder_is_no_password_but_a_value_beside_it_still_is(tmp_path):
    """django-allauth's `@pytest.mark.parametrize("password", ["{user_password}", "{password_factory}"])` (round 59's
    grader: over-redaction): a str.format field names a variable and holds no secret, so the prompt shows it; a
    braced value that is no identifier, and a real password on the same line, are still redacted."""
    from tasks.findings.parsers.finalise import finalise
    from tasks.repository.source import SourceReader

    line = ('31 @pytest.mark.parametrize("password", ["{user_password}", "{a b}"])\n'
            '32 def test_change(password, pw="Vq7Rm2Xk9Lp4Tz8N"):\n')
    out = finalise(_bandit("B105", "tests/test_change.py", 31, "Possible hardcoded password: '{user_password}'", 32,
                           line))
    assert "{user_password}" in out["snippet"] and "{a b}" not in out["snippet"] and "Vq7Rm2Xk9Lp4Tz8N" not in out["snippet"]
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "tests").mkdir()
    (repo / "tests" / "test_change.py").write_text("import pytest\n" * 30 + "".join(l.split(" ", 1)[1] for l in line.splitlines(True)))
    subprocess.run(["git", "-C", str(repo), "init", "-q"], check=True)
    reader = SourceReader(repo)
    reader.learn_secrets([_bandit("B105", "tests/test_change.py", 31, "Possible hardcoded password: '{user_password}'", 32)])
    text = reader.context("tests/test_change.py", None, 31, 3)["text"]
    assert "{user_password}" in text and "Vq7Rm2Xk9Lp4Tz8N" not in text, text


def test_a_one_line_range_reads_line_n_not_lines_n_n():
    """round 59-60's graders: "lines 62-62" is a template's artefact in four verdicts."""
    from tasks.core.markdown import line_span

    assert line_span(62, 62) == "line 62" and line_span(57, 67) == "lines 57-67"


_STOCK = ("import random\n\n\ndef test_simple_supplier_out_of_stock(supplier, product):\n"
          "    num = random.randint(100, 500)\n    supplier.adjust_stock(product.id, delta=num)\n"
          "    assert product.stock == num\n")


def test_a_tests_random_value_says_where_it_goes(tmp_path):
    """shuup's `num = random.randint(100, 500)` in a test (round 60's grader: "it does not say that num is only a stock
    quantity passed to supplier.adjust_stock"); a value never read says so; a module-level name says nothing (other
    tests may import it)."""

    def judge(name, text, line):
        return _judged(tmp_path / name, {"tests/test_stock.py": text},
            "bandit", "B311", "Standard pseudo-random generators are not suitable", "tests/test_stock.py", line, line)

    rec, said = judge("used", _STOCK, 5)
    assert rec["verdict"] == "false_positive"
    assert ("`num` (line 5, in test_simple_supplier_out_of_stock()) goes only to `delta=` of "
            "`supplier.adjust_stock()` (line 6) and an assert (line 7)") in said, said
    rec, said = judge("unread", _STOCK.replace("delta=num", "delta=1").replace("== num", "== 1"), 5)
    assert "`num` (line 5, in test_simple_supplier_out_of_stock()) is never read after it is set" in said, said
    rec, said = judge("module", "import random\n\nNUM = random.randint(1, 5)\n", 3)
    assert rec["verdict"] == "false_positive" and "`NUM`" not in said, said


def test_a_tests_password_says_where_it_goes_and_never_quotes_it(tmp_path):
    """shuup's test password set on the user it creates (round 60's grader: "nothing beyond the path"): the row names
    the call the name goes to; the value itself stays out of the evidence."""
    from test_round45_rows import _reasons
    from test_triage_hygiene import finding

    code = ("def test_reset_admin_user_password(admin_user):\n    pw = 'kissa123'\n    admin_user.set_password(pw)\n"
            "    assert admin_user.check_password(pw)\n")
    rec, said = _reasons(tmp_path / "pw", {"shuup_tests/test_pw.py": code}, finding(
        tool="bandit", rule_id="B105", title="Possible hardcoded password: 'kissa123'",
        location={"path": "shuup_tests/test_pw.py", "start_line": 2, "end_line": 2}))
    assert rec["verdict"] == "false_positive", said
    assert ("`pw` (line 2, in test_reset_admin_user_password()) goes only to the argument of "
            "`admin_user.set_password()` (line 3) and the argument of `admin_user.check_password()` (line 4)") in said, said
    assert "kissa123" not in said


def test_an_examples_code_says_what_the_line_runs_beside_the_path(tmp_path):
    """round 59: five example rows said only "not what the project ships: examples/... is example code"; an example's
    SQL built from a module constant now says so, as a test's does; one built from argv says nothing more."""

    def judge(name, value):
        text = ("import sqlite3\nimport sys\n\nTABLE = 'books'\n\n\ndef main(db):\n"
                f"    db.execute('SELECT * FROM %s' % {value})\n")
        return _judged(tmp_path / name, {"examples/run.py": text, "pkg/__init__.py": ""},
            "bandit", "B608", "Possible SQL injection vector through string-based query construction.",
            "examples/run.py", 8, 8)

    rec, constant = judge("constant", "TABLE")
    rec2, argv = judge("argv", "sys.argv[1]")
    assert rec["verdict"] == rec2["verdict"] == "false_positive", (constant, argv)
    assert "example code" in constant and "example code" in argv
    assert "built only from names bound to literals: TABLE (examples/run.py:4)" in constant, constant
    assert "bound to literals" not in argv, argv


def test_a_sphinx_themes_template_is_a_static_site_template(tmp_path):
    """shuup's doc/_theme/sphinx_shoop_theme/layout_old.html (round 60's graders: "only 'is documentation'"): a theme
    folder beside the docs' conf.py renders at build time; the same folder without a conf.py stays plain docs."""

    page = '<a href="{{ parent.link|e }}">{{ parent.title }}</a>\n'
    for name, files, site in (("sphinx", {"doc/conf.py": "project = 'x'\n"}, True), ("bare", {"doc/index.rst": "x\n"}, False)):
        rec, said = _judged(tmp_path / name, {**files, "doc/_theme/t/layout.html": page},
            "semgrep", "generic.html-templates.security.var-in-href", "var-in-href", "doc/_theme/t/layout.html", 1, 1)
        assert rec["verdict"] == "false_positive", said
        assert ("template of the static website in doc/ (Sphinx: doc/conf.py)" in said) is site, said


_VARIATION = '''from django.db import models
import hashlib


class ProductVariationResult(models.Model):
    combination_hash = models.CharField(max_length=40, unique=True, db_index=True)

    @classmethod
    def resolve(cls, combination):
        return cls.objects.create(combination_hash=hash_combination(combination))


def hash_combination(combination):
    bits = sorted("%d=%d" % (k, v) for k, v in combination.items())
    return hashlib.sha1(",".join(bits).encode("utf8")).hexdigest()
'''


def test_a_longer_digest_for_a_column_that_holds_the_old_one_is_refused():
    """shuup's `combination_hash = models.CharField(max_length=40, unique=True)` filled by hash_combination() (round
    60: Semgrep's SHA-1 -> SHA-256 autofix graded harmful); a wide column, or a digest no field stores, keeps the fix."""
    from tasks.fixes.scanner_fixes import review

    before = ['    return hashlib.sha1(",".join(bits).encode("utf8")).hexdigest()']
    after = ['    return hashlib.sha256(",".join(bits).encode("utf8")).hexdigest()']
    why, _ = review("weak-hash", before, after, _VARIATION)
    assert why and "stored in `combination_hash` (line 6: CharField(max_length=40))" in why, why
    assert review("weak-hash", before, after, _VARIATION.replace("max_length=40", "max_length=64"))[0] is None
    assert review("weak-hash", before, after, _VARIATION.replace("combination_hash=hash_combination", "key=other"))[0] is None


def test_the_identifier_digest_advice_names_the_algorithm_the_code_uses():
    """round 60 (shuup's hashlib.sha1): "Keeping MD5 also keeps existing keys stable" under a SHA-1 call, and "scanners
    accept it" where Semgrep's SHA-1 rule matches usedforsecurity=False too (checked in semgrep-rules: its MD5 rule has
    the pattern-not, its SHA-1 rule none)."""
    from tasks.fixes.patterns.python_hashes import non_security

    sha1, _ = non_security("", None, "h = hashlib.sha1(x).hexdigest()")
    md5, _ = non_security("", None, "h = hashlib.md5(x).hexdigest()")
    assert "Keeping SHA-1 also keeps" in sha1 and "MD5 also" not in sha1 and "# nosemgrep" in sha1
    assert "Keeping MD5 also keeps" in md5 and "nosemgrep" not in md5


def test_a_python_import_inside_a_continued_run_is_no_from_instruction():
    """shuup's Dockerfile writes a Python script with `RUN echo '\\` + `from django.db import IntegrityError\\n\\`
    (round 60: "These lines go in the last stage (`FROM django.db`)"); a real second FROM still makes two stages."""
    from tasks.fixes.dockerfile_user import from_offsets, user_needs

    text = ("FROM node:12.21.0-buster-slim as base\nWORKDIR /app\nCOPY . /app\nRUN echo '\\\n"
            "from django.contrib.auth import get_user_model\\n\\\nfrom django.db import IntegrityError\\n\\\n"
            "' > /tmp/init.py\nRUN <<EOF\nfrom x import y\nEOF\nCMD [\"python3\", \"-m\", \"shuup_workbench\"]\n")
    assert [text[o:o + 9] for o in from_offsets(text)] == ["FROM node"]
    block, note = user_needs(text, "RUN useradd --system --uid 10001 app\nUSER 10001")
    assert "django.db" not in note and "last stage" not in note and "chown -R 10001 /app" in block, (block, note)
    two = "FROM python:3.12 AS build\nRUN pip wheel .\nFROM python:3.12-slim\nCOPY --from=build /w /w\nCMD x\n"
    assert "last stage (`FROM python:3.12-slim`)" in user_needs(two, "RUN useradd --system --uid 10001 app\nUSER 10001")[1]


def test_the_b101_setting_carries_its_reason_and_the_sentence_reads_whole():
    """round 60's graders (three rows): "with the reason, so the next scan does not report it again" followed a
    YAML block that held no reason, after a sentence that already ended in "flagged again"."""
    from test_triage_hygiene import finding

    from tasks.fixes.suppression import suppression_answer

    f = finding(tool="bandit", rule_id="B101", title="Use of assert detected.", snippet="553     assert x == y\n",
                location={"path": "tests/test_hybrid.py", "start_line": 553, "end_line": 553})
    rec = {"verdict": "false_positive", "reasons": [{"check": "report", "evidence": "harmless in test code: tests/"
                                                     "test_hybrid.py is a test file (line 553)"}]}
    answer = suppression_answer(f, rec)
    assert "flagged again, with the reason" not in answer and "so that no test file's assert is reported again:" in answer
    assert "# reason: a test's asserts check the test's own results" in answer
    import yaml

    block = answer.split("```yaml\n", 1)[1].split("```", 1)[0]
    assert yaml.safe_load(block) == {"assert_used": {"skips": ["*/tests/*", "tests/*"]}}


_AUTOSCALER = '''data "aws_iam_policy_document" "cluster_autoscaler" {
  count = var.create ? 1 : 0

  statement {
    actions = [
      "autoscaling:DescribeAutoScalingGroups",
      "ec2:DescribeLaunchTemplateVersions",
      "ec2:GetInstanceTypesFromInstanceRequirements"
    ]

    resources = ["*"]
  }

  dynamic "statement" {
    for_each = toset(var.cluster_autoscaler_cluster_names)

    content {
      actions = [
        "autoscaling:SetDesiredCapacity",
        "autoscaling:TerminateInstanceInAutoScalingGroup"
      ]

      resources = ["*"]

      condition {
        test     = "StringEquals"
        variable = "autoscaling:ResourceTag/kubernetes.io/cluster/${statement.value}"
        values   = ["owned"]
      }
    }
  }
}
'''


def test_writes_on_star_bound_to_the_clusters_tag_are_a_control_checkov_does_not_read():
    """terraform-aws-eks-pod-identity's cluster_autoscaler.tf (set 57: both labellers, control present); a write
    statement without the condition, a condition on the request's tag, or a secret read on "*" keeps the finding."""
    from test_triage_hygiene import finding

    from tasks.triage.iam_tagged import check_tag_scoped

    def judge(code, rule="CKV_AWS_356"):
        return check_tag_scoped(finding(tool="checkov", rule_id=rule, title=rule, snippet=code,
                                        location={"path": "cluster_autoscaler.tf", "start_line": 1, "end_line": 33}))

    got = judge(_AUTOSCALER)
    assert got and got["status"] == "control_present", got
    assert ("only where `autoscaling:ResourceTag/kubernetes.io/cluster/${statement.value}` = owned" in got["evidence"]
            and "autoscaling:DescribeAutoScalingGroups" in got["evidence"]), got
    assert judge(_AUTOSCALER, "CKV_AWS_111")
    unbound = _AUTOSCALER.replace('"autoscaling:DescribeAutoScalingGroups",', '"ec2:AuthorizeSecurityGroupIngress",')
    request_tag = _AUTOSCALER.replace("autoscaling:ResourceTag/", "aws:RequestTag/")
    secret = _AUTOSCALER.replace('"autoscaling:DescribeAutoScalingGroups",', '"ec2:GetPasswordData",')
    for name, code in (("unbound write", unbound), ("request tag", request_tag), ("secret read", secret)):
        assert judge(code) is None, name


_HISTORY_ADMIN = '''from django.urls import reverse


class SimpleHistoryAdmin:
    def history_form_view(self, request, obj, url_triplet):
        context = {
            "changelist_url": reverse("%s:%s_%s_changelist" % url_triplet),
            "change_url": reverse("%s:%s_%s_change" % url_triplet, args=(obj.pk,)),
        }
        return context
'''


def test_a_link_from_a_context_key_every_view_sets_to_reverse(tmp_path):
    """django-simple-history's `<a href="{{changelist_url}}">` (set 57: both labellers); a key some other view sets
    from a model field, or a template value no Python file sets, keeps the finding."""

    page = '{% load i18n %}\n<a href="{{changelist_url}}">list</a>\n'
    other = "def view(request, obj):\n    return {'changelist_url': obj.homepage}\n"
    for name, files, fp in (("reversed", {"simple_history/admin.py": _HISTORY_ADMIN}, True),
                            ("stored", {"simple_history/admin.py": _HISTORY_ADMIN, "app/views.py": other}, False),
                            ("unset", {"simple_history/admin.py": "x = 1\n"}, False)):
        rec, said = _judged(tmp_path / name, {**files, "simple_history/templates/form.html": page},
            "semgrep", "generic.html-templates.security.var-in-href", "var-in-href",
            "simple_history/templates/form.html", 2, 2)
        assert ("every place the repository sets that context key gives it reverse() (simple_history/admin.py:7)"
                in said) is fp, (name, said)


def test_a_tests_expected_context_is_no_binding_of_the_key(tmp_path):
    """django-simple-history's tests compare the view's context with `"changelist_url": "/admin/tests/poll/"`: a
    test renders nothing, so it neither makes nor breaks the key's binding."""
    from tasks.triage.repo_urls import context_urls

    expected = "def test_form(self):\n    assert ctx == {'changelist_url': '/admin/tests/poll/'}\n"
    texts = [("simple_history/admin.py", _HISTORY_ADMIN), ("simple_history/tests/tests/test_admin.py", expected)]
    assert context_urls(texts)["changelist_url"] == ("simple_history/admin.py", 7)
    assert "changelist_url" not in context_urls([("simple_history/admin.py", _HISTORY_ADMIN), ("app/views.py", expected)])


def test_importing_a_classs_own_module_loads_nothing_new(tmp_path):
    """django-simple-history's `importlib.import_module(history_model.__module__)` (set 57: both labellers); a
    module name from a parameter keeps the finding."""

    rule = "python.lang.security.audit.non-literal-import.non-literal-import"
    for name, arg, fp in (("own", "history_model.__module__", True), ("param", "module_name", False)):
        code = f"import importlib\n\n\ndef finalize(history_model, module_name):\n    module = importlib.import_module({arg})\n    return module\n"
        rec, said = _judged(tmp_path / name, {"simple_history/models.py": code},
            "semgrep", rule, "non-literal-import", "simple_history/models.py", 5, 5)
        assert (rec["verdict"] == "false_positive" and "an already loaded module" in said) is fp, (name, said)


def test_a_response_of_a_configured_message_is_the_deployers_text(tmp_path):
    """django-axes' `HttpResponse(get_lockout_message(), status=status)` where get_lockout_message() returns only
    settings.AXES_COOLOFF_MESSAGE / AXES_PERMALOCK_MESSAGE (set 57: both labellers); a getter that also returns a
    request value keeps the finding."""

    rule = "python.django.security.audit.xss.direct-use-of-httpresponse.direct-use-of-httpresponse"
    getter = ("from django.http import HttpResponse\nfrom axes.conf import settings\n\n\ndef get_lockout_message() -> str:\n"
              "    if settings.AXES_COOLOFF_TIME:\n        return settings.AXES_COOLOFF_MESSAGE\n"
              "    return settings.AXES_PERMALOCK_MESSAGE\n\n\ndef lockout(request, status):\n"
              "    return HttpResponse(get_lockout_message(), status=status)\n")
    leaky = getter.replace("return settings.AXES_PERMALOCK_MESSAGE", "return request_text()")
    for name, code, fp in (("settings", getter, True), ("leaky", leaky, False)):
        rec, said = _judged(tmp_path / name, {"axes/helpers.py": code},
            "semgrep", rule, "direct-use-of-httpresponse", "axes/helpers.py", 12, 12)
        assert ("returns only settings.AXES_COOLOFF_MESSAGE, settings.AXES_PERMALOCK_MESSAGE" in said) is fp, (name, said)


def test_an_http_response_redirect_to_the_requests_own_path(tmp_path):
    """django-simple-history's `return http.HttpResponseRedirect(request.path)` (set 57: both labellers; the check
    knew only `redirect(request.path)`); a redirect to a query value keeps the finding."""

    rule = "python.django.security.injection.open-redirect.open-redirect"
    for name, target, fp in (("own", "request.path", True), ("query", "request.GET['next']", False)):
        code = f"from django import http\n\n\ndef view(request):\n    return http.HttpResponseRedirect({target})\n"
        rec, said = _judged(tmp_path / name, {"simple_history/admin.py": code},
            "semgrep", rule, "open-redirect", "simple_history/admin.py", 5, 5)
        assert (rec["verdict"] == "false_positive" and "redirects to `request.path`" in said) is fp, (name, said)


_RUNTESTS = '''DATABASES = {
    "postgres": {
        "ENGINE": "django.db.backends.postgresql",
        "USER": "postgres",
        "PASSWORD": "postgres",
        "HOST": "127.0.0.1",
    },
}
'''
_WORKFLOW = '''name: Test
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    services:
      postgres:
        image: postgres:latest
        env:
          POSTGRES_PASSWORD: postgres
    steps:
      - run: python runtests.py
'''


def test_a_test_runners_database_password_that_the_ci_service_container_is_given(tmp_path):
    """django-simple-history's runtests.py `"PASSWORD": "postgres"` against the workflow's `POSTGRES_PASSWORD: postgres`
    service (set 57: both labellers, two findings); another value, a remote host, or no service keeps the finding; the
    value itself is never said."""

    for name, files, fp in (
            ("service", {"runtests.py": _RUNTESTS, ".github/workflows/test.yml": _WORKFLOW}, True),
            ("other", {"runtests.py": _RUNTESTS.replace('"postgres",\n        "HOST"', '"pg-Secret9",\n        "HOST"'),
                       ".github/workflows/test.yml": _WORKFLOW}, False),
            ("remote", {"runtests.py": _RUNTESTS.replace("127.0.0.1", "db.example.org"),
                        ".github/workflows/test.yml": _WORKFLOW}, False),
            ("no-service", {"runtests.py": _RUNTESTS}, False)):
        value = "pg-Secret9" if name == "other" else "postgres"
        rec, said = _judged(tmp_path / name, files,
            "bandit", "B105", f"Possible hardcoded password: '{value}'", "runtests.py", 5, 5)
        assert ("the POSTGRES_PASSWORD that .github/workflows/test.yml:10 gives the database container" in said) is fp, (name, said)
        assert rec["verdict"] == "false_positive" or not fp
        assert "pg-Secret9" not in said


def test_a_translated_blocks_variables_are_those_inside_it(tmp_path):
    """django-two-factor-auth's press_a_key.xml: `<Say language="{{ locale }}">{% blocktrans %}Hi, this is
    {{ site_name }} ...{% endblocktrans %}</Say>` (set 57's auditor: `locale` is outside the block)."""
    from test_round45_rows import _reasons
    from test_triage_hygiene import finding

    page = ('{% load i18n %}<Response>\n  <Say language="{{ locale }}">{% blocktrans %}Hi, this is {{ site_name }} '
            'calling.{% endblocktrans %}</Say>\n</Response>\n')
    rec, said = _reasons(tmp_path / "xml", {"two_factor/templates/press_a_key.xml": page}, finding(
        tool="semgrep", rule_id="python.django.security.audit.xss.template-blocktranslate-no-escape.template-blocktranslate-no-escape",
        title="blocktranslate", location={"path": "two_factor/templates/press_a_key.xml", "start_line": 2, "end_line": 2}))
    assert rec["verdict"] == "false_positive" and "holds variables site_name," in said and "locale" not in said, said


def test_a_password_that_is_also_an_image_or_module_name_is_cut_everywhere():
    """The attack on 218b6ed: keeping a password word where it is also an image's name (`image: postgres`) let it
    through every value position `_held` does not know (`${DB_PASS:-postgres}`, `ENV PGPASSWORD postgres`, a
    positional argument after `from django.test import`), so the word is cut wherever it stands alone again; the image
    name's over-redaction (round 61) is the price."""
    from tasks.findings.redact import marker, scrub

    for text in ("image: postgres:16\nPOSTGRES_PASSWORD: postgres\nDB_PASS: ${DB_PASS:-postgres}\n",
                 "FROM postgres:16\nENV POSTGRES_PASSWORD=\"postgres\"\nENV PGPASSWORD postgres\n",
                 "from django.test import TestCase\nself.password = 'django'\ncreate_user('admin', 'a@b.c', 'django')\n"):
        secret = "django" if "django.test" in text else "postgres"
        out = scrub(text, [secret])
        assert secret not in out.replace("django.test", ""), out
        assert marker(secret) in out


def test_a_wheel_of_many_packages_is_not_said_to_be_three_alone(tmp_path):
    """django-guardian's [tool.setuptools] packages lists nine packages; rows 24 and 29 of round 61 said the wheel is
    built "from guardian/, guardian/conf/, guardian/management/ alone" (a wrong fact); three or fewer are all named."""
    from test_triage_constant_data import _repo
    from test_triage_hygiene import finding

    from tasks.findings.model import as_finding
    from tasks.triage.wheel_contents import outside_wheel

    def said(packages):
        pyproject = "[build-system]\nbuild-backend = 'setuptools.build_meta'\n\n[project]\nname = 'x'\n\n[tool.setuptools]\npackages = [" + ", ".join(f"'{p}'" for p in packages) + "]\n"
        files = {"pyproject.toml": pyproject, "example_project/views.py": "x = 1\n"}
        files.update({p.replace(".", "/") + "/__init__.py": "" for p in packages})
        judge = _repo(tmp_path / str(len(packages)), files)
        f = finding(tool="bandit", rule_id="B404", title="t", location={"path": "example_project/views.py", "start_line": 1})
        return outside_wheel(as_finding(f), judge.reader, judge.imports.files)["evidence"]

    many = said(["guardian", "guardian.conf", "guardian.management", "guardian.management.commands", "guardian.migrations"])
    assert "builds the wheel from 5 folders (`guardian/`, `guardian/conf/`, `guardian/management/`, …)" in many, many
    assert " alone" not in many
    assert "builds the wheel from `guardian/`, `guardian/conf/` alone" in said(["guardian", "guardian.conf"])


def test_an_attribute_inside_a_jsonencoded_policy_is_not_said_to_be_unset():
    """terraform-aws-eks-pod-identity's example `aws_iam_policy.additional` sets `Action = ["ec2:Describe*"]` inside
    `policy = jsonencode({...})`; the row said it "sets no `policy.Statement.Action`" (round 61's grader and set 57's
    auditor: a wrong fact).  A block the key's path does read keeps its clause."""
    from test_triage_hygiene import finding

    from tasks.findings.model import as_finding
    from tasks.triage.example_config import example_detail

    block = ('resource "aws_iam_policy" "additional" {\n  name = "x"\n  policy = jsonencode({\n    Statement = [\n'
             '      {\n        Action = ["ec2:Describe*"]\n        Effect   = "Allow"\n        Resource = "*"\n      },\n'
             '    ]\n  })\n}\n')
    f = finding(tool="checkov", rule_id="CKV_AWS_355", title="t", snippet=block,
                description="t (resource aws_iam_policy.additional, framework terraform)", location={"path": "examples/complete/main.tf", "start_line": 1})
    f = as_finding(f | {"checked_keys": ["policy/Statement/[0]/Action"]})
    assert example_detail(f) is None
    sns = finding(tool="checkov", rule_id="CKV_AWS_26", title="t", snippet='resource "aws_sns_topic" "example" {\n  name = "x"\n}\n',
                  description="t (resource aws_sns_topic.example, framework terraform)", location={"path": "examples/main.tf", "start_line": 1})
    assert "sets no `kms_master_key_id`" in example_detail(as_finding(sns | {"checked_keys": ["kms_master_key_id"]}))


def test_a_tests_random_sample_followed_through_its_loop_and_a_keyword_key_names_its_call(tmp_path):
    """round 61: django-guardian's `perms = random.sample(...)` then `for perm in perms: ...create(permission=perm)`
    said only "test data"; django-otp's `hotpdevice_set.create(key='d2e8...')` said only "a test's key"."""
    from test_round45_rows import _reasons
    from test_triage_hygiene import finding

    sample = ("import random\n\n\nclass T:\n    @classmethod\n    def setUpClass(cls):\n        perms = random.sample(\n"
              "            [cls.add, cls.change], random.randint(1, 2)\n        )\n        for perm in perms:\n"
              "            GroupObjectPermission.objects.create(group=cls.group, permission=perm)\n")
    rec, said = _reasons(tmp_path / "sample", {"guardian/testapp/tests/test_indexes.py": sample}, finding(
        tool="bandit", rule_id="B311", title="Standard pseudo-random generators are not suitable",
        location={"path": "guardian/testapp/tests/test_indexes.py", "start_line": 7, "end_line": 7}))
    assert ("`perms` (line 7, in setUpClass()) goes only to the loop at line 10, whose `perm` goes only to "
            "`permission=` of `GroupObjectPermission.objects.create()` (line 11)") in said, said
    key = "d2e8a68036f68960b1c30532bb6c56da5934d879"
    device = (f"class HOTPAdminTest:\n    def setUp(self):\n        self.device = self.admin.hotpdevice_set.create(\n"
              f"            key='{key}',\n            digits=6,\n        )\n")
    rec, said = _reasons(tmp_path / "key", {"src/django_otp/plugins/otp_hotp/tests.py": device}, finding(
        tool="semgrep", rule_id="generic.secrets.gitleaks.generic-api-key.generic-api-key", title="generic-api-key",
        location={"path": "src/django_otp/plugins/otp_hotp/tests.py", "start_line": 4, "end_line": 4}))
    assert rec["verdict"] == "false_positive", said
    assert "the flagged value is `key=` of `self.admin.hotpdevice_set.create()` (line 3, in setUp())" in said, said
    assert key not in said


def test_a_braced_token_stays_a_secret_and_a_token_named_variable_says_nothing(tmp_path):
    """The attack on f48c953 and d86c950: `{Xk9q2LmZ7wR4vBtY8pQ3nA6sD1fG5}` taken for a str.format field was left in
    the title, and a variable or keyword named like a token was quoted by value_use; a snake_case field or a secret's
    own name in braces is still a placeholder."""
    from test_round45_rows import _reasons
    from test_triage_hygiene import finding

    from tasks.findings.secrets import plausible

    for v in ("{Xk9q2LmZ7wR4vBtY8pQ3nA6sD1fG5}", "{hunter2}", "{S3cr3tPassw0rd}", "{hunter}"):
        assert plausible(v, f'password="{v}"'), v
    for v in ("{user_password}", "{password_factory}", "{password}"):
        assert not plausible(v, f'password="{v}"'), v
    token = "Xk9q2LmZ7wR4vBtY8pQ3"
    code = f"def test_a(client):\n    {token} = 'x'\n    client.login(password={token})\n"
    rec, said = _reasons(tmp_path / "named", {"tests/test_a.py": code}, finding(
        tool="bandit", rule_id="B105", title="Possible hardcoded password: 'x'",
        location={"path": "tests/test_a.py", "start_line": 2, "end_line": 2}))
    assert token not in said, said
    kw = f"def test_b(api):\n    api.configure({token}='abc123def')\n"
    rec, said = _reasons(tmp_path / "kw", {"tests/test_b.py": kw}, finding(
        tool="bandit", rule_id="B106", title="Possible hardcoded password: 'abc123def'",
        location={"path": "tests/test_b.py", "start_line": 2, "end_line": 2}))
    assert token not in said, said


def test_a_hyphenated_passphrase_stays_redacted_whatever_its_words_say():
    """7d80061 showed 'wrong-password' and 'valid-password' (round 61's graders: over-redaction); a helper's attack
    then showed the same rule leaking real passphrases (`missing-key-ring` under DB_PASSWORD, `bogus-password-clasp`
    from a password manager, `the valid secret`), so words joined by - or _ are a value again, and only a space-joined
    phrase of the old words ('bad token') names itself."""
    from test_review_750 import _bandit

    from tasks.findings.parsers.finalise import finalise

    for value in ("missing-key-ring", "bogus-password-clasp", "wrong-password", "valid-password"):
        out = finalise(_bandit("B105", "config/settings/production.py", 3, f"Possible hardcoded password: '{value}'", 3,
                               f"3 DB_PASSWORD = '{value}'\n"))
        assert value not in out["title"] + out["snippet"] + out["description"], value


def test_a_docs_code_file_a_page_includes_verbatim_is_left_out_of_the_scan_not_commented(tmp_path):
    """round 62's harmful row: `# nosec B105` in django-ninja's docs/src/tutorial/authentication/basic01.py, which
    docs/docs/guides/authentication.md shows with `{!./src/tutorial/authentication/basic01.py!}` and hl_lines: the
    comment would appear in the published tutorial.  A docs file no page includes keeps the per-line suppression."""
    from test_round45_rows import _reasons
    from test_triage_hygiene import finding

    from tasks.fixes.scan_scope import exclusion_answer

    code = "def authenticate(request, username, password):\n    if username == 'admin' and password == 'secret':\n        return username\n"
    page = '# Auth\n\n```python hl_lines="1 2"\n{!./src/tutorial/authentication/basic01.py!}\n```\n'
    path = "docs/src/tutorial/authentication/basic01.py"
    for name, files, shown in (("included", {path: code, "docs/docs/guides/authentication.md": page}, True),
                               ("alone", {path: code, "docs/docs/index.md": "# x\n"}, False)):
        f = finding(tool="bandit", rule_id="B105", title="Possible hardcoded password: 'secret'",
                    snippet="2     if username == 'admin' and password == 'secret':\n",
                    location={"path": path, "start_line": 2, "end_line": 2})
        rec, said = _reasons(tmp_path / name, files, f)
        assert rec["verdict"] == "false_positive", said
        assert ("docs/docs/guides/authentication.md:4 includes it with markdown-include's `{!…!}`" in said) is shown, said
        answer = exclusion_answer("bandit", path, rec) or ""  # what tasks.datasets.rows asks before a suppression
        assert ('exclude_dirs = ["docs"]' in answer and "nosec" not in answer) is shown, answer


def test_a_bandit_value_with_its_own_quote_is_read_whole():
    """set 58's audit: `"server_token": "Hey, that's not a server token!"` was measured as 'Hey, that' (9 characters)
    because Bandit's title quotes the value with ' as it is; a password holding a quote was cut short the same way,
    leaving its tail unredacted."""
    from test_review_750 import _bandit

    from tasks.findings.parsers.finalise import finalise
    from tasks.findings.secrets import bandit_value

    assert bandit_value("Possible hardcoded password: 'Hey, that's not a server token!'") == "Hey, that's not a server token!"
    secret = "Xk9'q2LmZ7wR4vB"
    out = finalise(_bandit("B105", "app/settings.py", 3, f"Possible hardcoded password: '{secret}'", 3,
                           f'3 PASSWORD = "{secret}"\n'))
    assert "q2LmZ7wR4vB" not in out["title"] + out["snippet"] + out["description"], out


_UNISENDER = '''from hashlib import md5

from django.utils.crypto import constant_time_compare


class UnisenderGoTrackingWebhookView:
    def validate_request(self, request):
        body = request.body
        actual_auth = self.parse_json_body(request)["auth"]
        body_to_sign = body.replace(actual_auth.encode(), self.api_key_bytes)
        expected_auth = md5(body_to_sign).hexdigest()
        if not constant_time_compare(actual_auth, expected_auth):
            raise ValueError("bad signature")
'''


def test_a_webhook_receivers_digest_is_the_providers_scheme(tmp_path):
    """django-anymail's Unisender Go webhook (round 62: both stage-1 graders, "switching to sha256 would reject every
    real webhook"); the same digest outside a webhook module, or stored rather than compared, keeps the finding."""

    for name, path, code, fp in (("webhook", "anymail/webhooks/unisender_go.py", _UNISENDER, True),
                                 ("elsewhere", "anymail/backends/unisender_go.py",
                                  _UNISENDER.replace("TrackingWebhookView", "Backend"), False),
                                 ("stored", "anymail/webhooks/unisender_go.py",
                                  _UNISENDER.replace("constant_time_compare(actual_auth, expected_auth)", "self.save(expected_auth)"), False)):
        rec, said = _judged(tmp_path / name, {path: code},
            "bandit", "B324", "Use of weak MD5 hash for security. Consider usedforsecurity=False", path, 11, 11)
        assert ("the sending provider's webhook signature" in said) is fp, (name, said)


def test_ruffs_flake8_bandit_noqa_is_the_teams_suppression_of_the_same_test(tmp_path):
    """django-constance's `dumps(pickle.loads(b64decode(...)))  # noqa: S301` in a data migration (set 58: both
    labellers); a bare `# noqa`, or one naming another rule, suppresses nothing."""
    from test_round45_rows import _reasons
    from test_triage_hygiene import finding

    for name, mark, rule, tool, fp in (("b301", "  # noqa: S301", "B301", "bandit", True),
                                       ("semgrep", "  # noqa: S301", "python.lang.security.deserialization.avoid-pickle", "semgrep", True),
                                       ("bare", "  # noqa", "B301", "bandit", False),
                                       ("other", "  # noqa: E501", "B301", "bandit", False)):
        code = f"import pickle\n\n\ndef migrate(value):\n    return pickle.loads(value){mark}\n"
        rec, said = _reasons(tmp_path / name, {"app/util.py": code}, finding(
            tool=tool, rule_id=rule, title="pickle", location={"path": "app/util.py", "start_line": 5, "end_line": 5}))
        assert ("ruff's flake8-bandit code S301 for Bandit's B301" in said and rec["source"] == "suppression") is fp, (name, said)


def test_request_data_that_reaches_an_http_response_only_through_format_html(tmp_path):
    """django-autocomplete-light's alight create view (round 62: the row called a format_html-escaped POST value a
    true positive and advised format_html; its "taint" was the word `text` inside content_type='text/html'); the
    same value concatenated unescaped stays a finding."""

    rule = "python.django.security.audit.xss.direct-use-of-httpresponse.direct-use-of-httpresponse"
    for name, body, fp in (("escaped", "format_html('<div data-value=\"{}\">{}</div>', text, result)", True),
                           ("raw", "'<div>' + text + '</div>'", False)):
        code = ("from django import http\nfrom django.utils.html import format_html\n\n\ndef post(self, request):\n"
                "    text = request.POST.get('text', None)\n    result = self.create(text)\n"
                f"    return http.HttpResponse(\n        {body},\n        content_type='text/html',\n    )\n")
        rec, said = _judged(tmp_path / name, {"src/dal_alight/views.py": code},
            "semgrep", rule, "direct-use-of-httpresponse", "src/dal_alight/views.py", 8, 11)  # Semgrep's whole call
        assert (rec["verdict"] == "false_positive" and "escaped before insertion" in said) is fp, (name, said)


def test_a_variables_name_inside_a_string_literal_is_no_flow(tmp_path):
    """round 62: `text = request.POST.get('text')` "reached" `content_type='text/html; charset=utf-8'`; an f-string
    field `f'{text}'` still does."""
    from test_triage_constant_data import _repo
    from test_triage_hygiene import finding

    from tasks.findings.model import as_finding
    from tasks.triage.flow import check_user_input

    for name, line, tainted in (("literal", "    return HttpResponse(b, content_type='text/html')\n", False),
                                ("field", "    return HttpResponse(f'<p>{text}</p>')\n", True)):
        code = "def post(request):\n    text = request.POST.get('text')\n    b = '<p>ok</p>'\n" + line
        judge = _repo(tmp_path / name, {"app/views.py": code})
        f = as_finding(finding(tool="semgrep", rule_id="python.django.security.audit.xss.direct-use-of-httpresponse.direct-use-of-httpresponse", title="t",
                               location={"path": "app/views.py", "start_line": 4, "end_line": 4}))
        assert (check_user_input(f, judge.reader) is not None) is tainted, name


def test_a_dockerfiles_backup_copy_is_no_base_image(tmp_path):
    """django-ninja's tests/env-matrix/Dockerfile.backup (round 62, both stages: "a base image", a wrong fact)."""

    text = "FROM python:3.8\nRUN pip install tox\nCOPY tests /tests\n"
    for name, path, said_backup in (("backup", "build/Dockerfile.backup", True), ("base", "build/base.Dockerfile", False)):
        rec, said = _judged(tmp_path / name, {path: text},
            "checkov", "CKV_DOCKER_3", "Ensure that a user for the container has been created", path, 1, 3)
        assert ("a backup copy of a Dockerfile: Dockerfile.backup ends in .backup" in said) is said_backup, (name, said)
        assert ("a base image" in said) is not said_backup, (name, said)


def test_a_web_asset_whose_folder_the_code_builds_names_in_is_not_said_to_be_unloaded(tmp_path):
    """django-autocomplete-light's static/autocomplete_light/i18n/sk.js, loaded as `'%s%s.js' % (I18N_PATH, lang)`
    with I18N_PATH = 'autocomplete_light/i18n/' (round 62, both stages: "no template, script or setting names it")."""
    from test_triage_constant_data import _repo

    from tasks.triage.unreferenced import never_named

    asset = "src/dal_select2/static/autocomplete_light/i18n/sk.js"
    for name, widget, claimed in (("built", "I18N_PATH = 'autocomplete_light/i18n/'\n", False),
                                  ("unnamed", "JS = 'autocomplete_light/select2.js'\n", True)):
        judge = _repo(tmp_path / name, {asset: "x = 1;\n", "src/dal_select2/widgets.py": widget,
                                        "src/dal_select2/static/autocomplete_light/select2.js": "y = 2;\n"})
        said = never_named(asset, judge.reader, judge.imports.files)
        assert bool(said) is claimed, (name, said)


def test_a_quoted_dev_server_command_is_cut_at_a_word_not_inside_a_variable():
    """round 62's grader (pipeline internals): `... runserver 0.0.0.0:${DJANGO_PO` cut mid-variable."""
    from tasks.triage.compose_dev import _cut

    long = "/app/docker/django/entrypoint.sh python3 manage.py runserver 0.0.0.0:${DJANGO_PORT:-8000} --noreload"
    assert _cut(long, 80) == "/app/docker/django/entrypoint.sh python3 manage.py runserver …"
    assert _cut("python manage.py runserver 0.0.0.0:8000", 80) == "python manage.py runserver 0.0.0.0:8000"


def test_a_user_line_is_not_offered_where_root_installed_the_packages_with_pip_user():
    """django-celery-beat's docker/base/Dockerfile installs with `pip3 install --user` as root (round 62's grader:
    after `USER 10001` python cannot import celery from /root/.local); an image that installs system-wide keeps the
    USER row."""
    from tasks.fixes.workload import checkov_harden

    base = "FROM python:3.12-slim\nWORKDIR /app\nCOPY . /app\nRUN pip3 install --user -r requirements.txt\nCMD [\"python3\", \"-m\", \"celery\"]\n"
    setting = "RUN useradd --system --uid 10001 app\nUSER 10001"
    why, *_ = checkov_harden("dockerfile", setting, "", base, "/docker/base/Dockerfile.", None)
    assert why and "pip install --user" in why, why
    why, *_ = checkov_harden("dockerfile", setting, "", base.replace(" --user", ""), "/docker/base/Dockerfile.", None)
    assert why is None or "--user" not in why, why


def test_a_kubernetes_env_password_is_learnt_and_redacted():
    """The attack on 218b6ed (an old leak): `- name: MYSQL_ROOT_PASSWORD` / `value: "mysql"` in a manifest was never
    learnt, so every prompt that quoted the manifest showed it; a non-secret env entry stays."""
    from tasks.findings.secrets import detect

    manifest = ("env:\n  - name: MYSQL_ROOT_PASSWORD\n    value: \"Xk9q2LmZ\"\n  - name: API_TOKEN\n    value: hunter22\n"
                "  - name: MYSQL_DATABASE\n    value: appdb\n")
    found = detect(manifest, "k8s/db.yaml")
    assert "Xk9q2LmZ" in found and "hunter22" in found and "appdb" not in found, found


def test_an_asserts_keyword_is_not_called_the_flagged_value(tmp_path):
    """The review of d86c950 (set 58's django-celery-beat): B101 on `assert str(IntervalSchedule(every=10,
    period='seconds')) == ...` was said to flag "the value `period=` of `IntervalSchedule()`"; B101 flags the assert."""
    from test_round45_rows import _reasons
    from test_triage_hygiene import finding

    code = "def test_a():\n    assert str(IntervalSchedule(every=10, period='seconds')) == 'every 10 seconds'\n"
    rec, said = _reasons(tmp_path / "b101", {"tests/test_a.py": code}, finding(
        tool="bandit", rule_id="B101", title="Use of assert detected.",
        location={"path": "tests/test_a.py", "start_line": 2, "end_line": 2}))
    assert rec["verdict"] == "false_positive" and "the flagged value is" not in said, said
