"""Round 54: a PEM armour line is never a secret's value; the key it wraps still is.

Gokapi's docs/examples.rst shows Authelia's sample key in YAML (`EP3EihoPhei9iingai0v==` then
`-----END PRIVATE KEY-----` on the next line); the `=` assignment pattern took `-----END` for a value and the prompt
read `[REDACTED secret ...] PRIVATE KEY-----`, a marker hidden as if it were key material.
"""

from __future__ import annotations

from tasks.findings import secrets

DOC = ("    issuer_private_key: |\n      -----BEGIN PRIVATE KEY-----\n      ohf2shae1bahph7ahSh1\n      EXAMPLE_KEY\n"
       "      EP3EihoPhei9iingai0v==\n      -----END PRIVATE KEY-----\n")


def test_the_end_marker_after_base64_padding_is_no_value():
    found = secrets.literal_values(DOC, path="docs/examples.rst")
    assert not any("-----" in v for v in found)
    assert "-----END PRIVATE KEY-----" in secrets.scrub(DOC, found)


def test_a_whole_key_in_one_string_is_still_taken():
    line = 'KEY = "-----BEGIN RSA PRIVATE KEY-----\\nMIIEowIBAAKCAQEAx9wq3JkP\\n-----END RSA PRIVATE KEY-----"\n'
    found = secrets.literal_values(line)
    assert found and "MIIEowIBAAKCAQEAx9wq3JkP" in found[0]
    assert "MIIEowIBAAKCAQEAx9wq3JkP" not in secrets.scrub(line, found)
