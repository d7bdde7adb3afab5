"""What a Django model's ``get_absolute_url()`` returns across the repository: a path ``reverse()`` builds, or
something stored.

Django's convention is ``return reverse("app:view", args=[self.pk])``: a path of the project's own URL patterns,
percent-encoded, never a ``javascript:`` URL.  A model may instead return a stored URL (``return self.url``), which is
whatever was saved.  So a ``{{ obj.get_absolute_url }}`` in an ``href`` (wger's ingredient list, held-out set 44) or
an ``obj.get_absolute_url()`` in ``mark_safe`` markup (netbox, set 43) is trusted only when every definition of the
repository returns ``reverse()``/``reverse_lazy()``, ``None``, or another object's ``get_absolute_url()``.

The repository-wide read is tasks.triage.repo_urls'.

May import: ``tasks.triage.parsed_source``.
"""

from __future__ import annotations

import ast
import re

from tasks.triage.parsed_source import parsed_tree


def _name(node) -> str:
    return node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""


def judged(texts) -> str | None:
    """"the repository's N `get_absolute_url` definitions all return reverse()", or None (one returns anything else,
    none exists, or one does not parse)."""
    found = 0
    for text in texts:
        if "ABSOLUTE_URL_OVERRIDES" in text or re.search(r"\bget_absolute_url\s*=", text):
            return None  # Django's settings override, or a method bound to a lambda or another function (9a2f23f's review)
        if "def get_absolute_url" not in text:
            continue
        try:
            tree = parsed_tree(text, len(text))[0]
        except (SyntaxError, ValueError, RecursionError):
            return None
        for d in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == "get_absolute_url"):
            for r in (n for n in ast.walk(d) if isinstance(n, ast.Return)):
                v = r.value
                if not (v is None or isinstance(v, ast.Constant) and v.value is None or isinstance(v, ast.Call) and (
                        _name(v.func) in ("reverse", "reverse_lazy") or _name(v.func) == "get_absolute_url")):
                    return None
            found += 1
    return f"the repository's {found} `get_absolute_url` definitions all return reverse()" if found else None

