"""Fixes for GitHub Actions workflows and OpenAPI specs read from the whole file, not the catalogue alone.

A catalogue block written without the file did harm (issue 22): ``workflow_dispatch: {}`` deleted the
inputs a teardown workflow's steps use, ``permissions: contents: read`` broke a CodeQL upload, and a
global ``security: - apiKey: []`` named a scheme the spec never declared and locked out login.  So:

* CKV_GHA_7 (workflow_dispatch inputs): no row while the steps use an input (or the file is unknown);
* permissions rules (CKV2_GHA_1 ...): the block from the steps in the file; ``write-all`` named as the finding;
* CKV_OPENAPI_4/5 (no global security): only a scheme the spec declares, never a global requirement
  over operations that must stay public, never in a generated spec.

``fix(f, file_text)`` returns (answer, label, extra) or None (the catalogue path decides).
"""

from __future__ import annotations

import re

from tasks.findings.model import Finding
from tasks.fixes.gha_jobs import _STEP_NEEDS, gha_permissions, jobs, load_mapping, own_note

GHA_INPUTS = "CKV_GHA_7"
OPENAPI_GLOBAL = ("CKV_OPENAPI_4", "CKV_OPENAPI_5")
_INPUT_USE = re.compile(r"\$\{\{[^}]*\b(?:github\.event\.inputs|inputs)\.([A-Za-z_][\w-]*)")
_WRITE_ALL = re.compile(r"^permissions:\s*write-all\s*$", re.M)
# operations a client calls before it has a token, or that monitors call: they must stay public
_PUBLIC_OP = re.compile(r"(?i)login|log_in|signin|sign_in|signup|sign_up|register|token|health|createdb|password[-_]?reset|"
                        r"forgot")
_GENERATED = re.compile(r"(?i)swagger[-_]output\.json$|autogen|generated")


_JOB_PERMISSIONS = re.compile(r"(?m)^[ \t]{2,}permissions:")  # a job's own block (the top level's is not indented)


def known(uses: str) -> bool:
    """Whether the needs of the action ``uses`` are listed (tasks.fixes.workload)."""
    return any(re.search(rx, uses) for rx, _, _ in _STEP_NEEDS)


def gha_inputs(f: Finding, file_text: str | None) -> tuple[str | None, str, dict] | None:
    """CKV_GHA_7: emptying workflow_dispatch's inputs is a fix only when no step uses them."""
    if file_text is None:
        return None, "the workflow's steps are not known: emptying its inputs may break the steps that use them", {}
    used = sorted(set(_INPUT_USE.findall(file_text)))
    if used:
        return None, (f"the workflow's steps use the input(s) {', '.join(used)}: `workflow_dispatch: {{}}` would break "
                      "the workflow; CKV_GHA_7 is a build-provenance (SLSA) rule for release builds"), {}
    return None


def gha_permissions_fix(f: Finding, file_text: str, language: str | None) -> tuple[str | None, str, dict]:
    """A permissions block from the steps in the file; write-all named as what the check found."""
    info = jobs(file_text, known)
    if info is None and _JOB_PERMISSIONS.search(file_text):  # which jobs the top level governs is not known
        return None, ("the workflow does not parse here, and a job sets its own permissions: which steps a top-level "
                      "block governs is not known, and one computed from every job's steps would widen the others"), {}
    if info and info["unknown"]:  # a narrower block than today's default could break that step: say what to check
        return None, ("what the workflow needs is not known (" + "; ".join(info["unknown"][:2]) + "): read its "
                      "permissions section and grant those scopes, or a narrower block breaks the step"), {}
    block, more = gha_permissions(info["steps"] if info else file_text)
    if info and info["own"] and not info["steps"].strip():
        more = "It changes none of today's jobs, only jobs added later."
    more = (own_note(info["own"]).strip() + " " + more if info and info["own"] else more).strip()
    others = sorted(set(info["governed"])) if info else []
    more = more.replace("The steps shown only read the repository; a step not shown that writes needs its own grant.",
                        ("The steps of the jobs it governs (" + ", ".join(others[:6]) + ") only read the repository."
                         if info and info["own"] and others else "The workflow's steps only read the repository."))
    m = _WRITE_ALL.search(file_text)
    line = file_text[:m.start()].count("\n") + 1 if m else None
    where = f"{f.path}:{line}" if line else str(f.path)
    first = (f"{where} sets `permissions: write-all`: every job's GITHUB_TOKEN can write to every scope (code, "
             "releases, packages, security events), so one compromised step or action can push to the repository. "
             "Replace it with what the steps need:" if m else
             f"{f.path} has no top-level `permissions` key, so the token gets the repository's default. Set what the "
             "steps need:")
    text = (f"{first}\n```yaml\n{block}\n```\n{more}\n"
            f"Then re-run {f.tool} to confirm {f.rule_id} passes.")
    return text, "config-setting", {"language": language or "yaml", "fix_family": f"config:{f.rule_id}"}


def openapi_global(f: Finding, file_text: str | None, language: str | None) -> tuple[str | None, str, dict]:
    """CKV_OPENAPI_4/5: a global security requirement naming a declared scheme, only when no operation must stay public."""
    if _GENERATED.search(str(f.path or "")):
        return None, (f"{f.path} is a generated spec (swagger-autogen writes it): the security belongs in the "
                      "generator's input or the route annotations, not in this file"), {}
    spec = load_mapping(file_text or f.snippet or "")
    if spec is None or not isinstance(spec.get("paths"), dict):
        return None, "the spec's operations are not known: a global requirement may lock out public operations", {}
    schemes = (spec.get("components") or {}).get("securitySchemes") or spec.get("securityDefinitions") or {}
    if not isinstance(schemes, dict) or not schemes:
        return None, "the spec declares no security scheme: which one the API uses is not in the file", {}
    public = []
    for route, ops in spec["paths"].items():
        for method, op in (ops or {}).items() if isinstance(ops, dict) else ():
            if not isinstance(op, dict):
                continue
            if op.get("security") == [] or _PUBLIC_OP.search(f"{route} {op.get('operationId') or ''}"):
                public.append(f"{str(method).upper()} {route}")
    if public:
        return None, (f"operations that must stay public ({', '.join(public[:4])}) would be locked out by a global "
                      "requirement: set `security` per operation instead"), {}
    name = sorted(schemes)[0] if len(schemes) == 1 else None
    if name is None:
        return None, f"the spec declares {len(schemes)} schemes ({', '.join(sorted(schemes))}): which one applies is a design choice", {}
    lang = "json" if language == "json" else "yaml"
    block = f'"security": [{{"{name}": []}}]' if lang == "json" else f"security:\n  - {name}: []"
    text = (f"Require the scheme the spec declares, `{name}`, on every operation: add at the top level of {f.path}:\n"
            f"```{lang}\n{block}\n```\nThe server must enforce it too: the spec only documents the requirement.\n"
            f"Then re-run {f.tool} to confirm {f.rule_id} passes.")
    return text, "config-setting", {"language": language or lang, "fix_family": f"config:{f.rule_id}"}


def _line_of(text: str, pos: int) -> int:
    return text[:pos].count("\n") + 1


def evidence(f: Finding, file_text: str | None) -> str | None:
    """What the workflow or spec shows for a GHA/OpenAPI finding (a verdict's evidence, not "as reported"), or None."""
    rule = str(f.rule_id)
    permissions = bool(re.match(r"CKV2?_GHA_", rule) and re.search(r"(?i)permission", str(f.title or "")))
    if not file_text:  # what the report itself says, rather than a bare "as reported"
        return (f"{f.tool} found no least-privilege top-level `permissions` in {f.path} (the key is missing or "
                "`write-all`), so every job's GITHUB_TOKEN gets all scopes or the repository's default (read and write on most "
                "scopes in repositories created before February 2023); the workflow's steps, which decide the grants, are "
                "not in the finding") if permissions and f.path else None
    if rule == GHA_INPUTS:
        uses = [(m.group(1), _line_of(file_text, m.start())) for m in _INPUT_USE.finditer(file_text)]
        if not uses:
            return f"{f.path} takes workflow_dispatch inputs that no step reads"
        names = sorted({n for n, _ in uses})
        return (f"{f.path} takes the workflow_dispatch input(s) {', '.join(names)}, which its steps use (line "
                f"{', '.join(str(l) for _, l in uses[:3])}); CKV_GHA_7 is a build-provenance rule, and removing the "
                "inputs would break the workflow")
    if permissions:
        info = jobs(file_text, known)
        if info is None and _JOB_PERMISSIONS.search(file_text):
            return None  # round 37: modoboa's release job's id-token was called a need of the whole workflow
        if info and (info["unknown"] or not info["steps"].strip()):
            return None  # the needs are not known, or every job sets its own: no "its steps need" to state
        block, _ = gha_permissions(info["steps"] if info else file_text)
        needs = ", ".join(l.strip() for l in block.splitlines()[1:])
        m = _WRITE_ALL.search(file_text)
        if m:
            return (f"{f.path}:{_line_of(file_text, m.start())} sets `permissions: write-all`, so every job's token can "
                    f"write to every scope, while its steps need only {needs}")
        if not re.search(r"^permissions:", file_text, re.M):
            return f"{f.path} has no top-level `permissions` key; its steps need {needs}"
        return None
    if rule in OPENAPI_GLOBAL:
        spec = load_mapping(file_text)
        if spec is None:
            return None
        schemes = (spec.get("components") or {}).get("securitySchemes") or spec.get("securityDefinitions") or {}
        ops = [(r, o) for r, v in (spec.get("paths") or {}).items() if isinstance(v, dict) for o in v.values() if isinstance(o, dict)]
        secured = sum(1 for _, o in ops if o.get("security"))
        names = ", ".join(sorted(schemes)) if isinstance(schemes, dict) and schemes else "no scheme"
        return (f"{f.path} declares {names} and no global `security`: {secured} of {len(ops)} operations set their own "
                "requirement, and the rest declare none")
    return None


def handles(f: Finding) -> bool:
    """Is the fix for ``f`` decided here (from the file), not by the catalogue?"""
    rule = str(f.rule_id)
    return rule == GHA_INPUTS or rule in OPENAPI_GLOBAL or bool(
        re.match(r"CKV2?_GHA_", rule) and re.search(r"(?i)permission", str(f.title or "")))


def fix(f: Finding, language: str | None, file_text: str | None) -> tuple[str | None, str, dict] | None:
    """(answer, label, extra) for the rules above, or None where the catalogue path decides."""
    rule = str(f.rule_id)
    if rule == GHA_INPUTS:
        return gha_inputs(f, file_text)
    if rule in OPENAPI_GLOBAL:
        return openapi_global(f, file_text, language)
    if file_text and re.search(r"(?i)permission", str(f.title or "")) and re.match(r"CKV2?_GHA_", rule):
        return gha_permissions_fix(f, file_text, language)
    return None


def own_job_permissions(f: Finding, why: str) -> bool:
    """CKV2_GHA_1 judged moot because every job sets its own block (tasks.triage.workflows.check_job_permissions)."""
    return f.tool == "checkov" and str(f.rule_id).upper() == "CKV2_GHA_1" and why.startswith("every job sets its own")


def default_token_hardening(f: Finding, why: str) -> bool:
    """CKV2_GHA_1 judged least-privilege hardening (tasks.triage.default_token.check_default_token)."""
    return (f.tool == "checkov" and str(f.rule_id).upper() == "CKV2_GHA_1"
            and why.startswith("least-privilege hardening, not an exposed token"))
