"""A hostile review of ea17702..4d23bd9 (builder_image, go_random, jinja_text, lockfile _workspace, workflows writers,
random_use's `author` exclusion): 15 defects, each asserting the correct behaviour; every one failed before its mend."""

from __future__ import annotations

import time

from test_round45_rows import _reasons
from test_set46 import MANIFEST, YARN
from test_triage_hygiene import finding

GO_RULE = "go.lang.security.audit.crypto.math-random-used.math-random-used"
JINJA_RULE = "python.jinja2.security.audit.missing-autoescape-disabled.missing-autoescape-disabled"


def _go(path, line=4):
    return finding(rule_id=GO_RULE, location={"path": path, "start_line": line, "end_line": line})


def _dep(path, line):
    return finding(rule_id="package-dependencies-check", title="package-dependencies-check",
                   location={"path": path, "start_line": line, "end_line": line})


def _read(files):
    return lambda p: files.get(p, "").splitlines(True)


# ---------------------------------------------------------------- builder_image

def test_builder_image_that_compose_runs_as_a_container_is_not_build_only(tmp_path):
    """builder_image clears a Dockerfile as "no container runs this image" only because some other Dockerfile also
    uses the tag as a COPY --from stage; it never looks at whether the same tag is run (docker-compose `image:`,
    `docker run`). Here app:latest is the shipped, running image (compose + docker run), and a test Dockerfile merely
    copies files out of it: the missing USER of the running image is cleared as a build-only image."""
    from tasks.triage.builder_image import builder_image

    files = {
        "scripts/build.sh": "docker build -t myorg/app:latest -f Dockerfile .\ndocker run -d -p 80:8080 myorg/app:latest\n",
        "Dockerfile": "FROM python:3.12\nCOPY . /srv\nCMD [\"python\", \"/srv/app.py\"]\n",
        "tests/Dockerfile.test": "FROM myorg/app:latest AS app\nFROM python:3.12 AS tests\nCOPY --from=app /srv /srv\n",
        "docker-compose.yml": "services:\n  web:\n    image: myorg/app:latest\n    ports: ['80:8080']\n",
    }
    f = finding(tool="checkov", kind="config", rule_id="CKV_DOCKER_3", title="Ensure that a user for the container has been created",
                location={"path": "Dockerfile", "start_line": 1, "end_line": 3})
    rec, said = _reasons(tmp_path, files, f)  # end to end: today a false_positive "no container runs this image"
    assert rec["verdict"] != "false_positive" and "build-only image" not in said, said
    assert builder_image("Dockerfile", list(files), _read(files)) is None


def test_builder_image_takes_tags_of_another_build_on_the_same_line():
    """_built_as collects every --tag of a joined command line: `docker build -f builder.dockerfile -t app:builder . &&
    docker build -f Dockerfile -t app:latest .` makes the shipped Dockerfile look built as `app:builder`, so the
    shipped image (which runs) is cleared as build-only, with evidence stating a false fact (`builds Dockerfile as
    app:builder`)."""
    from tasks.triage.builder_image import builder_image

    files = {
        "build.sh": "docker build -f builder.dockerfile -t app:builder . && docker build -f Dockerfile -t app:latest .\n",
        "builder.dockerfile": "FROM golang:1.22\nRUN go build -o /out/app .\n",
        "Dockerfile": "FROM app:builder AS builder\nFROM debian:12 AS dist\nCOPY --from=builder /out/app /app\nCMD [\"/app\"]\n",
        "other.dockerfile": "FROM app:builder AS builder\nFROM alpine AS final\nCOPY --from=builder /out/app /app\n",
    }
    assert builder_image("Dockerfile", list(files), _read(files)) is None


def test_builder_image_stage_names_are_case_insensitive():
    """Docker lowercases stage names: `FROM img:builder AS Builder` ... `FROM builder AS dist` builds the shipped stage
    ON the builder image (its user is the builder image's). builder_image compares names case-sensitively, misses the
    base use, and clears the builder Dockerfile's missing USER although the running container inherits it."""
    from tasks.triage.builder_image import builder_image

    files = {
        "build.sh": "docker build --tag=img:builder --file=builder.dockerfile .\n",
        "builder.dockerfile": "FROM python:3.13\nRUN pip install app\n",
        "dist.dockerfile": "FROM img:builder AS Builder\nFROM builder AS dist\nCOPY --from=Builder /x /x\nCMD [\"app\"]\n",
    }
    assert builder_image("builder.dockerfile", list(files), _read(files)) is None


def test_builder_image_is_quadratic_in_a_dockerfiles_from_lines():
    """Each FROM/COPY match recomputes its line number with text[:start].count("\\n"), and the other Dockerfiles have no
    size cap (MAX_TEXT guards only the scripts): one committed Dockerfile of ~90k FROM lines (about 2 MB, under the
    reader's 4 MiB cap) costs O(n^2) work in a triage run."""
    from tasks.triage.builder_image import builder_image

    big = "".join(f"FROM scratch AS s{i}\n" for i in range(90_000))
    files = {"build.sh": "docker build -t img:b -f a.dockerfile .\n", "a.dockerfile": "FROM alpine\n", "big.dockerfile": big}
    start = time.perf_counter()
    builder_image("a.dockerfile", list(files), _read(files))
    assert time.perf_counter() - start < 10.0  # linear work is ~0.1 s; measured: 20k lines 2 s, 40k lines 8 s


# ---------------------------------------------------------------- go_random

def test_go_random_ignores_the_line_that_uses_the_value():
    """The words compared are the function names and the CALLER lines, never the math/rand line itself: `fill`
    assigns `u.APIToken = strconv.Itoa(rand.Int())`, its caller is `fill(u)`, so an API token made with math/rand is
    cleared as "no security role"."""
    src = ('package users\n\nimport (\n\t"math/rand"\n\t"strconv"\n)\n\nfunc fill(u *User) {\n'
           '\tu.APIToken = strconv.Itoa(rand.Int())\n}\n')
    caller = 'package users\n\nfunc Create(u *User) {\n\tfill(u)\n\tsave(u)\n}\n'
    rec, said = _reasons_go({"users/fill.go": src, "users/create.go": caller}, "users/fill.go")
    assert rec["verdict"] != "false_positive", said


RANDOM_STRING = ('package utils\n\nimport (\n\t"math/rand"\n)\n\nvar letters = []rune("abcdef")\n\n'
                 'func RandomString(n int) string {\n\tb := make([]rune, n)\n\tfor i := range b {\n'
                 '\t\tb[i] = letters[rand.Intn(len(letters))]\n\t}\n\treturn string(b)\n}\n')


def test_go_random_ignores_the_function_that_holds_the_call_site():
    """A call site is read as one line: `return utils.RandomString(32)` inside `func GenerateAPIKey()` names nothing,
    so RandomString, which makes API keys, is cleared as "no security role"; the enclosing function's name
    (GenerateAPIKey) is exactly what shows its role."""
    keys = 'package auth\n\nfunc GenerateAPIKey() string {\n\treturn utils.RandomString(32)\n}\n'
    rec, said = _reasons_go({"utils/random.go": RANDOM_STRING, "api/keys.go": keys}, "utils/random.go")
    assert rec["verdict"] != "false_positive", said


def test_go_random_skips_package_level_uses():
    """`_uses` records a rand call only inside a `func`: a package-level `var jwtSecret = ... rand.Int63()` before the
    first function is never seen, and the one innocuous jitter() decides: the JWT secret is cleared."""
    src = ('package server\n\nimport (\n\t"math/rand"\n\t"strconv"\n\t"time"\n)\n\n'
           'var jwtSecret = []byte(strconv.FormatInt(rand.Int63(), 16))\n\n'
           'func jitter() time.Duration {\n\treturn time.Duration(rand.Intn(100)) * time.Millisecond\n}\n')
    caller = 'package server\n\nfunc retry() {\n\ttime.Sleep(jitter())\n}\n'
    rec, said = _reasons_go({"server/conf.go": src, "server/retry.go": caller}, "server/conf.go")
    assert rec["verdict"] != "false_positive", said


def test_go_random_counts_crypto_rand_calls_as_math_rand():
    """With `crypto/rand` imported as `rand` and math/rand as `mrand`, `\\brand\\.` finds only the crypto calls
    (rand.Int(rand.Reader, ...)), never `mrand.Int63()`: the session secret made with math/rand is cleared, and the
    evidence says math/rand is used in backoff() (`rand.Int`), which is crypto/rand - a false fact."""
    src = ('package session\n\nimport (\n\t"crypto/rand"\n\tmrand "math/rand"\n\t"math/big"\n)\n\n'
           'func newSecret() int64 {\n\treturn mrand.Int63()\n}\n\n'
           'func backoff() int64 {\n\tn, _ := rand.Int(rand.Reader, big.NewInt(100))\n\treturn n.Int64()\n}\n')
    caller = 'package session\n\nfunc wait() {\n\tsleep(backoff())\n}\n'
    rec, said = _reasons_go({"session/gen.go": src, "session/wait.go": caller}, "session/gen.go", line=5)
    assert rec["verdict"] != "false_positive", said
    assert "backoff()" not in said or "math/rand only" not in said


def test_go_random_truncated_call_sites_clear_the_token_caller():
    """Call sites are capped at MAX_SITES=12 but the cap is not treated as "too many uses": twelve harmless callers
    (a seed-data file read first) fill it, the 13th caller `c.ApiSecret = utils.RandomString(16)` is never read, and
    the evidence claims the callers make no key or secret."""
    sample = "package a\n\nfunc demo() {\n" + "".join(f"\tname{i} := utils.RandomString({i + 3})\n" for i in range(12)) + "}\n"
    core = "package core\n\nfunc s(c *C) {\n\tc.ApiSecret = utils.RandomString(16)\n}\n"
    rec, said = _reasons_go({"utils/random.go": RANDOM_STRING, "a/samples.go": sample, "z/core.go": core}, "utils/random.go")
    assert rec["verdict"] != "false_positive", said


def _reasons_go(files, path, line=4):
    import tempfile
    from pathlib import Path

    return _reasons(Path(tempfile.mkdtemp()), files, _go(path, line))


# ---------------------------------------------------------------- jinja_text

BUILD = ('#!/usr/bin/env python3\nimport os\nimport sys\nimport jinja2\n\n'
         'env = jinja2.Environment(loader=jinja2.FileSystemLoader(sys.argv[1]))\n'
         'for name in env.list_templates():\n'
         '    with open(os.path.join(sys.argv[2], name[:-3]), "w") as out:\n'
         '        out.write(env.get_template(name).render(q=os.environ.get("Q", "")))\n')


def test_jinja_text_counts_the_scripts_own_name_as_a_non_html_output(tmp_path):
    """`shown` must name what the script writes, but _TEXT_SUFFIX includes `.py`, so the run line's own
    `python3 build.py templates public` (the script's name) passes: a static-site builder whose Makefile target is
    public/index.html from templates/index.html.j2 is cleared as "renders no HTML"."""
    make = "public/index.html: templates/index.html.j2\n\tpython3 build.py templates public\n"
    f = finding(rule_id=JINJA_RULE, location={"path": "site/build.py", "start_line": 6, "end_line": 6})
    rec, said = _reasons(tmp_path, {"site/build.py": BUILD, "site/Makefile": make}, f)
    assert "renders no HTML" not in said and rec["verdict"] != "false_positive", said


def test_jinja_text_reads_only_the_first_line_that_runs_the_script(tmp_path):
    """_runs returns the first matching script line; a second line of the same Makefile renders the web page
    (`./render_template page.html.j2 ... > public/index.html`) and is never read, so the script is cleared as one that
    "renders no HTML" although it does."""
    render = ('#!/usr/bin/env python3\n\nimport json\nimport sys\nimport jinja2\n\nenvironment = jinja2.Environment(\n'
              '\tloader=jinja2.FileSystemLoader("."),\n)\n'
              'print(environment.get_template(sys.argv[1]).render(json.loads(sys.argv[2])))\n')
    make = ("all:\n\t./render_template Dockerfile.j2 '{\"base\": \"debian\"}' > Dockerfile.debian\n"
            "\t./render_template page.html.j2 \"$$(cat params.json)\" > public/index.html\n")
    f = finding(rule_id=JINJA_RULE, location={"path": "docker/render_template", "start_line": 7, "end_line": 7})
    rec, said = _reasons(tmp_path, {"docker/render_template": render, "docker/Makefile": make}, f)
    assert "renders no HTML" not in said and rec["verdict"] != "false_positive", said


# ---------------------------------------------------------------- lockfile _workspace

def test_a_negated_workspace_glob_is_not_a_workspace(tmp_path):
    """`"workspaces": ["packages/*", "!packages/legacy"]` excludes packages/legacy (npm, pnpm and yarn honour `!`);
    _workspace only skips the `!` pattern instead of applying it, so packages/legacy matches `packages/*` and its
    ranges are called pinned by a root yarn.lock that never installs it."""
    root = '{"name": "root", "private": true, "workspaces": ["packages/*", "!packages/legacy"]}\n'
    files = {"package.json": root, "packages/legacy/package.json": MANIFEST, "yarn.lock": YARN}
    rec, said = _reasons(tmp_path, files, _dep("packages/legacy/package.json", 4))
    assert "pinned by the committed lockfile" not in said and rec["verdict"] != "false_positive", said


# ---------------------------------------------------------------- random_use

def test_authorization_is_still_an_authentication_word():
    """The `author` exclusion (`not p.startswith("author")`) also drops `authorization`, `authorize`, `authorized`:
    a bearer value built with random.choice in `authorization_header()` is now cleared (it was kept before)."""
    from tasks.triage.random_use import _security

    assert _security({"authorization", "header"}) is not None
    assert _security({"authorize", "request"}) is not None


# ---------------------------------------------------------------- workflows

def _wf(tmp_path, text):
    f = finding(tool="checkov", kind="config", rule_id="CKV2_GHA_1", title="Ensure top-level permissions are not set to write-all",
                location={"path": ".github/workflows/x.yml", "start_line": 1, "end_line": 1})
    return _reasons(tmp_path, {".github/workflows/x.yml": text}, f)


def test_a_personal_token_passed_as_input_is_not_the_default_token(tmp_path):
    """_TOKEN_INPUT `secrets\\.GITHUB_TOKEN` has no end anchor, so `secrets.GITHUB_TOKEN_PAT` (a personal token) counts:
    the evidence says the step "acts with the repository's default token", a false fact (it acts with the PAT, which
    no permissions block limits)."""
    wf = ("on:\n  schedule:\n    - cron: '0 0 * * *'\njobs:\n  sync:\n    runs-on: ubuntu-latest\n    steps:\n"
          "      - uses: actions/checkout@v4\n        with:\n          token: ${{ secrets.GITHUB_TOKEN_PAT }}\n"
          "      - run: make sync\n")
    rec, said = _wf(tmp_path, wf)
    assert "act with the repository's default token" not in said, said


def test_a_run_step_writing_with_github_token_in_env_is_a_writer(tmp_path):
    """The new needs_review rule sees the default token only in `with:`; the commonest writer, a `run:` step with
    `env: GH_TOKEN: ${{ github.token }}` running `gh issue close`, is missed and the workflow is cleared as hardening
    although its step acts with the default token exactly as actions/stale does."""
    wf = ("on:\n  schedule:\n    - cron: '0 0 * * *'\njobs:\n  close:\n    runs-on: ubuntu-latest\n    steps:\n"
          "      - run: gh issue close 1 --repo ${{ github.repository }}\n        env:\n"
          "          GH_TOKEN: ${{ github.token }}\n")
    rec, said = _wf(tmp_path, wf)
    assert rec["verdict"] != "false_positive", said
