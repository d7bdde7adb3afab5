"""The repository's own image: which Dockerfile builds the image a Kubernetes manifest runs, and on what.

A manifest that runs ``us-central1-docker.pkg.dev/bank-of-anthos-ci/bank-of-anthos/ledger-db:v0.6.9`` says
nothing about the image's user or entrypoint, but the repository builds it: ``src/ledger/ledger-db/Dockerfile``,
``FROM postgres:16.14-alpine``.  Hardening advice written without that (``runAsUser: 10001`` on a postgres
server, whose entrypoint starts as root, chowns PGDATA and drops to UID 70) stops the database; a grader of
held-out rows found four such rows in one project.

The image is matched to a Dockerfile by name only when that is unambiguous: the image's last path component
without its tag (``ledger-db``) is the name of exactly one tracked Dockerfile's folder, or the repository's own name
(``ghcr.io/stefanprodan/podinfo`` in a checkout named podinfo) with one Dockerfile at the root.  Anything else (no such
folder, several) gives no answer, never a guess.  The final stage's ``FROM`` and ``USER`` are read with
tasks.triage.docker's instruction reader.
"""

from __future__ import annotations

import posixpath
import re

from tasks.triage.docker import instructions, volume_paths, words

_DOCKERFILE = re.compile(r"(?i)^(?:Dockerfile|Containerfile)$")
_IMAGE = re.compile(r"^\s*-?\s*image:\s*['\"]?(\S+?)['\"]?\s*$", re.M)


def image_name(ref: str) -> str:
    """``registry/path/ledger-db:v1@sha256:..`` -> ``ledger-db``."""
    last = ref.split("@", 1)[0].rsplit("/", 1)[-1]
    return last.split(":", 1)[0]


def built_by(ref: str, files: list[str], read, repo_name: str | None = None) -> dict | None:
    """{"image", "dockerfile", "from", "from_line", "user", "user_line"} for the tracked Dockerfile that builds ``ref``,
    or None.  ``read(path)`` gives a file's lines; ``repo_name`` (the checkout's folder) matches an image named after
    the repository to its root Dockerfile."""
    name = image_name(ref or "")
    if not name or name in (".", ".."):
        return None
    found = [p for p in files if _DOCKERFILE.match(posixpath.basename(p)) and posixpath.basename(posixpath.dirname(p)) == name]
    if not found and repo_name and repo_name.lower().rsplit("+", 1)[-1] == name.lower():
        found = [p for p in files if _DOCKERFILE.match(p)] or [  # the repository's own image, built at its root
            p for p in files if p.lower() in ("docker/dockerfile", "build/dockerfile")]  # (podinfo) or in docker/
        # (LibreTranslate's docker/Dockerfile, beside arm.Dockerfile and cuda.Dockerfile: set 30)
    if len(found) != 1:
        return None
    steps = instructions(read(found[0]) or [], every=True)
    froms = [(n, a) for n, k, a in steps if k == "FROM"]
    if not froms:
        return None
    line, arg = froms[-1]
    base = next((w for w in words(arg) if not w.startswith("--")), "")
    users = [(n, a.strip()) for n, k, a in steps if k == "USER" and n > line]
    return {"image": ref, "dockerfile": found[0], "from": base, "from_line": line,
            "user": users[-1][1] if users else None, "user_line": users[-1][0] if users else None,
            "writes": stage_writes([s for s in steps if s[0] >= line])}


_CHOWN = re.compile(r"\bchown\s+(?:-\w+\s+)*\S+\s+((?:/[^\s;&|$'\"]+\s*)+)")


def stage_writes(steps: list[tuple[int, str, str]]) -> dict:
    """Where the final stage says its program writes, each with its line: ``VOLUME`` paths (Kubernetes mounts
    nothing there by itself), ``ENV HOME`` (caches and dotfiles), the folders the build hands to a user (``chown``,
    ``COPY --chown``) and the last ``WORKDIR``; and the folders COPY/ADD fill (``filled``) and whether the build
    writes into HOME (``home_filled``): an emptyDir over either would hide what the build put there."""
    out: dict = {"volumes": [], "home": None, "chowned": [], "filled": [], "workdir": None, "home_filled": False}
    user_from = next((n for n, kind, _ in steps if kind == "USER"), None)
    for n, kind, arg in steps:
        home = out["home"][0] if out["home"] else None
        if kind == "VOLUME":
            out["volumes"] += [(p, n) for p in volume_paths(arg)]
        elif kind == "ENV":
            found = re.search(r"(?:^|\s)HOME[= ]\s*['\"]?(/[^\s'\"]+)", arg)
            out["home"] = (found.group(1).rstrip("/"), n) if found else out["home"]
        elif kind == "WORKDIR" and arg.strip().startswith("/"):
            out["workdir"] = (arg.strip().strip('"').rstrip("/") or "/", n)
        elif kind == "RUN":
            out["chowned"] += [(p.rstrip("/"), n) for m in _CHOWN.finditer(arg) for p in m.group(1).split()]
            out["home_filled"] |= bool(home) and bool(re.search(r"--user\b|~/|\$\{?HOME\b", arg) or (user_from and n > user_from))
        elif kind in ("COPY", "ADD"):
            args = [w for w in words(arg) if not w.startswith("--")]
            if len(args) < 2 or "--from=" in arg:  # a stage's output copied in is filled all the same
                args = args if len(args) >= 2 else []
            if not args:
                continue
            dest, workdir = args[-1], (out["workdir"] or ("/",))[0]
            folder = dest.endswith("/") or dest in (".", "./") or len(args) > 2
            where = posixpath.normpath(posixpath.join(workdir, dest))
            where = where if folder else posixpath.dirname(where)
            out["filled"].append((where, n))
            out["home_filled"] |= bool(home) and (where == home or where.startswith(home + "/"))
            if "--chown=" in arg:
                out["chowned"].append((where, n))
    out["chowned"] = list(dict.fromkeys(out["chowned"]))
    return out


_CONTAINERS = re.compile(r"(?m)^\s*(?:-\s*)?containers:\s*$")


def main_image(text: str | None) -> str | None:
    """The image the workload's first main container runs: the first ``image:`` after ``containers:``, never an
    init container's (crAPI's identity pod waits with groundnuty/k8s-wait-for before crapi/crapi-identity runs);
    a manifest fragment with no ``containers:`` key (a container's own lines) gives its first image."""
    text = text or ""
    key = _CONTAINERS.search(text)
    hit = (_IMAGE.search(text, key.end()) if key else None) or _IMAGE.search(text)
    return hit.group(1) if hit else None


def container_image(text: str | None, name: str) -> str | None:
    """The image of the list item (a container) whose own ``name:`` is ``name``, read at that item's key indent (its
    ports, env and volumeMounts sit deeper), or None."""
    lines = (text or "").splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"^(\s*)(-\s+)?name:\s*['\"]?([\w.-]+)['\"]?\s*$", line)
        if not m or m.group(3) != name:
            continue
        key_col = len(m.group(1)) + len(m.group(2) or "")
        start = i
        while not m.group(2) and start > 0 and not re.match(rf"^\s{{{key_col - 2}}}-\s", lines[start]):
            start -= 1  # the item opened above its name (`- image: x` then `  name: y`)
        for line2 in lines[start:]:
            if line2 is not lines[start] and line2.strip() and len(line2) - len(line2.lstrip()) < key_col:
                break
            hit = re.match(rf"^(?:\s{{{key_col - 2}}}-\s|\s{{{key_col}}})image:\s*['\"]?(\S+?)['\"]?\s*$", line2)
            if hit:
                return hit.group(1)
    return None


def manifest_images(text: str | None) -> list[str]:
    """The images a manifest's containers run, in order, once each."""
    return list(dict.fromkeys(_IMAGE.findall(text or "")))


_ROOT_USER = re.compile(r"^(?:root|0)(?::|$)")


def check_image_user(f, reader, index) -> dict | None:
    """CKV_K8S_23 (root containers) on a manifest whose image this repository builds with a non-root USER in its
    last stage, and no ``runAsUser: 0`` in the manifest: the container already runs as that user."""
    from tasks.findings.model import as_finding

    f = as_finding(f)
    if f.tool != "checkov" or str(f.rule_id).upper() != "CKV_K8S_23" or reader is None or index is None:
        return None
    text = f.snippet or ""
    images = manifest_images(text)
    if len(images) != 1 or re.search(r"runAsUser:\s*0\b", text):
        return None
    built = built_by(images[0], getattr(index, "files", []) or [], lambda p: reader.lines(p, None),
                     getattr(getattr(reader, "repo", None), "name", None))
    if not built or not built["user"] or _ROOT_USER.match(built["user"]):
        return None
    return {"check": "container", "status": "image_runs_as_nonroot",
            "evidence": f"the container already runs as a non-root user: its image {image_name(images[0])} is built by "
                        f"{built['dockerfile']}, whose last stage sets USER {built['user']} (line {built['user_line']}), "
                        "and the manifest does not override it; runAsNonRoot would only enforce what the image does"}
