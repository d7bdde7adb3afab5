"""Checks from held-out set 18 (Kinto, LibrePhotos, ghostfolio, terraform-aws-ecs): each flags its case and leaves
the neighbour that is a finding alone."""

from __future__ import annotations

from tasks.triage.iac_applicable import check_not_applicable
from tasks.triage.unused_import import check_unused_import


def _checkov(snippet: str) -> dict:
    return {"id": "8" * 32, "tool": "checkov", "rule_id": "CKV_TF_1", "kind": "config", "severity": "low",
            "title": "Ensure Terraform module sources use a commit hash", "description": "d", "snippet": snippet,
            "location": {"path": "modules/fargate/main.tf", "start_line": 279, "end_line": 290}}


def test_a_registry_module_pinned_by_version_has_no_commit_to_pin():
    hit = check_not_applicable(_checkov('module "alb" {\n  source  = "terraform-aws-modules/alb/aws"\n  version = "~> 10.0"\n}'))
    assert hit and "terraform-aws-modules/alb/aws" in hit["evidence"] and "(line 280)" in hit["evidence"]
    assert 'constrained by `version = "~> 10.0"`' in hit["evidence"]  # a range is no pin (round 27)
    exact = check_not_applicable(_checkov('module "alb" {\n  source  = "terraform-aws-modules/alb/aws"\n  version = "10.2.0"\n}'))
    assert 'pinned by `version = "10.2.0"`' in exact["evidence"]
    assert check_not_applicable(_checkov('module "alb" {\n  source = "terraform-aws-modules/alb/aws"\n}')) is None  # no version
    git = 'module "x" {\n  source  = "git::https://github.com/org/mod.git?ref=main"\n  version = "1.0"\n}'
    assert check_not_applicable(_checkov(git)) is None  # a git source: a commit hash is exactly what it lacks
    assert check_not_applicable(_checkov('module "x" {\n  source = "github.com/org/mod/aws"\n  version = "1"\n}')) is None


def test_a_blacklisted_import_is_no_weakness_where_bandit_judges_the_calls_themselves():
    def bandit(rule):
        return {"id": "9" * 32, "tool": "bandit", "rule_id": rule, "kind": "code", "severity": "low", "title": rule,
                "description": "d", "location": {"path": "api/services.py", "start_line": 1, "end_line": 1}}

    hit = check_unused_import(bandit("B404"))  # no source at all: the import line alone runs nothing
    assert hit and "an import only" in hit["evidence"] and "B602-B607" in hit["evidence"]
    assert "B301" in check_unused_import(bandit("B403"))["evidence"]
    assert check_unused_import(bandit("B413")) is None  # pycrypto: the library is the risk, the import shows its use


def test_an_xmlrpc_import_stays_as_reported():
    """B411 has no call test of its own: xmlrpc's client and server parse XML inside the library."""
    f = {"id": "9" * 32, "tool": "bandit", "rule_id": "B411", "kind": "code", "severity": "high", "title": "B411",
         "description": "d", "location": {"path": "api/rpc.py", "start_line": 1, "end_line": 1}}
    assert check_unused_import(f) is None
    assert "B313-B320" in check_unused_import(dict(f, rule_id="B410"))["evidence"]


def test_a_release_tag_without_a_digest_is_build_hygiene_and_an_open_tag_is_not():
    from test_triage_containers import Files

    from tasks.triage.stage_base import check_digest_pin
    from tasks.triage.verdict import Judge

    dockerfile = ("FROM node:22-slim AS builder\nRUN npm ci\n\nFROM node\nCOPY --from=builder /app /app\n"
                  "ARG BASE=python:3.12\nFROM ${BASE}\nFROM redis:latest\nFROM nginx:stable\nFROM node:lts-alpine3.19\n"
                  "FROM ghcr.io/org/img:main-2024\n")

    def semgrep(line):
        return {"id": "7" * 32, "tool": "semgrep", "kind": "config", "severity": "low",
                "rule_id": "dockerfile.security.dockerfile-source-not-pinned.dockerfile-source-not-pinned",
                "title": "To ensure reproducible builds, pin Dockerfile `FROM` commands to a specific hash.",
                "description": "d", "location": {"path": "Dockerfile", "start_line": line, "end_line": line}}

    hit = check_digest_pin(semgrep(1), Files({"Dockerfile": dockerfile}))
    assert hit and "Dockerfile:1 builds from node at the release tag 22-slim" in hit["evidence"]
    assert Judge(reader=Files({"Dockerfile": dockerfile})).judge(semgrep(1))["verdict"] == "false_positive"
    for line in (4, 7, 8, 9, 10, 11):  # no tag (latest), a build argument, latest, channel names, a branch tag
        assert check_digest_pin(semgrep(line), Files({"Dockerfile": dockerfile})) is None, line


THUMBS = """import subprocess
from django.conf import settings


def create_thumbnail(inputPath, output):
    command = ["ffmpeg", "-i", inputPath, "-vframes", "1", output]
    command += ["-y"]
    subprocess.Popen(command).wait()


def run(program, path):
    subprocess.run([program, path])


def git_safe():
    subprocess.run(["git", "config", "--global", "--add", "safe.directory", "/code"])
"""


def test_an_argument_list_built_with_a_fixed_program_runs_that_program():
    # held-out set 18: LibrePhotos' api/thumbnails.py runs ffmpeg from a list built two lines above; its views run git
    from test_triage_containers import Files

    from tasks.triage.subprocess_argv import check_subprocess_argv

    def bandit(rule, line):
        return {"id": "6" * 32, "tool": "bandit", "rule_id": rule, "kind": "code", "severity": "low", "title": rule,
                "description": "d", "location": {"path": "api/thumbnails.py", "start_line": line, "end_line": line}}

    reader = Files({"api/thumbnails.py": THUMBS})
    hit = check_subprocess_argv(bandit("B603", 8), reader)
    assert hit and "runs `ffmpeg` with an argument list (the list `command` built on line 6)" in hit["evidence"]
    assert check_subprocess_argv(bandit("B603", 12), reader) is None  # the program is a parameter
    path = check_subprocess_argv(bandit("B607", 16), reader)
    assert path and path["evidence"].startswith("a fixed program found through PATH: api/thumbnails.py:16 runs `git`")
    assert check_subprocess_argv(bandit("B607", 12), reader) is None
    web = THUMBS + "\n\ndef view(request):\n    return request.GET['q']\n"
    assert check_subprocess_argv(bandit("B603", 8), Files({"api/thumbnails.py": web})) is None  # request data in the file


def test_a_list_whose_program_is_replaced_or_is_a_shell_is_no_fixed_program():
    from test_triage_containers import Files

    from tasks.triage.subprocess_argv import check_subprocess_argv

    def bandit(line, text):
        f = {"id": "6" * 32, "tool": "bandit", "rule_id": "B603", "kind": "code", "severity": "low", "title": "B603",
             "description": "d", "location": {"path": "jobs/run.py", "start_line": line, "end_line": line}}
        return check_subprocess_argv(f, Files({"jobs/run.py": text}))

    replaced = "import subprocess\n\ndef run(job):\n    command = ['echo']\n    command[0] = job.program\n    subprocess.run(command)\n"
    assert bandit(6, replaced) is None
    assert bandit(6, replaced.replace("command[0] = job.program", "command.insert(0, job.program)")) is None
    assert bandit(3, "import subprocess\n\nsubprocess.run(['sh', '-c', SCRIPT])\n") is None  # a shell parses the text
    whole = bandit(3, "import subprocess\n\nsubprocess.run(['mysqldump -psecret db'])\n")
    assert whole and "runs `mysqldump`" in whole["evidence"] and "secret" not in whole["evidence"]


def test_an_import_only_finding_names_the_calls_the_file_makes_through_it():
    """Round 26 (set 21): "the answer never looks at the actual call" - the evidence now names where the file calls
    what the import binds (line, call, function), so a reader can judge those calls; long literals are cut."""
    from test_triage_containers import Files

    src = ("import os\nimport pickle\n\n\ndef test_watch_pickle():\n    watch = {'uuid': 'a-very-long-test-value-1234'}\n"
           "    copy = pickle.loads(pickle.dumps(watch))\n    assert copy == watch\n\n\nblob = pickle.dumps({})\n")
    f = {"id": "9" * 32, "tool": "bandit", "rule_id": "B403", "kind": "code", "severity": "low", "title": "B403",
         "description": "d", "location": {"path": "tests/unit/test_watch.py", "start_line": 2, "end_line": 2}}
    hit = check_unused_import(f, Files(src).reader)
    assert hit["evidence"].endswith("; the module is called at line 7 (`pickle.loads(pickle.dumps(watch))`, in test_watch_pickle()) "
                                    "and on 1 more line")
    assert "a-very-long" not in hit["evidence"]
    # the same import with no call through it (only passed along): the import-only reason, and no call named
    hit = check_unused_import(f, Files("import os\nimport pickle\n\nHANDLERS = [pickle]\n").reader)
    assert hit["evidence"].endswith("the import line alone runs nothing")
