"""Resumable checkpoints: LoRA weights, optimizer state and history.

Each checkpoint is a folder ``step-<n>/`` written completely before
``state.json`` (written atomically, last) names it; a kill at any moment
leaves either the previous checkpoint or the new one, never a mix.  The
fingerprint covers data, base model and hyperparameters: a checkpoint of a
different run is ignored rather than resumed.  The batch order needs no
saving: it is a function of (seed, step) (``batches.batch_for_step``), and
so is the RNG key of each step (dropout), which the loop reseeds per step.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from tasks.core import atomic


@dataclass
class Resume:
    step: int
    folder: Path
    state: dict = field(default_factory=dict)


class Checkpoints:
    def __init__(self, directory: Path, fingerprint: str):
        self.dir = Path(directory)
        self.fingerprint = fingerprint

    def load(self) -> Resume | None:
        try:
            state = json.loads((self.dir / "state.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(state, dict) or state.get("fingerprint") != self.fingerprint:
            return None
        folder = self.dir / str(state.get("folder", ""))
        if folder.parent != self.dir or not all((folder / n).is_file() for n in ("adapters.safetensors", "optimizer.safetensors")):
            return None
        return Resume(int(state["step"]), folder, state)

    def save(self, model, optimizer, step: int, extra: dict) -> None:
        import mlx.core as mx
        from mlx.utils import tree_flatten

        self.dir.mkdir(parents=True, exist_ok=True)
        name = f"step-{step:08d}"
        with atomic.directory(self.dir / name) as tmp:
            mx.save_safetensors(str(tmp / "adapters.safetensors"), dict(tree_flatten(model.trainable_parameters())))
            mx.save_safetensors(str(tmp / "optimizer.safetensors"), dict(tree_flatten(optimizer.state)))
        atomic.write_json(self.dir / "state.json", {"fingerprint": self.fingerprint, "step": step, "folder": name, **extra})
        for old in self.dir.glob("step-*"):
            if old.name != name:
                shutil.rmtree(old, ignore_errors=True)

    def restore(self, resume: Resume, model, optimizer) -> None:
        """Load the weights and the optimizer moments and step count saved at ``resume.step``."""
        import mlx.core as mx
        from mlx.utils import tree_unflatten

        model.load_weights(str(resume.folder / "adapters.safetensors"), strict=False)
        saved = mx.load(str(resume.folder / "optimizer.safetensors"))
        optimizer.init(model.trainable_parameters())
        _merge(optimizer.state, tree_unflatten(list(saved.items())))

    def clear(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


def _merge(into, saved) -> None:
    """Copy saved leaves into the optimizer's own state tree (keeping its list/dict structure)."""
    keys = range(len(saved)) if isinstance(saved, list) else saved.keys()
    for k in keys:
        value = saved[k]
        if isinstance(value, (dict, list)):
            _merge(into[k], value)
        else:
            into[k] = value
