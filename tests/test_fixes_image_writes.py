"""A hardened container still writes where it must: build-time log folders, tools under /root, model caches
(tasks.fixes.image_writes)."""

from fixes_helpers import finding

from tasks.fixes import fix_for
from tasks.fixes.image_writes import runtime_paths

LOGGING_APP = """FROM ubuntu:22.04
WORKDIR /usr/local/src/app
COPY . /usr/local/src/app
RUN pip3 install . && \\
    /bin/mkdir -p /var/log/app/ && \\
    /usr/bin/touch /var/log/app/app.log
RUN mkdir -p /var/lib/apt/lists/partial /tmp/build && rm -rf /tmp/build
EXPOSE 5000
"""
BUN = """FROM mcr.microsoft.com/playwright:v1.62.1-noble
WORKDIR /app
RUN curl -fsSL https://bun.sh/install | bash
ENV PATH="/root/.bun/bin:$PATH"
COPY . /app
RUN bun install
"""
VLLM = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: vllm
spec:
  template:
    spec:
      containers:
      - name: inference-server
        image: docker.io/vllm/vllm-openai:v0.10.0
        command: ["python3", "-m", "vllm.entrypoints.openai.api_server"]
        args:
        - --model=google/gemma-3-12b-it
        volumeMounts:
        - mountPath: /dev/shm
          name: dshm
      volumes:
      - name: dshm
        emptyDir:
          medium: Memory
"""


def _docker(snippet):
    return finding("config", "checkov", "CKV_DOCKER_3", path="Dockerfile", start=1, end=snippet.count("\n"), snippet=snippet,
                   title="Ensure that a user for the container has been created",
                   description="Ensure that a user for the container has been created (resource /Dockerfile., framework dockerfile)")


def _ro(snippet):
    title = "Use read-only filesystem for containers where possible"
    return finding("config", "checkov", "CKV_K8S_22", path="deploy/app.yaml", start=1, end=20, snippet=snippet, title=title,
                   description=f"{title} (resource Deployment.default.vllm, framework kubernetes)")


def test_a_log_folder_the_build_creates_as_root_is_given_to_the_new_user():
    answer, _, _ = fix_for(_docker(LOGGING_APP), [])
    block = answer.split("```dockerfile\n", 1)[1].split("```", 1)[0]
    assert "RUN chown -R 10001 /var/log/app\n" in block and block.index("/var/log/app") < block.index("USER 10001")
    assert "apt" not in block and "/tmp/build" not in block  # package-manager and removed build folders stay root's
    assert "/var/log/app is created as root" in answer


def test_runtime_paths_keeps_the_folder_not_the_file_inside_it_nor_the_workdir():
    stage = "RUN touch /var/log/x/a.log && mkdir -p /var/log/x /srv/app/data /run/app\n"
    assert runtime_paths(stage, "/srv/app") == ["/var/log/x", "/run/app"]
    assert runtime_paths("RUN mkdir -p /opt/app /usr/share/app\n") == []


def test_a_tool_installed_under_root_gets_no_non_root_user_row():
    answer, reason, _ = fix_for(_docker(BUN), [])
    assert answer is None and "/root/.bun/bin" in reason and "0700" in reason


def test_a_model_server_with_its_cache_on_the_root_file_system_gets_no_read_only_row():
    answer, reason, _ = fix_for(_ro(VLLM), [])
    assert answer is None and "model server" in reason


def test_a_model_server_whose_cache_is_on_a_volume_keeps_its_read_only_row():
    cached = VLLM.replace("        volumeMounts:\n", "        env:\n        - name: HF_HOME\n          value: /models/hf\n"
                          "        volumeMounts:\n        - mountPath: /models\n          name: models\n")
    answer, _, _ = fix_for(_ro(cached), [])
    assert answer is not None and "readOnlyRootFilesystem: true" in answer


REDIS_SET = """apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: shynet-redis
spec:
  template:
    spec:
      containers:
        - name: shynet-redis
          image: redis:latest
          ports:
            - containerPort: 6379
"""
TRANSLATE = REDIS_SET.replace("shynet-redis", "translate").replace("redis:latest", "acme/translate:latest")


def _k8s_ro(snippet, name):
    title = "Use read-only filesystem for containers where possible"
    return finding("config", "checkov", "CKV_K8S_22", path="k8s.yaml", start=1, end=snippet.count("\n"), snippet=snippet,
                   title=title, description=f"{title} (resource StatefulSet.default.{name}, framework kubernetes)")


def _yaml_block(answer):
    import yaml

    return yaml.safe_load(answer.split("```yaml\n", 1)[1].split("```", 1)[0])


def _built(dockerfile):
    from tasks.triage.built_images import built_by

    files = {"docker/Dockerfile": dockerfile}
    return built_by("acme/translate:latest", list(files), lambda p: files[p].splitlines(True), "acme+translate")


def test_a_read_only_redis_gets_an_empty_dir_at_its_data_folder_and_tmp():
    """Round 35 (set 30): the redis row said '/tmp, caches, data directories' and named none of redis's own."""
    answer, _, _ = fix_for(_k8s_ro(REDIS_SET, "shynet-redis"), [])
    block = _yaml_block(answer)
    mounts = {m["mountPath"]: m["name"] for m in block["containers"][0]["volumeMounts"]}
    assert set(mounts) == {"/data", "/tmp"} and block["containers"][0]["securityContext"]["readOnlyRootFilesystem"] is True
    assert {v["name"] for v in block["volumes"] if v["emptyDir"] == {}} == set(mounts.values())
    assert "where the redis image writes (/data, /tmp)" in answer and "PersistentVolumeClaim" in answer
    mounted = REDIS_SET + "          volumeMounts:\n            - name: data\n              mountPath: /data\n"
    answer, _, _ = fix_for(_k8s_ro(mounted, "shynet-redis"), [])  # a second mount at /data would be rejected
    assert [m["mountPath"] for m in _yaml_block(answer)["containers"][0]["volumeMounts"]] == ["/tmp"]
    assert "/data has a volume in the manifest already" in answer


def test_the_repository_dockerfile_names_the_folders_a_read_only_root_needs():
    """Round 35 (set 30): LibreTranslate's row named no path the image writes, though its Dockerfile does."""
    built = _built("FROM python:3.11-slim AS build\nRUN pip install --user x\nFROM python:3.11-slim\nWORKDIR /app\n"
                   "COPY . .\nRUN useradd -u 1032 lt && mkdir -p /var/lib/lt && chown -R lt /var/lib/lt\n"
                   "ENV HOME=/home/lt\nVOLUME [\"/models\"]\nUSER lt\nCMD [\"serve\"]\n")
    assert built["writes"]["volumes"] == [("/models", 8)] and built["writes"]["home_filled"] is False
    code = {"path": "k8s.yaml", "start_line": 1, "text": TRANSLATE, "built": built}
    answer, _, _ = fix_for(_k8s_ro(TRANSLATE, "translate"), [], code)
    paths = [m["mountPath"] for m in _yaml_block(answer)["containers"][0]["volumeMounts"]]
    assert paths == ["/models", "/home/lt", "/var/lib/lt", "/tmp"]
    assert ("docker/Dockerfile, which builds this image, names where it writes: /models (its VOLUME, line 8); /home/lt "
            "(its HOME, line 7); /var/lib/lt (chowned to its user, line 6)") in answer


def test_a_read_only_root_gets_no_row_when_the_program_owns_its_code_folder():
    """`chown -R app /app` over the WORKDIR the code was copied to: the program writes beside its code, and an
    emptyDir there would hide the code (LibreTranslate writes db/api_keys.db under /app)."""
    built = _built("FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nRUN useradd app && chown -R app /app\nUSER app\n")
    code = {"path": "k8s.yaml", "start_line": 1, "text": TRANSLATE, "built": built}
    answer, why, _ = fix_for(_k8s_ro(TRANSLATE, "translate"), [], code)
    assert answer is None and "docker/Dockerfile hands /app, which holds the files the build put there" in why
    built = _built("FROM python:3.11-slim\nWORKDIR /srv\nCOPY --chown=app src/ /srv/app/\nUSER app\n")
    answer, why, _ = fix_for(_k8s_ro(TRANSLATE, "translate"), [], code | {"built": built})
    assert answer is None and "hands /srv/app" in why


def test_a_home_the_build_fills_gets_no_empty_dir():
    built = _built("FROM python:3.11-slim\nENV HOME=/home/lt\nUSER lt\nRUN pip install --user flask\n")
    assert built["writes"]["home_filled"] is True
    code = {"path": "k8s.yaml", "start_line": 1, "text": TRANSLATE, "built": built}
    answer, _, _ = fix_for(_k8s_ro(TRANSLATE, "translate"), [], code)
    assert [m["mountPath"] for m in _yaml_block(answer)["containers"][0]["volumeMounts"]] == ["/tmp"]
    assert "/tmp gets an emptyDir here. Its HOME /home/lt (line 2) also holds files the build put there, so it gets no emptyDir" in answer
