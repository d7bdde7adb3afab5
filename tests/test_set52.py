"""Held-out set 52's misses (mediacms, flask-security, quokka, terraform-aws-vpn-gateway, terraform-aws-ssm-parameter)
and round 56's row defects, tuned after the measurement, each with the neighbour that stays a finding."""

from __future__ import annotations

from test_round45_rows import _reasons
from test_triage_hygiene import finding


def _sg(rule: str, path: str, line: int, tool: str = "semgrep", **kw):
    return finding(rule_id=rule, title=rule, tool=tool,
                   location={"path": path, "start_line": line, "end_line": kw.pop("end", line)}, **kw)


BODY = """<body>
  <% for (item of htmlWebpackPlugin.options.html.body.scripts) {
    %><script<% for (key in item) { %> <%= key %>="<%= item[key] %>"<% } %>></script><%
  } %>
  <script>
    ga('create','<%= htmlWebpackPlugin.options.googleAnalytics.trackingId %>','auto');
    var user = '<%= locals.user %>';
  </script>
</body>
"""


def test_an_html_webpack_plugin_template_is_filled_at_build_time(tmp_path):
    rule = "javascript.express.security.audit.xss.ejs.var-in-script-tag"
    files = {"frontend/templates/partials/body.ejs": BODY}
    for line in (3, 6):
        rec, said = _reasons(tmp_path / str(line), files, _sg(rule, "frontend/templates/partials/body.ejs", line))
        assert rec["verdict"] == "false_positive" and "html-webpack-plugin template" in said, said
    rec, said = _reasons(tmp_path / "x", files, _sg(rule, "frontend/templates/partials/body.ejs", 7))
    assert "html-webpack-plugin" not in said  # a value from elsewhere stays


THEME = """<a href="{{ SITEURL }}/{{ article.url }}">x</a>
<a href="{{ article.url }}">x</a>
<script type="text/javascript" src="{{ SITEURL }}/{{ THEME_STATIC_DIR }}/js/jquery.min.js"></script>
<script src="{{ article.script }}"></script>
"""


def test_a_static_sites_settings_url_fixes_the_scheme(tmp_path):
    """quokka's Pelican themes (set 52, both labellers: false positives)."""
    href = "generic.html-templates.security.var-in-href"
    script = "javascript.express.security.audit.xss.mustache.var-in-script-tag"
    files = {"themes/pure/templates/base.html": THEME}
    rec, said = _reasons(tmp_path / "a", files, _sg(href, "themes/pure/templates/base.html", 1))
    assert rec["verdict"] == "false_positive" and "`{{ SITEURL }}/`" in said, said
    rec, said = _reasons(tmp_path / "b", files, _sg(href, "themes/pure/templates/base.html", 2))
    assert "site's own address" not in said
    rec, said = _reasons(tmp_path / "c", files, _sg(script, "themes/pure/templates/base.html", 3))
    assert rec["verdict"] == "false_positive" and "src attribute" in said, said
    rec, said = _reasons(tmp_path / "d", files, _sg(script, "themes/pure/templates/base.html", 4))
    assert "src attribute" not in said


def test_a_script_src_from_url_for_of_literals(tmp_path):
    rule = "generic.html-templates.security.var-in-script-src"
    page = ("<script src=\"{{ url_for('.static', filename='js/base64.js') }}\"></script>\n"
            "<script src=\"{{ url_for('.static', filename=request.args.js) }}\"></script>\n")
    rec, said = _reasons(tmp_path / "a", {"flask_security/templates/security/wan_verify.html": page},
                         _sg(rule, "flask_security/templates/security/wan_verify.html", 1))
    assert rec["verdict"] == "false_positive", said


MARKERS = """// based on https://github.com/spchuang/videojs-markers

/*! videojs-markers - v1.0.1 - 2017-05-12 Copyright (c) 2017 ; Licensed  */
(function (global, factory) {
  define(['mediacms-player'], factory);
})(this, function (videojs) {
  function show(el, text) { el.innerHTML = text; }
});
"""


def test_a_library_the_project_changed_is_its_own_code(tmp_path):
    """mediacms's components/comments/videojs-markers.js (round 56, harmful: a .semgrepignore for a modified copy)."""
    from tasks.triage.paths import library_banner

    class Reader:
        def resolve(self, commit):
            return commit

        def lines(self, path, commit):
            return MARKERS.splitlines(True)

    assert library_banner("static/js/videojs-markers.js", None, Reader()) is None
    pristine = MARKERS.split("\n", 2)[2]
    Reader.lines = lambda self, path, commit: pristine.splitlines(True)
    assert "videojs-markers" in library_banner("static/js/videojs-markers.js", None, Reader())


def test_an_ie_conditional_comment_is_rendered(tmp_path):
    """quokka's clean theme (round 56): `<!--[if lt IE 9]> <script src=...>` loads in old IE; not a dead comment."""
    rule = "html.security.audit.missing-integrity"
    page = ("<head>\n<!--[if lt IE 9]>\n<script src=\"https://oss.maxcdn.com/html5shiv/3.7.0/html5shiv.js\"></script>\n"
            "<![endif]-->\n<!--\n<script src=\"https://cdn.example/x.js\"></script>\n-->\n</head>\n")
    rec, said = _reasons(tmp_path / "a", {"themes/clean/templates/base.html": page}, _sg(rule, "themes/clean/templates/base.html", 3))
    assert "commented out" not in said, said
    rec, said = _reasons(tmp_path / "b", {"themes/clean/templates/base.html": page}, _sg(rule, "themes/clean/templates/base.html", 6))
    assert "commented out" in said, said


PWNED = '''import hashlib
import urllib.request


def pwned(password):
    sha1 = hashlib.sha1(password.encode("utf8")).hexdigest()
    req = urllib.request.Request(url=f"https://api.pwnedpasswords.com/range/{sha1[:5].upper()}")
    with urllib.request.urlopen(req) as f:
        return sha1[5:].upper() in f.read().decode()


def store(user, password):
    user.hash = hashlib.sha1(password.encode()).hexdigest()
'''


def test_the_sha1_haveibeenpwned_takes(tmp_path):
    rec, said = _reasons(tmp_path / "a", {"flask_security/utils.py": PWNED}, _sg("B324", "flask_security/utils.py", 6, tool="bandit"))
    assert rec["verdict"] == "false_positive" and "HaveIBeenPwned's range API" in said, said
    rec, said = _reasons(tmp_path / "b", {"flask_security/utils.py": PWNED}, _sg("B324", "flask_security/utils.py", 13, tool="bandit"))
    assert rec["verdict"] != "false_positive"


def test_a_command_line_marker_is_quoted_whole():
    from tasks.triage.robustness import _program

    said = _program("import click\n\n\n@click.group()\ndef cli():\n    pass\n", "cli-tool/cli.py")
    assert "`@click.group()`" in said, said


def test_a_translated_literal_in_innerhtml(tmp_path):
    """mediacms's UpNextLoaderView (set 52, both labellers): `innerHTML = translateString('Up Next')`."""
    rule = "javascript.browser.security.insecure-document-method.insecure-document-method"
    title = ("User controlled data in methods like `innerHTML`, `outerHTML` or `document.write` is an anti-pattern that "
             "can lead to XSS vulnerabilities")
    view = ("export function view(el, item) {\n  el.label.innerHTML = translateString('Up Next');\n"
            "  el.title.innerHTML = item.title;\n}\n")
    rec, said = _reasons(tmp_path / "a", {"src/UpNextLoaderView.js": view}, dict(_sg(rule, "src/UpNextLoaderView.js", 2), title=title))
    assert rec["verdict"] == "false_positive" and "translateString('Up Next')" in said, said
    rec, said = _reasons(tmp_path / "b", {"src/UpNextLoaderView.js": view}, dict(_sg(rule, "src/UpNextLoaderView.js", 3), title=title))
    assert "translations of literal text" not in said


def test_a_minified_line_is_judged_by_the_matched_columns(tmp_path):
    """mediacms's static/js/search.js (round 56): the rule matched `n[t[0]](...t.slice(1))`, and the row quoted a
    `new Function('return this')` elsewhere on the 20,000-character line as the sink taking literals."""
    line = ("var g=new Function('return this')();" + "var x=1;" * 40 + "function log(n,t){return n[t[0]](...t.slice(1))}"
            + "var y=2;" * 40 + "\n")
    at = line.index("n[t[0]]") + 1
    f = finding(rule_id="javascript.lang.security.audit.unsafe-dynamic-method.unsafe-dynamic-method",
                title="Using non-static data to retrieve and run functions from the object is dangerous. If the data is "
                      "user-controlled, it may allow executing arbitrary code.", cwe=["CWE-94"],
                tool="semgrep", location={"path": "static/js/search.js", "start_line": 1, "end_line": 1},
                span={"line": 1, "start_col": at, "end_col": at + len("n[t[0]](...t.slice(1))")})
    files = {"static/js/search.js": line, "frontend/package.json": "{}\n"}  # the project builds its own bundle
    rec, said = _reasons(tmp_path, files, f)
    assert "new Function" not in said, said
    whole = dict(f, span=None)  # without the columns the whole line's calls still decide (unchanged)
    rec, said = _reasons(tmp_path / "b", files, whole)
    assert "new Function" in said, said


def test_html_webpack_plugin_template_code_tags(tmp_path):
    """body.ejs's `<% if (htmlWebpackPlugin.options.x) { %>` and `<% } %>` lines (set 52: six more findings)."""
    rule = "javascript.express.security.audit.xss.ejs.var-in-script-tag"
    page = ("<script>\n<% if (htmlWebpackPlugin.options.googleAnalytics.pageViewOnLoad) { %>\nga('send','pageview');\n"
            "<% } %>\n<% if (locals.user) { %>\n</script>\n")
    for line in (2, 4):
        rec, said = _reasons(tmp_path / str(line), {"templates/body.ejs": page}, _sg(rule, "templates/body.ejs", line))
        assert rec["verdict"] == "false_positive" and "html-webpack-plugin template" in said, said
    rec, said = _reasons(tmp_path / "x", {"templates/body.ejs": page}, _sg(rule, "templates/body.ejs", 5))
    assert "html-webpack-plugin" not in said


def test_a_b107_comment_above_a_multi_line_signature_says_where_the_value_is():
    """flask-security's authenticate( ... password="..." ...) (round 56): "on the next line" named the def line."""
    from fixes_helpers import finding as fix_finding

    from tasks.fixes.suppression_diff import suppression_diff

    snippet = ("11 \n12 def authenticate(\n13     username,\n14     password=\"swordfish\",\n15 ):\n"
               "16     return check(username, password)")
    f = fix_finding("code", "bandit", "B107", path="app/auth.py", start=12, snippet=snippet)
    rec = {"verdict": "false_positive", "reasons": [{"check": "path", "evidence": "the default at app/auth.py:12 is a test value"}]}
    made = suppression_diff(f, rec)
    assert made and "in the signature that starts on the next line" in made[0], made


def test_a_yarn_lock_the_build_never_reads_pins_nothing(tmp_path):
    """mediacms's frontend/ (round 56): yarn.lock beside package.json, but CI runs `npm install`, which ignores it."""
    from test_set46 import MANIFEST, YARN, _dep

    files = {"package.json": MANIFEST, "yarn.lock": YARN}
    rec, said = _reasons(tmp_path / "a", files, _dep("package.json", 5))
    assert "pinned by the committed lockfile" in said and "(yarn install --frozen-lockfile)" in said, said
    npm = dict(files, **{".github/workflows/build.yml": "jobs:\n  b:\n    steps:\n      - run: npm install\n"})
    rec, said = _reasons(tmp_path / "b", npm, _dep("package.json", 5))
    assert "pinned by the committed lockfile" not in said, said


def test_only_an_address_setting_fixes_the_scheme(tmp_path):
    """A capitalised name is not a setting by its case alone: `{{ NEXT_URL }}/x` may hold `javascript:alert(1)//`."""
    href = "generic.html-templates.security.var-in-href"
    page = '<a href="{{ NEXT_URL }}/{{ page }}">x</a>\n<a href="{{ SITE_URL }}/{{ page }}">x</a>\n'
    rec, said = _reasons(tmp_path / "a", {"templates/p.html": page}, _sg(href, "templates/p.html", 1))
    assert "site's own address" not in said
    rec, said = _reasons(tmp_path / "b", {"templates/p.html": page}, _sg(href, "templates/p.html", 2))
    assert "site's own address" in said


def test_a_request_built_with_a_url_keyword_keeps_its_fixed_scheme(tmp_path):
    """flask-security's pwned(): `urlopen(Request(url=f"https://api.pwnedpasswords.com/range/{h}"))` (round 56)."""
    code = ('import urllib.request\n\n\ndef pwned(h):\n    req = urllib.request.Request(\n'
            '        url=f"https://api.pwnedpasswords.com/range/{h}",\n        headers={"User-Agent": "x"},\n    )\n'
            '    with urllib.request.urlopen(req) as f:\n        return f.read()\n\n\n'
            'def fetch(u):\n    req = urllib.request.Request(url=u)\n    return urllib.request.urlopen(req).read()\n')
    rec, said = _reasons(tmp_path / "a", {"app/utils.py": code}, _sg("B310", "app/utils.py", 9, tool="bandit"))
    assert rec["verdict"] == "false_positive" and "scheme fixed" in said, said
    rec, said = _reasons(tmp_path / "b", {"app/utils.py": code}, _sg("B310", "app/utils.py", 15, tool="bandit"))
    assert "scheme fixed" not in said
