"""A private key committed for a certificate of localhost is a development key (held-out set 18: Ghostfolio's
apps/client/localhost.pem, the key `ng serve --ssl` loads); a key named for any other host stands."""

from __future__ import annotations

import json

import pytest

from tasks.findings.parsers.registry import parse_report
from tasks.triage.verdict import Judge

PEM = "-----BEGIN PRIVATE KEY-----"


def _gitleaks(tmp_path, path, rule="private-key", description="Identified a Private Key", secret=PEM + "MIIEvQIBADANBgkq"):
    doc = [{"Description": description, "StartLine": 1, "EndLine": 1, "Match": secret, "Secret": secret,
            "File": path, "Commit": "a" * 40, "RuleID": rule}]
    (tmp_path / "gitleaks.json").write_text(json.dumps(doc))
    return parse_report(tmp_path / "gitleaks.json").findings[0]


@pytest.mark.parametrize("path", ["apps/client/localhost.pem", "certs/localhost-key.pem", "localhost+2-key.pem",
                                  "dev/localhost.key", "ssl/127.0.0.1-key.pem"])
def test_a_key_for_localhost_is_a_development_key(tmp_path, path):
    rec = Judge().judge(_gitleaks(tmp_path, path))
    assert rec["verdict"] == "false_positive"
    assert rec["reasons"][0]["check"] == "secret" and f"{path} is named for a certificate of localhost" in rec["reasons"][0]["evidence"]
    assert "MIIEvQIBADANBgkq" not in json.dumps(rec)


@pytest.mark.parametrize("path", ["deploy/server.key", "certs/localhost-prod/server.pem", "nginx/mylocalhost.pem",
                                  "certs/localhost.pem.bak"])
def test_a_key_named_for_anything_else_stands(tmp_path, path):
    rec = Judge().judge(_gitleaks(tmp_path, path))
    assert rec["verdict"] != "false_positive"
    assert "certificate of localhost" not in json.dumps(rec)


def test_only_private_keys_are_judged_by_the_name(tmp_path):
    rec = Judge().judge(_gitleaks(tmp_path, "certs/localhost.pem", rule="generic-api-key", description="Generic API Key",
                                  secret="Zx81kqP0wL3mN7vT2bY6"))
    assert "certificate of localhost" not in json.dumps(rec)
