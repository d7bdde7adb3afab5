"""Is a scanner's own autofix safe to merge as it stands - and what does it change besides the finding?

Semgrep's autofixes are mechanical: ``shell=True`` -> ``shell=False`` (a
command string then runs as one program name and fails), ``md5`` ->
``sha256`` on a de-duplication key (every stored key changes for nothing),
``http://`` -> ``https://`` (a host that serves no TLS stops answering),
``@csrf_exempt`` removed (cross-site callers such as webhooks are refused).
A fix that breaks the code is refused; one that changes behaviour gets a
sentence saying what to check.
"""

from __future__ import annotations

import re

from tasks.fixes.patterns import python_hashes


def review(family: str | None, removed: list[str], added: list[str]) -> tuple[str | None, str]:
    """(why the fix must not be used, or None; the note on what else it changes)."""
    before, after = "\n".join(removed), "\n".join(added)
    if re.search(r"shell\s*=\s*True", before) and re.search(r"shell\s*=\s*False", after):
        call = re.search(r"\(\s*([^,)]*)", before)
        if not call or not call.group(1).lstrip().startswith(("[", "(")):
            return ("the scanner's shell=False fix leaves a command string, which then runs as one program name and "
                    "fails: the call needs an argument list", "")
    if family == "weak-hash" and python_hashes.hash_purpose(before) == "non-security":
        return "the scanner swaps the algorithm of an identifier digest: every stored key would change for nothing", ""
    if re.search(r"(?i)\b(?:md5|sha1)\([^)]*pass(?:word|wd|phrase)?", before) and re.search(r"(?i)sha256|sha3|sha512", after):
        return "a password needs a salted, slow hash (argon2, bcrypt, scrypt), not a faster digest", ""
    notes = []
    if family == "weak-hash" or re.search(r"\b(?:md5|sha1)\b", before, re.I) and re.search(r"sha256|sha3|sha512", after, re.I):
        notes.append("Digests already stored with the old algorithm no longer match: migrate them (passwords: re-hash "
                     "at the next login).")
    if "http://" in before and "https://" in after:
        notes.append("The host must serve HTTPS at the same address: check it before merging.")
    if re.search(r"@csrf_exempt", before) and not re.search(r"@csrf_exempt", after):
        notes.append("Callers that post to this view from elsewhere (webhooks, other sites' forms, API clients) now "
                     "need a CSRF token or their own authentication: check who calls it.")
    if re.search(r"verify\s*=\s*False", before) and re.search(r"verify\s*=\s*True", after):
        notes.append("A server with a self-signed or private-CA certificate now fails verification: pass "
                     "verify=\"/path/to/ca.pem\" for it rather than turning checks off.")
    if re.search(r"\bsecure\s*=\s*True", after) and not re.search(r"\bsecure\s*=\s*True", before):
        notes.append("The browser then sends the cookie only over HTTPS: a site still served over plain HTTP (a local "
                     "development server) loses it.")
    if re.search(r"\bhttponly\s*=\s*True", after, re.I) and not re.search(r"\bhttponly\s*=\s*True", before, re.I):
        notes.append("Scripts of the page can no longer read the cookie: check that none does.")
    return None, " ".join(notes)
