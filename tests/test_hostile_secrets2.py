"""Second attack, secrets: a token glued to the character before it (URL-encoded ``%3D``, an escape
written in code ``\\n``/``\\t``, any letter or digit) and a token longer than the chunks' overlap
across a chunk boundary of a long line.  Both are found whole; ordinary identifiers stay."""

from __future__ import annotations

import base64
import json
import random
import string

import pytest
from test_hostile_secrets import PREFIX, fake

from tasks.findings import secrets, tokens

GLUED_KINDS = sorted(tokens.GLUED)
STYLES = {
    "pct": lambda t: "https://app.example.com/cb?next=%2Fhome%3Ftoken%3D" + t + "%26x%3D1",
    "tab": lambda t: 'k = "\\t' + t + '"',
    "nl": lambda t: 'msg="hello\\n' + t + '"',
    "digit": lambda t: "id7" + t,
}


@pytest.mark.parametrize("kind", GLUED_KINDS)
@pytest.mark.parametrize("style", sorted(STYLES))
def test_glued_token_is_found_whole(kind, style):
    value = fake(kind, random.Random(kind + style))
    if kind == "pypi":
        value = "pypi-AgEIcHlwaS5vcmc" + value[5:]
    text = STYLES[style](value)
    found = secrets.detect(text)
    out = secrets.scrub(text, found)
    assert value not in out, (kind, style, found)
    assert value[len(PREFIX[kind]):] not in out  # the whole token, not a tail of it


@pytest.mark.parametrize("text", [
    "from huggingface_hub import hf_hub_download_with_retries_and_backoff_always",
    "export npm_config_cache_directory_for_the_build_agents=/tmp",
    "self.graph_hf_model_loader_for_every_single_stage_of_it = None",
    "def task_live_reload_handler_for_every_single_service(): pass",
    "ghp_ is the prefix of a GitHub token; pypi- of a PyPI token",
])
def test_identifiers_are_not_glued_tokens(text):
    assert tokens.find(text) == []


def _jwt(rng: random.Random, sub_len: int = 450) -> str:
    def b64(d):
        return base64.urlsafe_b64encode(d).rstrip(b"=").decode()

    return (b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()) + "."
            + b64(json.dumps({"sub": "".join(rng.choice(string.ascii_letters) for _ in range(sub_len)), "iat": 1}).encode())
            + "." + b64(bytes(rng.randrange(256) for _ in range(32))))


@pytest.mark.parametrize("column", [3000, 3300, 3480, 3500, 3600, 3900, 7000])
def test_long_jwt_across_a_chunk_boundary_is_found(column):
    jwt = _jwt(random.Random(column))
    assert len(jwt) > secrets.OVERLAP
    line = "x" * column + ' auth="' + jwt + '" ' + "y" * 5000
    found = secrets.detect(line)
    assert jwt not in secrets.scrub(line, found)


def test_chunks_never_cut_a_token_and_cover_the_line():
    runs = [chr(ord("k") + i) * 900 for i in range(6)]
    line = "".join("a" * 3000 + " " + run + ";" for run in runs)
    pieces = list(secrets._chunks(line))
    assert all(len(p) <= secrets.CHUNK for p in pieces)
    assert all(any(run in p for p in pieces) for run in runs)  # each 900-character run is whole in some piece


@pytest.mark.parametrize("line,value", [
    ("app.config['SECRET_KEY'] = 'aaaaaaa'", "aaaaaaa"),                       # weak, but the application's key
    ("os.environ.setdefault('DB_PASSWORD', 'hunter2hunter')", "hunter2hunter"),  # a default in a call
    ('password = os.getenv("API_TOKEN", "abcd1234")', "abcd1234"),
    ("SECRET_KEY = '3f2a9b1c4d5e6f708192a3b4c5d6e7f8'", "3f2a9b1c4d5e6f708192a3b4c5d6e7f8"),  # hex, but a key
])
def test_a_literal_given_to_a_secret_named_key_or_argument_never_reaches_a_prompt(line, value):
    from tasks.findings import secrets

    scrubbed = secrets.scrub(line, secrets.detect(line, "app.py"))
    assert value not in scrubbed and "[REDACTED secret sha256:" in scrubbed


@pytest.mark.parametrize("line", [
    "token_type = 'bearer'", "PASSWORD_FIELD = 'password'", "bypass = 'abcdef'", "secret_name = 'prod/db'",
    "jwt.encode(payload, SECRET_KEY, algorithm='HS256')", "os.getenv('JWT_SECRET', 'JWT_SECRET_KEY')",
    "x = {'token': '${TOKEN}'}", "secret_key = 'config.secret'",
    # a literal after a word with "pass" in it is no value of that key (a JSON key, a positional argument)
    "return {'password': self.password, 'email': self.email}",
    "fin_query = '{\"username\": \"%s\", \"email\": \"%s\"}' % (ret[1], ret[3])",
    "User.register_user('name1', 'pass1', 'mail1@mail.com', False)",
])
def test_names_algorithms_templates_and_other_keys_stay_readable(line):
    from tasks.findings import secrets

    assert secrets.scrub(line, secrets.detect(line, "app.py")) == line


def test_bandit_exec_and_eval_teach_eval_injection_not_os_command_injection():
    """Bandit tags B102 (exec) and B307 (eval) CWE-78; the row must name CWE-95. Other rules keep Bandit's CWE."""
    from tasks.findings.parsers import bandit

    def one(test_id, cwe):
        doc = {"results": [{"test_id": test_id, "test_name": "t", "issue_text": "x", "issue_severity": "MEDIUM",
                            "issue_confidence": "HIGH", "issue_cwe": {"id": cwe}, "filename": "app.py",
                            "line_number": 3, "line_range": [3], "code": "3 exec(x)\n"}]}
        return bandit.parse(doc)[0]["cwe"]

    assert one("B102", 78) == ["CWE-95"] and one("B307", 78) == ["CWE-95"]
    assert one("B608", 89) == ["CWE-89"] and one("B602", 78) == ["CWE-78"]
