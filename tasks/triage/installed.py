"""Installed third-party packages shipped with the code: a SAST finding there is the library's, not the project's.

A Lambda or Azure Functions source folder is often deployed with its
dependencies installed into it: ``pip install -t .`` leaves each package
folder next to its ``NAME-VERSION.dist-info`` (whose ``RECORD`` lists every
file pip wrote), the Functions tooling installs into
``.python_packages/lib/site-packages/``, npm into ``node_modules/``.  Bandit
and Semgrep then report the libraries' own internals (an ``assert`` in
``cryptography``, an ``eval`` in PLY's preprocessor, a SQL string built in
``sqlite_utils``): code the team neither wrote nor patches.  Such a finding
is a false positive of the project; what to act on for a library is a
dependency scanner's (SCA) finding on its version, and the project's own
calls into it are judged where they are.

The evidence is one a reader can check: the install folder in the path
(``site-packages/``, ``dist-packages/``, ``.python_packages/``,
``node_modules/``), or, for a package folder installed next to the
project's code, the ``RECORD`` (or ``installed-files.txt``/``top_level.txt``)
line of the sibling ``*.dist-info``/``*.egg-info`` that names the file, or
for a ``vendor/`` folder the package manager's own record of it: Go's
``vendor/modules.txt`` (``# module version``) or Composer's
``vendor/composer/installed.json`` (``"name": "vendor/package"``).  A
``vendor/`` folder without one may be hand-copied code and keeps its
``needs_review``.  A package pip installed from a local folder or a URL
(PEP 610's ``direct_url.json`` in its dist-info) and a Go module replaced
by a local folder may be the project's own code: left alone.

Only code and configuration findings are judged; a dedicated secret
scanner's finding and a dependency finding keep their own checks.  Copied
front-end libraries that the application serves (``static/js/jquery.js``)
are told apart by ``tasks.triage.paths`` and are left to it.

May import: ``tasks.core``, ``tasks.findings``.
"""

from __future__ import annotations

import weakref
from pathlib import PurePosixPath

from tasks.findings.model import Finding, as_finding

# folders package managers install into: the name, and who installs there
INSTALL_DIRS = {"site-packages": "pip", "dist-packages": "pip (a Debian Python)", ".python_packages": "the Azure "
                "Functions tooling (pip)", "node_modules": "npm"}
_MANIFESTS = ("RECORD", "installed-files.txt", "top_level.txt")
_VENDOR_MANIFESTS = ("vendor/modules.txt", "vendor/composer/installed.json")  # go mod vendor, composer install
MAX_DEPTH = 8  # package folders looked for from the file upwards
_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # index -> its Manifests, one scan per triage run


def install_dir(path: str | None) -> str | None:
    """The leading part of ``path`` up to and including its install folder (site-packages, node_modules ...), else None."""
    if not path:
        return None
    parts = PurePosixPath(path).parts[:-1]
    for i, part in enumerate(parts):
        if part in INSTALL_DIRS:
            return "/".join(parts[:i + 1])
    return None


class Manifests:
    """The ``*.dist-info``/``*.egg-info`` manifests of a repository's tracked files, by the folder they lie in."""

    def __init__(self, files: list[str]):
        self.by_folder: dict[str, list[str]] = {}
        self.local: set[str] = set()  # dist-info folders with PEP 610's direct_url.json: installed from a path or URL
        self.vendor: dict[str, str] = {}  # a vendor/ folder -> its Go modules.txt or Composer installed.json
        for p in files:
            pp = PurePosixPath(p)
            if pp.name in _MANIFESTS and pp.parent.name.endswith((".dist-info", ".egg-info")):
                self.by_folder.setdefault(str(pp.parent.parent), []).append(p)
            elif pp.name == "direct_url.json" and pp.parent.name.endswith(".dist-info"):
                self.local.add(str(pp.parent))
            elif p.endswith(_VENDOR_MANIFESTS) and pp.parts[-2:-1] in (("vendor",), ("composer",)):
                root = str(pp.parent if pp.name == "modules.txt" else pp.parent.parent)
                if PurePosixPath(root).name == "vendor":
                    self.vendor[root] = p


def _listed(reader, manifest: str, rel: str, top: str) -> int | None:
    """The 1-based line of ``manifest`` that lists ``rel`` (RECORD, installed-files.txt) or names ``top``, else None."""
    lines = reader.lines(manifest, None) or []
    name = PurePosixPath(manifest).name
    for n, line in enumerate(lines[:20000], 1):
        text = line.strip()
        if name == "RECORD" and text.split(",", 1)[0] == rel:
            return n
        if name == "installed-files.txt" and text.lstrip("./") == rel:
            return n
        if name == "top_level.txt" and text == top:
            return n
    return None


def _manifests(index) -> Manifests | None:
    if getattr(index, "reader", None) is None or not getattr(index, "files", None):
        return None
    manifests = _CACHE.get(index)
    if manifests is None:
        manifests = _CACHE[index] = Manifests(index.files)
    return manifests


def vendor_evidence(path: str, index) -> str | None:
    """'vendor/modules.txt:<n> records module M' (Go) or 'vendor/composer/installed.json:<n> lists P' (Composer)."""
    manifests = _manifests(index)
    parts = PurePosixPath(path).parts
    if manifests is None or "vendor" not in parts[:-1]:
        return None
    at = len(parts) - 2 - parts[:-1][::-1].index("vendor")  # the innermost vendor/ folder
    manifest = manifests.vendor.get("/".join(parts[:at + 1]))
    rel = "/".join(parts[at + 1:])
    if not manifest:
        return None
    lines = index.reader.lines(manifest, None) or []
    for n, line in enumerate(lines[:50000], 1):
        text = line.strip()
        if manifest.endswith("modules.txt"):
            words = text.split()
            if len(words) >= 3 and words[0] == "#" and rel.startswith(words[1] + "/"):
                if "=>" in words and words[-1].startswith((".", "/")):
                    return None  # replaced by a local folder: possibly the project's own module
                return f"{manifest}:{n} records module {words[1]} {words[2]} (`go mod vendor`)"
        elif text.startswith('"name"') and '"' + "/".join(rel.split("/")[:2]) + '"' in text and rel.count("/") >= 2:
            return f"{manifest}:{n} lists the package {'/'.join(rel.split('/')[:2])} (`composer install`)"
    return None


def dist_info_evidence(path: str, index) -> str | None:
    """'<folder>/<pkg>.dist-info/RECORD:<n> lists <file>' when pip's manifest beside a parent folder names the file;
    '' when that manifest's package was installed from a local folder or a URL (it may be the project's own)."""
    manifests = _manifests(index)
    if manifests is None:
        return None
    reader = index.reader
    p = PurePosixPath(path)
    for folder in list(p.parents)[:MAX_DEPTH]:
        found = manifests.by_folder.get(str(folder) if str(folder) != "." else ".")
        if not found:
            continue
        rel = str(p.relative_to(folder)) if str(folder) != "." else str(p)
        top = PurePosixPath(rel).parts[0]
        top = top.removesuffix(".py")
        # RECORD first: it names the very file; top_level.txt names only the package
        for manifest in sorted(found, key=lambda m: _MANIFESTS.index(PurePosixPath(m).name)):
            line = _listed(reader, manifest, rel, top)
            if line and str(PurePosixPath(manifest).parent) in manifests.local:
                return ""  # PEP 610 direct_url.json: pip installed it from a path or URL, not a published release
            if line:
                what = f"lists {rel}" if not manifest.endswith("top_level.txt") else f"names the package `{top}`"
                return f"{manifest}:{line} {what}"
    return None


def check_installed(f: Finding | dict, index=None) -> dict | None:
    """A code/config finding inside an installed third-party package -> false-positive reason, else None."""
    f = as_finding(f)
    if f.kind not in ("code", "config") or not f.path:
        return None
    where = install_dir(f.path)
    manifest = dist_info_evidence(f.path, index)
    vendor = vendor_evidence(f.path, index) if not where and manifest is None else None
    if manifest == "":
        return None  # the project's own package, installed from its folder: its code is the project's
    if vendor:
        proof = f"{f.path} is in a vendor/ folder a package manager filled ({vendor})"
    elif where:
        who = INSTALL_DIRS[PurePosixPath(where).name]
        proof = f"{f.path} is inside {where}/, the folder {who} installs third-party packages into" + (
            f" ({manifest})" if manifest else "")
    elif manifest:
        proof = f"{f.path} was installed by pip next to the project's code (`pip install -t` leaves its manifest: {manifest})"
    else:
        return None
    return {"check": "path", "status": "installed_package",
            "evidence": f"installed third-party package, not this project's code: {proof}; the finding is in the "
                        "library's own internals, which the team upgrades and never patches (its known vulnerabilities "
                        "are a dependency scanner's finding on its version)"}
