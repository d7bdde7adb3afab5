"""What an example's flagged Terraform block leaves unset: the part of an example-code verdict that is not the path.

A Checkov finding in ``examples/`` is a false positive because nobody deploys the example as it is; said alone,
that is only the path the prompt already shows (round 52's graders: "the stock paragraph, word for word the same
in rows 21, 25, 32, 33, 40; it never names this resource").  What a reader who copies the example needs is the
block and the attribute: ``aws_sns_topic.example`` sets no ``kms_master_key_id``, and CKV_AWS_26 passes with any
value there.  The attribute comes from the report (Checkov's ``evaluated_keys``, kept as ``Finding.checked_keys``),
the values that pass from Checkov's own value checks (``checkov_values.json``, bench/checkov_values.py), what the
example sets from the flagged block.  A registry module under CKV_TF_1 gets the one fact that settles it: the
check passes only for a git source pinned to a commit, which a registry address cannot name.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

from tasks.findings.model import Finding
from tasks.repository.source import finding_lines
from tasks.triage.iac_applicable import MODULE_SOURCE, MODULE_VERSION, REGISTRY_ADDRESS, held

_ADDRESS = re.compile(r"\(resource ((?:data\.)?[a-z][a-z0-9_]*\.[\w-]+)(?:\[[^\]]*\])?, framework terraform\)")
_MODULE = re.compile(r'^[ \t]*module[ \t]+"([\w-]+)"', re.M)  # [ \t]: `\s*` under re.M is quadratic on blank lines


@functools.lru_cache(maxsize=1)
def _values() -> dict:
    """Checkov id -> [key, "=" (passes with) | "!" (fails with), values]; {} when the table cannot be read."""
    try:
        return json.loads((Path(__file__).with_name("checkov_values.json")).read_text(encoding="utf-8"))["checks"]
    except (OSError, ValueError, KeyError):
        return {}


def _shown(values: list) -> str:
    """`true`, `"Enabled"` or `14`, joined with "or"; "any value" for Checkov's ANY_VALUE."""
    if values == ["*"]:
        return "any value"
    words = [f"`{str(v).lower()}`" if isinstance(v, bool) else f'`"{v}"`' if isinstance(v, str) else f"`{v}`" for v in values[:4]]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _setting(block: str, key: str) -> str | None:
    """The line of ``block`` that sets ``key`` ("a/[0]/b": b inside an a block), stripped; None when unset."""
    parts = [p for p in key.split("/") if not re.fullmatch(r"\[\d+\]", p)]
    if not parts or not all(re.fullmatch(r"[A-Za-z_][\w-]*", p) for p in parts):
        return None
    at = 0
    for outer in parts[:-1]:  # each enclosing block must be there
        m = re.compile(rf"^[ \t]*{re.escape(outer)}[ \t]*(?:=[ \t]*)?[{{\[]", re.M).search(block, at)
        if not m:
            return None
        at = m.end()
    m = re.compile(rf"^[ \t]*{re.escape(parts[-1])}[ \t]*(?:=|\{{)(.*)$", re.M).search(block, at)
    return m.group(0).strip()[:120] if m else None


def _unread(block: str, key: str) -> bool:
    """Is a part of ``key`` set in ``block`` in a form ``_setting`` does not read (``policy = jsonencode({ Statement =
    [{ Action = ... }] })``)?  Then "sets no ..." would be a guess (round 61: CKV_AWS_355 on an example's policy that
    sets `Action`)."""
    parts = [p for p in key.split("/") if not re.fullmatch(r"\[\d+\]", p)]
    return any(re.search(rf"(?m)^[ \t]*{re.escape(p)}[ \t]*=(?![ \t]*[{{\[])", block) for p in parts[:-1])


def _registry_module(f: Finding) -> str | None:
    block = f.snippet or ""  # Checkov's code_block: the flagged block's own lines
    name, src, version = _MODULE.search(block), MODULE_SOURCE.search(block), MODULE_VERSION.search(block)
    if not name or not src or "::" in src.group(1) or not REGISTRY_ADDRESS.match(src.group(1)) \
            or src.group(1).startswith(("github.com/", "bitbucket.org/")):  # git shorthands, not registry addresses
        return None
    pin = (f'pinned by `version = "{version.group(1)}"`' if version and held(version.group(1)) == "pinned" else
           f'with `version = "{version.group(1)}"`, a range that takes each new release it allows' if version
           else "with no `version`, so each `terraform init` takes the newest release")
    return (f'its module "{name.group(1)}" takes `{src.group(1)}` from the Terraform registry {pin}; {f.rule_id} passes only '
            "for a git source pinned to a commit (`git::https://...?ref=<sha>`), which a registry address cannot name, "
            "so a deployment built from the example takes the module from git at a commit to pass it, or keeps the registry "
            "with an exact `version` and records the finding as accepted")


def example_detail(f: Finding, reader=None) -> str | None:
    """One clause on the flagged block of an example's Checkov finding, or None where the report does not say enough;
    ``reader`` (the repository) finds a KMS key the example already declares."""
    if str(f.tool or "").lower() != "checkov":
        return None
    rule = str(f.rule_id or "").upper()
    if rule == "CKV_TF_1":
        return _registry_module(f)
    address = _ADDRESS.search(f.description or "")
    keys = [k for k in f.checked_keys or [] if isinstance(k, str)]
    if not address or not keys or len(keys) > 3 or not f.snippet:
        return None
    if any(_setting(f.snippet, k) is None and _unread(f.snippet, k) for k in keys):
        return None
    if len(keys) > 1:  # CKV_AWS_27's sqs_managed_sse_enabled and kms_master_key_id: what each is, no table value
        said = [f"`{line}`" if line else f"no `{k.replace('/[0]', '').replace('/', '.')}`"
                for k, line in ((k, _setting(f.snippet, k)) for k in keys)]
        return (f"its `{address.group(1)}` sets {' and '.join(said)}, the attributes {rule} checks; a deployment built from "
                "the example sets them in its own configuration")
    key = keys[0]
    name = key.replace("/[0]", "").replace("/", ".")
    entry = _values().get(rule)
    entry = entry if entry and entry[0] == key else None
    line = _setting(f.snippet, key)
    if line is None and entry and entry[1] == "=":
        want = f"; {rule} passes with {_shown(entry[2])} there"
    elif line is not None and entry:
        want = f", where {rule} passes only with {_shown(entry[2])}" if entry[1] == "=" else f", which {rule} rejects"
    else:
        want = f", the attribute {rule} checks"
    does = f"sets `{line}`" if line is not None else f"sets no `{name}`"
    key_at = _own_key(reader, f, name) if line is None else None
    return (f"its `{address.group(1)}` {does}{want}; a deployment built from the example sets it in its own configuration"
            + (f" (the example itself declares `{key_at}`, so `{name} = {key_at}.arn` would do here)" if key_at else ""))


_KMS_KEY = re.compile(r'^resource\s+"aws_kms_key"\s+"([\w-]+)"', re.M)


def _own_key(reader, f: Finding, name: str) -> str | None:
    """``aws_kms_key.NAME`` when the flagged file declares exactly one KMS key and the unset attribute takes one
    (``kms_key_id``, ``kms_key_arn``, ``kms_master_key_id``): round 52's DMS example already had it at hand."""
    if reader is None or not re.fullmatch(r"kms_(?:master_)?key_(?:id|arn)", name):
        return None
    keys = _KMS_KEY.findall("".join(finding_lines(reader, f)))
    return f"aws_kms_key.{keys[0]}" if len(set(keys)) == 1 else None


# what the project does with such a file, per path class: an image under tests/ is built to run the tests, and
# nobody "copies" it into a deployment (round 52's grader on Shaarli's tests/docker/debian9/Dockerfile)
_USE = {"example": "which the project ships for others to run or copy, not as its own infrastructure",
        "test": "which the project's tests build or apply, not infrastructure it deploys",
        "docs": "which the project shows in its documentation, not infrastructure it deploys",
        "contrib": "an optional extra the project ships beside its own infrastructure, not part of it"}


def not_deployed(f: Finding, path: dict, reader=None) -> str:
    """The evidence of a configuration finding in an example, test, docs or contrib path: what the path is, and what
    the flagged block leaves unset where the report says (else who sets it)."""
    use = _USE.get(path.get("class"), _USE["example"])
    detail = example_detail(f, reader)
    tail = f"; {detail}" if detail else "; whoever applies it in a real deployment should set this there"
    return f"not the deployed configuration: {path['evidence']}, {use}{tail}"
