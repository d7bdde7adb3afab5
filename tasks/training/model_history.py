"""Model history: the last trained outputs of each adapter, to compare and roll back.

    python -m tasks.models list [--json] [--workspace PATH]
    python -m tasks.models restore NAME [--workspace PATH]

The usage guide names each fine-tuned model with a timestamp and keeps the
earlier ones; a retrain on bad data must not lose the adapter that worked.
After every successful training (a pipeline stage or the standalone
trainer) the stage's folders are copied to
``fine-tuning/history/<UTC timestamp>_<short dataset hash>/`` (same
relative layout: ``adapters/stage1/``, and for stage 2 also
``models/stage2/``, the fused model) with ``build.json`` naming the
adapter, the metrics summary and a fingerprint of the adapter files.  Only
the newest ``fine_tuning.keep_builds`` (default 5) entries of each adapter
are kept.  Copies, not hard links: a file changed in place must not change
history.

``restore NAME`` puts an entry back where it was trained, under the run
lock.  It first removes the live ``metrics.json`` (the stage's doit
target), then swaps each folder in atomically (tasks.core.atomic.directory),
the adapter folder with its metrics last: an interrupted restore leaves the
stage without a target, so doit rebuilds it instead of taking a mixed
folder as built.  A restored stage is then *up to date* for doit (its
target exists, settings and data unchanged, outputs intact); what depends
on it is rebuilt deliberately: restoring stage 1 retrains stage 2 on top
of it, restoring either re-runs evaluate, export_peft and upload.  A
stage-2 entry is only restored over the stage-1 adapter it was trained on.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import time
from pathlib import Path

from tasks.core import atomic
from tasks.core.errors import SecftError, run_command
from tasks.core.hashing import sha256_file, sha256_json
from tasks.training.history_repair import rebuild, well_formed

DEFAULT_KEEP = 5
BUILD_FILE = "build.json"
ROWS_FILE = "trained_rows.txt"  # written beside every trained adapter (tasks.training.policy)
NAME = re.compile(r"^[0-9]{8}T[0-9]{6}Z_[0-9a-f]{8}(?:-[0-9]{1,3})?$")
_PLAIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,62}[A-Za-z0-9])?$")
_SUMMARY_KEYS = ("stage", "status", "mode", "iterations", "valid_loss_before", "valid_loss_after", "forgetting",
                 "base_model", "train_rows", "valid_rows", "wall_time_s", "dataset")


def _files(folder: Path) -> list[Path]:
    """The files of a stage or history folder; a symbolic link anywhere is refused in one line, never followed."""
    return atomic.regular_files(folder, "model folder")


def fingerprint(folder: Path) -> str | None:
    """The adapter files' content (metrics.json excluded: it is rewritten when a stage is kept)."""
    if not folder.is_dir():
        return None
    return sha256_json({f.relative_to(folder).as_posix(): sha256_file(f) for f in _files(folder) if f.name != "metrics.json"})


def _copy_folder(src: Path, dst: Path) -> None:
    atomic.copy_regular(src, dst, "model folder")


def _folders(metrics: dict) -> tuple[Path, list[Path]] | None:
    """(adapter folder, every output folder) of a trained stage, from the outputs its metrics list."""
    parents = sorted({Path(name).parent for name in metrics.get("outputs") or {}})
    adapter = [p for p in parents if (p / ROWS_FILE).is_file() and p.parent.name == "adapters"]
    if len(adapter) != 1:
        return None
    root = adapter[0].parent.parent
    if any(p.parent.resolve() not in ((root / "adapters").resolve(), (root / "models").resolve()) for p in parents):
        return None
    return adapter[0], parents


def record(config: dict, metrics: dict, kind: str = "pipeline") -> str | None:
    """Keep a copy of a just-trained stage in the history; returns the entry name (None: nothing kept).

    Called once a stage has written its outputs and metrics.json; anything
    but ``status: "trained"`` (kept, skipped, failed) adds nothing.  The
    history is a convenience: when it cannot be written (disk full) the
    training still counts, and one line says what was not kept.
    """
    if not isinstance(metrics, dict) or metrics.get("status") != "trained":
        return None
    try:
        return _record(config, metrics, kind)
    except (SecftError, OSError) as exc:
        where = getattr(exc, "filename", None)
        print(f"history: no copy kept of this {metrics.get('stage', 'adapter')}: {f'{where}: ' if where else ''}"
              f"{getattr(exc, 'strerror', None) or exc}", file=sys.stderr)
        return None


def _record(config: dict, metrics: dict, kind: str) -> str | None:
    found = _folders(metrics)
    if found is None:
        return None
    adapter_dir, folders = found
    root = adapter_dir.parent.parent
    keep = int((config.get("fine_tuning") or {}).get("keep_builds", DEFAULT_KEEP))
    history = root / "history"
    if keep > 0:
        data_hash = str(metrics.get("data_sha256") or sha256_file(adapter_dir / ROWS_FILE))[:8]
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        name = f"{stamp}_{data_hash}"
        n = 1
        while (history / name).exists():
            n += 1
            name = f"{stamp}_{data_hash}-{n}"
        build = {
            "name": name, "adapter": adapter_dir.name, "kind": kind,
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "created_ns": time.time_ns(),
            "dataset_sha256": metrics.get("data_sha256"),
            "folders": [p.relative_to(root).as_posix() for p in folders],
            "adapter_fingerprint": fingerprint(adapter_dir),
            "stage1_adapter_sha256": metrics.get("stage1_adapter_sha256"),
            "summary": {k: metrics[k] for k in _SUMMARY_KEYS if k in metrics},
        }
        with atomic.directory(history / name, root=history) as tmp:
            for folder in folders:
                _copy_folder(folder, tmp / folder.relative_to(root))
            atomic.write_json(tmp / BUILD_FILE, build)
    else:
        name = None
    rotate(history, adapter_dir.name, keep)
    return name


def _read_build(entry: Path) -> dict | None:
    """The entry's build record; a damaged one is moved aside (one line) and rebuilt from the entry's folders.

    Why: a hand-edited or half-written build.json (bad JSON, deep nesting, a
    string where a number belongs) made every stage after training fail, since
    each training rotates the history.  None when nothing usable is there.
    """
    path = entry / BUILD_FILE
    if path.is_symlink():
        return None
    try:
        build = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, RecursionError):
        build = None
    if well_formed(build, entry):
        return build
    return rebuild(entry, BUILD_FILE, _SUMMARY_KEYS, fingerprint)


def entries(history: Path) -> list[tuple[Path, dict]]:
    """Every readable history entry, oldest first."""
    if not history.is_dir():
        return []
    found = [(p, b) for p in history.iterdir() if p.is_dir() and NAME.match(p.name) for b in [_read_build(p)] if b]
    return sorted(found, key=lambda e: (e[1].get("created_ns") or 0, e[0].name))


def _own_folder(history: Path, root: Path) -> None:
    """Refuse a history folder that is a link or resolves out of ``root``: its entries would be files
    secft never wrote (restore would copy an outside file into adapters/ and then publish it)."""
    if history.is_symlink() or (history.exists() and not history.resolve().is_relative_to(root.resolve())):
        raise SecftError(f"{history}: a symbolic link or outside {root}; refused (the model history is a folder secft writes)")


def rotate(history: Path, adapter: str, keep: int) -> list[str]:
    """Remove the oldest entries of ``adapter`` beyond ``keep``; returns the names removed."""
    _own_folder(history, history.parent)  # never delete entries of a folder a link points to
    mine = [p for p, b in entries(history) if b.get("adapter") == adapter]
    removed = []
    for entry in mine[: max(0, len(mine) - keep)]:
        shutil.rmtree(atomic.inside(entry, history, "history entry"))
        removed.append(entry.name)
    return removed


def list_builds(root: Path = Path("fine-tuning")) -> list[dict]:
    """The history, newest first, each marked ``current`` when its adapter files are the live ones."""
    live: dict[str, str | None] = {}
    out = []
    for entry, build in reversed(entries(root / "history")):
        adapter = str(build.get("adapter"))
        if adapter not in live:
            live[adapter] = fingerprint(root / "adapters" / adapter) if _PLAIN.match(adapter) else None
        out.append({
            "name": entry.name, "adapter": adapter, "kind": build.get("kind"), "created_at": build.get("created_at"),
            "dataset_sha256": build.get("dataset_sha256"), "current": live[adapter] == build.get("adapter_fingerprint"),
            **{k: build.get("summary", {}).get(k) for k in ("stage", "mode", "iterations", "valid_loss_before", "valid_loss_after")},
        })
    return out


def _checked_folders(build: dict, entry: Path) -> list[str]:
    folders = build.get("folders")
    adapter = build.get("adapter")
    if not isinstance(folders, list) or not isinstance(adapter, str) or f"adapters/{adapter}" not in folders:
        raise SecftError(f"{entry / BUILD_FILE}: damaged history entry (no adapter folder)")
    for rel in folders:
        parts = rel.split("/") if isinstance(rel, str) else []
        if len(parts) != 2 or parts[0] not in ("adapters", "models") or not _PLAIN.match(parts[1]):
            raise SecftError(f"{entry / BUILD_FILE}: refused: folder {rel!r} is not adapters/<name> or models/<name>")
        if not (entry / rel).is_dir():
            raise SecftError(f"{entry / rel}: missing from the history entry")
    return [f for f in folders if f != f"adapters/{adapter}"] + [f"adapters/{adapter}"]  # the adapter (with metrics) last


def restore(name: str, root: Path = Path("fine-tuning")) -> dict:
    """Put history entry ``name`` back in place (see the module docstring); returns its build record."""
    if not isinstance(name, str) or not NAME.match(name):
        raise SecftError(f"history entry {name!r}: not a history name (YYYYMMDDTHHMMSSZ_<8 hex>; python -m tasks.models list)")
    history = root / "history"
    _own_folder(history, root)
    entry = history / name
    if entry.is_symlink():
        raise SecftError(f"{entry}: a symbolic link; refused (history entries are folders secft wrote)")
    _files(entry)  # a link anywhere in the entry is refused before anything is read or anything live is touched
    build = _read_build(entry) if entry.is_dir() else None
    if build is None:
        raise SecftError(f"{entry}: no such history entry (python -m tasks.models list)")
    atomic.inside(entry, history, "history entry")
    folders = _checked_folders(build, entry)
    needs = build.get("stage1_adapter_sha256")
    if needs:
        live = root / "adapters" / "stage1" / "adapters.safetensors"
        if not live.is_file() or sha256_file(live) != needs:
            match = [p.name for p, b in entries(history) if b.get("adapter") == "stage1"
                     and (p / "adapters/stage1/adapters.safetensors").is_file()
                     and sha256_file(p / "adapters/stage1/adapters.safetensors") == needs]
            hint = f"restore {match[-1]} first" if match else "its stage-1 adapter is no longer in the history"
            raise SecftError(f"history entry {name}: trained on another stage-1 adapter than the current one; {hint}")
    adapter_dir = root / f"adapters/{build['adapter']}"
    try:
        saved = json.loads((entry / f"adapters/{build['adapter']}/metrics.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        saved = None
    if not isinstance(saved, dict):
        raise SecftError(f"{entry}: damaged history entry (its metrics.json is missing or not JSON)")
    (adapter_dir / "metrics.json").unlink(missing_ok=True)  # interrupted from here on = the stage is rebuilt
    for rel in folders:
        with atomic.directory(root / rel, root=root) as tmp:
            _copy_folder(entry / rel, tmp)
            if rel == f"adapters/{build['adapter']}":
                saved.update(restored_from=name, restored_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
                atomic.write_json(tmp / "metrics.json", saved)
    return build


def _table(rows: list[dict]) -> str:
    if not rows:
        return "no history yet (fine-tuning/history/ is filled after each successful training)"
    lines = [f"{'name':<28} {'adapter':<16} {'kind':<10} {'valid loss':<17} current"]
    for r in rows:
        before, after = r.get("valid_loss_before"), r.get("valid_loss_after")
        loss = f"{before:.3f} -> {after:.3f}" if isinstance(before, (int, float)) and isinstance(after, (int, float)) else "-"
        lines.append(f"{r['name']:<28} {r['adapter']:<16} {str(r['kind']):<10} {loss:<17} {'yes' if r['current'] else ''}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tasks.models", description="The model history: list kept builds, restore one.")
    p.add_argument("--workspace", type=Path, default=Path("."), help="the workspace folder (default: here)")
    sub = p.add_subparsers(dest="command", required=True)
    ls = sub.add_parser("list", help="kept builds, newest first")
    ls.add_argument("--json", action="store_true")
    rs = sub.add_parser("restore", help="put a kept build back (the stage is then up to date for doit)")
    rs.add_argument("name")
    args = p.parse_args(argv)
    root = args.workspace / "fine-tuning"

    def command() -> int:
        if not args.workspace.is_dir():
            raise SecftError(f"--workspace {args.workspace}: not a folder")
        if args.command == "list":
            rows = list_builds(root)
            print(json.dumps(rows, indent=2) if args.json else _table(rows))
            return 0
        from tasks.core.runlock import RunLock

        with RunLock(root / ".secft.lock"):
            build = restore(args.name, root)
        print(f"restored {build['name']}: {', '.join(build['folders'])}")
        return 0

    return run_command(command, root)
