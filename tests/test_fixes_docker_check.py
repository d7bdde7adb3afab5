"""The check command a Dockerfile USER fix gives builds the file it is about (round 8: `docker build .` for
deployments/api.Dockerfile, which compose builds with context ../, and a `docker run` of an image with no CMD)."""

from tasks.fixes import fix_for

API = "FROM golang:1.19\nADD . /app\nWORKDIR /app\nEXPOSE 10017\n"
ROOT = ('FROM python:3.11-alpine\nCOPY . /vampi\nWORKDIR /vampi\nENV vulnerable=1\n'
        'ENTRYPOINT ["python"]\nCMD ["app.py"]\n')
TITLE = "Ensure that a user for the container has been created"


def _fix(path, text):
    f = {"id": "f1", "tool": "checkov", "rule_id": "CKV_DOCKER_3", "kind": "config", "severity": "medium",
         "title": TITLE, "description": f"{TITLE} (resource /{path}., framework dockerfile)",
         "location": {"path": path, "start_line": 1, "end_line": text.count("\n")}, "snippet": text}
    return fix_for(f, [], {"path": path, "text": text, "start_line": 1})[0]


def test_a_dockerfile_outside_the_root_is_built_with_its_own_name_and_context():
    answer = _fix("a3/comment-killer/deployments/api.Dockerfile", API)
    assert "docker build -t local/check ." not in answer
    assert "`-f a3/comment-killer/deployments/api.Dockerfile` and the build context its compose file or CI names" in answer
    assert "the image sets no CMD" in answer and "USER 10001" in answer


def test_the_root_dockerfile_keeps_the_concrete_command():
    answer = _fix("Dockerfile", ROOT)
    assert "`docker build -t local/check . && docker run --rm --user 10001 local/check`" in answer
    no_cmd = _fix("Dockerfile", ROOT.replace('CMD ["app.py"]\n', "").replace('ENTRYPOINT ["python"]\n', ""))
    assert "docker run --rm --user 10001 local/check` followed by the command the project runs it with" in no_cmd


MULTI = ("FROM python:3.11-alpine as builder\nRUN apk --update add bash nano g++\nCOPY ./requirements.txt /vampi/requirements.txt\n"
         "WORKDIR /vampi\nRUN pip install -r requirements.txt\n\nFROM python:3.11-alpine\nCOPY . /vampi\nWORKDIR /vampi\n"
         "COPY --from=builder /usr/local/lib /usr/local/lib\nENV vulnerable=1\nENTRYPOINT [\"python\"]\nCMD [\"app.py\"]\n")


def test_a_multi_stage_dockerfile_says_the_user_goes_in_the_last_stage():
    answer = _fix("Dockerfile", MULTI)
    assert "These lines go in the last stage (`FROM python:3.11-alpine`), before its ENTRYPOINT" in answer
    assert "RUN chown -R 10001 /vampi" in answer
    assert "last stage" not in _fix("Dockerfile", ROOT)  # one stage: nothing to place


def test_a_start_command_that_binds_a_low_port_gets_no_user_row():
    """cloudgoat's ssrf-web: `php -S 0.0.0.0:80` as UID 10001 cannot bind port 80: a USER line alone breaks it."""
    php = ("FROM php:7.4-cli-alpine\nCOPY . /usr/src/myapp\nWORKDIR /usr/src/myapp\n"
           'CMD [ "php", "-S", "0.0.0.0:80", "-t", "." ]\n')
    assert "USER 10001" not in (_fix("Dockerfile", php) or "")
    uvicorn = 'FROM python:3.11\nCOPY . /app\nCMD ["uvicorn", "main:app", "--port", "80"]\n'
    assert "USER 10001" not in (_fix("Dockerfile", uvicorn) or "")
    high = php.replace("0.0.0.0:80", "0.0.0.0:8080")
    assert "USER 10001" in _fix("Dockerfile", high)


def test_the_user_command_fits_the_base_image_and_the_note_names_the_uid_it_sets():
    """python-insecure-app: caddy:2.10.2 is Alpine-based though its tag does not say so (useradd is not there); a
    distroless stage gets USER 65532 and must not be told to check files for UID 10001."""
    from tasks.fixes.checkov_facts import adduser

    block, note = adduser("caddy:2.10.2")
    assert "adduser -D -u 10001 app" in note and "may be Alpine-based" in note
    block, note = adduser("python:3.12-slim")
    assert block.startswith("RUN useradd") and "Alpine" not in note
    block, note = adduser("gcr.io/distroless/python3-debian12")
    assert block == "USER 65532" and "UID 65532" in note and "10001" not in note


def test_the_new_user_has_a_home_and_the_image_check_runs_id_past_the_entrypoint():
    """stratus-red-team's alpine image keeps its state in ~/.stratus-red-team: a user made with `adduser -H` has no
    home and the tool fails; the voting app's worker has ENTRYPOINT dotnet Worker.dll, so `docker run IMG id` never
    runs id."""
    from tasks.fixes.checkov_facts import adduser
    from tasks.fixes.workload import gate

    block, note = adduser("alpine:3.24.1")
    assert block.startswith("RUN adduser -D -u 10001 app") and " -H" not in block and "$HOME" in note
    block, _ = adduser("python:3.12-slim")
    assert "useradd --system --create-home --uid 10001 app" in block
    manifest = ("containers:\n  - name: worker\n    image: dockersamples/examplevotingapp_worker\n")
    _, facts = gate("containers:\n  - name: worker\n    securityContext:\n      runAsNonRoot: true", manifest,
                    "kubernetes", "worker", "k8s-specifications/worker-deployment.yaml")
    assert "--entrypoint id dockersamples/examplevotingapp_worker" in facts["first"]
    assert "examplevotingapp_worker id`" not in facts["first"]


def test_a_node_image_uses_its_own_node_user():
    """example-voting-app result/tests/Dockerfile (FROM node:8.9-slim, WORKDIR /app): the image has `node` already."""
    from tasks.fixes import fix_for

    dockerfile = ("FROM node:8.9-slim\n\nRUN yarn global add phantomjs-prebuilt\nADD . /app\nWORKDIR /app\n"
                  'CMD ["/app/tests.sh"]\n')
    f = {"id": "f1", "tool": "checkov", "rule_id": "CKV_DOCKER_3", "kind": "config", "severity": "low",
         "title": "Ensure that a user for the container has been created",
         "description": "Ensure that a user for the container has been created (resource /result/tests/Dockerfile.)",
         "location": {"path": "result/tests/Dockerfile", "start_line": 1, "end_line": 6}, "snippet": dockerfile}
    answer = fix_for(f, [])[0]
    assert "USER node" in answer and "useradd" not in answer and "RUN chown -R node /app" in answer
    assert "10001" not in answer and "--user node" in answer


def test_the_last_user_check_names_the_dockerfile_not_checkovs_instruction_resource():
    """CKV_DOCKER_8 (the last USER is root) names its resource '/dir/Dockerfile.USER': the check command said
    `-f dir/Dockerfile.USER`, a file that does not exist (round 12, a pipeline internal)."""
    from tasks.fixes.workload import _dockerfile_of

    assert _dockerfile_of("/ai-ml/llm/tpu/Dockerfile.USER") == "/ai-ml/llm/tpu/Dockerfile"
    assert _dockerfile_of("/deployments/api.Dockerfile.") == "/deployments/api.Dockerfile"
    assert _dockerfile_of("/web/Dockerfile.prod.") == "/web/Dockerfile.prod"
    assert _dockerfile_of(None) is None


def test_the_last_user_goes_after_the_build_steps_that_follow_user_root():
    """kubernetes-engine-samples' TPU image: `USER root` (line 7, CKV_DOCKER_8) then a pip install; putting the
    non-root USER at line 7 failed the build.  It goes after the last build step of the stage."""
    text = ("FROM vllm/vllm-tpu:v0.21.0\n\nENV VLLM_TARGET_DEVICE=tpu\n\n\n\nUSER root\n\n"
            "RUN pip install --no-cache-dir -U ray\n\nCOPY serve.py /app/\n\nCMD [\"python\", \"/app/serve.py\"]\n")
    title = "Ensure the last USER is not root"
    f = {"id": "f8", "tool": "checkov", "rule_id": "CKV_DOCKER_8", "kind": "config", "severity": "medium",
         "title": title, "description": f"{title} (resource /tpu/Dockerfile.USER, framework dockerfile)",
         "location": {"path": "tpu/Dockerfile", "start_line": 7, "end_line": 7}, "snippet": "USER root\n"}
    answer = fix_for(f, [], {"path": "tpu/Dockerfile", "text": "USER root\n", "start_line": 7, "file": text})[0]
    assert "in tpu/Dockerfile after line 11, the end of the stage's last build step" in answer, answer
    assert "Dockerfile.USER" not in answer
    last = f | {"location": {"path": "tpu/Dockerfile", "start_line": 3, "end_line": 3}}
    plain = fix_for(last, [], {"path": "tpu/Dockerfile", "text": "USER root\n", "start_line": 3,
                               "file": "FROM x\nRUN make\nUSER root\nCMD [\"x\"]\n"})[0]
    assert "after line" not in plain  # nothing to build after it: the flagged line is the place
