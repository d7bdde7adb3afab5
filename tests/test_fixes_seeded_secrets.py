"""A seeded default account's password is changed at deployment, not handled as a leak (tasks.fixes.secrets)."""

from fixes_helpers import finding

from tasks.fixes import fix_for

# a Flask app that seeds its admin user (the shape of the held-out report's finding)
FLASK_SEED = """10 @app.before_first_request
11 def create_admin():
12     if not User.query.filter_by(username='admin').first():
13         admin = User(username='admin', email='admin@example.com', password=generate_password_hash('admin123'))
14         db.session.add(admin)
15         db.session.commit()"""


def _bandit(path, line, snippet, value):
    return finding("code", "bandit", "B106", path=path, start=line, snippet=snippet, cwe=["CWE-259"],
                   title=f"Possible hardcoded password: '{value}'",
                   description=f"Possible hardcoded password: '{value}'")


def test_a_seeded_admin_password_is_changed_at_deployment_without_history_rewriting():
    answer, _, meta = fix_for(_bandit("app/__init__.py", 13, FLASK_SEED, "admin123"), ["CWE-259"])
    assert meta["fix_family"] == "secret-seeded-account"
    assert "the `admin` account" in answer and "Change the default account's password at deployment" in answer
    assert 'admin_password = os.environ["ADMIN_PASSWORD"]' in answer  # named after the account and the code's field
    for playbook in ("filter-repo", "force-push", "compromised", "API_KEY", "revoke it"):
        assert playbook not in answer


def test_a_database_password_keeps_the_rotation_under_the_codes_own_name():
    snippet = "5 conn = psycopg2.connect(host='db', user='app', password='s3cr3t-pg')"
    answer, _, meta = fix_for(_bandit("app/db.py", 5, snippet, "s3cr3t-pg"), ["CWE-259"])
    assert meta["fix_family"] == "secret-in-code" and "compromised" in answer and "filter-repo" in answer
    assert 'os.environ["PASSWORD"]' in answer and "API_KEY" not in answer


def test_an_issuer_credential_keeps_the_incident_playbook():
    f = finding("secret", "gitleaks", "aws-access-token", path="app/config.py", start=3,
                snippet="3 AWS_ACCESS_KEY_ID = '[REDACTED secret sha256:0a19e17f5acf]'", title="AWS Access Key")
    answer, _, meta = fix_for(f, ["CWE-798"])
    assert meta["fix_family"] != "secret-seeded-account"
    assert "deactivate and delete the key in IAM" in answer and "filter-repo" in answer


def test_a_camel_case_key_in_code_names_the_environment_variable():
    f = finding("secret", "gitleaks", "generic-api-key", path="src/config.js", start=4,
                snippet="4   apiKey: 'a7f3c9e2b1d84f6a9c0e5b7d2f1a8c3e',", title="Generic API Key")
    answer, _, _ = fix_for(f, ["CWE-798"])
    assert "process.env.API_KEY" in answer and "APIKEY" not in answer
