"""Fetch faults and slow servers (docs/reliability.md, "Fetch" and "Slow servers").

* A run whose artifact download answers 404 or 5xx no longer blocks later fetches: it is recorded with
  its reason, retried with back-off on later fetches a bounded number of times, and the other runs go on.
* A server that trickles one byte a second never trips a read timeout; every operation has an overall
  deadline and fails in one line naming the host.  The trickling server here is bounded: it stops itself.
"""

from __future__ import annotations

import io
import json
import socket
import subprocess
import sys
import threading
import time
import zipfile

import pytest
from werkzeug import Response

from conftest import FIXTURES, clean_env, make_workspace
from tasks.core import hub_client, network
from tasks.core.errors import SecftError
from tasks.ingest.fetch import fetch
from tasks.ingest.github import GitHub
from tasks.core.runlock import RunLock

TOKEN = "ghs_hostile_token_0123456789"
SHA = "0123456789abcdef0123456789abcdef01234567"
FAST = {"connect_timeout_seconds": 2, "read_timeout_seconds": 5, "retries": 1, "backoff_seconds": 0,
        "deadline_seconds": 1.5, "min_bytes_per_second": 65536}
REPORT = (FIXTURES / "semgrep/high-medium-low-severities.json").read_bytes()


class Trickle:
    """An HTTP server on 127.0.0.1 that answers one byte per ``every`` seconds, for at most ``limit`` seconds.

    ``phase``: "body" sends whole headers then a trickled body, "headers" trickles the status line itself.
    """

    def __init__(self, phase: str = "body", every: float = 0.2, limit: float = 20.0):
        self.phase, self.every, self.limit = phase, every, limit
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self._stop = threading.Event()
        self._started = time.monotonic()
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _serve(self):
        while not self._stop.is_set() and time.monotonic() - self._started < self.limit:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.accepted += 1
            threading.Thread(target=self._trickle, args=(conn,), daemon=True).start()
        self.sock.close()

    def _trickle(self, conn):
        body = b'{"workflow_runs": []}' + b" " * 100000
        head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode()
        data = head + body
        sent = 0
        try:
            conn.recv(65536)
            if self.phase == "body":
                conn.sendall(head)
                sent = len(head)
            while sent < len(data) and not self._stop.is_set() and time.monotonic() - self._started < self.limit:
                conn.sendall(data[sent:sent + 1])
                sent += 1
                time.sleep(self.every)
        except OSError:
            pass
        finally:
            conn.close()

    def stop(self):
        self._stop.set()


@pytest.fixture
def trickle():
    servers = []

    def start(**kw):
        servers.append(Trickle(**kw))
        return servers[-1]

    yield start
    for s in servers:
        s.stop()


@pytest.mark.parametrize("phase", ["body", "headers"])
def test_github_api_that_trickles_ends_at_the_deadline_in_one_line(trickle, phase):
    server = trickle(phase=phase)
    client = GitHub("acme/app", token=TOKEN, api_url=server.url, net=FAST)
    with pytest.raises(network.DeadlineExceeded) as err:
        client.successful_runs("main")
    line = str(err.value)
    assert "\n" not in line and f"127.0.0.1:{server.port}" in line and "deadline of 1.5 s" in line
    assert TOKEN not in line


def test_artifact_download_that_trickles_ends_at_its_sized_deadline(trickle, tmp_path):
    server = trickle()
    client = GitHub("acme/app", token=TOKEN, api_url=server.url, net=FAST)
    with open(tmp_path / "a.zip", "w+b") as out, pytest.raises(network.DeadlineExceeded, match=r"deadline of 1\.5\d* s"):
        client.download(server.url + "/blob", out, 1 << 20, size=100)
    assert network.deadline_for({**FAST}, 65536) == pytest.approx(2.5)


def test_hub_upload_to_a_trickling_hub_ends_at_the_deadline(trickle, tmp_path, monkeypatch):
    from huggingface_hub import HfApi, constants
    from huggingface_hub.utils import _http as hf_http

    # huggingface_hub reads HF_HUB_OFFLINE once, at import: a test that imported it offline must not decide this one
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)

    from tasks.publish.upload import _upload_hf

    server = trickle(phase="headers")
    folder = tmp_path / "dataset"
    folder.mkdir()
    (folder / "train.jsonl").write_text("{}\n")
    try:
        hub_client.configure_hub(FAST)
        api = HfApi(endpoint=server.url, token="hf_" + "x" * 34)
        with pytest.raises(SecftError) as err:
            _upload_hf(api, "acme", {"key": "dataset", "name": "ds", "repo_type": "dataset", "folder": folder},
                       False, FAST, server.url)
    finally:
        hf_http.set_client_factory(hf_http.default_client_factory)
    line = str(err.value)
    assert "\n" not in line and f"127.0.0.1:{server.port}" in line and "deadline" in line


@pytest.mark.parametrize("phase", ["body", "headers"])
def test_base_model_download_from_a_trickling_hub_ends_at_the_deadline(trickle, phase, monkeypatch, tmp_path):
    """A Hub that trickles never trips the read timeout; the base model's download has an overall deadline."""
    from huggingface_hub import constants
    from huggingface_hub.utils import _http as hf_http

    from tasks.training import base_model

    server = trickle(phase=phase)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(constants, "ENDPOINT", server.url)
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    saved = constants.HF_HUB_DOWNLOAD_TIMEOUT, constants.HF_HUB_ETAG_TIMEOUT
    started = time.monotonic()
    try:
        with pytest.raises(SecftError) as err:
            base_model.fetch("acme/slow-model", cache_dir=tmp_path / "hf", net=FAST)
    finally:
        hf_http.set_client_factory(hf_http.default_client_factory)
        constants.HF_HUB_DOWNLOAD_TIMEOUT, constants.HF_HUB_ETAG_TIMEOUT = saved
    line = str(err.value)
    assert time.monotonic() - started < 15, "the download outlived its deadline"
    assert "\n" not in line and "acme/slow-model" in line and f"127.0.0.1:{server.port}" in line
    assert "deadline of 1.5 s" in line and server.accepted >= 1
    assert not (tmp_path / "hf").exists() or not any((tmp_path / "hf").rglob("*.safetensors"))


def test_fetch_cli_against_a_trickling_api_is_one_line_and_releases_the_lock(trickle, tmp_path):
    ws = make_workspace(tmp_path / "ws", artifacts=[])
    cfg = ws / "config/pipeline.yaml"
    cfg.write_text(cfg.read_text().replace("deadline_seconds: 300", "deadline_seconds: 1.5")
                   .replace("backoff_seconds: 2 ", "backoff_seconds: 0 ").replace("github_repo: null", "github_repo: acme/app"))
    server = trickle()
    proc = subprocess.run([sys.executable, "-m", "tasks.daemon", "--once"], cwd=ws,
                          env=clean_env(GITHUB_API_URL=server.url, GITHUB_TOKEN=TOKEN), capture_output=True, text=True,
                          timeout=120)
    out = proc.stdout + proc.stderr
    assert "Traceback" not in out and TOKEN not in out, out
    fetch_lines = [line for line in out.splitlines() if "fetch failed" in line]
    assert len(fetch_lines) == 1 and f"127.0.0.1:{server.port}" in fetch_lines[0] and "deadline of 1.5 s" in fetch_lines[0]
    with RunLock(ws / "fine-tuning" / ".secft.lock", timeout=0):
        pass
    with RunLock(ws / "fine-tuning" / ".secft-daemon.lock", timeout=0):
        pass


def test_the_deadline_settings_are_in_the_schema_and_the_config():
    from tasks.core.config import load_config

    config = load_config("config/pipeline.yaml")
    assert config["network"]["deadline_seconds"] == 300 and config["network"]["min_bytes_per_second"] == 65536
    assert config["daemon"]["fetch_retries"] == 5 and config["daemon"]["fetch_retry_backoff_seconds"] == 600
    with pytest.raises(SecftError, match="deadline_seconds"):
        load_config("config/pipeline.yaml", overrides={"network.deadline_seconds": -1})


# -- a failing run never blocks the others -------------------------------------------------------------
def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


class Runs:
    """Three runs; run 2's artifact answers ``status`` until ``heal()``."""

    def __init__(self, server, status: int):
        self.status, self.healed, self.downloads = status, False, {}
        runs = [{"id": rid, "head_branch": "main", "head_sha": SHA, "name": "CI",
                 "created_at": f"2026-11-2{rid}T10:00:00Z"} for rid in (1, 2, 3)]
        server.expect_request("/repos/acme/app/actions/runs").respond_with_json({"workflow_runs": runs})
        for rid in (1, 2, 3):
            server.expect_request(f"/repos/acme/app/actions/runs/{rid}/artifacts").respond_with_json({"artifacts": [
                {"id": rid, "name": "semgrep", "size_in_bytes": 1000, "expired": False,
                 "archive_download_url": server.url_for(f"/blob/{rid}")}]})
            server.expect_request(f"/blob/{rid}").respond_with_handler(lambda r, rid=rid: self._blob(rid))

    def _blob(self, rid):
        self.downloads[rid] = self.downloads.get(rid, 0) + 1
        if rid == 2 and not self.healed:
            return Response("no", status=self.status)
        return Response(_zip({"semgrep.json": REPORT}), content_type="application/zip")


@pytest.mark.parametrize("status", [404, 500, 503])
def test_a_failing_download_is_retried_with_backoff_and_never_blocks_other_runs(httpserver, tmp_path, status):
    runs = Runs(httpserver, status)
    client = GitHub("acme/app", token=TOKEN, api_url=httpserver.url_for("").rstrip("/"), net=FAST, sleep=lambda s: None)
    root, now, lines = tmp_path / "artifacts", [1000.0], []
    first = fetch(client, "main", root, retries=2, backoff=60, clock=lambda: now[0], log=lines.append)
    assert first["new_runs"] == ["1", "3"] and first["retry_later"] == ["2"]
    assert not (root / "2").exists() and (root / "3" / "run.json").is_file()
    ledger = json.loads((root / ".fetch_failures.json").read_text())["runs"]["2"]
    assert ledger["attempts"] == 1 and f"HTTP {status}" in ledger["reason"] and ledger["wait_seconds"] == 60
    assert any("retry 1 of 2 in 60 s" in line for line in lines)
    # within the back-off: not tried
    second = fetch(client, "main", root, retries=2, backoff=60, clock=lambda: now[0] + 30, log=lines.append)
    assert second["retry_later"] == ["2"] and runs.downloads[2] == first_downloads(status)
    # after it: tried again, fails, waits twice as long
    now[0] += 61
    fetch(client, "main", root, retries=2, backoff=60, clock=lambda: now[0], log=lines.append)
    assert json.loads((root / ".fetch_failures.json").read_text())["runs"]["2"]["wait_seconds"] == 120
    # healed: fetched, ledger cleared
    runs.healed = True
    now[0] += 121
    third = fetch(client, "main", root, retries=2, backoff=60, clock=lambda: now[0], log=lines.append)
    assert third["new_runs"] == ["2"] and (root / "2" / "semgrep" / "semgrep.json").is_file()
    assert not (root / ".fetch_failures.json").exists()


def first_downloads(status: int) -> int:
    return 2 if status >= 500 else 1  # a 5xx is retried within the fetch (network.retries = 1), a 404 is not


def test_a_run_that_keeps_failing_is_given_up_after_the_retries_and_recorded(httpserver, tmp_path):
    Runs(httpserver, 404)
    client = GitHub("acme/app", token=TOKEN, api_url=httpserver.url_for("").rstrip("/"), net=FAST, sleep=lambda s: None)
    root, now = tmp_path / "artifacts", [0.0]
    for _ in range(3):
        fetch(client, "main", root, retries=2, backoff=1, clock=lambda: now[0], log=lambda s: None)
        now[0] += 10
    record = json.loads((root / "2" / "run.json").read_text())
    assert record["artifacts"] == [] and "gave up after 3 attempt(s)" in record["refused"][0]["reason"]
    assert "HTTP 404" in record["refused"][0]["reason"] and not (root / ".fetch_failures.json").exists()


def test_a_damaged_failure_ledger_is_moved_aside(httpserver, tmp_path, capsys):
    Runs(httpserver, 500)
    root = tmp_path / "artifacts"
    root.mkdir()
    (root / ".fetch_failures.json").write_text("{broken")
    client = GitHub("acme/app", token=TOKEN, api_url=httpserver.url_for("").rstrip("/"), net=FAST, sleep=lambda s: None)
    result = fetch(client, "main", root, retries=2, backoff=60, log=lambda s: None)
    assert result["new_runs"] == ["1", "3"] and "moved aside" in capsys.readouterr().err
