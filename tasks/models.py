"""Base-model resolution: the tiny local model, a local folder, or a Hub id.

A Hub id is fetched with ``huggingface_hub.snapshot_download`` into the
ordinary Hugging Face cache (the ``base_model`` task), so later runs and
other tools share it.  Offline and not cached is one clear error that says
what to do instead.
"""

from __future__ import annotations

import os
from pathlib import Path

from tasks.errors import SecftError

TINY_MODEL_DIR = Path("fine-tuning/models/tiny-base")
# what an mlx-lm model folder needs; the rest of a Hub repo (PyTorch weights, ONNX) is skipped
ALLOW_PATTERNS = ["*.json", "*.safetensors", "*.model", "*.tiktoken", "*.txt", "*.py", "*.jinja"]


def is_tiny(base_model: str) -> bool:
    return base_model == "tiny"


def is_local(base_model: str) -> bool:
    return is_tiny(base_model) or base_model.startswith((".", "/", "~")) or Path(base_model).expanduser().is_dir()


def local_path(base_model: str) -> Path:
    if is_tiny(base_model):
        return TINY_MODEL_DIR
    return Path(base_model).expanduser()


def fetch(repo_id: str, revision: str | None = None, cache_dir: str | os.PathLike | None = None) -> Path:
    """Download (or find in the cache) an mlx-lm-loadable snapshot of a Hub model."""
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import (
        GatedRepoError,
        HfHubHTTPError,
        LocalEntryNotFoundError,
        RepositoryNotFoundError,
    )

    offline = os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes")
    try:
        return Path(snapshot_download(
            repo_id, revision=revision, allow_patterns=ALLOW_PATTERNS, local_files_only=offline, cache_dir=cache_dir
        ))
    except LocalEntryNotFoundError:
        raise SecftError(
            f"base_model {repo_id}: not in the Hugging Face cache and the Hub cannot be reached; "
            "download it once online, set base_model to a local model folder, or use the smoke profile "
            "(doit profile=smoke) which builds a tiny model offline"
        ) from None
    except (RepositoryNotFoundError, GatedRepoError) as exc:
        raise SecftError(f"base_model {repo_id}: {type(exc).__name__}: check the id and HF_TOKEN") from None
    except HfHubHTTPError as exc:
        raise SecftError(f"base_model {repo_id}: download failed: {str(exc).splitlines()[0]}") from None


def resolve(base_model: str) -> Path:
    """The local folder to pass to ``mlx_lm.load`` for ``base_model``."""
    if is_local(base_model):
        path = local_path(base_model)
        if not (path / "config.json").is_file():
            hint = " (run: doit tiny_base_model)" if is_tiny(base_model) else ""
            raise SecftError(f"{path}: base model folder has no config.json{hint}")
        return path
    return fetch(base_model)
