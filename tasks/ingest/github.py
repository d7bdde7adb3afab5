"""A small GitHub REST client for workflow runs and their artifacts (stdlib only).

Token from ``GITHUB_TOKEN``; the API root from ``GITHUB_API_URL`` (what
GitHub Actions and GHES set; tests point it at a local server).

Why it is written on ``http.client`` rather than ``urllib.request``: the
token must go to the API host only (an ``archive_download_url`` naming any
other host or port must not receive it), redirects to blob storage are
followed by hand without it, only http(s) URLs are opened (urllib also reads
``file://``), and connect and read timeouts are separate settings.  Every
request retries 5xx answers and dropped connections with backoff
(``tasks.core.network``), then fails in one line naming the endpoint.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import ssl
import time
import urllib.parse
from typing import IO, Any, Callable

from tasks.core import network
from tasks.core.errors import SecftError

DEFAULT_API = "https://api.github.com"
REPO_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$")
MAX_REDIRECTS = 5
MAX_JSON_BYTES = 32 << 20
_REDIRECTS = {301, 302, 303, 307, 308}


def _origin(url: str) -> tuple[str, str, int]:
    parts = urllib.parse.urlsplit(url)
    default = 443 if parts.scheme == "https" else 80
    return parts.scheme, (parts.hostname or "").lower(), parts.port or default


def check_url(url: str, what: str = "URL") -> str:
    """Only absolute http(s) URLs with a host are ever opened."""
    if not isinstance(url, str):
        raise SecftError(f"{what}: expected a URL, got {type(url).__name__}")
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise SecftError(f"{what}: malformed URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SecftError(f"{what}: refused {parts.scheme or 'relative'} URL (only http and https are fetched)")
    return url


class HTTPStatusError(SecftError):
    """The server answered with an HTTP error (4xx): final for this request, worth a try on a later fetch."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


class GitHub:
    def __init__(self, repo: str, token: str | None = None, api_url: str | None = None, net: dict | None = None,
                 sleep: Callable[[float], None] = time.sleep, log: Callable[[str], None] | None = None):
        if not isinstance(repo, str) or not REPO_RE.match(repo) or repo.split("/")[1] in (".", ".."):
            raise SecftError(f"daemon.github_repo: expected owner/name (letters, digits, '-', '.', '_'), got {repo!r}")
        self.repo = repo
        self.api = check_url((api_url or os.environ.get("GITHUB_API_URL") or DEFAULT_API).rstrip("/"), "GITHUB_API_URL")
        self._token = token if token is not None else os.environ.get("GITHUB_TOKEN")
        self.net = network.settings({"network": net} if net else None)
        self._sleep, self._log = sleep, log
        self._conn: http.client.HTTPConnection | None = None  # the connection in use, shut when a deadline passes

    # ------------------------------------------------------------------ transport

    def _headers(self, url: str, accept: str) -> dict:
        headers = {"Accept": accept, "X-GitHub-Api-Version": "2022-11-28", "User-Agent": "secft"}
        if self._token and _origin(url) == _origin(self.api):  # the token goes to the API host only
            headers["Authorization"] = f"Bearer {self._token}"
        return headers

    def _send(self, url: str, accept: str) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse]:
        parts = urllib.parse.urlsplit(url)
        connect, read = float(self.net["connect_timeout_seconds"]), float(self.net["read_timeout_seconds"])
        if parts.scheme == "https":
            conn: http.client.HTTPConnection = http.client.HTTPSConnection(
                parts.hostname, parts.port, timeout=connect, context=ssl.create_default_context())
        else:
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=connect)
        deadline = network.Deadline.current()
        if deadline is not None:
            if deadline.remaining() <= 0:
                raise deadline.error()
            conn.timeout = min(connect, deadline.remaining())
        self._conn = conn
        try:
            try:
                conn.connect()
            except (socket.timeout, TimeoutError):
                raise network.ConnectTimeout() from None
            conn.sock.settimeout(read if deadline is None else max(0.001, min(read, deadline.remaining())))
            path = parts.path or "/"
            conn.request("GET", path + (f"?{parts.query}" if parts.query else ""), headers=self._headers(url, accept))
            return conn, conn.getresponse()
        except BaseException:
            conn.close()
            raise

    def _open(self, url: str, accept: str) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse]:
        """GET ``url`` following up to MAX_REDIRECTS redirects; 2xx answers only."""
        for _ in range(MAX_REDIRECTS + 1):
            check_url(url, f"GitHub: {network.shown(url) if isinstance(url, str) else url!r}")
            conn, resp = self._send(url, accept)
            if resp.status in _REDIRECTS and resp.getheader("Location"):
                location = urllib.parse.urljoin(url, resp.getheader("Location"))
                conn.close()
                url = location
                continue
            if resp.status >= 500:
                conn.close()
                raise network.Retryable(f"HTTP {resp.status}")
            if resp.status >= 400:
                conn.close()
                hint = " (check GITHUB_TOKEN)" if resp.status in (401, 403, 404) else ""
                raise HTTPStatusError(f"GitHub: GET {network.shown(url)}: HTTP {resp.status}{hint}", resp.status)
            if resp.status >= 300:
                conn.close()
                raise SecftError(f"GitHub: GET {network.shown(url)}: HTTP {resp.status} without a usable Location")
            return conn, resp
        raise SecftError(f"GitHub: GET {network.shown(url)}: more than {MAX_REDIRECTS} redirects")

    def _abort(self) -> None:
        """The deadline passed: shut the connection in use, so a read blocked on a trickling server returns."""
        sock = getattr(self._conn, "sock", None)
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _retrying(self, url: str, call: Callable[[], Any], size: int = 0) -> Any:
        what = f"GitHub: GET {network.shown(url)}"
        with network.Deadline(network.deadline_for(self.net, size), what, self._abort) as deadline:
            try:
                result = network.with_retries(what, call, self.net, network.is_transport_error, self._sleep, self._log)
            except network.DeadlineExceeded:
                raise
            except Exception:
                if deadline.lapsed():
                    raise deadline.error() from None
                raise
            if deadline.expired:  # a shut connection can look like a short, complete answer
                raise deadline.error()
            return result

    # ------------------------------------------------------------------ API

    def get_json(self, path: str, **params: Any) -> dict:
        query = urllib.parse.urlencode({k: v for k, v in params.items() if v is not None})
        url = f"{self.api}{path}" + (f"?{query}" if query else "")

        def call():
            conn, resp = self._open(url, "application/vnd.github+json")
            try:
                body = resp.read(MAX_JSON_BYTES + 1)
            finally:
                conn.close()
            if len(body) > MAX_JSON_BYTES:
                raise SecftError(f"GitHub: GET {network.shown(url)}: answer larger than {MAX_JSON_BYTES} bytes")
            try:
                data = json.loads(body)
            except ValueError:
                raise SecftError(f"GitHub: GET {network.shown(url)}: the answer is not JSON") from None
            if not isinstance(data, dict):
                raise SecftError(f"GitHub: GET {network.shown(url)}: expected a JSON object")
            return data

        return self._retrying(url, call)

    def successful_runs(self, branch: str | None, workflow: str | None = None, commit: str | None = None, per_page: int = 20) -> list[dict]:
        """The latest successful workflow runs on ``branch`` (newest first)."""
        if workflow:
            base = f"/repos/{self.repo}/actions/workflows/{urllib.parse.quote(workflow, safe='')}/runs"
        else:
            base = f"/repos/{self.repo}/actions/runs"
        data = self.get_json(base, branch=branch, status="success", head_sha=commit, per_page=per_page)
        runs = data.get("workflow_runs") or []
        return [r for r in runs if isinstance(r, dict)] if isinstance(runs, list) else []

    def run_artifacts(self, run_id: str) -> list[dict]:
        if not (isinstance(run_id, str) and run_id.isascii() and run_id.isdigit()):
            raise SecftError(f"GitHub: workflow run id {run_id!r} is not a number")
        data = self.get_json(f"/repos/{self.repo}/actions/runs/{run_id}/artifacts", per_page=100)
        arts = data.get("artifacts") or []
        return [a for a in arts if isinstance(a, dict) and not a.get("expired")] if isinstance(arts, list) else []

    def download(self, url: str, out: IO[bytes], max_bytes: int, size: int | None = None) -> int:
        """Write an artifact zip into ``out`` (rewound on each retry), refusing more than ``max_bytes``.

        The overall deadline is sized to ``size`` (the API's size_in_bytes) when given, else to ``max_bytes``.
        """
        check_url(url, "archive_download_url")

        def call():
            out.seek(0)
            out.truncate()
            got = 0
            conn, resp = self._open(url, "application/vnd.github+json")
            try:
                while chunk := resp.read(1 << 16):
                    got += len(chunk)
                    if got > max_bytes:
                        raise SecftError(f"download {network.shown(url)} exceeds daemon.max_zip_bytes={max_bytes}")
                    out.write(chunk)
            finally:
                conn.close()
            out.flush()
            return got

        return self._retrying(url, call, max_bytes if size is None else size)
