"""Secrets of every kind in the table (tasks/findings/tokens.py), through every scanner format,
never reach an output: the published dataset included.  Fake values are built at run time
("hf_" + random characters), so no real-looking secret sits in the repository (.gitleaks.toml).

Also: a key far along a long line (past detect-secrets' old 4,000-character cut), a token on a line
that looks like code, the whole token redacted, and (issue 22) what code is made of stays."""

from __future__ import annotations

import json
import random
import shutil
import string

import pytest

from conftest import FIXTURES, make_workspace, run_doit
from tasks.findings import tokens
from tasks.findings import secrets

_ALNUM = string.ascii_letters + string.digits
PREFIX = {"huggingface": "hf_", "github-fine-grained": "github_pat_", "github": "ghp_", "gitlab": "glpat-",
          "google-api": "AIza", "openai": "sk-proj-", "anthropic": "sk-ant-api03-", "slack": "xoxb-",
          "slack-app": "xapp-", "stripe": "sk_live_", "stripe-test": "rk_test_", "npm": "npm_", "pypi": "pypi-",
          "aws-access-key": "AKIA"}


def fake(kind: str, rng: random.Random) -> str:
    """A token of ``kind``'s shape, random, made at run time."""
    if kind == "aws-access-key":
        return "AKIA" + "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(16))
    length = {"pypi": 80, "github-fine-grained": 82}.get(kind, 40)
    body = "".join(rng.choice(_ALNUM) for _ in range(length))
    return PREFIX[kind] + body[:10] + "Qz9" + body[10:]  # mixed case and a digit, whatever the draw


def test_every_kind_of_the_table_has_a_case():
    assert {kind for kind, _, _ in tokens.TABLE} == set(PREFIX)


@pytest.mark.parametrize("kind", sorted(PREFIX))
def test_each_kind_is_found_whole_in_prose_code_and_far_along_a_long_line(kind):
    rng = random.Random(kind)
    value = fake(kind, rng)
    assert tokens.kind_of(value) == kind
    cases = {
        "prose": f"the key is {value}.",
        "code": f'c = Cipher.getInstance("AES/GCM/NoPadding"); t = "{value}"; x = compute(c, t)',
        "long line": "a" * 9000 + "," + value + "," + "b" * 500,
        "boundary": "z " * 1900 + value + " tail",   # across the first chunk's end
        "json line": json.dumps({"k": ["v" * 50] * 100 + [value]}),
    }
    for what, text in cases.items():
        found = secrets.detect(text)
        assert value in found, (kind, what)
        assert value not in secrets.scrub(text, found), (kind, what)


def test_the_password_of_a_url_is_a_secret_and_only_it():
    text = "see https://admin:hunter@example.com/x for the dashboard"
    out = secrets.scrub(text, secrets.detect(text))
    assert "hunter" not in out and "https://admin:[REDACTED secret sha256:" in out and "@example.com/x" in out


def test_an_advisorys_placeholder_credentials_stay():
    """An OSV advisory's own example (requests, osv_scanner/many_findings.json) is documentation, not a secret."""
    text = "credentials are supplied in the URL user information component (e.g. `https://username:password@proxy:8080`)."
    assert secrets.scrub(text, secrets.detect(text)) == text


def test_identifiers_that_share_a_prefix_are_not_tokens():
    assert tokens.find("from huggingface_hub import hf_hub_download_with_retries_and_backoff_always") == []
    assert tokens.find("HF_HUB_ENABLE_HF_TRANSFER_AND_SOMETHING_LONG_ENOUGH = 1") == []


REAL_CODE = [  # (code, must stay, must go)
    ("const token = jwt.sign({ sub: user.id, typ: 'refresh' }, process.env.JWT_SECRET, { algorithm: 'RS256' });",
     ["jwt.sign", "RS256", "refresh", "JWT_SECRET"], []),
    ("const t = jwt.sign(payload, 'k8#Lq2!vZp0x', { algorithm: 'HS256', expiresIn: '15m' });", ["jwt.sign", "HS256"],
     ["k8#Lq2!vZp0x"]),
    ("fetch(url, { method: 'POST', headers: { Authorization: `Bearer ${token}` } })", ["POST", "${token}"], []),
    ("- uses: actions/checkout@a81bbbf8298c0fa03ea29cdc473d45769f953675", ["a81bbbf8298c0fa03ea29cdc473d45769f953675"], []),
    ('"integrity": "sha512-2NLbd0sJfNFtFUBgrwAhr5Yl6SCD8AJ3FhY1XmQbUMXIBd+Nr/uJ3OZAuFP+3yJVnA+F1b9bFg7+8R3+mqRr8g=="',
     ["sha512-2NLbd0sJfNFtFUBgrwAhr5Yl6SCD8AJ3FhY1XmQbUMXIBd"], []),
    ("cipher = Cipher.getInstance('AES/GCM/NoPadding'); md = MessageDigest.getInstance('SHA-256')",
     ["AES/GCM/NoPadding", "SHA-256"], []),
    ('password = "letmein"', [], ["letmein"]),
    ("DB_PASSWORD = os.environ.get('DB_PASSWORD')", ["os.environ.get", "DB_PASSWORD"], []),
    # lines of real code that scanners flagged (tests/fixtures/scanners: DefectDojo's Bandit report, a Checkov report)
    ("36     ACCESS_TOKEN_METHOD = 'POST'", ["POST"], []),
    ("2394         elif pass_fail == 'Fail':", ["Fail"], []),
    ('    git_commit           = "d68d2897add9bc2203a5ed0632a5cdd8ff8cefb0"', ["d68d2897add9bc2203a5ed0632a5cdd8ff8cefb0"], []),
    ("SECRET_KEY = 'MYSUPERSECRETKEY'", [], ["MYSUPERSECRETKEY"]),
    ("DATABASE_URL = 'postgres://admin:hunter@db.internal:5432/app'", ["DATABASE_URL"], ["hunter@"]),
]


@pytest.mark.parametrize("code,stay,go", REAL_CODE)
def test_redaction_takes_secret_values_only(code, stay, go):
    """A secret rule pointing at a line takes its literal values - but not what code is made of."""
    found = secrets.literal_values(code) + secrets.detect(code)
    out = secrets.scrub(code, found)
    for text in stay:
        assert text in out, (text, out)
    for text in go:
        assert text not in out and "[REDACTED secret sha256:" in out, (text, out)


def test_real_reports_keep_code_words_and_commit_ids():
    """DefectDojo's Bandit report flags `ACCESS_TOKEN_METHOD = 'POST'` and `pass_fail == 'Fail'` as passwords and a
    Checkov report carries `git_commit = "<sha>"`: the parsed findings keep them; a real key is still redacted."""
    from conftest import parse_fixture

    bandit = json.dumps([f for f in parse_fixture("bandit/many_vulns.json").findings])
    assert "ACCESS_TOKEN_METHOD = 'POST'" in bandit and "pass_fail == 'Fail'" in bandit
    checkov = json.dumps([f for f in parse_fixture("checkov/checkov-report-multiple-check_type.json").findings])
    assert "d68d2897add9bc2203a5ed0632a5cdd8ff8cefb0" in checkov


# -- end to end: every kind, every scanner format, every output file --------------------------------
FORMATS = {
    "bandit": "bandit/one_vuln.json", "checkov": "checkov/checkov-report-1-vuln.json",
    "gitleaks": "gitleaks/gitleaks8_many.json", "grype": "grype/same_cve_different_paths.json",
    "npm_audit": "npm_audit/npm7plus_many_vulns.json", "osv": "osv_scanner/some_findings.json",
    "pip_audit": "pip_audit/many_vulns.json", "sarif": "sarif/suppression_test.sarif",
    "semgrep": "semgrep/one_finding.json", "trivy": "trivy/misconfigurations_and_secrets.json",
    "zap": "zap/basic-traditional-json.json",
}


def _inject(doc, payload: str):
    """Every prose or code string of a report (a space in it, 16+ characters) gets ``payload`` appended."""
    if isinstance(doc, dict):
        return {k: _inject(v, payload) for k, v in doc.items()}
    if isinstance(doc, list):
        return [_inject(v, payload) for v in doc]
    if isinstance(doc, str) and " " in doc and len(doc) >= 16 and not doc.startswith(("http://", "https://")):
        return doc + payload
    return doc


def test_every_kind_through_every_format_never_reaches_an_output(tmp_path):
    from tasks.publish.upload import dataset_card, DATA_FILES

    rng = random.Random()
    ws = make_workspace(tmp_path / "ws", artifacts=[])
    raw: dict[str, str] = {}
    for tool, fixture in FORMATS.items():
        values = {kind: fake(kind, rng) for kind in PREFIX}
        raw.update({f"{tool}/{kind}": v for kind, v in values.items()})
        listed = list(values.values())
        payload = (" see " + " ".join(listed[:5]) + f'\nc = Cipher.getInstance("AES"); k = "{listed[5]}"; use(k, "{listed[6]}")'
                   + "\n" + "x" * 4100 + " " + " ".join(listed[7:]))
        doc = json.loads((FIXTURES / fixture).read_text())
        dest = ws / "data" / "artifacts" / "run-1" / tool / (FIXTURES / fixture).name
        dest.parent.mkdir(parents=True)
        dest.write_text(json.dumps(_inject(doc, payload)))
    run = run_doit(ws, "build_datasets")
    assert run.returncode == 0, run.output[-3000:]
    hub = tmp_path / "hub" / "datasets" / "ns" / "ds"  # the dir: destination's dataset as upload lays it out
    hub.mkdir(parents=True)
    training = ws / "fine-tuning" / "training_data"
    for name in DATA_FILES:
        shutil.copy2(training / name, hub / name)
    info = json.loads((training / "dataset_info.json").read_text())
    summary = json.loads((ws / "data/findings/findings_summary.json").read_text())
    (hub / "README.md").write_text(dataset_card(info, summary))
    outputs = [p for p in (ws / "data").rglob("*") if p.is_file() and "artifacts" not in p.parts and "corpus" not in p.parts]
    outputs += [p for root in (ws / "fine-tuning", tmp_path / "hub") for p in root.rglob("*") if p.is_file()]
    assert any(p.name == "findings.jsonl" for p in outputs) and len(outputs) > 10
    findings = (ws / "data/findings/findings.jsonl").read_text()
    assert {json.loads(line)["tool"] for line in findings.splitlines()} >= {"bandit", "checkov", "semgrep", "trivy", "zap"}
    leaks = []
    for path in outputs:
        data = path.read_bytes()
        leaks += [(str(path.relative_to(tmp_path)), name) for name, value in raw.items() if value.encode() in data]
    assert leaks == [], leaks
    assert findings.count("[REDACTED secret sha256:") > len(FORMATS)
