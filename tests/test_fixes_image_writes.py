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
