"""Triage round 4: what a Dockerfile shows (bind address, ADD of a local file, an image that drops root) and
secret values that are messages or empty -- each with a case it flags and a case it leaves alone."""

from __future__ import annotations

import pytest

from tasks.findings.secret_evidence import classify
from tasks.triage.verdict import Judge


class Files:
    """The tests' one stand-in for a repository: ``files`` as ImportIndex lists them, ``lines`` as SourceReader reads
    them (line ends kept).  A str instead of a dict is one file's text, read at whatever path a check asks for."""

    def __init__(self, files: dict[str, str] | str):
        self.data, self.reader = files, self
        self.files = list(files) if isinstance(files, dict) else []

    def resolve(self, commit):
        return None

    def lines(self, path, commit):
        text = self.data.get(path) if isinstance(self.data, dict) else self.data
        return None if text is None else text.splitlines(True)


def bandit_at(rule: str, line: int, path: str, title: str = "t") -> dict:
    """A Bandit finding of ``rule`` at ``path:line`` (the set-25..27 tests' one shape)."""
    return {"id": "1" * 32, "tool": "bandit", "kind": "code", "severity": "low", "rule_id": rule, "title": title,
            "description": "d", "location": {"path": path, "start_line": line, "end_line": line}}


def semgrep_at(rule: str, path: str, line: int, end: int | None = None) -> dict:
    """A Semgrep finding of ``rule`` at ``path:line`` (to ``end``): the set-28..30 tests' one shape."""
    return {"id": "6" * 32, "tool": "semgrep", "kind": "code", "severity": "medium", "title": "t", "description": "d",
            "rule_id": rule, "location": {"path": path, "start_line": line, "end_line": end or line}}


def finding(**kw):
    base = {"id": "f" * 32, "tool": "bandit", "kind": "code", "rule_id": "B104", "title": "Possible binding to all interfaces.",
            "description": "", "location": {"path": "web/app.py", "start_line": 9, "end_line": 9}, "package": None,
            "snippet": None, "aliases": [], "cve": [], "ghsa": [], "suppressed": False, "severity": "medium"}
    return base | kw


APP = "from flask import Flask\napp = Flask(__name__)\n" + "\n" * 6 + "app.run(host='0.0.0.0', port=5000)\n"


def judge(files: dict[str, str], f: dict) -> dict:
    repo = Files(files)
    return Judge(reader=repo, imports=repo).judge(f)


@pytest.mark.parametrize("dockerfile,line", [
    ("FROM python:3.12-slim\nWORKDIR /srv\nCOPY . .\nCMD [\"python\", \"app.py\"]\n", 4),
    ("FROM python:3.12-slim\nCOPY . /srv\nENTRYPOINT python /srv/app.py\n", 3),
    ("FROM python:3.12-slim\nCOPY . /srv\nENV FLASK_APP=app.py\nCMD flask run --host=0.0.0.0\n", 4),
    ("FROM python:3.12-slim\nCOPY . /srv\nCMD [\"gunicorn\", \"-b\", \"0.0.0.0:80\", \"app:app\"]\n", 3),
    ("FROM python:3.12-slim\nCOPY . /srv\nWORKDIR /srv\nCMD python -m web.app\n", 4),  # from the folder above
    ("FROM python:3.12-slim\nCOPY . /srv\nCMD [\"python\", \"/srv/web/app.py\"]\n", 3),
])
def test_binding_all_interfaces_in_a_file_a_dockerfile_runs(dockerfile, line):
    where = "Dockerfile" if "web." in dockerfile or "/web/" in dockerfile else "web/Dockerfile"
    rec = judge({"web/app.py": APP, where: dockerfile}, finding())
    assert rec["verdict"] == "false_positive"
    assert rec["reasons"][0]["check"] == "container"
    assert f"{where}:{line} runs web/app.py" in rec["reasons"][0]["evidence"]
    assert "port mapping" in rec["reasons"][0]["evidence"]


@pytest.mark.parametrize("files", [
    {"web/app.py": APP},  # no Dockerfile
    {"web/app.py": APP, "web/Dockerfile": "FROM python:3.12\nCOPY . .\nCMD [\"python\", \"worker.py\"]\n"},  # runs another file
    {"web/app.py": APP, "other/Dockerfile": "FROM python:3.12\nCOPY . .\nCMD [\"python\", \"app.py\"]\n"},  # not its folder
    # a Dockerfile above it that runs another app.py (its own folder's) or another module called app
    {"web/app.py": APP, "Dockerfile": "FROM python:3.12\nCOPY . .\nCMD [\"python\", \"app.py\"]\n"},
    {"web/app.py": APP, "Dockerfile": "FROM python:3.12\nCOPY . .\nCMD [\"gunicorn\", \"app:app\"]\n"},
])
def test_binding_all_interfaces_without_a_dockerfile_that_runs_the_file(files):
    rec = judge(files, finding())
    assert rec["verdict"] == "true_positive" and rec["reasons"][0]["check"] != "container"


def checkov(rule, start, snippet):
    return finding(tool="checkov", kind="config", rule_id=rule, title="t", snippet=snippet,
                   location={"path": "svc/Dockerfile", "start_line": start, "end_line": start})


@pytest.mark.parametrize("add", ["ADD requirements.txt /app/", "ADD --chown=app:app src/ config.ini /app/"])
def test_add_of_a_local_file_behaves_like_copy(add):
    dockerfile = f"FROM python:3.12\n{add}\nCMD [\"python\", \"app.py\"]\n"
    rec = judge({"svc/Dockerfile": dockerfile}, checkov("CKV_DOCKER_4", 2, add))
    assert rec["verdict"] == "false_positive"
    assert "ADD of a local file behaves like COPY: svc/Dockerfile:2" in rec["reasons"][0]["evidence"]


@pytest.mark.parametrize("add", ["ADD https://example.org/tool.sh /usr/local/bin/", "ADD vendor.tar.gz /opt/",
                                 "ADD ${SRC} /app/"])
def test_add_of_a_url_an_archive_or_a_variable_stays(add):
    dockerfile = f"FROM python:3.12\n{add}\n"
    rec = judge({"svc/Dockerfile": dockerfile}, checkov("CKV_DOCKER_4", 2, add))
    assert rec["verdict"] == "true_positive"


@pytest.mark.parametrize("dockerfile,user", [
    ("FROM mongo:6\nCOPY init.js /docker-entrypoint-initdb.d/\n", "mongodb"),
    ("FROM postgres:16-alpine\nENV POSTGRES_DB=app\n", "postgres"),
    ("FROM redis:7\nCOPY redis.conf /usr/local/etc/redis/\nCMD [\"redis-server\", \"/usr/local/etc/redis/redis.conf\"]\n", "redis"),
    ("FROM php:8.2-apache\nCOPY src/ /var/www/html/\n", "www-data"),
    ("FROM node:20 AS build\nRUN npm ci\nFROM --platform=linux/amd64 mariadb:11\nCOPY schema.sql /docker-entrypoint-initdb.d/\n",
     "mysql"),
])
def test_an_official_image_that_drops_root_needs_no_user(dockerfile, user):
    rec = judge({"svc/Dockerfile": dockerfile}, checkov("CKV_DOCKER_3", 1, dockerfile))
    assert rec["verdict"] == "false_positive"
    ev = rec["reasons"][0]["evidence"]
    last = dockerfile.splitlines().index(next(x for x in reversed(dockerfile.splitlines()) if x.startswith("FROM"))) + 1
    assert f"svc/Dockerfile:{last} `FROM " in ev and f"runs as {user}" in ev


@pytest.mark.parametrize("dockerfile", [
    "FROM redis:6-alpine\nCOPY start.sh /start.sh\nCMD [\"/bin/sh\", \"/start.sh\"]\n",  # its own command: runs as root
    "FROM php:8.2-apache\nCOPY run.sh /\nENTRYPOINT [\"/run.sh\"]\n",  # its own entrypoint
    "FROM python:3.12\nCOPY . .\nCMD [\"python\", \"app.py\"]\n",  # not in the table
    "FROM redis:7\nCMD redis-server --appendonly yes\n",  # shell form: the entrypoint sees /bin/sh -c
    "FROM someone/postgres:16\n",  # someone else's build
])
def test_other_images_or_own_commands_keep_the_missing_user(dockerfile):
    rec = judge({"svc/Dockerfile": dockerfile}, checkov("CKV_DOCKER_3", 1, dockerfile))
    assert rec["verdict"] == "true_positive"


def secret(value_line: str, title: str, rule="B105"):
    from tasks.findings.parsers.finalise import finalise

    f = finding(rule_id=rule, title=title, snippet=f"12 {value_line}\n", location={"path": "app/views.py", "start_line": 12,
                                                                                  "end_line": 12})
    return finalise(f | {"references": []})


@pytest.mark.parametrize("line,title,words", [
    ("password = ''", "Possible hardcoded password: ''", "an empty string"),
    ("conn = connect(host='db', password='')", "Possible hardcoded password: ''", "an empty string"),
    ("pwd = 'x'", "Possible hardcoded password: 'x'", "a single character"),
    ("PASSWORD_UPDATED = 'Updated.'", "Possible hardcoded password: 'Updated.'", "one-word status"),
    ("password_error = 'Password is incorrect or there is nothing here.'",
     "Possible hardcoded password: 'Password is incorrect or there is nothing here.'", "a sentence of 8 words"),
])
def test_an_empty_value_or_a_message_is_no_credential(line, title, words):
    f = secret(line, title)
    rec = Judge().judge(f)
    assert rec["verdict"] == "false_positive", rec
    ev = rec["reasons"][0]["evidence"]
    assert words in ev and ("no hardcoded credential" in ev or "not a credential" in ev)
    assert "incorrect or there" not in ev and "Updated." not in ev  # the value itself never reaches the evidence


@pytest.mark.parametrize("value", ["correct horse battery staple", "Tr0ub4dor&3", "pass word.", "Welcome!", "Secret."])
def test_a_passphrase_without_a_sentence_shape_stays(value):
    assert classify([value], "B105", from_code=True)["class"] not in ("message", "empty")
    rec = Judge().judge(secret(f"password = '{value}'", f"Possible hardcoded password: '{value}'"))
    assert rec["verdict"] != "false_positive"


@pytest.mark.parametrize("rule,verdict", [("CKV2_AWS_62", "false_positive"), ("CKV_AWS_320", "false_positive"),
                                          ("CKV2_AWS_10", "true_positive"), ("CKV_DOCKER_7", "true_positive")])
def test_operational_policy_for_notifications_names_audit_alarms_and_image_tags(rule, verdict):
    f = finding(tool="checkov", kind="config", rule_id=rule, title="t", location={"path": "infra/main.tf", "start_line": 1})
    rec = Judge().judge(f)
    assert rec["verdict"] == verdict
    assert (rec["reasons"][0]["evidence"].startswith("not a security weakness")) == (verdict == "false_positive")


VIEW = ('def code_lab(request):\n    if request.method == "POST":\n        try:\n            if request.user.is_authenticated:\n'
        '                {call}\n        except:\n            pass\n    return render(request, "lab.html")\n')


def test_a_swallowed_error_around_exec_under_a_login_flag_is_hygiene():
    # the flag raises nothing (an exception skips the guarded code); the exec itself is B102's finding
    f = finding(rule_id="B110", title="Try, Except, Pass detected.", location={"path": "app/views.py", "start_line": 6},
                snippet="5                 exec(code)\n6         except:\n7             pass\n")
    rec = Judge(reader=Files(VIEW.format(call="exec(request.POST.get('code'))"))).judge(f)
    assert rec["verdict"] == "false_positive" and "error-handling hygiene" in rec["reasons"][0]["evidence"]


def test_a_swallowed_security_check_still_fails_open():
    f = finding(rule_id="B110", title="Try, Except, Pass detected.", location={"path": "app/views.py", "start_line": 6},
                snippet="5                 x = 1\n6         except:\n7             pass\n")
    rec = Judge(reader=Files(VIEW.format(call="jwt.decode(token, KEY, algorithms=['HS256'])"))).judge(f)
    assert rec["verdict"] == "true_positive"


SIBLING = "FROM python:3\nWORKDIR /app\nADD app/requirements.txt /app/requirements.txt\nCMD python app.py\n"


def test_a_dockerfile_in_its_own_folder_beside_the_code_runs_the_only_file_of_that_name():
    """The compose layout: labs/a8/deployments/Dockerfile (build context one level up) runs `python app.py`; the
    only app.py under labs/a8 is labs/a8/app/app.py.  Another app.py there, or no shared project folder, leaves it."""
    where = {"location": {"path": "labs/a8/app/app.py", "start_line": 9, "end_line": 9}}
    rec = judge({"labs/a8/app/app.py": APP, "labs/a8/deployments/Dockerfile": SIBLING}, finding(**where))
    assert rec["verdict"] == "false_positive" and rec["reasons"][0]["check"] == "container"
    assert "labs/a8/deployments/Dockerfile:4" in rec["reasons"][0]["evidence"]
    assert "(`CMD python app.py`); labs/a8/app/app.py is the only app.py under labs/a8" in rec["reasons"][0]["evidence"]
    two = judge({"labs/a8/app/app.py": APP, "labs/a8/tools/app.py": "print(1)\n", "labs/a8/deployments/Dockerfile": SIBLING},
                finding(**where))
    assert two["verdict"] == "true_positive"
    runs_other = judge({"labs/a8/app/app.py": APP, "labs/a8/deployments/Dockerfile": SIBLING.replace("app.py\n", "main.py\n")},
                       finding(**where))
    assert runs_other["verdict"] == "true_positive"


def test_a_readme_that_also_runs_the_file_on_a_machine_makes_it_needs_review():
    """A Dockerfile runs app.py, but the README tells people to run `python3 app.py` on their machine: there 0.0.0.0
    is every interface of the host, so the finding is not dismissed; a README that runs it in Docker changes nothing."""
    files = {"web/app.py": APP, "Dockerfile": "FROM python:3.12\nCOPY . .\nCMD [\"python\", \"web/app.py\"]\n"}
    host = judge(files | {"README.md": "# Web\n\nRun it:\n\n    python3 web/app.py\n"}, finding())
    assert host["verdict"] == "needs_review" and "README.md:5 starts it directly" in host["reasons"][0]["evidence"]
    docker = judge(files | {"README.md": "Run: docker run -p 5000:5000 web python web/app.py\n"}, finding())
    assert docker["verdict"] == "false_positive"


def test_a_distroless_nonroot_final_stage_needs_no_user():
    """python-insecure-app's Dockerfile.distroless: the final stage is distroless's `:nonroot` tag (USER 65532)."""
    df = ("FROM python:3.12-slim AS build\nRUN pip install --target /app/deps fastapi\n"
          "FROM gcr.io/distroless/python3-debian12:nonroot\nCOPY --from=build /app /app\nCMD [\"main.py\"]\n")
    rec = judge({"Dockerfile.distroless": df}, checkov("CKV_DOCKER_3", 1, df) | {"location": {"path": "Dockerfile.distroless",
                                                                                             "start_line": 1, "end_line": 5}})
    assert rec["verdict"] == "false_positive", rec
    assert "Dockerfile.distroless:3 `FROM gcr.io/distroless/python3-debian12:nonroot`" in rec["reasons"][0]["evidence"]
    for other in (df.replace(":nonroot", ""), df.replace(":nonroot", ":debug"), df + "USER root\n"):
        rec = judge({"Dockerfile.distroless": other}, checkov("CKV_DOCKER_3", 1, other) | {
            "location": {"path": "Dockerfile.distroless", "start_line": 1, "end_line": 5}})
        assert rec["verdict"] != "false_positive", other
