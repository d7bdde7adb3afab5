"""A helper's attack on 1620bfe (set 43's checks): each input made a check clear a real finding, crash or run for
minutes; each test now asserts the finding stays and the run ends."""
import pytest
from test_round45_rows import _reasons
from test_triage_hygiene import finding, _bandit, judge


def sql(path, line):
    return finding(rule_id="go.lang.security.audit.database.string-formatted-query.string-formatted-query",
                   title="String-formatted SQL query detected.", location={"path": path, "start_line": line, "end_line": line})


def tls(path, line):
    return finding(rule_id="go.lang.security.audit.net.use-tls.use-tls", title="Found an HTTP server without TLS.",
                   location={"path": path, "start_line": line, "end_line": line})


def compose(path, line=2):
    return finding(rule_id="yaml.docker-compose.security.no-new-privileges.no-new-privileges",
                   title="Service allows for privilege escalation via setuid or setgid binaries.",
                   location={"path": path, "start_line": line, "end_line": line})


def b308(path, line):
    return finding(tool="bandit", rule_id="B308", title="Use of mark_safe() may expose cross-site scripting vulnerabilities.",
                   location={"path": path, "start_line": line, "end_line": line})


def fp(tmp_path, files, f):
    rec, said = _reasons(tmp_path, files, f)
    return rec["verdict"] == "false_positive", said


# ---- go_sql -----------------------------------------------------------------------------------------------------
CLOSURE_SLICE = '''package store

import (
\t"context"
\t"database/sql"
\t"net/http"
\t"strings"
)

func (s *Store) Update(ctx context.Context, r *http.Request, id int64) error {
\tset, args := []string{}, []any{}
\tfor key, vals := range r.Form {
\t\tset, args = append(set, key+" = ?"), append(args, vals[0])
\t}
\treturn s.withTx(ctx, func(tx *sql.Tx) error {
\t\tset = append(set, "updated_ts = now()")
\t\tquery := "UPDATE item SET " + strings.Join(set, ", ") + " WHERE id = ?"
\t\t_, err := tx.ExecContext(ctx, query, append(args, id)...)
\t\treturn err
\t})
}
'''
CLOSURE_PARAM = '''package store

func (s *Store) Purge(where string) error {
\treturn s.withTx(func(tx *sqlx.Tx) error {
\t\twhere += " AND deleted = 1"
\t\ttx.MustExec("DELETE FROM item WHERE " + where)
\t\treturn nil
\t})
}
'''
HELPER_CALL = ('''package store

import "database/sql"

func (s *Store) ByOwner(ownerID int64) (*sql.Rows, error) {
\tquery := "SELECT * FROM item WHERE " + ownerFilter(ownerID)
\treturn s.db.Query(query)
}
''', '''package store

func ownerFilter(ownerID int64) string {
\tname := lookupOwnerName(ownerID)
\treturn "owner_name = '" + name + "'"
}
''')
HELPER_RANGE = '''package store

var activeFilters []string

func SetFilters(f []string) { activeFilters = f }

func filters(n int) string {
\tout := ""
\tfor _, f := range activeFilters {
\t\tout += " AND " + f
\t}
\treturn out
}
'''
SHADOW_HELPER = '''package store

import (
\t"fmt"
\t"net/http"
)

func placeholder(n int) string {
\treturn "$" + fmt.Sprint(n)
}

func (s *Store) List(r *http.Request) error {
\tplaceholder := func(n int) string { return r.FormValue("order") }
\tquery := "SELECT * FROM item ORDER BY " + placeholder(1)
\t_, err := s.db.Exec(query)
\treturn err
}
'''
GLOBAL_SLICE = '''package store

import "strings"

var columns = []string{"id"}

func AddColumn(c string) { columns = append(columns, c) }

func (s *Store) List() error {
\tcolumns = append(columns, "name")
\tquery := "SELECT " + strings.Join(columns, ", ") + " FROM item"
\t_, err := s.db.Exec(query)
\treturn err
}
'''
CONST_ELSEWHERE = '''package store

import (
\t"net/http"
\t"strconv"
)

var order string

func SetOrder(r *http.Request) { order = r.FormValue("order") }

func defaults() string {
\tconst order = "id"
\treturn order
}

func (s *Store) List() error {
\tquery := "SELECT * FROM item ORDER BY " + order + " LIMIT " + strconv.Itoa(50)
\t_, err := s.db.Exec(query)
\treturn err
}
'''
SELECT_RECV = '''package store

func (s *Store) Run(userQueries chan string) error {
\tq := "SELECT 1"
\tselect {
\tcase q = <-userQueries:
\tdefault:
\t}
\ts.db.Exec("EXPLAIN " + q)
\treturn nil
}
'''
TYPE_SWITCH = '''package store

func (s *Store) Run(v any) error {
\tq := "SELECT 1"
\tswitch q := v.(type) {
\tcase string:
\t\ts.db.Exec("EXPLAIN " + q)
\t}
\treturn nil
}
'''


@pytest.mark.parametrize("what,files,line", [
    ("closure: slice filled from r.Form keys in the outer func", {"store/db.go": CLOSURE_SLICE}, 17),
    ("closure: += on the outer func's parameter", {"store/db.go": CLOSURE_PARAM}, 6),
    ("helper(int) string whose := calls anything", {"store/db.go": HELPER_CALL[0], "store/helpers.go": HELPER_CALL[1]}, 6),
    ("helper(int) string ranging over a package var", {"store/db.go": HELPER_CALL[0].replace("ownerFilter(ownerID)", '"1=1" + filters(0)'),
                                                       "store/helpers.go": HELPER_RANGE}, 6),
    ("local closure shadows the package helper name", {"store/db.go": SHADOW_HELPER}, 14),
    ("package-level slice appended in the func", {"store/db.go": GLOBAL_SLICE}, 11),
    ("package var named like a const of another func", {"store/db.go": CONST_ELSEWHERE}, 18),
    ("select-case receive rebinding", {"store/db.go": SELECT_RECV}, 9),
    ("type-switch alias shadows the constant", {"store/db.go": TYPE_SWITCH}, 7),
])
def test_go_sql_keeps_injectable_sql(tmp_path, what, files, line):
    cleared, said = fp(tmp_path, files, sql("store/db.go", line))
    assert "constant fragments" not in said, (what, said)


def _chain(n):
    names = ["v0", "v1", "v2", "v3"]
    body = [f'\t{v} := ""' for v in names]
    for i, v in enumerate(names[:-1]):
        body += [f"\t{v} += {names[i + 1]}"] * n
    body += ['\tv3 += "x = ?"'] * n
    body.append('\tquery := "SELECT * FROM t WHERE " + v0 + strconv.Itoa(1)')
    src = 'package store\n\nimport "strconv"\n\nfunc (s *Store) Q() error {\n' + "\n".join(body) + \
          "\n\t_, err := s.db.Exec(query)\n\treturn err\n}\n"
    return src, src.count("\n") - 3


def test_go_sql_judges_each_name_once(tmp_path):
    """Took 16 s (memo-less walk per binding); the chain is all constant text, so it is cleared."""
    src, line = _chain(25)  # 113 lines, 1.3 KB
    cleared, said = fp(tmp_path, {"store/db.go": src}, sql("store/db.go", line))
    assert cleared and "`v0` (bound on lines" in said


# ---- go_listener ------------------------------------------------------------------------------------------------
COMMENT_TLS = '''package main

import "net/http"

/* The API is served by ServeTLS
(see cmd/api); this binary only redirects. */
func main() {
\thttp.ListenAndServe(":80", http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
\t\thttp.Redirect(w, req, "https://example.com", http.StatusMovedPermanently)
\t}))
}
'''


def test_go_listener_reads_tls_from_calls_not_comments(tmp_path):
    cleared, said = fp(tmp_path, {"main.go": COMMENT_TLS}, tls("main.go", 8))  # was a StopIteration traceback
    assert "not cleartext traffic" not in said


LOG_TLS = '''package main

import (
\t"log"
\t"net/http"
)

func main() {
\tlog.Println("TLS is terminated by the load balancer; do not call ListenAndServeTLS() here")
\tgo http.ListenAndServe(":80", http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
\t\thttp.Redirect(w, req, "https://"+req.Host+req.URL.Path, http.StatusMovedPermanently)
\t}))
\thttp.ListenAndServe(":8080", http.DefaultServeMux)
}
'''
HTTP_TARGET = '''package main

import (
\t"net/http"
\t"os"
)

func main() {
\ttarget := os.Getenv("REDIRECT_TO")
\tgo http.ListenAndServe(":80", http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
\t\thttp.Redirect(w, req, "http://"+target, http.StatusFound)
\t}))
\thttp.ListenAndServeTLS(":443", "c.pem", "k.pem", nil)
}
'''
OWN_HTTPHANDLER = '''package main

import (
\t"crypto/tls"
\t"net/http"

\t"golang.org/x/crypto/acme/autocert"
)

// Server wraps the application's routes.
type Server struct{ mux *http.ServeMux }

// HTTPHandler returns the routes wrapped in the given middleware; nil means none.
func (s *Server) HTTPHandler(mw func(http.Handler) http.Handler) http.Handler {
\tif mw == nil {
\t\treturn s.mux
\t}
\treturn mw(s.mux)
}

func main() {
\tsrv := &Server{mux: http.NewServeMux()}
\tm := &autocert.Manager{Prompt: autocert.AcceptTOS, HostPolicy: autocert.HostWhitelist("example.com")}
\tgo http.ListenAndServe(":80", srv.HTTPHandler(nil))
\ts := &http.Server{Addr: ":443", Handler: srv.HTTPHandler(nil), TLSConfig: &tls.Config{GetCertificate: m.GetCertificate}}
\ts.ListenAndServeTLS("", "")
}
'''


@pytest.mark.parametrize("what,code,line", [
    ("TLS only named in a log string (evidence cites line 9)", LOG_TLS, 10),
    ("redirect to http:// + a captured variable", HTTP_TARGET, 10),
    ("app's own HTTPHandler(nil) = the router on :80", OWN_HTTPHANDLER, 24),
])
def test_go_listener_keeps(tmp_path, what, code, line):
    cleared, said = fp(tmp_path, {"main.go": code}, tls("main.go", line))
    assert "not cleartext traffic" not in said, (what, said)


# ---- compose_dev ------------------------------------------------------------------------------------------------
BASE = """services:
  web:
    image: ghcr.io/acme/shop:latest
    ports:
      - "8000:8000"
  db:
    image: postgres:16
"""
PROD_OVERRIDE = """services:
  web:
    restart: always
    environment:
      DJANGO_SETTINGS_MODULE: shop.settings.production
"""
PROFILE = """services:
  web:
    image: ghcr.io/acme/shop:latest
    command: gunicorn shop.wsgi -b 0.0.0.0:8000
  worker:
    image: ghcr.io/acme/shop:latest
    command: celery -A shop worker
  frontend-dev:
    profiles: ["dev"]
    image: node:20
    command: npm run dev
"""
ENVVAR = """services:
  web:
    image: ghcr.io/acme/shop:latest
    command: gunicorn shop.wsgi
    env_file:
      - ENVFILE
"""
WATCHER = """services:
  web:
    image: ghcr.io/acme/shop:latest
    command: gunicorn shop.wsgi -b 0.0.0.0:8000
  config-watcher:
    image: ghcr.io/acme/config-watcher
    command: --watch /etc/app --reload-signal HUP
"""
DEV2 = """services:
  web:
    extends:
      file: docker-compose-base.yml
      service: base
    command: python manage.py runserver 0.0.0.0:8000
"""
PRODX = """services:
  web:
    extends:
      file: ../docker-compose-base.yml
      service: base
    command: gunicorn shop.wsgi
"""


@pytest.mark.parametrize("what,files,path", [
    ("base file that docker-compose.prod.yml overrides (-f a -f b)", {"docker-compose.yml": BASE, "docker-compose.prod.yml": PROD_OVERRIDE}, "docker-compose.yml"),
    ("production stack with a profiles:[dev] service", {"docker-compose.yml": PROFILE}, "docker-compose.yml"),
    ("env_file ${ENV_FILE:-config/dev.env}", {"docker-compose.yml": ENVVAR.replace("ENVFILE", "${ENV_FILE:-config/dev.env}")}, "docker-compose.yml"),
    ("env_file /dev/null", {"docker-compose.yml": ENVVAR.replace("ENVFILE", "/dev/null")}, "docker-compose.yml"),
    ("env_file deploy/dev-secrets/prod.env", {"docker-compose.yml": ENVVAR.replace("ENVFILE", "deploy/dev-secrets/prod.env")}, "docker-compose.yml"),
    ("--reload-signal in an unrelated service", {"docker-compose.yml": WATCHER}, "docker-compose.yml"),
    ("npm run dev:build (a build step)", {"docker-compose.yml": PROFILE.replace('    profiles: ["dev"]\n', "").replace("npm run dev", "npm run dev:build && npm run start")}, "docker-compose.yml"),
    ("base also extended by deploy/docker-compose.yml", {"docker-compose-base.yml": BASE.replace("web:", "base:"), "docker-compose.yml": DEV2,
                                                         "deploy/docker-compose.yml": PRODX}, "docker-compose-base.yml"),
])
def test_compose_dev_keeps_deployed_files(tmp_path, what, files, path):
    cleared, said = fp(tmp_path, files, compose(path))
    assert "development or test stack" not in said, (what, said)


def test_compose_dev_survives_a_deeply_nested_file(tmp_path):
    deep = "services:\n  web:\n    image: nginx\n    command: " + "[" * 5000 + "]" * 5000 + "\n"  # 10 KB: a RecursionError
    cleared, said = fp(tmp_path, {"docker-compose.yml": deep}, compose("docker-compose.yml"))
    assert "development or test stack" not in said


def test_compose_dev_reads_no_alias_bomb(tmp_path):
    """338 bytes took 8 s and one level more 650 MB: a command is read only as text or a flat list of scalars."""
    lines = ['x-a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    prev = "a"
    for n in "bcdefg":  # one more level ("bcdefgh", 376 bytes): ~67 s, 650 MB
        lines.append(f"x-{n}: &{n} [" + ",".join([f"*{prev}"] * 9) + "]")
        prev = n
    y = "\n".join(lines) + f"\nservices:\n  web:\n    image: nginx\n    command: [*{prev}]\n"  # 338 bytes
    cleared, said = fp(tmp_path, {"docker-compose.yml": y}, compose("docker-compose.yml"))
    assert "development or test stack" not in said


# ---- escaped_py -------------------------------------------------------------------------------------------------
HDR = "from django.utils.html import conditional_escape, escape\nfrom django.utils.safestring import mark_safe\n"
MODELS = '''from django.db import models


class Bookmark(models.Model):
    url = models.URLField()
    title = models.CharField(max_length=200)

    def get_absolute_url(self):
        return self.url
'''


@pytest.mark.parametrize("what,body,extra", [
    ("generator variable reuses the escaped parameter's name",
     "\n\ndef render_tags(record, value):\n    value = conditional_escape(value)\n"
     "    return mark_safe(', '.join(f'<span>{value}</span>' for value in record.tags))\n", {}),
    ("lambda parameter shadows the escaped parameter",
     "\n\ndef render_cell(value, raw):\n    value = escape(value)\n    cell = lambda value: mark_safe(f'<td>{value}</td>')\n"
     "    return cell(raw)\n", {}),
    ("match-case capture rebinds it",
     "\n\ndef render(value, data):\n    value = escape(value)\n    match data:\n        case {'name': value}:\n            pass\n"
     "    return mark_safe(f'<b>{value}</b>')\n", {}),
    ("rebound with re.escape",
     "import re\n\n\ndef pattern(value):\n    value = re.escape(value)\n    return mark_safe(f'<code>{value}</code>')\n", {}),
    ("rebound with shlex.quote",
     "import shlex\n\n\ndef command_html(value):\n    value = shlex.quote(value)\n    return mark_safe(f'<code>rm {value}</code>')\n", {}),
    ("get_absolute_url() returning the model's URLField (models.py in the repo)",
     "\n\ndef link(bookmark):\n    return mark_safe('<a href=\"{url}\">{title}</a>'.format(url=bookmark.get_absolute_url(), "
     "title=escape(bookmark.title)))\n", {"core/models.py": MODELS}),
    ("get_absolute_url() with no escaping at all ('constant data')",
     "\n\ndef link(bookmark):\n    return mark_safe(f'<a href=\"{bookmark.get_absolute_url()}\">{bookmark.pk}</a>')\n", {"core/models.py": MODELS}),
    ("unquoted attribute: escape() does not stop ' onmouseover=' (newly cleared next to get_absolute_url)",
     "\n\ndef link(device):\n    return mark_safe(f'<a href={device.get_absolute_url()} title={escape(device.name)}>x</a>')\n", {}),
])
def test_mark_safe_kept(tmp_path, what, body, extra):
    code = HDR + body
    line = next(i for i, l in enumerate(code.splitlines(), 1) if "mark_safe(" in l and "import" not in l)
    cleared, said = fp(tmp_path, {"core/tables.py": code, **extra}, b308("core/tables.py", line))
    assert "no markup can be injected" not in said, (what, said)


# ---- secret_formats.filler --------------------------------------------------------------------------------------
@pytest.mark.parametrize("code", ["auth_token = '9ewoesi8txqi7ywuek40'", "api_key = 'tt7e49e7p26ay7rvriyu1l9r'",
                                  "token = 'CUP6UR74RWQTPDE3WT7M'", "DB_PASSWORD = 'pitavyoouprudey'"])
def test_random_tokens_are_not_hand_typed(tmp_path, code):
    f, _ = _bandit(tmp_path, code)
    rec = judge(f)
    assert "keyboard row" not in " ".join(r["evidence"] for r in rec["reasons"])
