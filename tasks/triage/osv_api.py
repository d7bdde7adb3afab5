"""The OSV API (api.osv.dev): records by id and the ids affecting a package version, cached on disk.

Used only when ``triage.osv_api.enabled`` is true: a default build is
offline.  Every call has the ``network`` section's connect/read timeouts
and bounded retries (tasks.network), and the whole triage step has one
overall deadline (``deadline_seconds``): past it, lookups answer "unknown"
and the finding's version questions become ``needs_review`` instead of the
build waiting or failing.  Answers, a 404 included, are cached one file per
id under ``cache_dir``, so a warm build makes no request at all.
"""

from __future__ import annotations

import http.client
import json
import re
import socket
import time
import urllib.parse
from pathlib import Path

from tasks.core import atomic, network
from tasks.core.errors import SecftError

DEFAULT_URL = "https://api.osv.dev"
MAX_ANSWER_BYTES = 8 * 1024 * 1024
BATCH = 1000  # OSV's querybatch limit per request
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")


class OsvClient:
    """``get(id)`` -> record or None; ``query_batch([(ecosystem, name, version)])`` -> [[ids]]."""

    def __init__(self, cache_dir: Path, base_url: str = DEFAULT_URL, net: dict | None = None,
                 deadline_seconds: float = 60.0, max_age_days: float = 7.0, clock=time.monotonic):
        parts = urllib.parse.urlsplit(base_url)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise SecftError(f"triage.osv_api.url: {network.shown(base_url)} is not an http(s) URL")
        self.parts = parts
        self.base = network.shown(base_url).rstrip("/")
        self.cache_dir = Path(cache_dir)
        self.net = network.settings({"network": net} if net else None)
        self.clock = clock
        self.deadline = clock() + float(deadline_seconds)
        self.max_age = float(max_age_days) * 86400
        self.requests = 0
        self.cache_hits = 0
        self.expired = False  # the deadline passed: later lookups answered "unknown"
        self.errors: list[str] = []

    # ------------------------------------------------------------------ transport
    def _request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        left = self.deadline - self.clock()
        if left <= 0:
            self.expired = True
            raise TimeoutError("deadline")
        timeout = min(float(self.net["read_timeout_seconds"]), left)
        cls = http.client.HTTPSConnection if self.parts.scheme == "https" else http.client.HTTPConnection
        conn = cls(self.parts.hostname, self.parts.port, timeout=min(float(self.net["connect_timeout_seconds"]), left))
        try:
            conn.connect()
            conn.sock.settimeout(timeout)
            prefix = self.parts.path.rstrip("/")
            conn.request(method, prefix + path, body=body,
                         headers={"Content-Type": "application/json", "Accept": "application/json", "User-Agent": "secft-triage"})
            resp = conn.getresponse()
            data = resp.read(MAX_ANSWER_BYTES + 1)
        finally:
            conn.close()
        self.requests += 1
        if resp.status >= 500:
            raise network.Retryable(f"HTTP {resp.status}")
        if len(data) > MAX_ANSWER_BYTES:
            raise SecftError(f"OSV: {method} {self.base}{path}: answer larger than {MAX_ANSWER_BYTES} bytes")
        return resp.status, data

    def _call(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes] | None:
        """(status, body), or None when the deadline passed or the endpoint kept failing (noted once)."""
        what = f"OSV: {method} {self.base}{path}"
        try:
            return network.with_retries(what, lambda: self._request(method, path, body), self.net,
                                        lambda e: network.is_transport_error(e) and not self.expired)
        except network.NetworkError as exc:
            self.errors.append(str(exc))
        except (TimeoutError, socket.timeout, OSError, http.client.HTTPException) as exc:
            if not self.expired:
                self.errors.append(f"{what}: {network.reason(exc, self.net)}")
        return None

    # ------------------------------------------------------------------ records
    def _cache_file(self, vuln_id: str) -> Path | None:
        return self.cache_dir / f"{vuln_id}.json" if _SAFE_ID.match(vuln_id) and ".." not in vuln_id else None

    def _cached(self, path: Path) -> dict | None:
        try:
            if time.time() - path.stat().st_mtime > self.max_age:
                return None
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def get(self, vuln_id: str) -> dict | None:
        """The record for ``vuln_id`` (cached), None when OSV has none or cannot be asked now."""
        path = self._cache_file(vuln_id)
        if path is None:
            return None
        cached = self._cached(path)
        if cached is not None:
            self.cache_hits += 1
            return None if cached.get("_missing") else cached
        if self.expired:
            return None
        answer = self._call("GET", f"/v1/vulns/{urllib.parse.quote(vuln_id, safe='')}")
        if answer is None:
            return None
        status, data = answer
        if status == 404:
            atomic.write_json(path, {"id": vuln_id, "_missing": True})
            return None
        if status != 200:
            self.errors.append(f"OSV: GET {self.base}/v1/vulns/{vuln_id}: HTTP {status}")
            return None
        try:
            record = json.loads(data)
        except ValueError:
            self.errors.append(f"OSV: GET {self.base}/v1/vulns/{vuln_id}: the answer is not JSON")
            return None
        if not isinstance(record, dict) or not isinstance(record.get("id"), str):
            self.errors.append(f"OSV: GET {self.base}/v1/vulns/{vuln_id}: the answer is not an OSV record")
            return None
        atomic.write_json(path, record)
        return record

    def query_batch(self, queries: list[tuple[str, str, str | None]]) -> list[list[str] | None]:
        """For each (ecosystem, name, version): the ids OSV lists as affecting it (every advisory of the
        package when the version is None), None when unknown."""
        out: list[list[str] | None] = []
        for start in range(0, len(queries), BATCH):
            chunk = queries[start:start + BATCH]
            body = json.dumps({"queries": [{"package": {"ecosystem": e, "name": n}, **({"version": v} if v else {})}
                                           for e, n, v in chunk]}).encode()
            answer = None if self.expired else self._call("POST", "/v1/querybatch", body)
            results = None
            if answer and answer[0] == 200:
                try:
                    results = json.loads(answer[1]).get("results")
                except (ValueError, AttributeError):
                    results = None
            if not isinstance(results, list) or len(results) != len(chunk):
                if answer is not None:
                    self.errors.append(f"OSV: POST {self.base}/v1/querybatch: unexpected answer")
                out += [None] * len(chunk)
                continue
            for r in results:
                vulns = (r or {}).get("vulns") if isinstance(r, dict) else None
                out.append([v["id"] for v in vulns or [] if isinstance(v, dict) and isinstance(v.get("id"), str)])
        return out

    def summary(self) -> dict:
        return {"requests": self.requests, "cache_hits": self.cache_hits, "deadline_passed": self.expired,
                "errors": self.errors[:5], "error_count": len(self.errors)}
