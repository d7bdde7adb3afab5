"""A hostile review of set 48's checks and speed changes: each test is a real weakness (or a leaked secret, a false fact,
a hang) that the change marks harmless, states wrongly, or introduces.  Every test fails against the change as written."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from test_round45_rows import _reasons
from test_triage_hygiene import finding

ROOT = Path(__file__).resolve().parents[1]


def _sg(rule: str, path: str, line: int, **kw):
    return finding(rule_id=f"go.lang.security.{rule}" if path.endswith(".go") else rule, title=rule,
                   location={"path": path, "start_line": line, "end_line": kw.pop("end", line)}, **kw)


def _finishes(script: str, seconds: int) -> subprocess.CompletedProcess | None:
    """Run ``script`` in a fresh interpreter (the project on its path); None when it is still running after ``seconds``
    (a regular expression backtracking in C cannot be interrupted in-process)."""
    try:
        return subprocess.run([sys.executable, "-c", textwrap.dedent(script)], cwd=ROOT, capture_output=True, text=True,
                              timeout=seconds, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    except subprocess.TimeoutExpired:
        return None


# 1. own_markup: the template the line starts is only part of what reaches innerHTML
TOAST = """export function notify(message) {
  const uniqueId = "toast_" + randomString();
  const box = document.getElementById("toasts");
  box.innerHTML = `<div id="${uniqueId}" class="toast">` + message + `</div>`;
  box.innerHTML = window.location.hash ? `<b id="${uniqueId}">hi</b>` : decodeURIComponent(window.location.hash);
}
"""


def test_innerhtml_of_a_constant_template_concatenated_with_a_parameter_is_not_own_markup(tmp_path):
    """`box.innerHTML = `<div id="${uniqueId}">` + message + ...`: the check looks at the first template literal on the
    line, finds only the generated id in it, and calls the whole assignment "the code's own markup" - but `message`
    (a parameter) and the URL fragment go into innerHTML unescaped: DOM XSS."""
    rule = "javascript.browser.security.insecure-innerhtml"
    for line in (4, 5):
        rec, said = _reasons(tmp_path / str(line), {"ui/toast.js": TOAST}, _sg(rule, "ui/toast.js", line))
        assert "the code's own markup" not in said, (line, said)


# 2. constant_key (constant_js): a closure that rebinds the key is not looked at
KEYS = """function update(req, res, user) {
  let field = 'name'
  Object.keys(req.body).forEach((k) => { field = k })
  user[field] = req.body[field]
}
"""


def test_a_key_that_a_callback_rebinds_from_the_request_is_not_constant(tmp_path):
    """`let field = 'name'` and then `forEach((k) => { field = k })` over `req.body`'s keys: the key is the client's
    (`__proto__` pollutes every object), but bindings() skips nested functions, so only `'name'` is seen."""
    rule = "javascript.express.security.audit.remote-property-injection"
    rec, said = _reasons(tmp_path, {"server/c.js": KEYS}, _sg(rule, "server/c.js", 4))
    assert "a constant key" not in said, said


# 3-5. go_url_copy
GO_URL = """package server

import (
\t"cmp"
\t"net/http"
\t"net/url"
)

var base *url.URL

func redirect(w http.ResponseWriter, r *http.Request) {
\tif base == nil {
\t\tbase = &url.URL{Scheme: "https"}
\t}
\tbase.Host = r.Host
\thttp.Redirect(w, r, base.String(), 302)
}

var fallback = &url.URL{Scheme: "https", Host: "example.org"}

func pick(w http.ResponseWriter, r *http.Request) {
\tu := cmp.Or(r.URL, fallback.JoinPath("/"))
\tu.Host = "example.org"
\thttp.Redirect(w, r, u.String(), 302)
}

func pair(w http.ResponseWriter, r *http.Request) {
\tn, u := 0, &url.URL{}
\tu.Host = "example.org"
\t_ = n
}
"""


def test_a_package_level_url_the_handler_fills_once_is_shared_not_a_copy(tmp_path):
    """`var base *url.URL` made once by the first request and then written by every request: the one URL all
    concurrent handlers share (a data race; one client's Host in another's redirect).  The check takes the assignment
    `base = &url.URL{...}` inside the function for a local copy."""
    rec, said = _reasons(tmp_path, {"server/h.go": GO_URL}, _sg("shared-url-struct-mutation", "server/h.go", 15))
    assert "a URL this function made" not in said, said


def test_a_url_that_only_mentions_joinpath_in_an_argument_is_not_fresh(tmp_path):
    """`u := cmp.Or(r.URL, fallback.JoinPath("/"))` is the request's own r.URL whenever it is set; `_FRESH.search`
    finds `.JoinPath(` anywhere in the expression and calls it a new URL."""
    rec, said = _reasons(tmp_path, {"server/h.go": GO_URL}, _sg("shared-url-struct-mutation", "server/h.go", 23))
    assert "a URL this function made" not in said, said


def test_the_binding_named_in_the_evidence_is_the_binding(tmp_path):
    """`n, u := 0, &url.URL{}` is fresh, but the evidence says u was "bound on line 29 by `u.Host = "example.org"`",
    the flagged mutation itself (the first statement whose text starts with `u`)."""
    rec, said = _reasons(tmp_path, {"server/h.go": GO_URL}, _sg("shared-url-struct-mutation", "server/h.go", 29))
    assert "by `u.Host" not in said, said


# 6-7. go_escaped_html
GO_HTML = """package server

import (
\t"fmt"
\t"html"
\t"html/template"
\t"github.com/microcosm-cc/bluemonday"
)

func caption(title string, body []byte) template.HTML {
\treturn template.HTML(html.EscapeString(title) + "<br>" + string(body))
}

func card(header, body string) template.HTML {
\treturn template.HTML(header + bluemonday.UGCPolicy().Sanitize(body))
}

func link(target string) template.HTML {
\treturn template.HTML(fmt.Sprintf("<a href=\\"%s\\">open</a>", html.EscapeString(target)))
}

func img(src string) template.HTML {
\treturn template.HTML(fmt.Sprintf("<img src=%s>", html.EscapeString(src)))
}
"""


def test_escaped_text_concatenated_with_raw_text_is_not_escaped(tmp_path):
    """`template.HTML(html.EscapeString(title) + "<br>" + string(body))`: `body` is raw; the check's patterns match the
    expression's start (`^html\\.EscapeString\\(.*\\)$`) or any bluemonday call inside it, not the whole value."""
    rule = "audit.xss.unsafe-template-type"
    for line in (11, 15):
        rec, said = _reasons(tmp_path / str(line), {"server/h.go": GO_HTML}, _sg(rule, "server/h.go", line))
        assert "escaped before the conversion" not in said, (line, said)


def test_html_escaping_does_not_make_a_url_or_an_unquoted_attribute_safe(tmp_path):
    """html.EscapeString leaves `javascript:alert(document.cookie)` as it is (an href runs it) and leaves spaces and `=`
    (`<img src=x onerror=alert(1)>`): escaped text is safe markup only as element text or a quoted attribute that is
    not a URL, and the check accepts any literal Sprintf format."""
    rule = "audit.xss.unsafe-template-type"
    for line in (19, 23):
        rec, said = _reasons(tmp_path / str(line), {"server/h.go": GO_HTML}, _sg(rule, "server/h.go", line))
        assert "escaped before the conversion" not in said, (line, said)


# 8-9. go_opt_in
def _profiler_files():
    from test_set48 import CMD, SERVER
    return SERVER, CMD


def test_a_negated_disable_option_is_on_by_default(tmp_path):
    """`profilerEnabled: !c.Bool("no-profiler")`: the profiler listens on :6060 unless the operator passes
    --no-profiler, the opposite of what the evidence says ("off unless the operator turns it on")."""
    server, _ = _profiler_files()
    server = server.replace("func EnableProfiler() func(*Server) {\n\treturn func(s *Server) {\n\t\ts.profilerEnabled = true"
                            "\n\t}\n}\n", "func New(c *cli.Context) *Server {\n\treturn &Server{\n\t\tprofilerEnabled: "
                            "!c.Bool(\"no-profiler\"),\n\t}\n}\n")
    cmd = 'package cmd\n\nvar flags = []cli.Flag{\n\t&cli.BoolFlag{\n\t\tName:  "no-profiler",\n\t\tUsage: "disable the profiler",\n\t},\n}\n'
    rec, said = _reasons(tmp_path, {"server/server.go": server, "cmd/cmd.go": cmd},
                         _sg("audit.net.pprof-debug-exposure", "server/server.go", 21))
    assert "off unless the operator" not in said, said


def test_an_option_whose_default_is_set_before_its_name_is_on_by_default(tmp_path):
    """`&cli.BoolFlag{Value: true, Name: "profiler"}`: on by default; the check only looks for `Value: true` in the six
    lines from `Name:` on, so a field order gofmt allows hides the default."""
    server, cmd = _profiler_files()
    cmd = cmd.replace('\t\tName:  "profiler",', '\t\tValue: true,\n\t\tName:  "profiler",')
    rec, said = _reasons(tmp_path, {"server/server.go": server, "cmd/cmd.go": cmd},
                         _sg("audit.net.pprof-debug-exposure", "server/server.go", 21))
    assert "off unless the operator" not in said, said


# 10. secret_names: PWD is ODBC's password
ODBC = '''import pyodbc


def connect():
    return pyodbc.connect(
        DRIVER="{ODBC Driver 18 for SQL Server}",
        SERVER="sql.internal",
        UID="reporting",
        PWD="kT3m/9xQe+Lw2Zp8",
    )
'''


def test_an_odbc_pwd_keyword_holding_a_slashed_password_is_no_folder(tmp_path):
    """pyodbc's `PWD=` (the ODBC connection attribute) is the password; a generated password holding `/` and `+` (base64)
    matches the check's path pattern, and the row says "a folder, not a credential" (the base tree: a finding)."""
    f = finding(tool="bandit", rule_id="B106", title="Possible hardcoded password: 'kT3m/9xQe+Lw2Zp8'",
                location={"path": "app/db.py", "start_line": 9, "end_line": 9})
    rec, said = _reasons(tmp_path, {"app/db.py": ODBC}, f)
    assert "a folder, not a credential" not in said, said
    assert rec["verdict"] != "false_positive", said


# 11. licensed_copy: a monorepo's own packages carry the project's licence
def test_a_monorepos_own_packages_with_the_projects_licence_are_not_vendored(tmp_path):
    """libs/core, libs/server, libs/cli each with a LICENSE naming the same holder as the repository's own (a Python or
    Nx monorepo whose packages are published separately): the project's code, not a copy of another project's."""
    mit = "MIT License\n\nCopyright (c) 2023 Acme Corp\n"
    files = {"LICENSE": mit, **{f"libs/{p}/LICENSE": mit for p in ("core", "server", "cli")},
             "libs/server/acme_server/files.py": "import os\n\n\ndef read(name):\n    return open(os.path.join('/srv/data', name)).read()\n",
             "libs/server/pyproject.toml": "[project]\nname = 'acme-server'\n"}
    f = finding(rule_id="python.lang.security.audit.path-traversal-open", title="path traversal",
                location={"path": "libs/server/acme_server/files.py", "start_line": 5, "end_line": 5})
    rec, said = _reasons(tmp_path, files, f)
    assert "is a copy of another project" not in said and rec["verdict"] != "false_positive", said


# 12. subprocess_argv: the interpreter guard is bypassed through env
RUN = '''import subprocess


def run_script(extra_args):
    return subprocess.run(["/usr/bin/env", "python3"] + extra_args, check=True)
'''


def test_env_python_with_added_arguments_is_no_fixed_program(tmp_path):
    """`["/usr/bin/env", "python3"] + extra_args` runs `python3 -c <code>` when extra_args starts with `-c`: the same
    interpreter the change refuses as `[sys.executable] + args`, reached through env (the base tree: a finding)."""
    b603 = dict(tool="bandit", rule_id="B603", title="subprocess call - check for execution of untrusted input.")
    rec, said = _reasons(tmp_path, {"app/runner.py": RUN},
                         finding(**b603, location={"path": "app/runner.py", "start_line": 5, "end_line": 5}))
    assert "fixed program" not in said, said


# 13. sql_shape: exponential backtracking in _JS_LOG
def test_a_log_line_with_a_windows_path_does_not_hang_the_sql_check():
    """`((?:\\\\.|(?!\\1).)*)`: a backslash matches both alternatives, so a 150-character log line with a UNC path that
    is concatenated (no match) backtracks exponentially: 14 folders take ~45 s, 16 several minutes."""
    result = _finishes(r'''
        from tasks.triage.sql_shape import check_sql_shape
        path = "\\\\\\\\fileserver" + "".join(f"\\\\dir{i}" for i in range(16))
        line = f'  console.log("create: copied to {path}\\\\" + name)\n'
        class Reader:
            def resolve(self, commit): return None
            def lines(self, path, commit): return ["function f(name) {\n", line, "}\n"]
        f = {"id": "f" * 32, "tool": "semgrep", "kind": "code", "title": "t", "severity": "high",
             "rule_id": "javascript.express.security.injection.tainted-sql-string",
             "location": {"path": "server/copy.js", "start_line": 2, "end_line": 2}}
        print(check_sql_shape(f, Reader()))
    ''', 30)
    assert result is not None, "check_sql_shape still running after 30 s on one 160-character line"
    assert result.returncode == 0 and result.stdout.strip() == "None", result.stderr[-2000:]


# 14. commented_secret: cubic backtracking in _PEM
def test_a_pem_header_followed_by_padding_does_not_hang_the_comment_check():
    """`-----BEGIN ...-----\\s*(.*?)\\s*-----END`: on a header followed by a run of spaces and no END, the two `\\s*` and
    the lazy body split the run every way (cubic): 2,000 spaces take ~6 s, 6,000 minutes.  `_kind` runs it on every
    non-weak secret's line in a C-like file, comment or not."""
    result = _finishes(r'''
        from tasks.triage.commented_secret import check_commented_value
        line = "// -----BEGIN PRIVATE KEY-----" + " " * 6000 + "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n"
        class Reader:
            def resolve(self, commit): return None
            def lines(self, path, commit): return ["package x\n", line]
        f = {"id": "f" * 32, "tool": "semgrep", "kind": "secret", "title": "private-key", "severity": "high",
             "rule_id": "generic.secrets.gitleaks.private-key", "secret_evidence": {"class": "high-entropy", "length": 32},
             "location": {"path": "core/key.go", "start_line": 2, "end_line": 2}}
        print(check_commented_value(f, Reader()))
    ''', 30)
    assert result is not None, "check_commented_value still running after 30 s on one line"
    assert result.returncode == 0 and result.stdout.strip() == "None", result.stderr[-2000:]


# 15. secrets_near's block cache changes what is redacted
def test_the_block_cache_redacts_what_the_margin_scan_redacted(tmp_path):
    """A password on the shown line 301; the same word given to `user` 251 lines above and to `database` 349 lines
    below, both outside REDACT_MARGIN (200) of the shown lines 298-304.  Scanning lines 98-504 (the change's parent)
    the value is a secret and is redacted; each 600-line block that holds line 301 reaches one of the naming lines,
    named_elsewhere() drops the value in every one of them, and the password is shown in the clear."""
    from tasks.repository.source import SourceReader

    repo = tmp_path / "repo"
    repo.mkdir()
    lines = [f"x{i} = {i}\n" for i in range(1, 1001)]
    lines[50 - 1] = 'user = "acmeprod"\n'
    lines[301 - 1] = 'password = "acmeprod"\n'
    lines[650 - 1] = 'database = "acmeprod"\n'
    (repo / "settings.py").write_text("".join(lines))
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True)
    shown = SourceReader(repo).context("settings.py", None, 301, 3)
    assert shown is not None and "password = " in shown["text"]
    assert "acmeprod" not in shown["text"], shown["text"]
