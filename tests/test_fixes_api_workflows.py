"""Workflow and OpenAPI fixes read from the whole file: inputs the steps use, permissions the steps need,
schemes the spec declares and operations that must stay public; and what a non-root Dockerfile USER needs (issue 22)."""

from __future__ import annotations

import pytest

from test_triage_verdicts import finding

from tasks.findings.model import as_finding
from tasks.fixes import fix_for

DESTROY = """name: 'Terraform Destroy'
on:
  workflow_dispatch:
    inputs:
      module:
        type: choice
        options: [module-1, module-2]
permissions: write-all
jobs:
  terraform:
    runs-on: ubuntu-latest
    steps:
    - uses: actions/checkout@v4
    - run: cd modules/${{ github.event.inputs.module }} && terraform destroy -auto-approve
"""
CODEQL = """name: CodeQL
on: [push]
jobs:
  analyze:
    runs-on: ubuntu-latest
    steps:
    - uses: actions/checkout@v2
    - uses: github/codeql-action/init@v1
    - uses: github/codeql-action/analyze@v1
"""
SPEC = """openapi: 3.0.1
paths:
  /users/v1/login:
    post: {operationId: api_views.users.login_user}
  /books/v1:
    post: {operationId: api_views.books.add_new_book, security: [{bearerAuth: []}]}
components:
  securitySchemes:
    bearerAuth: {type: http, scheme: bearer}
"""
PRIVATE_SPEC = """openapi: 3.0.1
paths:
  /books/v1:
    post: {operationId: add_new_book}
components:
  securitySchemes:
    bearerAuth: {type: http, scheme: bearer}
"""


def _f(rule, path, title, snippet=""):
    return as_finding(finding(tool="checkov", kind="config", rule_id=rule, title=title, snippet=snippet,
                              location={"path": path, "start_line": 3, "end_line": 3}))


def _code(path, text):
    return {"path": path, "text": text, "start_line": 1, "file": text}


def test_dispatch_inputs_the_steps_use_are_never_removed():
    f = _f("CKV_GHA_7", ".github/workflows/d.yml", "GitHub Actions workflow_dispatch inputs MUST be empty")
    answer, why, _ = fix_for(f, [], _code(".github/workflows/d.yml", DESTROY))
    assert answer is None and "module" in why
    unused = DESTROY.replace("${{ github.event.inputs.module }}", "module-1")
    answer, _, _ = fix_for(f, [], _code(".github/workflows/d.yml", unused))
    assert answer and "workflow_dispatch: {}" in answer


def test_permissions_come_from_the_steps_and_name_write_all():
    f = _f("CKV2_GHA_1", ".github/workflows/codeql.yml", "Ensure top-level permissions are not set to write-all")
    answer, _, _ = fix_for(f, [], _code(".github/workflows/codeql.yml", CODEQL))
    assert "security-events: write" in answer and "contents: read" in answer and "actions: read" in answer
    assert "write-all" not in answer.split("\n")[0]
    answer, _, _ = fix_for(f, [], _code(".github/workflows/d.yml", DESTROY))
    assert ":8 sets `permissions: write-all`" in answer and "security-events" not in answer


def test_global_security_uses_a_declared_scheme_and_keeps_login_public():
    f = _f("CKV_OPENAPI_4", "openapi_specs/openapi3.yml", "Ensure that the global security field has rules defined")
    answer, why, _ = fix_for(f, [], _code("openapi_specs/openapi3.yml", SPEC))
    assert answer is None and "POST /users/v1/login" in why
    answer, _, _ = fix_for(f, [], _code("openapi_specs/openapi3.yml", PRIVATE_SPEC))
    assert "- bearerAuth: []" in answer and "apiKey" not in answer
    gen = _f("CKV_OPENAPI_4", "swagger-output.json", "Ensure that the global security field has rules defined")
    answer, why, _ = fix_for(gen, [], _code("swagger-output.json", PRIVATE_SPEC))
    assert answer is None and "generated" in why


def test_a_non_root_user_gets_the_app_folder_and_a_home_for_go():
    from tasks.fixes.workload import user_needs

    vampi = "FROM python:3.11-alpine as builder\nWORKDIR /build\nFROM python:3.11-alpine\nCOPY . /vampi\nWORKDIR /vampi\nCMD [\"app.py\"]\n"
    block, note = user_needs(vampi, "RUN adduser -D -H -u 10001 app\nUSER 10001")
    assert block == "RUN adduser -D -H -u 10001 app\nRUN chown -R 10001 /vampi\nUSER 10001" and "SQLite" in note
    go = "FROM golang\nADD /api/ /app\nWORKDIR /app\n"
    block, note = user_needs(go, "RUN useradd --system --uid 10001 app\nUSER 10001")
    assert "useradd --system --create-home --uid 10001 app" in block and "ENV HOME=/home/app\nUSER 10001" in block
    static = "FROM alpine:3.19\nCOPY --from=build /out/app /usr/local/bin/app\nENTRYPOINT [\"app\"]\n"
    assert user_needs(static, "RUN adduser -D -H -u 10001 app\nUSER 10001") == ("RUN adduser -D -H -u 10001 app\nUSER 10001", "")


def test_a_permissions_verdict_says_what_the_report_shows_without_the_file():
    from tasks.enrich.verdicts import reconcile

    f = _f("CKV2_GHA_1", ".github/workflows/ci.yml", "Ensure top-level permissions are not set to write-all")
    rec = {"verdict": "true_positive", "reasons": [{"check": "report", "evidence": "checkov's report stands"}]}
    shown = reconcile(f, rec, None)["reasons"][0]["evidence"]
    assert "no least-privilege top-level `permissions` in .github/workflows/ci.yml" in shown
    with_file = reconcile(f, rec, _code(".github/workflows/ci.yml", DESTROY))["reasons"][0]["evidence"]
    assert "ci.yml:8 sets `permissions: write-all`" in with_file
    other = _f("CKV_AWS_20", "main.tf", "S3 Bucket has an ACL defined which allows public READ access.")
    assert reconcile(other, rec, None)["reasons"][0]["evidence"] == "checkov's report stands"


STALE = """name: 'Mark or close stale issues and PRs'
on:
  schedule:
    - cron: '0 0 * * *'

jobs:
  stale:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/stale@v11
        with:
          repo-token: ${{ secrets.GITHUB_TOKEN }}
          days-before-stale: 30
"""
# microservices-demo deploy-pr.yaml, shortened: the job sets its own permissions and posts commit statuses
DEPLOY = """on:
  workflow_run:
    workflows: ["ci"]
jobs:
  deployment-tests:
    runs-on: ubuntu-24.04
    permissions:
      contents: read
      id-token: write
      pull-requests: write
      statuses: write
    steps:
    - uses: actions/checkout@v7
    - run: gh api "/repos/${{ github.repository }}/statuses/${{ github.sha }}" -f state=pending
      env:
        GH_TOKEN: ${{ github.token }}
"""


def _perm(path, text):
    f = finding(tool="checkov", rule_id="CKV2_GHA_1", kind="config", location={"path": path, "start_line": 1, "end_line": 1},
                title="Ensure top-level permissions are not set to write-all", snippet=text[:200])
    return fix_for(f, [], {"path": path, "text": text[:200], "start_line": 1, "file": text})


def test_least_privilege_permissions_know_stale_statuses_and_job_level_blocks():
    answer = _perm(".github/workflows/stale-actions.yaml", STALE)[0]
    assert "issues: write" in answer and "pull-requests: write" in answer
    answer = _perm(".github/workflows/deploy-pr.yaml", DEPLOY)[0]
    block = answer.split("```yaml\n")[1].split("```")[0]
    assert block.strip() == "permissions:\n  contents: read" and "job deployment-tests (line 5) sets" in answer
    assert "statuses: write" in answer  # named as the job's own grant, which the top level does not change
    free = DEPLOY.replace("    permissions:\n      contents: read\n      id-token: write\n      pull-requests: write\n"
                          "      statuses: write\n", "")
    assert "statuses: write" in _perm(".github/workflows/deploy-pr.yaml", free)[0].split("```yaml\n")[1].split("```")[0]
    # the token handed to an action whose needs are not listed: no block narrower than today's default
    other = STALE.replace("actions/stale@v11", "some-org/labeller-bot@v2")
    answer, why, _ = _perm(".github/workflows/bot.yaml", other)
    assert answer is None and "some-org/labeller-bot@v2" in why


def test_the_token_as_a_ghcr_password_is_a_known_need():
    """step-security/github-actions-goat: elgohr/Publish-Docker-Github-Action gets the token as ghcr.io's password."""
    publish = STALE.replace("actions/stale@v11", "elgohr/Publish-Docker-Github-Action@v5").replace(
        "repo-token: ${{ secrets.GITHUB_TOKEN }}", "password: ${{ secrets.GITHUB_TOKEN }}\n          registry: ghcr.io")
    answer = _perm(".github/workflows/publish.yml", publish)[0]
    assert "packages: write" in answer.split("```yaml\n")[1]


def test_a_stage_that_already_creates_its_user_is_switched_to_it_not_given_a_second_one():
    from tasks.fixes.dockerfile_user import user_needs

    made = ("FROM node:20 AS web\nRUN npm ci\nFROM python:3.11-slim\nRUN groupadd -r dispatch && useradd -r -m -g dispatch "
            "dispatch\nCOPY --from=web /app/dist /static\nENTRYPOINT [\"dispatch\"]\n")
    block, note = user_needs(made, "RUN useradd --system --create-home --uid 10001 app\nUSER 10001")
    assert block == "USER dispatch" and "already creates the user dispatch" in note
    switched = made.replace("COPY --from", "USER dispatch\nCOPY --from")  # it switches already: the check fails elsewhere
    assert user_needs(switched, "RUN useradd --system --create-home --uid 10001 app\nUSER 10001")[0].startswith("RUN useradd")


def test_workflow_permissions_see_a_lower_case_token_gh_pages_deploys_stales_cache_and_a_pat():
    from tasks.fixes.api_workflows import known
    from tasks.fixes.gha_jobs import gha_permissions, jobs

    docs = ("on: push\njobs:\n  deploy-docs:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n"
            "      - uses: some/unknown-deployer@v1\n        env:\n          GITHUB_TOKEN: ${{ secrets.github_token }}\n")
    info = jobs(docs, known)
    assert info["unknown"] == ["job deploy-docs gives the token to some/unknown-deployer@v1, whose needs are not listed here"]
    pages = docs.replace("some/unknown-deployer@v1", "mhausenblas/mkdocs-deploy-gh-pages@master")
    assert jobs(pages, known)["unknown"] == [] and "contents: write" in gha_permissions(pages)[0]
    stale = "steps:\n  - uses: actions/stale@v10\n    with:\n      delete-branch: true\n"
    assert "actions: write" in gha_permissions(stale)[0]
    release = ("steps:\n  - uses: actions/checkout@v4\n  - uses: cycjimmy/semantic-release-action@v4\n    env:\n"
               "      GITHUB_TOKEN: ${{ secrets.SEMANTIC_RELEASE_TOKEN }}\n")
    block, note = gha_permissions(release)
    assert block == "permissions:\n  contents: read" and "their own credential (SEMANTIC_RELEASE_TOKEN)" in note


def test_a_run_step_handing_the_token_to_a_repository_script_leaves_its_needs_unknown():
    """DamnVulnerableCryptoApp's wiki.yml (round 16): wiki_script.sh pushes to the wiki with GITHUB_TOKEN, which
    `contents: read` would break; the script's commands are not in the workflow."""
    from tasks.fixes.api_workflows import known
    from tasks.fixes.gha_jobs import jobs

    wiki = ("on: push\njobs:\n  wiki:\n    runs-on: ubuntu-latest\n    steps:\n    - uses: actions/checkout@v2\n"
            "    - run: .github/workflows/wiki_script.sh\n      env:\n        GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}\n")
    assert jobs(wiki, known)["unknown"] == [
        "job wiki gives the token to the script .github/workflows/wiki_script.sh, whose steps are not in this file"]
    tokenless = wiki.replace("      env:\n        GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}\n", "")
    assert jobs(tokenless, known)["unknown"] == []  # no token handed over: it can write nothing with it
    inline = wiki.replace(".github/workflows/wiki_script.sh", "echo done")
    assert jobs(inline, known)["unknown"] == []  # the commands are shown


def test_a_port_80_check_on_a_rule_opening_every_port_never_says_keep_it():
    """infrastructure-as-code-goof (round 17): CKV_AWS_260 on 0-65535 open to 0.0.0.0/0 was told "keep the rule"."""
    from fixes_helpers import finding

    from tasks.fixes import fix_for

    title = "Ensure no security groups allow ingress from 0.0.0.0:0 to port 80"
    rule = ('resource "aws_security_group_rule" "denied" {\n  type              = "ingress"\n  from_port         = 0\n'
            '  to_port           = 65535\n  protocol          = "tcp"\n  cidr_blocks       = ["0.0.0.0/0"]\n'
            '  security_group_id = "sg-123456"\n}\n')
    f = finding("config", "checkov", "CKV_AWS_260", path="net/rule.tf", start=1, end=8, snippet=rule, title=title,
                description=f"{title} (resource aws_security_group_rule.denied, framework terraform)")
    answer = fix_for(f, [])[0]
    assert "keep the rule" not in answer and "The rule opens ports 0-65535 to everyone, not only port 80" in answer
    only80 = dict(f, snippet=rule.replace("from_port         = 0", "from_port         = 80").replace("65535", "80"))
    assert "keep the rule" in fix_for(only80, [])[0]


def test_every_job_with_its_own_permissions_is_named_and_the_governed_ones_too():
    """requarks/wiki build.yml (round 19: the release job with contents: write was left out of a list cut at three)."""
    from tasks.findings.model import as_finding
    from tasks.fixes.api_workflows import gha_permissions_fix

    jobs = "".join(f"  {n}:\n    runs-on: ubuntu-latest\n    permissions:\n      packages: write\n    steps:\n      - run: make {n}\n"
                   for n in ("build", "arm", "beta"))
    text = ("on: push\njobs:\n" + jobs + "  cypress:\n    runs-on: ubuntu-latest\n    steps:\n      - run: npm test\n"
            "  release:\n    runs-on: ubuntu-latest\n    permissions:\n      packages: write\n      contents: write\n"
            "    steps:\n      - run: gh release create v1\n")
    f = as_finding({"id": "w" * 32, "tool": "checkov", "rule_id": "CKV2_GHA_1", "kind": "config", "severity": "medium",
                    "title": "Ensure top-level permissions are not set to write-all", "description": "d",
                    "location": {"path": ".github/workflows/build.yml", "start_line": 1}})
    answer = gha_permissions_fix(f, text, "yaml")[0]
    assert "job release (line" in answer and "contents: write" in answer
    assert "The steps of the jobs it governs (cypress) only read the repository." in answer


def test_a_push_with_a_deploy_key_or_another_token_needs_no_write_grant_for_github_token():
    # round 25: archivy's docs deploy pushes over the SSH key its checkout is given; linkwarden's release step runs
    # `gh release create` with GH_TOKEN from secrets.BUILDS_RELEASE_TOKEN. Both rows granted contents: write.
    from tasks.fixes.gha_jobs import gha_permissions

    docs = ("jobs:\n  deploy:\n    steps:\n      - uses: actions/checkout@v2\n      - name: Clone the site\n"
            "        uses: actions/checkout@v2\n        with:\n          repository: org/org.github.io\n"
            "          ssh-key: ${{ secrets.SITE_KEY }}\n      - name: Deploy\n        run: mkdocs gh-deploy --remote-branch main\n")
    block, note = gha_permissions(docs)
    assert block == "permissions:\n  contents: read" and "SSH deploy key" in note
    release = ("jobs:\n  build:\n    steps:\n      - uses: actions/checkout@v4\n      - name: Release\n        env:\n"
               "          GH_TOKEN: ${{ secrets.BUILDS_RELEASE_TOKEN }}\n        run: gh release create v1 app.apk -R org/builds\n")
    assert gha_permissions(release)[0] == "permissions:\n  contents: read"
    own = release.replace("secrets.BUILDS_RELEASE_TOKEN", "secrets.GITHUB_TOKEN")  # the token this block limits
    assert gha_permissions(own)[0] == "permissions:\n  contents: write"
    mixed = docs.replace("run: mkdocs gh-deploy", "env:\n          GH_TOKEN: ${{ github.token }}\n        run: mkdocs gh-deploy")
    assert "contents: write" in gha_permissions(mixed)[0]  # the push step passes GITHUB_TOKEN itself


@pytest.mark.parametrize("workflow", [
    # a submodule's ssh key, then an action that pushes with github.token by default
    "jobs:\n  r:\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          ssh-key: ${{ secrets.SUBMODULE_KEY }}\n"
    "      - uses: softprops/action-gh-release@v2\n",
    # GH_TOKEN bound to github.token for the job, a checkout with an ssh key, then gh release create
    "jobs:\n  r:\n    env:\n      GH_TOKEN: ${{ github.token }}\n    steps:\n      - uses: actions/checkout@v4\n        with:\n"
    "          ssh-key: ${{ secrets.KEY }}\n      - run: gh release create v1\n",
    # a registry token in the step, while git push uses the token the checkout saved
    "jobs:\n  r:\n    steps:\n      - uses: actions/checkout@v4\n      - env:\n          NODE_AUTH_TOKEN: ${{ secrets.NPM_TOKEN }}\n"
    "        run: npm publish && git push --follow-tags\n",
])
def test_a_write_that_still_uses_github_token_keeps_its_grant(workflow):
    from tasks.fixes.gha_jobs import gha_permissions

    assert "contents: write" in gha_permissions(workflow)[0]


def test_a_ghcr_login_with_its_own_token_needs_no_packages_permission():
    """bookwyrm's publish workflow (round 28, set 23): the docker login to ghcr.io passes secrets.GHCR_TOKEN, so the
    push uses that token; GITHUB_TOKEN only reads the code.  With GITHUB_TOKEN as the password, packages: write."""
    from tasks.fixes.gha_jobs import gha_permissions

    wf = ("jobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n"
          "      - name: Login\n        uses: docker/login-action@v3\n        with:\n          registry: ghcr.io\n"
          "          username: ${{ github.actor }}\n          password: ${{ secrets.GHCR_TOKEN }}\n"
          "      - uses: docker/build-push-action@v5\n        with:\n          push: true\n          tags: ghcr.io/org/app:latest\n")
    block, note = gha_permissions(wf)
    assert block == "permissions:\n  contents: read" and "GHCR_TOKEN" in note
    block, _ = gha_permissions(wf.replace("secrets.GHCR_TOKEN", "secrets.GITHUB_TOKEN"))
    assert "packages: write" in block
