"""Row checks for the defects a senior reviewer finds, beyond tasks.datasets.lint's first set.

Each check is a function ``(row, finding) -> reason | None`` and fires on
what a strict review (docs/datasets.md, review rubric) counted:

* restated_prompt: the answer repeats the user turn in other order (word
  n-grams shared with the prompt) instead of adding knowledge;
* template_marker: pipeline internals in the text ("closest catalogue
  entry", ``<fix_family>``, field names);
* absolute_diff_path: a diff whose file names are absolute or climb out of
  the repository (``git apply`` rejects them);
* unparsable_code: a fenced block in a language that does not parse (YAML,
  JSON and Python by their own parsers, other languages by
  tree-sitter-language-pack);
* deletes_tests: a diff that removes a test file or test functions;
* example_secret_rotated: "rotate" advice for a documented example key
  (AWS's AKIAIOSFODNN7EXAMPLE) or a placeholder;
* silent_behaviour_change: a diff that unexports an Android launcher
  activity, or an upgrade across a major version, without a word on it;
* placeholder_name: stage-2 code that names what is not in the code at hand
  (``aws_s3_bucket.this`` for ``aws_s3_bucket.data``, ``<container>``, a
  ``var.`` nobody declared) - it does not apply as written;
* broken_markup: stage-2 scaffolding that leaked (an unclosed fence, a fence
  opened inside a list item, a prose line with an unclosed parenthesis such as
  a cut title's "on(build");
* suppresses_real_finding: a stage-2 suppression (``# nosec``,
  ``#checkov:skip``, ``.trivyignore`` ...) for a finding triage did not judge
  a false positive, or one tasks.fixes.suppression refuses (a default
  password in deployed code).

``shared_paragraphs`` is across rows: a long paragraph many rows share is
catalogue boilerplate, not knowledge about any one finding.
"""

from __future__ import annotations

import re
from collections import defaultdict

from tasks.enrich.wording import restating_sentence
from tasks.findings.model import NO_PACKAGE, Finding, as_finding
from tasks.fixes.syntax import code_blocks, parses, prose

_WORD = re.compile(r"[A-Za-z0-9_./:-]+")
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
MARKERS = re.compile(
    r"closest catalogue entry|\bFix \([a-z -]+\) at\b|<(?:fix_family|cwe|package|path|rule|version|language)>|"
    r"\b(?:fix_family|cwe_source|kb_version|template_version|fix_source|fixed_versions)\b|\{[a-z_]+\}|\bTODO\b|REPLACE_ME|"
    r"\bTo (?:do not|don't|never)\b|<your [a-z ]+>|\(resource on\(|"  # a template's grammar or placeholder showing
    r"\((?:held-out )?(?:set|round) \d+\b[^)]*\)",  # through; a provenance note of the pipeline's own (round 64: "(set 55)")
)
EXAMPLE_SECRETS = re.compile(r"AKIAIOSFODNN7EXAMPLE|wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY|\bEXAMPLE(?:KEY)?\b|"
                             r"\b(?:your|my)[_-]?(?:api[_-]?)?(?:key|token|secret|password)\b|\bchangeme\b|x{8,}", re.I)
_EXAMPLE_PATH = re.compile(r"(?:^|/)(?:docs?|examples?|samples?|fixtures?|testdata|test_data)/", re.I)
_TEST_FILE = re.compile(r"(?:^|/)(?:tests?|spec|__tests__)/|(?:^|/)test_[^/]+\.py$|_test\.(?:py|go)$|\.(?:test|spec)\.[jt]sx?$|Test\.java$")
_TEST_DEF = re.compile(r"^-\s*(?:def test_\w+|async def test_\w+|@Test\b|(?:it|test|describe)\(['\"]|func Test\w+\()")
def _grams(text: str, n: int) -> set[tuple[str, ...]]:
    words = [w.lower().strip(".:,") for w in _WORD.findall(text)]
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


def restated_prompt(answer: str, prompt: str, share: float = 0.6, n: int = 2) -> str | None:
    """The prose repeats the prompt: most of its word bigrams are the prompt's, or a sentence says
    nothing but the prompt's own words (tool, rule, title, file, severity in another order)."""
    text, theirs = prose(answer), _grams(prompt, n)
    ours = _grams(text, n)
    if len(ours) >= 8 and len(ours & theirs) / len(ours) >= share:
        return f"{len(ours & theirs)}/{len(ours)} word {n}-grams of the answer are in the prompt"
    sentence = restating_sentence(text, prompt)
    return f"restates the prompt: {sentence[:80]}" if sentence else None


_INTERPOLATION = re.compile(r"\$\{[^}\n]*\}")  # a JavaScript template literal's or a shell's `${strip}` in quoted code
_INLINE_FSTRING = re.compile(r"`[^`\n]*(?<![A-Za-z0-9_])[fF][rR]?['\"][^`\n]*`")  # `f'curl --insecure {url}'`: quoted code


def template_marker(answer: str) -> str | None:
    text = _INTERPOLATION.sub(" ", _INLINE_FSTRING.sub(" ", prose(answer)))  # code holds braces of its own (f"{path}", `${x}`)
    m = MARKERS.search(text)
    return f"pipeline internals in the answer: {m.group(0)!r}" if m else None


def diff_paths(answer: str) -> list[str]:
    out = []
    for tag, body in code_blocks(answer):
        if tag in ("diff", "patch"):
            out += [line[4:].split("\t")[0].strip() for line in body.splitlines() if line.startswith(("--- ", "+++ "))]
    return out


def absolute_diff_path(answer: str) -> str | None:
    for name in diff_paths(answer):
        bare = name[2:] if name.startswith(("a/", "b/")) else name
        if name != "/dev/null" and (bare.startswith("/") or re.match(r"^[A-Za-z]:[\\/]", bare) or ".." in bare.split("/")):
            return f"diff names {name}, not a repository-relative path"
    return None


def unparsable_code(answer: str) -> str | None:
    for tag, body in code_blocks(answer):
        if parses(tag, body) is False:
            return f"a {tag} block does not parse: {body.strip().splitlines()[0][:60] if body.strip() else ''}"
    return None


def deletes_tests(answer: str) -> str | None:
    for tag, body in code_blocks(answer):
        if tag not in ("diff", "patch"):
            continue
        lines = body.splitlines()
        for i, line in enumerate(lines):
            if line.startswith("+++ /dev/null") and i and _TEST_FILE.search(lines[i - 1][4:].strip()):
                return f"the diff deletes the test file {lines[i - 1][4:].strip()}"
        removed = [l for l in lines if _TEST_DEF.match(l)]
        added = [l for l in lines if _TEST_DEF.match("-" + l[1:]) and l.startswith("+")]
        if len(removed) > len(added):
            return f"the diff removes a test: {removed[0][1:].strip()[:60]}"
    return None


def example_secret_rotated(answer: str, f: Finding | dict) -> str | None:
    """Rotation advice for a key the vendor documents as an example, or a placeholder (nothing to revoke)."""
    f = as_finding(f)
    if f.kind != "secret" or not re.search(r"\b(?:rotate|revoke)", answer, re.I):
        return None
    if re.search(r"whether it is a (?:live|real) credential", answer):
        return None  # the answer checks before it rotates
    text = " ".join(str(v or "") for v in (f.snippet, f.description, f.title))
    m = EXAMPLE_SECRETS.search(text)
    if m:
        return f"rotates a documented example or placeholder value ({m.group(0)[:24]})"
    from tasks.triage.report_signals import is_test_path

    path = f.path or ""
    if _EXAMPLE_PATH.search(path) or is_test_path(path) or re.search(r"(?:^|/)unittests?/", path):
        return f"rotates a value in documentation, example or test data ({path})"
    return None


_MAJOR = re.compile(r"\bbreak|\bmajor\b|release notes|migration", re.I)


def _major(version: str | None) -> int | None:
    m = re.match(r"^v?(\d+)", str(version or "").strip())
    return int(m.group(1)) if m else None


def silent_behaviour_change(answer: str, f: Finding | dict, stage: int, code: str = "") -> str | None:
    f = as_finding(f)
    if stage == 2:
        for tag, body in code_blocks(answer):
            if tag in ("diff", "patch") and re.search(r'^-.*android:exported="true"', body, re.M) and \
                    "LAUNCHER" in (code + body) and not re.search(r"launcher|no longer (?:be )?start", prose(answer), re.I):
                return "unexports the launcher activity (the app could no longer be started) without saying so"
    pkg = f.package or NO_PACKAGE
    old, new = _major(pkg.version), _major(pkg.fixed_version)
    if f.kind == "dependency" and old is not None and new is not None and new > old \
            and str(pkg.fixed_version) in answer and not _MAJOR.search(prose(answer)) \
            and "dependency of npm itself" not in answer:  # npm is upgraded, not the package
        return f"upgrades {pkg.name} across a major version ({pkg.version} -> {pkg.fixed_version}) without a word on breaking changes"
    return None


def _paragraphs(text: str) -> list[str]:
    """Paragraphs without their markdown headings, references left out."""
    out = []
    for block in prose(text).split("\n\n"):
        lines = [l for l in block.splitlines() if not l.startswith("#")]
        para = " ".join(" ".join(lines).split())
        if para and not block.lstrip().startswith("## References"):
            out.append(para)
    return out


def shared_paragraphs(texts: list[str], min_chars: int = 80, max_rows: int = 3) -> tuple[dict[int, str], dict[int, str]]:
    """Rows that share a long paragraph with more than ``max_rows`` other rows: (every such row but the first
    few -> why, soft), and (rows made of nothing but shared paragraphs -> why, hard: pure boilerplate)."""
    paras = [_paragraphs(t) for t in texts]
    seen: dict[str, list[int]] = defaultdict(list)
    for i, ps in enumerate(paras):
        for para in set(ps):
            if len(para) >= min_chars:
                seen[para].append(i)
    common = {p for p, rows in seen.items() if len(rows) > max_rows}
    soft: dict[int, str] = {}
    for para in sorted(common):
        for i in seen[para][max_rows:]:
            soft.setdefault(i, f"a paragraph {len(seen[para])} rows share: {para[:60]}")
    hard = {i: f"every paragraph is shared with many rows: {ps[0][:60]}" for i, ps in enumerate(paras)
            if ps and all(p in common for p in ps) and i in soft}
    return soft, hard


# blocks where an angle-bracket word can only be a fill-in-the-blank (not markup or a generic type)
_PLAIN_TAGS = {"", "text", "hcl", "terraform", "tf", "yaml", "yml", "dockerfile", "json", "toml", "ini", "sh", "bash",
               "python", "py", "github-actions", "kubernetes", "diff", "patch"}
_ANGLE = re.compile(r"(?<![\w<])<(?:[a-z][a-z0-9]*[ _-])*(?:name|value|container|digest|image|id|bucket|resource|your[\w-]*|"
                    r"secret|token|key|password|host|port|path|version|account|region|arn|subnet|vpc|role|user)>(?![\w>])", re.I)
_TF_REF = re.compile(r"(?<![\w.])(?!data\.)((?:aws|azurerm|azuread|google|kubernetes|helm|random|tls|null|local)_[a-z0-9_]+)"
                     r"\.([A-Za-z_][\w-]*)")
_TF_VAR = re.compile(r"(?<![\w.])var\.([A-Za-z_][\w-]*)")


def placeholder_name(answer: str, prompt: str) -> str | None:
    """A stage-2 block names a resource, variable or blank that neither the block declares nor the prompt shows."""
    blocks = code_blocks(answer)
    declared = " ".join(body for _, body in blocks)
    for tag, body in blocks:
        if tag in _PLAIN_TAGS:
            m = _ANGLE.search(body)
            if m:
                return f"a {tag or 'code'} block holds the placeholder {m.group(0)}"
        if tag not in ("hcl", "terraform", "tf", "diff", "patch"):
            continue
        for rtype, name in _TF_REF.findall(body):
            if name in ("id", "arn", "name"):
                continue
            mine = re.search(rf'resource\s+"{rtype}"\s+"{re.escape(name)}"', declared)
            shown = re.search(rf'\b{rtype}\.{re.escape(name)}\b|"{rtype}"\s+"{re.escape(name)}"', prompt)
            if not mine and not shown:
                return f"{rtype}.{name} is neither in the code shown nor declared by the answer"
        for name in _TF_VAR.findall(body):
            if not re.search(rf'variable\s+"{re.escape(name)}"', declared) and not re.search(rf"\bvar\.{re.escape(name)}\b", prompt):
                return f"var.{name} is neither in the code shown nor declared by the answer"
    return None


# a suppression in each tool's own syntax
_SUPPRESSION = re.compile(r"#\s*nosec\b|nosemgrep|checkov:skip=|checkov\.io/skip|gitleaks:allow|\.gitleaksignore|"
                          r"\.trivyignore|\[\[IgnoredVulns\]\]|--ignore-vuln|\.grype\.yaml|\tIGNORE\t|\"not_affected\"|"
                          r"NOSONAR|lgtm\[")


def suppresses_real_finding(answer: str, meta: dict, f: Finding | dict) -> str | None:
    """A stage-2 answer that silences the scanner although triage did not call the finding a false positive."""
    if meta.get("stage") != 2:
        return None
    silenced = meta.get("fix_source") == "suppression" or any(
        _SUPPRESSION.search("\n".join(l for l in body.splitlines() if not l.startswith("-")))
        for _, body in code_blocks(answer))
    if not silenced:
        return None
    triage = meta.get("triage")
    verdict = triage.get("verdict") if isinstance(triage, dict) else None
    if verdict != "false_positive":
        return f"suppresses a finding triage judged {verdict or 'nothing about'}"
    from tasks.fixes.suppression import refused

    why = refused(f, triage)
    return f"suppression refused: {why}" if why else None


_FENCE_LINE = re.compile(r"^\s*(?:[-*]\s+)?```")


def broken_markup(answer: str) -> str | None:
    """Scaffolding a generator leaked into a stage-2 answer: fences that do not pair up, a fence opened as a list
    item ("- ```hcl"), or a prose line whose parenthesis never closes (a title cut mid-call: "on(build")."""
    lines = answer.splitlines()
    fences = [l for l in lines if _FENCE_LINE.match(l)]
    if len(fences) % 2:
        return "a code fence is never closed"
    listed = next((l for l in fences if re.match(r"^\s*[-*]\s+```", l)), None)
    if listed:
        return f"a fence opened inside a list item: {listed.strip()[:40]}"
    for line in prose(answer).splitlines():
        bare = re.sub(r"`[^`]*`|\bhttps?://\S+", "", line)
        if bare.count("(") > bare.count(")") and re.search(r"\w\([\w.]*\s*$|\w\([\w.]*[^)]*$", bare):
            return f"a line leaves a parenthesis open: {line.strip()[:60]}"
    return None


def leaked_secret(messages: list[dict], path: str | None, detect) -> str | None:
    """detect-secrets over the prompt and the answer: fenced code with the file's suffix (its own syntax: YAML's
    ``key: value``), prose without one, which read "not a secret: the flagged value is ..." in a .yml row as a YAML
    pair (held-out set 40: vikunja's fixture rows quarantined and the build failed).  In the answer, a plain word
    the prompt shows (`tokens`, a translation catalogue's key) leaks nothing new; any other value counts even when
    the prompt holds it too (a value the prompt's own scan missed is no less a secret)."""
    prompt = "\n".join(str(m.get("content") or "") for m in messages if m.get("role") == "user")
    for m in messages:
        if m.get("role") not in ("user", "assistant"):
            continue
        text = str(m.get("content") or "")
        found = detect(prose(text), None) + [v for _, body in code_blocks(text) for v in detect(body, path)]
        if m["role"] == "assistant":
            found = [v for v in found if not (re.fullmatch(r"[A-Za-z][A-Za-z_-]{0,40}", v) and v in prompt)]
        if found:
            return f"detect-secrets flags the {m['role']} text"
    return None
