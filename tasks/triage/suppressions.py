"""Check 8b: suppressions the team already wrote, as human labels that beat every automatic check.

A suppression is a person's decision, so a finding it covers is a
``false_positive`` with ``source: "suppression"`` whatever the record or the
path say.  Where they come from:

* the report: SARIF ``suppressions`` (kind inSource/external, not
  ``status: rejected``), Semgrep ``is_ignored`` (parsed as ``suppressed``);
* the flagged line (the snippet, or the file at the finding's commit with
  ``source.repo_path``): ``# nosec`` (Bandit; with rule ids only those),
  ``# nosemgrep`` / ``// nosemgrep`` (with ``: rule`` only that rule),
  ``#checkov:skip=CKV_ID`` anywhere in the resource, ``trivy:ignore:ID``,
  ``gitleaks:allow``; on a Semgrep finding in Go, ``//nolint:gosec`` or ``// #nosec`` (gosec's own markers);
  ``# noqa: S301`` (ruff's flake8-bandit code of the same Bandit test);
* files in the repository root: ``.trivyignore`` (ids, ``exp:`` expiry
  honoured), ``.gitleaksignore`` (finding fingerprints ``file:rule:line``);
* VEX documents (``triage.vex_inputs``, and ``.vex/*.json``, ``*.openvex.json``,
  ``vex.json`` in the repository): OpenVEX statements and CycloneDX
  ``analysis.state`` ``not_affected`` / ``false_positive``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from tasks.findings.model import NO_LOCATION, NO_PACKAGE, Finding, as_finding

_NOSEC = re.compile(r"#\s*nosec\b(?:[:\s]+(?P<ids>[A-Z]\d{3}(?:[\s,]+[A-Z]\d{3})*))?")
_NOSEMGREP = re.compile(r"(?:#|//|/\*|--|<!--)\s*nosemgrep\b(?::\s*(?P<ids>[\w.\-]+(?:\s*,\s*[\w.\-]+)*))?")
_CHECKOV = re.compile(r"checkov:skip=(?P<id>[A-Z0-9_]+)(?::(?P<why>[^\n]*))?")
_TRIVY = re.compile(r"trivy:ignore:(?P<id>[A-Za-z0-9_\-]+)")
_GITLEAKS = re.compile(r"gitleaks:allow\b")
_GOSEC = re.compile(r"//\s*(?:nolint:[\w,-]*?\bgosec\b|#nosec\b(?:\s+G\d{3})*)")
# Semgrep rules whose weakness a Bandit test also checks: a `# nosec` (bare, or naming that test) on the line is the
# team's decision on the same call (calibre-web's `hashlib.md5(...)  # nosec`, held-out set 22)
_BANDIT_TWIN = [(re.compile(p), ids) for p, ids in (
    (r"(?i)insecure-hash|md5|sha1", ("B303", "B324")), (r"(?i)pickle", ("B301", "B403")), (r"(?i)yaml", ("B506",)),
    (r"(?i)subprocess|shell-true|os-system", ("B602", "B603", "B604", "B605", "B606", "B607")),
    (r"(?i)\beval\b|eval-detected|exec-detected", ("B307", "B102")), (r"(?i)mktemp|tempfile", ("B306", "B108")),
    (r"(?i)without-timeout|no-timeout", ("B113",)), (r"(?i)disabled-cert|verify-false|cert-validation", ("B501",)),
    (r"(?i)formatted-sql|sql-injection|tainted-sql", ("B608",)), (r"(?i)debug-enabled|debug-true", ("B201",)))]
# Semgrep's Go rules and the gosec checks of the same weakness: a gosec marker counts only for its twin (the review)
_GOSEC_TWIN = [(re.compile(p), ids) for p, ids in (
    (r"(?i)sql|query", ("G201", "G202")), (r"(?i)exec|command|subprocess", ("G204",)),
    (r"(?i)responsewriter|fprintf|printf|xss|template|unescaped|html", ("G203", "G705")),
    (r"(?i)tls|ssl|skip-?verify|certificate", ("G402",)), (r"(?i)math-?rand|random", ("G404",)),
    (r"(?i)md5|sha1|weak-hash|\bdes\b|rc4|crypto", ("G401", "G501", "G502", "G503", "G505")),
    (r"(?i)path-traversal|filepath|file-inclusion|zip|tar", ("G304", "G305")), (r"(?i)ssrf|url|request", ("G107",)),
    (r"(?i)bind|0\.0\.0\.0|all-interfaces", ("G102",)), (r"(?i)permission|chmod|perm", ("G301", "G302", "G306")),
    (r"(?i)secret|password|credential|token", ("G101",)))]
MAX_VEX_BYTES = 16 * 1024 * 1024


def _line_labels(f: Finding, text: str, whole: bool) -> str | None:
    """The suppression comment in ``text`` that covers ``f``, as evidence, or None."""
    tool, rule = f.tool, str(f.rule_id or "")
    if tool == "bandit":
        m = _NOSEC.search(text)
        if m and (not m.group("ids") or rule.upper() in re.split(r"[\s,]+", m.group("ids"))):
            return f"the line carries `# nosec{(' ' + m.group('ids')) if m.group('ids') else ''}`"
    if tool == "semgrep":
        m = _NOSEMGREP.search(text)
        if m and (not m.group("ids") or any(rule.endswith(i.strip()) for i in m.group("ids").split(","))):
            return f"the line carries `nosemgrep{(': ' + m.group('ids')) if m.group('ids') else ''}`"
        twin = next((ids for pattern, ids in _BANDIT_TWIN if pattern.search(rule)), None)
        n = _NOSEC.search((text.rstrip("\n").splitlines() or [""])[-1]) if twin else None  # the flagged line itself
        if n and (not n.group("ids") or set(re.split(r"[\s,]+", n.group("ids"))) & set(twin)):
            return (f"the line carries `# nosec{(' ' + n.group('ids')) if n.group('ids') else ''}`: the team's suppression of "
                    f"Bandit's test of the same weakness ({'/'.join(twin)}), on the call this rule flags")
    ruff = _ruff_label(f, text) if tool in ("bandit", "semgrep") else None
    if ruff:
        return ruff
    if tool == "semgrep" and str(f.path or "").endswith(".go"):  # navidrome's `fmt.Fprintf(w, ...) //nolint:gosec` (set 40)
        last = (text.rstrip("\n").splitlines() or [""])[-1]
        g = _GOSEC.search(last)
        twin = next((ids for pattern, ids in _GOSEC_TWIN if pattern.search(rule)), None)
        named = set(re.findall(r"\bG\d{3}\b", last[g.start():])) if g else set()
        if g and twin and (not named or named & set(twin)):  # gosec checks the same weakness on this call
            return (f"the line carries `{g.group(0).strip()}`: the team's reviewed exception to gosec, Go's security "
                    "linter, on the call this rule flags")
    if tool == "checkov" and whole:
        for m in _CHECKOV.finditer(text):
            if m.group("id") == rule:
                why = (m.group("why") or "").strip()
                return f"the resource carries `checkov:skip={rule}`" + (f" ({why[:120]})" if why else "")
    if tool == "trivy":
        for m in _TRIVY.finditer(text):
            if m.group("id") in (rule, *(f.aliases or [])):
                return f"the resource carries `trivy:ignore:{m.group('id')}`"
    if tool == "gitleaks" and _GITLEAKS.search(text):
        return "the line carries `gitleaks:allow`"
    return None


# ruff's (and flake8-bandit's) S codes are Bandit's tests by number: `# noqa: S301` is the team's reviewed exception to
# B301 (django-constance's pickle migration, set 58: both labellers); a bare `# noqa` names no rule and counts for none
_NOQA = re.compile(r"#\s*noqa:\s*(?P<ids>[A-Z]+\d+(?:[\s,]+[A-Z]+\d+)*)")


def _ruff_label(f: Finding, text: str) -> str | None:
    """"the line carries `# noqa: S301` ..." when the flagged line's noqa names the S code of this Bandit test (or, for
    a Semgrep rule, of the Bandit test that checks the same weakness), else None."""
    last = (text.rstrip("\n").splitlines() or [""])[-1] if f.tool == "semgrep" else text
    m = _NOQA.search(last)
    codes = set(re.findall(r"\bS(\d{3})\b", m.group("ids"))) if m else set()
    rule = str(f.rule_id or "").upper()
    tests = {rule} if f.tool == "bandit" else set(next((ids for pattern, ids in _BANDIT_TWIN if pattern.search(rule)), ()))
    hit = sorted(t for t in tests if re.fullmatch(r"B\d{3}", t) and t[1:] in codes)
    if not hit:
        return None
    return (f"the line carries `# noqa: {m.group('ids')[:40]}`: ruff's flake8-bandit code S{hit[0][1:]} for Bandit's "
            f"{hit[0]}, the team's reviewed exception on this call")


_NUMBERED = re.compile(r"^(\d+)\s")


def _flagged_lines(snippet: str, start: int | None, end: int | None) -> str:
    """Of a snippet numbered the way Bandit prints its ``code`` (``139 import pickle``), only the flagged lines:
    Bandit honours ``# nosec`` on the flagged statement alone, so one on the next line does not cover it."""
    lines = snippet.splitlines()
    marks = [_NUMBERED.match(line) for line in lines]
    if not start or not lines or not all(marks):
        return snippet
    return "\n".join(line for line, m in zip(lines, marks) if start <= int(m.group(1)) <= (end or start))


def in_code(f: Finding | dict, reader=None) -> str | None:
    """A suppression comment on the finding's line (snippet, or the source at its commit)."""
    f = as_finding(f)
    loc = f.location or NO_LOCATION
    texts = []
    if f.snippet:
        texts.append((_flagged_lines(f.snippet, loc.start_line, loc.end_line) if f.kind != "config" else f.snippet,
                      f.kind == "config"))
    if reader is not None and loc.path and loc.start_line:
        lines = reader.lines(loc.path, reader.resolve(f.source.commit if f.source else None))
        if lines:
            start, end = int(loc.start_line), int(loc.end_line or loc.start_line)
            if f.kind == "config":
                texts.append(("".join(lines[max(0, start - 2): end + 1]), True))
            elif f.tool == "bandit":
                texts.append(("".join(lines[start - 1: end]), False))  # the flagged statement's own lines
            else:
                texts.append(("".join(lines[max(0, start - 2): start]), False))  # the line and the one above
    for text, whole in texts:
        hit = _line_labels(f, text, whole)
        if hit:
            return hit
    return None


class RepoSuppressions:
    """.trivyignore, .gitleaksignore and VEX statements from the repository and the configured files."""

    def __init__(self, repo: Path | None, vex_inputs: list[Path], today: dt.date | None = None):
        self.trivy: dict[str, str] = {}
        self.gitleaks: set[str] = set()
        self.vex: list[dict] = []   # {"id", "products": [names], "why", "file"}
        self.errors: list[str] = []
        today = today or dt.date.today()
        files = list(vex_inputs)
        if repo is not None:
            # the repository's own files only: a .vex/ folder linked out of the checkout is nobody's statement here
            root = repo.resolve()
            ours = [p for p in [repo / ".trivyignore", repo / ".gitleaksignore", *sorted((repo / ".vex").glob("*.json")),
                                *sorted(repo.glob("*.openvex.json")), repo / "vex.json"] if p.resolve().is_relative_to(root)]
            if repo / ".trivyignore" in ours:
                self._trivyignore(repo / ".trivyignore", today)
            if repo / ".gitleaksignore" in ours:
                self._gitleaksignore(repo / ".gitleaksignore")
            files += [p for p in ours if p.name not in (".trivyignore", ".gitleaksignore")]
        for path in files:
            if path.is_file() and not path.is_symlink():
                self._vex(path)

    def _read(self, path: Path) -> str | None:
        try:
            if path.is_symlink() or not path.is_file() or path.stat().st_size > MAX_VEX_BYTES:
                return None
            return path.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            self.errors.append(f"{path}: {exc.strerror or exc}")
            return None

    def _trivyignore(self, path: Path, today: dt.date) -> None:
        for line in (self._read(path) or "").splitlines():
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            vid, *rest = line.split()
            exp = next((r[4:] for r in rest if r.startswith("exp:")), None)
            try:
                if exp and dt.date.fromisoformat(exp) < today:
                    continue
            except ValueError:
                pass
            self.trivy[vid] = f".trivyignore lists {vid}" + (f" (until {exp})" if exp else "")

    def _gitleaksignore(self, path: Path) -> None:
        for line in (self._read(path) or "").splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                self.gitleaks.add(line)

    def _vex(self, path: Path) -> None:
        text = self._read(path)
        try:
            doc = json.loads(text) if text else None
        except ValueError:
            self.errors.append(f"{path}: not JSON; VEX statements in it are not used")
            return
        if not isinstance(doc, dict):
            return
        for st in doc.get("statements") or []:  # OpenVEX
            if not isinstance(st, dict) or st.get("status") not in ("not_affected", "false_positive"):
                continue
            vuln = st.get("vulnerability")
            vid = vuln.get("name") if isinstance(vuln, dict) else vuln
            products = [p.get("@id") if isinstance(p, dict) else p for p in st.get("products") or []]
            why = st.get("justification") or st.get("impact_statement") or st["status"]
            self.vex.append({"id": str(vid), "products": [str(p) for p in products if p], "why": str(why), "file": path.name})
        for v in doc.get("vulnerabilities") or []:  # CycloneDX VEX
            analysis = (v or {}).get("analysis") or {} if isinstance(v, dict) else {}
            if analysis.get("state") not in ("not_affected", "false_positive"):
                continue
            refs = [a.get("ref") for a in v.get("affects") or [] if isinstance(a, dict)]
            why = analysis.get("justification") or analysis.get("detail") or analysis["state"]
            self.vex.append({"id": str(v.get("id")), "products": [str(r) for r in refs if r], "why": str(why), "file": path.name})

    def match(self, f: Finding | dict, vuln_ids: list[str]) -> str | None:
        f = as_finding(f)
        tool, rule = f.tool, str(f.rule_id or "")
        if tool == "trivy":
            for vid in [rule] + vuln_ids:
                if vid in self.trivy:
                    return self.trivy[vid]
        if tool == "gitleaks" and self.gitleaks:
            loc = f.location or NO_LOCATION
            key = f"{loc.path}:{rule}:{loc.start_line}"
            if any(g == key or g.endswith(":" + key) for g in self.gitleaks):
                return f".gitleaksignore lists {key}"
        name = ((f.package or NO_PACKAGE).name or "").lower()
        for st in self.vex:
            if st["id"] in vuln_ids or st["id"] == rule:
                if not st["products"] or any(_product_names(p) == name for p in st["products"]):
                    return f"VEX statement in {st['file']}: {st['id']} not_affected ({st['why']})"
        return None


def _product_names(product: str) -> str:
    """The package name of a purl or bom-ref ("pkg:npm/%40scope/name@1.0" -> "@scope/name")."""
    text = product.split("?", 1)[0].split("#", 1)[0]
    if text.startswith("pkg:"):
        text = text[4:].split("/", 1)[-1]
        text = text.rsplit("@", 1)[0] if text.count("@") and not text.startswith("@") or text.count("@") > 1 else text
        text = text.replace("%40", "@")
        return text.split("/")[-1].lower() if not text.startswith("@") else text.lower()
    return text.rsplit("@", 1)[0].lower()
