"""Publishing: the local-folder hub, and the real huggingface_hub client against a local server."""

from __future__ import annotations

import hashlib
import json
import re
import shutil

import pytest
from conftest import REPO
from werkzeug import Response

from tasks.core.config import load_config
from tasks.core.errors import SecftError
from tasks.publish.upload import upload

TOKEN = "hf_testtoken_do_not_print_0123456789"


def _paths(ws):
    return {
        "training_data": ws / "fine-tuning/training_data", "stage1": ws / "fine-tuning/adapters/stage1",
        "stage2": ws / "fine-tuning/adapters/stage2", "model2": ws / "fine-tuning/models/stage2",
        "summary": ws / "data/findings/findings_summary.json", "staging": ws / "fine-tuning/.upload-staging",
        "peft": ws / "fine-tuning/peft", "eval": ws / "fine-tuning/eval",
    }


def test_local_hub_layout_cards_and_marker(smoke_workspace):
    hub = smoke_workspace / "fine-tuning/hub"
    ds = hub / "datasets/local/secft-security-findings"
    assert sorted(p.name for p in ds.iterdir()) == sorted(
        ["README.md", "dataset_info.json", "stage1_train.jsonl", "stage1_valid.jsonl", "stage2_train.jsonl", "stage2_valid.jsonl"])
    card = (ds / "README.md").read_text()
    assert card.startswith("---\nlicense:") and "## Redaction" in card and "## Sources" in card and "gitleaks8_many.json" in card
    s1 = hub / "models/local/secft-olmo2-stage1-analysis"
    assert {"adapters.safetensors", "adapter_config.json", "README.md", "loss_stage1.png"} <= {p.name for p in s1.iterdir()}
    assert (s1 / "peft" / "adapter_config.json").is_file() and (s1 / "peft" / "adapter_model.safetensors").is_file()
    s1card = (s1 / "README.md").read_text()
    assert "## Evaluation" in s1card and "cwe_accuracy" in s1card and "loss_stage1.png" in s1card
    s2card = (hub / "models/local/secft-olmo2-stage2-codefix/README.md").read_text()
    assert "base_model: \"tiny\"" in s2card and "learning_rate" in s2card and "forgetting" in s2card
    marker = json.loads((smoke_workspace / "fine-tuning/uploaded.json").read_text())
    assert marker["repos"]["dataset"]["repo_id"] == "local/secft-security-findings"
    assert marker["repos"]["stage2"]["url"].startswith("file://")


def test_unchanged_upload_is_skipped(workspace, monkeypatch, capsys):
    monkeypatch.chdir(workspace)
    config = load_config(profile="smoke", environ={})
    before = (workspace / "fine-tuning/uploaded.json").read_text()
    shutil.rmtree(workspace / "fine-tuning/hub")
    upload(config, _paths(workspace), workspace / "fine-tuning/uploaded.json")
    assert "nothing changed since the last upload; skipped" in capsys.readouterr().out
    assert not (workspace / "fine-tuning/hub").exists()
    assert (workspace / "fine-tuning/uploaded.json").read_text() == before


class FakeHub:
    """Just enough of the Hub's HTTP API for create_repo + upload_folder, recording every request."""

    def __init__(self, server, create_status=200):
        self.server, self.create_status, self.requests = server, create_status, []
        server.expect_request(re.compile(".*")).respond_with_handler(self.handle)

    def handle(self, request):
        self.requests.append((request.method, request.path, request.headers.get("authorization"), request.get_data()))
        url = self.server.url_for("")
        if request.path == "/api/repos/create":
            if self.create_status != 200:
                return Response(json.dumps({"error": "Invalid username or password."}), self.create_status, content_type="application/json")
            body = json.loads(request.get_data())
            prefix = "datasets/" if body.get("type") == "dataset" else ""
            return Response(json.dumps({"url": f"{url}{prefix}{body['organization']}/{body['name']}"}), content_type="application/json")
        if request.path == "/api/validate-yaml":  # the client checks README.md metadata before committing
            return Response(json.dumps({"errors": [], "warnings": []}), content_type="application/json")
        m = re.fullmatch(r"/api/(models|datasets)/([^/]+/[^/]+)/preupload/main", request.path)
        if m:
            files = json.loads(request.get_data())["files"]
            return Response(json.dumps({"files": [{"path": f["path"], "uploadMode": "regular", "shouldIgnore": False} for f in files]}), content_type="application/json")
        m = re.fullmatch(r"/api/(models|datasets)/([^/]+/[^/]+)/commit/main", request.path)
        if m:
            oid = hashlib.sha1(request.get_data()).hexdigest()
            prefix = "datasets/" if m.group(1) == "datasets" else ""
            return Response(json.dumps({"commitOid": oid, "commitUrl": f"{url}{prefix}{m.group(2)}/commit/{oid}"}), content_type="application/json")
        return Response("not found", 404)


@pytest.fixture
def hub_env(workspace, monkeypatch, httpserver):
    monkeypatch.chdir(workspace)
    monkeypatch.setenv("HF_ENDPOINT", httpserver.url_for("").rstrip("/"))
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    config = load_config(profile="smoke", environ={})
    config["upload"].update(destination="hf", namespace="acme")
    return config


def test_hub_upload_makes_the_expected_requests(hub_env, workspace, httpserver, capsys):
    hub = FakeHub(httpserver)
    marker = workspace / "fine-tuning/uploaded.json"
    result = upload(hub_env, _paths(workspace), marker)
    calls = [(m, p) for m, p, _, _ in hub.requests]
    for repo, kind in (("acme/secft-security-findings", "datasets"), ("acme/secft-olmo2-stage1-analysis", "models"), ("acme/secft-olmo2-stage2-codefix", "models")):
        assert ("POST", f"/api/{kind}/{repo}/preupload/main") in calls
        assert ("POST", f"/api/{kind}/{repo}/commit/main") in calls
    assert calls.count(("POST", "/api/repos/create")) == 3
    writes = [auth for m, p, auth, _ in hub.requests if m == "POST" and p.startswith(("/api/repos", "/api/models", "/api/datasets"))]
    assert len(writes) == 9 and all(auth == f"Bearer {TOKEN}" for auth in writes)
    commit_bodies = b"".join(body for m, p, _, body in hub.requests if p.endswith("/commit/main"))
    assert b"stage1_train.jsonl" in commit_bodies and b"adapters.safetensors" in commit_bodies and b"README.md" in commit_bodies
    assert result["status"] == "uploaded" and result["repos"]["stage2"]["repo_id"] == "acme/secft-olmo2-stage2-codefix"
    assert re.fullmatch(r"[0-9a-f]{40}", result["repos"]["dataset"]["commit"])
    saved = marker.read_text()
    out = capsys.readouterr()
    assert TOKEN not in saved and TOKEN not in out.out + out.err


def test_bad_token_is_a_clear_error_and_no_marker(hub_env, workspace, httpserver, capsys):
    FakeHub(httpserver, create_status=401)
    marker = workspace / "fine-tuning/uploaded.json"
    marker.unlink()
    with pytest.raises(SecftError) as exc:
        upload(hub_env, _paths(workspace), marker)
    assert str(exc.value) == "upload of dataset to the Hub failed: HTTP 401 (check HF_TOKEN: it is missing, invalid or lacks write access)"
    assert not marker.exists()
    assert TOKEN not in str(exc.value) + capsys.readouterr().out


def test_missing_token(hub_env, workspace, monkeypatch):
    monkeypatch.delenv("HF_TOKEN")
    with pytest.raises(SecftError, match="HF_TOKEN is not set"):
        upload(hub_env, _paths(workspace), workspace / "fine-tuning/uploaded.json")


def test_upload_disabled_writes_a_disabled_marker(workspace, monkeypatch):
    monkeypatch.chdir(workspace)
    config = load_config(REPO / "config/pipeline.yaml", environ={})
    marker = workspace / "m.json"
    assert upload(config, _paths(workspace), marker)["status"] == "disabled"
    assert json.loads(marker.read_text())["status"] == "disabled"
