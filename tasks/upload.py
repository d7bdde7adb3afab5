"""Phase 4: publish datasets, the stage-1 adapter and the stage-2 model.

Destinations: ``hf`` - the Hugging Face Hub (or whatever ``HF_ENDPOINT``
points at) through ``huggingface_hub.HfApi`` with the token from
``HF_TOKEN``; ``dir:PATH`` - a local folder laid out like the Hub
(``PATH/datasets/<ns>/<name>``, ``PATH/models/<ns>/<name>``), the offline
default of the smoke profile.

The marker ``fine-tuning/uploaded.json`` records repo ids, commit ids and
URLs and the content hashes uploaded; an upload whose hashes equal the
marker's is skipped.  The token is never printed or logged, and the marker
is written only after every repo was uploaded.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from tasks import atomic
from tasks.cards import dataset_card, model_card
from tasks.errors import SecftError
from tasks.hashing import sha256_json

DATA_FILES = ["stage1_train.jsonl", "stage1_valid.jsonl", "stage2_train.jsonl", "stage2_valid.jsonl", "dataset_info.json"]


def _read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _folder_hashes(folder: Path) -> dict:
    from tasks.hashing import sha256_file

    return {p.relative_to(folder).as_posix(): sha256_file(p) for p in sorted(folder.rglob("*")) if p.is_file()}


def stage_repos(cfg_upload: dict, base_model: str, training_dir: Path, stage1_dir: Path, stage2_dir: Path, model2_dir: Path, summary_path: Path, staging: Path) -> list[dict]:
    """Lay out each repo's files in ``staging``; returns repo descriptions."""
    if staging.exists():
        shutil.rmtree(staging)
    info = _read_json(training_dir / "dataset_info.json")
    summary = _read_json(summary_path) if summary_path.exists() else {}
    repos = []

    ds = staging / "dataset"
    ds.mkdir(parents=True)
    for name in DATA_FILES:
        shutil.copy2(training_dir / name, ds / name)
    (ds / "README.md").write_text(dataset_card(info, summary), encoding="utf-8")
    repos.append({"key": "dataset", "name": cfg_upload["dataset_repo"], "repo_type": "dataset", "folder": ds})

    s1 = _read_json(stage1_dir / "metrics.json")
    if s1.get("status") == "trained":
        m1 = staging / "stage1"
        m1.mkdir()
        for name in ("adapters.safetensors", "adapter_config.json", "metrics.json"):
            shutil.copy2(stage1_dir / name, m1 / name)
        (m1 / "README.md").write_text(model_card("stage 1: vulnerability-analysis adapter", s1, info, base_model,
            "LoRA adapter (mlx-lm layout) that explains scanner findings: the weakness, its impact here, exploitation and the fix."), encoding="utf-8")
        repos.append({"key": "stage1", "name": cfg_upload["stage1_repo"], "repo_type": "model", "folder": m1})
    s2 = _read_json(stage2_dir / "metrics.json")
    if s2.get("status") == "trained":
        m2 = staging / "stage2"
        shutil.copytree(model2_dir, m2)
        shutil.copy2(stage2_dir / "metrics.json", m2 / "metrics.json")
        (m2 / "README.md").write_text(model_card("stage 2: code-fix model", s2, info, base_model,
            "Base model with the stage-1 analysis adapter and the stage-2 code-fix adapter fused in; loadable with mlx_lm.load."), encoding="utf-8")
        repos.append({"key": "stage2", "name": cfg_upload["stage2_repo"], "repo_type": "model", "folder": m2})
    for repo in repos:
        repo["hashes"] = _folder_hashes(repo["folder"])
    return repos


def _upload_dir(root: Path, namespace: str, repo: dict) -> dict:
    repo_id = f"{namespace}/{repo['name']}"
    dest = root / f"{repo['repo_type']}s" / repo_id
    commit = sha256_json(repo["hashes"])[:40]
    with atomic.directory(dest) as tmp:
        shutil.copytree(repo["folder"], tmp, dirs_exist_ok=True)
    return {"repo_id": repo_id, "repo_type": repo["repo_type"], "commit": commit, "url": dest.resolve().as_uri()}


def _upload_hf(api, namespace: str | None, repo: dict, private: bool) -> dict:
    from huggingface_hub.errors import HfHubHTTPError

    try:
        repo_id = f"{namespace}/{repo['name']}" if namespace else f"{api.whoami()['name']}/{repo['name']}"
        api.create_repo(repo_id, repo_type=repo["repo_type"], private=private, exist_ok=True)
        info = api.upload_folder(
            repo_id=repo_id, repo_type=repo["repo_type"], folder_path=str(repo["folder"]),
            commit_message=f"secft: upload {repo['key']}",
        )
    except HfHubHTTPError as exc:
        status = getattr(getattr(exc, "response", None), "status_code", None)
        hint = " (check HF_TOKEN: it is missing, invalid or lacks write access)" if status in (401, 403) else ""
        raise SecftError(f"upload of {repo['key']} to the Hub failed: HTTP {status}{hint}") from None
    return {"repo_id": repo_id, "repo_type": repo["repo_type"], "commit": info.oid, "url": info.commit_url}


def upload(config: dict, paths: dict, marker: Path) -> dict:
    """Publish (or skip) and write the marker; returns the marker content."""
    up = config["upload"]
    if not up["enabled"]:
        result = {"status": "disabled", "reason": "upload.enabled is false (set it or FINE_TUNING_UPLOAD_ENABLED=true)"}
        atomic.write_json(marker, result)
        return result
    repos = stage_repos(up, config["base_model"], paths["training_data"], paths["stage1"], paths["stage2"], paths["model2"], paths["summary"], paths["staging"])
    hashes = {r["key"]: sha256_json(r["hashes"]) for r in repos}
    previous = _read_json(marker) if marker.exists() else {}
    if previous.get("status") == "uploaded" and previous.get("hashes") == hashes and previous.get("destination") == up["destination"]:
        print("upload: nothing changed since the last upload; skipped")
        shutil.rmtree(paths["staging"], ignore_errors=True)
        return previous
    results = {}
    if up["destination"] == "hf":
        from huggingface_hub import HfApi

        token = os.environ.get("HF_TOKEN")
        if not token:
            raise SecftError("upload.destination is hf but HF_TOKEN is not set")
        api = HfApi(endpoint=os.environ.get("HF_ENDPOINT"), token=token)
        for repo in repos:
            results[repo["key"]] = _upload_hf(api, up["namespace"], repo, up["private"])
    else:
        root = Path(up["destination"][len("dir:"):]).expanduser()
        for repo in repos:
            results[repo["key"]] = _upload_dir(root, up["namespace"] or "local", repo)
    shutil.rmtree(paths["staging"], ignore_errors=True)
    result = {"status": "uploaded", "destination": up["destination"], "repos": results, "hashes": hashes}
    atomic.write_json(marker, result)
    for key, r in results.items():
        print(f"upload: {key} -> {r['repo_id']} @ {r['commit'][:12]}")
    return result
