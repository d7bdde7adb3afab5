"""Bandit's hardcoded-password rules on the path of a secret file (set 14: awesome-compose's Docker secrets)."""

from repo_reader import FilesReader

from tasks.triage.secret_use import check_secret_file_path
from tasks.triage.verdict import Judge


def _f(line: str, rule: str = "B106") -> dict:
    return {"id": "p" * 32, "tool": "bandit", "rule_id": rule, "kind": "code", "severity": "low",
            "title": "Possible hardcoded password", "description": "d",
            "location": {"path": "backend/hello.py", "start_line": 40, "end_line": 40}, "snippet": f"40 {line}\n"}


def test_the_path_a_secret_is_read_from_is_not_a_credential():
    hit = check_secret_file_path(_f("    conn = DBManager(password_file='/run/secrets/db-password')"))
    assert hit and "`password_file`" in hit["evidence"] and "/run/secrets/db-password" in hit["evidence"]
    assert Judge().judge(_f("    conn = DBManager(password_file='/run/secrets/db-password')"))["verdict"] == "false_positive"
    assert check_secret_file_path(_f('DB_PASSWORD_FILE = "config/secrets/db.txt"', "B105")) is not None


def test_a_password_that_looks_like_a_word_or_a_non_file_name_stays():
    assert check_secret_file_path(_f("    conn = DBManager(password='hunter2/x')")) is None  # not a *_file name
    assert check_secret_file_path(_f("    conn = DBManager(password_file=os.environ['F'])")) is None
    assert check_secret_file_path(dict(_f("password_file='/run/secrets/x'"), tool="semgrep")) is None


def _reader(text: str) -> FilesReader:
    return FilesReader({"settings/base.py": text})


def test_a_key_the_comment_above_calls_a_demo_key():
    from tasks.triage.secret_use import check_demo_key_comment

    text = ("# Override in local settings or replace with your own key. Please don't use our demo key in production!\n"
            'GOOGLE_MAP_API_KEY = "AIzaSyD31CT9P9KxvNUJOwDq2kcFEIG8ADgaFgw"\n\nX = 1\n# the API token\nTOKEN = "abc123def456ghi789"\n')
    f = {"id": "g" * 32, "tool": "semgrep", "rule_id": "generic.secrets.security.detected-google-api-key", "kind": "secret",
         "severity": "high", "title": "Google API Key detected", "description": "d",
         "location": {"path": "settings/base.py", "start_line": 2}}
    hit = check_demo_key_comment(f, _reader(text))
    assert hit and "line 1 of settings/base.py" in hit["evidence"] and "demo key" in hit["evidence"]
    assert check_demo_key_comment(dict(f, location={"path": "settings/base.py", "start_line": 6}), _reader(text)) is None
    assert check_demo_key_comment(dict(f, location={"path": "settings/base.py", "start_line": 4}), _reader(text)) is None
