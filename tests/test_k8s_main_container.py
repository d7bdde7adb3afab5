"""Kubernetes rows read the main container, not the init container, and see a pod that sets runAsUser: 0 itself
(round 15's graders: crAPI's identity Deployment called "image groundnuty/k8s-wait-for:v1.3", which is the
initContainer that waits for postgres; its mailhog pod, whose securityContext sets runAsUser: 0, was told
"runAsNonRoot is unset, so it runs as the image's user" and given runAsNonRoot: true, which stops it starting).
The manifests are written for the tests in the shape of crAPI's deploy/k8s/base files."""

from __future__ import annotations

from fixes_helpers import finding

from tasks.enrich.evidence import config_setting
from tasks.fixes import fix_for
from tasks.fixes.checkov_facts import image_of
from tasks.triage.built_images import container_image, main_image

IDENTITY = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: crapi-identity
spec:
  template:
    spec:
      initContainers:
        - name: wait-for-postgres
          image: groundnuty/k8s-wait-for:v1.3
          args: ["service", "postgresdb"]
      containers:
        - name: crapi-identity
          image: crapi/crapi-identity:latest
          ports:
            - containerPort: 8080
              name: http
"""
MAILHOG = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: mailhog
spec:
  template:
    spec:
      securityContext:
        runAsUser: 0
        runAsGroup: 0
      containers:
        - name: mailhog
          image: crapi/mailhog:latest
"""
REDIS_AFTER_INIT = IDENTITY.replace("crapi/crapi-identity:latest", "redis:7.2").replace("crapi-identity", "cache")


def _ckv(rule: str, title: str, snippet: str, name: str) -> dict:
    return finding("config", "checkov", rule, path="deploy/k8s/base/app.yaml", start=1, end=snippet.count("\n"),
                   snippet=snippet, title=title, description=f"{title} (resource Deployment.default.{name}, framework kubernetes)")


def test_the_main_image_is_the_first_after_containers_never_the_init_containers():
    assert main_image(IDENTITY) == "crapi/crapi-identity:latest"
    assert main_image("- name: web\n  image: nginx:1.25\n") == "nginx:1.25"  # a container's own lines
    assert container_image(IDENTITY, "wait-for-postgres") == "groundnuty/k8s-wait-for:v1.3"
    assert container_image(IDENTITY, "crapi-identity") == "crapi/crapi-identity:latest"
    assert container_image(IDENTITY, "http") is None  # a port's name is no container
    assert container_image("containers:\n  - image: nginx:1.25\n    name: sidecar\n", "sidecar") == "nginx:1.25"
    assert image_of(REDIS_AFTER_INIT) == "redis"  # the official image's facts come from the main container


def test_the_evidence_pairs_the_container_with_its_own_image():
    f = _ckv("CKV_K8S_28", "Minimize the admission of containers with the NET_RAW capability", IDENTITY, "crapi-identity")
    ev = config_setting(f, "```yaml\ncontainers:\n- name: crapi-identity\n  securityContext:\n    capabilities:\n      drop: [\"ALL\"]\n```")
    assert ev.text.startswith("container `crapi-identity` (image crapi/crapi-identity:latest) sets no securityContext")
    assert "k8s-wait-for" not in ev.text


def test_a_pod_that_sets_run_as_user_0_gets_no_run_as_non_root_row_and_the_evidence_says_why():
    f = _ckv("CKV_K8S_23", "Minimize the admission of root containers", MAILHOG, "mailhog")
    answer, why, _ = fix_for(f, [])
    assert answer is None and why.startswith("the manifest sets `runAsUser: 0` itself")
    ev = config_setting(f, "```yaml\nsecurityContext:\n  runAsNonRoot: true\n  runAsUser: 10001\n```")
    assert ev is not None and "the manifest sets `runAsUser: 0`, so it runs as root whatever user the image names" in ev.text
    assert "is unset, so the container runs as the image's user" not in ev.text
    plain = MAILHOG.replace("      securityContext:\n        runAsUser: 0\n        runAsGroup: 0\n", "")
    assert "runAsNonRoot: true" in fix_for(_ckv("CKV_K8S_23", "Minimize the admission of root containers", plain, "mailhog"), [])[0]
