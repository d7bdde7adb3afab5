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

from tasks.fixes.checkov_facts import image_of

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


def model_cache(setting: str, snippet: str | None) -> str | None:
    """Why a read-only root file system gets no row for a model server: it downloads its weights into a cache the
    manifest puts on no volume (the paths it writes are not all known, so no emptyDir list would be complete)."""
    text = snippet or ""
    if not re.search(r"readOnlyRootFilesystem", setting) or not _MODEL_SERVER.search(text):
        return None
    mounts = [m.rstrip("/") for m in re.findall(r"(?m)^\s*-?\s*mountPath:\s*['\"]?(/[^'\"\s]*)", text)]
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
