"""A container-hardening finding on a compose file that starts a development stack, not a deployment.

cabot's ``docker-compose.yml`` runs ``python manage.py runserver`` with ``conf/development.env``; its
``docker-compose-base.yml`` is only extended by that file and by ``docker-compose-test.yml``; writefreely's
``docker-compose.yml`` sits beside a ``docker-compose.prod.yml`` (held-out set 43: both labellers called Semgrep's
``no-new-privileges`` and ``writable-filesystem-service`` there false positives: hardening of a setup that is never
deployed).  A compose file is a development stack when

* its name says so (``docker-compose.dev.yml``, ``compose-test.yaml``, ``local-compose.yml``);
* one of its services runs a development server: Django's ``runserver`` (its documentation: "do not use this
  server in a production setting"), ``flask run``, an auto-reloading server (``--reload``, ``nodemon``,
  ``webpack-dev-server``), ``npm/yarn/pnpm run dev``; or reads an environment file named for development
  (``conf/development.env``, ``.env.dev``);
* its folder holds the production variant (``docker-compose.prod.yml``, ``compose.production.yaml``) and its own
  name marks no production;
* or every compose file that ``extends`` it is such a development stack.

Only the container-hardening rules of a compose file are judged (privileges, read-only filesystem, capabilities,
resource limits, a user, health checks); a secret or an exposed socket is left to the other checks.

May import: ``tasks.findings``, ``tasks.repository``, ``tasks.triage.path_class``.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import PurePosixPath

import yaml

from tasks.findings.model import Finding, as_finding
from tasks.repository.source import finding_lines

_COMPOSE = re.compile(r"(?i)(?:^|/)(?:docker-)?compose(?:[-._][\w.-]+)?\.ya?ml$")
_DEV_NAME = re.compile(r"(?i)(?:^|/)(?:(?:docker-)?compose[-._](?:[\w-]+[-._])?(dev|development|local|test|testing|ci)"
                       r"(?:[-._][\w-]+)?\.ya?ml|(dev|development|local|test)[-._](?:docker-)?compose\.ya?ml)$")  # remark42's
# compose-dev-memstore.yml (set 44)
_PROD_NAME = re.compile(r"(?i)(?:^|[-._])(prod|production|release|deploy|live)(?:[-._]|$)")
_HARDENING = re.compile(r"(?i)new[-_]?privileges|writable[-_]?file|read[-_]?only|privileged|cap[-_]?(?:add|drop)|"
                        r"capabilit|seccomp|apparmor|mem(?:ory)?[-_]?limit|cpu[-_]?limit|pids?[-_]?limit|"
                        r"healthcheck|run[-_]?as[-_]?(?:non[-_]?)?root|\buser\b|security[-_]?opt")
_DEV_SERVER = re.compile(r"manage\.py\s+runserver\b|\bflask\s+run\b|\bnodemon\b|webpack-dev-server|\bfastapi\s+dev\b|"
                         r"\b(?:uvicorn|gunicorn|hypercorn)\b[^;&|]*\s--reload\b|"
                         r"\b(?:npm|yarn|pnpm)\s+(?:run\s+)?(?:dev|serve|start:dev)(?![\w:-])")
# a server a deployment runs: the stack is no development one, whatever else it starts
_PROD_SERVER = re.compile(r"\b(?:gunicorn|uwsgi|daphne|waitress-serve|puma|unicorn|pm2|supervisord|caddy|nginx)\b|"
                          r"\buvicorn\b(?![^;&|]*--reload)|\b(?:npm|yarn|pnpm)\s+(?:run\s+)?start(?![\w:-])")
# an environment file named for development: conf/development.env, .env.dev, dev.env (not ${ENV_FILE:-dev.env})
_DEV_ENV_FILE = re.compile(r"(?i)^(?:\.env[._-](?:dev|development)(?:\.local)?|(?:dev|development)(?:[._-]\w+)?\.env)$")
MAX_BYTES = 200_000
MAX_ITEMS = 64


def _load(reader, f: Finding, path: str) -> dict | None:
    text = "".join(finding_lines(reader, f, path))
    if not text or len(text) > MAX_BYTES:
        return None
    try:
        doc = yaml.safe_load(text)
    except (yaml.YAMLError, RecursionError, ValueError):  # a 5,000-deep flow sequence: no evidence, never a traceback
        return None
    return doc if isinstance(doc, dict) and isinstance(doc.get("services"), dict) else None


def _words(value) -> str:
    """A command as text: a string, or a flat list of scalars; anything nested (an alias bomb's lists of lists) is no
    command this check reads."""
    if isinstance(value, str):
        return value[:2000]
    if isinstance(value, list) and len(value) <= MAX_ITEMS and all(isinstance(v, (str, int, float)) for v in value):
        return " ".join(str(v) for v in value)[:2000]
    return ""


def _services(doc: dict) -> list[tuple[str, dict]]:
    """The services a plain ``docker compose up`` starts: those without ``profiles`` (a profile's service is optional)."""
    return [(str(n), s) for n, s in list(doc["services"].items())[:MAX_ITEMS] if isinstance(s, dict) and not s.get("profiles")]


def _dev_service(doc: dict) -> str | None:
    """Why the stack is a development one, from what a service runs or reads; None when nothing says so or a service
    runs a production server."""
    said = None
    for name, service in _services(doc):
        run = f"{_words(service.get('entrypoint'))} {_words(service.get('command'))}".strip()
        if _PROD_SERVER.search(run):
            return None
        if said is None and _DEV_SERVER.search(run):
            said = f"its service `{name}` runs a development server (`{_cut(run, 80)}`)"
        env_files = service.get("env_file")
        for env in (env_files if isinstance(env_files, list) else [env_files])[:MAX_ITEMS]:
            path = env.get("path") if isinstance(env, dict) else env
            if said is None and isinstance(path, str) and "$" not in path and "prod" not in path.lower() \
                    and _DEV_ENV_FILE.match(PurePosixPath(path).name):
                said = f"its service `{name}` reads the development settings `{path}`"
    return said


def _full_stack(doc: dict | None) -> bool:
    """Every service names its image or build: a stack of its own, not an override of another file."""
    services = _services(doc) if doc else []
    return bool(services) and all(s.get("image") or s.get("build") for _, s in services)


def _extends(path: str, other: str, doc: dict) -> bool:
    """Does a service of ``other`` extend the compose file ``path``?"""
    for service in (s for _, s in _services(doc)):
        ext = service.get("extends")
        if isinstance(ext, dict) and isinstance(ext.get("file"), str):
            if posixpath.normpath(posixpath.join(posixpath.dirname(other), ext["file"])) == posixpath.normpath(path):
                return True
    return False


def _why_dev(f: Finding, reader, files: list[str], path: str, depth: int = 0) -> str | None:
    name = PurePosixPath(path).name
    if _PROD_NAME.search(name.rsplit(".", 1)[0]):  # docker-compose.production-ci.yml: production first
        return None
    named = _DEV_NAME.search(path)
    if named:
        return f"its name marks it for {named.group(1) or named.group(2)}"
    doc = _load(reader, f, path)
    if doc is None:
        return None
    said = _dev_service(doc)
    if said:
        return said
    composes = [p for p in files if _COMPOSE.search(p) and p != path][:MAX_ITEMS]
    folder = str(PurePosixPath(path).parent)
    prod = next((p for p in composes if str(PurePosixPath(p).parent) == folder
                 and _PROD_NAME.search(PurePosixPath(p).name.rsplit(".", 1)[0]) and _full_stack(_load(reader, f, p))), None)
    if prod and not _PROD_SERVER.search(" ".join(_words(s.get("command")) for _, s in _services(doc))):
        return f"the production stack is its sibling `{prod}`, a stack of its own (every service names its image)"
    if depth:
        return None
    users = [p for p in composes if (lambda d: d is not None and _extends(path, p, d))(_load(reader, f, p))]
    if not users:
        return None
    reasons = [_why_dev(f, reader, files, u, depth + 1) for u in users]
    if not all(reasons):
        return None
    return "it is only extended by " + "; ".join(f"`{u}` ({r})" for u, r in zip(users, reasons))


def check_compose_dev(f: Finding | dict, reader=None, files=None) -> dict | None:
    """{"check": "path", "status": "dev_stack", "evidence"} for a hardening finding on a development compose file."""
    f = as_finding(f)
    path = str(f.path or "")
    if reader is None or not files or not _COMPOSE.search(path):
        return None
    if not _HARDENING.search(f"{f.rule_id} {f.title or ''}"):
        return None
    why = _why_dev(f, reader, list(files), path)
    if not why:
        return None
    return {"check": "path", "status": "dev_stack",
            "evidence": f"not deployed: {path} starts a development or test stack ({why}); container hardening there "
                        "protects nothing a deployment runs -- harden the compose file or manifests that deploy it"}


def _cut(text: str, width: int) -> str:
    """``text`` cut at a word before ``width`` with an ellipsis, never inside a ``${...}`` (round 62: the quoted command
    ended in `0.0.0.0:${DJANGO_PO`, a pipeline artefact to the grader)."""
    if len(text) <= width:
        return text
    cut = text[:width].rsplit(" ", 1)[0] if " " in text[:width] else text[:width]
    open_at = cut.rfind("${")
    if open_at > cut.rfind("}"):
        cut = cut[:open_at].rstrip()
    return cut + " …"
