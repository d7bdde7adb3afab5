"""Hostile review of the later set-45 checks (fdd1e30..297b04a): each test failed before its mend (true vulnerabilities
cleared first, then harmful suppressions, tracebacks and slowness, wrong facts); each docstring says what was wrong,
where, and what is right."""

import subprocess

from test_round45_rows import _reasons
from test_triage_hygiene import finding


# ---------------------------------------------------------------- go_template_url
def _href(line, path="internal/template/templates/views/entry.html"):
    return finding(rule_id="tmp.rules.var-in-href", title="var-in-href",
                   location={"path": path, "start_line": line, "end_line": line})


FUNCS_ORDER = '''package template

import (
	"html/template"
)

func (f *funcMap) Map() template.FuncMap {
	return template.FuncMap{
		"rawURL": func(u string) template.URL {
			return template.URL(u)
		},
		"safeURL": func(u string) template.URL {
			if !sanitizer.HasValidURIScheme(u) {
				return template.URL("#")
			}
			return template.URL(u)
		},
	}
}
'''
PAGE = '''{{ define "content" }}
<a href="{{ .entry.URL | rawURL }}">c</a>
{{ end }}
'''


def test_go_template_url_unchecked_funcmap_literal_borrows_a_later_entrys_scheme_check(tmp_path):
    """tasks/triage/go_template_url.py:49-50: a FuncMap literal's body is cut at the next "\\n}" -- the end of the
    enclosing Map() function, not the literal's own `},` -- so `rawURL` (a bare `return template.URL(u)`, a real
    javascript: XSS) is judged by the scheme check of the NEXT entry `safeURL` and cleared as "returns template.URL only
    after checking the URL's scheme".  Right: the body is the literal's own braces; an unchecked template.URL keeps
    the finding."""
    files = {"go.mod": "module x\n", "internal/template/functions.go": FUNCS_ORDER,
             "internal/template/templates/views/entry.html": PAGE}
    rec, said = _reasons(tmp_path, files, _href(2))
    assert "no javascript: URL" not in said and rec["verdict"] != "false_positive"


FUNCS_NORMALISE = '''package template

import (
	"html/template"
	"net/url"
)

func (f *funcMap) Map() template.FuncMap {
	return template.FuncMap{
		"linkURL": linkURL,
	}
}

// linkURL adds https:// to a link saved without a scheme.
func linkURL(raw string) template.URL {
	u, err := url.Parse(raw)
	if err != nil {
		return template.URL(raw)
	}
	if u.Scheme == "" {
		u.Scheme = "https"
	}
	return template.URL(u.String())
}
'''


def test_go_template_url_a_scheme_defaulting_function_is_no_scheme_check(tmp_path):
    """tasks/triage/go_template_url.py:31,83: _SCHEME_CHECK is any mention of "scheme" in the body, so a function that
    only DEFAULTS a missing scheme (`if u.Scheme == "" { u.Scheme = "https" }`) and returns template.URL for everything
    else -- `javascript:alert(1)` included, and the raw input on a parse error -- is cleared as "returns template.URL
    only after checking the URL's scheme, and an inert value otherwise".  Right: a check that rejects unsafe schemes
    (an allow-list with an inert fallback); this one keeps the finding."""
    files = {"go.mod": "module x\n", "internal/template/functions.go": FUNCS_NORMALISE,
             "internal/template/templates/views/entry.html": '{{ define "c" }}\n<a href="{{ linkURL .entry.URL }}">x</a>\n{{ end }}\n'}
    rec, said = _reasons(tmp_path, files, _href(2))
    assert "no javascript: URL" not in said and rec["verdict"] != "false_positive"


FUNCMAP_PKG = '''package web

import (
	"html/template"
)

var funcs = template.FuncMap{
	"link": rawLink,
}

func rawLink(u string) template.URL {
	return template.URL(u)
}
'''
OTHER_PKG = '''package cli

// link formats a terminal hyperlink.
func link(s string) string {
	return "\\x1b]8;;" + s + "\\x1b\\\\"
}
'''


def test_go_template_url_a_same_named_function_in_another_package_is_not_the_funcmap_entry(tmp_path):
    """tasks/triage/go_template_url.py:45-53: _definition searches every Go file for `func link(` BEFORE it follows the
    FuncMap entry `"link": rawLink,`, so an unrelated `func link(s string) string` in package cli (a terminal helper)
    is taken for the template function; the template's `link` is rawLink, an unchecked template.URL (XSS), and the
    finding is cleared as "`link` returns a string".  Right: resolve the name through the FuncMap entry first (and
    within the FuncMap's package)."""
    files = {"go.mod": "module x\n", "internal/aa_cli/term.go": OTHER_PKG, "internal/web/funcs.go": FUNCMAP_PKG,
             "internal/web/templates/entry.html": '{{ define "c" }}\n<a href="{{ link .URL }}">x</a>\n{{ end }}\n'}
    rec, said = _reasons(tmp_path, files, _href(2, "internal/web/templates/entry.html"))
    assert "no javascript: URL" not in said and rec["verdict"] != "false_positive"


TEXT_TPL = '''package mail

import (
	"text/template"
)

var funcs = template.FuncMap{
	"unsubscribeLink": func(u string) string {
		return u
	},
}
'''
WEB = '''package web

import "html/template"

var page = template.Must(template.New("x").Parse("<p>{{ . }}</p>"))
'''


def test_go_template_url_a_text_template_page_is_not_filtered(tmp_path):
    """tasks/triage/go_template_url.py:74: the check accepts the page once ANY Go file imports html/template, but the
    page's function comes from a FuncMap built with text/template (an e-mail renderer), which has no URL filter: a
    string `javascript:...` goes into the href verbatim.  The evidence "returns a string, which html/template's URL
    filter checks" is false.  Right: the FuncMap (or the file that parses the page) must use html/template."""
    files = {"go.mod": "module x\n", "internal/mail/render.go": TEXT_TPL, "internal/web/page.go": WEB,
             "internal/mail/templates/notify.html": '{{ define "c" }}\n<a href="{{ unsubscribeLink .URL }}">x</a>\n{{ end }}\n'}
    rec, said = _reasons(tmp_path, files, _href(2, "internal/mail/templates/notify.html"))
    assert "no javascript: URL" not in said and rec["verdict"] != "false_positive"


CYCLE = '''package web

import "html/template"

var funcs = template.FuncMap{
	"link":   urlFor,
	"urlFor": link,
}

func link(u string) (template.URL, error) { return template.URL(u), nil }

func urlFor(u string) (template.URL, error) { return template.URL(u), nil }
'''


def test_go_template_url_funcmap_alias_cycle_does_not_recurse_forever(tmp_path):
    """tasks/triage/go_template_url.py:53: _definition follows `"name": ident,` aliases with only `alias != name` as a
    guard; two entries that name each other (`"link": urlFor, "urlFor": link` -- valid Go, with functions whose
    `(template.URL, error)` result the `named` pattern does not read) recurse until RecursionError.  Right: remember
    the names already followed and give up (None)."""
    from tasks.repository.source import SourceReader
    from tasks.findings.model import as_finding
    from tasks.triage.go_template_url import check_go_template_url

    files = {"go.mod": "module x\n", "web/funcs.go": CYCLE,
             "web/t/page.html": '{{ define "c" }}\n<a href="{{ link .URL }}">x</a>\n{{ end }}\n'}
    for p, text in files.items():
        (tmp_path / p).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / p).write_text(text)
    subprocess.run("git init -q && git add -A && git -c user.email=x@x -c user.name=x commit -qm i", shell=True,
                   cwd=tmp_path, check=True)
    f = as_finding(_href(2, "web/t/page.html"))
    assert check_go_template_url(f, SourceReader(tmp_path), sorted(files)) is None


# ---------------------------------------------------------------- stage_user
STAGES = """FROM golang AS envsubst
RUN go install github.com/a8m/envsubst/cmd/envsubst@latest

FROM php:8.2-fpm-trixie AS rootless
COPY --from=envsubst /go/bin/envsubst /usr/bin/envsubst
ENTRYPOINT ["/entrypoint.sh"]
CMD ["php", "bin/console", "server:run", "0.0.0.0:8000"]

FROM rootless AS default
RUN usermod -u 1000 www-data
USER www-data
"""


def _stage(line):
    return finding(rule_id="tmp.rules.missing-user", title="missing-user",
                   location={"path": "docker/php/Dockerfile", "start_line": line, "end_line": line})


def test_stage_user_a_bake_file_target_is_a_build_of_the_earlier_stage(tmp_path):
    """tasks/triage/stage_user.py:37: docker-bake.hcl is listed as a build file (line 19) but its syntax is
    `target = "rootless"`; the pattern only knows compose's `target:` and the CLI's `--target`, so a bake file that
    builds and pushes the rootless stage (root, the flagged CMD) is missed and the finding cleared.  Right: accept
    `target = "name"` (HCL) too, and keep the finding."""
    bake = ('group "default" {\n  targets = ["app"]\n}\n\ntarget "app" {\n  context = "docker/php"\n'
            '  target = "rootless"\n  tags = ["wallabag/wallabag:latest"]\n}\n')
    rec, said = _reasons(tmp_path, {"docker/php/Dockerfile": STAGES, "docker-bake.hcl": bake}, _stage(7))
    assert "an earlier build stage" not in said and rec["verdict"] != "false_positive"


def test_stage_user_a_compose_target_with_a_variable_default_builds_the_earlier_stage(tmp_path):
    """tasks/triage/stage_user.py:37: `target: ${PHP_TARGET:-rootless}` in compose builds the rootless stage (root)
    unless the variable is set; the pattern wants the stage name right after `target:` and misses it.  Right: a
    variable whose default names the stage is a build of it; the finding stays."""
    compose = "services:\n  php:\n    build:\n      context: docker/php\n      target: ${PHP_TARGET:-rootless}\n"
    rec, said = _reasons(tmp_path, {"docker/php/Dockerfile": STAGES, "compose.yaml": compose}, _stage(7))
    assert "an earlier build stage" not in said and rec["verdict"] != "false_positive"


DEV_PROD = """FROM php:8.2-fpm AS rootless
ENTRYPOINT ["/entrypoint.sh"]
CMD ["php", "bin/console", "server:run", "0.0.0.0:8000"]

FROM rootless AS dev
RUN apt-get update && apt-get install -y git

FROM rootless AS default
USER www-data
"""


def test_stage_user_a_targeted_stage_built_from_the_flagged_one_ships_its_cmd_as_root(tmp_path):
    """tasks/triage/stage_user.py:37-39: only a build that targets the flagged stage's own name keeps the finding;
    compose builds `target: dev`, a stage `FROM rootless` with no USER, which ships the flagged CMD as root.  The
    evidence "the image is the final stage ... which sets USER www-data" is false for that image.  Right: any build
    target other than the final stage that inherits the flagged stage without a non-root USER keeps the finding."""
    compose = "services:\n  php:\n    build:\n      context: .\n      target: dev\n"
    files = {"docker/php/Dockerfile": DEV_PROD, "compose.yaml": compose}
    f = finding(rule_id="tmp.rules.missing-user", title="missing-user",
                location={"path": "docker/php/Dockerfile", "start_line": 3, "end_line": 3})
    rec, said = _reasons(tmp_path, files, f)
    assert "an earlier build stage" not in said and rec["verdict"] != "false_positive"


# ---------------------------------------------------------------- dev_runner
SERVE = '''import argparse

from myapp import create_app

app = create_app()
app.run(debug=True, threaded=True, host="127.0.0.1", port=4000)
'''


def _run(path):
    return finding(rule_id="tmp.rules.avoid_using_app_run_directly", title="avoid_using_app_run_directly",
                   location={"path": path, "start_line": 6, "end_line": 6})


def test_dev_runner_a_module_imported_as_from_package_import_name_is_imported(tmp_path):
    """tasks/triage/dev_runner.py:45: the import pattern knows `from x.serve import ...` and `import x.serve` but not
    `from myapp import serve` / `from . import serve`, the usual way a package loads its own module; wsgi.py's
    `from myapp import serve` starts the debug server (debug=True: the Werkzeug console) on import, inside the
    deployment's WSGI worker.  Evidence "no module of the repository imports myapp/serve.py" is false.  Right: a
    `from <pkg> import <stem>` (or relative `from . import <stem>`) counts as an import; the finding stays."""
    files = {"myapp/__init__.py": "def create_app():\n    pass\n", "myapp/serve.py": SERVE,
             "wsgi.py": "from myapp import serve\n\napplication = serve.app\n"}
    rec, said = _reasons(tmp_path, files, _run("myapp/serve.py"))
    assert "a developer's runner" not in said and rec["verdict"] != "false_positive"


def test_dev_runner_a_script_a_procfile_loads_with_gunicorn_is_imported(tmp_path):
    """tasks/triage/dev_runner.py:46: only .py files are searched for importers; a Procfile (or compose `command:`,
    Dockerfile CMD) `gunicorn serve:app` imports serve.py in every worker, whose top-level app.run then starts
    Flask's debug server -- exactly the rule's case.  Evidence "no deployment's server loads it" is false.  Right:
    a `<stem>:app`-style WSGI reference in a Procfile/compose/Dockerfile keeps the finding."""
    files = {"myapp/__init__.py": "def create_app():\n    pass\n", "serve.py": SERVE,
             "Procfile": "web: gunicorn serve:app --bind 0.0.0.0:$PORT\n"}
    rec, said = _reasons(tmp_path, files, _run("serve.py"))
    assert "a developer's runner" not in said and rec["verdict"] != "false_positive"


# ---------------------------------------------------------------- decoy_hash
SEEDED_GO = '''package storage

var dummyBcryptHash = []byte("$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy")

func (s *Storage) CreateDefaultAdmin() error {
	_, err := s.db.Exec(`INSERT INTO users (username, password, is_admin) VALUES ('admin', $1, true)`, dummyBcryptHash)
	return err
}

func (s *Storage) CheckPassword(username, password string) error {
	if errors.Is(err, sql.ErrNoRows) {
		// Perform a dummy bcrypt comparison to avoid leaking whether the user exists via response timing.
		_ = bcrypt.CompareHashAndPassword(dummyBcryptHash, []byte(password))
		return err
	}
	return nil
}
'''


def test_decoy_hash_a_dummy_named_hash_also_stored_as_the_admins_password_is_not_a_decoy(tmp_path):
    """tasks/triage/decoy_hash.py:51-63 (_decoy_variable): any compare under a timing comment makes the variable a
    decoy "protecting no account", without looking at its other uses; here the same hash is written as the default
    admin's password (`INSERT INTO users ... VALUES ('admin', $1, true)`, dummyBcryptHash), so whoever cracks or
    knows it logs in as admin.  Right: a variable used anywhere else but the timing compare is not a decoy (None)."""
    from tasks.triage.decoy_hash import decoy_hash
    from tasks.findings.model import as_finding
    from tasks.repository.source import SourceReader

    (tmp_path / "internal/storage").mkdir(parents=True)
    (tmp_path / "internal/storage/user.go").write_text(SEEDED_GO)
    subprocess.run("git init -q && git add -A && git -c user.email=x@x -c user.name=x commit -qm i", shell=True,
                   cwd=tmp_path, check=True)
    f = as_finding(finding(rule_id="tmp.rules.detected-bcrypt-hash",
                           location={"path": "internal/storage/user.go", "start_line": 3, "end_line": 3}))
    assert decoy_hash(f, SourceReader(tmp_path)) is None


def test_decoy_hash_scan_is_not_quadratic_on_a_long_line(tmp_path):
    """tasks/triage/decoy_hash.py:56: `\\b\\w*(?:verify|check|compare)\\w*\\([^)]*\\bNAME\\b` is run over every line of
    the file; on a long line with many `check(` and no `)` each start scans to the end of the line and backtracks,
    quadratic in the line's length (a minified bundle, or a hostile file: 48 KB takes about five seconds, 120 KB half a minute).  Right: bound
    the line length (or the `[^)]*` span) so a flagged decoy-named hash is judged in well under a second."""
    import time
    from tasks.triage.decoy_hash import decoy_hash
    from tasks.findings.model import as_finding
    from tasks.repository.source import SourceReader

    text = 'var dummyHash = "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"\n' + "check(" * 8000 + "\n"
    (tmp_path / "a.js").write_text(text)
    subprocess.run("git init -q && git add -A && git -c user.email=x@x -c user.name=x commit -qm i", shell=True,
                   cwd=tmp_path, check=True)
    f = as_finding(finding(rule_id="tmp.rules.detected-bcrypt-hash", location={"path": "a.js", "start_line": 1, "end_line": 1}))
    t = time.time()
    decoy_hash(f, SourceReader(tmp_path))
    assert time.time() - t < 1.0


# ---------------------------------------------------------------- go_code cookie wording
def test_cookie_secure_from_the_requests_own_is_secure_method_is_not_called_a_deployment_setting(tmp_path):
    """tasks/triage/go_code.py:118: per_request is true only for `f(x)` or `.TLS`; Beego's `ctx.Input.IsSecure()` (the
    request's own scheme test: BeegoInput.IsSecure returns Scheme() == "https") has no argument, so the evidence says
    "the deployment's own setting for whether it is served over HTTPS, not a test of each request" -- a wrong fact.
    Right: a no-argument method on the request/context (ctx, c, r, req ...) is a per-request test."""
    go = ('package ui\n\nfunc set(ctx *context.Context) {\n\tctx.SetCookie2(&http.Cookie{Name: "s", '
          'Value: v, Secure: ctx.Input.IsSecure(), HttpOnly: true})\n}\n')
    f = finding(rule_id="tmp.rules.cookie-missing-secure", title="cookie-missing-secure",
                location={"path": "internal/ui/auth.go", "start_line": 4, "end_line": 4})
    rec, said = _reasons(tmp_path, {"internal/ui/auth.go": go}, f)
    assert "Secure when served over HTTPS" in said  # the check fires
    assert "the deployment's own setting" not in said


# ---------------------------------------------------------------- suppressions in markup
_REC = {"verdict": "false_positive", "reasons": [{"check": "code", "evidence": "the form sends a CSRF token: line 5: "
                                                  "`{% csrf_token %}`, Django's own tag"}]}


def test_suppression_open_start_tag_with_an_arrow_function_attribute(tmp_path):
    """tasks/fixes/comments.py:38 (open_tag): `<[A-Za-z][^<>]*$` takes any `>` on the line for the tag's end, so an
    Alpine/Vue attribute with `=>` or `>` (`@submit.prevent="() => save()"`) hides an open start tag; the marker is
    appended inside it (`<form ... <!-- nosemgrep: r -->`), whose `-->` closes the tag and turns the next line's
    `action=` into page text -- round 49's harmful linkding row again.  Right: ignore `>` inside quoted attribute
    values; the marker goes on its own line above the tag."""
    from tasks.fixes.suppression import suppression_for

    line = '<form method="post" @submit.prevent="() => save()"'
    f = finding(rule_id="tmp.rules.django-no-csrf-token", title="django-no-csrf-token", snippet=line,
                location={"path": "bookmarks/templates/tags/new.html", "start_line": 2, "end_line": 2})
    _, text = suppression_for(f, _REC)
    assert line + " <!--" not in text and line in text.splitlines()


def test_suppression_inside_a_multi_line_start_tag_goes_neither_after_nor_above_the_attribute():
    """tasks/fixes/comments.py:38 / suppression.py:94-98: var-in-href matches `href="{{ ... }}"`, which in a start tag
    split over lines sits on a continuation line with no `<`; open_tag says "closed" and the marker is appended
    (`   href="{{ .entry.URL | untrustedURL }}" <!-- nosemgrep: ... -->`), inside `<a ...`, whose `-->` ends the tag: the
    next line's `target="_blank"` becomes text.  Right: an attribute-only line (it starts with `name=`) is inside a
    start tag: no HTML comment may go on it or on a line of its own just above it (refuse, or place it before the
    tag)."""
    from tasks.fixes.suppression import refused, suppression_for

    line = '   href="{{ .entry.URL | untrustedURL }}"'
    f = finding(rule_id="tmp.rules.var-in-href", title="var-in-href", snippet=line,
                location={"path": "internal/template/templates/views/entry.html", "start_line": 3, "end_line": 3})
    rec = {"verdict": "false_positive", "reasons": [{"check": "code", "evidence": "no javascript: URL"}]}
    if refused(f, rec):
        return
    _, text = suppression_for(f, rec)
    lines = text.splitlines()
    at = lines.index(line) if line in lines else next(i for i, l in enumerate(lines) if l.startswith(line))
    assert "<!--" not in lines[at] and not (at and lines[at - 1].lstrip().startswith("<!--"))


def test_suppression_in_a_go_template_file_is_an_html_comment_not_page_text():
    """tasks/fixes/comments.py:14,18-24: `.gohtml` / `.tmpl` (Go html/template pages, the files go_template_url now
    clears) are not markup, so the suppression appends `// nosemgrep: ...` to `<a href=...>b</a>`, which the page
    shows as text.  Right: an HTML-producing template takes `<!-- -->` (or the engine's `{{/* */}}`)."""
    from tasks.fixes.suppression import suppression_for

    line = '<a href="{{ routePath "/history/entry/%d" .ID }}">b</a>'
    f = finding(rule_id="tmp.rules.var-in-href", title="var-in-href", snippet=line,
                location={"path": "web/templates/entry.gohtml", "start_line": 2, "end_line": 2})
    rec = {"verdict": "false_positive", "reasons": [{"check": "code", "evidence": "no javascript: URL"}]}
    _, text = suppression_for(f, rec)
    assert "// nosemgrep" not in text and "//" not in text.splitlines()[0][:3]


# ---------------------------------------------------------------- request-timeout test note
LOADER = '''import requests


def load_favicon(url):
    with requests.get(url, stream=True) as response:
        return response.content
'''
LOADER_TEST = '''from unittest import mock

from bookmarks.services import favicon_loader


def test_loads():
    with mock.patch("requests.get") as mock_get, mock.patch("bookmarks.services.favicon_loader.store") as store:
        favicon_loader.load_favicon("https://example.com")
        mock_get.assert_called_once()
        store.assert_called_with("example.com.png", b"")
'''


def test_timeout_note_names_only_asserts_on_the_requests_mock(tmp_path):
    """tasks/datasets/sources.py:170-172: every `assert_called_with` line of a test file that names the module and
    patches requests.get is listed, whichever mock it asserts; here the requests mock is checked with
    `assert_called_once()` (no arguments) and line 10 asserts an unrelated `store` mock, yet the row tells the model
    "The repository's tests assert this call's exact arguments and fail once it passes `timeout`" and sends it to edit
    line 10 -- a wrong fact that invites a needless edit of a passing test.  Right: only asserts on the requests mock's
    name (mock_get) count; here none."""
    from tasks.datasets.sources import Source
    from tasks.findings.model import as_finding

    files = {"bookmarks/services/favicon_loader.py": LOADER, "bookmarks/tests/test_favicon_loader.py": LOADER_TEST}
    for p, text in files.items():
        (tmp_path / p).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / p).write_text(text)
    subprocess.run("git init -q && git add -A && git -c user.email=x@x -c user.name=x commit -qm i", shell=True,
                   cwd=tmp_path, check=True)
    f = as_finding(finding(tool="bandit", rule_id="B113", title="Call to requests without timeout",
                           location={"path": "bookmarks/services/favicon_loader.py", "start_line": 5, "end_line": 5},
                           snippet="5     with requests.get(url, stream=True) as response:"))
    code = Source(str(tmp_path), None, 3).code(f)
    assert not code.get("asserts")
