"""Phase 4: publish datasets, the stage-1 adapter and the stage-2 model.

Destinations: ``hf`` - the Hugging Face Hub (or whatever ``HF_ENDPOINT``
points at) through ``huggingface_hub.HfApi`` with the token from
``HF_TOKEN``; ``dir:PATH`` - a local folder laid out like the Hub
(``PATH/datasets/<ns>/<name>``, ``PATH/models/<ns>/<name>``), the offline
default of the smoke profile.

The marker ``fine-tuning/uploaded.json`` records repo ids, commit ids and
URLs and the content hashes uploaded; an upload whose hashes, destination
and repo ids equal the marker's is skipped.  The token is never printed or
logged, and the marker is written only after every repo was uploaded.

Hostile or mistaken settings fail before anything is written, in one line:
repo names and the namespace follow the Hub's rules (no ``..``, no ``/``),
every ``dir:`` destination is resolved and checked to stay inside the hub
folder, a read-only ``dir:`` destination is named at once, and an empty
dataset never replaces a published one.  Hub calls have the ``network``
timeouts and bounded retries.  ``fine-tuning/peft/stage{1,2}/`` (Hugging
Face PEFT layout, written by ``export_peft``) go into the stage repos under
``peft/`` when they exist.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from pathlib import Path

from tasks.core import atomic, hub_client, network
from tasks.core.errors import SecftError
from tasks.core.hashing import sha256_json
from tasks.core.settings import Settings, Upload
from tasks.publish.cards import card_evaluation, dataset_card, model_card

DATA_FILES = ["stage1_train.jsonl", "stage1_valid.jsonl", "stage2_train.jsonl", "stage2_valid.jsonl", "dataset_info.json"]
# the Hub's repo-name rules (huggingface_hub.utils.validate_repo_id), ASCII only
HUB_NAME = re.compile(r"^(?!.*(--|\.\.))[A-Za-z0-9](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9])?$")
DEFAULT_ENDPOINT = "https://huggingface.co"
# a stage whose adapter is published: trained now, or kept by the retraining policy (same adapter as before)
USABLE = ("trained", "kept")


def check_names(up: Upload | dict) -> None:
    """Refuse a namespace or repo name the Hub would refuse (and any path-like name)."""
    for key in ("namespace", "dataset_repo", "stage1_repo", "stage2_repo"):
        value = up.get(key)
        if value is None and key == "namespace":
            continue
        if not isinstance(value, str) or not HUB_NAME.match(value) or value.endswith(".git"):
            raise SecftError(f"upload.{key}: {value!r} is not a valid Hub name (letters, digits, '-', '_', '.'; "
                             "no '/', '..' or '--'; at most 96 characters)")


def _dir_root(destination: str) -> Path:
    """The hub folder of a ``dir:`` destination, checked writable before anything is built."""
    root = Path(destination[len("dir:"):]).expanduser()
    probe = root
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if not probe.is_dir():
        raise SecftError(f"upload.destination {destination}: {probe} is not a folder")
    try:  # a real write: os.access says yes to root on a read-only mount
        fd, name = tempfile.mkstemp(prefix=".secft-probe-", dir=probe)
        os.close(fd)
        os.unlink(name)
    except OSError as exc:
        raise SecftError(f"upload.destination {destination}: {probe} is not writable ({exc.strerror})") from None
    return root


def _rows(path: Path) -> int:
    with open(path, "rb") as fh:
        return sum(1 for line in fh if line.strip())


def _dataset_empty(training_dir: Path) -> bool:
    return all(_rows(training_dir / n) == 0 for n in DATA_FILES if n.endswith(".jsonl"))


def _read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _copy_file(src: Path, dst: Path) -> None:
    """Copy one published file; a symbolic link (or anything but a regular file) is refused, never followed."""
    if src.is_symlink() or not src.is_file():
        raise SecftError(f"upload: {src} is {'a symbolic link' if src.is_symlink() else 'not a regular file'}; refused")
    shutil.copy2(src, dst, follow_symlinks=False)


def _folder_hashes(folder: Path) -> dict:
    from tasks.core.hashing import sha256_file

    return {p.relative_to(folder).as_posix(): sha256_file(p) for p in atomic.regular_files(folder, "upload folder")}


def peft_digest(peft_dir: Path) -> str | None:
    """A content digest of the optional PEFT exports (None when there are none), for doit's uptodate."""
    hashes = {stage: _folder_hashes(peft_dir / stage) for stage in ("stage1", "stage2") if (peft_dir / stage).is_dir()}
    return sha256_json(hashes) if any(hashes.values()) else None


def _add_peft(peft_dir: Path | None, stage: str, folder: Path) -> None:
    """Copy ``<peft_dir>/<stage>/`` into ``folder/peft/`` when it exists (optional)."""
    src = peft_dir / stage if peft_dir is not None else None
    if src is not None and src.is_dir() and atomic.regular_files(src, "upload folder"):
        atomic.copy_regular(src, folder / "peft", "upload folder")


def _card_extras(eval_dir: Path | None, stage: str, folder: Path) -> dict:
    """The evaluation table, the loss plot and the PEFT note for a model card (each optional)."""
    extras = card_evaluation(eval_dir, stage, folder) if eval_dir is not None else {}
    if (folder / "peft").is_dir():
        extras["peft_folder"] = "peft"
    return extras


def stage_repos(cfg_upload: dict, base_model: str, training_dir: Path, stage1_dir: Path, stage2_dir: Path, model2_dir: Path,
                summary_path: Path, staging: Path, peft_dir: Path | None = None, eval_dir: Path | None = None) -> list[dict]:
    """Lay out each repo's files in ``staging``; returns repo descriptions."""
    if staging.exists():
        shutil.rmtree(staging)
    info = _read_json(training_dir / "dataset_info.json")
    summary = _read_json(summary_path) if summary_path.exists() else {}
    repos = []

    ds = staging / "dataset"
    ds.mkdir(parents=True)
    for name in DATA_FILES:
        _copy_file(training_dir / name, ds / name)
    (ds / "README.md").write_text(dataset_card(info, summary), encoding="utf-8")
    repos.append({"key": "dataset", "name": cfg_upload["dataset_repo"], "repo_type": "dataset", "folder": ds})

    s1 = _read_json(stage1_dir / "metrics.json")
    if s1.get("status") in USABLE:
        m1 = staging / "stage1"
        m1.mkdir()
        for name in ("adapters.safetensors", "adapter_config.json", "metrics.json"):
            _copy_file(stage1_dir / name, m1 / name)
        _add_peft(peft_dir, "stage1", m1)
        (m1 / "README.md").write_text(model_card("stage 1: vulnerability-analysis adapter", s1, info, base_model,
            "LoRA adapter (mlx-lm layout) that explains scanner findings: the weakness, its impact here, exploitation and the fix.",
            **_card_extras(eval_dir, "stage1", m1)), encoding="utf-8")
        repos.append({"key": "stage1", "name": cfg_upload["stage1_repo"], "repo_type": "model", "folder": m1})
    s2 = _read_json(stage2_dir / "metrics.json")
    if s2.get("status") in USABLE:
        m2 = staging / "stage2"
        atomic.copy_regular(model2_dir, m2, "upload folder")
        _copy_file(stage2_dir / "metrics.json", m2 / "metrics.json")
        _add_peft(peft_dir, "stage2", m2)
        (m2 / "README.md").write_text(model_card("stage 2: code-fix model", s2, info, base_model,
            "Base model with the stage-1 analysis adapter and the stage-2 code-fix adapter fused in; loadable with mlx_lm.load.",
            **_card_extras(eval_dir, "stage2", m2)), encoding="utf-8")
        repos.append({"key": "stage2", "name": cfg_upload["stage2_repo"], "repo_type": "model", "folder": m2})
    for repo in repos:
        repo["hashes"] = _folder_hashes(repo["folder"])
    return repos


def _upload_dir(root: Path, namespace: str, repo: dict) -> dict:
    repo_id = f"{namespace}/{repo['name']}"
    dest = root / f"{repo['repo_type']}s" / repo_id
    atomic.inside(dest, root, f"upload of {repo['key']} to")
    commit = sha256_json(repo["hashes"])[:40]
    try:
        with atomic.directory(dest, root=root) as tmp:
            shutil.copytree(repo["folder"], tmp, dirs_exist_ok=True)
    except OSError as exc:
        raise SecftError(f"upload of {repo['key']} to {getattr(exc, 'filename', None) or dest} failed: {exc.strerror or exc}") from None
    return {"repo_id": repo_id, "repo_type": repo["repo_type"], "commit": commit, "url": dest.resolve().as_uri()}


def _hub_retryable(exc: BaseException) -> bool:
    """5xx answers and transport failures are retried; other HTTP errors are final."""
    status = network.status_of(exc)
    if status is not None:
        return status >= 500 or status in (408, 429)
    return network.is_transport_error(exc)


def _upload_hf(api, namespace: str | None, repo: dict, private: bool, net: dict, endpoint: str) -> dict:
    from huggingface_hub.errors import HfHubHTTPError

    def call():
        repo_id = f"{namespace}/{repo['name']}" if namespace else f"{api.whoami()['name']}/{repo['name']}"
        api.create_repo(repo_id, repo_type=repo["repo_type"], private=private, exist_ok=True)
        info = api.upload_folder(
            repo_id=repo_id, repo_type=repo["repo_type"], folder_path=str(repo["folder"]),
            commit_message=f"secft: upload {repo['key']}",
        )
        return repo_id, info

    what = f"upload of {repo['key']} to {network.shown(endpoint)}"
    size = sum(p.stat().st_size for p in atomic.regular_files(repo["folder"], "upload folder"))
    try:
        repo_id, info = network.under_deadline(  # a trickling Hub cannot hold the lock
            network.deadline_for(net, size), what, lambda: network.with_retries(what, call, net, _hub_retryable))
    except SecftError:
        raise
    except HfHubHTTPError as exc:
        status = network.status_of(exc)
        hint = " (check HF_TOKEN: it is missing, invalid or lacks write access)" if status in (401, 403) else ""
        raise SecftError(f"upload of {repo['key']} to the Hub failed: HTTP {status}{hint}") from None
    except Exception as exc:  # noqa: BLE001 - anything else from the client library: one line, no traceback
        raise SecftError(f"upload of {repo['key']} to {network.shown(endpoint)} failed: {type(exc).__name__}: {str(exc)[:200]}") from None
    return {"repo_id": repo_id, "repo_type": repo["repo_type"], "commit": info.oid, "url": info.commit_url}


def _targets(up: Upload) -> dict:
    """Where each repo goes: part of what decides whether anything changed."""
    ns = up.namespace or ("local" if up.destination.startswith("dir:") else "(token user)")
    return {"destination": up.destination, "private": up.private,
            **{key: f"{ns}/{up[f'{key}_repo']}" for key in ("dataset", "stage1", "stage2")}}


def upload(config: dict, paths: dict, marker: Path) -> dict:
    """Publish (or skip) and write the marker; returns the marker content."""
    up = Settings.of(config).upload
    if not up.enabled:
        result = {"status": "disabled", "reason": "upload.enabled is false (set it or FINE_TUNING_UPLOAD_ENABLED=true)"}
        atomic.write_json(marker, result)
        return result
    check_names(up)
    root = _dir_root(up.destination) if up.destination.startswith("dir:") else None
    from tasks.core import state as state_files

    previous = state_files.load(marker, dict, "upload marker") or {}  # damaged: moved aside, published anew
    targets = _targets(up)
    if _dataset_empty(paths["training_data"]):
        published = (previous.get("status") == "uploaded" and previous.get("destination") == up.destination) or (
            root is not None and (root / "datasets" / targets["dataset"]).is_dir())
        if root is None and not published:
            # without a marker (a fresh workspace, another machine) only the Hub knows whether the repo holds
            # a published dataset; an empty one is never worth publishing, so it is refused before any request
            raise SecftError(f"upload: the dataset in {paths['training_data']} is empty; refusing to publish an empty "
                             f"dataset to the Hub repo {targets['dataset']}, which may hold a published one "
                             "(check the artifacts and findings)")
        if published:
            raise SecftError(f"upload: the dataset in {paths['training_data']} is empty; refusing to publish it over "
                             f"the published {targets['dataset']} (check the artifacts and findings)")
    staging = paths["staging"]
    try:
        repos = stage_repos(up, config["base_model"], paths["training_data"], paths["stage1"], paths["stage2"],
                            paths["model2"], paths["summary"], staging, paths.get("peft"), paths.get("eval"))
        hashes = {r["key"]: sha256_json(r["hashes"]) for r in repos}
        if previous.get("status") == "uploaded" and previous.get("hashes") == hashes and previous.get("targets", {}) == targets:
            print("upload: nothing changed since the last upload; skipped")
            return previous
        results = _publish(config, up, repos, root)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    result = {"status": "uploaded", "destination": up.destination, "repos": results, "hashes": hashes, "targets": targets}
    atomic.write_json(marker, result)
    for key, r in results.items():
        print(f"upload: {key} -> {r['repo_id']} @ {r['commit'][:12]}")
    return result


def _publish(config: dict, up: dict, repos: list[dict], root: Path | None) -> dict:
    results = {}
    if root is None:
        from huggingface_hub import HfApi

        token = os.environ.get("HF_TOKEN")
        if not token:
            raise SecftError("upload.destination is hf but HF_TOKEN is not set")
        net = network.settings(config)
        hub_client.configure_hub(net)
        endpoint = os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT
        api = HfApi(endpoint=endpoint, token=token)
        for repo in repos:
            results[repo["key"]] = _upload_hf(api, up.namespace, repo, up.private, net, endpoint)
    else:
        for repo in repos:
            results[repo["key"]] = _upload_dir(root, up.namespace or "local", repo)
    return results
