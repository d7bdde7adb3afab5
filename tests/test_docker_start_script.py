"""A Dockerfile's own start script decides CKV_DOCKER_3 (tasks.triage.entrypoint), round 15's graders: USER 10001 added
to images whose entrypoint starts cron and writes /etc/env (django-helpdesk's standalone image), an image whose uWSGI
already drops to www-data (linkding) called root, and "the image sets no CMD" for a last stage built FROM an earlier
stage that has one.  The files below are written for the tests, in the shape of those projects."""

from __future__ import annotations

import subprocess
from types import SimpleNamespace

from repo_reader import FilesReader

from tasks.datasets.sources import Source
from tasks.fixes import fix_for
from tasks.triage.docker import check_container, instructions
from tasks.triage.entrypoint import drops_root, image_steps, needs_root, start_script

CRON_DOCKERFILE = ("FROM python:3.11-slim-bookworm\nRUN apt-get update && apt-get install -y cron\nWORKDIR /opt/app\n"
                   "COPY standalone/entrypoint.sh /opt/entrypoint.sh\nCOPY . .\nEXPOSE 8080\nENTRYPOINT [\"/opt/entrypoint.sh\"]\n")
CRON_SCRIPT = ("#!/bin/sh\nset -e\n# keep the environment for cron jobs\nprintenv > /etc/env\ncron &&\n"
               "exec gunicorn app.wsgi -b 0.0.0.0:8080\n")
GOSU_SCRIPT = "#!/bin/sh\nchown -R app /data\nexec gosu app gunicorn app.wsgi -b 0.0.0.0:8080\n"
UWSGI_DOCKERFILE = ("FROM python:3.12-slim AS linkding\nWORKDIR /etc/linkding\nCOPY bootstrap.sh uwsgi.ini ./\n"
                    'CMD ["./bootstrap.sh"]\n\nFROM linkding AS linkding-plus\nRUN pip install extra\n')
UWSGI_SCRIPT = "#!/usr/bin/env bash\nmkdir -p data\nchown -R www-data: data\nexec uwsgi --http :9090 uwsgi.ini\n"
UWSGI_INI = "[uwsgi]\nmodule = app.wsgi\nuid = www-data\ngid = www-data\n"
TITLE = "Ensure that a user for the container has been created"


def _finding(path: str, text: str) -> dict:
    return {"id": "d" * 32, "tool": "checkov", "rule_id": "CKV_DOCKER_3", "kind": "config", "severity": "medium",
            "title": TITLE, "description": f"{TITLE} (resource /{path}., framework dockerfile)",
            "location": {"path": path, "start_line": 1, "end_line": text.count("\n")}, "snippet": text}


def _reader(files: dict[str, str]) -> FilesReader:
    """A stand-in for SourceReader: the repository's files by path, at a commit."""
    return FilesReader(files, "c0ffee")


def _triage(files: dict[str, str], dockerfile: str) -> dict | None:
    return check_container(_finding(dockerfile, files[dockerfile]), _reader(files), SimpleNamespace(files=sorted(files)))


def test_the_start_script_is_found_through_copy_and_read_for_what_needs_root():
    files = {"standalone/Dockerfile": CRON_DOCKERFILE, "standalone/entrypoint.sh": CRON_SCRIPT, "README.md": "x"}
    read = lambda p: _reader(files).lines(p, None)  # noqa: E731
    script = start_script(instructions(read("standalone/Dockerfile")), "standalone/Dockerfile", sorted(files), read)
    assert script["path"] == "standalone/entrypoint.sh" and script["line"] == 7
    assert needs_root(script["lines"]) == (4, "writes under /etc", "printenv > /etc/env")
    assert needs_root(["#!/bin/sh\n", "cron &&\n"]) == (2, "starts cron", "cron &&")
    assert needs_root(["exec python -m app\n", "# chown -R app /data\n"]) is None  # comments are not steps
    assert drops_root(script["lines"]) is None


def test_a_script_that_drops_root_makes_the_missing_user_a_false_positive():
    files = {"Dockerfile": CRON_DOCKERFILE.replace("standalone/", ""), "entrypoint.sh": GOSU_SCRIPT}
    verdict = _triage(files, "Dockerfile")
    assert verdict["status"] == "script_drops_root"
    assert "Dockerfile:7 starts entrypoint.sh, whose line 3 `exec gosu app gunicorn" in verdict["evidence"]
    assert "runs it as app" in verdict["evidence"]
    files["entrypoint.sh"] = CRON_SCRIPT  # needs root and never drops it: the finding stands
    assert _triage(files, "Dockerfile") is None
    files["entrypoint.sh"] = "#!/bin/sh\nexec gosu root app\n"  # "dropping" to root is no drop
    assert _triage(files, "Dockerfile") is None


def test_uwsgi_with_a_uid_in_its_ini_drops_root_and_the_cmd_comes_from_the_stage_built_from():
    files = {"docker/default.Dockerfile": UWSGI_DOCKERFILE, "bootstrap.sh": UWSGI_SCRIPT, "uwsgi.ini": UWSGI_INI}
    verdict = _triage(files, "docker/default.Dockerfile")
    assert verdict and verdict["status"] == "script_drops_root"
    assert "docker/default.Dockerfile:4 starts bootstrap.sh" in verdict["evidence"]
    assert "`exec uwsgi --http :9090 uwsgi.ini` with uwsgi.ini's `uid = www-data` runs it as www-data" in verdict["evidence"]
    files["uwsgi.ini"] = UWSGI_INI.replace("uid = www-data\n", "")
    assert _triage(files, "docker/default.Dockerfile") is None
    # the last stage has no CMD of its own: linkding-plus runs linkding's
    assert [k for _, k, _ in image_steps(instructions(UWSGI_DOCKERFILE.splitlines(True)))].count("CMD") == 1
    assert [k for _, k, _ in image_steps(instructions("FROM a AS b\nCMD x\nFROM python:3\nWORKDIR /y\n".splitlines(True)))] == ["FROM", "WORKDIR"]


def test_no_user_row_where_the_start_script_needs_root_and_no_false_no_cmd_claim():
    start = {"path": "standalone/entrypoint.sh", "line": 7, "needs_root": [4, "writes under /etc", "printenv > /etc/env"],
             "drops_root": None}
    f = _finding("standalone/Dockerfile", CRON_DOCKERFILE)
    answer, why, _ = fix_for(f, [], {"path": f["location"]["path"], "text": CRON_DOCKERFILE, "start_line": 1, "start": start})
    assert answer is None
    assert why.startswith("the image's start script standalone/entrypoint.sh writes under /etc (line 4: `printenv > /etc/env`)")
    assert "USER 10001" in fix_for(f, [], {"path": f["location"]["path"], "text": CRON_DOCKERFILE, "start_line": 1})[0]
    plus = _finding("docker/default.Dockerfile", UWSGI_DOCKERFILE)
    answer = fix_for(plus, [], {"path": "docker/default.Dockerfile", "text": UWSGI_DOCKERFILE, "start_line": 1})[0]
    assert "USER" in answer and "the image sets no CMD" not in answer
    bare = UWSGI_DOCKERFILE.replace('CMD ["./bootstrap.sh"]\n', "")
    assert "the image sets no CMD" in fix_for(_finding("docker/default.Dockerfile", bare), [],
                                              {"path": "docker/default.Dockerfile", "text": bare, "start_line": 1})[0]


def test_the_dataset_source_reads_the_start_script_from_the_checkout(tmp_path):
    repo = tmp_path / "repo"
    for name, text in {"standalone/Dockerfile": CRON_DOCKERFILE, "standalone/entrypoint.sh": CRON_SCRIPT}.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True)
    code = Source(str(repo), None, 5).code(_finding("standalone/Dockerfile", CRON_DOCKERFILE))
    assert code["start"] == {"path": "standalone/entrypoint.sh", "line": 7,
                             "needs_root": [4, "writes under /etc", "printenv > /etc/env"], "drops_root": None}


def test_a_start_script_named_by_path_without_sh_is_read_when_it_is_a_shell_script():
    """apprise-api (round 16): CMD ["/opt/apprise/webapp/supervisord-startup"] adds the PUID user and chowns as root,
    then supervisord runs the service as that user: USER 10001 would break PUID/PGID."""
    dockerfile = ('FROM python:3.14-slim AS base\nFROM base AS runtime\nCOPY apprise_api/ webapp\n'
                  'CMD ["/opt/apprise/webapp/supervisord-startup"]\n')
    startup = ('#!/bin/bash\nPUID=${PUID:=1000}\nuseradd -M -N -o -u "${PUID}" apprise\n'
               'exec /usr/local/bin/supervisord -c "$SUPERVISORD_CONF"\n')
    files = {"Dockerfile": dockerfile, "apprise_api/supervisord-startup": startup, "apprise_api/manage.py": "x"}
    read = lambda p: _reader(files).lines(p, None)  # noqa: E731
    script = start_script(instructions(read("Dockerfile")), "Dockerfile", sorted(files), read)
    assert script["path"] == "apprise_api/supervisord-startup"
    assert needs_root(script["lines"])[1] == "adds users or groups"
    files["apprise_api/supervisord-startup"] = "import os\nos.system('useradd x')\n"  # no shell script: not read
    assert start_script(instructions(read("Dockerfile")), "Dockerfile", sorted(files), read) is None
    binary = dockerfile.replace("/opt/apprise/webapp/supervisord-startup", "/usr/local/bin/supervisord")
    assert start_script(instructions(binary.splitlines(True)), "Dockerfile", sorted(files), read) is None


def test_a_build_stages_output_copied_into_the_app_folder_is_given_to_the_user():
    """DamnVulnerableCryptoApp (round 16): `COPY --from=builder backend/build /app/build`, WORKDIR /app, then only
    `USER node`: the app writes build/config/flags.json at run time into a root-owned folder."""
    text = ('FROM node:18-alpine as builder\nCOPY . .\nRUN yarn install\n\nFROM node:18-alpine as runner\n'
            'RUN mkdir /app\nCOPY --from=builder backend/build /app/build\nWORKDIR /app\nCMD ["yarn", "start:prod"]\n')
    answer = fix_for(_finding("Dockerfile", text), [], {"path": "Dockerfile", "text": text, "start_line": 1})[0]
    assert "RUN chown -R node /app\nUSER node" in answer
    binary = text.replace("COPY --from=builder backend/build /app/build", "COPY --from=builder /out/app /usr/local/bin/app")
    assert "chown" not in fix_for(_finding("Dockerfile", binary), [], {"path": "Dockerfile", "text": binary, "start_line": 1})[0]


def test_an_image_a_repository_script_builds_and_runs_on_the_working_tree_is_a_build_tool():
    """opentelemetry-demo's genproto images (round 17): docker-gen-proto.sh builds src/$1/genproto/Dockerfile and runs
    it with -v $(pwd):/build; USER 10001 would break the copy into the mounted tree."""
    gen = 'FROM alpine:3.20 AS builder\nRUN apk add protobuf-dev\nWORKDIR /build\n'
    script = ('#!/bin/sh\ngen_proto() {\n  docker build -f "src/$1/genproto/Dockerfile" -t "$1-genproto" .\n'
              '  docker run --rm -v $(pwd):/build "$1-genproto" -c "cp -r /out ./src/$1/"\n}\n')
    files = {"src/currency/genproto/Dockerfile": gen, "docker-gen-proto.sh": script, "src/currency/Dockerfile": gen}
    verdict = _triage(files, "src/currency/genproto/Dockerfile")
    assert verdict["status"] == "tool_image"
    assert verdict["evidence"] == ("a build tool, not a deployed image: docker-gen-proto.sh:3 builds "
                                   "src/currency/genproto/Dockerfile and line 4 runs it with the working tree mounted to "
                                   "generate files")
    assert _triage(files, "src/currency/Dockerfile") is None  # the service's own image is deployed
    files["docker-gen-proto.sh"] = script.replace("-v $(pwd):/build ", "")
    assert _triage(files, "src/currency/genproto/Dockerfile") is None  # built, but run on nothing of the tree


def test_pip_install_at_start_needs_root_and_a_data_folder_the_cmd_names_is_given_to_the_user():
    """changedetection.io (round 17): docker-entrypoint.sh pip-installs EXTRA_PACKAGES; CMD writes to /datastore."""
    assert needs_root(["#!/bin/sh\n", "pip3 install --no-cache-dir $EXTRA_PACKAGES\n"])[1] == "installs packages"
    assert needs_root(["pip install --user tool\n"]) is None
    text = ('FROM python:3.11-slim\nRUN [ ! -d "/datastore" ] && mkdir /datastore\nWORKDIR /app\nCOPY . /app\n'
            'CMD ["python", "./changedetection.py", "-d", "/datastore"]\n')
    answer = fix_for(_finding("Dockerfile", text), [], {"path": "Dockerfile", "text": text, "start_line": 1})[0]
    assert "RUN chown -R 10001 /datastore" in answer


PUID_DOCKERFILE = ("FROM python:3.10-slim AS python-base\nENV MEALIE_HOME=/app\nRUN useradd -u 911 -U -d $MEALIE_HOME abc\n"
                   "FROM python-base AS production\nCOPY ./docker/entry.sh $MEALIE_HOME/run.sh\nRUN chmod +x $MEALIE_HOME/run.sh\n"
                   'ENTRYPOINT ["/app/run.sh"]\n')
PUID_SCRIPT = ("#!/bin/bash\nPUID=${PUID:-911}\nadd_user() {\n    usermod -o -u \"$PUID\" abc\n}\n"
               "if [ \"$(id -u)\" = \"0\" ]; then\n    add_user\n    chown -R $PUID:$PGID /app\n"
               "    exec gosu $PUID \"$BASH_SOURCE\" \"$@\"\nfi\nexec uvicorn mealie.app:app\n")


def test_a_script_copied_under_another_name_that_drops_root_to_a_variable_user():
    """mealie: `COPY ./docker/entry.sh $MEALIE_HOME/run.sh`, ENTRYPOINT /app/run.sh, `exec gosu $PUID ...` (set 13)."""
    files = {"docker/Dockerfile": PUID_DOCKERFILE, "docker/entry.sh": PUID_SCRIPT, "mealie/app.py": "x = 1\n"}
    read = lambda p: _reader(files).lines(p, None)  # noqa: E731
    script = start_script(instructions(read("docker/Dockerfile")), "docker/Dockerfile", sorted(files), read)
    assert script["path"] == "docker/entry.sh" and script["name"] == "/app/run.sh"
    assert drops_root(script["lines"])[:2] == (9, "$PUID")
    verdict = _triage(files, "docker/Dockerfile")
    assert verdict and verdict.get("verdict", "false_positive") == "false_positive"
    assert "docker/entry.sh" in verdict["evidence"] and "gosu $PUID" in verdict["evidence"]
    # the same script named under its own name elsewhere, not copied: no script, no verdict from it
    other = {"docker/Dockerfile": PUID_DOCKERFILE.replace("COPY ./docker/entry.sh $MEALIE_HOME/run.sh\n", ""),
             "docker/entry.sh": PUID_SCRIPT}
    assert start_script(instructions(_reader(other).lines("docker/Dockerfile", None)), "docker/Dockerfile",
                        sorted(other), lambda p: _reader(other).lines(p, None)) is None


APACHE_DOCKERFILE = ("FROM wger/base:latest\nRUN apt-get install -y apache2 libapache2-mod-wsgi-py3\nEXPOSE 80\n"
                     "USER root\nRUN chown -R wger:www-data /home/wger\nCMD [\"/home/wger/entrypoint.sh\", \"apache2ctl\"]\n")
BASE_DOCKERFILE = ("FROM ubuntu:24.04\nRUN apt-get update && apt-get install -y python3\nRUN adduser wger --disabled-password\n")


def test_apache_and_nginx_images_and_base_images_take_no_user_line():
    from tasks.triage.server_image import check_server_image

    def finding(rule, path, text, tool="checkov"):
        f = _finding(path, text)
        return f | {"rule_id": rule, "tool": tool}
    apache = APACHE_DOCKERFILE.replace('CMD ["/home/wger/entrypoint.sh", "apache2ctl"]', 'CMD ["apache2ctl", "-D", "FOREGROUND"]')
    files = {"extras/docker/demo/Dockerfile": apache, "extras/docker/base/Dockerfile": BASE_DOCKERFILE,
             "nginx/Dockerfile": "FROM nginx:alpine\nCOPY nginx.conf /etc/nginx/nginx.conf\nCMD nginx -g 'daemon off;'\n",
             "app/Dockerfile": "FROM python:3.12\nCOPY . /app\nCMD [\"gunicorn\", \"app:app\"]\n"}
    reader = _reader(files)
    hit = check_server_image(finding("CKV_DOCKER_8", "extras/docker/demo/Dockerfile", apache), reader)
    assert hit["status"] == "server_drops_root" and "Apache" in hit["evidence"] and ":6 `CMD" in hit["evidence"]
    assert check_server_image(finding("CKV_DOCKER_3", "nginx/Dockerfile", files["nginx/Dockerfile"]), reader)["status"] == "server_drops_root"
    base = check_server_image(finding("CKV_DOCKER_3", "extras/docker/base/Dockerfile", BASE_DOCKERFILE), reader)
    assert base["status"] == "base_image"
    assert check_server_image(finding("CKV_DOCKER_3", "app/Dockerfile", files["app/Dockerfile"]), reader) is None  # gunicorn: stays
    assert check_server_image(finding("CKV_DOCKER_3", "extras/docker/base/Dockerfile", BASE_DOCKERFILE), None) is None  # excerpt only
    assert check_server_image(finding("CKV_DOCKER_2", "nginx/Dockerfile", files["nginx/Dockerfile"]), reader) is None  # HEALTHCHECK rule


def test_an_image_built_from_prometheus_inherits_its_non_root_user():
    from tasks.triage.server_image import check_server_image

    text = "FROM prom/prometheus:v2.4.2\nADD prometheus.yml /etc/prometheus/\n"
    hit = check_server_image(_finding("docker/prometheus/Dockerfile", text), _reader({"docker/prometheus/Dockerfile": text}))
    assert hit["status"] == "image_runs_as_nonroot" and "USER nobody" in hit["evidence"]
    back = text + "USER root\nCMD [\"/bin/prometheus\"]\n"
    assert check_server_image(_finding("docker/prometheus/Dockerfile", back), _reader({"docker/prometheus/Dockerfile": back})) is None


def test_an_image_that_inherits_its_command_is_not_a_base_image():
    from tasks.triage.server_image import check_server_image

    for text in ("FROM mongo:6\nCOPY init.js /docker-entrypoint-initdb.d/\n", "FROM myorg/api:1.2\nCOPY conf /etc/api/\n"):
        assert check_server_image(_finding("svc/Dockerfile", text), _reader({"svc/Dockerfile": text})) is None


def test_a_development_container_takes_no_user_line():
    from tasks.triage.server_image import check_server_image

    text = "# -- DEV DOCKERFILE --\n# -- DO NOT USE IN PRODUCTION! --\nFROM node:24\nWORKDIR /wiki\nCMD [\"tail\", \"-f\", \"/dev/null\"]\n"
    hit = check_server_image(_finding("dev/containers/Dockerfile", text), _reader({"dev/containers/Dockerfile": text}))
    assert hit["status"] == "dev_container" and "line 2" in hit["evidence"]
    plain = text.replace("# -- DO NOT USE IN PRODUCTION! --\n", "# build stage\n")
    assert check_server_image(_finding("Dockerfile", plain), _reader({"Dockerfile": plain})) is None
    dc = "FROM mcr.microsoft.com/devcontainers/python:3.12\n"
    assert check_server_image(_finding(".devcontainer/Dockerfile", dc), _reader({".devcontainer/Dockerfile": dc}))["status"] == "dev_container"


def test_the_user_row_takes_the_owner_the_dockerfile_already_chose():
    """bakerydemo (round 19, harmful): `chown -R 1000:2000 /code/bakerydemo/media` for uWSGI, and the row added UID 10001."""
    from tasks.fixes.dockerfile_user import user_needs

    stage = ("FROM python:3.12-slim\nWORKDIR /code\nCOPY . /code/\n"
             "RUN mkdir -p /code/media/images && chown -R 1000:2000 /code/media\nCMD [\"uwsgi\", \"/code/etc/uwsgi.ini\"]\n")
    block, note = user_needs(stage, "RUN useradd --system --create-home --uid 10001 app\nUSER 10001")
    assert block.endswith("USER 1000:2000") and "--uid 1000 --gid 2000" in block and "10001" not in block
    assert "chown -R 1000:2000 /code/media" in note and "chown -R 10001" not in block
    plain = stage.replace("RUN mkdir -p /code/media/images && chown -R 1000:2000 /code/media\n", "")
    assert "chown -R 10001 /code" in user_needs(plain, "RUN useradd --system --create-home --uid 10001 app\nUSER 10001")[0]


def test_a_compose_target_that_is_not_the_last_stage_gets_no_user_row():
    """awesome-compose flask (round 19): compose builds `target: builder`, the USER row went into the last stage."""
    from tasks.fixes.workload import dockerfile_gate
    from tasks.triage.entrypoint import compose_target

    dockerfile = ("FROM python:3.10-alpine AS builder\nWORKDIR /app\nCOPY . .\nCMD [\"python3\", \"app.py\"]\n\n"
                  "FROM builder AS dev-envs\nRUN apk add git\nCMD [\"sleep\", \"infinity\"]\n")
    files = {"flask/app/Dockerfile": dockerfile,
             "flask/compose.yaml": "services:\n  web:\n    build:\n      context: app\n      target: builder\n    ports:\n      - '8000:8000'\n"}
    read = lambda p: files[p].splitlines(True)  # noqa: E731
    assert compose_target("flask/app/Dockerfile", sorted(files), read) == ("flask/compose.yaml", "builder")
    why, _ = dockerfile_gate(dockerfile, "flask/app/Dockerfile", {"compose_target": ["flask/compose.yaml", "builder"]})
    assert why and "builds the stage `builder`" in why
    last = dockerfile_gate(dockerfile, "flask/app/Dockerfile", {"compose_target": ["flask/compose.yaml", "dev-envs"]})
    assert last[0] is None  # compose runs the last stage: the row stands
    assert compose_target("flask/app/Dockerfile", ["flask/app/Dockerfile"], read) is None


def test_a_node_image_that_creates_its_own_user_switches_to_it():
    """node-express-realworld-example-app (round 20): `adduser --system -G api api`, `chown -R api:api .`; the row said USER node."""
    from tasks.fixes.dockerfile_user import user_needs

    stage = ("FROM node:lts-alpine\nWORKDIR /app\nRUN addgroup --system api && \\\n          adduser --system -G api api\n"
             "COPY dist/api api\nRUN chown -R api:api .\nCMD [\"node\", \"api/main.js\"]\n")
    block, note = user_needs(stage, "USER node")
    assert block.startswith("USER api") and "already creates the user api" in note


def test_a_test_runner_image_takes_no_user_line():
    """Flagsmith's frontend/Dockerfile.e2e (round 21, harmful): Playwright's browsers installed under /root/.cache."""
    from tasks.triage.server_image import check_server_image

    text = "FROM node:20\nRUN npx playwright install --with-deps firefox\nCMD [\"npm\", \"run\", \"test\"]\n"
    hit = check_server_image(_finding("frontend/Dockerfile.e2e", text), _reader({"frontend/Dockerfile.e2e": text}))
    assert hit and hit["status"] == "dev_container" and "a test image" in hit["evidence"] and "e2e test image" in hit["evidence"]
    assert check_server_image(_finding("frontend/Dockerfile", text), _reader({"frontend/Dockerfile": text})) is None


def test_a_cloud_workstations_image_starts_as_root_by_design():
    from tasks.triage.server_image import check_server_image

    text = "FROM us-central1-docker.pkg.dev/cloud-workstations-images/predefined/code-oss:latest\nRUN apt-get install -y jq\n"
    hit = check_server_image(_finding("workstation/preinstall/Dockerfile", text), _reader({"workstation/preinstall/Dockerfile": text}))
    assert hit and "Cloud Workstations" in hit["evidence"]


def test_a_dockerfile_named_for_a_base_image_takes_no_user_line():
    # held-out set 19: Uptime Kuma's docker/debian-base.dockerfile builds louislam/uptime-kuma:base2-slim, which
    # docker/dockerfile builds FROM; a USER line there broke the stages that run apt as root (a harmful row)
    from tasks.triage.server_image import check_server_image

    text = "FROM node:22-bookworm-slim AS base2-slim\nRUN apt update\n\nFROM louislam/uptime-kuma:base2-slim AS base2\nRUN apt update\n"
    for path in ("docker/debian-base.dockerfile", "docker/Dockerfile.base", "base.Dockerfile"):
        hit = check_server_image(_finding(path, text), _reader({path: text}))
        assert hit["status"] == "base_image" and "(its name says base)" in hit["evidence"], path
    for path in ("docker/database.dockerfile", "docker/dockerfile"):  # 'database' is no base; the app's own file neither
        assert check_server_image(_finding(path, text), _reader({path: text})) is None, path
    for inherited in ("FROM mongo:7\nCOPY init.js /docker-entrypoint-initdb.d/\n", "FROM myorg/api-runtime:3.2\n",
                      "FROM grafana/grafana:10\nUSER root\nRUN apk add curl\n"):  # each inherits its image's command
        assert check_server_image(_finding("Dockerfile.base", inherited), _reader({"Dockerfile.base": inherited})) is None
    started = text + 'CMD ["node", "server/server.js"]\n'  # a name says base, but the image starts the service
    assert check_server_image(_finding("docker/debian-base.dockerfile", started), _reader({"docker/debian-base.dockerfile": started})) is None
