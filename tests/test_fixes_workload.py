"""Hardening fixes that would stop the workload are gated on what the image and the steps need (tasks.fixes.workload)."""

import yaml
from fixes_helpers import finding

from tasks.fixes import fix_for

NFS = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: nfs-server
spec:
  template:
    spec:
      containers:
      - name: nfs-server
        image: registry.k8s.io/volume-nfs:0.8
        ports:
        - containerPort: 2049
        securityContext:
          privileged: true
        volumeMounts:
        - mountPath: /exports
          name: export
      volumes:
      - name: export
        hostPath:
          path: /srv/nfs
"""
UPLOADS = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: uploads
spec:
  template:
    spec:
      containers:
      - name: web
        image: ghcr.io/acme/uploads:2.3.1
        volumeMounts:
        - mountPath: /var/lib/uploads
          name: data
      volumes:
      - name: data
        persistentVolumeClaim:
          claimName: uploads-data
"""
REDIS = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: cache
spec:
  template:
    spec:
      containers:
      - name: redis
        image: redis:7.2.4
        volumeMounts:
        - mountPath: /data
          name: data
"""


def _ckv(rule, title, snippet, name):
    return finding("config", "checkov", rule, path="deploy/app.yaml", start=1, end=20, snippet=snippet, title=title,
                   description=f"{title} (resource Deployment.default.{name}, framework kubernetes)")


def _block(answer):
    return yaml.safe_load(answer.split("```yaml\n", 1)[1].split("```", 1)[0])


def test_a_privileged_nfs_server_gets_no_non_root_row():
    answer, reason, _ = fix_for(_ckv("CKV_K8S_23", "Minimize the admission of root containers", NFS, "nfs-server"), [])
    assert answer is None and "privileged/system workload" in reason
    answer, reason, _ = fix_for(_ckv("CKV_K8S_37", "Minimize the admission of containers with capabilities assigned",
                                     NFS, "nfs-server"), [])
    assert answer is None and "root" in reason


def test_an_unknown_image_writing_a_volume_opens_with_the_precondition_and_fsgroup():
    answer, _, _ = fix_for(_ckv("CKV_K8S_23", "Minimize the admission of root containers", UPLOADS, "uploads"), [])
    first = answer.splitlines()[0]
    assert first == ("Only if ghcr.io/acme/uploads:2.3.1 works as UID 10001 (runAsUser overrides the user the image "
                     "names): start it once with `docker run --rm --user 10001 ghcr.io/acme/uploads:2.3.1` first; "
                     "volumes it writes need fsGroup.")
    assert "runAsUser: 10001" in answer


def test_an_official_image_gets_its_own_uid_and_fsgroup_with_capabilities_dropped():
    answer, _, _ = fix_for(_ckv("CKV_K8S_37", "Minimize the admission of containers with capabilities assigned",
                                REDIS, "cache"), [])
    assert not answer.startswith("Only if")
    spec = _block(answer)
    ctx = spec["containers"][0]["securityContext"]
    assert ctx["capabilities"]["drop"] == ["ALL"] and ctx["runAsUser"] == 999 and ctx["runAsNonRoot"] is True
    assert spec["securityContext"] == {"fsGroup": 999} and "chowns /data" in answer
    answer, _, _ = fix_for(_ckv("CKV_K8S_23", "Minimize the admission of root containers", REDIS, "cache"), [])
    assert _block(answer)["securityContext"] == {"runAsNonRoot": True, "runAsUser": 999, "runAsGroup": 999, "fsGroup": 999}


def test_the_alpine_postgres_image_gets_its_own_uid():
    pg = REDIS.replace("name: redis\n        image: redis:7.2.4", "name: db\n        image: postgres:16.2-alpine")
    answer, _, _ = fix_for(_ckv("CKV_K8S_23", "Minimize the admission of root containers", pg, "cache"), [])
    assert _block(answer)["securityContext"] == {"runAsNonRoot": True, "runAsUser": 70, "runAsGroup": 70, "fsGroup": 70}


def test_a_job_whose_command_replaces_the_entrypoint_is_not_told_the_entrypoint_chowns():
    pg = REDIS.replace("name: redis\n        image: redis:7.2.4",
                       "name: db\n        image: postgres:16.2-alpine\n        command: [bash, -c, psql -f /scripts/seed.sql]")
    answer, _, _ = fix_for(_ckv("CKV_K8S_37", "Minimize the admission of containers with capabilities assigned", pg,
                                "seed"), [])
    assert "replaces the postgres image's entrypoint, so nothing here chowns" in answer and "chowns /var" not in answer
    assert _block(answer)["containers"][0]["securityContext"]["runAsUser"] == 70


def test_a_setting_that_is_not_a_security_context_is_left_as_before():
    answer, _, _ = fix_for(_ckv("CKV_K8S_13", "Memory limits should be set", UPLOADS, "uploads"), [])
    assert answer.startswith("To limit memory") and "Only if" not in answer


def test_a_dockerfile_user_fix_for_an_nfs_server_is_no_row_and_an_app_gets_the_precondition():
    nfs = "FROM alpine:3.19\nRUN apk add --no-cache nfs-utils\nEXPOSE 2049 111\nENTRYPOINT [\"/usr/sbin/rpc.nfsd\"]\n"
    f = finding("config", "checkov", "CKV_DOCKER_3", path="Dockerfile", start=1, end=4, snippet=nfs,
                title="Ensure that a user for the container has been created",
                description="Ensure that a user for the container has been created (resource /Dockerfile., framework dockerfile)")
    answer, reason, _ = fix_for(f, [])
    assert answer is None and "needs root" in reason
    app = "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nCMD [\"gunicorn\", \"-b\", \"0.0.0.0:8000\", \"app:app\"]\n"
    answer, _, _ = fix_for(dict(f, snippet=app), [])
    assert answer.startswith("Only if the program needs no root at run time") and "USER 10001" in answer
    assert "<" not in answer.splitlines()[0]  # a command to run as written, no placeholder


SARIF_WORKFLOW = """name: codeql
on: [push]
jobs:
  analyze:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: semgrep scan --sarif --output semgrep.sarif
      - uses: github/codeql-action/upload-sarif@v3
        with:
          sarif_file: semgrep.sarif
"""


def _gha(snippet):
    return finding("config", "checkov", "CKV2_GHA_1", path=".github/workflows/codeql.yml", start=1, end=11, snippet=snippet,
                   title="Ensure top-level permissions are not set to write-all",
                   description="Ensure top-level permissions are not set to write-all (resource on(codeql), framework github_actions)")


def test_a_workflow_that_uploads_sarif_keeps_security_events_write():
    answer, _, _ = fix_for(_gha(SARIF_WORKFLOW), [])
    perms = yaml.safe_load(answer.split("```yaml\n", 1)[1].split("```", 1)[0])["permissions"]
    assert perms == {"contents": "read", "security-events": "write"}


def test_a_workflow_whose_steps_are_unknown_says_what_each_step_needs():
    answer, _, _ = fix_for(_gha(None), [])
    assert "permissions:\n  contents: read" in answer and "security-events: write" in answer
    assert answer.startswith("The workflow's steps are not in the finding") and "Check the job's steps first" in answer
    assert "(workflow codeql)" in answer and "on(" not in answer
    assert "read and write on most scopes for repositories created before February 2023" in answer  # the workflow by its name, not Checkov's trigger block


def test_semgrep_run_as_root_on_a_manifest_gets_the_images_user_or_no_row():
    rule = "yaml.kubernetes.security.run-as-non-root.run-as-non-root"
    f = finding("code", "semgrep", rule, path="deploy/cache.yaml", start=8, end=13, snippet=REDIS, cwe=["CWE-250"])
    answer, _, _ = fix_for(f, ["CWE-250"])
    assert "runAsUser: 999" in answer and "fsGroup: 999" in answer and "10001" not in answer
    answer, reason, _ = fix_for(dict(f, snippet=REDIS.replace("        image: redis:7.2.4\n", "")), ["CWE-250"])
    assert answer is None and "image is not in the finding" in reason


def test_trivy_privileged_false_on_an_nfs_server_is_no_row():
    f = finding("config", "trivy", "KSV017", path="storage/Deployment/nfs-server", start=1, end=20, snippet=NFS,
                title="Privileged container", fix_hint="Change 'containers[].securityContext.privileged' to 'false'.",
                description="Container 'nfs-server' of Deployment 'nfs-server' should set 'securityContext.privileged' to false")
    answer, reason, _ = fix_for(f, [])
    assert answer is None and "privileged/system workload" in reason
    web = UPLOADS.replace("name: uploads", "name: web")
    answer, _, _ = fix_for(dict(f, snippet=web, location={"path": "default/Deployment/web", "start_line": 1, "end_line": 9}), [])
    assert answer.startswith("Only if ghcr.io/acme/uploads:2.3.1 needs no host access")


NGINX = UPLOADS.replace("ghcr.io/acme/uploads:2.3.1", "nginx:1.25").replace("name: web", "name: web")


def test_an_unknown_image_writing_a_volume_gets_fsgroup_in_the_block_itself():
    answer, _, _ = fix_for(_ckv("CKV_K8S_23", "Minimize the admission of root containers", UPLOADS, "uploads"), [])
    assert _block(answer)["securityContext"]["fsGroup"] == 10001  # a root-owned PersistentVolume stays writable


def test_net_raw_is_dropped_alone_for_any_image_without_a_precondition():
    title = "Minimize the admission of containers with the NET_RAW capability"
    for snippet in (UPLOADS, NGINX):
        answer, _, _ = fix_for(_ckv("CKV_K8S_28", title, snippet, "uploads"), [])
        assert not answer.startswith("Only if")
        assert _block(answer)["containers"][0]["securityContext"]["capabilities"]["drop"] == ["NET_RAW"]


def test_nginx_gets_no_non_root_dropped_capabilities_or_read_only_row():
    for rule, title in (("CKV_K8S_23", "Minimize the admission of root containers"),
                        ("CKV_K8S_37", "Minimize the admission of containers with capabilities assigned"),
                        ("CKV_K8S_22", "Use read-only filesystem for containers where possible")):
        answer, reason, _ = fix_for(_ckv(rule, title, NGINX, "web"), [])
        assert answer is None and "nginx image starts as root" in reason
    fpm = UPLOADS.replace("ghcr.io/acme/uploads:2.3.1", "php:8.2-fpm")  # binds 9000, not 80: the root gate does not apply
    assert fix_for(_ckv("CKV_K8S_23", "Minimize the admission of root containers", fpm, "web"), [])[0] is not None
    unprivileged = UPLOADS.replace("ghcr.io/acme/uploads:2.3.1", "nginxinc/nginx-unprivileged:1.25")
    answer, _, _ = fix_for(_ckv("CKV_K8S_23", "Minimize the admission of root containers", unprivileged, "web"), [])
    assert answer is not None


def test_add_of_a_secret_file_says_copy_keeps_it_in_the_layer():
    # kubernetes-goat infrastructure/hidden-in-layers/Dockerfile:5 (ADD secret.txt, deleted by a later RUN)
    f = finding("config", "checkov", "CKV_DOCKER_4", path="Dockerfile", start=5, end=5,
                snippet="ADD secret.txt /root/secret.txt", title="Ensure that COPY is used instead of ADD in Dockerfiles",
                description="Ensure that COPY is used instead of ADD in Dockerfiles (resource /Dockerfile.ADD, framework dockerfile)")
    answer, _, _ = fix_for(f, [])
    assert "COPY secret.txt /root/secret.txt" in answer and "RUN --mount=type=secret" in answer
    plain, _, _ = fix_for(dict(f, snippet="ADD controllers.js /var/www/html/controllers.js"), [])
    assert "COPY controllers.js" in plain and "--mount=type=secret" not in plain


def test_a_root_dropping_database_image_with_its_data_dir_on_a_volume_gets_no_non_root_fix():
    """example-voting-app's db-deployment.yaml: postgres:15-alpine with an emptyDir at PGDATA; runAsUser 70 and
    fsGroup 70 leave the mount point root-owned, initdb cannot chmod it and the pod crash-loops."""
    from tasks.fixes import fix_for

    manifest = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: db\nspec:\n  template:\n    spec:\n"
                "      containers:\n      - image: postgres:15-alpine\n        name: postgres\n        volumeMounts:\n"
                "        - mountPath: /var/lib/postgresql/data\n          name: db-data\n      volumes:\n"
                "      - name: db-data\n        emptyDir: {}\n")
    f = {"id": "f1", "tool": "checkov", "rule_id": "CKV_K8S_23", "kind": "config", "severity": "medium",
         "title": "Minimize the admission of root containers",
         "description": "Minimize the admission of root containers (resource Deployment.default.db, framework kubernetes)",
         "location": {"path": "k8s-specifications/db-deployment.yaml", "start_line": 1, "end_line": 17},
         "snippet": manifest}
    answer, why, _ = fix_for(f, [], None)
    assert answer is None and "initdb" in why and "crash-loops" in why
    # without a volume on the data directory the image's own user can start it
    bare = dict(f, snippet=manifest.split("        volumeMounts:")[0])
    assert "runAsUser: 70" in fix_for(bare, [], None)[0]


def test_the_image_check_asks_what_the_setting_changes():
    """example-voting-app's worker (ENTRYPOINT dotnet Worker.dll): runAsUser overrides the image's user, so the check
    starts it as that UID; a capability drop alone asks whether it needs a capability, not whether it is root."""
    from tasks.fixes.workload import k8s_gate

    manifest = "containers:\n- name: worker\n  image: dockersamples/examplevotingapp_worker\n"
    _, facts = k8s_gate("securityContext:\n  runAsNonRoot: true\n  runAsUser: 10001", manifest, "worker")
    assert "`docker run --rm --user 10001 dockersamples/examplevotingapp_worker`" in facts["first"]
    _, facts = k8s_gate('containers:\n  - name: worker\n    securityContext:\n      capabilities:\n        drop: ["ALL"]',
                        manifest, "worker")
    assert "--cap-drop ALL dockersamples/examplevotingapp_worker" in facts["first"] and "non-root" not in facts["first"]


def test_a_container_serving_a_low_port_is_named_before_a_non_root_user():
    """argocd-example-apps guestbook-ui: gb-frontend serves containerPort 80; runAsUser 10001 cannot bind it."""
    from tasks.fixes.workload import k8s_gate

    manifest = ("containers:\n- image: gcr.io/google-samples/gb-frontend:v5\n  name: guestbook-ui\n  ports:\n"
                "  - containerPort: 80\n")
    _, facts = k8s_gate("securityContext:\n  runAsNonRoot: true\n  runAsUser: 10001", manifest, "guestbook-ui")
    assert "containerPort 80" in facts["first"] and "ip_unprivileged_port_start" in facts["first"]
    _, facts = k8s_gate("securityContext:\n  runAsNonRoot: true\n  runAsUser: 10001", manifest.replace(": 80", ": 8080"),
                        "guestbook-ui")
    assert "containerPort" not in facts["first"]


LEDGER = """apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: ledger-db
spec:
  template:
    spec:
      containers:
      - name: postgres
        image: registry.example/boa/ledger-db:v0.6.9
        volumeMounts:
        - name: postgresdb
          mountPath: /var/lib/postgresql/data
      volumes:
      - name: postgresdb
        emptyDir: {}
"""


def test_an_image_the_repository_builds_on_postgres_is_judged_as_postgres(tmp_path):
    import subprocess

    from tasks.triage.built_images import built_by

    files = {"src/ledger/ledger-db/Dockerfile": "FROM postgres:16.14-alpine\nCOPY initdb/ /docker-entrypoint-initdb.d/\n",
             "src/frontend/Dockerfile": "FROM python:3.12\nUSER app\n"}
    built = built_by("registry.example/boa/ledger-db:v0.6.9", list(files), lambda p: files[p].splitlines(True))
    assert {k: v for k, v in built.items() if k != "writes"} == {
        "image": "registry.example/boa/ledger-db:v0.6.9", "dockerfile": "src/ledger/ledger-db/Dockerfile",
        "from": "postgres:16.14-alpine", "from_line": 1, "user": None, "user_line": None}
    assert built["writes"]["filled"] == [("/docker-entrypoint-initdb.d", 2)]
    assert built_by("registry.example/boa/other:v1", list(files), lambda p: files[p].splitlines(True)) is None
    f = finding("config", "checkov", "CKV_K8S_23", path="k8s/ledger-db.yaml", start=1, end=16, snippet=LEDGER,
                title="Minimize the admission of root containers", description="Resource: StatefulSet.default.ledger-db")
    answer, _, _ = fix_for(f, [])
    assert "runAsUser: 10001" in answer  # alone, the image is unknown: the template user with its precondition
    answer, why, _ = fix_for(f, [], {"path": "k8s/ledger-db.yaml", "start_line": 1, "text": LEDGER, "built": built})
    assert answer is None and "postgres image's entrypoint starts as root to take ownership" in why  # no row, not a wrong one


def test_a_pod_level_user_for_a_pod_of_several_images_gets_no_row():
    two = LEDGER.replace("        image: registry.example/boa/ledger-db:v0.6.9\n",
                         "        image: gcr.io/whereami:v1.2.20\n      - name: haproxy\n"
                         "        image: haproxytech/haproxy-alpine:2.4\n")
    f = finding("config", "checkov", "CKV_K8S_23", path="k8s/app.yaml", start=1, end=18, snippet=two,
                title="Minimize the admission of root containers", description="Resource: Deployment.default.foo")
    answer, why, _ = fix_for(f, [])
    assert answer is None and "the pod runs 2 images (whereami:v1.2.20, haproxy-alpine:2.4)" in why


def test_the_alpine_rabbitmq_image_gets_its_own_uid_with_capabilities_dropped():
    mq = REDIS.replace("name: redis\n        image: redis:7.2.4", "name: mq\n        image: rabbitmq:3.13-management-alpine")
    answer, _, _ = fix_for(_ckv("CKV_K8S_37", "Minimize the admission of containers with capabilities assigned", mq,
                                "queue"), [])
    ctx = _block(answer)["containers"][0]["securityContext"]
    assert ctx["capabilities"]["drop"] == ["ALL"] and ctx["runAsUser"] == 100 and "chowns /var/lib/rabbitmq" in answer


def test_the_last_stage_built_on_an_earlier_stage_names_that_stages_image():
    from tasks.fixes.checkov_facts import adduser, base_image

    dockerfile = "FROM python:3.13-slim AS base\nRUN pip install x\nFROM base AS dev\nCMD flask run\nFROM base AS prod\n"
    assert base_image(dockerfile) == "python:3.13-slim"
    block, note = adduser(base_image(dockerfile))
    assert block.startswith("RUN useradd") and "base image base" not in note and "Alpine" not in note


def test_the_precondition_names_the_ports_the_manifest_declares_when_they_need_no_capability():
    app = LEDGER.replace("        image: registry.example/boa/ledger-db:v0.6.9\n",
                         "        image: gcr.io/whereami:v1.2.20\n        ports:\n        - containerPort: 8080\n")
    f = finding("config", "checkov", "CKV_K8S_37", path="k8s/app.yaml", start=1, end=18, snippet=app,
                title="Minimize the admission of containers with capabilities assigned",
                description="Resource: Deployment.default.foo")
    answer, _, _ = fix_for(f, [])
    assert answer.startswith("Only if gcr.io/whereami:v1.2.20 changes no file owner and switches no user at start "
                             "(it listens on 8080, above 1024, which needs no capability to bind)")
