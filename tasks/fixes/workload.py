"""Hardening that must not break the workload: securityContext, Dockerfile USER, workflow permissions.

A blind review of held-out rows found template fixes that stop a pod or a
workflow without a word: ``runAsUser: 10001`` on an NFS server, ``drop:
["ALL"]`` on a redis container whose entrypoint starts as root and chowns
/data, ``runAsNonRoot`` on a pod writing to a root-owned PersistentVolume with
no ``fsGroup``, ``contents: read`` on a workflow that uploads SARIF.  Whether
such a change is safe depends on the image and the steps, so:

- a privileged or system workload (NFS server, CSI driver, node agent,
  docker-bench, hostPath mounts, NET_ADMIN-style capabilities) gets no row;
- an official image whose user is known (tasks.fixes.checkov_facts) gets its
  own UID, set alongside the change, and fsGroup for the volumes it writes;
- any other image gets the precondition as the answer's first line, naming
  the image and the command that checks it; no image in the finding, no row;
- a workflow gets the permissions its steps need, read from the snippet, or
  the list of what each common step needs when its steps are not shown.

May import: ``tasks.core``, ``tasks.findings``, ``tasks.fixes.checkov_facts``, ``tasks.fixes.gha_jobs`` (the GITHUB_TOKEN grants),
``tasks.fixes.image_writes`` (the paths a hardened container still writes), ``tasks.triage.built_images`` (the images a manifest runs).
"""

from __future__ import annotations

import re

from tasks.fixes.checkov_facts import _IMAGE_FACTS, image_of, image_uid
from tasks.fixes.gha_jobs import _STEP_NEEDS, gha_permissions  # noqa: F401 - re-exported
from tasks.fixes.dockerfile_user import has_start, own_user_wording, root_user_install, start_needs_root, user_left_off, user_needs  # noqa: F401
from tasks.fixes.image_writes import model_cache, root_tool
from tasks.triage.built_images import main_image, manifest_images

# the settings of a securityContext change, as the fix block or the scanner's resolution names them
_SETTING = re.compile(r"runAsNonRoot|runAsUser|runAsGroup|capabilities|readOnlyRootFilesystem|allowPrivilegeEscalation"
                      r"|\bdrop\b|\bprivileged\b", re.I)
# settings that decide which user the process runs as, or take away what a root entrypoint needs (chown, setuid)
_USER_BOUND = re.compile(r"runAsNonRoot|runAsUser|runAsGroup|capabilities|\bdrop\b", re.I)
_PRIVILEGED = re.compile(r"hostPath:|privileged:\s*true|hostNetwork:\s*true|hostPID:\s*true|hostIPC:\s*true|"
                         r"\b(?:NET_ADMIN|SYS_ADMIN|SYS_MODULE|SYS_PTRACE)\b|docker\.sock")
# images and workloads that are system software: they run as root by design
_SYSTEM = re.compile(r"(?i)(?:^|[/_.:-])(?:nfs|[a-z-]*csi[a-z-]*|docker-bench[\w-]*|kube-bench|node-exporter|kube-proxy|"
                     r"calico[\w-]*|cilium[\w-]*|flannel|weave[\w-]*|falco|fluentd|fluent-bit|[\w-]*provisioner|"
                     r"node-driver-registrar|[\w-]*device-plugin|rpcbind|samba|multus|kube-vip|metallb[\w-]*)"
                     r"(?=$|[/_.:-])")
_VOLUMES = re.compile(r"persistentVolumeClaim:|volumeClaimTemplates:|volumeMounts:|claimName:")
# official images whose entrypoint needs root at run time: nginx and httpd bind port 80 and switch their workers to
# an unprivileged user (setuid, chown of their cache), the php/wordpress Apache variants are httpd; a non-root start,
# dropped capabilities or a read-only root (/var/cache/nginx, /var/run) stop them at start-up
_ROOT_IMAGES = re.compile(r"^(?:docker\.io/)?(?:library/)?(?:(nginx|httpd)(?::(?!.*unprivileged)\S*)?|(wordpress)(?::(?!.*(?:fpm|cli))\S*)?"
                          r"|(php):\S*apache\S*)$")
# a drop of NET_RAW alone: only raw sockets (ping, traceroute, packet capture) need it, whatever user runs the image
# images that must own their data directory, not only write to it (a mount point owned by root stops them)
_OWNS_DATA = {"postgres": "initdb chmods PGDATA to 0700 and stops with 'Operation not permitted'"}
_NET_RAW_ONLY = re.compile(r"drop:\s*\[\s*\"?NET_RAW\"?\s*\]")


def _ports(snippet: str | None) -> list[int]:
    """The container ports a manifest declares, once each, in order."""
    return list(dict.fromkeys(int(p) for p in re.findall(r"(?m)^\s*-?\s*containerPort:\s*(\d+)\s*$", snippet or "")
                              if 0 < int(p) < 65536))


def image_ref(snippet: str | None) -> str | None:
    """The image a manifest's container runs, as written (``gcr.io/google_samples/gb-redis-follower:v2``)."""
    return main_image(snippet)


def is_security_context(text: str | None) -> bool:
    return bool(_SETTING.search(text or ""))


def system_workload(snippet: str | None, name: str | None = None) -> str | None:
    """Why the workload is privileged or system software (no hardening row for it), or None."""
    text = snippet or ""
    m = _PRIVILEGED.search(text)
    if m:
        return f"a privileged/system workload ({m.group(0).split(':')[0].strip()}): it needs root by design"
    for what in (image_ref(text), name):
        if what and _SYSTEM.search(what):
            return f"a system workload ({what}) that runs as root by design"
    return None


_ROOT_UID = re.compile(r"(?m)^\s*runAsUser:\s*['\"]?0['\"]?\s*$")


def root_override(setting: str, snippet: str | None) -> str | None:
    """Why a non-root setting gets no row: the manifest itself sets ``runAsUser: 0`` (round 15: crAPI's mailhog pod),
    so the container runs as root whatever the image's user, and runAsNonRoot beside it stops the pod from starting."""
    if not re.search(r"runAsNonRoot|runAsUser", setting) or not _ROOT_UID.search(snippet or ""):
        return None
    return ("the manifest sets `runAsUser: 0` itself, so the container runs as root whatever the image's user, and "
            "runAsNonRoot: true beside it would stop the pod from starting: the change is to remove that line (or set "
            "a non-root UID the image supports), after checking what the container needs root for")


def k8s_gate(setting: str, snippet: str | None, name: str | None = None) -> tuple[str | None, dict | None]:
    """(reason there is no row, None) or (None, facts): facts holds ``first`` (a precondition line that must open
    the answer, or "") and ``uid``/``image``/``volumes`` for a known image, whose UID the change must also set."""
    if not is_security_context(setting):
        return None, {"first": "", "uid": None}
    why = system_workload(snippet, name) or model_cache(setting, snippet) or root_override(setting, snippet)
    if why:
        return why, None
    refs = manifest_images(snippet)
    if len(refs) > 1 and setting.lstrip().startswith("securityContext:") and _USER_BOUND.search(setting):
        names = ", ".join(r.split("@")[0].rsplit("/", 1)[-1] for r in refs[:4])
        return (f"the pod runs {len(refs)} images ({names}): a pod-level user applies to every container, and whether "
                "each of them works without root (ports below 1024, files it owns, a user it switches to) is not known "
                "here; set runAsNonRoot/runAsUser per container after checking each image"), None
    ref, official = image_ref(snippet), image_of(snippet or "")
    volumes = bool(_VOLUMES.search(snippet or ""))
    if _NET_RAW_ONLY.search(setting) and not re.search(r"runAs|readOnly|allowPrivilege", setting):
        return None, {"first": "", "uid": None}
    root = _ROOT_IMAGES.match(ref or "")
    if root and (_USER_BOUND.search(setting) or re.search(r"readOnlyRootFilesystem", setting)):
        return (f"the official {root.group(root.lastindex)} image starts as root by design (it binds port 80 and switches its workers "
                "to an unprivileged user, writing its cache and pid file): this change stops it at start-up"), None
    if official:
        paths, uid = _IMAGE_FACTS[official][0], image_uid(snippet or "")
        data = re.search(rf"(?m)^\s*-?\s*mountPath:\s*['\"]?{re.escape(paths[0])}/?['\"]?\s*$", snippet or "")
        if data and official in _OWNS_DATA and _USER_BOUND.search(setting):  # the mount point stays root-owned
            return (f"the {official} image's entrypoint starts as root to take ownership of its data directory "
                    f"{paths[0]}, which a volume is mounted on here; started as UID {uid} or without CHOWN/SETUID it "
                    f"cannot chown or chmod that mount point ({_OWNS_DATA[official]} and the pod crash-loops; fsGroup "
                    "does not make the user its owner), so this change breaks start-up unless the data directory moves "
                    "to a subdirectory of the volume, which starts an empty database where one exists"), None
        command = bool(re.search(r"(?m)^\s*-?\s*command:", snippet or ""))  # the image's entrypoint does not run
        return None, {"first": "", "uid": uid, "image": official, "volumes": volumes, "paths": paths, "command": command}
    if not ref:
        return "the image is not in the finding, so whether it runs without root is unknown", None
    uid = (re.search(r"runAsUser:\s*(\d+)", setting) or [None, None])[1]
    if uid:  # runAsUser replaces the image's user: whether the program works as that UID is the question
        first = (f"Only if {ref} works as UID {uid} (runAsUser overrides the user the image names): start it once with "
                 f"`docker run --rm --user {uid} {ref}` first" + ("; volumes it writes need fsGroup." if volumes else "."))
    elif re.search(r"\bdrop\b", setting) and not re.search(r"runAs", setting):
        high = _ports(snippet)
        first = (f"Only if {ref} changes no file owner and switches no user at start (it listens on {', '.join(map(str, high))}, "
                 "above 1024, which needs no capability to bind)" if high and min(high) >= 1024 else
                 f"Only if {ref} needs no capability at run time (binds no port below 1024, changes no file owner, "
                 "switches no user)") + f": start it once with `docker run --rm --cap-drop ALL {ref}` first."
    elif _USER_BOUND.search(setting):
        first = (f"Only if {ref} runs as a non-root user: check `docker inspect -f '{{{{.Config.User}}}}' {ref}` (empty "
                 f"or root: it starts as root) or `docker run --rm --entrypoint id {ref}` first"
                 + (f"; volumes it writes need fsGroup: {uid or 'its UID'}." if volumes else "."))
    elif re.search(r"readOnlyRootFilesystem", setting, re.I):
        first = (f"Only if {ref} writes nowhere but /tmp and its volumes: check `docker run --rm --read-only --tmpfs /tmp "
                 f"{ref}` first.")
    elif re.search(r"(?<!allow)privileged\b", setting, re.I) and not re.search(r"allowPrivilegeEscalation", setting):
        first = (f"Only if {ref} needs no host access (mounting file systems, network or device setup, kernel "
                 f"modules): check what it does before taking privileged away.")
    else:
        first = (f"Only if {ref} runs no setuid program (sudo, su) after it starts: check `docker run --rm "
                 f"--security-opt no-new-privileges {ref}` first.")
    high = _ports(snippet)
    if high and min(high) >= 1024 and _USER_BOUND.search(setting) and first and "1024" not in first:
        first = first.rstrip(".") + f"; it listens on {', '.join(map(str, high))}, above 1024, which a non-root process binds."
    low = [p for p in high if p < 1024]
    if low and _USER_BOUND.search(setting) and first:  # a non-root user cannot bind it unless the runtime allows it
        first = first.rstrip(".") + (f"; it declares containerPort {low[0]}, below 1024, which a non-root process binds "
                                     "only where the node allows unprivileged low ports (sysctl "
                                     "net.ipv4.ip_unprivileged_port_start) or the program moves to a port above 1024.")
    return None, {"first": first, "uid": None, "volumes": volumes}


def with_user(facts: dict, setting: str, body: str, indent: int) -> str:
    """``body`` with a known image's own user added where the change needs it: runAsNonRoot/runAsUser/runAsGroup in
    the container (at ``indent``) and fsGroup in the pod spec (at indent 0), each only where the body lacks it."""
    uid = facts.get("uid")
    if uid is None or not _USER_BOUND.search(setting):
        return body
    pad = " " * indent
    for key, value in (("runAsNonRoot", "true"), ("runAsUser", uid), ("runAsGroup", uid)):
        if not re.search(rf"^\s*{key}:", body, re.M):
            body += f"\n{pad}{key}: {value}"
    return body + ("" if "fsGroup" in body else f"\nsecurityContext:\n  fsGroup: {uid}")


def k8s_note(facts: dict, setting: str) -> str:
    uid = facts.get("uid")
    if uid is None or not _USER_BOUND.search(setting):
        return ""
    if facts["image"] == "node":  # no entrypoint that drops privileges: root unless told otherwise
        return (f"\nThe node image runs as root unless told otherwise; its `node` user is UID {uid}: the files the app "
                f"writes (its working directory, volumes) must be writable by that UID, which fsGroup: {uid} gives volumes.")
    if facts.get("command"):  # e.g. a Job running psql from the postgres image: no entrypoint, no chown, no drop
        return (f"\nThe container's `command:` replaces the {facts['image']} image's entrypoint, so nothing here chowns "
                f"files or drops privileges: the command runs as root unless the pod names a user, and as UID {uid} (the "
                f"image's own {facts['image']} user) it works as long as it writes only where that user may.")
    return (f"\nThe {facts['image']} image's entrypoint starts as root, chowns {facts['paths'][0]} and drops to UID {uid}: "
            f"dropped capabilities or a non-root start break that step unless the pod runs as UID {uid} from the start, "
            f"and fsGroup: {uid} makes the volumes it writes (a PersistentVolume is owned by root) writable by it.")


_DOCKER_SYSTEM = re.compile(r"(?i)\bnfs|rpcbind|\b2049\b|exportfs|iptables|modprobe|docker\.sock|\bmount\s+-|setcap|"
                            r"EXPOSE\s+(?:[1-9]\d?|[1-9]\d\d|10[01]\d|102[0-3])\b")


# a port in a start command: host:port / 0.0.0.0:port (php -S, gunicorn --bind), --port N, -p N
_START_PORT = re.compile(r"(?:0\.0\.0\.0|localhost|127\.0\.0\.1|\[::\]|\*|\w[\w.-]*)?:(\d{1,5})\b|--port(?:[= ]|[\"']\s*,\s*[\"'])\s*(\d{1,5})\b")


def dockerfile_gate(snippet: str | None, path: str | None = None, start: dict | None = None) -> tuple[str | None, str]:
    """(reason there is no row, "") or (None, the precondition that opens a Dockerfile USER fix).  The check command
    is written out only where it builds this file: ``docker build .`` builds ./Dockerfile alone, and a file elsewhere
    (``deployments/api.Dockerfile``, built by compose with another context) is built with ``-f`` and its own context;
    an image without CMD or ENTRYPOINT is started with the command the project gives it."""
    m = _DOCKER_SYSTEM.search(snippet or "")
    if m:
        return f"the image needs root at run time ({m.group(0).strip()}): a non-root USER would break it", ""
    if root_tool(snippet) or root_user_install(snippet):  # django-celery-beat's `pip3 install --user` (round 62)
        return root_tool(snippet) or root_user_install(snippet), ""
    if start_needs_root(start) or user_left_off(snippet):
        return start_needs_root(start) or user_left_off(snippet), ""
    if (start or {}).get("docker_socket"):  # set 50: dockge drives Docker through the socket root and its group open
        return (f"the project's {start['docker_socket']} mounts the host's Docker socket, which only root and the socket's "
                "group may open: a USER line alone would cut the container off from it (and the socket is root on the host)"), ""
    stages = re.split(r"(?im)^\s*FROM\s+", snippet or "")
    target = (start or {}).get("compose_target")
    last = re.search(r"(?i)\sAS\s+([\w.-]+)", stages[-1].splitlines()[0]) if len(stages) > 1 and stages[-1] else None
    if target and (not last or last.group(1).lower() != str(target[1]).lower()):
        return (f"{target[0]} builds the stage `{target[1]}` of this Dockerfile, not its last stage: a USER line at the end "
                f"does not reach the image compose runs; the user belongs in stage `{target[1]}`"), ""
    for line in re.findall(r"(?im)^\s*(?:CMD|ENTRYPOINT)\b.*$", stages[-1]):
        port = next((int(p) for pair in _START_PORT.findall(line) for p in pair if p and 0 < int(p) < 1024), None)
        if port:
            return (f"the start command binds port {port} (`{line.strip()[:80]}`), which a non-root USER cannot bind "
                    "without CAP_NET_BIND_SERVICE: a USER line alone would break it"), ""
    starts = has_start(snippet)
    lead = "Only if the program needs no root at run time (binds no port below 1024, writes only where UID 10001 may write): "
    if path and path.lstrip("/") != "Dockerfile":
        return None, (lead + f"build the image as the project does, with `-f {path.lstrip('/')}` and the build context its "
                      "compose file or CI names, and start it once with `--user 10001`"
                      + ("" if starts else " and the command the project runs it with (the image sets no CMD)") + " first.")
    if not starts:
        return None, (lead + "build it with `docker build -t local/check .` and start it once as `docker run --rm --user "
                      "10001 local/check` followed by the command the project runs it with (the image sets no CMD) first.")
    return None, (lead + "build it and check with `docker build -t local/check . && docker run --rm --user 10001 local/check` first.")


_INSTRUCTION = re.compile(r"\.(?:FROM|RUN|CMD|LABEL|MAINTAINER|EXPOSE|ENV|ADD|COPY|ENTRYPOINT|VOLUME|USER|WORKDIR|ARG|"
                          r"ONBUILD|STOPSIGNAL|HEALTHCHECK|SHELL)?$")


def _dockerfile_of(name: str | None) -> str | None:
    """The Dockerfile a Checkov resource names: '/dir/api.Dockerfile.' (CKV_DOCKER_3) or '/dir/Dockerfile.USER'
    (CKV_DOCKER_8 names the instruction too, which is not part of the file's name)."""
    return _INSTRUCTION.sub("", name or "") or None


def checkov_harden(lang: str, setting: str, note: str, snippet: str | None, name: str | None, start: dict | None = None):
    """(reason there is no row, first line, setting, note) for a Checkov catalogue block."""
    if lang == "github-actions" and setting.startswith("permissions:"):
        block, more = gha_permissions(snippet)
        if more.startswith("The workflow's steps are not in the finding"):
            return None, more, block, note  # what to check comes before a block that may be too narrow
        return None, "", block, (note + " " + more).strip()
    if lang == "dockerfile" and re.search(r"^USER\b", setting, re.M):  # Checkov names the file: /dir/api.Dockerfile.
        why, first = dockerfile_gate(snippet, _dockerfile_of(name), start)
        setting, needs = user_needs(snippet, setting)
        user = re.search(r"(?m)^USER\s+(\S+)", setting).group(1)  # the image's own user (node) where it has one
        first, note = own_user_wording(user, setting, first, note)
        return why, first, setting, (needs + " " + note).strip()
    if lang != "kubernetes":
        return None, "", setting, note
    why, facts = k8s_gate(setting, snippet, name)
    if why:
        return why, "", setting, note
    if facts.get("uid") is not None and setting.startswith("securityContext:"):  # the pod-level block (CKV_K8S_23)
        uid = facts["uid"]
        setting = re.sub(r"runAsUser: \d+", f"runAsUser: {uid}", setting) + f"\n  runAsGroup: {uid}\n  fsGroup: {uid}"
    elif facts.get("volumes") and setting.startswith("securityContext:") and "runAsUser" in setting:
        uid = re.search(r"runAsUser: (\d+)", setting).group(1)  # a PersistentVolume is owned by root: without fsGroup
        setting += f"\n  fsGroup: {uid}"  # every write to it fails while the pod stays Running
    elif setting.startswith("containers:"):
        setting = with_user(facts, setting, setting, 6)
    return None, facts["first"], setting, (note + k8s_note(facts, setting)).strip()


# what the setting breaks when applied alone (a pod that no longer starts, a program that cannot write)
K8S_CAVEATS = {
    "KSV014": "\nWith a read-only root file system the program can write nowhere in its container: mount an emptyDir "
              "(or a volume) at each path it writes - /tmp, caches, data directories such as a database's data folder "
              "- or it fails at the first write.",
    "KSV012": "\nrunAsNonRoot alone makes the kubelet refuse to start an image whose user is root (many official images "
              "start as root and drop privileges themselves): also set runAsUser (and runAsGroup) to a non-root UID the "
              "image supports, and check that its files are readable by that UID.",
}


def gate(hint: str, snippet: str | None, language: str | None, name: str | None,
         path: str | None = None, start: dict | None = None) -> tuple[str | None, dict]:
    """Why a scanner's hardening resolution gets no row here, or the facts its block needs."""
    if language == "kubernetes":
        why, facts = k8s_gate(hint, snippet, name)
        return why, facts or {}
    if language == "dockerfile" and re.search(r"\bUSER\b", hint):
        why, first = dockerfile_gate(snippet, path, start)
        return why, {"first": first}
    return None, {}
