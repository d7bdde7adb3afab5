"""Held-out set 48's misses (transfer.sh, flatnotes, Shaarli, audiobookshelf, terraform-aws-dms), tuned after the
measurement, each with the neighbour that stays a finding."""

from __future__ import annotations

from test_round45_rows import _reasons
from test_triage_hygiene import finding


def _sg(rule: str, path: str, line: int, **kw):
    return finding(rule_id=f"go.lang.security.{rule}" if path.endswith(".go") else rule, title=rule,
                   location={"path": path, "start_line": line, "end_line": kw.pop("end", line)}, **kw)


ENTRYPOINT = """#!/bin/sh
[ "$EXEC_TOOL" ] || EXEC_TOOL=gosu
cmd="python -m uvicorn main:app --host 0.0.0.0"
if [ `id -u` -eq 0 ]; then
    chown -R ${PUID}:${PGID} /data
    exec ${EXEC_TOOL} ${PUID}:${PGID} ${cmd}
else
    exec ${cmd}
fi
"""
DOCKERFILE = "FROM python:3.12-slim\nENV PUID=1000 PGID=1000\nCOPY entrypoint.sh /entrypoint.sh\nENTRYPOINT [\"/entrypoint.sh\"]\n"


def _user_finding():
    return finding(tool="checkov", kind="config", rule_id="CKV_DOCKER_3", title="Ensure that a user for the container has been created",
                   location={"path": "Dockerfile", "start_line": 1, "end_line": 4})


def test_a_start_script_that_drops_root_through_a_tool_variable(tmp_path):
    """flatnotes: `exec ${EXEC_TOOL} ${PUID}:${PGID} ...` with EXEC_TOOL defaulting to gosu (both labellers)."""
    rec, said = _reasons(tmp_path, {"Dockerfile": DOCKERFILE, "entrypoint.sh": ENTRYPOINT}, _user_finding())
    assert rec["verdict"] == "false_positive" and "exec gosu ${PUID}:${PGID}" in said, said


def test_a_tool_variable_that_may_name_anything_drops_nothing(tmp_path):
    from tasks.triage.root_drop import drops_root

    for n, script in enumerate((ENTRYPOINT.replace("EXEC_TOOL=gosu", "EXEC_TOOL=gosu\nEXEC_TOOL=sh"),  # set twice
                                ENTRYPOINT.replace('[ "$EXEC_TOOL" ] || EXEC_TOOL=gosu\n', ""))):  # only from outside
        assert drops_root(script.splitlines(True)) is None, n
        rec, said = _reasons(tmp_path / str(n), {"Dockerfile": DOCKERFILE, "entrypoint.sh": script}, _user_finding())
        assert "gosu" not in said, n


LOGS = """async function create(req, res) {
  const key = req.body.key
  Logger.warn(`[UserController] create: Invalid permission key: ${key}`)
  await db.query(`DELETE FROM users WHERE id = ${req.body.id}`)
  console.log(`update users set name = '${req.body.name}'`)
  Logger.warn(`create user ${key}`); db.query(`select * from t where k = ${key}`)
}
"""


def test_a_javascript_log_line_that_says_create_is_no_sql(tmp_path):
    """audiobookshelf's `Logger.warn(`[UserController] create: ...${key}`)`: semgrep's JS rule matches a verb anywhere."""
    rule = "javascript.express.security.injection.tainted-sql-string"
    rec, said = _reasons(tmp_path, {"server/UserController.js": LOGS}, _sg(rule, "server/UserController.js", 3))
    assert rec["verdict"] == "false_positive" and "is a log line, `Logger.warn(...)`" in said, said
    for line in (4, 5, 6):  # a real query; SQL's shape in a log call; a query beside the log call on the same line
        rec, said = _reasons(tmp_path / str(line), {"server/UserController.js": LOGS}, _sg(rule, "server/UserController.js", line))
        assert "is a log line" not in said, line


GO_URL = """package server

import (
\t"net/http"
\t"net/url"
)

func cloneURL(u *url.URL) *url.URL {
\tc := &url.URL{}
\t*c = *u
\treturn c
}

func getURL(r *http.Request) *url.URL {
\tu := cloneURL(r.URL)
\tu.Scheme = "https"
\treturn u
}

func redirect(w http.ResponseWriter, r *http.Request) {
\tu := getURL(r)
\tu.Host = "example.org"
\tv := r.URL
\tv.Host = "example.org"
\thttp.Redirect(w, r, u.String(), 302)
}

func rewrite(u *url.URL) {
\tu.Path = "/x"
}
"""


def test_a_go_url_the_function_copied_is_not_the_shared_one(tmp_path):
    """transfer.sh's getURL: `u := cloneURL(r.URL)`; RedirectHandler: `u := getURL(r, port)` (nine findings)."""
    rule = "shared-url-struct-mutation"
    for line, bound in ((16, "u := cloneURL(r.URL)"), (22, "u := getURL(r)")):
        rec, said = _reasons(tmp_path / str(line), {"server/handlers.go": GO_URL}, _sg(rule, "server/handlers.go", line))
        assert rec["verdict"] == "false_positive" and f"by `{bound}`" in said, (line, said)
    for line in (24, 30):  # r.URL itself; a parameter
        rec, said = _reasons(tmp_path / f"k{line}", {"server/handlers.go": GO_URL}, _sg(rule, "server/handlers.go", line))
        assert "a URL this function made" not in said, line


GO_HTML = """package server

import (
\t"fmt"
\t"html"
\thtmlTemplate "html/template"
\t"github.com/microcosm-cc/bluemonday"
)

func preview(data []byte, kind string) htmlTemplate.HTML {
\tif kind == "md" {
\t\toutput := bluemonday.UGCPolicy().SanitizeBytes(data)
\t\treturn htmlTemplate.HTML(output)
\t}
\tif kind == "txt" {
\t\treturn htmlTemplate.HTML(fmt.Sprintf("<pre>%s</pre>", html.EscapeString(string(data))))
\t}
\tif kind == "raw" {
\t\treturn htmlTemplate.HTML(fmt.Sprintf("<pre>%s</pre>", string(data)))
\t}
\treturn htmlTemplate.HTML(data)
}
"""


def test_a_go_template_html_of_escaped_or_sanitised_text(tmp_path):
    """transfer.sh's preview: bluemonday's UGC policy, and html.EscapeString inside a <pre>."""
    rule = "audit.xss.unsafe-template-type"
    for line, why in ((13, "a bluemonday policy's SanitizeBytes"), (16, "html.EscapeString")):
        rec, said = _reasons(tmp_path / str(line), {"server/h.go": GO_HTML}, _sg(rule, "server/h.go", line))
        assert rec["verdict"] == "false_positive" and f"comes from {why}" in said, (line, said)
    for line in (19, 21):
        rec, said = _reasons(tmp_path / f"k{line}", {"server/h.go": GO_HTML}, _sg(rule, "server/h.go", line))
        assert "escaped before the conversion" not in said, line


LIBS = {f"server/libs/{name}/LICENSE": f"The MIT License\n\nCopyright (c) 2015 {who}\n"
        for name, who in (("fsExtra", "JP Richardson"), ("async", "Caolan McMahon"), ("watcher", "Fabio Spampinato"))}
LIB_CODE = "const path = require('path')\nfunction walk(dir, item) {\n  return path.join(dir, item)\n}\nmodule.exports = walk\n"


def test_folders_of_other_projects_kept_with_their_licences_are_vendored(tmp_path):
    """audiobookshelf's server/libs/: 33 folders, each with the LICENSE of the project it copies (seven findings)."""
    rule = "javascript.lang.security.audit.path-traversal.path-join-resolve-traversal"
    files = LIBS | {"server/libs/fsExtra/copy/copy-sync.js": LIB_CODE, "server/app.js": LIB_CODE, "LICENSE": "GPL-3.0\n"}
    rec, said = _reasons(tmp_path, files, _sg(rule, "server/libs/fsExtra/copy/copy-sync.js", 3))
    assert rec["verdict"] == "false_positive"
    assert "server/libs/fsExtra/LICENSE: \"Copyright (c) 2015 JP Richardson\"), one of 3 folders in server/libs/" in said
    rec, said = _reasons(tmp_path / "own", files, _sg(rule, "server/app.js", 3))
    assert "its own licence" not in said
    one = {"server/libs/fsExtra/LICENSE": LIBS["server/libs/fsExtra/LICENSE"], "server/libs/fsExtra/copy/copy-sync.js": LIB_CODE}
    rec, said = _reasons(tmp_path / "one", one, _sg(rule, "server/libs/fsExtra/copy/copy-sync.js", 3))
    assert "its own licence" not in said  # one licensed folder may be the project's own package


ENUM = '''from enum import Enum


class AuthType(str, Enum):
    NONE = "none"
    PASSWORD = "password"
    TOTP = "totp"


class Settings:
    PASSWORD = "password"


class Mode(str, Enum):
    ADMIN_PASSWORD = "hunter2"
'''


def test_an_enum_member_named_as_its_value_is_no_password(tmp_path):
    """flatnotes' `AuthType.PASSWORD = "password"`: bandit B105 and semgrep's hashicorp-tf-password (both labellers)."""
    for tool, rule, kind in (("bandit", "B105", "code"), ("semgrep", "generic.secrets.gitleaks.hashicorp-tf-password", "secret")):
        f = finding(tool=tool, kind=kind, rule_id=rule, title="Possible hardcoded password: 'password'", snippet='PASSWORD = "password"',
                    location={"path": "server/config.py", "start_line": 6, "end_line": 6})
        rec, said = _reasons(tmp_path / tool, {"server/config.py": ENUM}, f)
        assert rec["verdict"] == "false_positive" and "an enum member, not a credential" in said, (tool, said)
        assert "AuthType.PASSWORD" in said and "none, password, totp" in said
    for line, shown in ((11, 'PASSWORD = "password"'), (15, 'ADMIN_PASSWORD = "hunter2"')):  # no enum; a value, not a name
        f = finding(tool="bandit", kind="code", rule_id="B105", title="Possible hardcoded password", snippet=shown,
                    location={"path": "server/config.py", "start_line": line, "end_line": line})
        rec, said = _reasons(tmp_path / str(line), {"server/config.py": ENUM}, f)
        assert "an enum member" not in said, line


PR_BUILD = """name: Build Docker image (Pull Request)
on:
  pull_request:
    branches: [ master ]
permissions:
  contents: read
jobs:
  docker-build:
    runs-on: ubuntu-24.04
    steps:
      - uses: docker/setup-buildx-action@v3
      - uses: docker/build-push-action@v5
        with:
          push: false
"""


def test_a_pull_request_image_build_without_checkout_is_pull_request_code(tmp_path):
    """Shaarli's docker-pr.yml: build-push-action builds the PR's Git context; no checkout step (both labellers)."""
    rule = "yaml.github-actions.security.third-party-action-not-pinned-to-commit-sha"
    rec, said = _reasons(tmp_path, {".github/workflows/docker-pr.yml": PR_BUILD}, _sg(rule, ".github/workflows/docker-pr.yml", 12))
    assert rec["verdict"] == "false_positive" and "builds the pull request's own tree" in said, said
    for n, text in enumerate((PR_BUILD.replace("push: false", "push: false\n          context: ./docker"),  # a chosen folder
                              PR_BUILD + "          password: ${{ secrets.HUB_TOKEN }}\n")):  # a secret
        rec, said = _reasons(tmp_path / str(n), {".github/workflows/docker-pr.yml": text}, _sg(rule, ".github/workflows/docker-pr.yml", 12))
        assert "pull request's own tree" not in said, n


KEYS = """async function update(req, res) {
  for (const queryKey of ['limit', 'page']) {
    req.query[queryKey] = Number(req.query[queryKey])
  }
  for (const key of Object.keys(req.body)) {
    settings[key] = req.body[key]
  }
}
"""


def test_a_javascript_key_the_code_lists_itself(tmp_path):
    """audiobookshelf's pagination guard: `for (const queryKey of ['limit', 'page']) req.query[queryKey] = ...`."""
    rule = "javascript.express.security.audit.remote-property-injection"
    rec, said = _reasons(tmp_path, {"server/c.js": KEYS}, _sg(rule, "server/c.js", 3))
    assert rec["verdict"] == "false_positive" and "a constant key" in said and "`queryKey` (server/c.js:2)" in said, said
    rec, said = _reasons(tmp_path / "k", {"server/c.js": KEYS}, _sg(rule, "server/c.js", 6))
    assert "a constant key" not in said


SERVER = """package server

import (
\t"net/http"
\t_ "net/http/pprof"
)

type Server struct {
\tprofilerEnabled bool
}

func EnableProfiler() func(*Server) {
\treturn func(s *Server) {
\t\ts.profilerEnabled = true
\t}
}

func (s *Server) Run() {
\tif s.profilerEnabled {
\t\tgo func() {
\t\t\t_ = http.ListenAndServe(":6060", nil)
\t\t}()
\t}
}
"""
CMD = """package cmd

var flags = []cli.Flag{
\t&cli.BoolFlag{
\t\tName:  "profiler",
\t\tUsage: "enable profiling",
\t},
}

func run(c *cli.Context) {
\tif c.Bool("profiler") {
\t\toptions = append(options, server.EnableProfiler())
\t}
}
"""


def test_a_go_profiler_listener_behind_an_option_that_is_off_by_default(tmp_path):
    """transfer.sh's `if s.profilerEnabled { go http.ListenAndServe(":6060", nil) }` (pprof-debug-exposure, use-tls)."""
    files = {"server/server.go": SERVER, "cmd/cmd.go": CMD}
    for rule in ("audit.net.pprof-debug-exposure", "audit.net.use-tls"):
        rec, said = _reasons(tmp_path / rule, files, _sg(rule, "server/server.go", 21))
        assert rec["verdict"] == "false_positive" and "only EnableProfiler() sets it" in said, (rule, said)
    cases = (CMD.replace('Usage: "enable profiling",', 'Usage: "enable profiling",\n\t\tValue: true,'),  # on by default
             CMD.replace('\tif c.Bool("profiler") {\n\t\toptions = append(options, server.EnableProfiler())\n\t}',
                         '\toptions = append(options, server.EnableProfiler())'))  # always enabled
    for n, cmd in enumerate(cases):
        rec, said = _reasons(tmp_path / str(n), {"server/server.go": SERVER, "cmd/cmd.go": cmd},
                             _sg("audit.net.pprof-debug-exposure", "server/server.go", 21))
        assert "off unless the operator" not in said, n


RUN_TEST = '''import subprocess
import sys


def test_cli(config_args):
    p = subprocess.Popen(
        [sys.executable, "-m", "radicale"] + config_args,
        env={})
    q = subprocess.Popen([sys.executable] + config_args)
    return p, q
'''


def test_a_fixed_module_run_with_added_arguments_is_a_fixed_program(tmp_path):
    """Round 51: Radicale's B603 row said only "test code"; the argv is [sys.executable, "-m", "radicale"] + options."""
    b603 = dict(tool="bandit", rule_id="B603", title="subprocess call - check for execution of untrusted input.")
    f = finding(**b603, location={"path": "radicale/tests/test_server.py", "start_line": 6, "end_line": 8})
    rec, said = _reasons(tmp_path, {"radicale/tests/test_server.py": RUN_TEST}, f)
    assert rec["verdict"] == "false_positive"
    assert "no shell and a fixed program" in said and "`sys.executable` (this Python)" in said, said
    f = finding(**b603, location={"path": "radicale/tests/test_server.py", "start_line": 9, "end_line": 9})
    rec, said = _reasons(tmp_path / "c", {"radicale/tests/test_server.py": RUN_TEST}, f)
    assert "fixed program" not in said  # this Python with arguments that could be `-c <code>`


def test_a_working_directory_named_pwd_is_no_password(tmp_path):
    """Round 51: ArchiveBox's `Process(pwd='/tmp/archive/example')` was called "a documented example value"."""
    code = "def run():\n    return Process(cmd=['true'], pwd='/tmp/archive/example')\n\n\nclient = Client(pwd='s3cr3t-Pa55')\n"
    f = finding(tool="bandit", rule_id="B106", title="Possible hardcoded password: '/tmp/archive/example'",
                location={"path": "archivebox/workers.py", "start_line": 2, "end_line": 2})
    rec, said = _reasons(tmp_path, {"archivebox/workers.py": code}, f)
    assert rec["verdict"] == "false_positive" and "a folder, not a credential" in said and "EXAMPLE" not in said, said
    f = finding(tool="bandit", rule_id="B106", title="Possible hardcoded password: 's3cr3t-Pa55'",
                location={"path": "archivebox/workers.py", "start_line": 5, "end_line": 5})
    rec, said = _reasons(tmp_path / "k", {"archivebox/workers.py": code}, f)
    assert "a folder" not in said


ERD = """export function draw(props, app, label) {
  const uniqueId = "erd_" + app.utils.randomString();
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.innerHTML = `
    <marker id="${uniqueId}_arrow" class="arrow"></marker>
  `;
  svg.innerHTML = `
    <text>${label}</text>
  `;
}
"""


def test_dom_markup_whose_only_value_is_a_generated_id(tmp_path):
    """pocketbase's erd.js: `svg.innerHTML = `<marker id="${uniqueId}_arrow1" ...>`` with a generated id (five findings)."""
    for rule in ("javascript.browser.security.insecure-innerhtml", "javascript.lang.security.html-in-template-string"):
        rec, said = _reasons(tmp_path / rule, {"ui/src/base/erd.js": ERD}, _sg(rule, "ui/src/base/erd.js", 4))
        assert rec["verdict"] == "false_positive" and "`uniqueId` (ui/src/base/erd.js:2)" in said, (rule, said)
        rec, said = _reasons(tmp_path / f"k{rule}", {"ui/src/base/erd.js": ERD}, _sg(rule, "ui/src/base/erd.js", 7))
        assert "the code's own markup" not in said  # a parameter's text


DOC = '''package core

// PasswordField stores a password hash.
//
//	// set directly a bcrypt hash of "123456" as field value
//	record.SetRaw("password", "$2a$10$.5Elh8fgxypNUWhpUUr/xOa2sZm0VIaE0qWuGGl9otUfobb46T1Pq")
//
// PrivateKey is usually wrapped within -----BEGIN PRIVATE KEY----- X -----END PRIVATE KEY-----.
var admin = "$2a$10$.5Elh8fgxypNUWhpUUr/xOa2sZm0VIaE0qWuGGl9otUfobb46T1Pq"
'''


def test_a_hash_or_a_pem_placeholder_in_a_doc_comment_is_an_example(tmp_path):
    """pocketbase's doc comments: a bcrypt hash of "123456" and `-----BEGIN PRIVATE KEY----- X -----END ...`."""
    def secret(rule, line, span=None):
        return finding(rule_id=f"generic.secrets.gitleaks.{rule}", title=rule, **({"span": span} if span else {}),
                       location={"path": "core/field_password.go", "start_line": line, "end_line": line})
    rec, said = _reasons(tmp_path / "h", {"core/field_password.go": DOC}, secret("hashicorp-tf-password", 6))
    assert rec["verdict"] == "false_positive" and "a bcrypt hash shown as an example" in said, said
    text = DOC.splitlines()[7]
    start = text.index("-----BEGIN") + 1
    pem = {"line": 8, "start_col": start, "end_col": text.index("KEY-----.") + len("KEY-----") + 1}  # semgrep's columns
    rec, said = _reasons(tmp_path / "p", {"core/field_password.go": DOC}, secret("private-key", 8, pem))
    assert rec["verdict"] == "false_positive" and "a PEM block whose body is a placeholder" in said, said
    rec, said = _reasons(tmp_path / "c", {"core/field_password.go": DOC}, secret("hashicorp-tf-password", 9))
    assert "commented out" not in said  # the same hash in code


def test_a_library_copy_is_named_in_its_evidence(tmp_path):
    """Round 51's grader: "vendored third-party library" without the library's name said nothing the path did not."""
    from tasks.triage.path_class import library_label

    assert library_label("ui/public/libs/shablon/shablon.iife.js") == "the library shablon"
    assert library_label("static/js/jquery-3.5.1.min.js") == "the library jquery"
    assert library_label("assets/js/app.js") is None and library_label("static/js/select2.js") is None
    rule = "javascript.lang.security.audit.unsafe-formatstring"
    code = "(function(e){console.log('x'+e)})(window);\n"
    rec, said = _reasons(tmp_path, {"ui/public/libs/shablon/shablon.iife.js": code}, _sg(rule, "ui/public/libs/shablon/shablon.iife.js", 1))
    assert rec["verdict"] == "false_positive" and "(the library shablon)" in said, said


def test_the_near_duplicate_share_of_a_large_pool_is_measured_on_a_sample():
    """saleor's 47,000 candidate rows: the cluster pass compared each unique answer with every cluster's first."""
    import hashlib
    import time

    from tasks.datasets import grouping

    def unique(i: int) -> str:
        return "".join(hashlib.sha256(f"{i}:{k}".encode()).hexdigest() for k in range(2))

    rows = [{"meta": {"finding_id": f"{i:06d}"}, "messages": [{"role": "assistant", "content": unique(i)}]}
            for i in range(30000)]
    rows += [{"meta": {"finding_id": f"t{i:05d}"}, "messages": [{"role": "assistant", "content": "the same template"}]}
             for i in range(10000)]
    began = time.monotonic()
    share = grouping.near_duplicate_share(rows, 90)
    assert time.monotonic() - began < 60
    assert 0.15 < share < 0.35  # a quarter of the rows are copies of one answer


def test_round_52_rows_a_json_record_a_locale_folder_and_a_secret_stores_settings():
    """Round 52's stage-1 grader: an inline `nosemgrep` advised for package.json (JSON takes no comment); a Croatian
    `client/strings/hr.json` label called a credential; `aws_secretsmanager_secret` redacted in a KMS rule's prompt."""
    from tasks.findings.secret_keys import translation_catalogue
    from tasks.findings.secrets import tool_marks_secret
    from tasks.fixes.suppression import suppression_place

    rec = {"verdict": "false_positive", "reasons": [{"check": "code", "evidence": "pinned by the committed lockfile"}]}
    where = suppression_place(_sg("json.npm.security.package-dependencies-check", "package.json", 15), rec)
    assert "JSON takes no comment" in where and "on the flagged line" not in where
    assert "flagged line" in suppression_place(_sg("python.lang.security.x", "app/views.py", 3), rec)
    assert translation_catalogue("client/strings/hr.json") and not translation_catalogue("server/strings.py")
    assert not tool_marks_secret("semgrep", "terraform.aws.security.aws-secretsmanager-secret-unencrypted")
    assert tool_marks_secret("semgrep", "generic.secrets.gitleaks.generic-api-key")


def test_round_52_harmful_rows_a_builder_stage_and_a_module_named_like_a_library(tmp_path):
    """Round 52's harmful stage-2 rows: Shaarli's `FROM composer:latest AS composer` (its vendor/ tree ships; a skip
    covers the whole Dockerfile) was suppressed, and umap's own modules/clipboard.js was called vendored clipboard.js."""
    docker = "FROM composer:latest AS composer\nRUN composer install\nFROM alpine:3.20\nCOPY --from=composer /app /app\n"
    f = finding(tool="checkov", kind="config", rule_id="CKV_DOCKER_7", title="Ensure the base image uses a non latest version tag",
                location={"path": "Dockerfile", "start_line": 1, "end_line": 1})
    rec, said = _reasons(tmp_path, {"Dockerfile": docker}, f)
    assert rec["verdict"] == "needs_review" and "built into the image" in said
    module = "// Clipboard helpers\nimport { translate } from './i18n.js'\nexport function copy(text) {\n  el.innerHTML = `${text}`\n}\n"
    rule = "javascript.lang.security.html-in-template-string"
    path = "umap/static/umap/js/modules/clipboard.js"
    rec, said = _reasons(tmp_path / "m", {path: module}, _sg(rule, path, 4))
    assert "vendored third-party library" not in said, said
    vendored = "/*!\n * clipboard.js v2.0.11\n * Licensed MIT (c) Zeno Rocha\n */\n!function(t){t.innerHTML=`${t}`}(this);\n"
    rec, said = _reasons(tmp_path / "v", {"static/js/clipboard.js": vendored}, _sg(rule, "static/js/clipboard.js", 5))
    assert "vendored third-party library" in said
