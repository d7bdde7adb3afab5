"""A leaked credential: revoke it, purge it from history, read it from the platform's store.

Rotation comes first because removing a pushed secret from the code does not
un-leak it.  How the replacement is read depends on where the secret was
found: ``os.environ`` in Python, ``${{ secrets.X }}`` in a GitHub Actions
workflow, a ``sensitive`` variable in Terraform - never one platform's
idiom in another's file (the review found ``os.environ`` inside ``.tf``).
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from tasks.findings.model import NO_LOCATION, Finding, as_finding
from tasks.fixes.languages import FENCE
from tasks.fixes.projects import demo_project
from tasks.triage.path_class import path_class

# rule id keywords -> (what the credential is, where to revoke it, environment variable name)
_PROVIDERS = [
    (r"aws", "AWS access key", "deactivate and delete the key in IAM (aws iam update-access-key / delete-access-key) "
     "and review CloudTrail for its use", "AWS_ACCESS_KEY_ID"),
    (r"github|\bgh[pousr]_|\bpat\b", "GitHub token", "revoke it under GitHub Settings > Developer settings "
     "(or the organisation's token list) and check the audit log", "GITHUB_TOKEN"),
    (r"gitlab", "GitLab token", "revoke it in GitLab's access token settings", "GITLAB_TOKEN"),
    (r"slack", "Slack token", "revoke it in the Slack app's settings", "SLACK_TOKEN"),
    (r"stripe", "Stripe key", "roll the key in the Stripe dashboard", "STRIPE_API_KEY"),
    (r"mailchimp", "Mailchimp API key", "disable the key in Mailchimp's account API keys page", "MAILCHIMP_API_KEY"),
    (r"google|gcp|firebase", "Google credential", "delete the key in the Google Cloud console (APIs & Services > "
     "Credentials, or the service account's keys)", "GOOGLE_API_KEY"),
    (r"azure", "Azure credential", "regenerate the key or secret in the Azure portal", "AZURE_CLIENT_SECRET"),
    (r"private[-_ ]?key|rsa|dsa|ecdsa|ssh|pk\b|pem", "private key", "replace the key pair and remove the public key "
     "wherever it is trusted (servers, deploy keys, certificates)", None),
    (r"jwt", "JWT signing secret", "change the signing secret (this invalidates issued tokens)", "JWT_SECRET"),
    (r"password|passwd|pwd", "password", "change the password at the service that accepts it", "APP_PASSWORD"),
]


def _provider(finding: Finding) -> tuple[str, str, str | None]:
    key = f"{finding.rule_id} {finding.title}"
    for rx, what, revoke, env in _PROVIDERS:
        if re.search(rx, key, re.I):
            return what, revoke, env
    return "credential", "revoke it at the service that issued it and issue a new one", "API_KEY"


_ASSIGNED = re.compile(r"^\s*(?:\d+\s+)?(?:export\s+|(?:const|let|var|val|final|private|public|static|readonly|String|"
                       r"string|def)\s+)*\$?([A-Za-z_][A-Za-z0-9_]*)\s*(?::\s*[\w\[\]<>]+\s*)?(?:=|:(?!:))")


def variable_of(finding: Finding) -> str | None:
    """The name the code gives the secret (``SECRET_KEY = '...'``), from the flagged line of the snippet; None when
    no whole name is there (a redaction that ate part of it leaves ``JEKYLL_[REDACTED``: no name, not half of one)."""
    lines = (finding.snippet or "").splitlines()
    line = finding.line
    numbered = [re.match(r"^\s*(\d+)\s", l) for l in lines]
    if line and lines and all(numbered):
        lines = [l for l, m in zip(lines, numbered) if int(m.group(1)) == int(line)] or lines
    for text in lines:
        m = _ASSIGNED.match(text)
        value = text[m.end():].lstrip() if m else ""
        if m and value[:1] in "'\"`[" and not re.match(r"^\s*(?:\d+\s+)?(?:export\s+)?[A-Za-z_0-9]*\[REDACTED", text):
            return m.group(1)  # a name given a literal (or its redaction), not a function whose body uses one
    return None


# a keyword argument, dict entry or subscript given a literal: ``password='...'``, ``"password": "..."``, ``config['KEY'] = '...'``
_FIELD = re.compile(r"""(?:\b([A-Za-z_]\w*)\s*=(?!=)|['"]([A-Za-z_]\w*)['"]\s*\]?\s*[:=](?!=))\s*[\w.]*\(?\s*['"]""")
_ACCOUNT = re.compile(r"""\b(?:username|user_name|login|name|email)['"]?\s*[:=]\s*['"]([A-Za-z][\w.-]{0,30})(?:@[\w.-]+)?['"]""")
# the app's own user table being seeded: a model constructor, a create_user helper, an INSERT into users
_SEEDED = re.compile(r"(?i)\b(?:User|Admin|Account|Member)\w*\s*\(|create_(?:super)?user|"
                     r"insert\s+into\s+[\w\"`]*(?:users?|accounts?|members?)\b|set_password\s*\(|register_user")


def _flagged(finding: Finding) -> str:
    """The flagged line of the snippet (numbered or not), or the whole snippet when the line is not found."""
    lines = (finding.snippet or "").splitlines()
    if finding.line:
        hit = [l for l in lines if re.match(rf"^\s*{int(finding.line)}\s", l)]
        if hit:
            return hit[0]
    return "\n".join(lines)


def _snake(name: str) -> str:
    """``apiKey`` -> ``api_Key`` (an environment variable is then API_KEY, not APIKEY)."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", re.sub(r"[^\w]", "_", name))


def field_of(finding: Finding) -> str | None:
    """The field, keyword or key the code gives the literal to (``password`` in ``User(password='...')``)."""
    names = [a or b for a, b in _FIELD.findall(_flagged(finding))]
    secretish = [n for n in names if re.search(r"(?i)pass|secret|key|token|pwd|cred", n)]
    return (secretish or names or [None])[-1]


def seeded_account(finding: Finding) -> tuple[str, str] | None:
    """(account, field) when the literal is the password of an account the app seeds into its own user table -
    a default the app's code creates, not a credential an issuer can revoke."""
    text = _flagged(finding)
    field = field_of(finding) or variable_of(finding) or ""
    account = _ACCOUNT.search(text) or _ACCOUNT.search(finding.snippet or "")
    default_name = account and re.fullmatch(r"(?i)admin\w*|root|test\w*|demo|guest|user\d*|superuser", account.group(1))
    if not re.search(r"(?i)pass(?:word|wd)?\b|pwd", field) or not (_SEEDED.search(finding.snippet or "") or default_name):
        return None
    return (account.group(1) if account else "default"), field


def _read_it(language: str | None, env: str, path: str, name: str | None = None) -> str | None:
    """How this file's language or platform reads a secret at run time (a fenced block), with the code's own
    variable name; a program with no known name gets no block (a made-up ``api_key`` is not this code)."""
    if name:
        env = _snake(name).upper()
    elif language in _CODE_LANGUAGES or language == "shell":
        return None
    var = name or env.lower()
    examples = {
        "python": f'import os\n\n{var} = os.environ["{env}"]',
        "javascript": f"const {var} = process.env.{env};",
        "typescript": f"const {var}: string = process.env.{env} ?? \"\";",
        "java": f'String {var} = System.getenv("{env}");',
        "kotlin": f'val {var} = System.getenv("{env}")',
        "go": f'{var} := os.Getenv("{env}")',
        "csharp": f'var {var} = Environment.GetEnvironmentVariable("{env}");',
        "ruby": f'{var} = ENV.fetch("{env}")',
        "php": f"${var} = getenv('{env}');",
        "shell": f'# keep the value in a file outside the repository (chmod 600), or in your secret manager\n'
                 f'export {env}="$(cat "$HOME/.config/secrets/{env.lower()}")"',
        "terraform": f'variable "{var}" {{\n  type      = string\n  sensitive = true\n}}\n\n'
                     f"# set it outside the code: TF_VAR_{var} in the environment, or your secret manager's data source",
        "github-actions": f"env:\n  {env}: ${{{{ secrets.{env} }}}}",
        "dockerfile": f"# syntax=docker/dockerfile:1\nRUN --mount=type=secret,id={var},env={env} ./use-the-secret.sh",
        "kubernetes": f"env:\n  - name: {env}\n    valueFrom:\n      secretKeyRef:\n        name: app-secrets\n        key: {var}",
    }
    code = examples.get(language or "")
    if code is None:
        return None
    return f"```{FENCE.get(language, '')}\n{code}\n```"


# how each language reads an environment variable, for when the code's own variable name is unknown
_IDIOM = {"python": 'os.environ["{env}"]', "javascript": "process.env.{env}", "typescript": "process.env.{env}",
          "java": 'System.getenv("{env}")', "kotlin": 'System.getenv("{env}")', "go": 'os.Getenv("{env}")',
          "csharp": 'Environment.GetEnvironmentVariable("{env}")', "ruby": 'ENV.fetch("{env}")', "php": "getenv('{env}')",
          "shell": '"${env}"'}

_STORE = {
    "github-actions": "Store the new value as a repository or environment secret (Settings > Secrets and variables > "
                      "Actions) and reference it as shown:",
    "terraform": "Declare it as a sensitive variable and supply it from outside the code:",
    "dockerfile": "Never put it in ENV or ARG (both end up in the image history); pass it as a BuildKit secret at "
                  "build time (`docker build --secret id=...`):",
    "kubernetes": "Keep it in a Kubernetes Secret (created from your secret manager, not committed) and reference it:",
}


# a private key found in one of these is embedded in a program, not a key file to delete
_CODE_LANGUAGES = {"python", "javascript", "typescript", "java", "go", "ruby", "php", "csharp", "kotlin", "c", "cpp",
                   "rust", "scala", "swift"}


# settings files that may embed a key among other settings (Authelia's configuration.yml `jwks: - key: |`)
_CONFIG_SUFFIXES = {".yml", ".yaml", ".json", ".toml", ".ini", ".conf", ".cfg", ".xml", ".properties", ".tf", ".tfvars",
                    ".env", ".hcl"}


def _settings_file(path: str) -> bool:
    """A settings file that holds a key among other settings; not a JSON credential file (a service account's key, a
    JWK set, firebase-adminsdk-*.json), whose every field is the credential (the review of the set-45 change)."""
    p = PurePosixPath(path)
    if p.suffix.lower() == ".json":
        return bool(re.search(r"(?i)settings|config|appsettings|application", p.name)) and not re.search(
            r"(?i)service|account|credential|adminsdk|jwk|key|secret|token", p.name)
    return p.suffix.lower() in _CONFIG_SUFFIXES


def rotation(finding: Finding | dict, language: str | None, fix_family: str = "secret-rotate") -> tuple[str, dict]:
    finding = as_finding(finding)
    loc = finding.location or NO_LOCATION
    path = loc.path or "the file"
    where = f"{path}:{loc.start_line}" if loc.start_line else path
    what, revoke, env = _provider(finding)
    name = variable_of(finding)
    seeded = seeded_account(finding)
    if seeded:  # the environment variable is named after the account and the code's own field
        account, field = seeded
        name = _snake(f"{account}_{field}" if account != "default" and account.lower() not in field.lower() else field).lower()
    elif not name and field_of(finding) and env:
        env = _snake(field_of(finding)).upper()  # the code's own key (``password``), never a made-up API_KEY
    demo = demo_project(finding)
    if seeded:
        return _seeded(seeded[0], where, language, env or "APP_PASSWORD", path, name, demo), {"fix_family": "secret-seeded-account"}
    if demo:
        return _demo(demo, what, where, language, env or "APP_SECRET", path, name), {"fix_family": "secret-in-demo"}
    if path_class(path) == "docs":  # a document's sample output (onionshare's develop.rst transcript: round 41's harm)
        return _in_docs(what, where, path, revoke), {"fix_family": "secret-in-docs"}
    lines = [f"1. Treat the {what} in {where} as compromised: {revoke}."]
    if env is None and language in _CODE_LANGUAGES:  # a key embedded in source code: the module stays, the key goes
        lines.append(f"2. Do not delete {path}: it is code the application needs. Remove the key literal from it, load "
                     "the key at run time from a file or secret the deployment provides (outside the repository), and "
                     "purge the old value from history (`git filter-repo --replace-text replacements.txt`).")
        lines.append("3. Keep the new key in your secret manager or the platform's secret store, mounted as a file "
                     "at run time.")
        return "\n".join(lines), {"fix_family": "secret-key-in-code"}
    if env is None and _settings_file(path):  # a key inside settings (round 49)
        lines.append(f"2. Do not delete {path}: it holds the service's other settings. Replace the key block in it with "
                     "a reference to a key file the deployment mounts (or the setting's environment-variable form), "
                     "and purge the old key from history (`git filter-repo --replace-text replacements.txt`).")
        lines.append("3. Keep the new key in your secret manager or the platform's secret store, mounted as a file at "
                     "run time.")
        return "\n".join(lines), {"fix_family": "secret-key-in-config"}
    if env is None:  # a key file: the file itself must go
        lines.append(f"2. Delete {path} from the repository, add it to .gitignore, and purge it from history: "
                     f"`git filter-repo --invert-paths --path {path}` (then force-push and have clones re-cloned).")
        lines.append("3. Keep the new key outside the repository: your secret manager or the deployment platform's "
                     "secret store, mounted as a file at run time.")
        return "\n".join(lines), {"fix_family": "secret-key-file"}
    if re.search(r"\.tfstate(?:\.backup)?$", path):
        lines.append(f"2. Terraform state holds every secret of the resources it manages: stop committing it. Purge "
                     f"{path} from history (`git filter-repo --invert-paths --path {path}`), add `*.tfstate*` to "
                     ".gitignore and keep state in an encrypted remote backend (S3 with encryption and locking, "
                     "Terraform Cloud).")
        return "\n".join(lines), {"fix_family": "secret-in-state"}
    lines.append("2. Remove the literal from the file and purge it from history (`git filter-repo --replace-text "
                 "replacements.txt`, listing the old value), then force-push; rotation matters more than the purge.")
    block = _read_it(language, env, path, name)
    if block:
        intro = _STORE.get(language or "", "3. Read the new value at run time from the environment (filled from your "
                                              "secret manager or CI secret store) instead of the source:")
        if not intro.startswith("3."):
            intro = "3. " + intro
        lines += [intro, block]
    elif _IDIOM.get(language or ""):
        lines.append(f"3. Keep the new value in your secret manager or the CI/CD secret store and read it at run time "
                     f"with `{_IDIOM[language].format(env=env)}` where the code now holds the literal.")
    elif PurePosixPath(path).name.startswith(".env"):
        lines.append(f"3. {path} is a local environment file: add it to .gitignore (commit a `.env.example` with "
                     f"empty values instead) and fill {env} from your secret manager on each machine.")
    else:
        lines.append(f"3. Keep the new value in your secret manager or the CI/CD secret store and inject it at run time "
                     f"(for example as the environment variable {env}); {path} should hold no credential.")
    return "\n".join(lines), {"fix_family": fix_family}


def _in_docs(what: str, where: str, path: str, revoke: str) -> str:
    """A value in documentation: usually sample output or a made-up example; nothing runs with it, so the fix is the
    text, and revoking only applies when it turns out to be live."""
    return (f"1. Check whether the {what} in {where} is live: documentation usually shows sample output (a one-off "
            "session's key, a made-up example), which opens nothing.\n"
            f"2. If it was live: {revoke}, replace it in {path} with a placeholder (`<your-key>`) and purge the old "
            "value from history (`git filter-repo --replace-text replacements.txt`).\n"
            "3. If it is a made-up example that the page's steps use (a password the text names, a hash of it, a "
            "sample the reader runs), keep it: replacing it breaks the example; record it as a documented sample "
            "where the scanner's findings are reviewed.")


def _demo(project: str, what: str, where: str, language: str | None, env: str, path: str, name: str | None) -> str:
    """A deliberately vulnerable application's secret: part of the exercise, public in every clone - no incident,
    nothing to revoke; what a demo needs is its own value per deployment and a clear label."""
    text = (f"{where} belongs to {project}, a deliberately vulnerable application: this {what} is part of the "
            "exercise and public in every clone of the project, not a leak: there is no incident to handle and nothing "
            "to invalidate.")
    block = _read_it(language, env, path, name)
    if block:
        text += (f"\nIf the app runs anywhere shared, give each deployment its own value from the environment instead "
                 f"of the committed one:\n{block}")
    else:
        text += ("\nIf the app runs anywhere shared, give each deployment its own value from the environment or a "
                 "mounted secret instead of the committed one.")
    return text + ("\nKeep the repository marked as intentionally vulnerable (README, repository description), never "
                   "deploy it where untrusted users reach it, and never reuse this value in a real system.")


def _seeded(account: str, where: str, language: str | None, env: str, path: str, name: str, demo: str | None) -> str:
    """A default account's password that the app seeds into its own user table: nothing outside the app issued it,
    so nothing can be revoked and rewriting history achieves nothing (every clone has it); what matters is that
    no deployment keeps it."""
    who = f"the `{account}` account" if account != "default" else "a default account"
    text = ((f"{where} belongs to {demo}, a deliberately vulnerable application. " if demo else "")
            + f"{where} seeds {who} of the application's own user table with a fixed password: no outside service "
            "issued it, so there is nothing to revoke and no history to rewrite; the risk is a deployment that keeps it. "
            "Change the default account's password at deployment: read it from configuration when the account is "
            "created (and refuse to create the account when it is not set), and change the password of that account "
            "wherever the app already runs.")
    block = _read_it(language, env, path, name)
    return text + (f"\n{block}" if block else f" Read it from the environment variable {name.upper()}.")
