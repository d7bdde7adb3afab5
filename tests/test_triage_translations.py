"""A secret rule on a UI translation catalogue's entry ("api-token": "API-Token"), set 13's mealie."""

from tasks.triage.context import check_secret
from tasks.triage.secret_use import translation_label


def _f(path: str, line: str, cls: str = "plain-word") -> dict:
    return {"id": "t" * 32, "tool": "checkov", "rule_id": "CKV_SECRET_6", "kind": "secret", "severity": "high",
            "title": "Base64 High Entropy String", "description": "d", "location": {"path": path, "start_line": 770},
            "snippet": line, "secret_evidence": {"class": cls, "length": 9, "entropy": 3.2}}


def test_an_entry_of_a_translation_catalogue_is_not_a_credential():
    rec = check_secret(_f("frontend/lang/messages/de-DE.json", '    "api-token": "API-Token",'), None)
    assert rec["status"] == "not_a_secret" and "`api-token` is an entry of the translation catalogue" in rec["evidence"]
    assert translation_label("locales/fr/translation.json", '"password": "Mot de passe"')
    assert translation_label("src/config/settings.json", '"api-token": "x"') is None  # not a locale folder
    assert translation_label("frontend/lang/messages/README.md", "x") is None
    high = check_secret(_f("frontend/lang/messages/de-DE.json", '"api-token": "AKIA..."', cls="high-entropy"), None)
    assert high is None or high["status"] != "not_a_secret" or "translation" not in high["evidence"]


def test_a_namespace_file_in_a_locale_folder_is_a_catalogue_too():
    """NodeBB (set 16): public/language/da/register.json."""
    assert translation_label("public/language/da/register.json", '"password": "Adgangskode",')
    assert translation_label("public/language/pt-BR/user.json", '"password": "Senha",')
    assert translation_label("src/api/da/register.json", '"password": "x"') is None  # no locale folder above
