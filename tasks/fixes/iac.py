"""Config checks (Checkov, Trivy misconfigurations, ZAP): the setting to change, where.

A config finding always has a fix - a setting - so "no fix is published"
is never the answer here (the review found it for a GitHub Actions
permissions check).  The setting comes from the check's own resolution text
(Trivy ``Resolution``, ZAP ``solution``); Checkov's JSON carries only a
guideline link, so its common checks are listed here with the attribute to
set, and used only when the report's title agrees with the entry (the
Checkov id space is reused across versions).
"""

from __future__ import annotations

import re

from tasks.findings.model import NO_LOCATION, Finding, as_finding
from tasks.fixes.checkov import CAVEATS, CHECKS as _CHECKOV, EXTRA, KEEP_IF_PRESENT, LEADS
from tasks.fixes.checkov_facts import adduser, base_image, fit, k8s_additions
from tasks.fixes.iac_file import after_build_steps, caveat, from_file, ingress_rule, wider_than
from tasks.fixes.iac_module import SNAPSHOT_KEY, existing_resource, passthrough, snapshot_of, variable
from tasks.fixes.languages import FENCE
from tasks.fixes.image_writes import as_built, read_only
from tasks.fixes.workload import _USER_BOUND as _USER_SETTING
from tasks.fixes.workload import K8S_CAVEATS, checkov_harden, gate, k8s_note, with_user

_SET_TO = re.compile(r"^(?:Set|Change)\s+'(?:set\s+)?([\w.\[\]-]+)'\s+to\s+'?([\w.-]+)'?\.?$", re.I)
_ADD_TO = re.compile(r"^Add\s+'([^']+)'\s+to\s+([\w.\[\]-]+)\.?$", re.I)
_LIMIT = re.compile(r"^Set a (?:limit|request) value under\s+'([\w.\[\]-]+)'\.?$", re.I)
_CONTAINER = re.compile(r"Container '([\w.-]+)' of (\w+) '([\w.-]+)'")
_RESOURCE = re.compile(r"\(resource ((?:[^,()]|\([^()]*\))+)(?:, framework (\w+))?\)")  # "on(CI)" keeps its ")"


def _squash(text: str) -> str:
    """Lower-case letters and digits only: "allowPrivilegeEscalation" contains "privilege escalation"."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _yaml_path(dotted: str, value: str, container: str | None) -> str:
    """``containers[].securityContext.runAsNonRoot`` + ``true`` -> the nested YAML to add."""
    parts = dotted.strip(".").split(".")  # "... to capabilities.drop." ends the sentence, not the path
    out, indent = [], 0
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if part.endswith("[]"):
            out.append(" " * indent + f"{part[:-2]}:")
            out.append(" " * (indent + 2) + f"- name: {container or '<container>'}")
            indent += 4
            continue
        out.append(" " * indent + (f"{part}: {value}" if last else f"{part}:"))
        indent += 2
    return "\n".join(out)


def _block(lang: str, text: str) -> str:
    return f"```{FENCE.get(lang, lang)}\n{text}\n```"


# Trivy's cluster scans name a resource, not a file: "namespace/Kind/name"
_K8S_RESOURCE = re.compile(r"^(?:(?P<ns>[a-z0-9][a-z0-9.-]*)/)?(?P<kind>[A-Z][A-Za-z]+)/(?P<name>[a-z0-9][a-z0-9.-]*)$")
# where the pod template sits in each workload kind
_POD_SPEC = {"Pod": ["spec"], "Deployment": ["spec", "template", "spec"], "StatefulSet": ["spec", "template", "spec"],
             "DaemonSet": ["spec", "template", "spec"], "ReplicaSet": ["spec", "template", "spec"],
             "Job": ["spec", "template", "spec"], "CronJob": ["spec", "jobTemplate", "spec", "template", "spec"]}


def k8s_resource(f: Finding | dict) -> dict | None:
    """{"namespace", "kind", "name"} when the finding's location is a cluster resource Trivy names."""
    f = as_finding(f)
    m = _K8S_RESOURCE.match(str(f.path or ""))
    return m.groupdict() if m else None


def _in_manifest(resource: dict, body: str) -> str | None:
    """``body`` (a pod-spec path) placed in the resource's own manifest, so the kind and name are the scanner's."""
    prefix = _POD_SPEC.get(resource["kind"])
    if prefix is None:
        return None  # a Role, a Service ...: no pod spec to put it in
    head = [f"kind: {resource['kind']}", "metadata:", f"  name: {resource['name']}"]
    head += [f"  namespace: {resource['ns']}"] if resource.get("ns") else []
    lines, indent = [], 0
    for part in prefix:
        lines.append(" " * indent + f"{part}:")
        indent += 2
    return "\n".join(head + lines + [" " * indent + l for l in body.splitlines()])


def _where(f: Finding) -> str:
    loc = f.location or NO_LOCATION
    path = loc.path
    if not path or path == "file_path":
        return ""
    resource = k8s_resource(f)
    if resource:
        return f"the {resource['kind']} {resource['name']}" + (f" (namespace {resource['ns']})" if resource.get("ns") else "")
    span = f":{loc.start_line}" + (f"-{loc.end_line}" if loc.end_line and loc.end_line != loc.start_line else "") \
        if loc.start_line else ""
    return f"{path}{span}"


_TERRAFORM_FILE = re.compile(r"\.(?:tf|tf\.json|hcl)$", re.I)


def _same_language(entry_lang: str, language: str | None, f: Finding) -> bool:
    """Whether a catalogue block in ``entry_lang`` can go into the finding's file."""
    if entry_lang == "terraform":  # Checkov's own "framework terraform" counts where its path is a placeholder
        framework = (_RESOURCE.search(f.description or "") or [None, None, None])[2]
        return language in ("terraform", "hcl") or bool(_TERRAFORM_FILE.search(str(f.location.path or ""))) \
            or (framework == "terraform" and not language)
    if entry_lang == "kubernetes":
        return language in ("kubernetes", "yaml", None)
    return True


KUSTOMIZE = ("Kustomize renders the resource from a base or patch file the finding does not name "
             "(it names kustomization.yaml): the setting belongs in that manifest")


def config_fix(f: Finding | dict, language: str | None, code: dict | None = None) -> tuple[str | None, str, dict]:
    """(answer, label, meta) for a Checkov / Trivy / other config check; ``code["file"]``: tasks.fixes.iac_file."""
    f = as_finding(f)
    if re.search(r"(?:^|/)kustomization\.ya?ml$", str((f.location or NO_LOCATION).path or ""), re.I):
        return None, KUSTOMIZE, {"language": language}  # Checkov names the kustomization, not the file to change
    where = _where(f)
    resource = (_RESOURCE.search(f.description or "") or [None, None])[1]
    at = " in " + where if where else ""
    res = f" (resource {resource})" if resource and not resource.startswith("/") else ""
    workflow = re.fullmatch(r"on\((.+)\)", resource or "")  # Checkov names a workflow's trigger block after the workflow
    res = f" (workflow {workflow.group(1)})" if workflow else res
    entry = _CHECKOV.get(str(f.rule_id))
    if entry and not _same_language(entry[1], language, f):  # a Terraform setting for a CloudFormation template
        entry = None  # Checkov runs one check id on Terraform, CloudFormation and ARM: the catalogue speaks Terraform
    if entry and _squash(entry[0]) in _squash(str(f.title or "")):
        words, lang, setting, why = entry
        other = from_file(str(f.rule_id), resource, (code or {}).get("file"), f)  # the resource that holds the setting
        if other and ("answer" in other or "why" in other):  # port 80 kept and redirected; a bucket's own block turned on
            return other.get("answer"), other.get("why", "config-setting"), {"language": language, "fix_family": f"config:{f.rule_id}"}
        if other:
            resource, where, res, at = other["resource"], other["where"], other["res"], " in " + other["where"]
        whole = (code or {}).get("file") if not (f.snippet or "").strip() and lang == "dockerfile" else None  # Checkov
        fitted = fit(str(f.rule_id), resource, other["snippet"] if other else whole or f.snippet, lang, setting)  # quotes
        # no block for a rule on the whole Dockerfile (CKV_DOCKER_3): its FROM is read from the file (round 46)
        placed = ingress_rule(str(f.rule_id), f, at, fitted)  # the one internet-open rule of a group, or why none
        if isinstance(placed, str):
            return None, placed, {"language": language}
        setting, note, at = placed
        if str(f.rule_id) == "CKV_DOCKER_8":  # `USER root` then build steps: the non-root USER goes after them
            at = after_build_steps((code or {}).get("file"), (f.location or NO_LOCATION).start_line, f.path) or at
        manifest, built = as_built(f.snippet, (code or {}).get("built"))  # the repository's own postgres-based image
        refused, first, setting, note = checkov_harden(lang, setting, note, manifest, resource, (code or {}).get("start"))
        if built and lang == "kubernetes" and not refused and _USER_SETTING.search(setting) and "NET_RAW" not in setting:
            note = built + (" " + note if note else "")
        warn = CAVEATS.get(str(f.rule_id))
        if not refused and str(f.rule_id) == "CKV_K8S_22" and setting.startswith("containers:"):
            refused, setting, warn = read_only(setting, manifest, (code or {}).get("built"))
        if refused:
            return None, refused, {"language": language}
        if lang == "dockerfile" and re.fullmatch(r"USER\s+\S+", setting.strip()) and "create an unprivileged user" in why:
            why = "switch to the image's own unprivileged user before the entrypoint"  # no user is created (set 29)
        if lang == "yaml" and language == "json":
            import json

            import yaml

            lang, setting = "json", json.dumps(yaml.safe_load(setting), indent=2)
        present = KEEP_IF_PRESENT.get(str(f.rule_id))
        if present and re.search(rf"^\s*{present}\s*=", f.snippet or "", re.M):
            return None, f"{present} is already set: the check fails for another reason", {"language": language}
        module = (code or {}).get("module")
        snap = snapshot_of(resource, f.path, (code or {}).get("file"), module) if str(f.rule_id) == "CKV_AWS_16" else None
        if snap:  # the default key would stop the snapshot's share: which key fits depends on who receives it
            return None, SNAPSHOT_KEY.format(snap=snap), {"language": language}
        clash = existing_resource(str(f.rule_id), setting, resource, f.path, (code or {}).get("file"), module)
        if clash:  # the module declares that resource already: its input is the fix, or there is none to write
            return clash[0], "config-setting" if clash[0] else clash[1], {"language": language, "fix_family": f"config:{f.rule_id}"}
        through = passthrough(setting, f.snippet, f.path, module) if lang == "terraform" else None
        if through:  # `x = var.x` in a reusable module: the caller's input, never a literal over it
            return through + f"\nThen re-run {f.tool} to confirm {f.rule_id} passes.", "config-setting", \
                {"language": language or lang, "fix_family": f"config:{f.rule_id}"}
        resolved = variable(str(f.rule_id), setting, EXTRA.get(str(f.rule_id)), resource, f.path, (code or {}).get("file"), module)
        if isinstance(resolved, str):
            return None, resolved, {"language": language}
        setting, extra = resolved
        name = (resource or "").split(".")[-1]
        lead = LEADS.get(str(f.rule_id), "")  # a decision that comes before the setting (a public web port)
        wide = wider_than(f.snippet, 80) if str(f.rule_id) == "CKV_AWS_260" else None
        if wide:  # "keep the rule" is for port 80 alone; 0-65535 opens SSH, RDP and every other port too
            lead, note = "", (f"The rule opens ports {wide} to everyone, not only port 80: a web server needs 80 and "
                              "443, so replace the range with rules for the ports the host serves. " + note).strip()
        from tasks.fixes.iac_diff import setting_diff
        from tasks.fixes.patches import fence

        patch = setting_diff(f, setting, code) if lang == "terraform" else None  # placed in the flagged block
        shown = fence(patch[0]).rstrip("\n") if patch else _block(lang, setting)
        text = (first + ("\n" if first else "") + lead + (" " if lead else "") + f"{'T' if not lead else 't'}o {why}, set this{at}{res}:\n{shown}\n"
                + (f"{extra[0]}\n{_block(lang, extra[1].replace('{name}', name))}\n" if extra else "")
                + (note + "\n" if note else "")
                + caveat(str(f.rule_id), warn, (code or {}).get("file"), (_RESOURCE.search(f.description or "") or [None, None])[1])
                + f"Then re-run {f.tool} to confirm {f.rule_id} passes.")
        return text, "config-setting", {"language": language or lang, "fix_family": f"config:{f.rule_id}"} | (
            {"has_diff": True, "code": patch[1].as_meta()} if patch else {})
    hint = (f.fix_hint or "").strip()
    if hint and not re.match(r"^https?://\S+$", hint):
        hint = re.sub(r"'USER\s*'", "a USER", hint)  # Trivy's "'USER <non root user name>'" loses its <...> in parsing
        manifest, _ = as_built(f.snippet, (code or {}).get("built"))
        why, facts = gate(hint, manifest, language, (k8s_resource(f) or {}).get("name"), f.path, (code or {}).get("start"))
        if why:
            return None, why, {"language": language}
        text = (f"In {where}{res}: " if where else f"For{res}: " if res else "") + hint.rstrip(".") + "."
        text = (facts.get("first") + "\n" if facts.get("first") else "") + text
        block = _concrete(f, hint, language, facts)
        if block:
            text += "\n" + block
        return text, "config-setting", {"language": language, "fix_family": f"config:{f.rule_id}"}
    return None, "config check without a concrete setting", {"language": language}


def _concrete(f: Finding, hint: str, language: str | None, facts: dict) -> str | None:
    """A block for the resolution text when its shape is known (Kubernetes paths, Dockerfile USER)."""
    m_c = _CONTAINER.search(f.description or "")
    container = m_c.group(1) if m_c else None
    if language == "kubernetes":
        body = None
        m, m_add, m_limit = _SET_TO.match(hint), _ADD_TO.match(hint), _LIMIT.match(hint)
        if m:
            value = m.group(2).strip().rstrip(".").strip("'\"")  # "to true." in the resolution text is the boolean true
            body = _yaml_path(m.group(1), value.lower() if value.lower() in ("true", "false") else value, container)
        elif m_add:
            body = _yaml_path(m_add.group(2), f"[\"{m_add.group(1)}\"]", container)
        elif m_limit:
            value = '"500m"' if m_limit.group(1).endswith("cpu") else '"256Mi"'
            body = _yaml_path(m_limit.group(1), value, container) + "  # size it to the workload"
        mounts, volumes, note = k8s_additions(str(f.rule_id), f.snippet)
        if body and body.lstrip().startswith("containers:"):
            body = with_user(facts, hint, body, 6)
            if mounts:
                body += "\n" + "\n".join(" " * 4 + l for l in mounts.splitlines()) + "\n" + volumes
        resource = k8s_resource(f)
        if body and resource and body.lstrip().startswith("containers:"):
            placed = _in_manifest(resource, body)
            if placed is None:
                return None  # a container setting for a resource without containers: the check is about something else
            body = placed
        if body:
            return _block("kubernetes", body) + (note or K8S_CAVEATS.get(str(f.rule_id), "")) + k8s_note(facts, hint)
    if language == "dockerfile" and re.search(r"\bUSER\b", hint):
        block, note = adduser(base_image(f.snippet or ""))
        return _block("dockerfile", block) + "\n" + note
    return None


# ZAP alert id -> the response header or cookie attribute that fixes it
