"""A vendored web asset that nothing in the repository names: no page loads it.

"Vendored library code" alone would also dismiss a real flaw in a library the project serves (set 27's reason
audit, django-helpdesk's jquery.translate-debug-all.js: a 2009 plugin no package manifest lists, so no dependency
scanner will ever report a fix for it).  What made both labellers call it a false positive is that no template,
script or setting names the file: nothing loads it.  The index is the text of the repository's templates, scripts,
settings and manifests (not its prose), read once per reader; a build configuration that takes a whole folder
(``static_src/js/*.js`` in a gulpfile) counts as naming every file in it.

May import: ``tasks.core``, ``tasks.findings``, ``tasks.triage.repo_cache``.
"""

from __future__ import annotations

import re
import weakref
from pathlib import PurePosixPath

from tasks.triage.repo_cache import once_per_files

MAX_FILES = 4000
MAX_BYTES = 256 * 1024
MAX_TOTAL = 48 * 1024 * 1024
_TEXT = (".html", ".htm", ".js", ".mjs", ".cjs", ".ts", ".tsx", ".jsx", ".vue", ".svelte", ".py", ".json", ".yml",
         ".yaml", ".toml", ".cfg", ".ini", ".txt", ".jinja", ".jinja2", ".j2", ".tmpl", ".tpl", ".php", ".rb", ".erb",
         ".ejs", ".hbs", ".mustache", ".xml", ".conf")
_INDEX: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _index(reader, files: list[str]) -> list[tuple[str, str]]:
    return once_per_files(_INDEX, reader, files, lambda: _read_index(reader, files))


def _read_index(reader, files: list[str]) -> list[tuple[str, str]]:
    out, total = [], 0
    for path in [p for p in files if p.lower().endswith(_TEXT) and "node_modules/" not in p][:MAX_FILES]:
        text = "".join(reader.lines(path, None) or [])[:MAX_BYTES]
        out.append((path, text.lower()))
        total += len(text)
        if total > MAX_TOTAL:
            break
    return out


def never_named(path: str | None, reader=None, files: list[str] | None = None) -> str:
    """``; no template, script or setting of the repository names it, so no page loads it`` for a web asset nothing
    else mentions by name (nor by a glob over its folder), else ""."""
    if not path or reader is None or not files or not path.lower().endswith((".js", ".mjs", ".css", ".html", ".htm")):
        return ""
    stem = PurePosixPath(path).name.lower().rsplit(".", 1)[0]
    if path.lower().endswith((".html", ".htm")):  # a library's demo page: named with its folder (mode/tiki/index.html)
        stem = "/".join(PurePosixPath(path.lower()).parts[-2:])
    folder = str(PurePosixPath(path).parent).lower()
    globs = [f"{part}/*" for part in (folder, folder.rsplit("/", 1)[-1]) if part and part != "."]
    texts = [text for p, text in _index(reader, files) if p != path]
    named = re.compile(rf"(?<![\w.-]){re.escape(stem)}(?:\.(?:js|mjs|css))?(?![\w.-])")  # not select2 in select2.min.js
    parts = [x for x in folder.split("/") if x and x != "."]  # a folder a name is built in: `'%s%s.js' % (I18N_PATH,
    built = re.compile("|".join(rf"[\"'`/]{re.escape('/'.join(parts[-k:]))}/(?=[\"'`%{{]|\$\{{)"  # the folder's path and
                                for k in range(1, min(3, len(parts)) + 1))) \
        if parts else None  # a slot for the name, not another file's name: `'%s%s.js' % (I18N_PATH, lang)` with
    # I18N_PATH = 'autocomplete_light/i18n/' (round 62: sk.js "loaded by nothing")
    if not texts or any(named.search(text) or any(g in text for g in globs) or built and built.search(text)
                        for text in texts):  # (set 35's audit)
        return ""
    return "; no template, script or setting of the repository names it, so no page loads it"
