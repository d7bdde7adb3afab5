"""Credential token shapes detect-secrets has no plugin for, or skips on lines that look like code.

detect-secrets (1.5) knows classic GitHub ``ghp_`` tokens, AWS keys, Slack and
Stripe, but not Hugging Face ``hf_``, GitHub fine-grained ``github_pat_``,
Google ``AIza``, OpenAI ``sk-proj-``, Anthropic ``sk-ant-``, npm ``npm_`` or
PyPI ``pypi-`` tokens; and its heuristic filters drop a whole line that looks
like code (``c = Cipher.getInstance("...")``), so even a token it knows
survives there.  These shapes are unambiguous prefixes, so they are matched
on the whole text with no filter and no line-length limit, and the whole
token (every token character after the prefix) is taken.

One table: adding a kind is one line here and one row in
tests/test_hostile_secrets.py (which builds fake values at run time).
"""

from __future__ import annotations

import re

# (kind, prefix pattern, minimum length of the body that follows the prefix)
TABLE: tuple[tuple[str, str, int], ...] = (
    ("huggingface", r"hf_", 30),
    ("github-fine-grained", r"github_pat_", 40),
    ("github", r"gh[pousr]_", 30),
    ("gitlab", r"glpat-", 20),
    ("google-api", r"AIza", 30),
    ("openai", r"sk-(?:proj|svcacct|admin)-", 20),
    ("anthropic", r"sk-ant-", 20),
    ("slack", r"xox[bpaesr]-", 10),
    ("slack-app", r"xapp-", 10),
    ("stripe", r"[sr]k_live_", 16),
    ("stripe-test", r"[sr]k_test_", 16),
    ("npm", r"npm_", 30),
    ("pypi", r"pypi-", 50),
    ("aws-access-key", r"(?:AKIA|ASIA|ABIA|ACCA)", 16),
)

_BODY = r"[A-Za-z0-9_\-]"
# Prefixes distinctive enough to be found glued to the character before them: a token after "%3D"
# (URL-encoded "="), or after an escape written in code ("\\nghp_...", "\\tghp_...") has a letter or
# digit before it, which a word-boundary rule took for part of an identifier.  The rest (AWS key
# ids, test keys, xapp-) keep the boundary: glued, they are too often part of a longer word.
GLUED = {"huggingface": r"hf_", "github-fine-grained": r"github_pat_", "github": r"gh[pousr]_", "gitlab": r"glpat-",
         "google-api": r"AIza", "openai": r"sk-(?:proj|svcacct|admin)-", "anthropic": r"sk-ant-",
         "slack": r"xox[bpaesr]-", "stripe": r"[sr]k_live_", "npm": r"npm_", "pypi": r"pypi-AgE"}
_BOUNDARY = r"(?<![A-Za-z0-9_\-])"
# A JSON Web Token (header and payload are base64 JSON objects, so both start "eyJ"): found here, on the
# whole text, because detect-secrets saw long lines in pieces and a JWT longer than their overlap
# straddling a piece boundary was missed.
JWT = r"eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]*"
_PATTERN = re.compile("|".join(
    [JWT] + [f"(?:{GLUED[kind]}){_BODY}{{{minimum},}}" for kind, _, minimum in TABLE if kind in GLUED]
    + [f"{_BOUNDARY}(?:{prefix}){_BODY}{{{minimum},}}" for kind, prefix, minimum in TABLE]
))


def kind_of(value: str) -> str | None:
    """The table's kind for a token value, or None."""
    for kind, prefix, minimum in TABLE:
        if re.fullmatch(f"(?:{prefix}){_BODY}{{{minimum},}}", value):
            return kind
    return None


def find(text: str) -> list[str]:
    """Every token of a known shape in ``text`` (whole text, any line length), whole."""
    if not isinstance(text, str) or len(text) < 10:
        return []
    found = []
    for m in _PATTERN.finditer(text):
        value = m.group(0)
        if value.startswith("eyJ"):
            found.append(value)
            continue
        if value.upper() == value and kind_of(value) != "aws-access-key" and not re.search(r"\d", value):
            continue  # an all-caps identifier (HF_HOME_DIRECTORY_...) is a name, not a token
        if re.fullmatch(r"[A-Za-z_]+", value[4:]) and "_" in value[4:]:
            continue  # snake_case words after the prefix: an identifier such as hf_hub_download_with_retries
        found.append(value)
    return found
