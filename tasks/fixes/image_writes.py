"""Where a hardened container still has to write, read from the Dockerfile or the manifest - or no row.

A blind review of held-out rows found two hardening fixes that break the
program they harden while saying nothing specific:

- a non-root ``USER`` for an image whose Dockerfile creates, as root, the
  file or folder the program writes at run time (``RUN mkdir -p
  /var/log/app && touch /var/log/app/app.log``): the new user must own it,
  so the fix chowns each such path; and an image that runs a tool installed
  under /root (``ENV PATH=/root/.bun/bin:$PATH``): /root is mode 0700, so no
  other user can even run it, and there is no USER row;
- ``readOnlyRootFilesystem`` on a model server (vLLM, TGI, NIM) that
  downloads its weights into a cache on the root file system with no volume
  mounted there: the first download fails, so there is no row unless a
  volume holds the cache the manifest points it at.

May import: ``tasks.core``, ``tasks.findings``, ``tasks.fixes.checkov_facts`` (which official image a manifest runs).
"""

from __future__ import annotations

import re

from tasks.fixes.checkov_facts import image_of, written_paths

# folders where a program keeps its logs, pid files, caches and state: a path created below one at build time is
# one it writes at run time (the package managers' own folders are build-time only)
_RUNTIME_ROOT = re.compile(r"^/(?:var/(?:log|run|cache|lib|tmp|spool)|run|data|srv)/(?!(?:apt|dpkg|apk|yum|dnf|pip)(?:/|$))[^$\s]+$")
_MKDIR = re.compile(r"\bmkdir\s+(?:-\w+\s+)*((?:/[^\s;&|$'\"]+/?\s*)+)")
_TOUCH = re.compile(r"\btouch\s+((?:/[^\s;&|$'\"]+\s*)+)")
_ROOT_TOOL = re.compile(r"(?m)^\s*ENV\s+PATH[= ]\s*['\"]?[^\n]*?(/root/[\w./-]+)")


def _runs(stage: str) -> list[str]:
    """The stage's RUN instructions, continuation lines joined."""
    joined = re.sub(r"\\\s*\n", " ", stage)
    return re.findall(r"(?im)^\s*RUN\s+(.*)$", joined)


def runtime_paths(stage: str, skip: str | None = None) -> list[str]:
    """The paths a stage creates as root below a run-time folder (/var/log/app, /run/app, /data/x), or that its
    CMD/ENTRYPOINT/VOLUME names (changedetection.io's `-d /datastore`): folders made with ``mkdir`` and files made with
    ``touch`` outside a folder already listed; none below ``skip`` (the WORKDIR the
    fix chowns already), none a later step removes and none a `chmod 1777` makes writable by every user already."""
    made, removed = [], set()
    for run in _runs(stage):
        for m in _MKDIR.finditer(run):
            made += [p.rstrip("/") for p in m.group(1).split()]
        for m in _TOUCH.finditer(run):
            made += m.group(1).split()
        for m in re.finditer(r"\brm\s+-\w+\s+((?:/[^\s;&|]+\s*)+)", run):
            removed.update(p.rstrip("/") for p in m.group(1).split())
    for run in _runs(stage):  # `chmod 1777 /db /config`: writable by every user already (set 29: privacyidea)
        for m in re.finditer(r"\bchmod\s+(?:-\w+\s+)*(?:[0-7]?777|a\+w\w*|o\+w\w*|a\+rwx|o\+rwx)\s+((?:/[^\s;&|]+\s*)+)", run):
            removed.update(p.rstrip("/") for p in m.group(1).split())
    started = " ".join(re.findall(r"(?im)^\s*(?:CMD|ENTRYPOINT|VOLUME)\s+(.*)$", stage))  # `-d /datastore` in the CMD
    out: list[str] = []
    for path in dict.fromkeys(made):
        named = re.search(rf"(?<![\w/.-]){re.escape(path)}(?![\w.-])", started)
        if not (_RUNTIME_ROOT.match(path) or named) or path in removed:
            continue
        if skip and (path == skip.rstrip("/") or path.startswith(skip.rstrip("/") + "/")):
            continue
        if any(path.startswith(p + "/") for p in out):
            continue
        out = [p for p in out if not p.startswith(path + "/")] + [path]
    return out


def root_tool(text: str | None) -> str | None:
    """Why a non-root USER cannot run the image's tools: the last stage puts a folder under /root on PATH (bun,
    cargo, a pip --user install), and /root is mode 0700 on Debian and Ubuntu images; None otherwise."""
    stage = re.split(r"(?im)^\s*FROM\s+", text or "")[-1]
    low = [int(p) for line in re.findall(r"(?im)^\s*EXPOSE\s+(.+)$", stage) for p in re.findall(r"\b(\d{1,5})(?:/tcp|/udp)?\b", line)
           if 0 < int(p) < 1024]
    if low and re.search(r"(?i)\b(?:openssh|sshd|gosu|su-exec|setpriv)\b", stage):  # gogs (round 41): sshd on 22, gosu
        return (f"the image serves port {low[0]} (EXPOSE) with a server started as root that drops privileges itself "
                f"(`{re.search(r'(?i)openssh|sshd|gosu|su-exec|setpriv', stage).group(0)}` in the image): a non-root USER "
                "could bind no port below 1024 and start no sshd, so a USER line alone would break it")
    m = _ROOT_TOOL.search(stage)
    if not m:
        return None
    return (f"the image runs tools installed under /root (ENV PATH holds {m.group(1)}), and /root is mode 0700: a "
            "non-root USER could not run them, so they must move out of /root (an install prefix such as /usr/local) "
            "before a USER line can work")


# model servers that download their weights at start into a cache on the container's file system
_MODEL_SERVER = re.compile(r"(?i)\bvllm\b|text-generation-inference|\btgi\b|nvcr\.io/nim/|\bsglang\b|"
                           r"text-embeddings-inference|\bollama\b")
# where the manifest points the cache: an env var or a --download-dir style argument
_CACHE_SET = re.compile(r"(?m)^\s*-?\s*name:\s*['\"]?(?:HF_HOME|HUGGINGFACE_HUB_CACHE|HF_HUB_CACHE|TRANSFORMERS_CACHE|"
                        r"NIM_CACHE_PATH|VLLM_CACHE_ROOT|OLLAMA_MODELS)['\"]?\s*\n\s*value:\s*['\"]?(/[^'\"\s]*)|"
                        r"--download-dir[= ]['\"]?(/[^'\"\s]+)|--huggingface-hub-cache[= ]['\"]?(/[^'\"\s]+)")


def _mount_paths(manifest: str | None) -> list[str]:
    """Every ``mountPath`` the manifest names, without a trailing slash ("" for the root)."""
    return [m.rstrip("/") for m in re.findall(r"(?m)^\s*-?\s*mountPath:\s*['\"]?(/[^'\"\s]*)", manifest or "")]


def model_cache(setting: str, snippet: str | None) -> str | None:
    """Why a read-only root file system gets no row for a model server: it downloads its weights into a cache the
    manifest puts on no volume (the paths it writes are not all known, so no emptyDir list would be complete)."""
    text = snippet or ""
    if not re.search(r"readOnlyRootFilesystem", setting) or not _MODEL_SERVER.search(text):
        return None
    mounts = _mount_paths(text)
    caches = [next(g for g in m.groups() if g).rstrip("/") for m in _CACHE_SET.finditer(text)]
    if caches and all(any(c == m or c.startswith(m + "/") for m in mounts if m not in ("", "/dev/shm")) for c in caches):
        return None
    return ("the container is a model server that downloads its weights at start into a cache on the container's own "
            "file system (the Hugging Face or server cache under its home or install folder), and no volume is mounted "
            "where the manifest points that cache: with a read-only root the download fails, and which other paths it "
            "writes is not known, so no list of emptyDir volumes would be complete")


def as_built(snippet: str | None, built: dict | None) -> tuple[str | None, str]:
    """(the manifest as the facts read it, a sentence): an image the repository builds on an official image with
    known facts (tasks.triage.built_images: ledger-db built FROM postgres:16.14-alpine) is judged as that image,
    and the answer says which Dockerfile says so; anything else is left as it is."""
    if not snippet or not built or not built.get("from") or built.get("user"):
        return snippet, ""  # a USER of its own replaces the base image's user: its facts no longer hold
    base = built["from"]
    probe = f"image: {base}"
    if image_of(probe) is None:
        return snippet, ""
    ref = built["image"]
    sentence = (f"The image {ref.split('@')[0].rsplit('/', 1)[-1]} is built by {built['dockerfile']} on `{base}` "
                f"(line {built['from_line']}), so it starts as that image does.")
    return snippet.replace(ref, base), sentence


# folders no emptyDir may replace: the system's own, which hold the programs themselves
_SYSTEM_DIR = re.compile(r"^/(?:usr|bin|sbin|lib\w*|etc|opt|root|home)?$")


def read_only_mounts(built: dict | None, known: list[str] | None) -> tuple[str | None, list[str], str]:
    """(why there is no read-only row, the paths that need an emptyDir, the sentence that says where they come from)
    for a read-only root file system (CKV_K8S_22, KSV014).  ``known``: an official image's own data folders
    (redis: /data).  ``built``: tasks.triage.built_images' record of the repository's Dockerfile for the image, whose
    ``writes`` name the VOLUME, HOME and chowned folders.  A folder handed to the program's user that also holds
    files the build copied (``COPY --chown=app . /app``; ``chown -R app /app`` over the WORKDIR) means the program
    writes where its code is, which no emptyDir can cover without hiding the code: no row then."""
    if known:
        return None, list(dict.fromkeys(known + ["/tmp"])), ""
    writes = (built or {}).get("writes") or {}
    if not built or not writes:
        return None, ["/tmp"], ""
    name, where = built["dockerfile"], []
    code = [p for p, _ in writes.get("filled") or []] + ([writes["workdir"][0]] if writes.get("workdir") else [])
    holds = lambda path: [c for c in code if c == path or c.startswith(path.rstrip("/") + "/")]  # noqa: E731
    for path, line in writes.get("chowned") or []:
        if holds(path) and not _SYSTEM_DIR.match(path):
            inside = "" if holds(path)[0] == path else f" ({holds(path)[0]})"
            return (f"{name} hands {path}, which holds the files the build put there{inside}, to the "
                    f"program's user (line {line}), so the program writes where its code is: with a read-only root file "
                    f"system those writes fail, and an emptyDir at {path} would hide the code; what it writes there must "
                    "move to a volume of its own first"), [], ""
    home = writes.get("home") if not writes.get("home_filled") else None  # files the build wrote there stay visible
    for kind, items in (("VOLUME", writes.get("volumes") or []), ("HOME", [home] if home else []),
                        ("chown", writes.get("chowned") or [])):
        where += [(p.rstrip("/"), kind, n) for p, n in items if not _SYSTEM_DIR.match(p.rstrip("/")) and not holds(p)
                  and not (writes.get("home_filled") and writes.get("home") and writes["home"][0] == p.rstrip("/"))
                  and not any(p.rstrip("/") == q for q, _, _ in where)]
    filled_home = (f" Its HOME {writes['home'][0]} (line {writes['home'][1]}) also holds files the build put there, "
                   "so it gets no emptyDir (one would hide them): if the program writes caches there at run time, "
                   "point them at /tmp (XDG_CACHE_HOME=/tmp) first.") if writes.get("home") and not home else ""
    if not where:
        return None, ["/tmp"], ("/tmp gets an emptyDir here." + filled_home) if filled_home else ""
    said = "; ".join(f"{p} ({'its ' + kind if kind != 'chown' else 'chowned to its user'}, line {n})" for p, kind, n in where)
    sentence = (f"{name}, which builds this image, names where it writes: {said}. "
                + ("Kubernetes mounts nothing at a VOLUME by itself, so e" if writes.get("volumes") else "E")
                + "ach gets an emptyDir here, with /tmp; data that must outlive the pod needs a PersistentVolumeClaim "
                "there instead." + filled_home)
    return None, list(dict.fromkeys([p for p, _, _ in where] + ["/tmp"])), sentence


def read_only(setting: str, manifest: str | None, built: dict | None) -> tuple[str | None, str, str]:
    """(why there is no row, the ``containers:`` block with a volumeMount per written path and the pod's emptyDir
    volumes, the sentence that says which paths and why) for Checkov's CKV_K8S_22."""
    image, known = written_paths(manifest)
    refused, paths, said = read_only_mounts(None if image else built, known if image else None)
    if refused:
        return refused, setting, ""
    mounted = _mount_paths(manifest)
    covered = [p for p in paths if any(p == m or p.startswith(m + "/") for m in mounted if m)]
    paths = [p for p in paths if p not in covered]  # a second mount at a path already mounted is rejected
    mounts = "".join(f"\n    - name: writable-{i}\n      mountPath: {p}" for i, p in enumerate(paths))
    volumes = "".join(f"\n  - name: writable-{i}\n    emptyDir: {{}}" for i in range(len(paths)))
    if image:
        said = (f"The emptyDir volumes keep it writable where the {image} image writes ({', '.join(paths)}); they last "
                "as long as the pod, as the container's own file system did; data that must outlive the pod needs a "
                "PersistentVolumeClaim there instead.")
    elif not said:
        said = ("With a read-only root the program can write nowhere else in its container: /tmp gets an emptyDir here; "
                "mount one at each other path it writes (caches, data directories) or it fails at the first write.")
    if covered:
        said += f" {', '.join(covered)} {'has' if len(covered) == 1 else 'have'} a volume in the manifest already."
    if not paths:
        return None, setting, said
    return None, setting.rstrip("\n") + "\n    volumeMounts:" + mounts + "\nvolumes:" + volumes, said
