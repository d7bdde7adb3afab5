"""Triage round 4, JavaScript: a MongoDB $where fed by names bound to literals, and HTML sinks fed escaped text
or a number -- each with a case it flags and a case it leaves alone."""

from __future__ import annotations

import pytest
from test_triage_containers import Files  # a repository of a few files, as the source reader reads them

from tasks.triage.verdict import Judge


def finding(rule, line, path="public/js/app.js", title="t"):
    return {"id": "f" * 32, "tool": "semgrep", "kind": "code", "rule_id": rule, "title": title, "description": "",
            "location": {"path": path, "start_line": line, "end_line": line}, "package": None, "snippet": None,
            "aliases": [], "cve": [], "ghsa": [], "suppressed": False, "severity": "high"}


WHERE = "javascript.express.mongo.nosqli.where-injection"


def test_where_built_from_a_literal_on_the_lines_before_is_constant_data():
    code = ("function list(db, cb) {\n  const type = 'public';\n"
            "  db.collection('items').find({ $where: \"this.type == '\" + type + \"'\" }).toArray(cb);\n}\n")
    rec = Judge(reader=Files(code)).judge(finding(WHERE, 3, "app/data/items.js", "NoSQL injection via $where"))
    assert rec["verdict"] == "false_positive"
    assert "the $where value at app/data/items.js:3" in rec["reasons"][0]["evidence"] and "type (app/data/items.js:2)" in rec["reasons"][0]["evidence"]


def test_where_built_from_a_parameter_stays():
    code = ("function list(db, type, cb) {\n  const t = type;\n"
            "  db.collection('items').find({ $where: \"this.type == '\" + t + \"'\" }).toArray(cb);\n}\n")
    rec = Judge(reader=Files(code)).judge(finding(WHERE, 3, "app/data/items.js", "NoSQL injection via $where"))
    assert rec["verdict"] == "true_positive"


ESC = ("function escapeHtml(s) {\n  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');\n}\n"
       "function show(el, msg) {\n  el.innerHTML = '<b>' + escapeHtml(msg) + '</b>';\n}\n")
XSS = "javascript.browser.security.insecure-document-method.insecure-document-method"
XSS_TITLE = "User controlled data in methods like innerHTML is an anti-pattern that can lead to XSS"


@pytest.mark.parametrize("code,line,words", [
    (ESC, 5, "escapeHtml (defined at public/js/app.js:1, replaces & < >)"),
    ("function show(el, html) {\n  el.innerHTML = DOMPurify.sanitize(html);\n}\n", 2, "DOMPurify.sanitize"),
    ("const escape = require('escape-html');\nfunction f(el, m) {\n  const safe = escape(m);\n  el.innerHTML = `<p>${safe}</p>`;\n}\n",
     4, "from the escape-html package"),
])
def test_an_html_sink_fed_escaped_text(code, line, words):
    rec = Judge(reader=Files(code)).judge(finding(XSS, line, title=XSS_TITLE))
    assert rec["verdict"] == "false_positive"
    ev = rec["reasons"][0]["evidence"]
    lead = "sanitised before insertion" if words == "DOMPurify.sanitize" else "escaped before insertion"  # set 33
    assert ev.startswith(lead) and words in ev


def test_an_html_sink_fed_only_a_number_is_constant_data():
    code = "function count(el, items) {\n  el.innerHTML = parseInt(items.total, 10);\n}\n"
    rec = Judge(reader=Files(code)).judge(finding(XSS, 2, title=XSS_TITLE))
    assert rec["verdict"] == "false_positive" and "only a number (parseInt(…))" in rec["reasons"][0]["evidence"]


@pytest.mark.parametrize("code,line", [
    ("function show(el, msg) {\n  el.innerHTML = '<b>' + msg + '</b>';\n}\n", 2),  # not escaped
    # an 'escape' that does not replace < and >
    ("function escapeHtml(s) {\n  return s.replace(/\"/g, '&quot;');\n}\nfunction f(el, m) {\n  el.innerHTML = escapeHtml(m);\n}\n", 5),
    ("function f(el, m) {\n  el.innerHTML = escapeHtml(m);\n}\n", 2),  # defined nowhere, imported from no known package
    (ESC.replace("escapeHtml(msg) + '</b>'", "escapeHtml(msg) + msg"), 5),  # one part escaped, one not
])
def test_an_html_sink_fed_unescaped_text_stays(code, line):
    rec = Judge(reader=Files(code)).judge(finding(XSS, line, title=XSS_TITLE))
    assert rec["verdict"] == "true_positive"


# B113 in a script: the URL's host from a module-level constant, in an f-string or a sum
def _b113(code):
    from tasks.findings.model import as_finding
    from tasks.triage.robustness import check_timeout

    line = next(i for i, text in enumerate(code.splitlines(), 1) if "requests.get(" in text)
    f = as_finding({"id": "f" * 32, "tool": "bandit", "kind": "code", "rule_id": "B113", "title": "Call to requests without timeout",
                    "location": {"path": "scripts/sync.py", "start_line": line}})
    return check_timeout(f, Files(code))


@pytest.mark.parametrize("url", ['f"{BASE}/items/{x}"', 'BASE + "/items/" + x', 'f"{BASE}/items"'])
def test_b113_with_a_module_constant_host_in_a_script(url):
    code = f'import requests\nBASE = "https://api.example.org"\n\ndef main(x):\n    return requests.get({url})\n'
    ev = _b113(code)
    assert ev and "calls a fixed host (api.example.org)" in ev["evidence"] and "scripts/sync.py:5" in ev["evidence"]


@pytest.mark.parametrize("url", ['f"{BASE}{x}"', "BASE + x", 'f"{base}/items"'])
def test_b113_whose_host_can_still_change_stays(url):
    # BASE ends without a slash, so x could extend the host; base is a parameter
    code = f'import requests\nBASE = "https://api.example.org"\n\ndef main(x, base):\n    return requests.get({url})\n'
    assert _b113(code) is None


def test_b113_in_a_script_that_names_its_response_req():
    code = ('import requests\nURL = "https://api.example.org/v1/items"\n\ndef main():\n    req = requests.get(URL)\n'
            '    print(req.headers["etag"], req.json())\n')
    ev = _b113(code)
    assert ev and "calls a fixed host (api.example.org)" in ev["evidence"]
    # Flask's request read beside it: only the name bound to the response is renamed, so the file is a handler
    flask = code.replace("import requests\n", "import requests\nfrom flask import request\n").replace(
        "    print(", "    page = request.args.get('page')\n    print(")
    assert "which no request chooses" in _b113(flask)["evidence"]


def test_where_on_the_line_after_the_flagged_call():
    code = ("function list(db, cb) {\n  const type = 'public';\n  db.collection('items').find({\n"
            "    $where: \"this.type == '\" + type + \"'\"\n  }).toArray(cb);\n}\n")
    rec = Judge(reader=Files(code)).judge(finding(WHERE, 3, "app/data/items.js", "NoSQL injection via $where"))
    assert rec["verdict"] == "false_positive"
    rec = Judge(reader=Files(code.replace("const type = 'public';", "const type = cb.name;"))).judge(
        finding(WHERE, 3, "app/data/items.js", "NoSQL injection via $where"))
    assert rec["verdict"] == "true_positive"


@pytest.mark.parametrize("code,line", [
    # inside an attribute: an HTML escaper leaves javascript: URLs and (here) quotes alone
    (ESC.replace("'<b>' + escapeHtml(msg) + '</b>'", "'<a href=\"' + escapeHtml(msg) + '\">link</a>'"), 5),
    (ESC.replace("'<b>' + escapeHtml(msg) + '</b>'", "`<img src=${escapeHtml(msg)}>`"), 5),
    # replaces only the first < of the text
    ("function esc(s) {\n  return s.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;');\n}\n"
     "function f(el, m) {\n  el.innerHTML = esc(m);\n}\n", 5),
])
def test_an_escaper_in_an_attribute_or_that_replaces_once_stays(code, line):
    rec = Judge(reader=Files(code)).judge(finding(XSS, line, title=XSS_TITLE))
    assert rec["verdict"] == "true_positive"


def test_a_url_part_encoded_inside_an_attribute_and_text_after_a_closed_tag():
    code = ("function f(el, q, m) {\n  el.innerHTML = `<a href=\"/search?q=${encodeURIComponent(q)}\">` + "
            "DOMPurify.sanitize(m) + '</a>';\n}\n")
    rec = Judge(reader=Files(code)).judge(finding(XSS, 2, title=XSS_TITLE))
    assert rec["verdict"] == "false_positive" and "encodeURIComponent" in rec["reasons"][0]["evidence"]
