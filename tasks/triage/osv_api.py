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
import os
import re
import socket
import time
import urllib.parse
from pathlib import Path

from tasks.core import atomic, exchange, network, textio
from tasks.core.errors import SecftError
from tasks.triage.advisories import record_problem

DEFAULT_URL = "https://api.osv.dev"
MAX_ANSWER_BYTES = 8 * 1024 * 1024
BATCH = 1000  # OSV's querybatch limit per request
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")


class OsvClient:
    """``get(id)`` -> record or None; ``query_batch([(ecosystem, name, version)])`` -> [[ids]]."""

    def __init__(self, cache_dir: Path, base_url: str = DEFAULT_URL, net: dict | None = None,
                 deadline_seconds: float = 60.0, max_age_days: float = 7.0, clock=time.monotonic,
                 root: Path | None = None):
        parts = urllib.parse.urlsplit(base_url)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise SecftError(f"triage.osv_api.url: {network.shown(base_url)} is not an http(s) URL")
        self.parts = parts
        self.base = network.shown(base_url).rstrip("/")
        self.cache_dir = Path(cache_dir)
        self.root = Path(root) if root is not None else self.cache_dir.parent  # the workspace: the cache never leaves it
        self.net = network.settings({"network": net} if net else None)
        self.clock = clock
        self.deadline = clock() + float(deadline_seconds)
        self.max_age = float(max_age_days) * 86400
        self.requests = 0
        self.cache_hits = 0
        self.expired = False  # the deadline passed: later lookups answered "unknown"
        self.errors: list[str] = []
        self._refused = False

    # ------------------------------------------------------------------ transport
    def _request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        left = self.deadline - self.clock()
        if left <= 0:
            self.expired = True
            raise TimeoutError("deadline")
        url = f"{self.parts.scheme}://{self.parts.netloc}{self.parts.path.rstrip('/')}{path}"
        try:
            status, data = exchange.bounded_exchange(
                url, method, body, {"Content-Type": "application/json", "Accept": "application/json", "User-Agent": "secft-triage"},
                connect_timeout=float(self.net["connect_timeout_seconds"]), read_timeout=float(self.net["read_timeout_seconds"]),
                seconds=left, max_bytes=MAX_ANSWER_BYTES, clock=self.clock)
        except TimeoutError:
            if self.deadline - self.clock() <= 0:
                self.expired = True
            raise
        self.requests += 1
        if status >= 500:
            raise network.Retryable(f"HTTP {status}")
        return status, data

    def _call(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes] | None:
        """(status, body), or None when the deadline passed or the endpoint kept failing (noted once)."""
        what = f"OSV: {method} {self.base}{path}"
        try:
            return network.with_retries(what, lambda: self._request(method, path, body), self.net,
                                        lambda e: network.is_transport_error(e) and not self.expired)
        except exchange.AnswerTooLarge:  # that id is "unknown", the build goes on
            self.errors.append(f"{what}: answer larger than {MAX_ANSWER_BYTES} bytes; treated as unknown")
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
        """The cached answer, or None (asked again) when it is old, or not a regular file holding an object:
        a FIFO, device or link there is never opened for reading (it would hang or read outside)."""
        doc = safe_json(path, MAX_ANSWER_BYTES, self.errors)
        if doc is None:
            return None
        if time.time() - doc[1] > self.max_age:
            return None
        record = doc[0]
        if isinstance(record, dict) and record.get("_missing") is True and isinstance(record.get("id"), str):
            return record
        why = record_problem(record)
        if why is not None:
            self.errors.append(f"OSV cache {path}: {why}; asked again")
            return None
        return record

    def _store(self, path: Path, doc: dict) -> None:
        """Write a cache entry, never through a link: the cache folder must resolve inside the workspace."""
        folder = self.cache_dir
        root = self.root.resolve()
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()) \
                or not folder.resolve().is_relative_to(root):
            if not self._refused:
                self._refused = True
                self.errors.append(f"OSV cache {folder}: a link or not a folder; answers are not cached")
            return
        if path.is_symlink() or (path.exists() and not path.is_file()):
            self.errors.append(f"OSV cache {path}: a link or not a regular file; not overwritten")
            return
        atomic.write_json(path, doc)

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
            self._store(path, {"id": vuln_id, "_missing": True})
            return None
        if status != 200:
            self.errors.append(f"OSV: GET {self.base}/v1/vulns/{vuln_id}: HTTP {status}")
            return None
        try:
            record = json.loads(data)
        except (ValueError, RecursionError):
            self.errors.append(f"OSV: GET {self.base}/v1/vulns/{vuln_id}: the answer is not JSON")
            return None
        why = record_problem(record)
        if why is not None:
            self.errors.append(f"OSV: GET {self.base}/v1/vulns/{vuln_id}: the answer is not an OSV record ({why}); treated as unknown")
            return None
        self._store(path, record)
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
                except (ValueError, AttributeError, RecursionError):
                    results = None
            if not isinstance(results, list) or len(results) != len(chunk):
                if answer is not None:
                    self.errors.append(f"OSV: POST {self.base}/v1/querybatch: unexpected answer")
                out += [None] * len(chunk)
                continue
            for r in results:
                vulns = r.get("vulns") if isinstance(r, dict) else None
                if vulns is not None and not isinstance(vulns, list):
                    self.errors.append(f"OSV: POST {self.base}/v1/querybatch: 'vulns' is not a list; treated as unknown")
                    out.append(None)
                    continue
                out.append([v["id"] for v in vulns or [] if isinstance(v, dict) and isinstance(v.get("id"), str)])
        return out

    def summary(self) -> dict:
        return {"requests": self.requests, "cache_hits": self.cache_hits, "deadline_passed": self.expired,
                "errors": self.errors[:5], "error_count": len(self.errors)}


def safe_json(path: Path, max_bytes: int, errors: list[str] | None = None):
    """(document, mtime) of a cached JSON file, or None (one line in ``errors`` unless it is just absent)."""
    try:
        mtime = os.lstat(path).st_mtime
        return json.loads(textio.read_regular(path, max_bytes)), mtime
    except FileNotFoundError:
        return None
    except textio.NotReadable as exc:
        why = str(exc)
    except (ValueError, RecursionError):
        why = f"{path}: not JSON; ignored"
    if errors is not None:
        errors.append(why)
    return None
