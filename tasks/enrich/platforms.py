"""Which catalogue text fits a finding: its language, the CWE's applicable platforms.

The CWE catalogue is written for every language at once.  CWE-134 (format
strings) is about C's ``printf`` family and ``%n``; a Semgrep rule maps a
JavaScript ``console.error(userInput)`` to the same CWE.  Teaching the model
C advice for that line is the error an application-security reviewer
catches first, so a narrative uses an entry's consequences and mitigations
only when the entry applies to the finding's language, and drops any
passage that names another language.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from tasks.findings.model import NO_LOCATION, Finding, as_finding

# finding language (tasks.fixes.language_of names) -> CWE "LANGUAGE NAME"s that describe it
_CWE_NAMES = {
    "python": {"Python"}, "javascript": {"JavaScript"}, "typescript": {"JavaScript"},
    "java": {"Java"}, "kotlin": {"Java"}, "go": {"Go"}, "csharp": {"C#", "ASP.NET"},
    "ruby": {"Ruby"}, "php": {"PHP"}, "c": {"C"}, "cpp": {"C", "C++"}, "rust": {"Rust"},
    "perl": {"Perl"}, "xml": {"XML"}, "sql": {"SQL"},
}
_INTERPRETED = {"python", "javascript", "typescript", "ruby", "php", "perl", "shell"}
_COMPILED = {"java", "kotlin", "go", "csharp", "c", "cpp", "rust"}
_HARDWARE = {"Verilog", "VHDL"}

# words that tie a passage to one language; C is also recognised by its library
_NAMED = {
    "C": r"(?<![\w+#./-])C(?![\w+#/-])|\bprintf\b|\bsprintf\b|\bstr(?:n)?cpy\b|\bstrcat\b|\bmalloc\b|\bgets\(|%n\b|\bnull[- ]terminat",
    "C++": r"\bC\+\+",
    "C#": r"\bC#|\.NET\b|\bASP\.NET\b",
    "Java": r"\bJava\b(?!Script)|\bJSP\b|\bservlet",
    "JavaScript": r"\bJavaScript\b|\bNode\.js\b",
    "PHP": r"\bPHP\b|register_globals",
    "Perl": r"\bPerl\b|\btaint mode\b",
    "Python": r"\bPython\b",
    "Ruby": r"\bRuby\b|\bRails\b",
    "Rust": r"\bRust\b",
    "Hardware": r"\bVerilog\b|\bVHDL\b|\bhardware\b|\bfirmware\b|\bSoC\b",
}
_NAMED_RE = {name: re.compile(rx) for name, rx in _NAMED.items()}
# the names of the languages a finding's own language may mention
_OWN_NAMES = {
    "python": {"Python"}, "javascript": {"JavaScript"}, "typescript": {"JavaScript"}, "java": {"Java"},
    "kotlin": {"Java"}, "csharp": {"C#"}, "ruby": {"Ruby"}, "php": {"PHP"}, "c": {"C"}, "cpp": {"C", "C++"},
    "rust": {"Rust"}, "perl": {"Perl"},
    # a page's script tags run JavaScript: set 39's listmonk template (a value in <script src>) named it rightly
    "html": {"JavaScript"}, "php": {"PHP", "JavaScript"},
}
_CONFIG_FILES = {"dockerfile", "terraform", "kubernetes", "github-actions", "yaml", "json", "xml", "toml", "hcl"}


def language_of_path(path: str | None, text: str | None = None) -> str | None:
    """The file's language, as ``tasks.fixes.language_of`` names it (identify as a fallback)."""
    if not path:
        return None
    try:
        from tasks.fixes import language_of
    except ImportError:  # an older tasks.fixes without language detection
        language_of = None
    if language_of is not None:
        return language_of(path, text)
    from identify import identify

    tags = identify.tags_from_filename(PurePosixPath(path).name)
    for tag in ("python", "javascript", "ts", "java", "kotlin", "go", "c#", "ruby", "php", "terraform", "dockerfile",
                "yaml", "json", "xml", "shell", "c", "c++", "rust", "perl"):
        if tag in tags:
            return {"ts": "typescript", "c#": "csharp", "c++": "cpp"}.get(tag, tag)
    return None


def finding_language(f: Finding | dict) -> str | None:
    """The language of the code a finding points at; None for packages, URLs and unknown files."""
    f = as_finding(f)
    if f.kind in ("dependency", "web"):
        return None
    loc = f.location or NO_LOCATION
    return language_of_path(loc.path, f.snippet)


def entry_applies(entry: dict, language: str | None) -> bool:
    """Does the catalogue entry describe weaknesses of this language (or of any language)?"""
    p = entry.get("platforms") or {}
    names, classes = set(p.get("languages") or []), set(p.get("language_classes") or [])
    if "Not Language-Specific" in classes:
        return True
    if not names and not classes:
        return not (set(p.get("technologies") or []) and all("Hardware" in t or t == "System on Chip" for t in p["technologies"]))
    if names and names <= _HARDWARE:
        return False
    if language is None:
        return False  # a package or a URL: advice written for some languages only does not fit
    if names & _CWE_NAMES.get(language, set()):
        return True
    return ("Interpreted" in classes and language in _INTERPRETED) or ("Compiled" in classes and language in _COMPILED)


def named_languages(text: str) -> set[str]:
    """Languages (and hardware) a text names or is tied to by its library calls."""
    return {name for name, rx in _NAMED_RE.items() if rx.search(text or "")}


def foreign_names(text: str, language: str | None) -> set[str]:
    """The languages ``text`` names that are not the finding's own."""
    own = _OWN_NAMES.get(language or "", set())
    return named_languages(text) - own


def fits(text: str, language: str | None) -> bool:
    """A catalogue passage fits when it names no other language than the finding's."""
    return not foreign_names(text, language)


def is_config_language(language: str | None) -> bool:
    return language in _CONFIG_FILES

