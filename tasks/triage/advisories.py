"""Advisory records (OSV) from a local folder: loose JSON/YAML files, a tree, or OSV's all.zip dumps.

Layouts that work without configuration: OSV's per-ecosystem ``all.zip``
(one ``<ID>.json`` per record), github/advisory-database's tree
(``advisories/github-reviewed/YYYY/MM/<ID>/<ID>.json``), pypa/advisory-database's
``vulns/<pkg>/PYSEC-*.yaml``, or a flat folder of ``<ID>.json``.  A record is
found by its file name, and by any alias through an index built once per
folder state and cached beside the triage output (a tree holds ~250,000
records; parsing them all on every build would cost minutes).

Hostile input: nothing outside the folder is read (links are not followed
out of it), a record that does not parse is skipped and counted, zip
members are read by name only, with a size cap.
"""

from __future__ import annotations

import json
import os
import re
import stat
import zipfile
from pathlib import Path

from tasks.core import atomic, textio
from tasks.core.errors import SecftError
from tasks.core.hashing import sha256_json

MAX_RECORD_BYTES = 4 * 1024 * 1024
SUFFIXES = (".json", ".yaml", ".yml")
ID_FORM = re.compile(r"^(?:CVE-\d{4}-\d{4,}|GHSA(?:-[0-9a-z]{4}){3}|PYSEC-\d{4}-\d+|GO-\d{4}-\d+|RUSTSEC-\d{4}-\d+|"
                     r"[A-Z][A-Za-z]*-[A-Za-z0-9._:-]+)$")
INDEX_VERSION = 1


def is_advisory_id(value: str) -> bool:
    return bool(ID_FORM.match(str(value))) and not str(value).startswith(("CWE-", "CKV", "B1", "B3", "B6"))


def record_problem(doc) -> str | None:
    """Why ``doc`` is not an OSV record this code can read safely (wrong types), or None.

    Why: a record with ``"aliases": 5`` or ``"affected": ["x"]`` (a damaged file, a hostile
    stand-in for the API) crashed triage with a TypeError; such a record is skipped by name instead.
    """
    if not isinstance(doc, dict):
        return "not a JSON object"
    if not isinstance(doc.get("id"), str):
        return "no string 'id'"
    if not isinstance(doc.get("aliases") or [], list) or not all(isinstance(a, str) for a in doc.get("aliases") or []):
        return "'aliases' is not a list of strings"
    if doc.get("withdrawn") is not None and not isinstance(doc["withdrawn"], str):
        return "'withdrawn' is not a string"
    affected = doc.get("affected") or []
    if not isinstance(affected, list):
        return "'affected' is not a list"
    for aff in affected:
        if not isinstance(aff, dict):
            return "an 'affected' entry is not an object"
        if not isinstance(aff.get("package") or {}, dict) or not isinstance(aff.get("versions") or [], list):
            return "an 'affected' entry has a wrong-typed 'package' or 'versions'"
        ranges = aff.get("ranges") or []
        if not isinstance(ranges, list) or not all(isinstance(r, dict) and isinstance(r.get("events") or [], list)
                                                   and all(isinstance(e, dict) for e in r.get("events") or []) for r in ranges):
            return "an 'affected' entry has wrong-typed 'ranges'"
    return None


def parse_record(data: bytes, shown: str, problems: list[str] | None = None) -> dict | None:
    """One OSV record from JSON or YAML bytes; None when it is not one (why, in ``problems``)."""
    if len(data) > MAX_RECORD_BYTES:
        return None
    try:
        text = data.decode("utf-8")
        if shown.endswith((".yaml", ".yml")):
            import yaml

            doc = yaml.safe_load(text)
        else:
            doc = json.loads(text)
    except (UnicodeDecodeError, ValueError, RecursionError):
        if problems is not None:
            problems.append(f"advisory record {shown}: does not parse; skipped")
        return None
    except Exception:  # noqa: BLE001 - yaml raises its own error types
        return None
    why = record_problem(doc)
    if why is not None:
        if problems is not None and isinstance(doc, dict):  # a non-record file in the folder is only counted
            problems.append(f"advisory record {shown}: {why}; skipped")
        return None
    doc["_file"] = shown
    return doc


class AdvisoryStore:
    """Records by id or alias from ``root`` (a folder); ``index_path`` caches the alias index."""

    def __init__(self, root: Path | str | None, index_path: Path | None = None):
        self.root = Path(root).resolve() if root else None
        self.index_path = index_path
        self.files: dict[str, str] = {}     # id -> "rel/path" or "rel/all.zip!member"
        self.aliases: dict[str, list[str]] = {}
        self.skipped = 0
        self._cache: dict[str, dict | None] = {}
        self._zips: dict[str, zipfile.ZipFile] = {}
        self.problems: list[str] = []  # one line per record skipped for its form (printed, first few)
        if self.root is not None:
            if not self.root.is_dir():
                raise SecftError(f"triage.advisories.path: {root} is not a folder")
            self._index()

    # ------------------------------------------------------------------ index
    def note(self, line: str) -> None:
        if line not in self.problems:
            self.problems.append(line)
        if len(self.problems) <= 20:
            print(f"secft: warning: {line}")

    def _walk(self) -> list[tuple[str, int, int]]:
        out = []
        for dirpath, dirnames, filenames in os.walk(self.root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and not os.path.islink(os.path.join(dirpath, d)))
            for name in filenames:
                if not name.endswith(SUFFIXES + (".zip",)):
                    continue
                full = os.path.join(dirpath, name)
                if self.index_path and os.path.abspath(full) == os.path.abspath(self.index_path):
                    continue
                st = os.lstat(full)
                if not stat.S_ISREG(st.st_mode):  # a link, FIFO or device is never opened (it could hang or read outside)
                    self.note(f"advisory record {os.path.relpath(full, self.root)}: "
                              f"{'a symbolic link' if stat.S_ISLNK(st.st_mode) else 'not a regular file'}; skipped")
                    continue
                out.append((os.path.relpath(full, self.root).replace(os.sep, "/"), st.st_size, st.st_mtime_ns))
        return sorted(out)

    def _index(self) -> None:
        listing = self._walk()
        signature = sha256_json([INDEX_VERSION, str(self.root), listing])[:16]
        if self.index_path and self.index_path.is_file():
            try:
                cached = json.loads(textio.read_regular(self.index_path, 1 << 30))
                if isinstance(cached, dict) and cached.get("signature") == signature and isinstance(cached.get("files"), dict) \
                        and isinstance(cached.get("aliases"), dict) and isinstance(cached.get("skipped"), int):
                    self.files, self.aliases, self.skipped = cached["files"], cached["aliases"], cached["skipped"]
                    return
            except (textio.NotReadable, ValueError, RecursionError):
                pass  # rebuilt below
        for rel, _size, _mtime in listing:
            if rel.endswith(".zip"):
                self._index_zip(rel)
            else:
                try:
                    data = textio.read_regular(self.root / rel, MAX_RECORD_BYTES)
                except textio.NotReadable as exc:
                    self.skipped += 1
                    self.note(f"advisory record {exc}")
                    continue
                self._index_file(rel, data)
        if self.index_path:
            atomic.write_json(self.index_path, {"signature": signature, "files": self.files, "aliases": self.aliases,
                                                "skipped": self.skipped})

    def _index_file(self, rel: str, data: bytes) -> None:
        why: list[str] = []
        record = parse_record(data, rel, why)
        for line in why:
            self.note(line)
        if record is None:
            self.skipped += 1
            return
        self.files.setdefault(record["id"], rel)
        for alias in record.get("aliases") or []:
            if isinstance(alias, str) and record["id"] not in self.aliases.setdefault(alias, []):
                self.aliases[alias].append(record["id"])

    def _index_zip(self, rel: str) -> None:
        try:
            with zipfile.ZipFile(self.root / rel) as zf:
                for info in zf.infolist():
                    if info.is_dir() or not info.filename.endswith(SUFFIXES) or info.file_size > MAX_RECORD_BYTES:
                        continue
                    self._index_file(f"{rel}!{info.filename}", zf.read(info))
        except (zipfile.BadZipFile, OSError) as exc:
            raise SecftError(f"triage.advisories.path: {rel}: not a readable zip ({exc})") from None

    # ------------------------------------------------------------------ lookup
    def _read(self, where: str) -> dict | None:
        if "!" in where:
            rel, member = where.split("!", 1)
            zf = self._zips.get(rel) or self._zips.setdefault(rel, zipfile.ZipFile(self.root / rel))
            return parse_record(zf.read(member), where)
        path = (self.root / where).resolve()
        if self.root not in path.parents:
            return None
        try:
            return parse_record(textio.read_regular(path, MAX_RECORD_BYTES), where)
        except textio.NotReadable as exc:
            self.note(f"advisory record {exc}")
            return None

    def get(self, vuln_id: str) -> dict | None:
        """The record stored under ``vuln_id`` (its own id), or None."""
        if vuln_id not in self._cache:
            where = self.files.get(vuln_id)
            self._cache[vuln_id] = self._read(where) if where else None
        return self._cache[vuln_id]

    def lookup(self, ids) -> list[dict]:
        """Every record naming any of ``ids`` as its id or an alias (no duplicates)."""
        found: dict[str, dict] = {}
        for vid in ids:
            for rid in [vid] + self.aliases.get(vid, []):
                if rid in found:
                    continue
                record = self.get(rid)
                if record is not None:
                    found[rid] = record
        return list(found.values())

    def close(self) -> None:
        for zf in self._zips.values():
            zf.close()
        self._zips.clear()


def merged_ids(ids, records: list[dict]) -> list[str]:
    """The finding's ids with every record's id and aliases (CVE, GHSA, PYSEC, GO, RUSTSEC ...), ordered."""
    out = {str(i) for i in ids if i and is_advisory_id(str(i))}
    for r in records:
        out.add(r["id"])
        out.update(a for a in r.get("aliases") or [] if isinstance(a, str))
    order = {"CVE": 0, "GHSA": 1}
    return sorted(out, key=lambda i: (order.get(i.split("-", 1)[0], 2), i))


def folder_deps(root: Path | str | None, limit: int = 5000) -> tuple[list[str], dict]:
    """What the triage task depends on for a record folder: its files when there are at most ``limit``
    (doit checks them by content), else a stat signature of its zips and top folders (a tree of
    ~250,000 records cannot be checked file by file in a no-op build; ``doit forget triage`` after
    editing a record in place)."""
    if not root or not Path(root).is_dir():
        return [], {"advisories": str(root) if root else None}
    files: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        dirnames[:] = [d for d in dirnames if not os.path.islink(os.path.join(dirpath, d))]
        files += [os.path.join(dirpath, n) for n in sorted(filenames) if n.endswith(SUFFIXES + (".zip",))
                  and _regular(os.path.join(dirpath, n))]  # never a FIFO/device/link: doit would hash it
        if len(files) > limit:
            break
    if len(files) <= limit:
        return files, {"advisories": str(root)}
    stats = []
    for dirpath, dirnames, filenames in os.walk(root):
        depth = Path(dirpath).relative_to(root).parts
        if len(depth) >= 3:
            dirnames[:] = []
        st = os.stat(dirpath)
        stats.append([dirpath, st.st_mtime_ns] + [[n, os.lstat(os.path.join(dirpath, n)).st_mtime_ns] for n in filenames if n.endswith(".zip")])
    return [], {"advisories": str(root), "signature": sha256_json(stats)[:16]}


def _regular(path: str) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False
