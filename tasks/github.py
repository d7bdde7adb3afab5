"""A small GitHub REST client for workflow runs and their artifacts (stdlib only).

Token from ``GITHUB_TOKEN``; the API root from ``GITHUB_API_URL`` (what
GitHub Actions and GHES set; tests point it at a local server).  Artifact
downloads answer with a redirect to blob storage: the Authorization header
is dropped when a redirect leaves the API host, as storage rejects it.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Iterator

from tasks.errors import SecftError

DEFAULT_API = "https://api.github.com"


class _StripAuthOnRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None and urllib.parse.urlsplit(newurl).netloc != urllib.parse.urlsplit(req.full_url).netloc:
            new.remove_header("Authorization")
        return new


class GitHub:
    def __init__(self, repo: str, token: str | None = None, api_url: str | None = None, timeout: float = 60):
        if "/" not in repo:
            raise SecftError(f"daemon.github_repo: expected owner/name, got {repo!r}")
        self.repo = repo
        self.api = (api_url or os.environ.get("GITHUB_API_URL") or DEFAULT_API).rstrip("/")
        self._token = token if token is not None else os.environ.get("GITHUB_TOKEN")
        self.timeout = timeout
        self._opener = urllib.request.build_opener(_StripAuthOnRedirect)

    def _request(self, url: str, accept: str = "application/vnd.github+json"):
        req = urllib.request.Request(url, headers={"Accept": accept, "X-GitHub-Api-Version": "2022-11-28", "User-Agent": "secft"})
        if self._token:
            req.add_header("Authorization", f"Bearer {self._token}")
        try:
            return self._opener.open(req, timeout=self.timeout)
        except urllib.error.HTTPError as exc:
            hint = " (check GITHUB_TOKEN)" if exc.code in (401, 403, 404) else ""
            raise SecftError(f"GitHub API {exc.code} for {urllib.parse.urlsplit(url).path}{hint}") from None
        except urllib.error.URLError as exc:
            raise SecftError(f"GitHub API unreachable at {self.api}: {exc.reason}") from None

    def get_json(self, path: str, **params: Any) -> dict:
        query = urllib.parse.urlencode({k: v for k, v in params.items() if v is not None})
        with self._request(f"{self.api}{path}" + (f"?{query}" if query else "")) as resp:
            return json.load(resp)

    def successful_runs(self, branch: str | None, workflow: str | None = None, commit: str | None = None, per_page: int = 20) -> list[dict]:
        """The latest successful workflow runs on ``branch`` (newest first)."""
        base = f"/repos/{self.repo}/actions/workflows/{workflow}/runs" if workflow else f"/repos/{self.repo}/actions/runs"
        data = self.get_json(base, branch=branch, status="success", head_sha=commit, per_page=per_page)
        return list(data.get("workflow_runs") or [])

    def run_artifacts(self, run_id: int) -> list[dict]:
        data = self.get_json(f"/repos/{self.repo}/actions/runs/{run_id}/artifacts", per_page=100)
        return [a for a in data.get("artifacts") or [] if not a.get("expired")]

    def download(self, url: str, max_bytes: int) -> Iterator[bytes]:
        """Stream an artifact zip, refusing more than ``max_bytes``."""
        got = 0
        with self._request(url, accept="application/vnd.github+json") as resp:
            while chunk := resp.read(1 << 16):
                got += len(chunk)
                if got > max_bytes:
                    raise SecftError(f"artifact download {url} exceeds daemon.max_zip_bytes={max_bytes}")
                yield chunk
