"""Checks from held-out set 22 (calibre-web, OctoPrint, paperless-ngx, terraform-aws-cloudfront), written after its
measurement: each flags its case and leaves the neighbour that is a finding alone."""

from __future__ import annotations

import pytest
from test_triage_containers import Files

from tasks.triage.file_mode import check_file_mode
from tasks.triage.jquery_dom import check_jquery_dom
from tasks.triage.paths import is_library
from tasks.triage.verdict import Judge

AUDIT = "tmp.rules.javascript.jquery.security.audit."
JS = """function save(viewModel, event) {
    var target = $(event.target);
    target.prepend('<i class="fa fa-spinner"></i> ');
}
function folders(selectPathElement, folders) {
    folders.forEach((folder) => {
        const element = $("<option></option>").text(folder).val(folder);
        selectPathElement.append(element);
    });
    $("#list").append($("#second").contents());
}
function isEmpty($element) { return $.trim($element.html()) === ''; }
function show(data, name) {
    $("#meta").append('<b>' + data.name + '</b>');
    const link = $("<a></a>").attr("href", data.url);
    $("#links").append(link);
    $(name).remove();
}
"""


def _semgrep(rule: str, line: int, path: str = "static/js/app.js") -> dict:
    return {"id": "3" * 32, "tool": "semgrep", "kind": "code", "severity": "low", "rule_id": rule, "title": rule,
            "description": "d", "location": {"path": path, "start_line": line, "end_line": line}}


@pytest.mark.parametrize("rule, line, said", [
    ("jquery-insecure-selector", 2, "`event.target`, a DOM element"),
    ("jquery-insecure-method", 8, "`element`, set on line 7 to `$(\"<option></option>\").text(folder).val(folder)`"),
    ("jquery-insecure-method", 10, "`$(\"#second\").contents()`, existing nodes of the page"),
    ("prohibit-jquery-html", 12, "reads the element's HTML and writes none"),
])
def test_a_jquery_call_that_parses_no_text_as_html(rule, line, said):
    hit = check_jquery_dom(_semgrep(AUDIT + rule, line), Files(JS))
    assert hit and said in hit["evidence"], hit
    assert Judge(reader=Files(JS)).judge(_semgrep(AUDIT + rule, line))["verdict"] == "false_positive"


@pytest.mark.parametrize("rule, line", [("jquery-insecure-method", 14), ("jquery-insecure-method", 16),
                                        ("jquery-insecure-selector", 17)])
def test_a_jquery_call_with_a_string_a_url_attribute_or_a_parameter_stays(rule, line):
    assert check_jquery_dom(_semgrep(AUDIT + rule, line), Files(JS)) is None


def test_a_copied_release_in_a_served_folder_is_a_library_and_a_node_lib_folder_is_not():
    assert is_library("cps/static/js/libs/bar-ui.js") and is_library("cps/static/js/libs/wysihtml5-0.0.3.js")
    assert is_library("static/js/select2-4.0.13.min.js")
    assert not is_library("lib/server.js") and not is_library("src/lib/util.js") and not is_library("cps/static/js/main.js")


def test_chmod_with_no_bits_for_others_is_group_only_access():
    code = "import os\n\n\ndef serve(sock):\n    os.chmod(sock, 0o660)\n    os.chmod(sock + '.pub', 0o664)\n    os.chmod(sock, MODE)\n"
    b103 = {"id": "2" * 32, "tool": "bandit", "kind": "code", "severity": "medium", "rule_id": "B103", "title": "B103",
            "description": "d", "location": {"path": "cps/server.py", "start_line": 5, "end_line": 5}}
    hit = check_file_mode(b103, Files(code))
    assert hit and "sets 0o660, whose last digit is 0" in hit["evidence"]
    for line in (6, 7):  # readable by others; a mode the line does not spell out
        assert check_file_mode(dict(b103, location={"path": "cps/server.py", "start_line": line, "end_line": line}), Files(code)) is None


def test_a_compatibility_rule_is_no_security_rule():
    rule = "python.lang.compatibility.python37.python37-compatibility-importlib2"
    f = _semgrep(rule, 3, "src/paperless/parsers/tesseract.py")
    rec = Judge(reader=Files("import os\nimport re\nimport importlib.resources\n")).judge(f)
    assert rec["verdict"] == "false_positive" and "belongs to the compatibility group" in rec["reasons"][0]["evidence"]
