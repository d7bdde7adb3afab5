"""One report -> its findings record (parse, validate, provenance), never written half.

``parse_file`` returns one artifact's record without writing it; ``tasks.findings.runs`` batches the
records of a whole CI run into one file (``{"run": ..., "records": [...]}``) and re-parses only changed
reports; ``tasks.findings.merge`` de-duplicates them across runs.
"""

from __future__ import annotations

import os
from pathlib import Path

from tasks.core import atomic
from tasks.core.errors import SecftError
from tasks.core.hashing import TooLarge, sha256_file
from tasks.core.schemas import validate_all
from tasks.findings.parsers import parse_report
from tasks.ingest.artifacts import display, provenance

PROVENANCE_KEYS = ("branch", "commit", "run_id", "created_at")


def parse_file(artifact: Path, root: Path, on_error: str, max_bytes: int, prov: dict | None = None,
               sha256: str | None = None) -> dict:
    """Parse one artifact into a record (status ok | ignored | rejected); nothing is written.

    ``prov`` is the run's provenance and ``sha256`` the file's hash when the
    caller already has them; without them they are looked up for this file.
    """
    shown = display(Path(artifact).as_posix())
    record = {"artifact": shown, "sha256": None, "status": "ok", "format": None, "kind": None, "tools": [],
              "raw_count": 0, "invalid_utf8_bytes": 0, "error": None, "findings": []}
    refused = refusal(Path(artifact), Path(root))
    if refused:  # never read, whatever parse.on_error says; listed under "rejected"
        record.update(status="rejected", error=f"{shown}: {refused}")
        return record
    try:
        record["sha256"] = sha256 or sha256_file(artifact, max_bytes)  # size checked before a byte is hashed
        report = parse_report(artifact, max_bytes=max_bytes, display_path=shown)
        record.update(format=report.format, tools=report.tools, raw_count=report.raw_count,
                      invalid_utf8_bytes=report.invalid_utf8_bytes)
        if report.ignored:
            record.update(status="ignored", kind=report.ignored)
            return record
        if prov is None:
            prov = provenance_of(artifact, root)
        for f in report.findings:
            f["source"].update(prov)
        _validate(report.findings, shown)
        record["findings"] = report.findings
    except (SecftError, OSError, TooLarge) as exc:
        if on_error != "skip":
            raise SecftError(str(exc)) from None
        record.update(status="rejected", format=None, tools=[], raw_count=0, findings=[], error=str(exc))
    return record


def refusal(artifact: Path, root: Path) -> str | None:
    """Why a file under the artifacts folder must not be read, or None.

    A symlink (of the file or of a folder above it) that resolves outside the
    artifacts folder would let any path on the machine - another project's
    report, ``/proc/self/environ`` - reach the datasets; FIFOs and devices
    block or never end.
    """
    try:
        resolved = artifact.resolve(strict=True)
        inside = resolved.is_relative_to(root.resolve(strict=True))
        regular = resolved.is_file()  # follows no further: resolved is the final file (regular, not FIFO/device)
    except (OSError, RuntimeError) as exc:  # dangling or looping link, vanished file
        return f"unreadable path ({getattr(exc, 'strerror', None) or type(exc).__name__}); refused"
    if not inside:
        return "a symlink resolving outside the artifacts folder; refused"
    if not regular:
        return "not a regular file (FIFO, device or socket); refused"
    return None


def _validate(findings: list[dict], shown: str) -> None:
    """Schema-check each finding; the first bad one ends the report in one line naming its field."""
    validate_all("finding", findings, shown)


def parse_artifact(artifact: Path, root: Path, out_path: Path, on_error: str, max_bytes: int) -> dict:
    """Parse one artifact and write its record; returns the record written."""
    record = parse_file(artifact, root, on_error, max_bytes)
    atomic.write_json(out_path, record)
    return record


def provenance_of(artifact: Path, root: Path) -> dict:
    """Run provenance as strings or None, whatever run.json holds (the scale area owns reading it)."""
    try:
        prov = provenance(artifact, root)
    except (AttributeError, TypeError, ValueError) as exc:  # run.json that is a list, a number, ...
        raise SecftError(f"{artifact}: unusable run provenance (run.json): {type(exc).__name__}") from None
    prov = prov if isinstance(prov, dict) else {}
    out = {}
    for key in PROVENANCE_KEYS:
        value = prov.get(key)
        if value is not None or key in prov:
            if isinstance(value, bool) or not isinstance(value, (str, int, type(None))):
                # a dict or list as the commit would become a made-up provenance string
                raise SecftError(f"{artifact}: run.json field {key!r} is a {type(value).__name__}, not a string")
            out[key] = value if isinstance(value, str) or value is None else str(value)
    return out


def write_if_changed(path: Path, text: str) -> bool:
    """Write ``text`` atomically unless the file already holds exactly it; True when written.

    doit keeps a dependency's mtime only when its task runs: a rewritten file
    with the same bytes would be md5-hashed again by every later no-op run.
    """
    data = text.encode("utf-8")
    try:
        if os.path.getsize(path) == len(data) and Path(path).read_bytes() == data:
            return False
    except OSError:
        pass
    atomic.write_bytes(path, data)
    return True
