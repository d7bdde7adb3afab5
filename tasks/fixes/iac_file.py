"""What the whole Terraform file says about a Checkov finding's fix (``code["file"]``, from ``source.repo_path``).

Checkov reads a bucket together with the resources that configure it: a
public ACL it reports on ``aws_s3_bucket.dev`` may be set by
``aws_s3_bucket_acl.dev`` elsewhere in the file.  The fix then belongs in
that resource (``acl = "public-read"`` -> ``"private"``); an inline ``acl``
on the bucket would fight it on every apply.  And the standalone S3
resources a fix adds exist only from AWS provider 3.75.0 (4.0, backported):
where the file pins the provider, the caveat says what that pin allows
instead of a general sentence.  Without the file nothing here applies and
the fix says less (tasks.fixes.checkov_facts refuses what it cannot tell).

May import: ``tasks.core``, ``tasks.findings``, ``tasks.fixes.iac_refs``.
"""

from __future__ import annotations

from tasks.findings.model import Finding
from tasks.fixes.iac_refs import aws_pin, companion, split_note

# check -> the companion resource that holds its setting for a bucket, and the values that fail it
_HELD_BY = {"CKV_AWS_20": ("aws_s3_bucket_acl", "acl", ('"public-read"', '"public-read-write"'))}
# check -> the bucket's inline block that does the same before AWS provider 3.75.0
_INLINE = {"CKV_AWS_18": "a `logging` block", "CKV_AWS_19": "a `server_side_encryption_configuration` block",
           "CKV_AWS_21": "`versioning { enabled = true }`"}


def from_file(rule: str, resource: str | None, text: str | None, f: Finding) -> dict | None:
    """{"resource", "snippet", "where", "res"} of the companion resource that sets the failing value, or None."""
    held = _HELD_BY.get(rule)
    if not held or not text or not resource or resource.count(".") < 1:
        return None
    rtype, name = resource.split(".")[-2:]
    found = companion(text, held[0], rtype, name)
    if not found:
        return None
    cname, line, block, attrs = found
    value = attrs.get(held[1], "").strip()
    if value not in held[2]:
        return None  # the companion sets something else (grants, a variable): which part fails is not shown
    end = line + block.count("\n")
    return {"resource": f"{held[0]}.{cname}", "snippet": block, "where": f"{f.path}:{line}-{end}",
            "res": f" (resource {held[0]}.{cname}, which sets `{held[1]} = {value}` for {resource})"}


def caveat(rule: str, text: str | None, file_text: str | None) -> str:
    """The check's caveat line ("" for none), its provider sentence fitted to the file's AWS provider pin."""
    text = text or ""
    inline = _INLINE.get(rule)
    note = split_note(aws_pin(file_text), inline) if inline and file_text and "instead." in text else None
    if note is not None:
        text = " ".join(p for p in (note, text.split("instead.", 1)[1].strip()) if p)
    return text + "\n" if text else ""
