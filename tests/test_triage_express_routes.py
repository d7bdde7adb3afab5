"""express-check-csurf-middleware-usage on an Express app without a state-changing route (set 14, awesome-compose)."""

from repo_reader import FilesReader

from tasks.triage.express_routes import check_express_routes


def _f(path: str) -> dict:
    return {"id": "e" * 32, "tool": "semgrep", "rule_id": "javascript.express.security.audit.express-check-csurf-middleware-usage",
            "kind": "code", "severity": "medium", "title": "A CSRF middleware was not detected", "description": "d",
            "location": {"path": path, "start_line": 3}}


def test_an_app_with_get_routes_only_has_nothing_to_forge():
    files = {"web/server.js": "const express = require('express');\nconst app = express();\napp.get('/', (req, res) => res.send('hi'));\n",
             "web/health.js": "module.exports = (app) => app.get('/healthz', (q, s) => s.send('ok'));\n", "other/x.js": "app.post('/x')\n"}
    hit = check_express_routes(_f("web/server.js"), FilesReader(files))
    assert hit and "none of the 2 JavaScript file(s) under web/" in hit["evidence"]


def test_one_post_route_in_the_apps_folder_keeps_the_finding():
    files = {"api/server.js": "const app = express();\napp.use('/users', require('./routes/users'));\n",
             "api/routes/users.js": "router.post('/', create);\n"}
    assert check_express_routes(_f("api/server.js"), FilesReader(files)) is None
    assert check_express_routes(_f("api/server.js"), None) is None
