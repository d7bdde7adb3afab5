"""The facts a Checkov setting depends on, read from the finding - or the reason there is no row.

A catalogue block (tasks.fixes.checkov) is written once for every resource,
so on its own it names nobody's code: ``aws_s3_bucket.this`` where the
resource is ``aws_s3_bucket.data``, ``<container>``, a made-up log bucket.
Here each block is fitted to the finding: the resource's own type and name
from the report (``resource aws_s3_bucket.data``), the container named in
the manifest, the instance type, database engine and base image from the
snippet.  Where the fix needs a fact the finding does not carry and a wrong
guess would break the apply or the service (EBS optimisation on a t2, a
curl health check in an image without curl, the version to pin), the fix
states the precondition or there is no row.  Other resources a fix needs
are declared in the answer itself (a variable, the monitoring role), so no
name in it is a placeholder.
"""

from __future__ import annotations

import re

from tasks.fixes.iac_refs import index_references
from tasks.triage.built_images import main_image
from tasks.triage.images import ROOT_DROPPING

# checks whose block only fits one resource type (the S3 side resources take the bucket's id)
REQUIRES_TYPE = {"CKV_AWS_18": "aws_s3_bucket", "CKV_AWS_19": "aws_s3_bucket", "CKV_AWS_21": "aws_s3_bucket",
                 "CKV2_AWS_6": "aws_s3_bucket", "CKV_AWS_20": ("aws_s3_bucket", "aws_s3_bucket_acl"), "CKV_AWS_118": "aws_db_instance",
                 "CKV_AWS_135": "aws_instance", "CKV_AWS_79": "aws_instance", "CKV_AWS_8": "aws_instance",
                 "CKV_AWS_126": "aws_instance", "CKV_AWS_88": "aws_instance", "CKV2_AWS_17": "aws_instance"}
# checks whose fix needs a fact no report carries: no row rather than a guess
NEEDS_FACTS = {
    "CKV_DOCKER_7": "the base image version or digest to pin is not in the finding",
    "CKV_K8S_14": "the image tag to pin is not in the finding",
    "CKV_K8S_43": "the image digest is not in the finding",
    "CKV_AWS_46": "where the secret in user data should come from is not in the finding",
    "CKV_AWS_23": "what the security group rule is for is not in the finding (its description)",
    "CKV_GHA_2": "the event field the step expands is not in the finding",
}
# instance families that cannot be EBS-optimised (AWS EC2 docs, "EBS-optimized instances")
_NO_EBS_OPTIMISED = re.compile(r"^(?:t1|t2|m1\.small|m1\.medium|c1\.medium|m2\.xlarge|m3\.medium|c3\.large|r3\.large|"
                               r"m3\.large|i2\.xlarge)\b")
_EBS_BY_DEFAULT = re.compile(r"^(?:t3a?|t4g|m5|m5a|m5n|m6[a-z]*|m7[a-z]*|c5|c5a|c5n|c6[a-z]*|c7[a-z]*|r5|r5a|r5n|r6[a-z]*|"
                             r"r7[a-z]*)\.")
_LOG_EXPORTS = {"mysql": '["audit", "error", "general", "slowquery"]', "mariadb": '["audit", "error", "general", "slowquery"]',
                "postgres": '["postgresql", "upgrade"]', "aurora-mysql": '["audit", "error", "general", "slowquery"]',
                "aurora-postgresql": '["postgresql"]'}


_ADDRESS = re.compile(r"^(?:module\.[\w-]+(?:\[[^\]]*\])?\.)*(?:data\.)?(\w+)\.([\w-]+)(\[[^\]]*\])?$")


def address(resource: str | None) -> tuple[str | None, str | None, str | None]:
    """(type, name, instance key) of a Checkov resource address: ``module.s3.aws_s3_bucket.logs["a"]`` ->
    ("aws_s3_bucket", "logs", '["a"]'); the key (a for_each or count instance) is never part of the name."""
    m = _ADDRESS.match(resource or "")
    return (m.group(1), m.group(2), m.group(3)) if m else (None, None, None)


def attribute(snippet: str, name: str) -> str | None:
    """A literal attribute of the resource (``instance_type = "t2.nano"``); None for a variable or absent."""
    m = re.search(rf'^\s*{name}\s*=\s*"([^"$]+)"\s*(?:#.*)?$', snippet or "", re.M)
    return m.group(1) if m else None


def base_image(snippet: str) -> str | None:
    """The image the last stage of a Dockerfile snippet (the stage that runs) is built on, an earlier stage's alias
    followed to its image (``FROM base AS prod`` after ``FROM python:3.13-slim AS base`` is python:3.13-slim)."""
    froms = re.findall(r"^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?", snippet or "", re.M | re.I)
    if not froms:
        return None
    aliases = {alias.lower(): image.lower() for image, alias in froms if alias}
    image = froms[-1][0].lower()
    for _ in range(len(froms)):  # FROM base AS prod, base being FROM python:3.13-slim AS base: the image is python
        image = aliases.get(image, image) if aliases.get(image) != image else image
    return image


def containers(snippet: str) -> list[str]:
    """Container names of a Kubernetes manifest snippet: the ``name`` of each item of ``containers:``, never
    the names of its volumeMounts, ports or env entries, which sit deeper."""
    out, inside, indent, item = [], False, 0, None
    for line in (snippet or "").splitlines():
        stripped, at = line.strip(), len(line) - len(line.lstrip())
        if re.match(r"^(?:init)?[cC]ontainers:\s*$", stripped):
            inside, indent, item = stripped.startswith("containers"), at, None
            continue
        if inside and stripped and at <= indent and not stripped.startswith("-"):
            inside = False
        if not inside or not stripped:
            continue
        if stripped.startswith("-") and (item is None or at == item):
            item = at  # the indentation of the container items
        m = re.match(r"^-?\s*name:\s*['\"]?([\w.-]+)", stripped)
        if m and item is not None and (at == item if stripped.startswith("-") else at == item + 2):
            out.append(m.group(1))
    return list(dict.fromkeys(out))


def _healthcheck(image: str | None) -> tuple[str, str] | str:
    """(HEALTHCHECK line, note) for the base image, or why none can be written."""
    if not image:
        return "the base image is not in the finding, so which program can probe the service is unknown"
    name = image.split("/")[-1].split("@")[0]
    repo, _, tag = name.partition(":")
    probe = "http://localhost:8080/ (the port and path the service answers on)"
    if repo in ("python", "pypy") or repo.startswith("python"):
        return ('HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request; '
                "urllib.request.urlopen('http://localhost:8080/', timeout=2)\" || exit 1",
                f"The probe runs with the interpreter the image already has (a slim image has no curl); change {probe}.")
    if repo == "node":
        return ('HEALTHCHECK --interval=30s --timeout=3s CMD node -e "require(\'http\').get(\'http://localhost:8080/\', '
                'r => process.exit(r.statusCode < 500 ? 0 : 1)).on(\'error\', () => process.exit(1))"',
                f"The probe runs with the runtime the image already has (slim images have no curl); change {probe}.")
    if repo in ("alpine", "busybox") or tag.endswith("alpine") or "-alpine" in tag:
        return ("HEALTHCHECK --interval=30s --timeout=3s CMD wget -q -O /dev/null http://localhost:8080/ || exit 1",
                f"BusyBox's wget is in every Alpine image; change {probe}.")
    return f"{image} may ship neither curl nor wget: the probe command is unknown"


# official images built on Debian/Ubuntu (useradd is there) unless their tag says alpine
_DEBIAN_BASED = ("python", "pypy", "node", "golang", "ruby", "php", "openjdk", "eclipse-temurin", "amazoncorretto",
                 "debian", "ubuntu", "rust", "perl", "buildpack-deps", "gcc", "maven", "gradle", "centos", "fedora",
                 "rockylinux", "almalinux", "redhat/ubi8", "redhat/ubi9")


def adduser(image: str | None) -> tuple[str, str]:
    def note(uid: int) -> str:
        return (f"Check before merging: files the process writes (WORKDIR, caches, uploads) must belong to UID {uid}, "
                "and a non-root user cannot bind ports below 1024."
                + (" The user gets a home (/home/app): a program that keeps state under $HOME (~/.config, ~/.cache, "
                   "its own ~/.name folder) writes there instead of /root, so a volume mounted at /root/... moves to "
                   "/home/app/..." if uid == 10001 else ""))
    repo = (image or "").split("@")[0].rsplit(":", 1)[0].removeprefix("docker.io/").removeprefix("library/")
    if repo == "node":  # the official node images (Debian and Alpine) ship a `node` user, UID 1000, with a home
        return "USER node", ("The node image already has the unprivileged user `node` (UID 1000, home /home/node): no "
                             "user to create. " + note(1000))
    if image and ("alpine" in image or image.startswith("busybox")):
        return "RUN adduser -D -u 10001 app\nUSER 10001", note(10001)
    if image and any(d in image for d in ("distroless", "scratch", "chainguard")):
        return "USER 65532", note(65532) + " Distroless images have no adduser; 65532 is their nonroot user."
    distro = re.search(r"(?i)ubuntu|debian|bookworm|bullseye|buster|jammy|focal|noble|ubi\d|rocky|centos|fedora", image or "")
    if repo not in _DEBIAN_BASED and not distro:  # caddy, traefik ... are Alpine-based without saying so; cuda:...-ubuntu22.04 is not
        return "RUN useradd --system --create-home --uid 10001 app\nUSER 10001", (
            f"useradd is in Debian, Ubuntu and RHEL-based images; {'the base image ' + image + ' may' if image else 'an image may'}"
            " be Alpine-based (its tag need not say so): there use `adduser -D -u 10001 app`. " + note(10001))
    return "RUN useradd --system --create-home --uid 10001 app\nUSER 10001", note(10001)


def fit(rule: str, resource: str | None, snippet: str | None, lang: str, block: str) -> tuple[str, str] | str:
    """(block fitted to this finding, extra note) - or why no row can be written."""
    snippet = snippet or ""
    if rule in NEEDS_FACTS:
        return NEEDS_FACTS[rule]
    rtype, name, key = address(resource)
    if lang == "terraform" and ("{name}" in block or rule in REQUIRES_TYPE):
        if not rtype or not name:
            return "the report names no resource to change"
        wanted = REQUIRES_TYPE.get(rule)
        if wanted and rtype not in (wanted if isinstance(wanted, tuple) else (wanted,)):
            return f"the fix is for {wanted if isinstance(wanted, str) else wanted[0]}, the resource is {rtype}"
        block = block.replace("{type}", rtype).replace("{name}", name)
    note = ""
    if rule == "CKV_AWS_20" and rtype == "aws_s3_bucket" and not re.search(r"^\s*acl\s*=", snippet, re.M):
        if re.search(r"^\s*grant\s*\{", snippet, re.M):  # acl and grant conflict: the fix is removing the public grant
            return "the bucket grants access with grant blocks: the fix removes the public grant, which the finding does not name"
        return ("the bucket's own block sets no acl: the public ACL Checkov found is set by a separate aws_s3_bucket_acl "
                "resource for this bucket, which the finding does not show (an inline acl would fight it)")
    if lang == "terraform" and rtype and name:  # a companion resource names the flagged one's instance (count, for_each)
        indexed = index_references(block, rtype, name, snippet)
        if isinstance(indexed, str):
            return indexed
        block, note = indexed
        if key and not block.lstrip().startswith("resource "):  # Checkov names one instance; the block makes them all
            note = f"The setting goes in the block every instance of {rtype}.{name} is made from, {key} among them."
    acl = re.search(r"^\s*acl\s*=\s*(.+?)\s*$", snippet, re.M) if rule == "CKV2_AWS_6" else None
    value = acl.group(1).strip('"') if acl else ""
    if value in ("public-read", "public-read-write", "authenticated-read"):
        note = (f"The bucket sets `acl = {acl.group(1)}`: with block_public_acls S3 rejects a public ACL, so the apply "
                "fails while that value is public; make it private in the same change. " + note).strip()
    elif acl and not value.startswith(("private", "bucket-owner", "log-delivery", "aws-exec")):
        # a variable or expression: its value decides; a log bucket's log-delivery-write is not public and must stay
        note = (f"The bucket's ACL comes from `{acl.group(1)}`: with block_public_acls S3 rejects the apply if that "
                "resolves to a public ACL (public-read, public-read-write, authenticated-read); log-delivery-write, "
                "which an access-log bucket needs, is not public and stays. " + note).strip()
    if rule == "CKV_AWS_135":
        itype = attribute(snippet, "instance_type")
        if itype and _NO_EBS_OPTIMISED.match(itype):
            return f"instance type {itype} cannot be EBS-optimised: the fix is another instance type, a cost decision"
        if itype and _EBS_BY_DEFAULT.match(itype):
            note = f"{itype} is EBS-optimised by default, so the setting changes nothing at run time."
        elif not itype:
            note = "Not every instance type supports it (t2 and older types do not, and the apply fails): check instance_type first."
    if rule == "CKV_AWS_129":
        engine = attribute(snippet, "engine")
        if engine not in _LOG_EXPORTS:
            return "the database engine is not in the finding, and the log names depend on it"
        block = f"enabled_cloudwatch_logs_exports = {_LOG_EXPORTS[engine]}"
        if engine.endswith(("mysql", "mariadb")):
            note = ("The general and slow-query logs fill only when the parameter group turns them on (general_log, "
                    "slow_query_log); the audit log only with " + ("server_audit_logging in the cluster parameter group."
                                                                    if engine.startswith("aurora") else
                                                                    "the MARIADB_AUDIT_PLUGIN option in the instance's option group."))
    if rule == "CKV_DOCKER_2":
        hc = _healthcheck(base_image(snippet))
        if isinstance(hc, str):
            return hc
        block, note = hc
    if rule in ("CKV_DOCKER_3", "CKV_DOCKER_8") or (lang == "dockerfile" and "USER 10001" in block):
        block, note = adduser(base_image(snippet))
    if rule == "CKV_DOCKER_4":
        adds = re.findall(r"^\s*ADD\s+(.+)$", snippet, re.M)
        if not adds or any(re.search(r"https?://|\.(?:tar|tgz|gz|bz2|xz)\b", a) for a in adds):
            return "the ADD instruction is not in the finding (or it fetches a URL or unpacks an archive, which COPY does not)"
        block = "\n".join(f"COPY {a.strip()}" for a in adds)
        secret = next((a.split()[0] for a in adds if re.search(r"(?i)secret|passw|token|credential|\.pem\b|\.key\b|id_rsa|"
                                                                r"\.env\b|\.npmrc|\.netrc|kubeconfig", a.split()[0])), None)
        if secret:  # the instruction is not what leaks it: every layer ships with the image
            note = (f"COPY does not keep {secret} out of the image: a file copied in stays readable in that layer (`docker "
                    "save`, `docker history`) even if a later RUN deletes it. Mount it only for the step that needs it "
                    "(`RUN --mount=type=secret,id=...`) or give it to the container at run time.")
    if lang == "kubernetes" and "<container>" in block:
        names = containers(snippet)
        if len(names) != 1:
            return "the container to change is not named in the finding" if not names else "several containers: which one fails is not in the finding"
        block = block.replace("<container>", names[0])
    if rule in ("CKV_K8S_8", "CKV_K8S_9"):
        port = re.search(r"containerPort:\s*(\d+)", snippet)
        if not port:
            return "the container's port is not in the finding"
        kind = "livenessProbe" if rule == "CKV_K8S_8" else "readinessProbe"
        block = re.sub(r"(?s)(\s*)\w+Probe:.*", rf"\1{kind}:\1  tcpSocket:\1    port: {port.group(1)}", block)
        note = "A TCP probe only checks that the port accepts connections; an HTTP endpoint of the app is a better probe where it has one."
    nested = re.match(r"^(\w+) \{\n(.*)\n\}$", block, re.S)
    if lang == "terraform" and nested and re.search(rf"^\s*{nested.group(1)}\s*\{{", snippet, re.M):
        block = "\n".join(l[2:] if l.startswith("  ") else l for l in nested.group(2).splitlines())
        note = (f"Put it inside the resource's existing {nested.group(1)} block (a second one is an error). " + note).strip()
    return block, note


# official images: the folders each writes at run time, and the non-root UID its entrypoint drops to, from the
# triage's table of the same images (tasks.triage.images, so the two never disagree); others get /tmp and a caveat
_IMAGE_FACTS = {name: (paths, ROOT_DROPPING[name]["uid"]) for name, paths in (
    ("redis", ["/data"]), ("mongo", ["/data/db", "/tmp"]), ("mysql", ["/var/lib/mysql", "/var/run/mysqld", "/tmp"]),
    ("mariadb", ["/var/lib/mysql", "/run/mysqld", "/tmp"]),
    ("postgres", ["/var/lib/postgresql/data", "/var/run/postgresql", "/tmp"]),
    ("rabbitmq", ["/var/lib/rabbitmq", "/tmp"]))} | {"node": (["/tmp"], 1000)}


# the Alpine variants whose user has another UID than the Debian-based default (postgres: 70)
_ALPINE_UID = {"postgres": 70, "rabbitmq": 100}  # docker-library: adduser -u 70 postgres / -u 100 rabbitmq


def image_uid(snippet: str) -> int | None:
    """The non-root UID of the official image the manifest runs, for its tag's base (postgres:16-alpine -> 70)."""
    image = image_of(snippet)
    alpine = image and re.search(r":\S*alpine", main_image(snippet) or "")
    return None if image is None else _ALPINE_UID.get(image, _IMAGE_FACTS[image][1]) if alpine else _IMAGE_FACTS[image][1]


def image_of(snippet: str) -> str | None:
    """The official image a manifest's container runs (``docker.io/redis:6.0.5`` -> redis), or None."""
    ref = main_image(snippet)
    if not ref:
        return None
    ref = ref.split("@")[0]
    path = ref.rsplit(":", 1)[0] if ":" in ref.rsplit("/", 1)[-1] else ref
    parts = path.split("/")
    if len(parts) > 1 and parts[0] not in ("docker.io", "library") and not (len(parts) == 2 and parts[0] == "docker.io"):
        if not (parts[0] == "docker.io" and parts[1] == "library"):
            return None  # someone else's build of it: its paths and user are not known
    return parts[-1] if parts[-1] in _IMAGE_FACTS else None


def _built_on(snippet: str) -> str | None:
    """An image named after an official one (gcr.io/google_samples/gb-redis-follower): it writes where that does."""
    ref = main_image(snippet)
    words = re.split(r"[-_.]", ref.split("@")[0].rsplit("/", 1)[-1].split(":")[0]) if ref else []
    return next((w for w in words if w in _IMAGE_FACTS and w != "node"), None)


def written_paths(snippet: str | None) -> tuple[str | None, list[str]]:
    """(the official image the manifest runs or is built on, the folders it writes), or (None, ["/tmp"])."""
    image = image_of(snippet or "") or _built_on(snippet or "")
    return (image, _IMAGE_FACTS[image][0]) if image else (None, ["/tmp"])


def k8s_additions(rule: str, snippet: str | None) -> tuple[str, str, str]:
    """(lines for the container, lines for the pod spec, note) that keep a hardening setting from breaking the pod."""
    image, uid = image_of(snippet or ""), image_uid(snippet or "")
    if rule in ("KSV014", "CKV_K8S_22"):
        image, paths = written_paths(snippet)
        mounts = "volumeMounts:\n" + "".join(f"  - name: writable-{i}\n    mountPath: {p}\n" for i, p in enumerate(paths))
        volumes = "volumes:\n" + "".join(f"  - name: writable-{i}\n    emptyDir: {{}}\n" for i in range(len(paths)))
        known = f"an image built on {image} writes to {', '.join(paths)}" if image else "/tmp is mounted; add an emptyDir for every other path the program writes"
        return mounts.rstrip("\n"), volumes.rstrip("\n"), (f"\nThe emptyDir volumes keep it writable where it must be ({known}); "
                                                          "they last as long as the pod, as the container's own file system did.")
    if rule in ("KSV012", "CKV_K8S_23") and uid is not None:
        return "", "", f"\nrunAsUser {uid} is the {image} image's own non-root user, so the kubelet can start it."
    return "", "", ""
