"""A private key committed beside the self-signed certificate of a development host: a developer's HTTPS setup.

fider's ``etc/dev-fider-io.key`` sits next to ``etc/dev-fider-io.crt``, a certificate whose issuer is its own subject
(``*.dev.fider.io``) and which only its tests and local HTTPS load (held-out set 35, both labellers: false
positive).  A self-signed certificate is trusted by no client that was not told to trust it, so its key lets the
holder impersonate that name only to such a client: nothing a CA vouches for is at stake.  The name must say
development or test too (``dev``, ``local``, ``test``, ``snakeoil``, ``example``), since a service may pin its own
self-signed certificate in production.

The certificate is read with a small DER walk (no crypto library): the TBSCertificate's issuer and subject Name
elements compared byte for byte, and the first common name for the evidence.  The key itself is never read.

May import: ``tasks.findings``, ``tasks.repository``.
"""

from __future__ import annotations

import base64
import re
from pathlib import PurePosixPath

from tasks.findings.model import Finding
from tasks.repository.source import finding_lines

_DEV_NAME = re.compile(r"(?i)(?:^|[-_.])(?:dev|development|local|localdev|test|testing|snakeoil|example|dummy)(?:[-_.]|$)")
_CERT = re.compile(r"-----BEGIN CERTIFICATE-----\s*([A-Za-z0-9+/=\s]+?)-----END CERTIFICATE-----")
_CN = bytes.fromhex("0603550403")  # OID 2.5.4.3, commonName


def _tlv(der: bytes, at: int) -> tuple[int, int, int]:
    """(tag, start of the value, end of the value) of the DER element at ``at``."""
    tag, size, at = der[at], der[at + 1], at + 2
    if size & 0x80:
        count = size & 0x7F
        size, at = int.from_bytes(der[at:at + count], "big"), at + count
    return tag, at, at + size


def issuer_subject(der: bytes) -> tuple[bytes, bytes] | None:
    """The issuer and subject Name elements of an X.509 certificate, or None when it is not one."""
    try:
        _, body, _ = _tlv(der, 0)  # Certificate
        _, at, end = _tlv(der, body)  # TBSCertificate
        fields = []
        while at < end and len(fields) < 6:
            tag, start, stop = _tlv(der, at)
            if tag != 0xA0:  # the explicit [0] version is not one of the six fields
                fields.append(der[at:stop])
            at = stop
        return (fields[2], fields[4]) if len(fields) >= 5 else None  # serial, signature alg, issuer, validity, subject
    except IndexError:
        return None


def _common_name(name: bytes) -> str | None:
    at = name.find(_CN)
    if at < 0:
        return None
    _, start, stop = _tlv(name, at + len(_CN))
    return name[start:stop].decode("utf-8", "replace")[:80]


def check_self_signed(f: Finding, reader=None) -> dict | None:
    """{"check": "secret", "status": "not_a_secret", "evidence"} for a private key beside its self-signed development
    certificate, else None."""
    path = PurePosixPath(str(f.path or ""))
    if reader is None or path.suffix.lower() not in (".key", ".pem") or not _DEV_NAME.search(path.stem):
        return None
    for suffix in (".crt", ".cert", ".cer", ".pem"):
        sibling = path.with_suffix(suffix)
        if sibling == path:
            continue
        m = _CERT.search("".join(finding_lines(reader, f, str(sibling))))
        if m is None:
            continue
        try:
            pair = issuer_subject(base64.b64decode("".join(m.group(1).split())))
        except ValueError:
            return None
        if pair is None or pair[0] != pair[1]:
            return None
        cn = _common_name(pair[1])
        return {"check": "secret", "status": "not_a_secret",
                "evidence": f"a development key: {path} is the key of {sibling}, a self-signed certificate (its issuer is "
                            f"its own subject{f', CN {cn}' if cn else ''}) named for development or tests; no client trusts "
                            "it unless told to, so the key impersonates that name only to a developer's own setup"}
    return None
