"""A Dockerfile whose final stage uses a user it never creates: the base image provides it, and may drop to it.

remark42's final stage is ``FROM umputun/baseimage:app-v1.17.0``; the file runs ``chown -R app:app /srv`` and copies a
start script (``docker-init.sh``, "changing ownership of /srv/var to app:app (remark42 user inside the container)"),
but no line creates ``app`` (round 48's harmful row: ``RUN adduser -D -u 10001 app`` fails because ``app`` exists,
and ``USER 10001`` stops the start script's ``chown`` and ``sed -i``; the base image's entrypoint drops to ``app``
with su-exec).  The base image cannot be read offline, so this is no false positive: it is a question a person
answers from the image (``docker inspect``, its entrypoint), and the row says so instead of adding a user.

May import: the standard library.
"""

from __future__ import annotations

import re

_OWNER = re.compile(r"\bchown\s+(?:-\w+\s+)*([a-z_][\w.-]*)(?::[\w.-]+)?\s|--chown=([a-z_][\w.-]*)")
_CREATES = re.compile(r"\b(?:adduser|useradd|addgroup|groupadd)\b")


def base_user(path: str, steps: list[tuple[int, str, str]], final: list[tuple[int, str, str]]) -> dict | None:
    """{"check": "container", "verdict": "needs_review", ...} when the final stage chowns to a user no line creates."""
    if any(k in ("USER", "ENTRYPOINT") for _, k, _ in final) or any(_CREATES.search(a) for _, k, a in steps if k == "RUN"):
        return None  # its own ENTRYPOINT replaces the base image's, which is what might drop root
    base = next(a for _, k, a in reversed(steps) if k == "FROM")
    image = [w for w in base.split() if not w.startswith("--")][0]
    if "/" not in image.split(":")[0] or image.startswith(("library/", "docker.io/library/")):
        return None  # an official image (python, node, postgres): its users exist, and whether it drops is known
    owners = [(n, m.group(1) or m.group(2)) for n, k, a in final if k in ("RUN", "COPY", "ADD")
              for m in _OWNER.finditer(a + " ") if (m.group(1) or m.group(2)) not in ("root", "0")
              and (k != "RUN" or re.search(r"(?:^|[;&|]\s*)chown\s", a[:m.start() + 6]))]  # a command, not text
    if not owners:
        return None
    n, user = owners[0]
    return {"check": "container", "status": "base_image_user", "verdict": "needs_review",
            "evidence": f"the base image provides a user: {path}:{n} gives files to `{user}`, which no line of the "
                        f"Dockerfile creates, so `FROM {base[:60]}` already has it; check whether the image's "
                        f"entrypoint drops to `{user}` (su-exec, gosu) before adding a USER line, which would also stop "
                        "any start script that still needs root (its chown, its edits of the installed files)"}
