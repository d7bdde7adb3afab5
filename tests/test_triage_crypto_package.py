"""Bandit B413 (PyCrypto unmaintained) where the manifests install PyCryptodome, its maintained drop-in."""

from __future__ import annotations

from test_triage_constant_data import _repo
from test_triage_hygiene import finding

CODE = ("from Crypto.Cipher import AES\nfrom Crypto import Random\n\nKEY = Random.new().read(16)\n"
        "CIPHER = AES.new(KEY, AES.MODE_GCM)\n")


def b413(line: int) -> dict:
    return finding(tool="bandit", rule_id="B413", title="The pyCrypto library and its module AES are no longer actively "
                   "maintained and have been deprecated. Consider using pyca/cryptography library.",
                   location={"path": "main.py", "start_line": line, "end_line": line})


def test_the_crypto_package_from_pycryptodome_is_not_the_abandoned_library(tmp_path):
    judge = _repo(tmp_path, {"main.py": CODE, "requirements.txt": "Flask>=3.1.2\npycryptodome>=3.23.0\nWerkzeug>=3.1.3\n"})
    rec = judge.judge(b413(1))
    assert rec["verdict"] == "false_positive", rec
    assert rec["reasons"][0]["evidence"].startswith("not the abandoned library: requirements.txt:2 installs pycryptodome")


def test_pycrypto_itself_or_no_manifest_keeps_the_finding(tmp_path):
    both = _repo(tmp_path / "a", {"main.py": CODE, "requirements.txt": "pycryptodome==3.20\n",
                                  "setup.py": "setup(install_requires=['pycrypto>=2.6'])\n"})
    assert both.judge(b413(1))["verdict"] == "true_positive"
    none = _repo(tmp_path / "b", {"main.py": CODE})
    assert none.judge(b413(1))["verdict"] == "true_positive"
    dome_x = _repo(tmp_path / "c", {"main.py": CODE, "requirements.txt": "pycryptodomex\n"})  # the Cryptodome namespace
    assert dome_x.judge(b413(1))["verdict"] == "true_positive"


def test_pycrypto_pinned_makes_the_applications_import_a_package_finding(tmp_path):
    """DjanGoat: requirements.txt pins pycrypto==2.6.1 and the app imports `from Crypto import Random`; a row explained
    a weak algorithm, while B413 is about the unmaintained package.  A test's import of it is test code (the app's
    imports carry the finding)."""
    from tasks.enrich.mechanisms import mechanism

    judge = _repo(tmp_path, {"app/models.py": CODE, "app/tests/test_a6.py": CODE,
                             "requirements.txt": "Django==1.11\npycrypto==2.6.1\n"})
    f = b413(2)
    f["location"]["path"] = "app/models.py"
    rec = judge.judge(f)
    assert rec["verdict"] == "true_positive" and "requirements.txt:2 installs pycrypto" in rec["reasons"][0]["evidence"]
    text = mechanism(f, ["CWE-327"])
    assert "not an algorithm" in text and "pycryptodome" in text
    f["location"]["path"] = "app/tests/test_a6.py"
    test = judge.judge(f)
    assert test["verdict"] == "false_positive" and test["reasons"][0]["check"] == "path", test
