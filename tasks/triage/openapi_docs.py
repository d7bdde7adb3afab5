"""Check 3h: a missing-security finding on an OpenAPI/Swagger document that the server never enforces.

Checkov's CKV_OPENAPI_1/4/5 ("securityDefinitions defined", "global
security field has rules", "security operations not empty") read the
document as if it were the API's access policy.  It is one only when
something enforces it: connexion routes and authenticates by the spec,
express-openapi-validator checks security schemes, an API gateway imports
it.  A document that a generator writes from the code (swagger-autogen,
swagger-jsdoc) or that is only served to readers (swagger-ui, redoc, a
route that sends the file) describes the API; its missing ``security``
block is a documentation gap, and who may call a route is decided by the
code's own middleware, which other findings judge.

With ``source.repo_path`` the finding is a false positive when all hold:

* at least one tracked source or configuration file names the document
  (its file name in the text), and every such file only generates it (it
  loads a generator package) or serves it to readers (swagger-ui, redoc,
  ``res.send``/``sendFile``/``express.static``, ``json.load`` for a docs
  route); a Terraform, serverless or gateway file naming it counts as
  enforcing;
* no manifest or source of the repository uses a library that enforces a
  spec (connexion, express-openapi-validator, openapi-backend,
  express-openapi, oas-tools, swagger-tools, openapi-core,
  pyramid_openapi3, fastify-openapi-glue, kin-openapi's openapi3filter,
  committee, swagger-express-middleware).

The evidence names the generating or serving ``file:line``.  A spec that
connexion loads (``add_api``) stays a finding.
"""

from __future__ import annotations

import posixpath
import re

from tasks.findings.model import Finding, as_finding

RULES = {"CKV_OPENAPI_1", "CKV_OPENAPI_4", "CKV_OPENAPI_5"}
MAX_FILES = 4000
MAX_LINES = 4000
_TEXT = (".js", ".mjs", ".cjs", ".ts", ".py", ".rb", ".go", ".java", ".kt", ".php", ".tf", ".yml", ".yaml", ".json",
         ".toml", ".txt", ".cfg", ".xml", ".gradle", ".mod", ".sh")
_SKIP = ("node_modules/", "/vendor/", "bower_components/", "site-packages/", "/dist/", "/build/")
_ENFORCERS = re.compile(r"(?i)\bconnexion\b|express-openapi-validator|OpenApiValidator|openapi-backend|['\"]express-openapi['\"]"
                        r"|\boas-tools\b|swagger-tools|\bopenapi[-_]core\b|pyramid_openapi3|fastify-openapi-glue|openapi3filter"
                        r"|\bcommittee\b|swagger-express-middleware|express-oas-validator|openapi-request-validator"
                        r"|x-amazon-apigateway|aws_api_gateway_rest_api|\bopenapi-enforcer\b")
_GENERATORS = re.compile(r"""(?i)swagger-autogen|swagger-jsdoc|swaggerJsdoc|tsoa\b|@nestjs/swagger|drf[-_]spectacular|drf[-_]yasg"""
                         r"""|apispec\b|flasgger|springdoc|swag\s+init|swaggo""")
_SERVERS = re.compile(r"(?i)swagger-ui|swaggerUi|redoc|\bres\.(?:send|json|sendFile)\s*\(|express\.static|send_file|send_from_directory"
                      r"|\bapi-?docs\b")


class _Refs:
    """The repository's text files, read once: which name the document, and whether an enforcing library is used."""

    def __init__(self, reader, files: list[str]):
        self.reader, self.files = reader, [p for p in files if p.endswith(_TEXT) or posixpath.basename(p).startswith(
            ("Dockerfile", "Procfile", "requirements"))]
        self.files = [p for p in self.files if not any(s in "/" + p for s in _SKIP)][:MAX_FILES]
        self._lines: dict[str, list[str]] = {}
        self.enforcer: str | None = None
        for p in self.files:
            lines = self.lines(p)
            hit = next((n for n, line in enumerate(lines, 1) if _ENFORCERS.search(line)), None)
            if hit:
                self.enforcer = f"{p}:{hit}"
                break

    def lines(self, path: str) -> list[str]:
        if path not in self._lines:
            try:
                self._lines[path] = (self.reader.lines(path, None) or [])[:MAX_LINES]
            except Exception:  # noqa: BLE001 - unreadable: nothing to read
                self._lines[path] = []
        return self._lines[path]


def _refs(reader, index) -> _Refs:
    """The index's files read once per triage run (kept on the index, which lives as long as the run)."""
    refs = getattr(index, "_openapi_refs", None)
    if refs is None:
        refs = _Refs(reader, index.files)
        index._openapi_refs = refs
    return refs


def check_docs_only(f: Finding | dict, reader=None, index=None) -> dict | None:
    """A false-positive reason for a missing-security OpenAPI finding on a document nothing enforces, else None."""
    f = as_finding(f)
    files = getattr(index, "files", None) if index is not None else None
    if f.tool != "checkov" or str(f.rule_id).upper() not in RULES or reader is None or not files or not f.path:
        return None
    refs = _refs(reader, index)
    if refs.enforcer:
        return None
    name = posixpath.basename(f.path)
    stem = re.escape(name.rsplit(".", 1)[0])
    mention = re.compile(rf"(?<![\w-]){re.escape(name)}\b|['\"](?:\./)?(?:[\w./-]*/)?{stem}['\"]")
    generated, served = [], []
    for p in refs.files:
        if p == f.path:
            continue
        lines = refs.lines(p)
        at = [n for n, line in enumerate(lines, 1) if mention.search(line)]
        if not at:
            continue
        code = "".join(line for line in lines if not line.lstrip().startswith(("//", "#", "*", "/*")))
        if any(_SERVERS.search(lines[n - 1]) or _near_server(lines, n) for n in at):
            served.append(f"{p}:{at[0]}")
        elif _GENERATORS.search(code):
            generated.append(f"{p}:{at[0]}")
        else:
            return None  # named by something that is neither a generator nor a docs route: may load it
    if not generated and not served:
        return None
    how = (f"generated from the code by {', '.join(generated[:2])}" if generated else "") + \
          ("; " if generated and served else "") + (f"served to readers by {', '.join(served[:2])}" if served else "")
    return {"check": "code", "status": "spec_not_enforced",
            "evidence": f"documentation, not the access policy: {f.path} is {how}, and no library in the repository "
                        "enforces an OpenAPI document (connexion, express-openapi-validator, openapi-backend, ...); "
                        "who may call a route is decided by the code's own middleware"}


def _near_server(lines: list[str], n: int) -> bool:
    """A docs route within a few lines of where the document is named (``const spec = require(...)`` then ``res.send``)."""
    return any(_SERVERS.search(line) and re.search(r"(?i)swagger|openapi|redoc|api-?docs|spec", line)
               for line in lines[max(0, n - 1):n + 6])
