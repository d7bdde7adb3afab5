"""Phase 1, one CI run folder: its reports into one findings file, with a per-file cache.

The run's findings file (``data/findings/by_run/<run>.json``) holds one
record per report.  When a run is parsed again because one of its reports
changed, every other report's record is taken from the previous file by
(path, sha256 of the bytes) under the same cache key (parser code, parse
settings, run provenance), so only the changed report is parsed again.
tasks/findings/incremental.py decides which runs to hand to it.
"""

from __future__ import annotations

import json
from pathlib import Path

from tasks.core.errors import SecftError
from tasks.core.hashing import TooLarge, sha256_file, sha256_json
from tasks.findings.parse import (
    PROVENANCE_KEYS,
    parse_file,
    provenance_of,
    refusal,
    write_if_changed,
)
from tasks.ingest.artifacts import display

RUN_KEYS = ("run_id", "branch", "commit", "created_at")


def run_provenance(run_json: Path) -> dict:
    """run_id, branch, commit and created_at from a run folder's run.json, as strings or None."""
    try:
        data = json.loads(Path(run_json).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise SecftError(f"{display(str(run_json))}: unreadable run provenance file") from None
    if not isinstance(data, dict):
        raise SecftError(f"{display(str(run_json))}: unusable run provenance (run.json): {type(data).__name__}")
    return {k: (v if isinstance(v, str) or v is None else str(v)) for k, v in ((k, data.get(k)) for k in RUN_KEYS)}


class _Contents:
    """Parsed reports by content (sha256 of the bytes), for the life of one process.

    doit runs every run task in one process, and CI runs repeat reports byte
    for byte (nothing changed in that scanner's input), so a report already
    parsed in an earlier run is taken from here instead of parsed and
    validated again.  Bounded: the oldest entries go first.
    """

    def __init__(self, limit: int = 512):
        self.limit, self.items = limit, {}

    def get(self, key: tuple) -> dict | None:
        record = self.items.get(key)
        return None if record is None else json.loads(json.dumps(record))  # a copy: the caller relabels it

    def put(self, key: tuple, record: dict) -> None:
        """Keep ``record`` (not copied: nothing changes a record once parse_run has it)."""
        if record.get("status") == "rejected" or not record.get("sha256"):
            return  # an error names its file: never reused under another name
        self.items[key] = record
        while len(self.items) > self.limit:
            self.items.pop(next(iter(self.items)))


CONTENTS = _Contents()


def _relabel(record: dict, shown: str, prov: dict) -> dict:
    """A cached record under this file's name and this run's provenance (all else depends on the bytes only)."""
    record["artifact"] = shown
    for f in record.get("findings") or []:
        f["source"] = {"artifact": shown, "sha256": record["sha256"], **prov}
    return record


def _previous(out: Path, key: str) -> dict:
    """Records of the last parse of this run, by (artifact, sha256), when made under the same key."""
    try:
        data = json.loads(out.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("key") != key or not isinstance(data.get("records"), list):
        return {}
    return {(r.get("artifact"), r.get("sha256")): r for r in data["records"]
            if isinstance(r, dict) and r.get("status") != "rejected"}


def _rejected(shown: str, error: str) -> dict:
    return {"artifact": shown, "sha256": None, "status": "rejected", "format": None, "kind": None,
            "tools": [], "raw_count": 0, "invalid_utf8_bytes": 0, "error": error, "findings": []}


def parse_run(files: list[Path], folder: str, run_json: Path | None, root: Path, out: Path,
              on_error: str, max_bytes: int, code_key: str, log=print) -> dict:
    """Parse a run folder's reports into ``out``, parsing only reports not seen with these bytes.

    Returns ``{"parsed", "reports", "line"}``; the line (what was parsed and
    reused) is also given to ``log`` unless it is None.
    """
    prov_error = None
    try:
        prov = run_provenance(run_json) if run_json else (provenance_of(Path(files[0]), root) if files else {})
    except SecftError as exc:
        if on_error != "skip":
            raise
        prov, prov_error = {}, str(exc)
    file_prov = {k: prov.get(k) for k in PROVENANCE_KEYS} if run_json else None
    settings = sha256_json({"code": code_key, "on_error": on_error, "max_bytes": max_bytes})
    key = sha256_json({"settings": settings, "prov": prov, "error": prov_error})
    previous = _previous(out, key)
    records, parsed, root_path = [], 0, Path(root)
    for path in map(Path, files):
        shown = display(path.as_posix())
        if prov_error:
            records.append(_rejected(shown, prov_error))
            continue
        if refusal(path, root_path):  # checked before any read or reuse: a link out or a FIFO is never opened
            records.append(parse_file(path, root, on_error, max_bytes, file_prov))
            parsed += 1
            continue
        try:
            sha = sha256_file(path, max_bytes)  # size first: a sparse huge file is never read
        except (OSError, TooLarge):
            sha = None  # parse_file reports the unreadable or oversized file
        record = previous.get((shown, sha))
        if record is None and sha:
            record = CONTENTS.get((sha, settings))
            if record is not None:
                _relabel(record, shown, file_prov if file_prov is not None else provenance_of(path, root))
        if record is None:
            record = parse_file(path, root, on_error, max_bytes, file_prov, sha)
            parsed += 1
        CONTENTS.put((sha, settings), record)
        records.append(record)
    header = {k: prov.get(k) for k in RUN_KEYS}
    doc = {"run": display(folder) if folder else ".", **header, "key": key, "records": records}
    write_if_changed(out, json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n")
    line = f"parse_findings: {display(folder) or '.'}: parsed {parsed}, reused {len(records) - parsed} of {len(records)} report(s)"
    if log is not None:
        log(line)
    return {"parsed": parsed, "reports": len(records), "line": line}
