"""Two Dockerfiles a USER line is wrong for: a web server that drops root itself, and a base image.

* An image whose start command is Apache (``apache2ctl -D FOREGROUND``,
  ``httpd-foreground``) or nginx (``nginx -g 'daemon off;'``): the master
  process needs root to bind port 80/443 and to open its logs, and every request
  is served by workers running as the user its configuration names (Apache's
  ``User www-data``, nginx's ``user nginx;``).  ``USER`` in front of it stops
  the server from starting; the finding (CKV_DOCKER_3 "no user", CKV_DOCKER_8
  "last user is root", Semgrep's missing-user rules) is a false positive.
* A Dockerfile whose image starts nothing (no ``CMD`` or ``ENTRYPOINT`` in its
  last stage or the stages it is built FROM) is a base layer other Dockerfiles
  build ``FROM``; they install packages as root and set their own user, so a
  ``USER`` here breaks their builds and protects nothing.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import PurePosixPath

from tasks.findings.model import Finding, as_finding
from tasks.triage.entrypoint import image_steps, words

_RULES = {"CKV_DOCKER_3", "CKV_DOCKER_8"}
_BASE_NAME = re.compile(r"(?i)(?:^|[-_.])base(?:[-_.]|$)")  # debian-base.dockerfile, Dockerfile.base, base.Dockerfile
# images whose own Dockerfile ends with a non-root USER, which a FROM inherits (prometheus/prometheus and
# prometheus/alertmanager, node_exporter: `USER nobody`; grafana/grafana: `USER "$GF_UID"`, 472)
_NONROOT_IMAGES = {"prom/prometheus": "nobody", "prom/alertmanager": "nobody", "prom/node-exporter": "nobody",
                   "prom/pushgateway": "nobody", "prom/blackbox-exporter": "nobody", "grafana/grafana": "grafana (UID 472)",
                   "grafana/grafana-oss": "grafana (UID 472)"}
# images whose own command is a shell or a language's REPL: a Dockerfile FROM one of them that sets no command starts
# no service (an image FROM mongo or someone's app image inherits that image's command: not a base)
_BARE = {"ubuntu", "debian", "alpine", "centos", "fedora", "rockylinux", "almalinux", "amazonlinux", "busybox", "archlinux",
         "ubi8", "ubi9", "ubi", "buildpack-deps", "python", "node", "golang", "openjdk", "eclipse-temurin", "amazoncorretto",
         "ruby", "rust"}
_TEST_IMAGE = re.compile(r"(?i)^(?:dockerfile[.-](e2e|test|tests|ci|cypress|playwright)|(e2e|test|tests|cypress|playwright)[.-]dockerfile)$")
_DEV_ONLY = re.compile(r"(?i)^\s*#.*\b(?:do not use (?:it |this )?in production|not for production(?: use)?|for (?:local )?"
                       r"development only|development (?:use )?only|(?:run|runs|for) a (?:local )?development environment)\b")
_SEMGREP = ("missing-user", "missing-user-entrypoint", "last-user-is-root")
_SERVERS = {"apache2ctl": "Apache", "apachectl": "Apache", "apache2": "Apache", "httpd": "Apache",
            "httpd-foreground": "Apache", "nginx": "nginx"}


def _applies(f: Finding) -> bool:
    rule = str(f.rule_id or "")
    if f.tool == "checkov":
        return rule.upper() in _RULES
    return f.tool == "semgrep" and rule.rsplit(".", 1)[-1] in _SEMGREP


def check_server_image(f: Finding | dict, reader=None) -> dict | None:
    """False positive for a Dockerfile that starts Apache or nginx, or that starts nothing (a base image)."""
    from tasks.triage.docker import _dockerfile_lines, instructions

    f = as_finding(f)
    if not f.path or not _applies(f) or not PurePosixPath(f.path).name.lower().startswith(("dockerfile", "containerfile")) \
            and not f.path.lower().endswith(".dockerfile"):
        return None
    backup = re.search(r"(?i)\.(backup|bak|orig|old)$", PurePosixPath(f.path).name)
    if backup:  # django-ninja's tests/env-matrix/Dockerfile.backup was called "a base image" (round 62: a wrong fact)
        return {"check": "container", "status": "backup_copy", "evidence": (
            f"a backup copy of a Dockerfile: {PurePosixPath(f.path).name} ends in .{backup.group(1)}, a name `docker build` "
            "never takes unless `-f` names it, so it is kept beside the image's real Dockerfile, not built as one")}
    lines = _dockerfile_lines(f, reader)
    dev = next(((n, l.strip()) for n, l in enumerate(lines[:8], 1) if _DEV_ONLY.search(l)), None) if reader is not None else None
    test_image = _TEST_IMAGE.search(PurePosixPath(f.path).name)
    if dev or test_image or "/.devcontainer/" in f"/{f.path}":
        said = (f"line {dev[0]} says `{dev[1][:80]}`" if dev else "it sits in .devcontainer/" if not test_image
                else f"its name says it builds the {test_image.group(1) or test_image.group(2)} test image")
        return {"check": "container", "status": "dev_container",
                "evidence": (f"a test image: {f.path}: {said}; it runs the test suite, not the application, with tools "
                             "installed as root (browsers, drivers) that another user would not find") if test_image and not dev
                else (f"a development container: {f.path} {said}; it runs a developer's tools against a mounted "
                      "checkout, and a USER line would break the bind mounts and volumes it writes to")}
    steps = image_steps(instructions(lines))
    if not steps:
        return None
    froms = [(n, a) for n, k, a in steps if k == "FROM"]
    ref = next((w for w in words(froms[-1][1]) if not w.startswith("--")), "") if froms else ""
    image = re.sub(r"^(?:docker\.io/)", "", ref.split("@")[0].rsplit(":", 1)[0].lower()) if ref else ""
    if image in _NONROOT_IMAGES and str(f.rule_id).upper() == "CKV_DOCKER_3" and not any(k == "USER" for _, k, _ in steps):
        return {"check": "container", "status": "image_runs_as_nonroot",
                "evidence": f"the base image runs as a non-root user: {f.path}:{froms[-1][0]} `FROM {ref[:80]}`, whose own "
                            f"Dockerfile ends with USER {_NONROOT_IMAGES[image]}, and no USER line here switches back to root"}
    if "cloud-workstations-images/" in ref and not any(k == "USER" for _, k, _ in steps):
        return {"check": "container", "status": "image_drops_root",
                "evidence": f"a Cloud Workstations image: {f.path}:{froms[-1][0]} `FROM {ref[:80]}`, whose entrypoint runs "
                            "/etc/workstation-startup.d/* as root, creates the workstation's user at start and runs the "
                            "session as that user; a USER line would stop those scripts"}
    starts = [(n, k, a) for n, k, a in steps if k in ("CMD", "ENTRYPOINT")]
    bare = image.rsplit("/", 1)[-1] in _BARE and image.count("/") <= (1 if image.startswith(("library/", "redhat/")) else 0)
    # a file named for a base image whose last stage builds on a bare image, an earlier stage or another base tag
    # (Uptime Kuma's docker/debian-base.dockerfile, set 19); FROM mongo or an app image inherits its command
    aliases = {w.lower() for _, a in froms[:-1] for w in words(a)[-1:] if re.search(r"(?i)\sAS\s", f" {a} ")}
    named = _BASE_NAME.search(PurePosixPath(f.path).name) and (bare or ref.lower() in aliases or "base" in ref.rsplit(":", 1)[-1].lower())
    run = _compose_run(f, reader) if not starts and reader is not None else None
    if run and run[2]:  # pinry's docker-compose.example.yml builds `.` and runs it with `user: ${CURRENT_UID}` (set 30)
        return {"check": "container", "status": "compose_user",
                "evidence": f"the compose file runs it as another user: {run[0]} builds {f.path} for service `{run[1]}` and "
                            f"sets `user: {run[2]}` there, so the container does not run as root although the "
                            "Dockerfile has no USER line"}
    if not starts and (bare or named) and reader is not None and not run and not _root_consumer(f, reader):
        return {"check": "container", "status": "base_image",
                "evidence": f"a base image: {f.path} sets no CMD or ENTRYPOINT, so it starts no service"
                            f"{' (its name says base)' if named and not bare else ''} of its own; the image or the "
                            "`docker run` that gives it a command decides the user that runs it, and a USER line here "
                            "would also apply to every RUN step of an image built FROM it"}
    if not starts:
        return None
    n, kind, arg = starts[-1]
    cmd = [w for w in words(arg) if w not in ("exec", "/bin/sh", "sh", "-c", "/bin/bash", "bash")]
    program = PurePosixPath(cmd[0]).name if cmd else ""
    server = _SERVERS.get(program)
    if server is None:
        return None
    user = "www-data (Apache's User directive)" if server == "Apache" else "the user its nginx.conf names (`user nginx;`)"
    text = re.sub(r"\s+", " ", arg)[:80]
    return {"check": "container", "status": "server_drops_root",
            "evidence": f"the image starts {server}: {f.path}:{n} `{kind} {text}`; its master process binds the port and "
                        f"opens the logs as root and serves every request from workers running as {user}, so a USER line "
                        "would stop it from starting"}


_COMPOSE_NAMES = ("docker-compose.yml", "docker-compose.yaml", "compose.yml", "compose.yaml", "docker-compose.example.yml",
                  "docker-compose.dev.yml", "docker-compose.override.yml", "docker-compose.test.yml",  # set 33: api_tests
                  "docker-compose.ci.yml", "docker-compose.e2e.yml", "docker-compose.prod.yml", "docker-compose.local.yml",
                  "compose.dev.yml", "compose.test.yml", "compose.override.yml")


def _compose_run(f: Finding, reader) -> tuple[str, str, str] | None:
    """(compose file, service, its `user:` or "") for a compose file beside the Dockerfile or in a folder above whose
    service builds it: the image is run as it is, not built upon; None when no such service is found."""
    import yaml

    from tasks.repository.source import finding_lines

    here = PurePosixPath(str(f.path))
    for folder in [here.parent, *here.parent.parents]:  # beside the Dockerfile, or a folder above (modoboa: set 32)
        for name in _COMPOSE_NAMES:
            path = str(folder / name) if str(folder) not in ("", ".") else name
            try:
                data = yaml.safe_load("".join(finding_lines(reader, f, path)) or "null")
            except yaml.YAMLError:
                continue
            services = data.get("services") if isinstance(data, dict) else None
            for service, spec in (services or {}).items() if isinstance(services, dict) else ():
                build = spec.get("build") if isinstance(spec, dict) else None
                context = build if isinstance(build, str) else build.get("context") if isinstance(build, dict) else None
                file = build.get("dockerfile", "Dockerfile") if isinstance(build, dict) else "Dockerfile"
                if not isinstance(context, str) or not isinstance(file, str):
                    continue
                built = posixpath.normpath(posixpath.join(str(folder), context, file))
                if built == posixpath.normpath(str(here)):  # `context: .` + `dockerfile: docker/Dockerfile.front.dev`
                    return path, str(service), str(spec.get("user") or "")
    return None


def _root_consumer(f: Finding, reader) -> str | None:
    """A Dockerfile beside the base image's that builds on a base tag (``FROM louislam/dockge:base AS release``) and
    sets no USER: the shipped image runs as root, and the base is where that starts (set 50, both labellers)."""
    from tasks.repository.source import finding_lines
    from tasks.triage.docker import instructions

    folder = str(PurePosixPath(str(f.path)).parent)
    stem = re.sub(r"[^a-z0-9]", "", PurePosixPath(str(f.path)).name.lower().replace("dockerfile", ""))
    if not stem:
        return None  # a stage's tag names this file only through its stem (`Dockerfile.base` -> `:base`)
    siblings = []
    if hasattr(reader, "tracked"):
        commit = reader.resolve(f.source.commit if f.source else None)
        siblings = reader.tracked(commit, folder if folder not in ("", ".") else ".")
    for path in (siblings or [str(PurePosixPath(folder) / "Dockerfile")])[:60]:  # a worktree not yet committed: the usual name
        name = PurePosixPath(path).name.lower()
        if path == f.path or PurePosixPath(path).parent != PurePosixPath(folder) or "dockerfile" not in name:
            continue
        steps = image_steps(instructions(finding_lines(reader, f, path)))
        froms = [a.split() for _, k, a in steps if k == "FROM" and a.split()]
        for i, words_ in enumerate(froms):  # a stage on this file's tag (`:base`), that runs: the last stage, or one a
            tag = re.sub(r"[^a-z0-9]", "", words_[0].rsplit(":", 1)[-1].lower()) if ":" in words_[0] else ""
            alias = words_[-1].lower() if len(words_) >= 3 and words_[-2].lower() == "as" else None  # later FROM builds on
            runs = i == len(froms) - 1 or (alias and any(w[0].lower() == alias for w in froms[i + 1:]))  # (not --from only)
            if tag and stem in tag and runs and not any(k == "USER" for _, k, _ in steps):
                return path
    return None
