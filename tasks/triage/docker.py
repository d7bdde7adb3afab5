"""Check 3e: what a Dockerfile line shows about three findings that read worse than they are.

* Bandit B104 (binding all interfaces, ``host='0.0.0.0'``) in a file that a
  Dockerfile of the repository runs (``CMD``/``ENTRYPOINT`` naming the file,
  ``python app.py``, ``python -m pkg.app``, ``gunicorn pkg.app:app``,
  ``flask run`` with ``FLASK_APP`` naming it): inside a container, binding
  all interfaces is how the port is published at all (127.0.0.1 would be
  unreachable from outside the container); what is exposed is decided by
  the port mapping.  Only a Dockerfile in the file's folder or above it
  counts (its build context holds the file); one above it must name the
  file's whole relative path or module, one beside it may name it alone.
* Checkov CKV_DOCKER_4 (``ADD`` instead of ``COPY``): ``ADD`` differs from
  ``COPY`` only for a remote URL (fetched unverified) and a local tar archive
  (unpacked); an ``ADD`` whose sources, read from the Dockerfile line, are
  all local files that are no archive behaves exactly like ``COPY``.
* Checkov CKV_DOCKER_3 (no ``USER``) on an official image whose own
  entrypoint drops root before the service runs (tasks.triage.images), when
  the Dockerfile keeps that entrypoint and command.

Everything else is left as it is.  The evidence is the Dockerfile's
``path:line`` and the instruction, never a project's name.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from tasks.findings.model import Finding, as_finding
from tasks.triage.base_user import base_user
from tasks.triage.builder_image import builder_image
from tasks.triage.entrypoint import drops_root, repo_file, s6_services, start_script, tool_image, words
from tasks.triage.images import ROOT_DROPPING, official_image
from tasks.triage.stage_user import earlier_stage
from tasks.repository.source import finding_lines

_B104 = re.compile(r"(?i)^B104$|bind[-_]?(?:to[-_])?all[-_]?interfaces|app[-_]run[-_]with[-_]bad[-_]host|avoid[-_]app[-_]run[-_]with[-_]bad[-_]host")
_DOCKERFILE = re.compile(r"(?i)^(?:Dockerfile(?:[._-][\w.-]+)?|[\w.-]+\.dockerfile|Containerfile)$")
_ARCHIVE = re.compile(r"(?i)\.(?:tar|tar\.gz|tgz|tar\.bz2|tbz2?|tar\.xz|txz|tar\.zst|zip|gz|bz2|xz|zst|7z|rar)$")
_INSTRUCTION = re.compile(r"^\s*(FROM|CMD|ENTRYPOINT|ENV|WORKDIR|USER|ADD|COPY)\s+(.*)$", re.I)
_ANY = re.compile(r"^\s*(FROM|CMD|ENTRYPOINT|ENV|WORKDIR|USER|ADD|COPY|RUN|VOLUME)\s+(.*)$", re.I)
MAX_DOCKERFILES = 50


def _lines(reader, path: str, f: Finding | None = None) -> list[str]:
    """A Dockerfile or README at the finding's commit (the working tree without a finding)."""
    if f is None:
        try:
            return reader.lines(path, reader.resolve(None)) or []
        except Exception:  # noqa: BLE001 - an unreadable file gives no evidence
            return []
    return finding_lines(reader, f, path)


def volume_paths(arg: str) -> list[str]:
    """The absolute paths a ``VOLUME`` names, in its shell form (``VOLUME /a /b``) or JSON form (``VOLUME ["/a"]``),
    without a trailing slash."""
    return [p for p in (w.strip("\"'").rstrip("/") for w in re.split(r"[\s,\[\]]+", arg)) if p.startswith("/")]


def instructions(lines: list[str], every: bool = False) -> list[tuple[int, str, str]]:
    """(line number, INSTRUCTION, argument text) with continuation lines joined; comments skipped.  Only the
    instructions that say what starts and as whom, unless ``every`` (RUN and VOLUME too)."""
    out, n, buf, start = [], 0, "", 0
    for n, line in enumerate(lines, 1):
        text = line.rstrip("\n")
        if not buf and (not text.strip() or text.lstrip().startswith("#")):
            continue
        start = start or n
        if text.rstrip().endswith("\\"):
            buf += text.rstrip()[:-1] + " "
            continue
        m = (_ANY if every else _INSTRUCTION).match(buf + text)
        if m:
            out.append((start, m.group(1).upper(), m.group(2).strip()))
        buf, start = "", 0
    return out


def _is(name: str, rel: PurePosixPath, same_folder: bool) -> bool:
    """Whether a path or dotted module in a command names ``rel`` (the file relative to the Dockerfile's folder):
    the whole relative path (``/srv/labs/a/app.py`` ends with ``labs/a/app.py``), or, from the file's own
    folder, its name (``COPY app.py /app.py``; ``CMD python /app.py``)."""
    whole = str(rel)
    return name.lstrip("./") == whole or name.endswith("/" + whole) or (same_folder and PurePosixPath(name).name == rel.name)


def _runs(cmd: list[str], rel: PurePosixPath, same_folder: bool, flask_app: str | None) -> bool:
    """Whether the command words start the Python file ``rel`` (relative to the Dockerfile's folder)."""
    as_path = lambda mod: mod.replace(".", "/") + ".py"  # noqa: E731 - pkg.app -> pkg/app.py
    for i, w in enumerate(cmd):
        w = w.strip()
        if w.endswith(".py") and _is(w, rel, same_folder):
            return True
        if i and cmd[i - 1] == "-m" and re.fullmatch(r"[\w.]+", w) and _is(as_path(w), rel, same_folder):
            return True
        if re.fullmatch(r"[\w.]+:[\w.()]+", w) and _is(as_path(w.split(":", 1)[0]), rel, same_folder):
            return True
        if w == "flask" and "run" in cmd[i + 1:]:
            app = (flask_app or "").split(":", 1)[0]
            if app:
                return _is(app if app.endswith(".py") else as_path(app), rel, same_folder)
            return same_folder and rel.name in ("app.py", "wsgi.py")
    return False


def _copied(steps: list[tuple[int, str, str]], rel: PurePosixPath) -> list[PurePosixPath]:
    """Where ``rel`` lands relative to the image's working directory when a COPY/ADD of its folder puts the
    folder's contents there (``ADD app/ .`` makes ``app/app.py`` the ``./app.py`` that ``CMD python ./app.py`` runs)."""
    out = []
    for _, kind, arg in steps:
        args = [w for w in words(arg) if not w.startswith("--")] if kind in ("COPY", "ADD") else []
        if len(args) < 2 or args[-1].rstrip("/") not in (".", "", "./"):
            continue
        for src in args[:-1]:
            src = src.strip("/").removeprefix("./")
            if src and str(rel).startswith(src + "/"):
                out.append(PurePosixPath(str(rel)[len(src) + 1:]))
    return out


def _runner(f: Finding, reader, files: list[str]) -> tuple[str, int, str] | None:
    """The Dockerfile (path, line, instruction) in the file's folder or above it that runs the flagged file."""
    target = PurePosixPath(f.path)
    here = [str(p) for p in target.parents]
    found = [p for p in files if _DOCKERFILE.match(PurePosixPath(p).name) and str(PurePosixPath(p).parent) in here]
    for path in sorted(found, key=lambda p: -len(PurePosixPath(p).parts))[:MAX_DOCKERFILES]:
        steps = instructions(_lines(reader, path))
        flask_app = next((re.sub(r"^FLASK_APP[= ]\s*", "", a).strip("'\" ") for _, k, a in steps
                          if k == "ENV" and a.startswith("FLASK_APP")), None)
        folder = PurePosixPath(path).parent
        rel = target.relative_to(folder) if str(folder) != "." else target
        copied = _copied(steps, rel)
        for n, kind, arg in steps:
            if kind in ("CMD", "ENTRYPOINT") and (_runs(words(arg), rel, folder == target.parent, flask_app)
                                                  or any(_runs(words(arg), c, False, flask_app) for c in copied)):
                return path, n, f"{kind} {arg}"[:160]
    return _sibling_runner(target, reader, files, here)


def _sibling_runner(target: PurePosixPath, reader, files: list[str], here: list[str]) -> tuple | None:
    """A Dockerfile kept in a folder of its own beside the code (``deployments/Dockerfile`` with the build context
    one level up, the common compose layout) that runs the file by name, when no other file of that name is in
    the project folder the two share: then the name can only mean this file."""
    for path in sorted(p for p in files if _DOCKERFILE.match(PurePosixPath(p).name))[:MAX_DOCKERFILES]:
        project = PurePosixPath(path).parent.parent
        if str(PurePosixPath(path).parent) in here or str(project) not in here or str(project) == ".":
            continue
        inside = [p for p in files if PurePosixPath(p).name == target.name and p.startswith(str(project) + "/")]
        if inside != [str(target)]:
            continue
        for n, kind, arg in instructions(_lines(reader, path)):
            if kind in ("CMD", "ENTRYPOINT") and _runs(words(arg), PurePosixPath(target.name), True, None):
                return path, n, f"{kind} {arg}"[:160], f"; {target} is the only {target.name} under {project}"
    return None


def check_bind_all(f: Finding, reader, files: list[str] | None) -> dict | None:
    if reader is None or not files or not f.path or not f.path.endswith(".py") or not _B104.search(str(f.rule_id)):
        return None
    hit = _runner(f, reader, files)
    if not hit:
        return None
    host = _host_run(f, reader, files)
    if host:  # the docs also start it outside a container: there 0.0.0.0 is every interface of the machine
        return {"check": "container", "status": "container_and_host", "verdict": "needs_review",
                "evidence": f"{hit[0]}:{hit[1]} runs {f.path} in a container, where binding all interfaces is how the "
                            f"port is published, but {host} starts it directly on a machine, where it listens on every "
                            "interface: check which way it is deployed"}
    return {"check": "container", "status": "container_bind",
            "evidence": f"inside a container, binding all interfaces is how the port is published; exposure is decided "
                        f"by the port mapping: {hit[0]}:{hit[1]} runs {f.path} (`{hit[2]}`){hit[3] if len(hit) > 3 else ''}"}


def _host_run(f: Finding, reader, files: list[str]) -> str | None:
    """A README beside the file or above it that tells people to run the file directly (`python3 app.py`)."""
    target = PurePosixPath(f.path)
    here = {str(p) for p in target.parents}
    readmes = [p for p in files if re.match(r"(?i)^readme(?:\.\w+)?$", PurePosixPath(p).name) and str(PurePosixPath(p).parent) in here]
    run = re.compile(rf"\bpython[\d.]*\s+(?:-\S+\s+)*(?:[\w./-]*/)?{re.escape(target.name)}\b")
    for path in sorted(readmes)[:10]:
        for n, line in enumerate(_lines(reader, path), 1):
            if run.search(line) and not re.search(r"(?i)docker|container", line):
                return f"{path}:{n}"
    return None


def _dockerfile_lines(f: Finding, reader) -> list[str]:
    lines = _lines(reader, f.path, f) if reader is not None and f.path else []
    if lines:
        return lines
    start = f.location.start_line if f.location else None
    return (f.snippet or "").splitlines(True) if start in (None, 0, 1) else []


def check_add(f: Finding, reader) -> dict | None:
    if f.tool != "checkov" or str(f.rule_id).upper() != "CKV_DOCKER_4" or not f.path:
        return None
    line = f.location.start_line if f.location else None
    steps = [s for s in instructions(_dockerfile_lines(f, reader)) if s[1] == "ADD" and (line is None or s[0] == line)]
    if not steps and line and f.snippet:  # only the flagged line is known
        steps = [(line, "ADD", m.group(2)) for m in [_INSTRUCTION.match(f.snippet.splitlines()[0])] if m and m.group(1).upper() == "ADD"]
    if len(steps) != 1:
        return None
    n, _, arg = steps[0]
    args = [w for w in words(arg) if not w.startswith("--")]
    sources = args[:-1]
    if not sources or any(re.match(r"(?i)^[a-z][\w+.-]*://|^git@", s) or _ARCHIVE.search(s) or "$" in s for s in sources):
        return None
    return {"check": "container", "status": "add_local",
            "evidence": f"ADD of a local file behaves like COPY: {f.path}:{n} adds {', '.join(sources)[:120]}, a local path "
                        "that is neither a URL (fetched unverified) nor a tar archive (unpacked)"}


# Google's distroless images whose tag selects the non-root user (":nonroot", ":debug-nonroot", ":latest-nonroot" ...)
_NONROOT_TAG = re.compile(r"^(?:gcr\.io|[\w.-]+\.pkg\.dev/[\w.-]+/[\w.-]+)/distroless/[\w./-]+:(?:[\w.-]*-)?nonroot(?:-[\w.-]+)?(?:@sha256:[0-9a-f]+)?$")


def _script_drops(f: Finding, reader, files: list[str] | None, steps: list) -> dict | None:
    """The image's own start script hands the service to another user (tasks.triage.entrypoint)."""
    if reader is None or not files:
        return None
    read = lambda p: _lines(reader, p, f)  # noqa: E731 - at the finding's commit
    script = start_script(steps, f.path, files, read)
    if not script:
        return _s6_drops(f, files, steps, read)
    drop = drops_root(script["lines"], read, lambda name: repo_file(name, f.path, files, []))
    if not drop:
        return None
    return {"check": "container", "status": "script_drops_root",
            "evidence": f"the image's start script drops root before the service runs: {f.path}:{script['line']} starts "
                        f"{script['path']}, whose line {drop[0]} `{drop[2]}`{drop[3]} runs it as {drop[1]}; only the steps "
                        "before it run as root"}


def _s6_drops(f: Finding, files: list[str], steps: list, read) -> dict | None:
    """An s6-overlay image whose every long-running service drops root in its own run script (tasks.triage.entrypoint)."""
    found = s6_services(steps, f.path, files, read)
    drops = [(name, path, drops_root(lines)) for name, path, lines in found[1]] if found else []
    if not drops or not all(d for _, _, d in drops):
        return None
    name, path, drop = next(((n, p, d) for n, p, d in drops if "web" in n), drops[0])
    return {"check": "container", "status": "script_drops_root",
            "evidence": f"the image's services drop root before they run: {f.path}:{found[0]} starts s6-overlay "
                        f"(`/init`), and each of its {len(drops)} long-running services hands its program to another user "
                        f"in its run script ({path} line {drop[0]}: `{drop[2]}`, as {drop[1]}); only the init steps run "
                        "as root"}


def check_user(f: Finding, reader, files: list[str] | None = None) -> dict | None:
    if f.tool == "checkov" and str(f.rule_id).upper() == "CKV_DOCKER_8" and f.path:  # the last USER is root
        return _script_drops(f, reader, files, instructions(_dockerfile_lines(f, reader)))  # set 24: gosu at start
    semgrep = f.tool == "semgrep" and str(f.rule_id).rsplit(".", 1)[-1] in ("missing-user", "missing-user-entrypoint")
    if not (semgrep or f.tool == "checkov" and str(f.rule_id).upper() == "CKV_DOCKER_3") or not f.path:
        return None  # Semgrep's missing-user asks what CKV_DOCKER_3 asks (set 25: Mailu's start.py drops root)
    steps = instructions(_dockerfile_lines(f, reader))
    froms = [(n, a) for n, k, a in steps if k == "FROM"]
    tool = tool_image(f.path, files, lambda p: _lines(reader, p, f)) if froms and reader is not None and files else None
    if tool:
        return {"check": "container", "status": "tool_image", "evidence": f"a build tool, not a deployed image: {tool[0]}:"
                f"{tool[1]} builds {f.path} and line {tool[2]} runs it with the working tree mounted to generate files"}
    stage = builder_image(f.path, files, lambda p: _lines(reader, p, f)) if froms and reader is not None and files else None
    if stage:  # searxng's builder.dockerfile (round 50)
        return {"check": "container", "status": "tool_image", "evidence": stage}
    if not froms:
        return None
    if semgrep and (earlier := earlier_stage(f, steps, files, lambda p: _lines(reader, p, f))):  # wallabag (set 45)
        return earlier
    last = froms[-1][0]
    final = [(n, k, a) for n, k, a in steps if n >= last]  # the stage that is the image
    ref = [w for w in words(froms[-1][1]) if not w.startswith("--")]  # FROM --platform=… image AS name
    if ref and _NONROOT_TAG.match(ref[0].lower()) and not any(k == "USER" for _, k, _ in final):
        return {"check": "container", "status": "image_runs_as_nonroot",
                "evidence": f"the final stage's image runs as a non-root user by default: {f.path}:{froms[-1][0]} `FROM "
                            f"{froms[-1][1][:80]}` (distroless `nonroot` tags set USER nonroot, UID 65532), and no USER "
                            "line switches back to root"}
    image = official_image(ref[0] if ref else "")
    if image is None or any(k in ("ENTRYPOINT", "USER") for _, k, _ in final):
        if any(k == "USER" for _, k, _ in final):
            return None
        every = instructions(_dockerfile_lines(f, reader), every=True)  # remark42's base image's `app` (round 48)
        return _script_drops(f, reader, files, steps) or base_user(f.path, every, [s for s in every if s[0] >= last])
    facts = ROOT_DROPPING[image]
    # a shell-form CMD reaches the entrypoint as `/bin/sh -c "…"`, which the entrypoint does not drop root for
    cmds = [words(a) if a.startswith("[") else ["/bin/sh"] for _, k, a in final if k == "CMD"]
    if cmds and not (facts["commands"] and cmds[-1] and (cmds[-1][0] in facts["commands"] or cmds[-1][0].startswith("-"))):
        return _script_drops(f, reader, files, steps)  # its own command replaces the service the image drops root for
    return {"check": "container", "status": "image_drops_root",
            "evidence": f"the official image drops root itself: {f.path}:{froms[-1][0]} `FROM {froms[-1][1][:80]}`, and "
                        f"{facts['how']}, so the service runs as {facts['user']}; the Dockerfile keeps the image's "
                        "entrypoint and command"}


def check_container(f: Finding | dict, reader=None, index=None) -> dict | None:
    """A false-positive reason from a Dockerfile for B104, CKV_DOCKER_4 or CKV_DOCKER_3, else None."""
    f = as_finding(f)
    if f.kind not in ("code", "config"):
        return None
    files = getattr(index, "files", None) if index is not None else None
    return check_add(f, reader) or check_user(f, reader, files) or check_bind_all(f, reader, files)
