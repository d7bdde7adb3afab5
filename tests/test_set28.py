"""Checks from held-out set 28 (ihatemoney, etesync server, gramps-web-api, terraform-aws-kms), written after its
measurement, each with the neighbour that stays a finding."""

from __future__ import annotations

from test_triage_containers import Files, bandit_at, semgrep_at

UTILS = ('import jinja2\n\n\ndef create_jinja_env(folder, strict_rendering=False):\n'
         '    loader = jinja2.PackageLoader("ihatemoney", folder)\n    kwargs = {"loader": loader}\n'
         '    if strict_rendering:\n        kwargs["undefined"] = jinja2.StrictUndefined\n'
         '    return jinja2.Environment(**kwargs)\n')
MANAGE = ('from ihatemoney.utils import create_jinja_env\n\n\ndef generate_config(config_file):\n'
          '    env = create_jinja_env("conf-templates", strict_rendering=True)\n'
          '    print(env.get_template(f"{config_file}.j2").render())\n')
CONF = {"ihatemoney/conf-templates/nginx.conf.j2": "server {}\n", "ihatemoney/conf-templates/ihatemoney.cfg.j2": "X=1\n",
        "ihatemoney/conf-templates/gunicorn.conf.py.j2": "bind = 1\n"}


def test_a_jinja_environment_that_renders_only_config_files_escapes_nothing_worth_escaping():
    """ihatemoney's create_jinja_env (set 28): both labellers called it a false positive; autoescape=True was harmful."""
    from tasks.triage.jinja_config import check_jinja_config

    repo = Files({"ihatemoney/utils.py": UTILS, "ihatemoney/manage.py": MANAGE, **CONF})
    for rule in ("B701", "python.jinja2.security.audit.missing-autoescape-disabled",
                 "python.flask.security.xss.audit.direct-use-of-jinja2"):
        hit = check_jinja_config(bandit_at(rule, 9, "ihatemoney/utils.py"), repo, repo.files)
        assert hit and hit["evidence"].startswith(
            "no HTML is rendered: the Environment at ihatemoney/utils.py:9 loads its templates from "
            "ihatemoney/conf-templates (folder as every call passes it: `conf-templates` at ihatemoney/manage.py:5)")
        assert "gunicorn.conf.py.j2, ihatemoney.cfg.j2, nginx.conf.j2" in hit["evidence"]
    page = Files({"ihatemoney/utils.py": UTILS, "ihatemoney/manage.py": MANAGE, **CONF,
                  "ihatemoney/conf-templates/invite.html.j2": "<p>{{ name }}</p>\n"})
    assert check_jinja_config(bandit_at("B701", 9, "ihatemoney/utils.py"), page, page.files) is None  # one HTML template
    computed = Files({"ihatemoney/utils.py": UTILS, **CONF,
                      "ihatemoney/manage.py": MANAGE.replace('"conf-templates"', "folder_from_cli")})
    assert check_jinja_config(bandit_at("B701", 9, "ihatemoney/utils.py"), computed, computed.files) is None
    passed = Files({"ihatemoney/utils.py": UTILS, **CONF, "ihatemoney/manage.py": MANAGE + "FACTORY = create_jinja_env\n"})
    assert check_jinja_config(bandit_at("B701", 9, "ihatemoney/utils.py"), passed, passed.files) is None
    strings = Files({"ihatemoney/utils.py": UTILS, **CONF, "ihatemoney/manage.py": MANAGE
                     + "\n\ndef page(name):\n    return create_jinja_env('conf-templates').from_string('<p>{{ n }}</p>')\n"})
    assert check_jinja_config(bandit_at("B701", 9, "ihatemoney/utils.py"), strings, strings.files) is None
    assert check_jinja_config(bandit_at("B701", 9, "ihatemoney/utils.py"), Files({"ihatemoney/utils.py": UTILS}),
                              ["ihatemoney/utils.py"]) is None  # no caller: the folder is unknown


def test_a_jinja_environment_with_a_literal_folder_of_html_pages_stays_a_finding():
    from tasks.triage.jinja_config import check_jinja_config

    code = 'import jinja2\nENV = jinja2.Environment(loader=jinja2.FileSystemLoader("{}"))\n'
    conf = Files({"app/render.py": code.format("deploy/templates"), "deploy/templates/supervisord.conf.j2": "[x]\n"})
    hit = check_jinja_config(bandit_at("B701", 2, "app/render.py"), conf, conf.files)
    assert hit and "deploy/templates, which holds only configuration files (supervisord.conf.j2)" in hit["evidence"]
    web = Files({"app/render.py": code.format("templates"), "app/templates/index.html": "<p>{{ x }}</p>\n"})
    assert check_jinja_config(bandit_at("B701", 2, "app/render.py"), web, web.files) is None


def test_a_user_row_gives_the_user_what_the_build_ran_the_program_to_create():
    """etesync's docker/test-server/Dockerfile (set 28, harmful): `python manage.py migrate` at build time made the
    SQLite database under the /data volume and a 0600 secret file in /app as root; the row chowned only
    /data/static and /data/media."""
    from tasks.fixes.dockerfile_user import user_needs

    stage = ("FROM python:3.11.0-alpine\nCOPY . /app\nRUN set -ex ;\\\n    mkdir -p /data/static /data/media ;\\\n"
             "    cd /app\nRUN set -ex ;\\\n    cd /app ;\\\n    python manage.py migrate ;\\\n"
             "    python manage.py collectstatic --noinput\nVOLUME /data\nEXPOSE 3735\n"
             'ENTRYPOINT ["/app/docker/test-server/entrypoint.sh"]\n')
    block, note = user_needs(stage, "RUN adduser -D -u 10001 app\nUSER 10001")
    assert block == "RUN adduser -D -u 10001 app\nRUN chown -R 10001 /app\nRUN chown -R 10001 /data\nUSER 10001"
    assert "runs the program itself as root (`manage.py migrate`)" in note
    quiet = stage.replace("    python manage.py migrate ;\\\n    python manage.py collectstatic --noinput\n", "    true\n")
    block, note = user_needs(quiet, "RUN adduser -D -u 10001 app\nUSER 10001")  # the made folders, as their volume
    assert block == "RUN adduser -D -u 10001 app\nRUN chown -R 10001 /app\nRUN chown -R 10001 /data\nUSER 10001"
    assert "runs the program itself" not in note
    no_volume = quiet.replace("VOLUME /data\n", "")
    assert "RUN chown -R 10001 /data/static /data/media" in user_needs(no_volume, "RUN adduser -D -u 10001 app\nUSER 10001")[0]


def test_a_form_whose_macro_writes_the_flask_wtf_token_is_protected():
    """ihatemoney's home.html:50 `{{ forms.authenticate(auth_form, home=True) }}` (set 28, both labellers: the macro in
    forms.html writes `{{ form.hidden_tag() }}`); home.html extends layout.html, which imports forms.html."""
    from tasks.triage.template_forms import check_form_csrf

    t = "ihatemoney/templates/"
    home = ('{% extends "layout.html" %}\n{% block content %}\n<form action="/a" method="post">\n'
            '  {{ forms.authenticate(auth_form, home=True) }}\n  <button type="submit">Log in</button>\n</form>\n'
            '<form action="/b" method="post">\n  {{ forms.plain(other) }}\n</form>\n{% endblock %}\n')
    forms = ('{% macro plain(form) %}\n  {{ form.name }}\n{% endmacro %}\n\n'
             '{% macro authenticate(form, home=False) %}\n  {% include "display_errors.html" %}\n'
             '  {{ form.hidden_tag() }}\n  {{ form.id }}\n{% endmacro %}\n')
    repo = Files({t + "home.html": home, t + "layout.html": '{% import "forms.html" as forms %}\n<html></html>\n',
                  t + "forms.html": forms})
    f = {"id": "2" * 32, "tool": "semgrep", "kind": "code", "severity": "medium", "title": "t", "description": "d",
         "rule_id": "python.django.security.django-no-csrf-token.django-no-csrf-token",
         "location": {"path": t + "home.html", "start_line": 3, "end_line": 6}}
    hit = check_form_csrf(f, repo)
    assert hit and hit["evidence"].startswith(
        "the form sends a CSRF token: ihatemoney/templates/home.html line 4 calls the macro authenticate(), which "
        "ihatemoney/templates/forms.html:7 defines to write `{{ form.hidden_tag() }}`")
    assert check_form_csrf(f | {"location": {"path": t + "home.html", "start_line": 7, "end_line": 9}}, repo) is None


def test_safe_on_a_shipped_svg_icon_is_the_projects_own_markup():
    """ihatemoney's layout.html:69 `{{ static_include("images/globe.svg") | safe }}` (set 28, both labellers)."""
    from tasks.triage.safe_filter import check_safe_filter

    page = ('<i class="icon">{{ static_include("images/globe.svg") | safe }}</i>\n'
            '<i class="icon">{{ static_include("images/" + name) | safe }}</i>\n'
            '<i class="icon">{{ static_include("images/missing.svg") | safe }}</i>\n')
    repo = Files({"app/templates/layout.html": page, "app/static/images/globe.svg": '<svg viewBox="0 0 1 1"></svg>\n'})

    def at(line):
        return semgrep_at("python.flask.security.xss.audit.template-unescaped-with-safe.template-unescaped-with-safe",
                          "app/templates/layout.html", line)
    hit = check_safe_filter(at(1), repo)
    assert hit and 'inlines app/static/images/globe.svg, an SVG file the repository ships' in hit["evidence"]
    assert check_safe_filter(at(2), repo) is None and check_safe_filter(at(3), repo) is None


def test_a_redirect_to_the_referer_sends_the_user_back_where_they_came_from():
    """ihatemoney's web.py:596 `return redirect(request.headers.get("Referer") or url_for(".home"))` (set 28)."""
    from tasks.triage.redirect_target import check_redirect_target

    code = ('from flask import redirect, request, url_for\n\n\ndef logout():\n'
            '    return redirect(request.headers.get("Referer") or url_for(".home"))\n\n\ndef back():\n'
            '    return redirect(request.referrer)\n\n\ndef nxt():\n    return redirect(request.args.get("next") or request.referrer)\n')

    def at(line):
        return semgrep_at("python.flask.security.open-redirect.open-redirect", "app/web.py", line)
    hit = check_redirect_target(at(5), Files(code))
    assert hit and hit["evidence"].startswith('no open redirect an attacker can use: app/web.py:5 redirects to '
                                              '`request.headers.get(\'Referer\')`, the Referer header')
    assert check_redirect_target(at(9), Files(code))["status"] == "referer"
    assert check_redirect_target(at(13), Files(code)) is None  # `next` from the query string comes first


def test_a_module_named_by_the_django_settings_is_configuration():
    """etesync's sendfile/utils.py:22 `import_module(backend)`, `backend = getattr(settings, "SENDFILE_BACKEND", None)`."""
    from tasks.triage.settings_import import check_settings_import

    code = ('from importlib import import_module\n\nfrom django.conf import settings\n\n\ndef _get_sendfile():\n'
            '    backend = getattr(settings, "SENDFILE_BACKEND", None)\n    module = import_module(backend)\n'
            '    return module.sendfile\n\n\ndef load(request):\n    return import_module(request.GET["m"])\n\n\n'
            'def direct():\n    return import_module(settings.STORAGE.rsplit(".", 1)[0])\n\n\n'
            'def param(path):\n    return import_module(path)\n')

    def at(line):
        return semgrep_at("python.lang.security.audit.non-literal-import.non-literal-import", "app/sendfile.py", line)
    hit = check_settings_import(at(8), Files(code))
    assert hit and hit["evidence"].startswith("the module name is configuration, not request data: app/sendfile.py:8 "
                                              "imports the module the setting SENDFILE_BACKEND names through `backend` (line 7)")
    assert "the setting STORAGE names;" in check_settings_import(at(17), Files(code))["evidence"]
    assert check_settings_import(at(13), Files(code)) is None and check_settings_import(at(21), Files(code)) is None
    flask = code.replace("from django.conf import settings\n", "from myapp import settings\n")
    assert check_settings_import(at(8), Files(flask)) is None  # not Django's settings object
