"""Patterns for code-scanner findings in infrastructure files (workflows, Dockerfiles, Terraform, manifests).

Config *checks* (Checkov, Trivy) are answered by tasks.fixes.iac; these are
for rules of code scanners (Semgrep, CodeQL) that match such files.
"""

from __future__ import annotations

PATTERNS = {
    ("github-actions", "command-injection"): """Do not expand `${{ github.event.* }}` (titles, branch names, comments) inside `run:` - the value becomes part of the script. Pass it through an environment variable and quote it:
```yaml
- name: Check title
  env:
    TITLE: ${{ github.event.pull_request.title }}
  run: |
    echo "Title: $TITLE"
```""",
    ("github-actions", "code-injection"): """Do not expand untrusted `${{ github.event.* }}` values inside `run:` or `script:`; pass them as environment variables:
```yaml
- uses: actions/github-script@v7
  env:
    BODY: ${{ github.event.comment.body }}
  with:
    script: |
      const body = process.env.BODY;
```""",
    ("github-actions", "insecure-tls"): """Do not disable certificate checks in workflow steps (`curl -k`, `--insecure`, `NODE_TLS_REJECT_UNAUTHORIZED: 0`); install the needed CA on the runner instead.""",
    ("dockerfile", "insecure-tls"): """Do not download with certificate checks disabled (`curl -k`, `wget --no-check-certificate`). Verify the download instead:
```dockerfile
RUN curl -fsSLo /tmp/tool.tgz https://example.com/tool.tgz \\
 && echo "<sha256>  /tmp/tool.tgz" | sha256sum -c -
```""",
    ("dockerfile", "command-injection"): """Use the exec form for CMD/ENTRYPOINT so no shell re-interprets arguments:
```dockerfile
ENTRYPOINT ["/app/server", "--port", "8080"]
```""",
    ("github-actions", "gha-pull-request-target"): """A `pull_request_target` workflow runs with the base repository's secrets and write token; checking out and running the pull request's code there hands both to the PR author. Use `pull_request` for building untrusted code, or keep `pull_request_target` jobs to labelling/commenting without checking out the head:
```yaml
on:
  pull_request:
permissions:
  contents: read
```""",
    ("github-actions", "gha-unpinned-action"): """Pin third-party actions to a full commit SHA (tags can be moved), keeping the version as a comment for updates:
```yaml
- uses: actions/checkout@b4ffde65f46336ab88eb53be808477a3936bae11 # v4.1.1
```
Dependabot or Renovate can keep the pins current.""",
    ("dockerfile", "container-root-user"): """Create an unprivileged user and switch to it before the entrypoint, so the process does not run as root:
```dockerfile
RUN useradd --system --uid 10001 app
USER 10001
```
(On Alpine: `RUN adduser -S -u 10001 app`.)""",
    ("kubernetes", "container-root-user"): """Require a non-root user in the pod's security context:
```yaml
securityContext:
  runAsNonRoot: true
  runAsUser: 10001
```""",
    ("android", "debug-enabled"): """Do not ship a debuggable build: remove `android:debuggable` from the manifest (the build type sets it; release builds are not debuggable):
```xml
<application
    android:debuggable="false"
    ... >
```""",
    ("android", "android-backup"): """Turn off `adb backup` of app data unless it is needed, or restrict what is backed up:
```xml
<application
    android:allowBackup="false"
    android:fullBackupContent="false"
    ... >
```""",
    ("android", "cleartext-protocol"): """Disallow cleartext HTTP for the app:
```xml
<application
    android:usesCleartextTraffic="false"
    ... >
```
Where one host really needs HTTP, allow only it in `res/xml/network_security_config.xml`.""",
    ("android", "android-exported"): """Do not export components that other apps need not start; where one must be exported, protect it with a permission:
```xml
<activity
    android:name=".InternalActivity"
    android:exported="false" />
```""",
    ("terraform", "insecure-tls"): """Require TLS 1.2+ and verified certificates in the resource's settings (for example `minimum_tls_version = "1.2"` on Azure resources, `ssl_policy = "ELBSecurityPolicy-TLS13-1-2-2021-06"` on AWS listeners), and do not set `insecure = true` / `skip_tls_verify = true` on providers.""",
    ("kubernetes", "insecure-tls"): """Do not set `insecure-skip-tls-verify: true` in kubeconfigs or API clients; reference the cluster CA (`certificate-authority-data`).""",
}
