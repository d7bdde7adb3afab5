"""Comments in a flagged file's own language, for the suppressions written into it (split from tasks.fixes.suppression).

Which comment a file takes (``#``, ``//``, ``<!-- -->``), which files take none, and where a trailing comment cannot
go: a Dockerfile's ``#`` only starts a line; an HTML line that leaves a start tag open would take the comment inside
the tag.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

_HASH_COMMENT = {".py", ".rb", ".sh", ".bash", ".yaml", ".yml", ".tf", ".hcl", ".toml", ".r", ".pl", ".ps1", ".cfg", ".conf", ""}
_MARKUP = {".html", ".htm", ".xml", ".jsp", ".vue", ".svg", ".xhtml", ".aspx", ".cshtml", ".gohtml", ".tmpl", ".twig",
           ".jinja", ".jinja2", ".j2", ".njk", ".hbs", ".mustache", ".erb"}  # HTML pages of a template engine
NO_COMMENTS = {".json", ".ipynb", ".md", ".csv", ".txt"}


def comment(path: str | None) -> str:
    suffix = PurePosixPath(path or "").suffix.lower()
    if PurePosixPath(path or "").name == "Dockerfile":
        return "#"
    if suffix in _MARKUP:
        return "<!--"
    return "#" if suffix in _HASH_COMMENT else "//"


def comment_text(path: str | None, text: str) -> str:
    """``text`` as a comment of the file's language (a template's comment closes: ``<!-- ... -->``)."""
    c = comment(path)  # a template tag inside an HTML comment still runs: name it instead (round 47's {% csrf_token %})
    text = re.sub(r"`?\{%-?\s*(\w+)[^%]*%\}`?", r"the \1 tag", re.sub(r"\{\{-?\s*(.*?)\s*-?\}\}", r"\1", text)) \
        if c == "<!--" else text  # no backticks around it: "`the csrf_token tag`" read as a placeholder (round 49)
    return f"<!-- {text} -->" if c == "<!--" else f"{c} {text}"


_QUOTED = re.compile(r""""[^"]*"|'[^']*'""")  # an attribute's quoted value, read as one opaque token


def open_tag(path, line: str) -> bool:
    """A markup line that leaves a tag open (`<form method="post"` continued below): a comment appended to it would
    sit inside the start tag, and its `-->` would close the tag (round 49: linkding's form lost its action)."""
    bare = _QUOTED.sub('""', line or "")  # `@submit="() => save()"`: a > inside a value closes nothing
    return comment(path) == "<!--" and bool(re.search(r"<[A-Za-z][^<>]*$", bare))


def attribute_line(path, line: str) -> bool:
    """A markup line that continues a start tag (`   href="{{ x }}"`, no `<` before the attribute): no comment can go on
    it or on a line of its own just above it (the review of the set-45 change)."""
    return comment(path) == "<!--" and bool(re.match(r"\s*[@:]?[\w.:-]+\s*=\s*[\"'{]", line or "")) and "<" not in \
        _QUOTED.sub('""', line or "")


def no_trailing_comment(path) -> bool:
    """A Dockerfile's `#` only starts a line (set 39: `ENTRYPOINT [...]  # nosemgrep` became a shell command that
    never ran the script); an INI, .env or .properties value would take the comment in."""
    name = PurePosixPath(str(path or "")).name.lower()
    return name.startswith(("dockerfile", "containerfile")) or name.endswith((".dockerfile", ".ini", ".cfg", ".env", ".properties", ".conf"))
