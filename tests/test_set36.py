"""Checks from held-out set 36's remaining harmful rows (round 41) and from set 37 (woodpecker,
terraform-aws-appsync, securedrop, outline, karrio), written after their measurement, each with the neighbour that
stays."""

from __future__ import annotations

from fixes_helpers import finding

from tasks.fixes import fix_for

MODEL = '''class Attachment(models.Model):
    md5 = models.CharField(max_length=32, unique=True)
    original_filename = models.CharField(
        max_length=255,
        unique=False,
    )

    @classmethod
    def get_md5_sum(cls, file):
        file.seek(0)
        md5 = hashlib.md5(file.read()).hexdigest()
        file.seek(0)
        return md5
'''


def _md5(text: str, line: int):
    f = finding("code", "semgrep", "python.lang.security.insecure-hash-algorithms.insecure-hash-algorithm-md5",
                path="src/ralph/attachments/models.py", start=line, snippet=text.splitlines()[line - 1], cwe=["CWE-327"])
    return fix_for(f, ["CWE-327"], {"path": "src/ralph/attachments/models.py", "text": text, "start_line": 1, "file": text})


def test_a_digest_stored_in_a_unique_field_is_an_identity_not_a_cache_key():
    """Round 41's harmful stage-2 row: ralph's Attachment.md5 (unique=True) is looked up to reuse a stored file, and the
    row passed usedforsecurity=False (a collision lets one upload stand in for another). A unique stored digest is the
    content's identity: SHA-256 with a data migration, and no one-line diff (every stored digest changes)."""
    answer, _, meta = _md5(MODEL, 11)
    assert meta["fix_family"] == "weak-hash-identity" and not meta["has_diff"]
    assert "`md5` (line 2) is a unique model field" in answer and "usedforsecurity=False` would hide" in answer
    assert "data migration" in answer and "sha256" in answer
    # the neighbours: the same digest in a field that is not unique keeps the answer that names both uses, and a
    # cache key beside an unrelated unique field keeps its usedforsecurity=False diff
    plain = MODEL.replace("max_length=32, unique=True", "max_length=32, db_index=True")
    answer, _, meta = _md5(plain, 11)
    assert meta["fix_family"] == "weak-hash" and "unique model field" not in answer
    cache = MODEL.replace("md5 = hashlib.md5(file.read())", "cache_key = hashlib.md5(file.read())")
    answer, _, meta = _md5(cache, 11)
    assert meta["fix_family"] == "weak-hash-not-security" and meta["has_diff"] and "usedforsecurity=False" in answer
