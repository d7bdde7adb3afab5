"""A hostile review of the set-46 change (8570989..8118990 and the round-50 mends): 18 defects, each asserting the
correct behaviour; every one failed before its mend."""

from __future__ import annotations

import json
import time

from test_round45_rows import _reasons
from test_triage_hygiene import finding

DEP_RULE = "json.npm.security.package-dependencies-check"
PINNED = "pinned by the committed lockfile"


def _dep(path: str, line: int):
    return finding(rule_id=DEP_RULE, title="package-dependencies-check", location={"path": path, "start_line": line, "end_line": line})


MANIFEST_V2 = '{\n  "name": "app",\n  "dependencies": {\n    "left-pad": "^2.0.0"\n  }\n}\n'  # line 4


# --------------------------------------------------------------------------------------------------- lockfile_pin

def test_yarn_lock_that_only_records_another_range_does_not_pin(tmp_path):
    """yarn.lock keys every entry by `name@range`; a manifest range with no such key is NOT locked: `yarn install`
    re-resolves it (and --frozen-lockfile fails). _yarn's bare-name fallback (`index.get(name)`, recorded range None)
    lets `left-pad@^1.0.0 -> 1.3.0` "pin" a manifest that asks for ^2.0.0, so a stale lockfile clears the finding
    as false_positive and the evidence states a resolution that does not exist (the docstring promises stale lockfiles
    are kept)."""
    yarn = '# yarn lockfile v1\n\n\nleft-pad@^1.0.0:\n  version "1.3.0"\n  resolved "https://registry.yarnpkg.com/left-pad/-/left-pad-1.3.0.tgz#abc"\n'
    rec, said = _reasons(tmp_path, {"package.json": MANIFEST_V2, "yarn.lock": yarn}, _dep("package.json", 4))
    assert PINNED not in said
    assert rec["verdict"] != "false_positive"


def test_package_lock_whose_root_does_not_record_the_dependency_does_not_pin(tmp_path):
    """package-lock v2/v3 records the manifest's own ranges under packages[""]; when the dependency is missing there
    the lockfile is stale (npm ci refuses: "package.json and package-lock.json are not in sync"), yet _npm takes any
    `node_modules/<name>` entry (here a transitive 1.3.0) with recorded range None and calls ^2.0.0 pinned."""
    lock = {"name": "app", "lockfileVersion": 3, "packages": {
        "": {"name": "app", "dependencies": {"other": "^1.0.0"}},
        "node_modules/other": {"version": "1.0.0"},
        "node_modules/left-pad": {"version": "1.3.0"}}}  # pulled in by `other`, not by this manifest
    rec, said = _reasons(tmp_path, {"package.json": MANIFEST_V2, "package-lock.json": json.dumps(lock)}, _dep("package.json", 4))
    assert PINNED not in said
    assert rec["verdict"] != "false_positive"


def test_lockfile_v1_version_outside_the_manifest_range_does_not_pin(tmp_path):
    """package-lock v1 (npm 5/6) records no manifest range, and nothing checks that the locked version satisfies the
    range: ^2.0.0 is said to be 'resolved to 1.3.0', a version the range excludes. Such a lockfile is stale and the
    next install rewrites it; the finding must not be cleared."""
    lock = {"name": "app", "lockfileVersion": 1, "requires": True, "dependencies": {"left-pad": {"version": "1.3.0"}}}
    rec, said = _reasons(tmp_path, {"package.json": MANIFEST_V2, "package-lock.json": json.dumps(lock)}, _dep("package.json", 4))
    assert PINNED not in said
    assert rec["verdict"] != "false_positive"


def test_a_lockfile_above_a_manifest_that_is_not_its_workspace_does_not_pin(tmp_path):
    """examples/demo/package.json is a standalone project (the root package.json declares no workspaces): npm and
    yarn install it from its own folder and never read the root lockfile. _npm falls back to the root's
    `node_modules/` entries when packages["examples/demo"] is absent, and _yarn ignores `rel` entirely, so both clear
    the demo's ranges with the root project's lock."""
    root = '{"name": "root", "dependencies": {"left-pad": "^1.0.0"}}\n'
    demo = MANIFEST_V2.replace("^2.0.0", "^1.0.0")
    npm = {"name": "root", "lockfileVersion": 3, "packages": {
        "": {"name": "root", "dependencies": {"left-pad": "^1.0.0"}}, "node_modules/left-pad": {"version": "1.3.0"}}}
    yarn = 'left-pad@^1.0.0:\n  version "1.3.0"\n  resolved "https://registry.yarnpkg.com/left-pad/-/left-pad-1.3.0.tgz#abc"\n'
    for n, (lock, text) in enumerate((("package-lock.json", json.dumps(npm)), ("yarn.lock", yarn))):
        files = {"package.json": root, "examples/demo/package.json": demo, lock: text}
        rec, said = _reasons(tmp_path / str(n), files, _dep("examples/demo/package.json", 4))
        assert PINNED not in said, lock


def test_a_pnpm_lock_yaml_alias_bomb_is_not_expanded(tmp_path):
    """_pnpm calls str() on the `specifier` it reads; YAML aliases make a 600-byte pnpm-lock.yaml a billion-laughs
    bomb that str() expands (x10 per level: 8 levels ~ 700 MB and many seconds, 9 levels exhausts memory). A hostile
    repository can stall or kill the triage run."""
    levels = 8
    bomb = "a0: &a0 ['lol','lol','lol','lol','lol','lol','lol','lol','lol','lol']\n"
    for i in range(1, levels):
        bomb += f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 10) + "]\n"
    lock = ("lockfileVersion: '9.0'\n" + bomb + "importers:\n  .:\n    dependencies:\n      left-pad:\n"
            f"        specifier: *a{levels - 1}\n        version: 1.3.0\n")
    t = time.monotonic()
    _reasons(tmp_path, {"package.json": MANIFEST_V2, "pnpm-lock.yaml": lock}, _dep("package.json", 4))
    assert time.monotonic() - t < 2.0


def test_a_credential_in_a_dependency_url_is_not_echoed(tmp_path):
    """A git dependency with a token in its URL (`git+https://x-access-token:ghp_...@github.com/...`) is a common
    leak; the lockfile records the same spec, so check_lockfile_pin clears it and writes the whole manifest value,
    token included, verbatim into the evidence (and calls a git dependency 'pinned with its integrity hash')."""
    token = "ghp_R8x2Lq7Zt4Vb9Nc1Wd5Yf3Kp6Hs0Jm2Ta8Ue"
    url = f"git+https://x-access-token:{token}@github.com/acme/private-sdk.git"
    manifest = '{\n  "name": "app",\n  "dependencies": {\n    "private-sdk": "' + url + '"\n  }\n}\n'
    lock = {"name": "app", "lockfileVersion": 3, "packages": {
        "": {"name": "app", "dependencies": {"private-sdk": url}},
        "node_modules/private-sdk": {"version": "1.4.0",
                                     "resolved": "git+ssh://git@github.com/acme/private-sdk.git#0123456789abcdef0123456789abcdef01234567"}}}
    rec, said = _reasons(tmp_path, {"package.json": manifest, "package-lock.json": json.dumps(lock)}, _dep("package.json", 4))
    assert token not in json.dumps(rec)


# --------------------------------------------------------------------------------------------------- go_ignored

GEN_RULE = "go.lang.security.audit.xss.template-html-does-not-escape.unsafe-template-type"


def _gen(path: str, line: int):
    return finding(rule_id=GEN_RULE, location={"path": path, "start_line": line, "end_line": line})


def test_a_plus_build_line_not_followed_by_a_blank_line_is_no_constraint(tmp_path):
    """go/build only honours `// +build` lines that are followed by a blank line before the package clause; without
    it the line is part of the package doc comment and the file IS compiled into every build. check_go_ignored
    accepts it anywhere above `package` and clears the shipped code as 'not part of the shipped program'."""
    code = '// +build ignore\npackage main\n\nimport "html/template"\n\nfunc main() { _ = template.HTML(x) }\n'
    rec, said = _reasons(tmp_path, {"cmd/app/main.go": code}, _gen("cmd/app/main.go", 6))
    assert "build constraint" not in said
    assert rec["verdict"] != "false_positive"


def test_a_go_build_line_overrides_a_plus_build_ignore(tmp_path):
    """When a file has a `//go:build` line, Go (1.17+) evaluates only it and ignores `// +build` lines. Here
    `//go:build linux` makes the file part of every Linux build, but the stale `// +build ignore` below it is taken
    as the constraint and the finding is cleared."""
    code = '//go:build linux\n// +build ignore\n\npackage main\n\nimport "html/template"\n\nfunc main() { _ = template.HTML(x) }\n'
    rec, said = _reasons(tmp_path, {"cmd/app/main_linux.go": code}, _gen("cmd/app/main_linux.go", 8))
    assert "build constraint" not in said
    assert rec["verdict"] != "false_positive"


# --------------------------------------------------------------------------------------------------- go_code TLS

TLS_RULE = "go.lang.security.audit.crypto.missing-ssl-minversion.missing-ssl-minversion"
GO_MOD = "module example.org/app\n\ngo 1.19\n"


def test_a_grpc_server_credentials_config_is_not_a_client(tmp_path):
    """`credentials.NewTLS(cfg)` builds gRPC transport credentials for servers as well as clients
    (`grpc.NewServer(grpc.Creds(creds))`). _CLIENT_FIELD takes it as proof of a client, so a go 1.19 gRPC SERVER
    without MinVersion (which still accepts TLS 1.0/1.1 before go 1.22) is cleared 'safe by default ... as a client'."""
    code = ('package main\n\nimport (\n\t"crypto/tls"\n\n\t"google.golang.org/grpc"\n\t"google.golang.org/grpc/credentials"\n)\n\n'
            'func serve(cert tls.Certificate) *grpc.Server {\n'
            '\tcreds := credentials.NewTLS(&tls.Config{Certificates: []tls.Certificate{cert}})\n'
            '\treturn grpc.NewServer(grpc.Creds(creds))\n}\n')
    f = finding(rule_id=TLS_RULE, location={"path": "server.go", "start_line": 11, "end_line": 11})
    rec, said = _reasons(tmp_path, {"go.mod": GO_MOD, "server.go": code}, f)
    assert rec["verdict"] != "false_positive"


def test_a_server_config_is_not_read_from_the_next_functions_client_fields(tmp_path):
    """The new 12-line window (`near`) reads fields of whatever follows the flagged literal: the server config
    returned by Server() is taken for a client because Client(), three lines below, sets RootCAs. A go 1.19 server
    config without MinVersion is cleared (the server is started from another file, so _SERVER never sees it)."""
    code = ('package tlsconf\n\nimport "crypto/tls"\n\n// Server is what main.go hands to http.Server.\n'
            'func Server(certs []tls.Certificate) *tls.Config {\n\treturn &tls.Config{\n\t\tCertificates: certs,\n\t}\n}\n\n'
            'func Client() *tls.Config {\n\treturn &tls.Config{RootCAs: nil}\n}\n')
    f = finding(rule_id=TLS_RULE, location={"path": "tlsconf/tls.go", "start_line": 7, "end_line": 7})
    rec, said = _reasons(tmp_path, {"go.mod": GO_MOD, "tlsconf/tls.go": code}, f)
    assert "as a client" not in said
    assert rec["verdict"] != "false_positive"


# --------------------------------------------------------------------------------------------------- GitHub Actions

PIN_RULE = "yaml.github-actions.security.third-party-action-not-pinned-to-commit-sha.third-party-action-not-pinned-to-commit-sha"
PR_WF = ("name: PR\n\non:\n  pull_request:\n\njobs:\n  check:\n    runs-on: ubuntu-latest\n"
         "    steps:\n      - uses: actions/checkout@v4\n      - uses: someone/publish-preview@v1\n")


def _pin(line: int):
    return finding(rule_id=PIN_RULE, title="t", location={"path": ".github/workflows/pr.yml", "start_line": line, "end_line": line})


def test_a_pr_workflow_that_hands_a_secret_by_index_is_not_cleared(tmp_path):
    """check_pr_only_action's 'names no secret' test is `secrets\\.`: `${{ secrets['DEPLOY_TOKEN'] }}` and
    `${{ toJSON(secrets) }}` pass it. A pull request from a branch of the repository gets the repository's secrets, so
    the tag-pinned action (whose owner can move the tag) receives DEPLOY_TOKEN; since this change the no-permissions
    case is a false_positive whose evidence says 'names no secret'."""
    for n, extra in enumerate(("        with:\n          token: ${{ secrets['DEPLOY_TOKEN'] }}\n",
                               "        env:\n          ALL: ${{ toJSON(secrets) }}\n")):
        rec, said = _reasons(tmp_path / str(n), {".github/workflows/pr.yml": PR_WF + extra}, _pin(11))
        assert rec["verdict"] != "false_positive", extra


def test_a_pr_workflow_that_grants_write_in_flow_or_quoted_style_is_not_cleared(tmp_path):
    """The explicit-write guard is a line regex `^\\s*[\\w-]+:\\s*write`: `permissions: { contents: write, ... }` and
    `"contents": write` slip past it, _read_only then returns None, and since this change that path clears the finding
    saying `permissions: contents: read` 'would make that token read-only too' - while the file grants write."""
    for n, block in enumerate(("permissions: { contents: write, pull-requests: write }\n",
                               "permissions:\n  \"contents\": write\n")):
        wf = PR_WF.replace("\njobs:\n", "\n" + block + "\njobs:\n")
        line = next(i for i, x in enumerate(wf.splitlines(), 1) if "publish-preview" in x)
        rec, said = _reasons(tmp_path / str(n), {".github/workflows/pr.yml": wf}, _pin(line))
        assert rec["verdict"] != "false_positive", block


def test_a_third_party_reusable_workflow_by_branch_beside_the_default_token_is_reviewed():
    """The new CKV2_GHA_1 rule (a movable third-party ref on a trusted event beside the default token -> needs_review)
    only looks at steps; a job-level `uses: org/repo/.github/workflows/x.yml@main` with `secrets: inherit` runs the
    third party's code with the default token and every secret, and is still cleared as 'least-privilege hardening,
    not an exposed token'."""
    from test_triage_round6 import Files, Judge, checkov

    wf = ("name: release\non:\n  push:\n    tags: ['v*']\njobs:\n  release:\n"
          "    uses: someorg/shared-workflows/.github/workflows/release.yml@main\n    secrets: inherit\n")
    path = ".github/workflows/release.yml"
    rec = Judge(reader=Files({path: wf})).judge(checkov("CKV2_GHA_1", path=path))
    assert rec["verdict"] != "false_positive"


# --------------------------------------------------------------------------------------------------- templates / paths

def test_a_handlebars_string_literal_is_a_lookup_not_a_constant(tmp_path):
    """In Handlebars `{{"displayName"}}` / `{{'displayName'}}` are literal *references*: they print
    context["displayName"] (handlebars spec, 'literal references'). _LITERAL treats any one-string expression as a
    constant in every template language, so an unquoted user value in a .hbs attribute is cleared."""
    tpl = '<div class="profile">\n  <img src="/avatar.png" alt={{"displayName"}}>\n</div>\n'
    f = finding(rule_id="generic.html-templates.security.unquoted-attribute-var", title="t",
                location={"path": "views/profile.hbs", "start_line": 2, "end_line": 2})
    rec, said = _reasons(tmp_path, {"views/profile.hbs": tpl}, f)
    assert "prints only its own string literal" not in said
    assert rec["verdict"] != "false_positive"


def test_a_postman_environment_is_not_test_data(tmp_path):
    """_POSTMAN classes `*.postman_environment.json` as a test fixture, but a Postman environment is where Postman
    keeps real credentials (variables of type "secret"). A live Stripe key in production.postman_environment.json is
    cleared as 'a test's key or password opens only what the tests set up'."""
    env = json.dumps({"id": "x", "name": "Production", "values": [
        {"key": "baseUrl", "value": "https://api.example.com", "enabled": True},
        {"key": "apiKey", "value": "sk_live_51HqLyjWDarjtT1zdp7dc4eC39HqLyjWDarjtT1zdp7dc", "type": "secret", "enabled": True}]},
        indent=2)
    line = next(i for i, x in enumerate(env.splitlines(), 1) if "sk_live" in x)
    path = "postman/production.postman_environment.json"
    f = finding(tool="gitleaks", kind="secret", rule_id="stripe-access-token", title="Stripe",
                location={"path": path, "start_line": line, "end_line": line})
    rec, said = _reasons(tmp_path, {path: env}, f)
    assert rec["verdict"] != "false_positive"


def test_tool_image_needs_the_built_image_not_a_substring_of_the_run_line():
    """tool_image now requires the mounted `docker run` to run the image it built, but tests `name in l` (substring):
    the production image tagged `app` is taken for a build tool because a golang container run with the tree mounted
    mentions `./cmd/app`. The Dockerfile's findings (no USER, ...) are then suppressed as 'a build tool'."""
    from tasks.triage.entrypoint import tool_image

    make = ("image:\n\tdocker build -t app -f Dockerfile .\n"
            "binary:\n\tdocker run --rm -v $(pwd):/src -w /src golang:1.22 go build -o bin/app ./cmd/app\n")
    assert tool_image("Dockerfile", ["Makefile", "Dockerfile"], {"Makefile": make.splitlines(True)}.get) is None


# --------------------------------------------------------------------------------------------------- fixes

def test_a_math_rand_int_call_blocks_the_crypto_rand_swap():
    """math/rand's `rand.Int()` takes no arguments; crypto/rand's `Int(rand io.Reader, max *big.Int)` needs two, so the
    swapped import does not compile. The new guard exempts every `rand.Int` call and lets the non-compiling fix through."""
    from tasks.fixes import scanner_fixes

    text = 'package utils\n\nimport (\n\t"math/rand"\n)\n\nfunc pick() int { return rand.Int() % 6 }\n'
    why, _ = scanner_fixes.review(None, ['\t"math/rand"'], ['\t"crypto/rand"'], text)
    assert why and "would not compile" in why


def test_the_cancel_others_permission_pattern_is_linear():
    """`(?s)skip-duplicate-actions@.*cancel_others:` rescanned the rest of the step from every occurrence of
    `skip-duplicate-actions@`: quadratic (a 600 KB step took about 7 s, 4x the text 13x the time). A hostile workflow
    stalled gha_permissions. The step patterns alone are timed here (the YAML parse of such a file is linear and slow)."""
    import re

    from tasks.fixes.gha_jobs import _STEP_NEEDS

    def scan(text: str) -> float:
        t = time.monotonic()
        for rx, _scope, _level in _STEP_NEEDS:
            re.search(rx, text)
        return time.monotonic() - t

    small = "echo skip-duplicate-actions@ actions/stale@\n" * 16000
    one, four = scan(small), scan(small * 4)
    assert one < 2.0 and four < 12 * max(one, 0.02)  # linear: about 4x, never the 13x-and-growing of the quadratic form
