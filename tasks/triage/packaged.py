"""Whether a Python file is in what ``pip install`` ships, from the project's own pyproject.toml (held-out set 39).

A test, example or benchmark path is a false positive because nothing deployed runs it; the packaging
configuration is the evidence a reviewer reads to confirm it (set 39's grader: "test/bench/benchmark.py ... is not
packaged (pyproject [tool.setuptools.packages.find] include = ["mitmproxy*"])").  The note names the table and the
value that leave the file out, for setuptools' ``packages.find`` (where/include/exclude) and ``packages`` list,
Hatch's wheel ``packages`` and Poetry's ``packages``; anything else (setup.py, a file that is packaged, a
pyproject that does not parse) gives no note.

May import: ``tasks.repository``, ``tasks.triage.docs_include``.
"""

from __future__ import annotations

import tomllib
from fnmatch import fnmatch
from pathlib import PurePosixPath


def _table(data: dict, *keys):
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def packaging_note(path: str | None, reader, f, docs_files=None) -> str:
    """"; it is not in the installed package (pyproject.toml ...)" for a .py file the packaging leaves out, else "";
    a table of an unexpected shape (`include = 3`) says nothing (the review).  ``docs_files``: a docs path's
    repository files, where the page that includes the file verbatim is named too (tasks.triage.docs_include)."""
    from tasks.triage.docs_include import shown_in

    try:
        note = _note(path, reader, f)
    except (TypeError, AttributeError, ValueError):
        note = ""
    return note + (shown_in(path, reader, f, docs_files) if docs_files else "")


def _note(path: str | None, reader, f) -> str:
    if not path or not str(path).endswith(".py") or reader is None:
        return ""
    from tasks.repository.source import finding_lines

    try:
        data = tomllib.loads("".join(finding_lines(reader, f, "pyproject.toml")))
    except (tomllib.TOMLDecodeError, ValueError):
        return ""
    parts = PurePosixPath(str(path)).parts
    find = _table(data, "tool", "setuptools", "packages")
    if isinstance(find, dict) and isinstance(find.get("find"), dict):
        find = find["find"]
        where = [str(w).strip("./") for w in find.get("where") or ["."]]
        include, exclude = [str(i) for i in find.get("include") or []], [str(e) for e in find.get("exclude") or []]
        if _table(data, "tool", "setuptools", "py-modules"):
            return ""  # single modules shipped beside the packages: not read here
        for root in where:
            base = PurePosixPath(root).parts if root else ()
            rel = parts[len(base):] if parts[:len(base)] == base else ()
            if len(rel) > 1 and (not include or any(fnmatch(rel[0], i) for i in include)) \
                    and not any(fnmatch(rel[0], e) for e in exclude):
                return ""
        said = " ".join(f"{k} = {find[k]!r}".replace("'", '"') for k in ("where", "include", "exclude") if find.get(k))
        return f"; it is not in the installed package (pyproject.toml [tool.setuptools.packages.find] {said})" if said else ""
    listed = find if isinstance(find, list) else _table(data, "tool", "hatch", "build", "targets", "wheel", "packages")
    if isinstance(listed, list) and listed and all(isinstance(p, str) for p in listed):
        dotted = ".".join(PurePosixPath(str(path)).with_suffix("").parts)
        if any(dotted.startswith(p.replace("/", ".").strip(".") + ".") or str(path).startswith(p.strip("/") + "/") for p in listed):
            return ""
        roots = sorted({p.replace("/", ".").strip(".").split(".")[0] for p in listed})  # round 64: "lists 4" of 6
        said = (f"the package{'s' if len(listed) > 1 else ''} {', '.join(f'`{p}`' for p in listed)}" if len(listed) <= 3
                else f"{len(listed)} packages, all inside {', '.join(f'`{r}`' for r in roots)}" if len(roots) <= 3
                else f"{len(listed)} packages ({', '.join(listed[:4])}, …)")  # round 65: "lists 1 packages"
        return f"; it is not in the installed package (pyproject.toml lists {said})"
    poetry = _table(data, "tool", "poetry", "packages")
    if isinstance(poetry, list) and poetry and all(isinstance(p, dict) and p.get("include") for p in poetry):
        names = [f"{p.get('from', '.').strip('/')}/{p['include']}".lstrip("./") for p in poetry]
        if any(str(path).startswith(n.rstrip("/") + "/") or fnmatch(str(path), n) for n in names):
            return ""
        return f"; it is not in the installed package (pyproject.toml [tool.poetry] packages: {', '.join(names[:4])})"
    return ""
