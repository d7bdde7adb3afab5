"""What a Dockerfile's own start script does as root: needs it, or drops it.

Checkov's CKV_DOCKER_3 asks for a ``USER`` line.  Two facts about the image
decide whether that is right, and both live in the script the image starts
(``ENTRYPOINT ["/entrypoint.sh"]``, ``CMD ["./bootstrap.sh"]``), which the
repository holds:

* the script **drops root itself** before the service runs (``exec gosu app
  ...``, ``su-exec``, ``setpriv``, ``runuser``, ``s6-setuidgid``, uWSGI with
  ``uid =`` in the ini it is given, gunicorn ``--user``, Apache's ``APACHE_RUN_USER``, PHP-FPM's ``user =``): the service does not
  run as root, only the steps before it do, so the finding is a false
  positive (tasks.triage.docker);
* the script **needs root** at start (it starts cron, writes under ``/etc``,
  installs packages, adds users, changes owners): a ``USER`` line would break
  it, so no fix may add one (tasks.fixes.workload) and the change belongs in
  the script (drop root at its end).

The script is found by its name in the final stage's ``ENTRYPOINT``/``CMD``
(a word ending in ``.sh``, also inside ``sh -c "..."``, or a path such as
``/opt/apprise/webapp/supervisord-startup`` whose file starts ``#!/bin/bash``) and mapped back to the
one repository file of that name in the Dockerfile's folder or the folder
above it (the usual build contexts), preferring one a ``COPY`` line names.
Reading goes through the caller's ``read(path) -> lines`` (a SourceReader at
the finding's commit), so nothing outside the checkout is opened.
"""

from __future__ import annotations

import json
import posixpath
import re
import shlex
from pathlib import PurePosixPath

from tasks.triage.root_drop import _code_lines, drops_root  # noqa: F401 - drops_root re-exported (docker, sources, tests)

_SCRIPT = re.compile(r"[\w./-]*[\w-]+\.sh$")
_S6_BASE = re.compile(r"(?:(?:ghcr\.io|lscr\.io)/)?linuxserver/baseimage-[\w.-]+(?::[\w.-]+)?(?:@sha256:[0-9a-f]{64})?$")
# root-only steps a start script runs (first match wins; the label is what the reader is told)
_NEEDS_ROOT = [
    ("starts cron", re.compile(r"(?:^|[;&|]\s*|\bexec\s+)(?:/usr/sbin/)?(?:cron|crond)\b(?!\w)|\bservice\s+cron\s+start\b")),
    ("writes under /etc", re.compile(r">>?\s*['\"]?/etc/|\btee\s+(?:-a\s+)?['\"]?/etc/|\bsed\s+-i\S*\s.*\s['\"]?/etc/|\b(?:cp|mv|ln\s+-s\w*)\s.*\s/etc/\S*\s*$")),
    ("installs packages", re.compile(r"\b(?:apt-get|apt|apk|yum|dnf|microdnf)\s+(?:-\S+\s+)*(?:install|add|update|upgrade)\b"
                                     r"|\bpip3?\s+install\b(?!.*--user)")),  # into the image's site-packages
    ("adds users or groups", re.compile(r"\b(?:useradd|adduser|groupadd|addgroup|usermod)\b")),
    ("changes file owners", re.compile(r"\bchown\b")),
    ("starts a system service", re.compile(r"\bservice\s+[\w-]+\s+(?:start|restart)\b|/etc/init\.d/")),
    ("changes kernel or network settings", re.compile(r"\b(?:sysctl\s+-w|iptables|mount\s|setcap|update-ca-certificates)\b")),
]


def words(arg: str) -> list[str]:
    """An instruction's argument as words: the JSON (exec) form or the shell form."""
    if arg.startswith("["):
        try:
            value = json.loads(arg)
            return [str(w) for w in value] if isinstance(value, list) else []
        except ValueError:
            return []
    try:
        return shlex.split(arg)
    except ValueError:
        return arg.split()


def scriptwords(final: list[tuple[int, str, str]]) -> list[tuple[int, str]]:
    """(Dockerfile line, word) that may name the script the final stage starts, ENTRYPOINT's before CMD's (the last
    of each): a word ending in ``.sh``, then a path (``/opt/app/supervisord-startup``), which the caller keeps only
    when it maps to a shell script of the repository."""
    out = []
    for kind in ("ENTRYPOINT", "CMD"):
        steps = [(n, a) for n, k, a in final if k == kind]
        if not steps:
            continue
        n, arg = steps[-1]
        parts = [p.strip("'\";&|()") for w in words(arg) for p in (w.split() if " " in w else [w])]  # sh -c "a && b"
        out += [(n, p) for p in parts if _SCRIPT.fullmatch(p)]
        out += [(n, p) for p in parts if "/" in p and not _SCRIPT.fullmatch(p) and not p.startswith("-")
                and re.fullmatch(r"[\w./-]+", p) and not re.match(r"/(?:usr/)?(?:local/)?s?bin/", p)]
    return out


def _shell_script(path: str, lines: list[str]) -> bool:
    """A shell script, or a Python start script (Mailu's `CMD /start.py`, which drops root with setuid: set 25)."""
    return path.endswith((".sh", ".py")) or bool(lines) and bool(
        re.match(r"#!\s*\S*/(?:env\s+)?(?:(?:ba|da|z|k)?sh|python[\d.]*)\b", lines[0]))


def repo_file(name: str, dockerfile: str, files: list[str], copies: list[str]) -> str | None:
    """The one repository file the script name means: its base name, in the Dockerfile's folder or the one above
    (the build contexts a project uses); where several, the one whose path a COPY line names."""
    base = PurePosixPath(name).name
    folder = PurePosixPath(dockerfile).parent
    roots = {str(folder), str(folder.parent)}
    found = [p for p in files if PurePosixPath(p).name == base and "node_modules/" not in p
             and any(r == "." or p.startswith(r + "/") for r in roots)]
    if len(found) > 1:  # the Dockerfile's own folder first (Mailu: core/admin/start.py beside core/nginx/start.py)
        own = [p for p in found if str(PurePosixPath(p).parent) == str(folder)]
        named = [p for p in found if any(c and (p == c or p.endswith("/" + c)) for c in copies)]
        found = own if len(own) == 1 else named
    return found[0] if len(found) == 1 else None


def needs_root(lines: list[str]) -> tuple[int, str, str] | None:
    """(line, what, text) of the first step the script can only run as root."""
    for n, text in _code_lines(lines):
        for what, rx in _NEEDS_ROOT:
            if rx.search(text):
                return n, what, text.strip()[:100]
    return None


def image_steps(steps: list[tuple[int, str, str]]) -> list[tuple[int, str, str]]:
    """The steps that make the image's start command: the final stage, after the stage it is built FROM when that
    is an earlier stage of the file (``FROM linkding AS linkding-plus`` keeps linkding's CMD), up to 5 deep."""
    stages, names = [], {}
    for step in steps:
        if step[1] == "FROM":
            ref = [w for w in words(step[2]) if not w.startswith("--")]
            stages.append((ref[0].lower() if ref else "", [step]))
            if len(ref) >= 3 and ref[1].lower() == "as":
                names[ref[2].lower()] = len(stages) - 1
        elif stages:
            stages[-1][1].append(step)
    if not stages:
        return []
    chain, i = [], len(stages) - 1
    for _ in range(5):
        chain = stages[i][1] + chain
        parent = names.get(stages[i][0])
        if parent is None or parent >= i:
            break
        i = parent
    return chain


def start_script(steps: list[tuple[int, str, str]], dockerfile: str, files: list[str], read) -> dict | None:
    """{"line", "name", "path", "lines"} of the start script of the image's final stage, or None.

    ``steps``: tasks.triage.docker.instructions of the Dockerfile; ``read(path)``: a repository file's lines.
    """
    copies = [w.strip("./") for _, k, a in steps if k in ("COPY", "ADD") for w in words(a)[:-1] if not w.startswith("--")]
    renamed = copied_as(steps, dockerfile, files)
    for line, name in scriptwords(image_steps(steps)):
        path = repo_file(name, dockerfile, files, copies) or renamed.get(PurePosixPath(name).name)
        lines = read(path) if path else None
        if lines and _shell_script(path, lines):
            return {"line": line, "name": name, "path": path, "lines": lines}
    return None


def copied_as(steps: list[tuple[int, str, str]], dockerfile: str, files: list[str]) -> dict[str, str]:
    """{name in the image: repository file} for ``COPY ./docker/entry.sh $APP_HOME/run.sh``: one source copied to a
    file of another name, the source found from the repository root, the Dockerfile's folder or the one above."""
    folder = PurePosixPath(dockerfile).parent
    known, out = set(files), {}
    for _, kind, arg in steps:
        parts = [w for w in words(arg) if not w.startswith("--")] if kind in ("COPY", "ADD") else []
        if len(parts) != 2 or parts[1].endswith("/") or "://" in parts[0]:
            continue
        src = parts[0].removeprefix("./")
        for base in (PurePosixPath("."), folder, folder.parent):
            cand = str(base / src) if str(base) != "." else src
            if cand in known:
                out[PurePosixPath(parts[1]).name] = cand
                break
    return out


_DOCKER_BUILD = re.compile(r"docker\s+(?:buildx\s+)?build\b[^\n]*?\s-f\s+['\"]?([^\s'\"]+)")
_TAG = re.compile(r"\s(?:-t|--tag)[\s=]+(\S+)")
_MOUNTS_TREE = re.compile(r"docker\s+run\b[^\n]*?\s-v\s+['\"]?(?:\$\(pwd\)|\$\{?PWD\}?|\.|`pwd`)(?::|/)", re.I)


def build_scripts(files: list[str], also: tuple[str, ...] = (), limit: int = 200) -> list[str]:
    """The repository's shell scripts and Makefiles (and files ending in ``also``), at most ``limit``, in file order:
    where a project builds and runs its images and renders its templates."""
    return [p for p in files if p.endswith((".sh", ".bash") + also) or PurePosixPath(p).name in ("Makefile", "makefile")][:limit]


def tool_image(dockerfile: str, files: list[str], read) -> tuple[str, int, int] | None:
    """(script, build line, run line) when a script of the repository builds ``dockerfile`` (``docker build -f``, its
    path written with shell variables: ``src/$1/genproto/Dockerfile``) and runs it with the working tree mounted
    (``docker run -v $(pwd):/build``): a build tool the developer runs, not an image anything deploys."""
    for path in build_scripts(files):
        lines = read(path) or []
        built = next((n for n, l in enumerate(lines, 1) for m in [_DOCKER_BUILD.search(l)] if m and re.fullmatch(
            re.sub(r"\\\$\\\{?\w+\\\}?|\\\$\d", r"[^/]+", re.escape(m.group(1).lstrip("./"))), dockerfile)), None)
        tag = _TAG.search(lines[built - 1]) if built else None
        name = tag.group(1).strip("'\"").split(":")[0] if tag else None
        # the mounted run must run that very image (statping-ng's Makefile runs snapcore/snapcraft with a mount, and
        # pushes the image it builds: set 46), and an image the script pushes is deployed, not a tool
        image = re.compile(rf"(?<![\w./:-]){re.escape(name)}(?::[\w.-]+)?(?![\w./-])") if name else None
        ran = next((n for n, l in enumerate(lines, 1) if _MOUNTS_TREE.search(l) and image.search(l)), None) if name else None
        if built and ran and not any(re.search(r"docker\s+(?:image\s+)?push\b", l) and image.search(l) for l in lines):
            return path, built, ran
    return None


_COMPOSE = re.compile(r"(?:^|/)(?:docker-)?compose(?:\.[\w-]+)?\.ya?ml$")


def compose_target(dockerfile: str, files: list[str], read) -> tuple[str, str] | None:
    """(compose file, stage) when a compose file of the Dockerfile's folder or the one above builds it with ``target:``
    (awesome-compose's `build: {context: app, target: builder}`): the image that runs is that stage, not the last."""
    import yaml

    folder = PurePosixPath(dockerfile).parent
    near = [p for p in files if _COMPOSE.search(p) and PurePosixPath(p).parent in (folder, folder.parent)][:10]
    for path in near:
        try:
            data = yaml.safe_load("".join(read(path) or []))
        except yaml.YAMLError:
            continue
        services = data.get("services") if isinstance(data, dict) else None
        for svc in (services or {}).values() if isinstance(services, dict) else []:
            build = svc.get("build") if isinstance(svc, dict) else None
            if not isinstance(build, dict) or not isinstance(build.get("target"), str):
                continue
            base = PurePosixPath(path).parent / str(build.get("context") or ".")
            built = base / str(build.get("dockerfile") or "Dockerfile")
            parts = [p for p in built.parts if p != "."]
            if "/".join(parts) == dockerfile:
                return path, build["target"]
    return None


def s6_services(steps: list[tuple[int, str, str]], dockerfile: str, files: list[str], read) -> tuple[int, list] | None:
    """(ENTRYPOINT line, [(service, path, lines)]) for an s6-overlay image (``ENTRYPOINT ["/init"]``) whose
    long-running services the repository holds in a folder the Dockerfile copies to ``/`` (``COPY ./docker/rootfs /``):
    ``etc/s6-overlay/s6-rc.d/<name>/run`` with a ``type`` of ``longrun``, or the older ``etc/services.d/<name>/run``.
    None for any other image, or when no service is found (paperless-ngx, held-out set 22)."""
    final = image_steps(steps)
    entry = [(n, a) for n, k, a in final if k == "ENTRYPOINT"]
    # linuxserver's base images start s6-overlay's /init themselves (filebrowser's Dockerfile.s6: set 39)
    entry = entry or [(n, '["/init"]') for n, k, a in final if k == "FROM" and _S6_BASE.match(a.strip())][-1:]
    if not entry or [w for w in words(entry[-1][1])][:1] != ["/init"]:
        return None
    context, roots = PurePosixPath(dockerfile).parent, []
    for _, kind, arg in steps:
        args = [w for w in words(arg) if not w.startswith("--")] if kind in ("COPY", "ADD") else []
        if len(args) >= 2 and args[-1] == "/":  # a folder laid over the image's root
            roots += [posixpath.normpath((context / src).as_posix()) for src in args[:-1]]
    services = []
    for root in roots:
        prefix = "" if root == "." else root.strip("/") + "/"
        for path in files:
            m = re.fullmatch(re.escape(prefix) + r"etc/(?:s6-overlay/s6-rc\.d|services\.d)/([\w.-]+)/run", path)
            if not m:
                continue
            kind = read(path[: -len("run")] + "type") if "/s6-rc.d/" in path else ["longrun"]
            if kind and "".join(kind).strip() == "longrun":
                services.append((m.group(1), path, read(path) or []))
    return (entry[-1][0], services) if services else None
