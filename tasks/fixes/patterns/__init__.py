"""Fix patterns keyed by (weakness family, language).

One module per language so a reviewer can read every fix a language gets in
one place.  ``lookup`` never falls back to another language's code: where a
language has no pattern the answer is the family's prose (``prose.PROSE``),
and where a family has no prose either (format strings outside C-like
printf languages) there is no pattern at all.
"""

from __future__ import annotations

from tasks.fixes.patterns import (
    c,
    csharp,
    go,
    infra,
    java,
    javascript,
    kotlin,
    php,
    prose,
    python,
    ruby,
)

_MODULES = {
    "python": python, "javascript": javascript, "typescript": javascript, "java": java, "kotlin": kotlin,
    "go": go, "csharp": csharp, "ruby": ruby, "php": php, "c": c, "cpp": c,
}
PROSE_ONLY = {"format-string"}  # never language-neutral: it means different things per language


def lookup(family: str, language: str | None) -> tuple[str | None, bool]:
    """(text, is_code_pattern) for the family in this language; (None, False) when there is none."""
    mod = _MODULES.get(language or "")
    text = mod.PATTERNS.get(family) if mod else None
    if text is None and language:
        text = infra.PATTERNS.get((language, family))
    if text:
        if language == "typescript":
            text = text.replace("```javascript", "```typescript")
        return text, True
    if family in PROSE_ONLY:
        return None, False
    return prose.PROSE.get(family), False


def rewrite_for(family: str, language: str | None):
    """A line rewrite that turns the pattern into a diff, when one is safe for this family and language."""
    mod = _MODULES.get(language or "")
    return getattr(mod, "REWRITES", {}).get(family) if mod else None


def covered() -> list[tuple[str, str]]:
    """Every (family, language) pair with a code pattern, for docs and tests."""
    pairs = {(fam, lang) for lang, mod in _MODULES.items() for fam, text in mod.PATTERNS.items() if text}
    pairs |= {(fam, lang) for (lang, fam) in infra.PATTERNS}
    return sorted(pairs)
