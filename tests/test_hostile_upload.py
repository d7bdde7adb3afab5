"""Hostile settings and faults at publishing time: a Hub that never answers or fails, names that try to
leave the hub folder, a read-only destination, an empty dataset over a published one; PEFT folders."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import clean_env, run_doit
from test_hostile_net import FAST, silent  # noqa: F401 - the fixture

from tasks.core.config import load_config
from tasks.core.errors import SecftError
from tasks.core.network import NetworkError
from tasks.core.runlock import LOCK_PATH, RunLock
from tasks.publish.upload import upload

TOKEN = "hf_hostile_token_do_not_print_0123456789"


def _paths(ws):
    return {
        "training_data": ws / "fine-tuning/training_data", "stage1": ws / "fine-tuning/adapters/stage1",
        "stage2": ws / "fine-tuning/adapters/stage2", "model2": ws / "fine-tuning/models/stage2",
        "summary": ws / "data/findings/findings_summary.json", "staging": ws / "fine-tuning/.upload-staging",
        "peft": ws / "fine-tuning/peft", "eval": ws / "fine-tuning/eval",
    }


def snapshot(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(autouse=True)
def default_hub_client():
    """Tests here install short Hub timeouts; later tests in the process get the library's defaults back."""
    from huggingface_hub import constants
    from huggingface_hub.utils import _http as hf_http

    saved = constants.HF_HUB_DOWNLOAD_TIMEOUT, constants.HF_HUB_ETAG_TIMEOUT
    yield
    hf_http.set_client_factory(hf_http.default_client_factory)
    constants.HF_HUB_DOWNLOAD_TIMEOUT, constants.HF_HUB_ETAG_TIMEOUT = saved


@pytest.fixture
def ws(workspace, monkeypatch):
    monkeypatch.chdir(workspace)
    return workspace


def smoke(**upload_settings) -> dict:
    config = load_config(profile="smoke", environ={})
    config["upload"].update(upload_settings)
    return config


def test_doit_upload_to_a_hub_that_never_answers_ends_in_one_line_and_releases_the_lock(ws, silent):
    server = silent()
    profile = ws / "config/profiles/smoke.yaml"
    profile.write_text(profile.read_text().replace("destination: dir:fine-tuning/hub", "destination: hf\n  namespace: acme")
                       + "network:\n  connect_timeout_seconds: 2\n  read_timeout_seconds: 0.5\n  retries: 1\n  backoff_seconds: 0\n")
    marker = (ws / "fine-tuning/uploaded.json").read_text()
    run = run_doit(ws, "upload", "profile=smoke", env=clean_env(HF_ENDPOINT=server.url, HF_TOKEN=TOKEN, HF_HUB_OFFLINE="0"), timeout=300)
    assert run.returncode != 0 and "Traceback" not in run.output and TOKEN not in run.output
    assert f"upload of dataset to {server.url} failed after 2 attempt(s): no answer within 0.5 s" in run.output
    assert server.accepted >= 2
    with RunLock(ws / LOCK_PATH, timeout=0):  # released: the daemon and the next run are not blocked
        pass
    assert (ws / "fine-tuning/uploaded.json").read_text() == marker and not (ws / "fine-tuning/.upload-staging").exists()


def test_hub_5xx_is_retried_then_one_line_and_staging_removed(ws, httpserver, monkeypatch):
    httpserver.expect_request("/api/repos/create").respond_with_data("overloaded", status=503)
    monkeypatch.setenv("HF_ENDPOINT", httpserver.url_for("").rstrip("/"))
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    config = smoke(destination="hf", namespace="acme")
    config["network"] = {**FAST, "retries": 2}
    marker = ws / "fine-tuning/uploaded.json"
    before = marker.read_text()
    with pytest.raises(NetworkError) as exc:
        upload(config, _paths(ws), marker)
    assert str(exc.value).endswith("failed after 3 attempt(s): HTTP 503") and TOKEN not in str(exc.value)
    assert len([r for r, _ in httpserver.log if r.path == "/api/repos/create"]) == 3
    assert marker.read_text() == before and not (ws / "fine-tuning/.upload-staging").exists()


@pytest.mark.parametrize("key, value", [("namespace", ".."), ("dataset_repo", "../../data"), ("stage1_repo", "a/b"),
                                        ("namespace", "/tmp"), ("stage2_repo", "x--y"), ("dataset_repo", "")])
def test_hostile_repo_names_are_refused_before_anything_is_written(ws, key, value):
    before = snapshot(ws)
    with pytest.raises(SecftError, match=f"upload.{key}: .* is not a valid Hub name"):
        upload(smoke(**{key: value}), _paths(ws), ws / "fine-tuning/uploaded.json")
    assert snapshot(ws) == before
    with pytest.raises(SecftError, match=f"upload.{key}"):  # the schema refuses it too
        load_config(profile="smoke", environ={}, overrides={f"upload.{key}": value})


def test_read_only_destination_fails_fast_naming_the_path(ws, tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        (ro / "probe").write_text("x")
        (ro / "probe").unlink()
        ro = Path("/sys")  # root writes anywhere; sysfs is read-only even for root
        if not ro.is_dir() or os.access(ro, os.W_OK) and _writable(ro):
            pytest.skip("no read-only folder available to this user")
    except PermissionError:
        pass
    with pytest.raises(SecftError) as exc:
        upload(smoke(destination=f"dir:{ro}/hub"), _paths(ws), ws / "fine-tuning/uploaded.json")
    assert str(exc.value).startswith(f"upload.destination dir:{ro}/hub: {ro} is not writable (")
    assert not (ws / "fine-tuning/.upload-staging").exists()


def _writable(folder: Path) -> bool:
    try:
        (folder / ".secft-probe").write_text("x")
    except OSError:
        return False
    (folder / ".secft-probe").unlink()
    return True


def test_failed_dir_upload_removes_staging_and_keeps_the_marker(ws):
    hub = ws / "fine-tuning/hub"
    shutil.rmtree(hub / "models")
    (hub / "models").write_text("a file where a folder should be")
    marker = ws / "fine-tuning/uploaded.json"
    before = marker.read_text()
    with pytest.raises(SecftError, match="upload of stage1 to .*models.*failed"):
        upload(smoke(namespace="moved"), _paths(ws), marker)
    assert marker.read_text() == before and not (ws / "fine-tuning/.upload-staging").exists()


def test_empty_dataset_never_replaces_a_published_one(ws):
    published = snapshot(ws / "fine-tuning/hub")
    for name in ("stage1_train.jsonl", "stage1_valid.jsonl", "stage2_train.jsonl", "stage2_valid.jsonl"):
        (ws / "fine-tuning/training_data" / name).write_text("")
    with pytest.raises(SecftError, match="is empty; refusing to publish it over the published local/secft-security-findings"):
        upload(smoke(), _paths(ws), ws / "fine-tuning/uploaded.json")
    assert snapshot(ws / "fine-tuning/hub") == published


def test_a_new_namespace_or_repo_name_is_a_change(ws, capsys):
    marker = ws / "fine-tuning/uploaded.json"
    upload(smoke(), _paths(ws), marker)
    assert "nothing changed" in capsys.readouterr().out
    result = upload(smoke(namespace="acme", dataset_repo="renamed-findings"), _paths(ws), marker)
    assert result["repos"]["dataset"]["repo_id"] == "acme/renamed-findings"
    assert (ws / "fine-tuning/hub/datasets/acme/renamed-findings/stage1_train.jsonl").is_file()
    assert json.loads(marker.read_text())["targets"]["dataset"] == "acme/renamed-findings"


def test_peft_folders_go_into_the_stage_repos(ws):
    """export_peft's folders are published under peft/ in each stage repo, and a stale one is not."""
    peft = ws / "fine-tuning/peft"
    hub = ws / "fine-tuning/hub/models/local"
    assert snapshot(hub / "secft-olmo2-stage1-analysis/peft") == snapshot(peft / "stage1")
    assert snapshot(hub / "secft-olmo2-stage2-codefix/peft") == snapshot(peft / "stage2")
    shutil.rmtree(peft / "stage2")  # a stage whose export is gone is published without it
    shutil.rmtree(ws / "fine-tuning/hub")
    (ws / "fine-tuning/uploaded.json").unlink()
    run = run_doit(ws, "upload", "profile=smoke")
    assert run.returncode == 0 and "upload" in run.executed, run.output[-2000:]
    assert (hub / "secft-olmo2-stage1-analysis/peft/adapter_config.json").is_file()
    assert not (hub / "secft-olmo2-stage2-codefix/peft").exists()
    again = run_doit(ws, "upload", "profile=smoke")
    assert again.returncode == 0 and "upload" in again.uptodate


def test_empty_dataset_is_never_sent_to_the_hub_even_without_a_marker(ws, monkeypatch):
    from test_hostile_net import refused_port

    for name in ("stage1_train.jsonl", "stage1_valid.jsonl", "stage2_train.jsonl", "stage2_valid.jsonl"):
        (ws / "fine-tuning/training_data" / name).write_text("")
    marker = ws / "fine-tuning/uploaded.json"
    marker.unlink()  # a fresh workspace: nothing local says the Hub repo holds a published dataset
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{refused_port()}")  # no request may be needed to refuse
    with pytest.raises(SecftError, match="is empty; refusing to publish an empty dataset to the Hub repo"):
        upload(smoke(destination="hf", namespace="acme"), _paths(ws), marker)
    assert not marker.exists() and not (ws / "fine-tuning/.upload-staging").exists()


@pytest.mark.parametrize("where", ["fine-tuning/peft/stage1/token.json", "fine-tuning/models/stage2/token.json"])
def test_an_outside_link_in_an_upload_folder_is_one_line_and_nothing_is_published(ws, tmp_path, where):
    """A link in a folder that is published would copy a file from anywhere (a token) to the Hub: refused."""
    secret = tmp_path / "token"
    secret.write_text("hf_" + "S" * 34)
    (ws / where).symlink_to(secret)
    shutil.rmtree(ws / "fine-tuning/hub")
    (ws / "fine-tuning/uploaded.json").unlink()
    run = run_doit(ws, "upload", "profile=smoke")
    assert run.returncode != 0 and "Traceback" not in run.output, run.output[-2000:]
    assert "token.json is a symbolic link" in run.output and "refused" in run.output
    assert not (ws / "fine-tuning/hub").exists() or not any(
        "S" * 34 in p.read_text(errors="replace") for p in (ws / "fine-tuning/hub").rglob("*") if p.is_file())
    assert not (ws / "fine-tuning/.upload-staging").exists()
