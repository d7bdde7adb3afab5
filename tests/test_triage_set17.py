"""Checks from held-out set 17 (django-oscar, taiga-back, etherpad-lite, HedgeDoc, terraform-aws-lambda): each
flags its case and leaves the risky neighbour alone."""

from __future__ import annotations

from repo_reader import FilesReader

from tasks.triage.constant_names import constant_sink
from tasks.triage.context import path_class
from tasks.triage.log_format import check_log_format
from tasks.triage.paths import library_banner
from tasks.triage.stage_base import check_stage_base
from tasks.triage.subprocess_argv import check_subprocess_argv


def _f(tool: str, rule: str, path: str, line: int, kind: str = "code") -> dict:
    return {"id": "7" * 32, "tool": tool, "rule_id": rule, "kind": kind, "severity": "medium", "title": rule,
            "description": "d", "location": {"path": path, "start_line": line, "end_line": line}}


AUDIT = "python.lang.security.audit.dangerous-subprocess-use-audit.dangerous-subprocess-use-audit"
PACKAGE = """import argparse
import subprocess


def build(cmd, image):
    subprocess.check_call(docker_run_command(".", cmd, image=image, shell=True))


def run_script(script):
    p = subprocess.Popen(script, shell=True)


if __name__ == "__main__":
    argparse.ArgumentParser().parse_args()
"""


def test_semgreps_subprocess_audit_in_a_command_line_program_is_the_operators_own_command():
    reader = FilesReader({"package.py": PACKAGE})
    hit = check_subprocess_argv(_f("semgrep", AUDIT, "package.py", 6), reader)
    assert hit["status"] == "command_line_program" and "package.py:6" in hit["evidence"]
    assert "Semgrep's audit rule" in hit["evidence"] and "B603" not in hit["evidence"]
    assert check_subprocess_argv(_f("semgrep", AUDIT, "package.py", 10), reader) is None  # shell=True on the call itself
    web = PACKAGE.replace("def build(cmd, image):", "@app.route('/b')\ndef build(cmd, image):")
    assert check_subprocess_argv(_f("semgrep", AUDIT, "package.py", 7), FilesReader({"package.py": web})) is None
    assert check_subprocess_argv(_f("semgrep", "python.lang.security.audit.other", "package.py", 6), reader) is None


def test_a_library_kept_as_typescript_is_known_by_its_banner():
    head = "// @ts-nocheck\n/*!\n * jQuery JavaScript Library v3.7.1\n * https://jquery.com/\n *\n * Released under the MIT license\n */\n"
    reader = FilesReader({"src/static/js/vendors/jquery.ts": head + "(function(){})();\n"})
    assert "jQuery JavaScript Library 3.7.1" in library_banner("src/static/js/vendors/jquery.ts", None, reader)
    assert library_banner("src/app/jquery.ts", None, FilesReader({"src/app/jquery.ts": head})) is None  # no web-asset folder
    assert path_class("src/static/js/pad.ts") is None


EXTRA = '''def attach(queryset, as_field="x"):
    model = queryset.model
    sql = """SELECT count(*) FROM t WHERE t.project_id = {tbl}.id"""
    sql = sql.format(tbl=model._meta.db_table)
    return queryset.extra(select={as_field: sql})


def search(queryset, request):
    sql = "SELECT 1 FROM t WHERE name = '%s'" % request.GET["q"]
    return queryset.extra(where=[sql])
'''


def test_sql_formatted_with_the_models_own_table_name_is_constant_data():
    hit = constant_sink(EXTRA, 5, "taiga/projects/utils.py")
    assert hit and "`model._meta.db_table`" in hit and "queryset.extra() at line 5" in hit
    assert constant_sink(EXTRA, 10, "taiga/projects/utils.py") is None  # request data in the where= text


FORMAT = "javascript.lang.security.audit.unsafe-formatstring.unsafe-formatstring"


def test_a_format_string_that_only_formats_a_log_line_is_no_weakness():
    src = "function f(file, e) {\n  console.error(`Error in ${file}:`, e);\n  res.send(util.format(`${file} %s`, e));\n}\n"
    reader = FilesReader({"src/node/utils/Minify.ts": src})
    hit = check_log_format(_f("semgrep", FORMAT, "src/node/utils/Minify.ts", 2), reader)
    assert hit and "console.error()" in hit["evidence"] and "Minify.ts:2" in hit["evidence"]
    assert check_log_format(_f("semgrep", FORMAT, "src/node/utils/Minify.ts", 3), reader) is None  # a response


DOCKERFILE = """ARG BUILD_ENV=git
FROM node:22-alpine AS build
RUN npm ci
FROM build AS build_git
COPY .git .git
FROM build AS build_copy
FROM build_${BUILD_ENV} AS development
FROM ${BASE} AS other
"""


def test_a_from_that_names_an_earlier_stage_through_an_argument_has_no_tag_to_pin():
    reader = FilesReader({"Dockerfile": DOCKERFILE})
    hit = check_stage_base(_f("checkov", "CKV_DOCKER_7", "Dockerfile", 7, "config"), reader)
    assert hit and "build_git, line 4" in hit["evidence"] and "build_copy, build_git" in hit["evidence"]
    assert "BUILD_ENV=git" in hit["evidence"]
    assert check_stage_base(_f("checkov", "CKV_DOCKER_7", "Dockerfile", 8, "config"), reader) is None  # no default
    assert check_stage_base(_f("checkov", "CKV_DOCKER_7", "Dockerfile", 2, "config"), reader) is None  # an image


def test_mark_safe_of_a_translated_literal_or_of_counts_carries_no_markup_from_outside():
    from tasks.triage.escaped_py import escaped_sink

    src = ('from django.utils.translation import gettext_lazy as _\nSEPARATOR = " / "\n\n\n'
           'def header(self):\n    return mark_safe(_("Number of child categories"))\n\n\n'
           'def members(self, obj):\n    total = obj.memberships.all().count()\n    pending = obj.memberships.filter(user=None).count()\n'
           '    accepted = total - pending\n    return mark_safe(f"{total}{SEPARATOR}<i>{accepted} accepted</i>")\n\n\n'
           'def title(self, obj):\n    return mark_safe(_(obj.name))\n\n\n'
           'def mixed(self, obj):\n    n = obj.items.count()\n    return mark_safe(f"{n} {obj.name}")\n')
    hit = escaped_sink(src, 6, "avoid-mark-safe")
    assert hit and "translated literal" in hit["evidence"] and "line 6" in hit["evidence"]
    # round 28: nothing is escaped here, and a translation is no number
    assert hit["evidence"].startswith("constant data:") and "(the project's own translation catalogue: no markup" in hit["evidence"]
    hit = escaped_sink(src, 13, "avoid-mark-safe")
    assert hit and "`obj.memberships.all().count()`" in hit["evidence"] and "(a number: no markup from outside)" in hit["evidence"]
    assert escaped_sink(src, 17, "avoid-mark-safe") is None  # a translation of data: the data is the message id
    assert escaped_sink(src, 22, "avoid-mark-safe") is None  # a count beside a model's name


def test_a_scanner_fix_that_calls_an_unimported_module_or_renames_a_stored_digest_is_refused():
    """Round 22's harmful stage-2 rows: semgrep's use-defusedcsv autofix without the import (NameError on every
    export) and its SHA-1 -> SHA-256 swap of a file fingerprint kept in a 40-character `sha1` field."""
    from tasks.fixes.scanner_fixes import review

    why, _ = review("csv-injection", ["    w = csv.writer(f)"], ["    w = defusedcsv.writer(f)"], "import csv\n\ndef f():\n    w = csv.writer(f)\n")
    assert why and "`defusedcsv.writer`" in why and "NameError" in why
    assert review("csv-injection", ["    w = csv.writer(f)"], ["    w = defusedcsv.writer(f)"], "import defusedcsv\nimport csv\n")[0] is None
    # round 28's harmful row (bookwyrm's isbn.py): a dotted chain into the unimported module is the same NameError
    isbn = "from xml.etree import ElementTree\n\ntree = ElementTree.parse(path)\n"
    why, _ = review(None, ["tree = ElementTree.parse(path)"], ["tree = defusedxml.etree.ElementTree.parse(path)"], isbn)
    assert why and "`defusedxml.etree.ElementTree.parse`" in why and "does not import `defusedxml`" in why
    code = "    def _generate_sha1(self):\n        hasher = hashlib.sha1()\n"
    why, _ = review("weak-hash", ["        hasher = hashlib.sha1()"], ["        hasher = hashlib.sha256()"], code)
    assert why and "`_generate_sha1`" in why
    plain = "    def sign(self, data):\n        hasher = hashlib.sha1()\n"
    assert review("weak-hash", ["        hasher = hashlib.sha1()"], ["        hasher = hashlib.sha256()"], plain)[0] is None


def test_the_defusedxml_import_swap_is_refused_where_the_file_builds_xml_with_that_module():
    from tasks.fixes.xml_build import builds_xml

    text = "from xml.etree import ElementTree as etree\n\n\ndef link(u):\n    el = etree.Element('a')\n    return el\n"
    assert builds_xml("from xml.etree import ElementTree as etree", text) == "etree.Element (line 5)"
    parse = "import xml.etree.ElementTree as ET\n\ndef read(s):\n    return ET.fromstring(s)  # ET.Element( in a comment\n"
    assert builds_xml("import xml.etree.ElementTree as ET", parse) is None
    assert builds_xml("import json", text) is None
    # round 28's harmful row (bookwyrm's isni.py): only a type hint names ET.Element, and defusedxml has none
    hints = "import xml.etree.ElementTree as ET\n\n\ndef first(root: ET.Element) -> ET.Element:\n    return ET.fromstring('<a/>')\n"
    assert builds_xml("import xml.etree.ElementTree as ET", hints) == "ET.Element (line 4)"


def test_the_xml_building_call_is_named_at_its_file_line_and_under_the_name_the_import_binds():
    from tasks.fixes.xml_build import builds_xml

    snippet = "from xml.etree import cElementTree\n\nel = cElementTree.SubElement(root, 'a')\n"
    assert builds_xml("from xml.etree import cElementTree", snippet, 40) == "cElementTree.SubElement (line 42)"
    assert builds_xml("from xml.etree import cElementTree", snippet.replace("cElementTree.", "ElementTree.")) is None
