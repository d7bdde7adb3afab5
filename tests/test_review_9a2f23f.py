"""A helper's attack on 760e807..9a2f23f (set 44's tuning and round 48's mends): each input leaked a secret, cleared a
real finding, gave false evidence or ran for seconds; each test now asserts the value stays hidden and the finding stays."""

from __future__ import annotations

import subprocess

import pytest
from test_round45_rows import _reasons
from test_triage_hygiene import finding


def _final(f):
    from tasks.findings.parsers.finalise import finalise

    return finalise(dict(f, references=[], fix_hint=None))


def _reader_context(tmp_path, path, code, tool, kind, rule, start, end=None):
    from tasks.repository.source import SourceReader

    repo = tmp_path / "reader"
    (repo / path).parent.mkdir(parents=True, exist_ok=True)
    (repo / path).write_text(code)
    subprocess.run(["git", "-C", str(repo), "init", "-q"], check=True)
    reader = SourceReader(repo)
    reader.learn_secrets([{"id": "1" * 32, "tool": tool, "kind": kind, "severity": "high", "rule_id": rule, "title": "t",
                           "description": "", "location": {"path": path, "start_line": start, "end_line": end or start},
                           "snippet": None}])
    return reader.context(path, None, start, 3, end_line=end, mark_secret=True)["text"]


# =====================================================================================================================
# 1. assigned_variable / _variable: any identifier-shaped value after = or : in a *.py/.go/.js file is "a variable",
#    even inside a string literal (an embedded INI/YAML/.env block) or a comment.  The secret is not redacted, the
#    finding becomes a false positive, and the secret is quoted verbatim in secret_evidence.match and in the reason.
# =====================================================================================================================
SEC = "Zq8vR2mK7xPp4LwT9sYc3NbHf6JdEa1UqWxY2zAb"  # an AWS secret access key with no / or + (about 1 in 4 of them)
AWS_RULE = "generic.secrets.security.detected-aws-secret-access-key.detected-aws-secret-access-key"
EMBEDDED = {  # path -> (file text, flagged line)
    "deploy/creds.py": (f'import boto3\n\nCREDENTIALS = """[default]\naws_access_key_id = AKIAQYLPMN5HHHFPZAM2\n'
                        f'aws_secret_access_key = {SEC}\n"""\n', 5),
    "ci/config.go": f"package ci\n\nconst cfg = `\naws:\n  secret_access_key: {SEC}\n`\n",
    "scripts/deploy.js": f"// export AWS_SECRET_ACCESS_KEY={SEC}\nconst s3 = require('s3');\n",
    "tools/sync.py": f"import boto3\n# aws_secret_access_key = {SEC}\nclient = boto3.client('s3')\n",
}
EMBEDDED["ci/config.go"] = (EMBEDDED["ci/config.go"], 5)
EMBEDDED["scripts/deploy.js"] = (EMBEDDED["scripts/deploy.js"], 1)
EMBEDDED["tools/sync.py"] = (EMBEDDED["tools/sync.py"], 2)


@pytest.mark.parametrize("path", sorted(EMBEDDED))
def test_1_an_unquoted_secret_in_a_code_files_string_or_comment_stays_a_hidden_value(tmp_path, path):
    code, line = EMBEDDED[path]
    f = finding(rule_id=AWS_RULE, title="AWS Secret Access Key detected", snippet=code.splitlines()[line - 1],
                location={"path": path, "start_line": line, "end_line": line})
    done = _final(f)
    assert SEC not in done["snippet"]  # redacted, as 27d2f19^ did
    assert done["secret_evidence"]["class"] != "name"
    rec, said = _reasons(tmp_path, {path: code}, done)
    assert rec["verdict"] != "false_positive" and SEC not in said


# =====================================================================================================================
# 2. The same rule in SourceReader.literals(path=...): the prompt's code context shows the secret in clear, for a
#    gitleaks finding (kind secret) as much as for a Semgrep one.
# =====================================================================================================================
@pytest.mark.parametrize("tool,kind,rule", [("gitleaks", "secret", "aws-access-token"), ("semgrep", "code", AWS_RULE)])
def test_2_the_prompt_context_of_a_secret_finding_shows_the_identifier_shaped_secret(tmp_path, tool, kind, rule):
    code, line = EMBEDDED["deploy/creds.py"]
    text = _reader_context(tmp_path, "deploy/creds.py", code, tool, kind, rule, line)
    assert SEC not in text  # [REDACTED secret sha256:0da9bba9db8c], as 27d2f19^ showed it


# =====================================================================================================================
# 3. Issuer-format keys are always identifier-shaped (AKIA..., ghp_...): detect-secrets still redacts them, but the
#    verdict flips from true positive (27d2f19^: high-entropy) to "the variable `[REDACTED ...]`" -- a false positive.
# =====================================================================================================================
@pytest.mark.parametrize("rule,path,code,line", [
    ("generic.secrets.security.detected-aws-access-key-id-value.detected-aws-access-key-id-value", "deploy/creds.py",
     'CREDENTIALS = """[default]\naws_access_key_id = AKIAQYLPMN5HHHFPZAM2\n"""\n', 2),
    ("generic.secrets.security.detected-github-token.detected-github-token", "scripts/release.js",
     "// export GITHUB_TOKEN=ghp_Zq8vR2mK7xPp4LwT9sYc3NbHf6JdEa1UqWxY\nconst x = 1;\n", 1),
])
def test_3_a_live_issuer_format_key_in_a_comment_or_string_is_cleared_as_a_variable(tmp_path, rule, path, code, line):
    f = finding(rule_id=rule, title="secret", snippet=code.splitlines()[line - 1],
                location={"path": path, "start_line": line, "end_line": line})
    done = _final(f)
    rec, said = _reasons(tmp_path, {path: code}, done)
    assert "the flagged value is the variable" not in said


# =====================================================================================================================
# 4. plausible()'s f-string exemption drops everything inside {...}: a literal secret inside a field expression, or a
#    password made of a word and a field, is no longer redacted (finalise snippet and reader context).
# =====================================================================================================================
FSTR = ('import os\n\nHEADERS = {"Authorization": f"Bearer {os.environ.get(\'API_TOKEN\') or \'prod-Sup3rS3cret-2024\'}"}\n'
        'ADMIN_PASSWORD = f"Welcome{date.today().year}"\n')


@pytest.mark.parametrize("line,leaked", [(3, "prod-Sup3rS3cret-2024"), (4, 'f"Welcome{date.today().year}"')])
def test_4_an_fstring_holding_a_literal_secret_or_a_word_password_is_left_in_clear(tmp_path, line, leaked):
    snippet = FSTR.splitlines()[line - 1]
    done = _final(finding(rule_id="tmp.rules.hardcoded-password", title="Hardcoded password", snippet=snippet,
                          location={"path": "app/client.py", "start_line": line, "end_line": line}))
    assert leaked not in done["snippet"]  # f"[REDACTED secret sha256:...]", as ed93c4f^ did
    text = _reader_context(tmp_path, "app/client.py", FSTR, "semgrep", "code", "tmp.rules.hardcoded-token", 3, 4)
    assert leaked not in text


# =====================================================================================================================
# 5. CLASS_NAME's dotted alternative: any a.b.Word value -- digits allowed in the lowercase parts -- is "a namespaced
#    class name", so a dotted password under an API-key rule is a false positive.
# =====================================================================================================================
@pytest.mark.parametrize("value", ["svc_7f3k.x9q2m.Winterfell", "acme.prod2024.Secret"])
def test_5_a_dotted_secret_is_called_a_class_name_and_cleared(tmp_path, value):
    code = f'API_SECRET = "{value}"\n'
    done = _final(finding(rule_id="tmp.rules.generic-api-key", title="Generic API Key", snippet=code.strip(),
                          location={"path": "app/settings.py", "start_line": 1, "end_line": 1}))
    assert done["secret_evidence"]["class"] != "code-word"
    rec, said = _reasons(tmp_path, {"app/settings.py": code}, done)
    assert "a namespaced class name" not in said


# 6. ... and its `[A-Z][A-Za-z]*[a-z][A-Za-z]*$` tail backtracks quadratically once a dotted lowercase prefix admits it
def test_6_the_dotted_class_name_regex_rejects_a_long_value_at_once():
    from tasks.findings.secret_evidence import classify_one

    value = "a.b.A" + "a" * 40000 + "1"  # one long flagged literal
    assert classify_one(value)["class"] != "code-word"  # took ~8 s (quadratic backtracking); the lookahead rejects it at once


# =====================================================================================================================
# 7. log_secret: `extra=` is never weighed (JSON log formatters write it), and a constant -- in the message or as an
#    argument -- counts as "an identity", so a log line that writes a hardcoded credential is cleared "never the secret".
# =====================================================================================================================
LOG_HEAD = "import logging\n\nlogger = logging.getLogger(__name__)\n\n\ndef change(user, new_password):\n"


@pytest.mark.parametrize("call", [
    '    logger.info("password changed for %s", user.username, extra={"password": new_password})\n',
    '    logger.info("using api key %s for %s", "Xk9fj2LmQ81zPq7W", user.username)\n',
    '    logger.debug("connecting to the database with password Xk9fj2LmQ81zPq7W")\n',
])
def test_7_a_log_line_that_writes_a_credential_is_cleared(tmp_path, call):
    f = finding(rule_id="python.lang.security.audit.logging.logger-credential-leak.python-logger-credential-disclosure",
                title="t", location={"path": "app/accounts.py", "start_line": 7, "end_line": 7})
    rec, said = _reasons(tmp_path, {"app/accounts.py": LOG_HEAD + call}, f)
    assert "no credential in the log line" not in said


# =====================================================================================================================
# 8. absolute_urls: only `def get_absolute_url` counts.  Django's ABSOLUTE_URL_OVERRIDES replaces the method, a class
#    attribute (lambda / alias) defines it, and files past MAX_FILES are never read -- each still "all return reverse()".
# =====================================================================================================================
MODEL = ("from django.urls import reverse\n\n\nclass Ingredient:\n    def get_absolute_url(self):\n"
         "        return reverse('nutrition:ingredient:view', kwargs={'pk': self.id})\n")
LINKS = '{% for link in links %}\n<a class="item"\n   href="{{ link.get_absolute_url }}">{{ link.name }}</a>\n{% endfor %}\n'
STORED = {
    "ABSOLUTE_URL_OVERRIDES": {"app/settings.py": "ABSOLUTE_URL_OVERRIDES = {\n    'links.link': lambda o: o.target,\n}\n"},
    "lambda attribute": {"app/links/models.py": "from django.db import models\n\n\nclass Link(models.Model):\n"
                                                "    target = models.CharField(max_length=500)\n"
                                                "    get_absolute_url = lambda self: self.target\n"},
    "alias attribute": {"app/links/models.py": "class Link:\n    def _url(self):\n        return self.target\n"
                                               "    get_absolute_url = _url\n"},
}


def _href():
    return finding(rule_id="tmp.rules.var-in-href", title="t",
                   location={"path": "app/templates/links.html", "start_line": 3, "end_line": 3})


@pytest.mark.parametrize("what", sorted(STORED))
def test_8_a_stored_url_behind_get_absolute_url_is_trusted_in_href(tmp_path, what):
    files = {"app/templates/links.html": LINKS, "app/nutrition/models.py": MODEL, **STORED[what]}
    rec, said = _reasons(tmp_path, files, _href())
    assert "get_absolute_url` definitions all return reverse()" not in said


def test_8b_absolute_url_overrides_clear_mark_safe_too(tmp_path):
    from test_set43 import JOBS, _b308

    files = {"core/tables/jobs.py": JOBS, "core/settings.py": "ABSOLUTE_URL_OVERRIDES = {'core.device': lambda d: d.homepage}\n",
             "core/models.py": "from django.urls import reverse\n\n\nclass Device:\n    def get_absolute_url(self):\n"
                               "        return reverse('dcim:device', args=[self.pk])\n"}
    rec, said = _reasons(tmp_path, files, _b308(24))
    assert "`device.get_absolute_url()`, the object's own URL path" not in said


def test_8c_a_stored_url_definition_past_the_first_4000_python_files_is_never_read(tmp_path):
    files = {"app/templates/links.html": LINKS, "app/a_models.py": MODEL,
             **{f"app/gen/m{i:04d}.py": "X = 1\n" for i in range(4000)},
             "zz/links/models.py": "class Link:\n    def get_absolute_url(self):\n        return self.target\n"}
    rec, said = _reasons(tmp_path, files, _href())
    assert "`get_absolute_url` definitions all return reverse()" not in said  # 4,001 files: the rest unread, unknown


# =====================================================================================================================
# 9. pr_only_action: with `permissions: {}` a credential that reaches the unpinned action through env (a configuration
#    variable, a literal, a value a step wrote to $GITHUB_ENV) is "no credential" now that ${{ env.X }} no longer blocks.
# =====================================================================================================================
def _workflows():
    from test_set44 import TESTS

    return {
        "vars": TESTS.replace("permissions: {}\n", "permissions: {}\nenv:\n  DEPLOY_TOKEN: ${{ vars.DEPLOY_TOKEN }}\n")
        + "      with:\n        token: ${{ env.DEPLOY_TOKEN }}\n",
        "literal": TESTS.replace("permissions: {}\n", "permissions: {}\nenv:\n  NPM_TOKEN: npm_Zq8vR2mK7xPp4LwT9sYc3NbHf6JdEa1UqWxY\n")
        + "      with:\n        token: ${{ env.NPM_TOKEN }}\n",
        "GITHUB_ENV": TESTS.replace("    - uses: shivammathur/setup-php@v2\n",
                                    '    - run: echo "API_KEY=$(cat /run/keys/api)" >> $GITHUB_ENV\n'
                                    "    - uses: shivammathur/setup-php@v2\n") + "      with:\n        key: ${{ env.API_KEY }}\n",
    }


@pytest.mark.parametrize("what", ["vars", "literal", "GITHUB_ENV"])
def test_9_a_credential_handed_to_the_unpinned_action_through_env_is_nothing_to_steal(tmp_path, what):
    from test_set44 import _action

    text = _workflows()[what]
    line = next(n for n, x in enumerate(text.splitlines(), 1) if "shivammathur" in x)
    rec, said = _reasons(tmp_path, {".github/workflows/tests.yml": text}, _action(line))
    assert "sees no credential" not in said


# =====================================================================================================================
# 10. suppression_place: a multi-line string whose opening line does not END with the quotes (the usual
#     `f"""SELECT ... {t}`) still gets "on the flagged line" -- inside the string, where bandit ignores it and where it
#     becomes text of the SQL.
# =====================================================================================================================
def test_10_a_nosec_for_a_string_opened_mid_line_goes_inside_the_string():
    from tasks.fixes.suppression import suppression_place

    snippet = ('9     cursor.execute(\n10         f"""SELECT id, name FROM {TABLE}\n11         WHERE id = %s""", (pk,))\n'
               '12 ')
    f = finding(tool="bandit", rule_id="B608", title="Possible SQL injection vector through string-based query construction.",
                snippet=snippet, location={"path": "app/db.py", "start_line": 10, "end_line": 11})
    rec = {"verdict": "false_positive", "reasons": [{"check": "code", "evidence": "constant data"}]}
    assert suppression_place(f, rec).startswith("on line 11, after the string that line 10 opens")


# =====================================================================================================================
# 11. families: the secret-in-log keywords match inside words ("dialog-password", "blog-secret", "catalog-secret"),
#     so a hardcoded-secret rule gets "Log who and what ..." instead of "rotate the credential".
# =====================================================================================================================
@pytest.mark.parametrize("rule", ["tmp.rules.hardcoded-dialog-password", "tmp.rules.blog-secret-key-hardcoded",
                                  "tmp.rules.catalog-secret-in-source"])
def test_11_a_hardcoded_secret_rule_containing_log_is_the_secret_in_log_family(rule):
    from tasks.fixes.families import family_of

    assert family_of(finding(rule_id=rule, title="Hardcoded secret"), ["CWE-798"]) == "hardcoded-secret"


# =====================================================================================================================
# 12. stage_base (the safe direction, a wrong verdict all the same): a final stage FROM scratch or pinned by digest
#     (`alpine@sha256:...`, stricter than any tag) counts as "unpinned", so the copy-only build stage stays a finding.
# =====================================================================================================================
@pytest.mark.parametrize("final", ["FROM scratch", "FROM alpine@sha256:" + "a" * 64])
def test_12_a_scratch_or_digest_pinned_final_stage_counts_as_pinned(tmp_path, final):
    f = finding(tool="checkov", kind="config", rule_id="CKV_DOCKER_7", title="Ensure the base image uses a non latest version tag",
                location={"path": "Dockerfile", "start_line": 1, "end_line": 1})
    docker = f"FROM golang:latest AS build\nRUN go build -o /app .\n{final}\nCOPY --from=build /app /app\n"
    rec, said = _reasons(tmp_path, {"Dockerfile": docker}, f)
    assert "a build-only stage" in said
    pinned = docker.replace(final, "FROM alpine:3.20")
    rec, said = _reasons(tmp_path / "tag", {"Dockerfile": pinned}, f)
    assert "a build-only stage" in said  # a tag clears it; scratch or a digest does not
