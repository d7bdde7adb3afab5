"""Stage-1 rows from a public corpus of vulnerable/fixed code pairs (``datasets.public_corpus``).

Why: the bundled sample gives a handful of test rows, and every scanner
prompt states its CWE, so nothing measures whether the model can name a
weakness it is not told.  A CVEfixes- or CrossVul-style corpus pairs real
vulnerable code with its fix, a CWE and a language: the prompt shows the
code only, the answer names the CWE and shows the fix as a diff.

Input: a local JSONL file (``.jsonl``) or Parquet file (``.parquet``,
needs pyarrow) whose records carry, under any of these names:

- vulnerable code: ``code_before`` | ``func_before`` | ``vulnerable_code`` | ``before``
- fixed code: ``code_after`` | ``func_after`` | ``fixed_code`` | ``after``
- CWE: ``cwe_id`` | ``cwe`` (``CWE-89``, ``89`` or a list)
- language: ``programming_language`` | ``language`` | ``lang``
- severity: ``severity`` | ``cvss3_base_severity`` | ``cvss2_severity``
- a grouping id: ``cve_id`` | ``cve`` | ``commit`` | ``id``; optional ``filename`` | ``file_path`` | ``path``

Rows are kept only when every needed field is present (no invented CWE or
severity), the CWE is a real catalogue id, and the two versions differ; at
most ``max_rows`` rows, in a stable order (by hash of the group).  The
group is the CVE (or commit), so all files of one fix fall in the same
split, and a CVE that a scanner finding also names is left out, so nothing
of a test finding is trained on through the corpus.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from pathlib import Path

from tasks.core.errors import SecftError
from tasks.core.textio import jsonl_lines, read_utf8
from tasks.datasets.prompts import STAGE1_SYSTEM
from tasks.findings.model import Finding, as_finding

_FIELDS = {
    "before": ("code_before", "func_before", "vulnerable_code", "before"),
    "after": ("code_after", "func_after", "fixed_code", "after"),
    "cwe": ("cwe_id", "cwe", "cwes"),
    "language": ("programming_language", "language", "lang"),
    "severity": ("severity", "cvss3_base_severity", "cvss2_severity"),
    "group": ("cve_id", "cve", "commit", "commit_hash", "id"),
    "path": ("filename", "file_path", "path"),
}
_SEVERITY = {"critical": "critical", "high": "high", "medium": "medium", "moderate": "medium", "low": "low", "none": "info"}
_CWE = re.compile(r"^(?:CWE-)?(\d{1,5})$", re.I)


def _get(rec: dict, key: str):
    for name in _FIELDS[key]:
        value = rec.get(name)
        if value not in (None, "", []):
            return value
    return None


def read_records(path: Path) -> list[dict]:
    """The corpus file's records; one clear line for a missing, unreadable or malformed file."""
    path = Path(path)
    if not path.is_file():
        raise SecftError(f"{path}: datasets.public_corpus file not found")
    if path.suffix == ".parquet":
        try:
            import pyarrow.parquet as pq
        except ImportError:
            raise SecftError(f"{path}: reading Parquet needs pyarrow (pip install pyarrow), or convert it to JSONL") from None
        try:
            return pq.read_table(path).to_pylist()
        except Exception as exc:  # pyarrow raises its own error classes for damaged files
            raise SecftError(f"{path}: not a readable Parquet file: {str(exc).splitlines()[0]}") from None
    records = []
    for n, rec in jsonl_lines(path, read_utf8(path, "public corpus")):
        if not isinstance(rec, dict):
            raise SecftError(f"{path}: line {n}: expected a JSON object per line")
        records.append(rec)
    return records


def _cwe(value, catalogue) -> str | None:
    """The record's first CWE as ``CWE-<n>`` when the catalogue knows it (NVD-CWE-Other, noinfo: None)."""
    for raw in value if isinstance(value, list) else [value]:
        m = _CWE.match(str(raw).strip())
        if m and (catalogue is None or catalogue(int(m.group(1)))):
            return f"CWE-{int(m.group(1))}"
    return None


def _catalogue():
    """A lookup of CWE names from cwe2's catalogue (the knowledge base's source), or None when unavailable."""
    try:
        from cwe2.database import Database, InvalidCWEError
    except ImportError:
        return None
    db = Database()

    def name(n: int) -> str | None:
        try:
            return db.get(n).name
        except InvalidCWEError:
            return None

    return name


def make_row(rec: dict, max_chars: int, catalogue) -> tuple[dict | None, str | None]:
    """(row, None) or (None, why it was left out)."""
    before, after, lang = _get(rec, "before"), _get(rec, "after"), _get(rec, "language")
    group, severity = _get(rec, "group"), _SEVERITY.get(str(_get(rec, "severity") or "").strip().lower())
    if not isinstance(before, str) or not isinstance(after, str) or not lang or not group:
        return None, "missing field"
    if not severity:
        return None, "no severity"
    cwe = _cwe(_get(rec, "cwe"), catalogue)
    if not cwe:
        return None, "no catalogued CWE"
    if before.strip() == after.strip():
        return None, "no change"
    if len(before) > max_chars:
        return None, "too long"
    path = str(_get(rec, "path") or "code").replace("\\", "/").split("/")[-1] or "code"
    diff = "".join(difflib.unified_diff(before.splitlines(True), after.splitlines(True), f"a/{path}", f"b/{path}"))
    name = catalogue(int(cwe[4:])) if catalogue else None
    lang = str(lang).strip()
    user = f"Language: {lang}\nLocation: {path}\nReview this code for a security weakness.\nCode:\n```\n{before.rstrip()}\n```"
    answer = (f"## What the weakness is\n{cwe}" + (f" {name}" if name else "") + ".\n\n"
              f"## How to fix it\nThe fixed version of this code:\n```diff\n{diff.rstrip()}\n```")
    gid = f"public:{str(group).strip().lower()}"
    meta = {"finding_id": hashlib.md5(f"{gid}\0{path}\0{before}".encode()).hexdigest(), "tool": "public-corpus",
            "rule_id": str(group), "severity": severity, "kind": "code", "stage": 1, "group": gid, "cwe": [cwe],
            "language": lang.lower(), "path": path}
    return {"messages": [{"role": "system", "content": STAGE1_SYSTEM}, {"role": "user", "content": user},
                         {"role": "assistant", "content": answer}], "meta": meta}, None


def rows(cfg: dict | None, findings: list[Finding | dict], max_chars: int) -> tuple[list[dict], dict]:
    """(stage-1 rows, summary) for ``datasets.public_corpus`` (``{path, max_rows}``); ([], {}) when unset."""
    if not cfg or not cfg.get("path"):
        return [], {}
    records = read_records(Path(cfg["path"]))
    named = {str(c).lower() for f in map(as_finding, findings) for c in [*f.cve, *f.ghsa]}
    catalogue = _catalogue()
    kept, why = [], {}
    for rec in records:
        row, reason = make_row(rec, max_chars, catalogue)
        if row and row["meta"]["group"].removeprefix("public:") in named:
            row, reason = None, "CVE also in a scanner finding"
        if row is None:
            why[reason] = why.get(reason, 0) + 1
        else:
            kept.append(row)
    kept.sort(key=lambda r: (hashlib.sha256(r["meta"]["group"].encode()).hexdigest(), r["meta"]["finding_id"]))
    seen, unique = set(), []
    for r in kept:  # one row per identical vulnerable snippet
        if r["meta"]["finding_id"] not in seen:
            seen.add(r["meta"]["finding_id"])
            unique.append(r)
    capped = unique[: int(cfg.get("max_rows") or 0) or None]
    return capped, {"records": len(records), "rows": len(capped), "capped": len(unique) - len(capped), "left_out": why}
