"""Checks from held-out set 25 (Mailu, Kiwi TCMS, Radicale, terraform-aws-sqs), written after its measurement, each
with the neighbour that stays a finding."""

from __future__ import annotations

from test_triage_containers import Files

from tasks.findings import secrets
from tasks.triage.entrypoint import drops_root
from tasks.triage.stage_base import check_stage_base
from tasks.triage.verdict import Judge


def _ckv(rule: str, path: str, line: int, tool: str = "checkov") -> dict:
    return {"id": "7" * 32, "tool": tool, "kind": "config", "severity": "low", "rule_id": rule, "title": rule,
            "description": "d", "location": {"path": path, "start_line": line, "end_line": line}}


BAKE = 'target "admin" {\n  context = "core/admin/"\n  contexts = {\n    base = "target:base"\n  }\n}\n'


def test_from_a_build_context_of_the_repository_or_a_pinned_arg_default_is_no_unpinned_image():
    files = Files({"core/admin/Dockerfile": "FROM base\nCOPY start.py /\nCMD /start.py\n", "tests/build.hcl": BAKE,
                   "core/base/Dockerfile": "ARG DISTRO=ghcr.io/mailu/alpine:3.21.7\nFROM $DISTRO\n",
                   "other/Dockerfile": "FROM base\n", "latest/Dockerfile": "ARG DISTRO=alpine:latest\nFROM $DISTRO\n"})
    hit = check_stage_base(_ckv("CKV_DOCKER_7", "core/admin/Dockerfile", 1), files, files.files)
    assert hit and "the build context tests/build.hcl:4 supplies (`target:base`)" in hit["evidence"]
    pinned = check_stage_base(_ckv("CKV_DOCKER_7", "core/base/Dockerfile", 2), files, files.files)
    assert pinned and "the release tag 3.21.7" in pinned["evidence"]
    assert check_stage_base(_ckv("CKV_DOCKER_7", "latest/Dockerfile", 2), files, files.files) is None
    bare = Files({"other/Dockerfile": "FROM base\n"})  # no bake or compose file names it: a registry image `base`
    assert check_stage_base(_ckv("CKV_DOCKER_7", "other/Dockerfile", 1), bare, bare.files) is None


def test_a_python_start_script_that_drops_root_at_module_level_and_one_that_drops_only_a_helper():
    top = ["#!/usr/bin/env python3\n", "from socrate import system\n", "os.system('chown mailu /data')\n",
           "system.drop_privs_to('mailu')\n", "os.execv('/usr/bin/gunicorn', args)\n"]
    assert drops_root(top)[1] == "mailu"
    helper = ["#!/usr/bin/env python3\n", "def start_podop():\n", "    system.drop_privs_to('mail')\n",
              "multiprocessing.Process(target=start_podop).start()\n", "os.execv('/usr/sbin/dovecot', ['dovecot'])\n"]
    assert drops_root(helper) is None  # the service itself keeps root


def test_semgreps_missing_user_reads_the_start_script_of_the_dockerfiles_own_folder():
    files = Files({"core/admin/Dockerfile": "FROM base\nCOPY start.py /\nHEALTHCHECK CMD curl -f http://localhost/\n"
                                            "CMD /start.py\n",
                   "core/admin/start.py": "#!/usr/bin/env python3\nsystem.drop_privs_to('mailu')\nos.execv('/g', [])\n",
                   "core/nginx/start.py": "#!/usr/bin/env python3\nos.execv('/usr/sbin/nginx', [])\n"})
    f = _ckv("dockerfile.security.missing-user", "core/admin/Dockerfile", 3, tool="semgrep")
    rec = Judge(reader=files, imports=files).judge(f)
    assert rec["verdict"] == "false_positive" and "core/admin/start.py, whose line 2" in rec["reasons"][0]["evidence"]


def test_a_boolean_word_under_a_secret_name_is_shown():
    assert not secrets.plausible("False", 'password = "False"') and secrets.keyed_values('password = "False"') == []
    assert secrets.keyed_values('password = "hunter22"') == ["hunter22"]


def test_the_exemptions_leave_real_secrets_redacted():
    """A reviewer's leaks of the first version of the exemptions: each value below is a credential and still goes."""
    cases = [('if api_key == "9f86d081884c7d659a2feaa0c55ad015":', "9f86d081884c7d659a2feaa0c55ad015"),
             ('password = "aB3%' + 'xY9%qZ!"', "aB3%xY9%qZ!"), ('app.secret_key = "super-secret-key"', "super-secret-key"),
             ('credentials = "user=admin,password=Tr0ub4dor&3"', "user=admin,password=Tr0ub4dor&3"),
             ('password: "Winter2024@corp.local"', "Winter2024@corp.local"),
             ('password = "/s3cr3t/Pa55.w0rd"', "/s3cr3t/Pa55.w0rd"), ('password = "--hunter2-x"', "--hunter2-x"),
             ('password = "access"', "access"), ('password = "YoursTrulyForever"', "YoursTrulyForever")]
    for text, value in cases:
        assert value in secrets.detect(text, "app.py") + secrets.keyed_values(text), value
