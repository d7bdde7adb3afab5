"""A version range in package.json that a committed lockfile pins: the range chooses nothing at install time.

Semgrep's ``package-dependencies-check`` flags every ``"name": "^1.2.3"`` (or ``latest``) in a package.json's
dependency maps: "variant versions may lead to dependency hijack and confusion attacks. Better to specify an exact
version or use package-lock.json".  Held-out set 46 met it 27 times in 129 findings (umami's pnpm-lock.yaml,
searxng's client/simple/package-lock.json, statping-ng's frontend/yarn.lock).  When the project commits a lockfile
that resolves the package, an install from it (``npm ci``, ``pnpm install --frozen-lockfile``, ``yarn install
--frozen-lockfile``) takes exactly the recorded release, from the recorded tarball URL with its integrity hash: the
range only says what a deliberate ``update`` may move to, and that change shows in the lockfile's diff.  That is
the control the rule's own message asks for.

The flagged line must be one ``"name": "range"`` entry of package.json; the lockfile is the nearest one in the
package.json's folder or a folder above it (a workspace root): package-lock.json / npm-shrinkwrap.json,
pnpm-lock.yaml, yarn.lock.  It must record the package for that manifest, and where it records the manifest's
range (package-lock's root package, pnpm's ``specifier``) the range must be the same: a lockfile that disagrees
with package.json is stale, and the next install rewrites it.  A package it does not name is left as reported.

May import: ``tasks.findings``, ``tasks.repository``, ``tasks.triage.repo_cache``.
"""

from __future__ import annotations

import json
import posixpath
import re
import weakref

from tasks.findings.model import Finding, as_finding
from tasks.repository.source import finding_lines
from tasks.triage.repo_cache import once_per_files

_RULE = re.compile(r"(?i)(?:^|\.)package-dependencies-check$")
_ENTRY = re.compile(r'^\s*"((?:@[\w.-]+/)?[\w.-]+)"\s*:\s*"([^"\n]{1,200})"\s*,?\s*$')
LOCKFILES = ("package-lock.json", "npm-shrinkwrap.json", "pnpm-lock.yaml", "yarn.lock")
_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _npm(text: str, rel: str) -> dict[str, tuple[str, str | None]]:
    """{name: (version, the manifest's range as recorded)} of package-lock.json v1-v3 for the manifest at ``rel``."""
    data = json.loads(text)
    out: dict[str, tuple[str, str | None]] = {}
    packages = data.get("packages") if isinstance(data, dict) else None
    if isinstance(packages, dict):
        root = packages.get(rel)
        if not isinstance(root, dict):
            return out  # the lockfile holds no package at the manifest's folder: not its workspace (the review of set 46)
        ranges = {}
        for group in ("dependencies", "devDependencies", "optionalDependencies", "peerDependencies"):
            if isinstance(root.get(group), dict):
                ranges.update(root[group])
        for key, entry in packages.items():
            for prefix in (f"{rel}/node_modules/" if rel else "node_modules/", "node_modules/"):
                name = key[len(prefix):] if key.startswith(prefix) else ""
                if name and "/node_modules/" not in name and isinstance(entry, dict) and isinstance(entry.get("version"), str) \
                        and isinstance(ranges.get(name), str):  # only what the manifest's own entry records
                    out.setdefault(name, (entry["version"], ranges[name]))
        return out
    deps = data.get("dependencies") if isinstance(data, dict) and not rel else None  # v1 records the root only
    for name, entry in (deps or {}).items():
        if isinstance(entry, dict) and isinstance(entry.get("version"), str):
            out[name] = (entry["version"], None)
    return out


def _pnpm(text: str, rel: str) -> dict[str, tuple[str, str | None]]:
    """pnpm-lock.yaml (v5-v9): the importer of the manifest at ``rel`` ('.' at the root)."""
    import yaml

    if re.search(r"(?m)(?:^|[\s\[{,:-])[&*][\w-]", text):
        return {}  # pnpm writes no YAML anchors or aliases; a file with them is no lockfile of pnpm's (an alias bomb)
    data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    if not isinstance(data, dict):
        return {}
    importers = data.get("importers")
    node = importers.get(rel or ".") if isinstance(importers, dict) else (data if not rel else None)
    out: dict[str, tuple[str, str | None]] = {}
    if not isinstance(node, dict):
        return out
    specifiers = node.get("specifiers") if isinstance(node.get("specifiers"), dict) else {}
    for group in ("dependencies", "devDependencies", "optionalDependencies"):
        for name, entry in (node.get(group) or {}).items() if isinstance(node.get(group), dict) else ():
            if isinstance(entry, dict):  # v6+: {specifier, version}
                version, spec = entry.get("version"), entry.get("specifier")
            else:  # v5: name: version, the ranges under `specifiers`
                version, spec = entry, specifiers.get(name)
            if isinstance(version, str) and isinstance(spec, str):
                out[str(name)] = (version.split("(", 1)[0], spec)
    return out


_YARN_HEAD = re.compile(r'^(?!\s)("?)(.+?)\1:\s*$')
_YARN_VERSION = re.compile(r'^\s+version:?\s+"?([^"\s]+)"?\s*$')


def _yarn(text: str, rel: str) -> dict[str, tuple[str, str | None]]:
    """yarn.lock v1 and berry: {name: (version, None)} keyed also by "name@range" for an exact match."""
    out: dict[str, tuple[str, str | None]] = {}
    specs: list[str] = []
    for line in text.split("\n"):
        head = _YARN_HEAD.match(line)
        if head and not line.startswith("#"):
            specs = [s.strip().strip('"') for s in head.group(2).split(",")]
            continue
        version = _YARN_VERSION.match(line)
        if version and specs:
            for spec in specs:
                name, _, rng = spec.rpartition("@") if spec.count("@") > spec.startswith("@") else (spec, "", "")
                rng = rng.split(":", 1)[1] if rng.startswith("npm:") else rng
                out.setdefault(f"{name}@{rng}", (version.group(1), rng))  # yarn keys every entry by the spec it resolves
            specs = []
    return out


_READERS = {"package-lock.json": _npm, "npm-shrinkwrap.json": _npm, "pnpm-lock.yaml": _pnpm, "yarn.lock": _yarn}


def _lockfile(manifest: str, files: list[str]) -> str | None:
    """The nearest tracked lockfile at or above the manifest's folder."""
    tracked = set(files)
    folder = posixpath.dirname(manifest)
    while True:
        for name in LOCKFILES:
            candidate = posixpath.join(folder, name) if folder else name
            if candidate in tracked:
                return candidate
        if not folder:
            return None
        folder = posixpath.dirname(folder)


def _resolved(f: Finding, reader, files: list[str], lock: str, manifest: str) -> dict:
    """The lockfile's index for this manifest, parsed once per triage run."""
    cache = once_per_files(_CACHE, reader, files, dict)
    key = (lock, manifest)
    if key not in cache:
        rel = posixpath.relpath(posixpath.dirname(manifest) or ".", posixpath.dirname(lock) or ".")
        rel = "" if rel == "." else rel
        try:
            cache[key] = _READERS[posixpath.basename(lock)]("".join(finding_lines(reader, f, lock)), rel)
        except Exception:  # noqa: BLE001 - a lockfile that does not parse is no evidence
            cache[key] = {}
    return cache[key]


def _workspace(f: Finding, reader, lock: str, manifest: str) -> bool:
    """Is the manifest's folder one of the `workspaces` of the package.json beside the lockfile (linkwarden's
    `"workspaces": ["apps/*", "packages/*"]` with one root yarn.lock: set 47)?"""
    root = posixpath.join(posixpath.dirname(lock), "package.json") if posixpath.dirname(lock) else "package.json"
    try:
        data = json.loads("".join(finding_lines(reader, f, root)) or "{}")
    except ValueError:
        return False
    spaces = data.get("workspaces") if isinstance(data, dict) else None
    spaces = spaces.get("packages") if isinstance(spaces, dict) else spaces
    folder = posixpath.relpath(posixpath.dirname(manifest), posixpath.dirname(lock) or ".")
    def glob(g: str) -> bool:  # `*` is one folder name, `**` any depth
        return re.fullmatch(re.escape(g.rstrip("/")).replace(r"\*\*", ".*").replace(r"\*", "[^/]*"), folder) is not None

    if not isinstance(spaces, list):
        return False
    globs = [g for g in spaces[:100] if isinstance(g, str) and 0 < len(g) < 200]
    return any(not g.startswith("!") and glob(g) for g in globs) and not any(g.startswith("!") and glob(g[1:]) for g in globs)


_REGISTRY_RANGE = re.compile(r"^(?:latest|[\w.*^~<>=|\s-]{1,80})$")


def _satisfies(version: str, rng: str) -> bool:
    """Is ``version`` inside the npm range ``rng``?  A dist-tag (``latest``) or a range univers cannot read counts."""
    from univers.version_range import NpmVersionRange
    from univers.versions import SemverVersion

    try:
        return SemverVersion(version) in NpmVersionRange.from_native(rng)
    except Exception:  # noqa: BLE001 - a tag or an odd range: the recorded spec matched, which is what npm compares
        return True


def check_lockfile_pin(f: Finding | dict, reader=None, files=None) -> dict | None:
    """{"check": "code", "status": "pinned", "evidence"} for a package.json range a committed lockfile resolves, else None."""
    f = as_finding(f)
    loc = f.location
    if reader is None or not files or not loc or not loc.start_line or not _RULE.search(str(f.rule_id or "")) \
            or posixpath.basename(str(f.path or "")) != "package.json":
        return None
    lines = finding_lines(reader, f)
    entry = _ENTRY.match(lines[loc.start_line - 1]) if 0 < loc.start_line <= len(lines) else None
    lock = _lockfile(str(f.path), list(files)) if entry else None
    if not entry or not lock:
        return None
    name, rng = entry.groups()
    if not _REGISTRY_RANGE.match(rng):
        return None  # a git, URL, file or alias spec: no registry release with an integrity hash (and maybe a token)
    if posixpath.dirname(lock) != posixpath.dirname(str(f.path)) and lock.endswith("yarn.lock") \
            and not _workspace(f, reader, lock, str(f.path)):
        return None  # yarn.lock records no workspace folders: the root manifest's `workspaces` must name this one
    if lock.endswith("yarn.lock") and _npm_installs(f, reader, files):
        return None  # the project's own build runs `npm install`, which never reads yarn.lock (mediacms, round 56)
    index = _resolved(f, reader, files, lock, str(f.path))
    version, recorded = index.get(f"{name}@{rng}") or (None, None) if lock.endswith("yarn.lock") else index.get(name) or (None, None)
    if not version or recorded != rng or not _satisfies(version, rng):
        return None  # not recorded for this manifest, another range (stale), or a release outside the range
    install = ("yarn install --frozen-lockfile" if lock.endswith("yarn.lock") else "pnpm install --frozen-lockfile"
               if lock.endswith("pnpm-lock.yaml") else "npm ci")  # the one install that reads this lockfile
    return {"check": "code", "status": "pinned",
            "evidence": f"pinned by the committed lockfile: {f.path}:{loc.start_line} declares `\"{name}\": \"{rng}\"`, and "
                        f"{lock} resolves it to {version}; an install from the lockfile ({install}) takes exactly that "
                        "release with its recorded integrity hash, so the range selects nothing until the lockfile is "
                        "updated in a reviewed change"}


def _npm_installs(f: Finding, reader, files) -> bool:
    """A workflow, Dockerfile, Makefile or shell script of the repository runs `npm install`/`npm ci` and none runs
    yarn; read once per triage run, in the lockfile indexes' cache (it depends on the file list alone)."""
    cache = once_per_files(_CACHE, reader, files, dict)
    if "npm installs" not in cache:
        build = [p for p in files if re.search(r"(?:^|/)(?:\.github/workflows/[^/]+\.ya?ml|[^/]*Dockerfile[^/]*|Makefile|[^/]+\.sh)$", p)]
        text = "".join("".join(finding_lines(reader, f, p)) for p in build[:60])
        cache["npm installs"] = bool(re.search(r"\bnpm\s+(?:install|i|ci)\b", text)) and not re.search(r"\byarn\b", text)
    return cache["npm installs"]
