"""Semgrep's ``express-check-csurf-middleware-usage`` on an Express app that has no state-changing route.

The rule flags ``const app = express()`` when no CSRF middleware is mounted.
Cross-site request forgery needs a route that changes something (POST, PUT,
PATCH, DELETE) and that the browser's cookies authenticate.  When no file of
the app's folder registers such a route (``app.post(...)``,
``router.delete(...)``, ``.route('/x').put(...)``), there is nothing to forge:
a visit counter or a health check answers GET only.  Every file under the
flagged file's folder is read (at most 200, from the run's commit); one
state-changing route keeps the finding.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from tasks.findings.model import Finding, as_finding

_RULE = "express-check-csurf-middleware-usage"
_WRITES = re.compile(r"\.(?:post|put|patch|delete|all)\s*\(")
_JS = (".js", ".mjs", ".cjs", ".ts")


def check_express_routes(f: Finding | dict, reader=None) -> dict | None:
    """False positive when no JavaScript file in the app's folder registers a POST/PUT/PATCH/DELETE route."""
    f = as_finding(f)
    if f.tool != "semgrep" or not str(f.rule_id or "").endswith(_RULE) or reader is None or not f.path:
        return None
    folder = str(PurePosixPath(f.path).parent)
    try:
        commit = reader.resolve(f.source.commit if f.source else None)
        files = [p for p in reader.tracked(commit, folder if folder != "." else ".") if p.endswith(_JS)
                 and "node_modules/" not in p and not re.search(r"(?:^|/)(?:tests?|__tests__)/|\.(?:test|spec)\.", p)]
    except Exception:  # noqa: BLE001 - an unreadable tree gives no evidence
        return None
    if not files or len(files) >= 200:
        return None
    for path in files:
        lines = reader.lines(path, commit)
        if lines is None:
            return None  # a file that cannot be read could hold the route
        if any(_WRITES.search(l) for l in lines):
            return None
    return {"check": "code", "status": "not_security_use",
            "evidence": f"no state-changing route: none of the {len(files)} JavaScript file(s) under {folder}/ registers a "
                        "POST, PUT, PATCH or DELETE handler, so there is no request for another site to forge"}
