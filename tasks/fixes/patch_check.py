"""Code in answers: does a proposed patch apply and parse, and is its language the file's?

Two of the metrics look at code a model wrote.  ``patch_applies`` wants a
unified diff (parsed with ``unidiff``, the field's library for the format)
whose hunks apply to the snippet the row's expected diff applies to, and
whose result still parses where a parser ships with Python or a declared
dependency (``ast``, ``json``, ``tomllib``, PyYAML, defusedxml).  A snippet
that does not parse on its own (a fragment cut from a function) is not held
against the patch: the parse check applies only when the original parses.

``no_foreign_language`` catches the failure the original project saw most:
a Python finding answered with Java.  Fenced blocks are classified by their
tag, untagged blocks (and the lines a diff adds) by a few unambiguous
syntax signals; shell, SQL, plain text and unclassifiable blocks are neutral.
"""

from __future__ import annotations

import ast
import json
import re
import textwrap
import tomllib
from pathlib import PurePosixPath

# ----------------------------------------------------------------------------- languages

# fence tag / meta.language / identify tag -> language family
_FAMILY = {
    "python": "python", "py": "python", "python3": "python", "py3": "python",
    "javascript": "js", "js": "js", "jsx": "js", "node": "js", "typescript": "js", "ts": "js", "tsx": "js",
    "mjs": "js", "cjs": "js",
    "json": "json", "jsonc": "json",
    "java": "java", "kotlin": "kotlin", "kt": "kotlin", "kts": "kotlin",
    "go": "go", "golang": "go",
    "csharp": "csharp", "cs": "csharp", "c#": "csharp",
    "ruby": "ruby", "rb": "ruby", "php": "php",
    "terraform": "hcl", "tf": "hcl", "hcl": "hcl",
    "dockerfile": "dockerfile", "docker": "dockerfile",
    "yaml": "yaml", "yml": "yaml", "kubernetes": "yaml", "k8s": "yaml", "github-actions": "yaml",
    "xml": "xml", "pom": "xml", "toml": "toml",
    "c": "c", "cpp": "cpp", "c++": "cpp", "rust": "rust", "rs": "rust", "scala": "scala", "swift": "swift",
    "html": "html", "perl": "perl", "lua": "lua",
}
# blocks that are never "another language": commands, queries, prose, diffs (judged by content)
NEUTRAL = {"", "text", "txt", "plaintext", "plain", "console", "shell", "sh", "bash", "zsh", "powershell",
           "ps1", "cmd", "sql", "diff", "patch", "ini", "properties", "env", "output", "log"}
# a file of the key family may show blocks of these families too (manifests, build files)
_ALSO = {"python": {"toml"}, "js": {"json"}, "java": {"xml", "kotlin"}, "kotlin": {"xml", "java"}, "csharp": {"xml"}, "dockerfile": set()}

_SIGNALS = {
    "python": [r"^\s*def \w+\(.*\)\s*(->.*)?:\s*$", r"^\s*(?:from [\w.]+ )?import [\w.]+(?: as \w+)?\s*$",
               r"^\s*(?:elif|except)\b.*:\s*$", r"\bself\.\w+", r"^\s*print\(", r"\bos\.environ\b"],
    "js": [r"\b(?:const|let|var)\s+\w+\s*=", r"\bfunction\s*\w*\s*\([^)]*\)\s*\{", r"\)\s*=>", r"\brequire\(['\"]",
           r"\bconsole\.\w+\(", r"\bmodule\.exports\b"],
    "java": [r"\b(?:public|private|protected)\s+(?:static\s+)?(?:final\s+)?[\w<>\[\]]+\s+\w+\s*\(.*\)\s*(?:throws [\w, ]+)?\{?\s*$",
             r"\bSystem\.(?:out|err)\.", r"^\s*import\s+(?:java|javax|org|com)\.[\w.*]+;"],
    "kotlin": [r"^\s*fun\s+\w+\(", r"^\s*val\s+\w+\s*[:=]"],
    "go": [r"^\s*package\s+\w+\s*$", r"^\s*func\s+(?:\(\w+ \*?\w+\)\s*)?\w+\(", r"\w+\s*:=\s*", r"\bfmt\.\w+\("],
    "php": [r"<\?php", r"\$\w+\s*=[^=]", r"\becho\s+\$"],
    "ruby": [r"^\s*def\s+\w+[?!]?\s*(?:\(.*\))?\s*$", r"^\s*puts\s", r"^\s*require\s+['\"]", r"^\s*end\s*$"],
    "csharp": [r"^\s*using\s+System[\w.]*;", r"^\s*namespace\s+[\w.]+", r"\bConsole\.Write"],
    "hcl": [r"^\s*(?:resource|provider|module|variable|data)\s+\"[\w-]+\""],
    "dockerfile": [r"^FROM\s+\S+", r"^(?:RUN|COPY|ENTRYPOINT|CMD|WORKDIR|USER)\s+"],
    "yaml": [r"^\s*apiVersion:\s*\S+", r"^\s*runs-on:\s*", r"^\s*-\s*uses:\s*\S+"],
}
_SIGNAL_RE = {lang: [re.compile(p, re.M) for p in pats] for lang, pats in _SIGNALS.items()}
_FENCE = re.compile(r"^[ \t]*```[ \t]*([\w+#.-]*)[^\n]*\n(.*?)(?:^[ \t]*```|\Z)", re.S | re.M)


def family(name: str | None) -> str | None:
    if not name:
        return None
    return _FAMILY.get(name.strip().lower())


def language_of(meta: dict) -> str | None:
    """The row's language family: ``meta.language``, else from the file name (``identify``)."""
    fam = family(meta.get("language"))
    if fam or not meta.get("path"):
        return fam
    from identify import identify

    for tag in sorted(identify.tags_from_filename(PurePosixPath(str(meta["path"])).name)):
        if family(tag):
            return family(tag)
    return None


def code_blocks(text: str) -> list[tuple[str, str]]:
    """(tag, body) of every fenced block; an unclosed last fence (cut generation) runs to the end."""
    return [(m.group(1).lower(), m.group(2)) for m in _FENCE.finditer(text)]


def guess_language(code: str) -> str | None:
    """The family whose syntax signals match most lines; None when none or a tie."""
    scores = {lang: sum(len(r.findall(code)) for r in regs) for lang, regs in _SIGNAL_RE.items()}
    best = max(scores.values())
    if best == 0:
        return None
    winners = [lang for lang, s in scores.items() if s == best]
    return winners[0] if len(winners) == 1 else None


def _diff_new_code(body: str) -> str:
    lines = [l[1:] for l in body.splitlines() if l[:1] in ("+", " ") and not l.startswith("+++")]
    return "\n".join(lines)


# a block that opens by naming a scanner's own settings file (``# .checkov.yaml``, ``# .grype.yaml``): the tool's
# configuration, in whatever format the tool reads, not code of the project's language
_SCANNER_SETTINGS = re.compile(r"^\s*#\s*\.?(?:checkov|grype|trivy|semgrep|gitleaks|bandit|osv-scanner)[\w.-]*\.(?:ya?ml|toml)\b",
                               re.I)


def block_language(tag: str, body: str) -> str | None:
    """A block's language family, or None when neutral or unknown."""
    if _SCANNER_SETTINGS.match(body):
        return None
    if tag in ("diff", "patch"):
        return guess_language(_diff_new_code(body))
    if tag in NEUTRAL:
        return guess_language(body) if tag == "" else None
    return family(tag)


def no_foreign_language(answer: str, meta: dict) -> bool | None:
    """True when no code block is in another language than the file's; None when the file's is unknown."""
    own = language_of(meta)
    if own is None:
        return None
    allowed = {own} | _ALSO.get(own, set())
    for tag, body in code_blocks(answer):
        lang = block_language(tag, body)
        if lang is not None and lang not in allowed:
            return False
    return True


# ----------------------------------------------------------------------------- patches


def extract_diff(answer: str) -> str | None:
    """The first unified diff in the answer: a ```diff block, or any text with ---/+++ headers."""
    for tag, body in code_blocks(answer):
        if tag in ("diff", "patch") or re.search(r"^--- .*\n\+\+\+ ", body, re.M):
            return body
    m = re.search(r"^--- .*\n\+\+\+ .*\n(?:^[ +\-@\\].*(?:\n|\Z))*", answer, re.M)
    return m.group(0) if m else None


def _norm_path(p: str | None) -> str:
    p = (p or "").strip()
    for prefix in ("a/", "b/", "./"):
        if p.startswith(prefix):
            p = p[len(prefix):]
    return p


def _find(lines: list[str], needle: list[str], near: int) -> int | None:
    """Index of ``needle`` in ``lines`` (trailing blanks ignored) nearest to ``near``."""
    if not needle:
        return near if 0 <= near <= len(lines) else None
    want = [l.rstrip() for l in needle]
    hits = [i for i in range(len(lines) - len(want) + 1) if [l.rstrip() for l in lines[i:i + len(want)]] == want]
    return min(hits, key=lambda i: abs(i - near)) if hits else None


def apply_patch(diff_text: str, code: dict) -> str | None:
    """Apply the diff's hunks for ``code['path']`` to ``code['text']``; None when it does not apply."""
    from unidiff import PatchSet
    from unidiff.errors import UnidiffParseError

    try:
        patch = PatchSet(diff_text)
    except (UnidiffParseError, ValueError, IndexError):
        return None
    want = _norm_path(code.get("path"))
    files = [f for f in patch if not want or want in (_norm_path(f.target_file), _norm_path(f.source_file), _norm_path(f.path))]
    if len(files) != 1 or not len(files[0]):
        return None
    lines = str(code.get("text") or "").splitlines()
    base = int(code.get("start_line") or 1)
    shift = 0
    for hunk in files[0]:
        old = [l.value.rstrip("\r\n") for l in hunk if l.is_context or l.is_removed]
        new = [l.value.rstrip("\r\n") for l in hunk if l.is_context or l.is_added]
        near = hunk.source_start - base + shift + (0 if old else 1)
        at = _find(lines, old, near)
        if at is None:
            return None
        lines[at:at + len(old)] = new
        shift += len(new) - len(old)
    return "\n".join(lines) + "\n"


def _yaml_ok(text: str) -> None:
    import yaml

    list(yaml.safe_load_all(text))


def _xml_ok(text: str) -> None:
    from defusedxml import ElementTree

    ElementTree.fromstring(text)


_PARSERS = {
    "python": ast.parse, "json": json.loads, "toml": tomllib.loads, "yaml": _yaml_ok, "xml": _xml_ok,
}


def parses(language: str | None, text: str) -> bool | None:
    """Whether ``text`` parses as ``language``; None when no parser is available for it."""
    parser = _PARSERS.get(language or "")
    if parser is None:
        return None
    try:
        parser(text)
    except Exception:  # each parser has its own error types; any of them means "does not parse"
        return False
    return True


def patched_code_parses(language: str | None, original: str, patched: str) -> bool:
    """Parse check that is fair to fragments: only when the original (maybe dedented) parses."""
    for transform in (lambda s: s, textwrap.dedent):
        before = parses(language, transform(original))
        if before is None:
            return True
        if before:
            return bool(parses(language, transform(patched)))
    return True


def patch_applies(answer: str, meta: dict) -> bool | None:
    """None unless the row expects a diff against known code; else: applies and parses."""
    code = meta.get("code")
    if not meta.get("has_diff") or not isinstance(code, dict) or not isinstance(code.get("text"), str):
        return None
    diff_text = extract_diff(answer)
    if diff_text is None:
        return False
    patched = apply_patch(diff_text, code)
    if patched is None:
        return False
    return patched_code_parses(language_of({**meta, "path": meta.get("path") or code.get("path")}), code["text"], patched)


def git_apply_check(diff: str, path: str, text: str) -> bool:
    """Does ``git apply --check`` take ``diff`` against ``text`` placed at repository-relative ``path``?

    Run in an empty folder outside any repository, holding only that file, so
    nothing of the user's checkout (index, work tree, configuration) is
    touched; git's own path rules refuse an absolute or climbing file name,
    as they would in the user's repository."""
    import tempfile
    from pathlib import Path

    from tasks.repository.git import run_git
    from tasks.repository.source import safe_path

    clean = safe_path(path)
    if clean is None:
        return False
    with tempfile.TemporaryDirectory(prefix="secft-apply-") as tmp:
        root = Path(tmp)
        (root / clean).parent.mkdir(parents=True, exist_ok=True)
        (root / clean).write_text(text, encoding="utf-8")
        (root / ".secft.patch").write_text(diff if diff.endswith("\n") else diff + "\n", encoding="utf-8")
        code, _ = run_git(root, ["apply", "--check", ".secft.patch"], max_bytes=65536, ok_codes=(0, 1, 128))
    return code == 0
