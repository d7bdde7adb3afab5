"""Check 2e: a Checkov check whose control does not exist for the flagged resource's operating system.

CKV2_AZURE_10 asks for the Microsoft Antimalware extension
(``IaaSAntimalware``, Microsoft Defender's VM extension) with automatic
updates.  Microsoft publishes that extension for Windows virtual machines
only, so on a Linux VM the control cannot be configured at all and the
finding is a false positive "not applicable to the resource" (a held-out
review: an Ubuntu 18.04 VM flagged for it).  Endpoint protection of a Linux
VM is a different product and a different question.

The operating system is read from the resource Checkov shows (its
``code_block``): the resource type (``azurerm_linux_virtual_machine``,
``..._scale_set``), an ``os_profile_linux_config`` block, or a
``storage_image_reference``/``source_image_reference`` from a Linux
publisher (Canonical, RedHat, SUSE, Debian, OpenLogic ...).  Any sign of
Windows (``os_profile_windows_config``, a Windows publisher or type), or
none of these, leaves the finding as reported.  The evidence quotes the
line that shows Linux.

May import: ``tasks.core``, ``tasks.findings``, ``tasks.triage.iac_ports`` (the line of a match).
"""

from __future__ import annotations

import dataclasses
import re

from tasks.findings.model import Finding, as_finding
from tasks.triage.iac_ports import at_line

# check id -> (the control, the operating systems it exists for)
WINDOWS_ONLY = {"CKV2_AZURE_10": "the Microsoft Antimalware extension (IaaSAntimalware), which Microsoft publishes for "
                                 "Windows virtual machines only"}
_LINUX_PUBLISHERS = {"canonical", "redhat", "suse", "debian", "credativ", "openlogic", "almalinux", "kinvolk"}
_LINUX_SIGNS = [
    re.compile(r'^\s*resource\s+"(azurerm_linux_virtual_machine(?:_scale_set)?)"', re.MULTILINE),
    re.compile(r"^\s*(os_profile_linux_config)\s*\{", re.MULTILINE),
    re.compile(r'^\s*(os_type\s*=\s*"linux")', re.MULTILINE | re.IGNORECASE),
]
_PUBLISHER = re.compile(r'^\s*publisher\s*=\s*"([\w.-]+)"', re.MULTILINE)
_OFFER = re.compile(r'^\s*offer\s*=\s*"([\w.-]+)"', re.MULTILINE)
_WINDOWS = re.compile(r"(?i)windows|os_profile_windows_config")


def linux_sign(f: Finding) -> str | None:
    """The line of the resource shown that says it runs Linux, quoted; None when it may be Windows or says nothing."""
    snippet = f.snippet or ""
    if not re.match(r'\s*resource\s+"azurerm_\w*virtual_machine\w*"', snippet) or _WINDOWS.search(snippet):
        return None
    for sign in _LINUX_SIGNS:
        m = sign.search(snippet)
        if m:
            return f"`{m.group(1).strip()}`{at_line(f, snippet, m.start(1))}"
    pub = _PUBLISHER.search(snippet)
    if pub and pub.group(1).lower() in _LINUX_PUBLISHERS:
        offer = _OFFER.search(snippet)
        return f"`publisher = \"{pub.group(1)}\"`{at_line(f, snippet, pub.start(1))}" + (
            f" with offer `{offer.group(1)}`" if offer else "")
    return None


MODULE_SOURCE = re.compile(r'^[ \t]*source[ \t]*=[ \t]*"([^"]+)"', re.M)
MODULE_VERSION = re.compile(r'^[ \t]*version[ \t]*=[ \t]*"([^"]+)"', re.M)
# a registry address: [host/]namespace/name/provider, no "::" forced getter, no git/http/local/bucket source
REGISTRY_ADDRESS = re.compile(r"^(?:[\w.-]+\.[a-z]{2,}/)?[\w-]+/[\w-]+/[\w-]+(?://[\w.-]+(?:/[\w.-]+)*)?$")  # //subdir


def registry_module(f: Finding, reader=None) -> dict | None:
    """CKV_TF_1 ("module sources use a commit hash") on a registry module pinned by ``version``: not applicable.

    A commit hash pins a git source (``git::https://...?ref=<sha>``); a registry module has no commit to name, it
    is pinned by its ``version`` argument.  Two blind labellers of sets 17 and 18 called every such finding one.
    """
    if str(f.tool or "").lower() != "checkov" or str(f.rule_id or "").upper() != "CKV_TF_1":
        return None
    if not f.snippet and reader is not None and f.location and f.location.start_line:  # a compact report quotes no code
        from tasks.repository.source import finding_lines

        lines = finding_lines(reader, f)[f.location.start_line - 1:f.location.end_line or f.location.start_line]
        f = dataclasses.replace(f, snippet="".join(lines)) if lines else f
    src, version = MODULE_SOURCE.search(f.snippet or ""), MODULE_VERSION.search(f.snippet or "")
    if not src or not version or "::" in src.group(1) or not REGISTRY_ADDRESS.match(src.group(1)) \
            or src.group(1).startswith(("github.com/", "bitbucket.org/")):
        return None
    if held(version.group(1)) == "constrained" and _EXAMPLE.search(str(f.path or "")):
        return None  # a range can move; what settles it is that an example is no deployment (set 30's audit)
    return {"check": "report", "status": "not_applicable",
            "evidence": f"a registry module held by its version: {f.path}{at_line(f, f.snippet or '', src.start(1))} "
                        f"takes `source = \"{src.group(1)}\"` from a Terraform registry, {held(version.group(1))} by `version = "
                        f"\"{version.group(1)}\"`; CKV_TF_1 asks for a commit hash, which a registry address cannot "
                        "carry (only a git source, `git::...?ref=<sha>`, can), so the version is the pin this source "
                        "form has; a hash would also guard against a release re-published under the same number"}


_EXAMPLE = re.compile(r"(?i)(?:^|/)(?:examples?|samples?|tests?|test-fixtures|fixtures)/")


def held(constraint: str) -> str:
    """"pinned" for one exact release, "constrained" for a range (round 27: `~> 6.0` is no pin)."""
    return "pinned" if re.fullmatch(r"\s*=?\s*v?\d+(?:\.\d+){0,2}(?:-[\w.]+)?\s*", constraint) else "constrained"


def check_not_applicable(f: Finding | dict, reader=None) -> dict | None:
    """A Windows-only control flagged on a Linux VM, CKV_TF_1 on a registry module -> false-positive reason, else None."""
    f = as_finding(f)
    registry = registry_module(f, reader)
    if registry:
        return registry
    control = WINDOWS_ONLY.get(str(f.rule_id or "").upper())
    if str(f.tool or "").lower() != "checkov" or control is None:
        return None
    sign = linux_sign(f)
    if not sign:
        return None
    return {"check": "report", "status": "not_applicable",
            "evidence": f"not applicable to the resource: {f.rule_id} asks for {control}, and the flagged resource "
                        f"is a Linux virtual machine ({sign} in {f.path}); the control cannot be configured there"}
