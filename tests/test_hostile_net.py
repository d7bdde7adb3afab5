"""Hostile network input: servers that never answer, refuse, reset or fail; URLs and names from the
GitHub API that try to escape data/artifacts or steal the token; zips that are corrupt on purpose.

Everything runs against servers on 127.0.0.1 started here; every wait is bounded.
"""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import threading
import warnings
import zipfile
from pathlib import Path

import pytest
from conftest import FIXTURES, clean_env, make_workspace
from pytest_httpserver import HTTPServer
from werkzeug import Response

from tasks.core import atomic, network
from tasks.core.errors import SecftError
from tasks.ingest.fetch import fetch
from tasks.ingest.github import GitHub

TOKEN = "ghs_hostile_token_0123456789"
SHA = "0123456789abcdef0123456789abcdef01234567"
FAST = {"connect_timeout_seconds": 2, "read_timeout_seconds": 0.5, "retries": 1, "backoff_seconds": 0}
REPORT = (FIXTURES / "semgrep/high-medium-low-severities.json").read_bytes()


# ----------------------------------------------------------------------------- raw servers


class SilentServer:
    """Accepts TCP connections on 127.0.0.1 and never answers (bounded: stopped by the test)."""

    def __init__(self, mode: str = "silent"):
        self.mode = mode
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.accepted, self._held, self._stop = 0, [], threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.accepted += 1
            if self.mode == "reset":  # RST at once
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                conn.close()
            elif self.mode == "garbage":  # not TLS, not HTTP
                conn.sendall(b"\x00\xffnot a protocol\r\n\r\n")
                conn.close()
            else:
                self._held.append(conn)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self):
        self._stop.set()
        self._thread.join(5)
        for c in self._held:
            c.close()
        self.sock.close()


@pytest.fixture
def silent():
    servers = []

    def make(mode="silent"):
        servers.append(SilentServer(mode))
        return servers[-1]

    yield make
    for s in servers:
        s.stop()


def refused_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# ----------------------------------------------------------------------------- a hostile GitHub


def zip_of(members: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names are written on purpose
        with zipfile.ZipFile(buf, "w", method) as z:
            for name, data in (members.items() if isinstance(members, dict) else members):
                z.writestr(name, data)
    return buf.getvalue()


def bad_crc() -> bytes:
    data = zip_of({"r.json": b"hello secft " * 10}, zipfile.ZIP_STORED)
    i = data.index(b"hello secft")
    return data[:i] + b"J" + data[i + 1:]


def unknown_method() -> bytes:
    data = bytearray(zip_of({"r.json": b"{}"}, zipfile.ZIP_STORED))
    data[8:10] = (99).to_bytes(2, "little")  # local header
    c = data.index(b"PK\x01\x02")
    data[c + 10:c + 12] = (99).to_bytes(2, "little")  # central directory
    return bytes(data)


def encrypted() -> bytes:
    data = bytearray(zip_of({"r.json": b"\x00" * 12 + b"{}"}, zipfile.ZIP_STORED))
    data[6] |= 0x1  # general purpose flag bit 0: encrypted (zipfile cannot write it, so it is set by hand)
    c = data.index(b"PK\x01\x02")
    data[c + 8] |= 0x1
    return bytes(data)


class HostileGitHub:
    """Runs whose artifacts are described by the test, download URLs included; records headers."""

    def __init__(self, server, runs: list[dict], artifacts: dict[str, list[dict]], blobs: dict[str, bytes]):
        self.server, self.requests = server, []
        server.expect_request("/repos/acme/app/actions/runs").respond_with_handler(
            lambda r: self._json(r, {"total_count": len(runs), "workflow_runs": runs}))
        for rid, arts in artifacts.items():
            server.expect_request(f"/repos/acme/app/actions/runs/{rid}/artifacts").respond_with_handler(
                lambda r, arts=arts: self._json(r, {"total_count": len(arts), "artifacts": arts}))
        for path, data in blobs.items():
            server.expect_request(path).respond_with_handler(lambda r, data=data: self._blob(r, data))

    def _json(self, request, body):
        self.requests.append((request.path, request.headers.get("Authorization")))
        return Response(json.dumps(body), content_type="application/json")

    def _blob(self, request, data):
        self.requests.append((request.path, request.headers.get("Authorization")))
        return Response(data, content_type="application/zip")


def run(rid, **extra):
    return {"id": rid, "head_branch": "main", "head_sha": SHA, "name": "CI", "created_at": "2026-11-24T10:00:00Z", **extra}


def art(server, name, path, size=100, **extra):
    return {"id": abs(hash(name)) % 10000, "name": name, "size_in_bytes": size, "expired": False,
            "archive_download_url": server.url_for(path), **extra}


def gh(server, **net) -> GitHub:
    return GitHub("acme/app", token=TOKEN, api_url=server.url_for("").rstrip("/"), net={**FAST, **net}, sleep=lambda s: None)


def tree(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*")}


# ----------------------------------------------------------------------------- network: bounded, one line


@pytest.mark.parametrize("mode, reason", [
    ("silent", "no answer within 0.5 s"),
    ("reset", "connection reset by the server|closed the connection without an answer"),
    ("garbage", "HTTP|closed the connection|BadStatusLine|RemoteDisconnected"),
])
def test_github_api_that_never_answers_or_breaks_ends_in_one_line(silent, mode, reason):
    server = silent(mode)
    client = GitHub("acme/app", token=TOKEN, api_url=server.url, net=FAST, sleep=lambda s: None)
    with pytest.raises(network.NetworkError) as exc:
        client.successful_runs("main")
    message = str(exc.value)
    assert message.startswith(f"GitHub: GET {server.url}/repos/acme/app/actions/runs failed after 2 attempt(s): ")
    assert "\n" not in message and TOKEN not in message and "?" not in message
    import re

    assert re.search(reason, message), message
    assert server.accepted == 2  # one try and one bounded retry


def test_connection_refused_and_tls_errors_are_one_line(silent):
    client = GitHub("acme/app", api_url=f"http://127.0.0.1:{refused_port()}", net=FAST, sleep=lambda s: None)
    with pytest.raises(network.NetworkError, match="connection refused$"):
        client.successful_runs("main")
    server = silent("garbage")
    client = GitHub("acme/app", api_url=f"https://127.0.0.1:{server.port}", net=FAST, sleep=lambda s: None)
    with pytest.raises(network.NetworkError, match=r"TLS error|closed the connection|connection reset"):
        client.successful_runs("main")


def test_5xx_is_retried_with_backoff_then_succeeds(httpserver):
    answers = iter([Response("busy", 502), Response("down", 503)])
    waits = []

    def handler(request):
        return next(answers, None) or Response(json.dumps({"workflow_runs": [run(1)]}), content_type="application/json")

    httpserver.expect_request("/repos/acme/app/actions/runs").respond_with_handler(handler)
    client = GitHub("acme/app", api_url=httpserver.url_for("").rstrip("/"),
                    net={**FAST, "retries": 3, "backoff_seconds": 0.5}, sleep=waits.append)
    assert [r["id"] for r in client.successful_runs("main")] == [1]
    assert waits == [0.5, 1.0]  # doubling backoff
    httpserver.clear()
    httpserver.expect_request("/repos/acme/app/actions/runs").respond_with_data("down", status=500)
    with pytest.raises(network.NetworkError, match=r"failed after 2 attempt\(s\): HTTP 500$"):
        gh(httpserver).successful_runs("main")


def test_fetch_cli_network_failure_is_one_line_without_traceback(tmp_path, silent):
    ws = make_workspace(tmp_path / "ws", artifacts=[])
    (ws / "config/pipeline.yaml").write_text((ws / "config/pipeline.yaml").read_text().replace(
        "read_timeout_seconds: 60", "read_timeout_seconds: 0.5").replace("backoff_seconds: 2", "backoff_seconds: 0"))
    server = silent()
    proc = subprocess.run([sys.executable, "-m", "tasks.fetch_artifacts", "--repo", "acme/app"], cwd=ws,
                          env=clean_env(GITHUB_API_URL=server.url, GITHUB_TOKEN=TOKEN), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and TOKEN not in proc.stderr + proc.stdout
    assert proc.stderr.count("\n") == 1 and "failed after 4 attempt(s): no answer within 0.5 s" in proc.stderr


# ----------------------------------------------------------------------------- the token stays with the API host


def test_token_only_to_the_api_host_and_only_http(httpserver, tmp_path):
    other = HTTPServer(host="127.0.0.1", port=0)  # another port: another origin
    other.start()
    try:
        seen = []
        other.expect_request("/steal").respond_with_handler(
            lambda r: seen.append(r.headers.get("Authorization")) or Response(zip_of({"r.json": REPORT}), content_type="application/zip"))
        secret = tmp_path / "secret.zip"
        secret.write_bytes(zip_of({"stolen.json": b"{}"}))
        arts = [art(httpserver, "elsewhere", "/x") | {"archive_download_url": other.url_for("/steal")},
                art(httpserver, "local-file", "/x") | {"archive_download_url": secret.as_uri()},
                art(httpserver, "ftp", "/x") | {"archive_download_url": "ftp://127.0.0.1/a.zip"}]
        HostileGitHub(httpserver, [run(5)], {"5": arts}, {})
        root = tmp_path / "artifacts"
        result = fetch(gh(httpserver), "main", root)
    finally:
        other.stop()
    assert seen == [None]  # downloaded from the other origin, without the token
    assert (root / "5/elsewhere/r.json").read_bytes() == REPORT
    record = json.loads((root / "5/run.json").read_text())
    reasons = {r["name"]: r["reason"] for r in record["refused"]}
    assert set(reasons) == {"local-file", "ftp"} and all("only http and https" in r for r in reasons.values())
    assert not (root / "5/local-file").exists() and result["artifacts"] == 1


def test_redirect_to_file_url_is_refused(httpserver, tmp_path):
    httpserver.expect_request("/dl").respond_with_response(Response("", 302, headers={"Location": "file:///etc/passwd"}))
    HostileGitHub(httpserver, [run(6)], {"6": [art(httpserver, "redir", "/dl")]}, {})
    fetch(gh(httpserver), "main", tmp_path / "a")
    record = json.loads((tmp_path / "a/6/run.json").read_text())
    assert record["refused"][0]["name"] == "redir" and "refused file URL" in record["refused"][0]["reason"]


# ----------------------------------------------------------------------------- names from the API never escape


def test_run_ids_and_artifact_names_never_leave_data_artifacts(httpserver, tmp_path):
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "keep.txt").write_text("precious")
    root = tmp_path / "ws/data/artifacts"
    good = zip_of({"r.json": REPORT})
    names = ["../../../victim", "/abs", "a/b", ".", "..", "a b", "a_b", "A_B", ".hidden", "x" * 300, "semgrep"]
    arts = [art(httpserver, n, f"/blob/{i}") for i, n in enumerate(names)] + [art(httpserver, "semgrep", "/blob/0")]
    runs = [run("../../../victim"), run(-3), run(True), run("12e3"), run(None), run(77)]
    HostileGitHub(httpserver, runs, {"77": arts}, {f"/blob/{i}": good for i in range(len(names))})
    before = tree(tmp_path)
    result = fetch(gh(httpserver), "main", root)
    assert result["new_runs"] == ["77"]
    assert {p for p in tree(tmp_path) - before if not p.startswith("ws/data/artifacts/77")} == {"ws", "ws/data", "ws/data/artifacts"}
    assert (victim / "keep.txt").read_text() == "precious" and sorted(os.listdir(victim)) == ["keep.txt"]
    folders = sorted(p.name for p in (root / "77").iterdir() if p.is_dir())
    assert len(folders) == len(set(f.casefold() for f in folders)) == len(names) - 1  # A_B and a_b: one refused
    assert "a_b" in folders and "a b" not in folders and any(f.startswith("a_b-") for f in folders)
    assert not any(f.startswith(".") for f in folders)
    record = json.loads((root / "77/run.json").read_text())
    assert record["run_id"] == "77" and record["created_at"] == "2026-11-24T10:00:00Z" and record["commit"] == SHA
    refused = {r["name"]: r["reason"] for r in record["refused"]}
    assert set(refused) == {"A_B", "semgrep"} and all("already named" in r for r in refused.values())
    assert {a["name"] for a in record["artifacts"]} == set(names) - {"A_B"}


def test_each_bad_artifact_is_refused_with_its_reason_and_the_rest_proceed(httpserver, tmp_path):
    cases = {
        "bad-crc": (bad_crc(), "Bad CRC-32"),
        "encrypted": (encrypted(), "encrypted member"),
        "unknown-method": (unknown_method(), "unsupported compression method 99"),
        "file-and-folder": (zip_of({"a": b"1", "a/b": b"2"}), "both a file and a folder"),
        "dot": (zip_of({".": b"1"}), "names the archive's root"),
        "duplicate": (zip_of([("r.json", b"1"), ("r.json", b"2")]), "duplicate member"),
        "case-duplicate": (zip_of({"R.json": b"1", "r.json": b"2"}), "duplicate member"),
        "not-a-zip": (b"PK\x03\x04 this is not a zip", "not a zip archive"),
        "control-char": (zip_of({"a\nb.json": b"1"}), "control character"),
    }
    blobs = {f"/blob/{name}": data for name, (data, _) in cases.items()} | {"/blob/good": zip_of({"r.json": REPORT})}
    arts = [art(httpserver, name, f"/blob/{name}") for name in cases]
    arts += [art(httpserver, "size-string", "/blob/good", size="12"), art(httpserver, "run.json", "/blob/good"),
             art(httpserver, "good", "/blob/good")]
    HostileGitHub(httpserver, [run(8), run(9, created_at="2026-11-24T11:00:00Z")],
                  {"8": arts, "9": [art(httpserver, "later", "/blob/good")]}, blobs)
    root = tmp_path / "artifacts"
    result = fetch(gh(httpserver), "main", root)
    assert result["new_runs"] == ["8", "9"] and result["artifacts"] == 2
    record = json.loads((root / "8/run.json").read_text())
    refused = {r["name"]: r["reason"] for r in record["refused"]}
    for name, (_, reason) in cases.items():
        assert reason in refused[name], (name, refused[name])
    assert "size_in_bytes is '12'" in refused["size-string"] and "reserved name" in refused["run.json"]
    assert (root / "8/good/r.json").read_bytes() == REPORT and (root / "9/later/r.json").read_bytes() == REPORT
    assert sorted(p.name for p in (root / "8").iterdir()) == ["good", "run.json"]  # refused ones wrote nothing
    assert not list(root.glob(".download-*"))


# ----------------------------------------------------------------------------- atomic targets stay in their root


def test_atomic_directory_refuses_targets_outside_its_root(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data/artifacts").mkdir(parents=True)
    (tmp_path / "data/keep").write_text("x")
    for target, root in [("data/artifacts/../../elsewhere", "data/artifacts"), ("data/artifacts", "data/artifacts"),
                         ("/tmp", "data/artifacts")]:
        with pytest.raises(SecftError, match="refused: it is not inside"):
            with atomic.directory(target, root=root) as tmp:
                (tmp / "f").write_text("no")
    for target in ("data", ".", "..", "fine-tuning/adapters/", "fine-tuning/adapters/stage1/../../../data", "/"):
        with pytest.raises(SecftError, match="refused: would replace"):
            with atomic.directory(target):
                pass
    assert (tmp_path / "data/keep").read_text() == "x" and not (tmp_path / "elsewhere").exists()
    link = tmp_path / "data/artifacts/link"
    link.symlink_to(tmp_path / "data")
    with pytest.raises(SecftError, match="not inside"):
        with atomic.directory(link / "x", root=tmp_path / "data/artifacts"):
            pass
    with atomic.directory("data/artifacts/1/ok", root="data/artifacts") as tmp:
        (tmp / "f").write_text("yes")
    assert (tmp_path / "data/artifacts/1/ok/f").read_text() == "yes"


# ----------------------------------------------------------------------------- the base model download is bounded too


def test_base_model_download_from_a_silent_hub_ends_in_one_line(silent, monkeypatch, tmp_path):
    from huggingface_hub import constants
    from huggingface_hub.utils import _http as hf_http

    from tasks.training import base_model

    server = silent()
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(constants, "ENDPOINT", server.url)
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    saved = constants.HF_HUB_DOWNLOAD_TIMEOUT, constants.HF_HUB_ETAG_TIMEOUT
    result: dict = {}

    def call():
        try:
            base_model.fetch("acme/never-answers", cache_dir=tmp_path / "hf", net={**FAST, "read_timeout_seconds": 1})
        except SecftError as exc:
            result["error"] = str(exc)

    thread = threading.Thread(target=call, daemon=True)
    thread.start()
    thread.join(90)
    hf_http.set_client_factory(hf_http.default_client_factory)
    constants.HF_HUB_DOWNLOAD_TIMEOUT, constants.HF_HUB_ETAG_TIMEOUT = saved
    assert not thread.is_alive(), "the download is still waiting for the silent Hub"
    assert "acme/never-answers" in result["error"] and "\n" not in result["error"]
    assert server.accepted >= 1
