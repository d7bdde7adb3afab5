"""Base-model resolution: the tiny local model, a local folder, or a Hub id.

A Hub id is fetched with ``huggingface_hub.snapshot_download`` into the
ordinary Hugging Face cache (the ``base_model`` task), so later runs and
other tools share it.  Offline and not cached is one clear error that says
what to do instead.
"""

from __future__ import annotations

import json
import os
import struct
from pathlib import Path

from tasks.core.errors import SecftError

TINY_MODEL_DIR = Path("fine-tuning/models/tiny-base")
# what an mlx-lm model folder needs; the rest of a Hub repo (PyTorch weights, ONNX) is skipped
ALLOW_PATTERNS = ["*.json", "*.safetensors", "*.model", "*.tiktoken", "*.txt", "*.py", "*.jinja"]
MODEL_SUFFIXES = (".json", ".safetensors", ".model", ".tiktoken", ".txt", ".jinja")
# bytes per element of the safetensors dtypes
_DTYPE_BYTES = {"BOOL": 1, "U8": 1, "I8": 1, "F8_E4M3": 1, "F8_E5M2": 1, "U16": 2, "I16": 2, "F16": 2, "BF16": 2,
                "U32": 4, "I32": 4, "F32": 4, "U64": 8, "I64": 8, "F64": 8}
_MAX_HEADER = 100 * 1024 * 1024


def is_tiny(base_model: str) -> bool:
    return base_model == "tiny"


def is_local(base_model: str) -> bool:
    return is_tiny(base_model) or base_model.startswith((".", "/", "~")) or Path(base_model).expanduser().is_dir()


def local_path(base_model: str) -> Path:
    if is_tiny(base_model):
        return TINY_MODEL_DIR
    return Path(base_model).expanduser()


def fetch(repo_id: str, revision: str | None = None, cache_dir: str | os.PathLike | None = None,
          net: dict | None = None) -> Path:
    """Download (or find in the cache) an mlx-lm-loadable snapshot of a Hub model.

    ``net``: the ``network`` settings (defaults when None).  huggingface_hub's
    shared client has no timeout, so a Hub that accepts and never answers
    hung ``doit base_model`` - and the daemon with it - forever; and a Hub that
    trickles a byte at a time never trips a read timeout, so the whole download
    also runs under an overall deadline sized by the snapshot (``network.deadline_seconds``
    + its bytes / ``network.min_bytes_per_second``, as an upload is).
    """
    from huggingface_hub import constants, snapshot_download

    from tasks.core import hub_client, network

    net = network.settings({"network": net} if net else None)
    hub_client.configure_hub(net)
    from huggingface_hub.errors import (
        GatedRepoError,
        HfHubHTTPError,
        LocalEntryNotFoundError,
        RepositoryNotFoundError,
    )

    offline = os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes")
    what = f"download of base_model {repo_id} from {network.shown(constants.ENDPOINT)}"
    try:
        size = 0 if offline else _snapshot_size(repo_id, revision, net, what)
        return Path(network.under_deadline(network.deadline_for(net, size), what, lambda: snapshot_download(
            repo_id, revision=revision, allow_patterns=ALLOW_PATTERNS, local_files_only=offline, cache_dir=cache_dir
        )))
    except SecftError:
        raise
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
    except Exception as exc:  # noqa: BLE001 - anything else from the client library: one line, never a traceback
        raise SecftError(f"{what}: failed: {type(exc).__name__}: {(str(exc).splitlines() or [''])[0][:200]}") from None


# the size assumed when the Hub does not say (it answered with an error that snapshot_download will report,
# or is unreachable and the cache answers): the deadline of a 2 GiB snapshot at the slowest accepted rate
UNKNOWN_SNAPSHOT_BYTES = 2 << 30


def _snapshot_size(repo_id: str, revision: str | None, net: dict, what: str) -> int:
    """Bytes of the files ``snapshot_download`` will fetch (``ALLOW_PATTERNS``), from the Hub's file metadata,
    asked under the base deadline: a Hub that trickles this answer ends here, in one line."""
    from fnmatch import fnmatch

    from huggingface_hub import HfApi

    from tasks.core import network

    try:
        info = network.under_deadline(network.deadline_for(net), what,
                                      lambda: HfApi().model_info(repo_id, revision=revision, files_metadata=True))
    except network.DeadlineExceeded:
        raise
    except Exception:  # noqa: BLE001 - snapshot_download asks again and reports the Hub's answer
        return UNKNOWN_SNAPSHOT_BYTES
    return sum(int(s.size or 0) for s in info.siblings or []
               if any(fnmatch(s.rfilename, p) for p in ALLOW_PATTERNS))


def resolve(base_model: str) -> Path:
    """The local folder to pass to ``mlx_lm.load`` for ``base_model``."""
    from tasks.training import known_models

    if known_models.is_known(base_model):
        return known_models.resolve(base_model, fetch)[0]
    if is_local(base_model):
        path = local_path(base_model)
        if not (path / "config.json").is_file():
            hint = " (run: doit tiny_base_model)" if is_tiny(base_model) else ""
            raise SecftError(f"{path}: base model folder has no config.json{hint}")
        return path
    return fetch(base_model)


def verify_safetensors(path: Path) -> None:
    """Check a safetensors file's header against its size: a truncated or corrupted file is one line.

    The format is an 8-byte little-endian header length, a JSON header with
    each tensor's dtype, shape and byte range, then the data.  Reading only
    the header makes this cheap enough to run before every training.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            head = fh.read(8)
            if len(head) < 8:
                raise SecftError(f"{path}: corrupted safetensors file: {size} bytes, shorter than its 8-byte header length")
            (n,) = struct.unpack("<Q", head)
            if n > _MAX_HEADER or 8 + n > size:
                raise SecftError(f"{path}: corrupted or truncated safetensors file: header of {n} bytes in a {size}-byte file")
            header = json.loads(fh.read(n).decode("utf-8"))
    except OSError as exc:
        raise SecftError(f"{path}: cannot read model file: {exc.strerror}") from None
    except (UnicodeDecodeError, ValueError):
        raise SecftError(f"{path}: corrupted safetensors file: its header is not JSON") from None
    if not isinstance(header, dict):
        raise SecftError(f"{path}: corrupted safetensors file: its header is not a JSON object")
    end = 0
    for name, info in header.items():
        if name == "__metadata__":
            continue
        try:
            start, stop = (int(x) for x in info["data_offsets"])
            count = 1
            for dim in info["shape"]:
                count *= int(dim)
            width = _DTYPE_BYTES.get(info["dtype"])
        except (KeyError, TypeError, ValueError):
            raise SecftError(f"{path}: corrupted safetensors file: bad header entry for tensor {name!r}") from None
        if width is not None and stop - start != count * width or not 0 <= start <= stop:
            raise SecftError(f"{path}: corrupted safetensors file: tensor {name!r} has a byte range that does not match its shape")
        end = max(end, stop)
    if 8 + n + end != size:
        raise SecftError(
            f"{path}: corrupted or truncated safetensors file: the header describes {8 + n + end} bytes, the file has {size}"
        )


def verify_model(path: Path) -> None:
    """A model folder has a readable config.json and intact weights (headers checked against sizes)."""
    path = Path(path)
    try:
        json.loads((path / "config.json").read_text(encoding="utf-8"))
    except OSError as exc:
        raise SecftError(f"{path / 'config.json'}: cannot read model config: {exc.strerror}") from None
    except (UnicodeDecodeError, ValueError):
        raise SecftError(f"{path / 'config.json'}: corrupted model config: not JSON") from None
    weights = sorted(path.glob("*.safetensors"))
    if not weights:
        raise SecftError(f"{path}: base model folder has no *.safetensors weights")
    for f in weights:
        verify_safetensors(f)


def model_files(path: Path) -> list[Path]:
    """The files of a local model folder that loading reads (tracked by content in the build graph)."""
    path = Path(path)
    if not path.is_dir():
        return []
    return sorted(f for f in path.iterdir() if f.is_file() and f.suffix in MODEL_SUFFIXES)


def content_record(path: Path) -> dict:
    """Size and sha256 of each model file: the base-model marker changes whenever the model does."""
    from tasks.core.hashing import sha256_file

    return {f.name: {"size": f.stat().st_size, "sha256": sha256_file(f)} for f in model_files(path)}


def resolve_verified(base_model: str) -> Path:
    """``resolve`` plus ``verify_model``: what training calls before loading anything."""
    path = resolve(base_model)
    verify_model(path)
    return path


def signature(path: Path) -> str:
    """A cheap content signature of a model folder: each file's size and, for weights, its header.

    Used in checkpoint fingerprints and the retrain policy, which run on
    every stage; the base_model task's marker holds full sha256s.
    """
    import hashlib

    from tasks.core.hashing import sha256_file, sha256_json

    parts = {}
    for f in model_files(path):
        size = f.stat().st_size
        if f.suffix == ".safetensors":
            with open(f, "rb") as fh:
                head = fh.read(8)
                n = struct.unpack("<Q", head)[0] if len(head) == 8 else 0
                parts[f.name] = [size, hashlib.sha256(head + fh.read(min(n, _MAX_HEADER))).hexdigest()]
        else:
            parts[f.name] = [size, sha256_file(f)]
    return sha256_json(parts)



def write_marker(marker: Path, base: str, skip: bool) -> None:
    """The ``base_model`` task: resolve and verify the base model, and record it (with its files' sha256).

    With fine-tuning skipped the model is not needed and not resolved; the marker says why.
    """
    from tasks.core.atomic import write_json

    if skip:
        write_json(marker, {"base_model": base, "path": "", "skipped": "fine_tuning.skip_fine_tuning is true"})
        return
    path = resolve_verified(base)
    write_json(marker, {"base_model": base, "path": str(path), "files": content_record(path)})


def dependencies(base: str, skip: bool, tiny: Path) -> list[str]:
    """The files the ``base_model`` task depends on by content: the tiny model's or a local folder's."""
    if skip:
        return []
    if is_tiny(base):
        return [str(tiny / n) for n in ("config.json", "model.safetensors", "tokenizer.json")]
    from tasks.training import known_models

    if known_models.is_known(base):  # offline and not in the HF cache: the gguf_base_model target's files
        if known_models.offline() and not known_models.hf_cached(known_models.KNOWN[base]["repo"]):
            return [str(known_models.converted_dir(base) / n) for n in ("config.json", "model.safetensors", "tokenizer.json")]
        return []
    if is_local(base):
        return [str(f) for f in model_files(local_path(base))]
    return []
