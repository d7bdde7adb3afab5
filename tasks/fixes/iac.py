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
from tasks.fixes.iac_file import caveat, from_file, ingress_rule
from tasks.fixes.languages import FENCE
from tasks.fixes.patterns.prose import PROSE
from tasks.fixes.workload import K8S_CAVEATS, checkov_harden, gate, k8s_note, with_user
from tasks.fixes.web_servers import NO_ACTION, generic, server_fix, third_party_scripts

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
        fitted = fit(str(f.rule_id), resource, other["snippet"] if other else f.snippet, lang, setting)
        placed = ingress_rule(str(f.rule_id), f, at, fitted)  # the one internet-open rule of a group, or why none
        if isinstance(placed, str):
            return None, placed, {"language": language}
        setting, note, at = placed
        refused, first, setting, note = checkov_harden(lang, setting, note, f.snippet, resource)
        if refused:
            return None, refused, {"language": language}
        if lang == "yaml" and language == "json":
            import json

            import yaml

            lang, setting = "json", json.dumps(yaml.safe_load(setting), indent=2)
        present = KEEP_IF_PRESENT.get(str(f.rule_id))
        if present and re.search(rf"^\s*{present}\s*=", f.snippet or "", re.M):
            return None, f"{present} is already set: the check fails for another reason", {"language": language}
        extra = EXTRA.get(str(f.rule_id))
        name = (resource or "").split(".")[-1]
        lead = LEADS.get(str(f.rule_id), "")  # a decision that comes before the setting (a public web port)
        text = (first + ("\n" if first else "") + lead + (" " if lead else "") + f"{'T' if not lead else 't'}o {why}, set this{at}{res}:\n{_block(lang, setting)}\n"
                + (f"{extra[0]}\n{_block(lang, extra[1].replace('{name}', name))}\n" if extra else "")
                + (note + "\n" if note else "")
                + caveat(str(f.rule_id), CAVEATS.get(str(f.rule_id)), (code or {}).get("file"), (_RESOURCE.search(f.description or "") or [None, None])[1])
                + f"Then re-run {f.tool} to confirm {f.rule_id} passes.")
        return text, "config-setting", {"language": language or lang, "fix_family": f"config:{f.rule_id}"}
    hint = (f.fix_hint or "").strip()
    if hint and not re.match(r"^https?://\S+$", hint):
        hint = re.sub(r"'USER\s*'", "a USER", hint)  # Trivy's "'USER <non root user name>'" loses its <...> in parsing
        why, facts = gate(hint, f.snippet, language, (k8s_resource(f) or {}).get("name"), f.path)
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
_ZAP_HEADERS = {
    "10020": "X-Frame-Options: DENY\nContent-Security-Policy: frame-ancestors 'none'",
    "10021": "X-Content-Type-Options: nosniff",
    "10035": "Strict-Transport-Security: max-age=31536000; includeSubDomains",
    "10038": "Content-Security-Policy: default-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'",
    "10063": "Permissions-Policy: geolocation=(), camera=(), microphone=()",
    "10015": "Cache-Control: no-store",
    "10049": "Cache-Control: no-store",
}
# cookie attribute alerts: (attribute, what it changes for the site)
_COOKIE_FLAGS = {
    "10010": ("HttpOnly", "Only for cookies no script of the site reads (session and auth cookies): a cookie the page's "
                          "JavaScript reads stops working with HttpOnly."),
    "10011": ("Secure", "The browser then sends it only over HTTPS: a page still served over plain HTTP loses it."),
    "10054": ("SameSite=Lax", "Lax still sends it on top-level navigation; a cookie that cross-site requests or embeds "
                              "need (a payment or SSO flow) needs SameSite=None; Secure instead."),
}
_OBSOLETE_CSP = re.compile(r",? to achieve optimal browser support: .*?(?:Safari 6\+\.|$)", re.S)
_CSP_MISSING = re.compile(r"The directive\(s\): ([\w\-, ]+?) (?:is|are) among the directives that do not fallback")
_CSP_DEFAULTS = {"frame-ancestors": "'none'", "form-action": "'self'", "base-uri": "'self'"}
# X-XSS-Protection is deprecated (browsers removed the filter; OWASP now advises "0" or omitting it)
_OBSOLETE = {"10016"}
_INJECTION = {"xss", "sql-injection", "command-injection", "path-traversal", "open-redirect", "csrf", "ssrf",
              "code-injection", "ldap-injection", "xxe"}
_INFORMATIONAL = re.compile(r"informational alert|no changes are required|nothing to fix", re.I)


def web_fix(f: Finding | dict, family: str | None = None) -> tuple[str | None, str, dict]:
    """ZAP and other DAST findings: the header/cookie setting or the alert's solution, on the URLs seen.

    Injection alerts (XSS, SQL injection, ...) carry CWE boilerplate as their solution; they get the
    family's precise prose instead, since the server's language is unknown from a DAST scan."""
    f = as_finding(f)
    hint = (f.fix_hint or "").strip()
    if str(f.rule_id) in _OBSOLETE:
        return None, "obsolete check", {}
    if not hint or _INFORMATIONAL.search(hint):
        return None, "informational alert, nothing to fix", {}
    instances = f.instances or []
    uris = list(dict.fromkeys(i.get("uri") for i in instances if i.get("uri")))[:3]
    params = list(dict.fromkeys(i.get("param") for i in instances if i.get("param")))[:3]
    seen = f" Seen on {', '.join(uris)}" + (f" (parameter {', '.join(params)})" if params else "") + "." if uris else ""
    if str(f.rule_id) in _COOKIE_FLAGS:
        if not params:
            return None, "the cookie is not named in the report", {}
        flag, caveat = _COOKIE_FLAGS[str(f.rule_id)]
        text = (f"Set the {flag} attribute where the server sets the cookie{'s' if len(params) > 1 else ''} "
                f"{', '.join(params)}{' (' + ', '.join(uris) + ')' if uris else ''}: its Set-Cookie header then ends in "
                f"`; {flag}`. {caveat}")
        return text, "config-setting", {"fix_family": f"header:{f.rule_id}"}
    if str(f.rule_id) in NO_ACTION:
        return None, NO_ACTION[str(f.rule_id)], {}
    evidence = [str(i.get("evidence") or "") for i in instances] + [f.snippet or ""]
    named = server_fix(str(f.rule_id), [e for e in evidence if e], seen)
    if str(f.rule_id) == "10017":
        named = third_party_scripts(evidence, seen)
        if not named:
            return None, "third-party scripts without a version to pin: no change can be named", {}
    if named:
        return named, "config-setting", {"fix_family": f"web:{f.rule_id}"}
    header = _ZAP_HEADERS.get(str(f.rule_id))
    missing = _CSP_MISSING.search(f.description or "") if str(f.rule_id) == "10055" else None
    if missing and f.snippet:  # the policy is sent; it lacks directives that do not fall back to default-src
        names = [n.strip() for n in missing.group(1).split(",") if n.strip() in _CSP_DEFAULTS]
        if names:
            policy = f.snippet.strip().rstrip(";") + "; " + "; ".join(f"{n} {_CSP_DEFAULTS[n]}" for n in names)
            text = (f"The policy is sent but lacks {', '.join(names)}, which do not fall back to default-src.{seen}\n"
                    f"Add them to the Content-Security-Policy the server sends:\n```text\nContent-Security-Policy: {policy}\n```")
            return text, "config-setting", {"fix_family": "header:10055"}
    # a DAST scan does not know the server's language: ZAP's "use JSP/ASP/PHP comments" fits few of the sites it scans
    hint = " ".join(s for s in re.split(r"(?<=\.)\s+", hint) if not re.search(r"\bJSP/ASP/PHP\b", s)).strip() or hint
    solution = hint if len(hint) <= 600 else hint[:600].rsplit(". ", 1)[0] + "."
    if family in _INJECTION and family in PROSE and not header:
        text = f"{f.title}.{seen}\nFix in the server code: {PROSE[family]}"
        return text, "pattern", {"fix_family": family}
    if header:
        solution = _OBSOLETE_CSP.sub("", solution).strip()
        solution += "" if solution.endswith((".", "!")) else "."
        text = (f"{solution}{seen}\nConfigure the web server, reverse proxy or the framework's response middleware "
                f"to send:\n```text\n{header}\n```")
        if str(f.rule_id) == "10038":
            text += ("\nThis policy blocks inline scripts and event handlers (onclick=...) and scripts from other origins: "
                     "send it first as Content-Security-Policy-Report-Only, fix what it reports, then enforce it.")
        return text, "config-setting", {"fix_family": f"header:{f.rule_id}"}
    if generic(solution):
        return None, "the alert's solution names no setting and its evidence no server software", {}
    return f"{solution}{seen}", "config-setting", {"fix_family": f"web:{f.rule_id}"}
