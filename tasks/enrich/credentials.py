"""What a leaked credential of a known kind grants, how to tell whether it is live, and how to revoke it.

A secret finding's prompt says only "AWS Access Key leaked in x": the
reviewer's knowledge is what that key can do, the one call that shows
whether it still works, and where it is revoked (each from the issuer's own
documentation).  Kinds are recognised from the rule id and title the
scanner gives (gitleaks, Trivy, detect-secrets names); an unknown kind gets
nothing here, and the analysis says less.
"""

from __future__ import annotations

import re

from tasks.findings.model import Finding, as_finding

# (pattern over "rule_id title", what it grants, how to check it is live, how to revoke it)
KINDS = (
    (re.compile(r"\baws\b|AKIA|access[ _-]?key[ _-]?id", re.I),
     "An AWS access key ID is half of an IAM user's long-term key pair: with its secret access key it signs API calls "
     "with that user's permissions, from anywhere, until the key is deactivated.",
     "`aws sts get-caller-identity` with the pair answers with the account and user if it is live, and IAM's "
     "access-key last-used date and CloudTrail show whether anyone else has used it.",
     "deactivate it in IAM (`aws iam update-access-key --status Inactive`), move its users to a new key or, better, a "
     "role, then delete it (`aws iam delete-access-key`)"),
    (re.compile(r"github|\bgh[pousr]_", re.I),
     "A GitHub token acts as its owner with its scopes (repository contents, workflows, packages) until it is revoked "
     "or expires.",
     "`curl -H 'Authorization: Bearer TOKEN' https://api.github.com/user` answers with the owner if it is live, and "
     "the `X-OAuth-Scopes` response header lists what it may do.",
     "revoke it in the owner's Developer settings (an organisation can revoke fine-grained tokens under its PAT "
     "policy) and issue a narrower one"),
    (re.compile(r"slack|xox[bpas]-", re.I),
     "A Slack token acts as its bot or user in the workspace: it reads and posts in every channel that identity can.",
     "`curl -H 'Authorization: Bearer TOKEN' https://slack.com/api/auth.test` answers `\"ok\": true` with the team "
     "and user if it is live.",
     "revoke it (`auth.revoke`, or reinstall the app to rotate a bot token)"),
    (re.compile(r"google[ _-]?api[ _-]?key|\bAIza", re.I),
     "A Google API key identifies a Google Cloud project and bills it: unless the key is restricted, anyone who has it "
     "can call every API enabled on that project (Drive, Maps, YouTube, Gemini) at the project's cost and quota.",
     "The Cloud console's Credentials page shows the key's API and application restrictions and its usage; a key "
     "meant for a public client (a browser page, an app) is expected to be seen and must be restricted instead.",
     "restrict it to the APIs and the referrers, IP addresses or apps that use it, or delete it and create a new "
     "one read from configuration"),
    (re.compile(r"jwt", re.I),
     "A JWT is a signed bearer token: whoever holds it is its subject until its `exp` time. Its payload is base64url, "
     "not encrypted, so decoding it needs no key and shows the subject, issuer, algorithm and `exp`.",
     "An expired token grants nothing now; one that has not expired and verifies against the production key works "
     "as a login for its subject.",
     "let it expire or change the signing key (every token it signed stops verifying)"),
    (re.compile(r"private[ _-]?key|RSA[ _-]?PK|\bPEM\b|asymmetric", re.I),
     "Whoever holds a private key signs or decrypts as its owner: TLS or SSH identities, JWTs, packages, whatever "
     "trusts the matching public key.",
     "`ssh-keygen -y -f KEYFILE` (or `openssl pkey -pubout`) derives the public key: look it up in authorized_keys, "
     "certificates and token-verification settings to see what trusts it.",
     "issue a new key pair and remove the old public key from everything that trusts it (revoke its certificate)"),
)


def kind_of(f: Finding | dict):
    f = as_finding(f)
    text = f"{f.rule_id} {f.title}"
    return next((k for k in KINDS if k[0].search(text)), None)


def what_it_grants(f: Finding | dict) -> str:
    """What this kind of credential lets its holder do and how to see whether it is live; '' when unknown."""
    k = kind_of(f)
    return f"{k[1]} {k[2]}" if k else ""


def revoke_step(f: Finding | dict) -> str | None:
    k = kind_of(f)
    return k[3] if k else None
