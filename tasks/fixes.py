"""Stage-2 targets: a concrete fix for a finding, or the reason there is none.

Only findings with a real fix source become code-fix examples: a fixed
version of a package, a fix the scanner itself proposes (Semgrep ``fix``,
SARIF ``fixes``), a concrete resolution text (Trivy, ZAP), or a known
mitigation pattern for the finding's CWE.  A guideline link alone is not a
fix and is dropped.
"""

from __future__ import annotations

import re

# ecosystem (as the scanners spell it, lower-cased) -> (manifest, line template, command template)
_MANIFESTS = {
    "npm": ("package.json", '"{name}": "^{fixed}"', "npm install {name}@{fixed}"),
    "node-pkg": ("package.json", '"{name}": "^{fixed}"', "npm install {name}@{fixed}"),
    "pypi": ("requirements.txt", "{name}>={fixed}", "pip install '{name}>={fixed}'"),
    "pip": ("requirements.txt", "{name}>={fixed}", "pip install '{name}>={fixed}'"),
    "python": ("requirements.txt", "{name}>={fixed}", "pip install '{name}>={fixed}'"),
    "python-pkg": ("requirements.txt", "{name}>={fixed}", "pip install '{name}>={fixed}'"),
    "go": ("go.mod", "require {name} v{fixed}", "go get {name}@v{fixed}"),
    "gomod": ("go.mod", "require {name} v{fixed}", "go get {name}@v{fixed}"),
    "go-module": ("go.mod", "require {name} v{fixed}", "go get {name}@v{fixed}"),
    "maven": ("pom.xml", "<artifactId>{name}</artifactId><version>{fixed}</version>", "mvn versions:use-dep-version -Dincludes=*:{name} -DdepVersion={fixed}"),
    "java-archive": ("pom.xml", "<artifactId>{name}</artifactId><version>{fixed}</version>", "mvn versions:use-dep-version -Dincludes=*:{name} -DdepVersion={fixed}"),
    "jar": ("pom.xml", "<artifactId>{name}</artifactId><version>{fixed}</version>", "mvn versions:use-dep-version -Dincludes=*:{name} -DdepVersion={fixed}"),
    "crates.io": ("Cargo.toml", '{name} = "{fixed}"', "cargo update -p {name} --precise {fixed}"),
    "cargo": ("Cargo.toml", '{name} = "{fixed}"', "cargo update -p {name} --precise {fixed}"),
    "rubygems": ("Gemfile", "gem '{name}', '>= {fixed}'", "bundle update {name}"),
    "gem": ("Gemfile", "gem '{name}', '>= {fixed}'", "bundle update {name}"),
    "deb": ("Dockerfile", "RUN apt-get update && apt-get install -y --only-upgrade {name}={fixed}", "apt-get install --only-upgrade {name}={fixed}"),
    "debian": ("Dockerfile", "RUN apt-get update && apt-get install -y --only-upgrade {name}={fixed}", "apt-get install --only-upgrade {name}={fixed}"),
    "apk": ("Dockerfile", "RUN apk add --no-cache --upgrade '{name}>={fixed}'", "apk upgrade {name}"),
    "alpine": ("Dockerfile", "RUN apk add --no-cache --upgrade '{name}>={fixed}'", "apk upgrade {name}"),
    "rpm": ("Dockerfile", "RUN dnf upgrade -y {name}-{fixed}", "dnf upgrade {name}-{fixed}"),
    "nuget": ("*.csproj", '<PackageReference Include="{name}" Version="{fixed}" />', "dotnet add package {name} --version {fixed}"),
    "packagist": ("composer.json", '"{name}": "^{fixed}"', "composer require {name}:^{fixed}"),
    "composer": ("composer.json", '"{name}": "^{fixed}"', "composer require {name}:^{fixed}"),
}

# CWE -> a concrete, language-neutral mitigation pattern (used when the scanner proposes no fix)
PATTERNS = {
    "CWE-89": "Build the query with bound parameters (prepared statement / parameterised query) instead of string concatenation or formatting, e.g. cursor.execute(\"SELECT * FROM t WHERE id = %s\", (user_id,)).",
    "CWE-78": "Do not pass a command string through a shell: call the program with an argument list (subprocess.run([\"prog\", arg], shell=False)) and validate arguments against an allowlist.",
    "CWE-77": "Do not build commands from input: call the program with an argument list and validate arguments against an allowlist.",
    "CWE-79": "Encode output for its context (HTML-escape with the template engine's autoescaping) and never insert untrusted data as raw HTML.",
    "CWE-22": "Resolve the path, then check it stays inside the allowed base directory (os.path.realpath(p).startswith(base + os.sep)) before opening it.",
    "CWE-502": "Never deserialize untrusted data with a code-executing loader: use yaml.safe_load / json instead of pickle or yaml.load.",
    "CWE-798": "Remove the hard-coded credential, revoke it, and read it at run time from the environment or a vault (e.g. os.environ[\"API_TOKEN\"]).",
    "CWE-259": "Remove the hard-coded password, rotate it, and read it from the environment or a vault.",
    "CWE-327": "Replace the broken algorithm with a current one: AES-GCM for encryption, SHA-256 or better for hashing, and an authenticated mode instead of ECB/CBC without MAC.",
    "CWE-328": "Use a strong hash (SHA-256 or better; bcrypt/scrypt/argon2 for passwords) instead of MD5 or SHA-1.",
    "CWE-326": "Use keys of adequate length (RSA >= 2048 bits, AES-128 or more) and current algorithms.",
    "CWE-295": "Keep TLS certificate verification on (verify=True / default SSL context); never disable hostname checking.",
    "CWE-330": "Use a cryptographically secure generator (the secrets module / SecureRandom) for tokens, keys and nonces.",
    "CWE-338": "Use a cryptographically secure generator (the secrets module / SecureRandom) instead of random().",
    "CWE-611": "Parse XML with external entities and DTDs disabled (defusedxml, or the parser's secure-processing feature).",
    "CWE-703": "Replace assert-based checks with explicit if/raise, since asserts are removed under optimisation.",
    "CWE-605": "Bind the service to a specific interface (127.0.0.1 or a configured address) instead of 0.0.0.0.",
    "CWE-377": "Create temporary files with tempfile.mkstemp/NamedTemporaryFile instead of predictable names in /tmp.",
    "CWE-94": "Never evaluate input as code: replace eval/exec with a parser for the expected data (e.g. ast.literal_eval or json).",
    "CWE-95": "Never evaluate input as code: replace eval/exec with a parser for the expected data (e.g. ast.literal_eval or json).",
    "CWE-614": "Set the Secure flag (and HttpOnly, SameSite) on session cookies.",
    "CWE-1004": "Set the HttpOnly flag on cookies that scripts do not need to read.",
    "CWE-693": "Send the missing security header (e.g. Content-Security-Policy, X-Content-Type-Options: nosniff) from the web server or framework middleware.",
    "CWE-319": "Serve and call the endpoint over HTTPS only and redirect plain HTTP.",
    "CWE-250": "Run the process or container as an unprivileged user (USER in the Dockerfile, runAsNonRoot in Kubernetes).",
}

_URL_ONLY = re.compile(r"^\s*https?://\S+\s*$")


def _dependency_fix(f: dict) -> str | None:
    p = f["package"]
    fixed = p.get("fixed_version")
    if not fixed:
        return None
    fixed = fixed.split(",")[0].strip()
    eco = (p.get("ecosystem") or "").lower()
    ids = ", ".join(f.get("cve") or f.get("ghsa") or [f["rule_id"]])
    lines = [f"Upgrade {p['name']} from {p.get('version') or 'the installed version'} to {fixed}."]
    if eco in _MANIFESTS:
        manifest, line, cmd = _MANIFESTS[eco]
        lines.append(f"In {manifest}:\n```\n{line.format(name=p['name'], fixed=fixed)}\n```")
        lines.append(f"Command: `{cmd.format(name=p['name'], fixed=fixed)}`")
    lines.append(f"Reason: {fixed} is the first release that fixes {ids}.")
    return "\n".join(lines)


def _patch(f: dict, replacement: str) -> str:
    loc = f["location"]
    start = loc.get("start_line") or 1
    old = (f.get("snippet") or "").splitlines() or [""]
    indent = re.match(r"\s*", old[0]).group(0)
    new = [indent + l.lstrip() if i == 0 else l for i, l in enumerate(replacement.splitlines())]
    body = "\n".join([f"-{l}" for l in old] + [f"+{l}" for l in new])
    return (
        f"```diff\n--- a/{loc['path']}\n+++ b/{loc['path']}\n"
        f"@@ -{start},{len(old)} +{start},{len(new)} @@\n{body}\n```"
    )


def fix_for(f: dict, cwes: list[str]) -> tuple[str | None, str]:
    """(answer, source) or (None, reason dropped)."""
    kind = f["kind"]
    hint = (f.get("fix_hint") or "").strip()
    if kind == "dependency":
        answer = _dependency_fix(f) if f.get("package") else None
        return (answer, "fixed-version") if answer else (None, "no fixed version published")
    if kind == "secret":
        loc = f.get("location") or {"path": "the file", "start_line": None}
        line = f":{loc['start_line']}" if loc.get("start_line") else ""
        return (
            f"Remove the secret from {loc['path']}{line} and read it from the environment instead "
            f"(for example `token = os.environ[\"{f['rule_id'].upper().replace('-', '_').replace(' ', '_')}\"]`), "
            "then revoke and rotate the leaked credential and purge it from the git history.\n"
            f"Reason: {PATTERNS['CWE-798']}",
            "known-pattern",
        )
    if hint and f.get("tool") in ("semgrep",) and f.get("snippet") and f.get("location"):
        return f"{_patch(f, hint)}\nReason: {f['title']}", "scanner-fix"
    if hint and not _URL_ONLY.match(hint):
        reason = next((PATTERNS[c] for c in cwes if c in PATTERNS), None)
        text = f"Fix: {hint}"
        if reason:
            text += f"\nReason: {reason}"
        return text, "resolution-text"
    pattern = next((c for c in cwes if c in PATTERNS), None)
    if pattern:
        where = f" at {f['location']['path']}" if f.get("location") else ""
        return f"Fix{where}: {PATTERNS[pattern]}\nReason: {f['title']} ({pattern}).", "known-pattern"
    if hint:
        return None, "guideline link only"
    return None, "no fix source"
