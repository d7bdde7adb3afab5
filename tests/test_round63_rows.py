"""Round 63's unclean rows (django-mptt, django-q, django-rq, django-money held out): each mend beside the neighbour
that stays as it was."""

from __future__ import annotations

from test_set57 import _judged

_NODE = '''from django import template
from django.utils.safestring import mark_safe


class RecurseTreeNode(template.Node):
    def _render_node(self, context, node):
        bits = []
        for child in node.get_children():
            bits.append(self._render_node(context, child))
        context["children"] = mark_safe("".join(bits))
        rendered = self.template_nodes.render(context)
        return rendered


class Loose(template.Node):
    def _render_node(self, context, node):
        bits = []
        bits.extend(node.names)
        return mark_safe("".join(bits))
'''

_ADMIN = '''from django.utils.encoding import force_str
from django.utils.safestring import mark_safe


def items_for_result(cl, result, form, field_name, value):
    if form and field_name in form.fields:
        bf = form[field_name]
        result_repr = mark_safe(force_str(bf.errors) + force_str(bf))
    other = mark_safe(force_str(value))
    return result_repr, other
'''


def test_mark_safe_of_what_the_template_engine_or_a_bound_field_rendered_is_escaped_already():
    """django-mptt's `mark_safe("".join(bits))` of `self.template_nodes.render(context)` output, and its admin's
    `mark_safe(force_str(bf.errors) + force_str(bf))` (Django admin's own line): both graders of round 63 called
    "true positive" wrong.  A list that is extended with other data, and a parameter's value, stay."""
    from tasks.triage.escaped_py import escaped_sink

    said = escaped_sink(_NODE, 10, "B308")
    assert said and said["evidence"].startswith("escaped before insertion: mark_safe() at line 10"), said
    assert "`self.template_nodes.render(context)`, the output of Django's template engine" in said["evidence"]
    assert escaped_sink(_NODE, 19, "B308") is None
    field = escaped_sink(_ADMIN, 8, "B703")
    assert field and ("`force_str(bf.errors)` and `force_str(bf)`, a bound field rendered through Django's form "
                      "templates, which escape its value (line 8)") in field["evidence"], field
    assert escaped_sink(_ADMIN, 9, "B703") is None
    source = ("from django.template import Context, Template, loader\nfrom django.utils.safestring import mark_safe\n\n\n"
              "def parse_template(value):\n    return mark_safe(Template(value).render(Context()))\n\n\n"
              "def card(ctx):\n    return mark_safe(loader.get_template('card.html').render(ctx))\n\n\n"
              "def chosen(name, ctx):\n    return mark_safe(loader.get_template(name).render(ctx))\n")
    assert escaped_sink(source, 6, "B703") is None  # round 64's harmful row: the template's own text is not escaped
    assert "`loader.get_template(...).render(...)`" in escaped_sink(source, 10, "B703")["evidence"]
    assert escaped_sink(source, 14, "B703") is None


def test_eval_of_a_built_dict_call_is_not_rewritten_to_literal_eval():
    """django-q's `kwargs = eval(f"dict({s.kwargs})")`: `ast.literal_eval` raises ValueError on the `dict(...)` call,
    so the round's fix broke every schedule with kwargs; the keywords are parsed instead, and the comprehension the
    row gives works on the text the scheduler stores.  A plain `eval(text)` keeps the literal_eval advice."""
    import ast  # noqa: F401 - the emitted line runs with it

    from tasks.fixes.line_fit import _code_injection

    text = _code_injection(['    kwargs = eval(f"dict({s.kwargs})")'], 10, 10)
    assert "literal_eval refuses calls" in text and "ast.literal_eval(f'dict" not in text, text
    line = next(x for x in text.splitlines() if x.startswith("kwargs = "))
    s = type("S", (), {"kwargs": "a=1, b='x'"})()
    scope = {"s": s, "ast": __import__("ast")}
    exec(line, scope)  # noqa: S102 - the emitted fix, run on the stored text
    assert scope["kwargs"] == {"a": 1, "b": "x"}
    other = _code_injection(['x = eval(f"build({a})")'], 1, 1)
    assert "call `build` directly" in other and "```" not in other
    assert "x = ast.literal_eval(text)" in _code_injection(["x = eval(text)"], 1, 1)


def test_a_singular_integration_test_folder_is_test_code():
    """django-rq's integration_test/_tests.py calls the gunicorn server its own setUp starts (both graders: test
    code); a feature named ab_test stays application code."""
    from tasks.triage.report_signals import is_test_path

    assert is_test_path("integration_test/_tests.py") and is_test_path("e2e_test/flows.py")
    assert not is_test_path("ab_test/views.py") and not is_test_path("app/latest/views.py")


_SIGNING = '''import pickle

from django_q import core_signing as signing


class SignedPackage:
    @staticmethod
    def loads(obj):
        return signing.loads(obj, key=Conf.SECRET_KEY, salt="q", serializer=PickleSerializer)


class PickleSerializer:
    @staticmethod
    def loads(data):
        return pickle.loads(data)
'''


def test_unpickling_inside_a_serializer_that_signing_checks_first_is_signed_data_only(tmp_path):
    """django-q's PickleSerializer.loads is called only by `signing.loads(..., serializer=PickleSerializer)`, which
    raises BadSignature before deserialising (round 63's grader: the row told the team to "verify an HMAC", which the
    code already does); the class also used directly in the file keeps the finding."""
    rec, said = _judged(tmp_path / "a", {"django_q/signing.py": _SIGNING}, "bandit", "B301",
                        "Pickle and modules that wrap it can be unsafe", "django_q/signing.py", 15, 15)
    assert rec["verdict"] == "false_positive"
    assert ("signed data only: the unpickling at django_q/signing.py:15 is PickleSerializer.loads(), the serializer "
            "this file hands to `signing.loads(..., serializer=PickleSerializer)` (line 9)") in said, said
    assert "with the key `Conf.SECRET_KEY`" in said
    literal = _SIGNING.replace('key=Conf.SECRET_KEY', 'key="Vq7Rm2Xk9Lp4Tz8N"')  # a key in the code: anyone can sign
    rec, said = _judged(tmp_path / "c", {"django_q/signing.py": literal}, "bandit", "B301",
                        "Pickle and modules that wrap it can be unsafe", "django_q/signing.py", 15, 15)
    assert "signed data only" not in said and "Vq7Rm2Xk9Lp4Tz8N" not in said
    loose = _SIGNING + "\n\ndef peek(blob):\n    return PickleSerializer.loads(blob)\n"
    rec, said = _judged(tmp_path / "b", {"django_q/signing.py": loose}, "bandit", "B301",
                        "Pickle and modules that wrap it can be unsafe", "django_q/signing.py", 15, 15)
    assert "signed data only" not in said


_METRICS = '''import prometheus_client
from django.http import HttpResponse


def prometheus_metrics(request):
    encoder, content_type = prometheus_client.exposition.choose_encoder(request.META.get("HTTP_ACCEPT", ""))
    registry = request.GET.getlist("name[]")
    return HttpResponse(encoder(registry), headers={"Content-Type": content_type})


def plain(request):
    return HttpResponse(request.GET["q"], content_type="text/plain")


def page(request):
    return HttpResponse(request.GET["q"], content_type="text/html")


def chosen(request):
    kind = request.GET["type"]
    return HttpResponse(request.GET["q"], content_type=kind)
'''


def test_a_response_that_declares_a_type_no_browser_renders_as_html_is_no_xss(tmp_path):
    """django-rq's Prometheus view (round 63's grader: "the response is Prometheus text"); a `text/plain` literal
    too; `text/html` and a type the request chooses keep the finding."""
    from tasks.triage.http_content_type import check_content_type
    from test_round45_rows import _repo
    from test_triage_hygiene import finding

    reader = _repo(tmp_path, {"django_rq/stats_views.py": _METRICS}).reader

    def said(line):
        f = finding(rule_id="python.django.security.audit.xss.direct-use-of-httpresponse",
                    location={"path": "django_rq/stats_views.py", "start_line": line, "end_line": line})
        return check_content_type(f, reader)

    assert "Prometheus' text exposition format" in said(8)["evidence"]
    assert "declares its Content-Type as `text/plain`" in said(12)["evidence"]
    assert said(16) is None and said(21) is None


_VIEWS = '''from django.http import HttpResponse


def worker_details(request, queue_index, key):
    worker = Worker.find_by_key(key)
    assert worker
    return HttpResponse(worker.name)


class Pool:
    def start(self):
        self._ready = True
        assert self._ready
'''


def test_an_assert_on_what_a_view_looked_up_from_its_url_is_no_internal_invariant(tmp_path):
    """django-rq's `worker = Worker.find_by_key(key, ...)`, `assert worker` in a view whose key comes from the URL
    (round 63's grader: an unknown key gives a 500; it is input validation); an object's own state stays an
    invariant."""
    from tasks.triage.assert_use import check_assert_use
    from test_round45_rows import _repo
    from test_triage_hygiene import finding

    reader = _repo(tmp_path, {"django_rq/views.py": _VIEWS}).reader

    def said(line):
        return check_assert_use(finding(tool="bandit", rule_id="B101", title="Use of assert detected.",
                                        location={"path": "django_rq/views.py", "start_line": line, "end_line": line}),
                                reader)

    assert said(6) is None
    assert "an internal invariant" in said(13)["evidence"]


def test_a_one_character_test_password_is_a_test_credential_not_none(tmp_path):
    """django-mptt's `self.client.login(username=..., password="p")` after `create_superuser(..., "p")`: the row said
    "no hardcoded credential" (round 63's grader: it is the test superuser's password); outside tests a single
    character keeps its old reading."""
    code = ('class T:\n    def setUp(self):\n        self.user = User.objects.create_superuser("admin", "a@example.com", "p")\n'
            '        self.client.login(username=self.user.username, password="p")\n')
    from tasks.findings.parsers.finalise import finalise
    from test_review_750 import _bandit
    from test_round45_rows import _reasons

    def said(path, tmp):
        snippet = "".join(f"{n} {t}\n" for n, t in enumerate(code.splitlines(), 1))
        f = finalise(_bandit("B106", path, 4, "Possible hardcoded password: 'p'", 4, snippet))
        assert f["secret_evidence"]["match"] == "a single character"
        return _reasons(tmp, {path: code}, f)

    rec, text = said("tests/myapp/tests.py", tmp_path / "a")
    assert rec["verdict"] == "false_positive"
    assert "a test credential, not a secret" in text and "no hardcoded credential" not in text, text
    rec, text = said("app/client.py", tmp_path / "b")
    assert "no hardcoded credential" in text, text


def test_a_fixed_sql_function_no_longer_claims_expressions_become_query_parameters(tmp_path):
    """round 63's grader: "Django compiles the expressions ... as query parameters, never as text" is false - a
    subquery's SQL is text the compiler writes; only values are bound."""
    code = ("from django.db.models import Func\n\n\nclass Round(Func):\n    function = 'ROUND'\n"
            "    template = '%(function)s(%(expressions)s, 0)'\n")
    rec, said = _judged(tmp_path, {"app/funcs.py": code}, "semgrep",
                        "python.django.security.audit.extends-custom-expression", "t", "app/funcs.py", 4, 6)
    assert "never as text" not in said
    assert "the SQL Django's compiler writes for the expressions it is given, with their values passed as query " \
           "parameters" in said, said
