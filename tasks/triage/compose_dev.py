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

import re
from pathlib import PurePosixPath

import yaml

from tasks.findings.model import Finding, as_finding
from tasks.repository.source import finding_lines

_COMPOSE = re.compile(r"(?i)(?:^|/)(?:docker-)?compose(?:[-._][\w.-]+)?\.ya?ml$")
_DEV_NAME = re.compile(r"(?i)(?:^|/)(?:(?:docker-)?compose[-._](?:[\w-]+[-._])?(dev|development|local|test|testing|ci)"
                       r"\.ya?ml|(dev|development|local|test)[-._](?:docker-)?compose\.ya?ml)$")
_PROD_NAME = re.compile(r"(?i)(?:^|[-._])(prod|production|release|deploy|live)(?:[-._]|$)")
_HARDENING = re.compile(r"(?i)new[-_]?privileges|writable[-_]?file|read[-_]?only|privileged|cap[-_]?(?:add|drop)|"
                        r"capabilit|seccomp|apparmor|mem(?:ory)?[-_]?limit|cpu[-_]?limit|pids?[-_]?limit|"
                        r"healthcheck|run[-_]?as[-_]?(?:non[-_]?)?root|\buser\b|security[-_]?opt")
_DEV_SERVER = re.compile(r"manage\.py\s+runserver|\bflask\s+run\b|--reload\b|\bnodemon\b|webpack-dev-server|"
                         r"\b(?:npm|yarn|pnpm)\s+(?:run\s+)?dev\b|\buvicorn\b.*--reload|\bfastapi\s+dev\b")
_DEV_ENV_FILE = re.compile(r"(?i)(?:^|[/._-])(?:dev|development)(?:[/._-]|$)")
MAX_BYTES = 200_000


def _load(reader, f: Finding, path: str) -> dict | None:
    text = "".join(finding_lines(reader, f, path))
    if not text or len(text) > MAX_BYTES:
        return None
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError:
        return None
    return doc if isinstance(doc, dict) and isinstance(doc.get("services"), dict) else None


def _words(value) -> str:
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return str(value) if isinstance(value, (str, int, float)) else ""


def _dev_service(doc: dict) -> str | None:
    """Why the stack is a development one, from what a service runs or reads; None when nothing says so."""
    for name, service in doc["services"].items():
        if not isinstance(service, dict):
            continue
        run = f"{_words(service.get('entrypoint'))} {_words(service.get('command'))}".strip()
        server = _DEV_SERVER.search(run)
        if server:
            return f"its service `{name}` runs a development server (`{run[:80]}`)"
        env_files = service.get("env_file")
        for env in env_files if isinstance(env_files, list) else [env_files]:
            path = env.get("path") if isinstance(env, dict) else env
            if isinstance(path, str) and _DEV_ENV_FILE.search(path):
                return f"its service `{name}` reads the development settings `{path}`"
    return None


def _why_dev(f: Finding, reader, files: list[str], path: str, depth: int = 0) -> str | None:
    named = _DEV_NAME.search(path)
    if named:
        return f"its name marks it for {named.group(1) or named.group(2)}"
    name = PurePosixPath(path).name
    if _PROD_NAME.search(name.rsplit(".", 1)[0]):
        return None
    doc = _load(reader, f, path)
    if doc is None:
        return None
    said = _dev_service(doc)
    if said:
        return said
    folder = str(PurePosixPath(path).parent)
    siblings = [p for p in files if _COMPOSE.search(p) and str(PurePosixPath(p).parent) == folder and p != path]
    prod = next((p for p in siblings if _PROD_NAME.search(PurePosixPath(p).name.rsplit(".", 1)[0])), None)
    if prod:
        return f"the production stack is its sibling `{prod}`"
    if depth:
        return None
    users = []
    for other in siblings:
        data = _load(reader, f, other)
        services = data["services"].values() if data else []
        if any(isinstance(s, dict) and isinstance(s.get("extends"), dict)
               and str(PurePosixPath(folder, str(s["extends"].get("file", "")))).lstrip("./") == path.lstrip("./")
               for s in services):
            users.append(other)
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
