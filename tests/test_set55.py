"""Held-out set 55's misses and row defects (jazzband/django-silk, lektor/lektor, django-cms/django-filer,
pennersr/django-allauth, terraform-aws-global-accelerator), each beside the neighbour that stays as it was."""

from __future__ import annotations

from test_triage_constant_data import _repo
from test_triage_hygiene import finding

_FOLDER = ("from django.urls import reverse\n\n\nclass Folder:\n    def get_admin_directory_listing_url_path(self):\n"
           "        return reverse('admin:filer-directory_listing', args=(self.id,))\n\n\nclass Root:\n"
           "    def get_admin_directory_listing_url_path(self):\n        return reverse('admin:filer-directory_listing-root')\n")
_LISTING = ('{% load i18n %}\n{% url \'admin:jsi18n\' as jsi18nurl %}\n'
            '<script type="text/javascript" src="{{ jsi18nurl|default:\'../../jsi18n/\' }}"></script>\n'
            '<a href="{{ folder.get_admin_directory_listing_url_path }}{% filer_admin_context_url_params %}">x</a>\n')


def _judge(tmp_path, name, files, rule, line):
    judge = _repo(tmp_path / name, files)
    rec = judge.judge(finding(tool="semgrep", rule_id=rule, title=rule,
                              location={"path": "filer/templates/listing.html", "start_line": line, "end_line": line}))
    return rec, " | ".join(r["evidence"] for r in rec["reasons"])


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
