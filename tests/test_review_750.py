"""Hostile review of 750ff3a: each test fails today because of a real defect (secret leaks first, then true positives
cleared, then wrong facts).  Every test states the wrong behaviour and the right one."""

from __future__ import annotations

import subprocess

from test_round45_rows import _reasons
from test_triage_hygiene import finding


def _bandit(rule: str, path: str, line: int, title: str, end: int | None = None, snippet: str | None = None) -> dict:
    return {"id": "1" * 32, "tool": "bandit", "kind": "code", "severity": "low", "rule_id": rule, "title": title,
            "description": title, "location": {"path": path, "start_line": line, "end_line": end or line},
            "snippet": snippet, "references": [], "fix_hint": None}


# ---------------------------------------------------------------------------------------------------------------
# 1. secret leaks
# ---------------------------------------------------------------------------------------------------------------

B107_DEPLOY = '''10 def upload(host, user="deploy", password=""):
11     ftp = FTP(host)
12     ftp.login("deploy", "Vq7Rm2Xk9Lp4Tz8N")
13     sig = hmac.new(b"Hk3Jw9Qe5Rt7Yu1Io0Pz", data, "sha256")
14     requests.get(url, auth=("deploy", "Bx5Nm8Kq2Wz7Rt4Y"))
15     conn = psycopg2.connect("postgresql://deploy:Pg8Wq3Zr6Tn1Lm5K@db/prod")
'''


def test_b107_keeps_redacting_positional_secrets_of_its_function():
    """finalise._other_secret (finalise.py:42) now also demands given_to_secret(): a literal must follow a secret-named
    `name=`/`key:`.  A B107 spans a whole function, so its FTP login password (positional), its HMAC key (positional),
    a `requests` auth tuple and a database URL with a password are all left in the snippet in clear (the parent,
    487e6fe, redacted all four; _other_secret's own docstring names "an FTP login's password, an HMAC key").
    Right: high-entropy literals of the function that are not prose stay redacted; only docstrings/messages are kept."""
    from tasks.findings.parsers.finalise import finalise

    out = finalise(_bandit("B107", "deploy.py", 10, "Possible hardcoded password: ''", 15, B107_DEPLOY))["snippet"]
    for secret in ("Vq7Rm2Xk9Lp4Tz8N", "Hk3Jw9Qe5Rt7Yu1Io0Pz", "Bx5Nm8Kq2Wz7Rt4Y", "Pg8Wq3Zr6Tn1Lm5K"):
        assert secret not in out, secret


def test_the_source_reader_keeps_learning_positional_secrets_of_a_b107_function(tmp_path):
    """source.py:181 filters the learnt literals through secret_literals.kept_literals: the same positional FTP
    password / HMAC key / DB URL password are no longer learnt, so the context shown to the model (and every row built
    from it) carries them in clear.  Right: they are learnt and redacted as before."""
    from tasks.repository.source import SourceReader

    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "deploy.py").write_text("\n" * 9 + "\n".join(l.split(" ", 1)[1] for l in B107_DEPLOY.splitlines()) + "\n")
    subprocess.run(["git", "-C", str(repo), "init", "-q"], check=True)
    reader = SourceReader(repo)
    reader.learn_secrets([_bandit("B107", "deploy.py", 10, "Possible hardcoded password: ''", 15)])
    text = reader.context("deploy.py", None, 12, 6)["text"]
    for secret in ("Vq7Rm2Xk9Lp4Tz8N", "Hk3Jw9Qe5Rt7Yu1Io0Pz", "Pg8Wq3Zr6Tn1Lm5K"):
        assert secret not in text, secret


def test_a_sentence_passphrase_flagged_by_bandit_is_redacted():
    """secrets.dummy_word (secrets.py:236) now returns True for secret_literals.not_a_value(), i.e. any 'prose' of 4+
    words ending in . ! ? or holding a comma, and plausible() checks dummy_word *before* the secret-named key.  A
    sentence passphrase -- the form NIST and most key tools recommend -- that Bandit quotes exactly is therefore never
    redacted: `SSH_PASSPHRASE = "Winter is coming, stay warm!"` leaves title, description and snippet in clear (the
    parent redacted it).  Same for names_itself(): `password = "my secret key"`.
    Right: the value Bandit flagged under a secret's name is redacted whatever words it is made of."""
    from tasks.findings.parsers.finalise import finalise

    for value, name in (("Winter is coming, stay warm!", "SSH_PASSPHRASE"), ("Mary had a little lamb.", "passphrase"),
                        ("my secret key", "password")):
        f = _bandit("B105", "app.py", 1, f"Possible hardcoded password: '{value}'", snippet=f'1 {name} = "{value}"\n')
        out = finalise(f)
        assert value not in out["snippet"] and value not in out["title"], value


def test_a_detect_secrets_keyword_hit_that_reads_as_a_sentence_is_still_redacted():
    """secrets._scan_line drops every detect-secrets hit for which dummy_word() is true; dummy_word now includes
    prose(), so a keyword-plugin hit on `db_password = "Blue horses eat purple grass!"` in any text field of any tool
    (a description, a snippet) is dropped.  Right: detect-secrets' own hits on a secret-named assignment stay."""
    from tasks.findings import secrets

    line = 'db_password = "Blue horses eat purple grass!"'
    assert secrets.plausible("Blue horses eat purple grass!", line)


def test_a_weak_password_that_looks_like_a_model_family_is_not_cleared_or_leaked():
    """secret_formats._MODEL (secret_formats.py:190) accepts any lower-case family word followed by a separator and
    anything with a digit: 'falcon-2024', 'titan_1987', 'nova-8f3k2j9d0s8a7f6g5h4j3k2l1m0n' are 'an AI model's
    published name'.  plausible() (no context) now rejects them, so when Bandit flags `pw="titan_1987"` (a name
    _SECRET_KEY_BEFORE does not know) the password stays in title, description and snippet (the parent redacted it).
    Right: a word-plus-year password or a random tail is not a model name; redact it."""
    from tasks.findings.parsers.finalise import finalise

    for value in ("falcon-2024", "titan_1987", "nova-8f3k2j9d0s8a7f6g5h4j3k2l1m0n"):
        f = _bandit("B106", "db.py", 3, f"Possible hardcoded password: '{value}'",
                    snippet=f'3 db = connect(user="app", pw="{value}")\n')
        out = finalise(f)
        assert value not in out["title"] and value not in out["snippet"], value


def test_a_password_under_a_password_name_is_never_an_ai_model_name():
    """classify_one (secret_evidence.py:197) tests model_name() even with for_password=True: Bandit's
    `DB_PASSWORD = "nova-8f3k2j9d0s8a7f6g5h4j3k2l1m0n"` gets class code-word, 'an AI model's published name', which the
    triage turns into 'not a credential' (context.py:231).  Wrong fact and a real password cleared.
    Right: under a password (for_password) a value is not read as a model name (as php_class already is not)."""
    from tasks.findings.secret_evidence import classify_one

    for value in ("nova-8f3k2j9d0s8a7f6g5h4j3k2l1m0n", "falcon-2024", "command-r7x9q2w4e6"):
        assert classify_one(value, for_password=True, from_code=True)["class"] != "code-word", value


# ---------------------------------------------------------------------------------------------------------------
# 2. true positives cleared
# ---------------------------------------------------------------------------------------------------------------

FS_VIEW = """import fs from 'fs'

export class Files {
    cleanPath(p) {
        if (p.includes('..')) {
            throw new Error('no parent')
        }
        return p
    }

    safeUnder(root, p) {
        if (!p.startsWith(root)) {
            throw new Error('outside')
        }
        return p
    }

    download(req, res) {
        const file = this.cleanPath(req.query.file)
        res.send(fs.readFileSync(file))
    }

    upload(req, res) {
        const target = this.safeUnder(this.root, req.body.target)
        fs.writeFileSync(target, req.body.data)
    }
}
"""


def _fs(line):
    rule = "tmp.rules.detect-non-literal-fs-filename"
    return finding(tool="semgrep", rule_id=rule, title=rule, location={"path": "src/files.js", "start_line": line,
                                                                      "end_line": line})


def test_a_dot_dot_check_alone_does_not_sanitise_an_absolute_path(tmp_path):
    """sanitised_path._body_sanitises (sanitised_path.py:~107) takes any `if (x.includes('..')) throw` as a sanitiser;
    `cleanPath` returns its input unchanged, so `fs.readFileSync(cleanPath(req.query.file))` with file=/etc/passwd
    reads any file.  The triage calls it a false positive ('no separator or `..` from outside reaches the file
    system', itself false: separators do).  Right: a check that leaves separators/absolute paths is no sanitiser."""
    rec, said = _reasons(tmp_path, {"src/files.js": FS_VIEW}, _fs(20))
    assert "sanitised before the file call" not in said
    assert rec["verdict"] != "false_positive"


def test_a_prefix_check_on_an_unnormalised_path_is_no_containment(tmp_path):
    """`if (!p.startsWith(root)) throw` on a raw path: '/srv/uploads/../../etc/cron.d/x' starts with the root.
    sanitised_path._variable knows 'a prefix test holds only for a normalised path', but _body_sanitises accepts
    _CONTAIN's `!x.startsWith(y)` inside a function without any path.resolve/normalize.  Right: stays a finding."""
    rec, said = _reasons(tmp_path, {"src/files.js": FS_VIEW}, _fs(25))
    assert "sanitised before the file call" not in said
    assert rec["verdict"] != "false_positive"


GO_BRANCH = """package server

import (
\t"io"
\t"net/http"
)

func (s *Server) handleEcho(w http.ResponseWriter, r *http.Request) {
\tif r.URL.Query().Get("format") == "text" {
\t\tw.Header().Set("Content-Type", "text/plain")
\t}
\tio.WriteString(w, r.URL.Query().Get("q"))
}
"""


def test_a_content_type_set_in_one_branch_only_does_not_clear_the_write(tmp_path):
    """response_type.check_response_type (response_type.py:~98) counts one `Set("Content-Type", "text/plain")`
    anywhere before the write, even inside an `if` that the default path skips: without ?format=text Go sniffs the
    reflected `q` as text/html -> reflected XSS.  The triage says 'the response is not HTML'.
    Right: the Set must dominate the write (same block, not inside a conditional) or the finding stays."""
    rule = "tmp.rules.no-io-writestring-to-responsewriter"
    f = finding(tool="semgrep", rule_id=rule, title=rule, location={"path": "server/echo.go", "start_line": 12, "end_line": 12})
    rec, said = _reasons(tmp_path, {"server/echo.go": GO_BRANCH}, f)
    assert "response is not HTML" not in said
    assert rec["verdict"] != "false_positive"


GO_CALLERS = """package server

import "net/http"

func (s *Server) handleStream(w http.ResponseWriter, r *http.Request, contentType string) error {
\tw.Header().Set("Content-Type", contentType)
\t_, err := w.Write([]byte(r.URL.Query().Get("q")))
\treturn err
}

func (s *Server) handleJSON(w http.ResponseWriter, r *http.Request) error {
\treturn s.handleStream(w, r, "application/json")
}

func (s *Server) handleAny(w http.ResponseWriter, r *http.Request) error {
\treturn s.handleStream(w, r, r.Header.Get("Accept"))
}
"""


def test_a_caller_passing_a_request_header_as_content_type_keeps_the_finding(tmp_path):
    """response_type._callers' pattern `name\\(([^()]*)\\)` cannot match a call whose arguments hold parentheses, so
    `s.handleStream(w, r, r.Header.Get("Accept"))` is silently skipped and the evidence claims 'every call of
    handleStream() passes a non-HTML type' -- the attacker picks `Accept: text/html`.  Right: a call that cannot be
    read (or passes a non-literal) keeps the finding."""
    rule = "tmp.rules.no-direct-write-to-responsewriter"
    f = finding(tool="semgrep", rule_id=rule, title=rule, location={"path": "server/stream.go", "start_line": 7, "end_line": 7})
    rec, said = _reasons(tmp_path, {"server/stream.go": GO_CALLERS}, f)
    assert "every call of handleStream() passes a non-HTML type" not in said
    assert rec["verdict"] != "false_positive"


ALLOW_ALL = '''from urllib.parse import urlparse

from django.shortcuts import redirect


def _allow_redirect(redirect_url):
    parsed = urlparse(redirect_url)
    if parsed.netloc:
        print("redirecting off-site to", parsed.netloc)
    return True


def after_login(request):
    redirect_url = request.GET.get("next")
    if redirect_url and _allow_redirect(redirect_url):
        return redirect(redirect_url)
    return redirect("hc-index")
'''


def test_an_allow_check_that_mentions_netloc_but_allows_everything_is_no_guard(tmp_path):
    """redirect_target._check_kind accepts any `_allow_redirect` whose body merely contains 'netloc' and
    'urlparse(' (redirect_target.py:~196); this one returns True for every URL, yet the triage says 'parses the URL and
    compares its host (`netloc`), so another site's URL is refused' -- a wrong fact and an open redirect cleared.
    Right: the netloc must decide a refusing return (e.g. `if parsed.netloc: return False`)."""
    f = finding(rule_id="python.django.security.injection.open-redirect.open-redirect", title="open redirect",
                location={"path": "hc/accounts/views.py", "start_line": 16, "end_line": 16})
    rec, said = _reasons(tmp_path, {"hc/accounts/views.py": ALLOW_ALL}, f)
    assert "another site's URL is refused" not in said
    assert rec["verdict"] != "false_positive"


# ---------------------------------------------------------------------------------------------------------------
# 3. per-finding work over the whole repository
# ---------------------------------------------------------------------------------------------------------------


def test_the_sanitiser_search_does_not_rescan_the_repository_for_every_finding():
    """sanitised_path._Tracer.sanitiser looks for an undefined name (an import from a package) in up to MAX_FILES=3000
    files of the repository, and its memo lives on a _Tracer made per finding: ten fs findings that call the same
    imported `uploadPath` read and regex-scan every JavaScript file ten times (about 0.4 s per finding on a 3000-file
    repository here; a repository has thousands of such findings).  Right: the name -> definition index is built once
    per repository (or cached per reader), so later findings read no file again."""
    from repo_reader import FilesReader
    from tasks.triage.sanitised_path import check_sanitised_path

    files = {f"src/mod{k}/f{k}.js": f"export const v{k} = {k}\n" for k in range(3000)}
    main = ("import fs from 'fs'\nimport { uploadPath } from 'lib'\n\nexport class A {\n    save(name, data) {\n"
            "        const p = uploadPath(name)\n        fs.writeFileSync(p, data)\n    }\n}\n")
    for n in range(10):
        files[f"src/app/a{n}.js"] = main

    class Counting(FilesReader):
        reads = 0

        def lines(self, path, commit=None):
            Counting.reads += 1
            return super().lines(path, commit)

    reader, names = Counting(files), list(files)
    rule = "tmp.rules.detect-non-literal-fs-filename"
    for n in range(10):
        f = finding(tool="semgrep", rule_id=rule, title=rule,
                    location={"path": f"src/app/a{n}.js", "start_line": 7, "end_line": 7})
        assert check_sanitised_path(f, reader, names) is None
    assert Counting.reads < 2 * len(files), Counting.reads
