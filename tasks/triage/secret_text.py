"""How a triage reason names the class of a flagged value (tasks.findings.secret_evidence's classes), without the value.

May import: nothing of tasks.
"""

from __future__ import annotations

SECRET_TEXT = {
    "empty": "{match}",
    "message": "text for a person, not a credential ({match})",
    "example": "a documented example value ({match})",
    "expired": "{match}, so it authenticates nothing",
    "placeholder": "a placeholder, not a credential ({match})",
    "code-word": "{match}, not a credential",
    "plain-word": "a plain word ({length} characters, {entropy} bits/char)",
    "phrase": "{match} typed by a person ({length} characters)",
    "dummy": "a dummy value: it names itself `{word}` ({length} characters)",
    "low-entropy": "a low-entropy value ({length} characters, {entropy} bits/char)",
    "high-entropy": "a high-entropy value ({length} characters, {entropy} bits/char), shaped like a real credential",
    "weak": "a weak, guessable value ({match}, {length} characters)",
    "uuid": "a UUID ({length} characters: the form of a record id, though some services issue UUIDs as API keys)",
    "typed": "a hand-typed value ({match})",
    "hash": "{match}", "key-header": "{match}", "url": "{match}",
}


def describe(shown: str, ev: dict, word: str | None = None) -> str:
    """"a plain word (8 characters, 2.8 bits/char)" for the class ``shown`` of the evidence ``ev``."""
    return SECRET_TEXT[shown].format(word=word, **{k: ev.get(k) for k in ("match", "length", "entropy")})
