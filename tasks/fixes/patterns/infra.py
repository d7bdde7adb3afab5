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
    ("terraform", "insecure-tls"): """Require TLS 1.2+ and verified certificates in the resource's settings (for example `minimum_tls_version = "1.2"` on Azure resources, `ssl_policy = "ELBSecurityPolicy-TLS13-1-2-2021-06"` on AWS listeners), and do not set `insecure = true` / `skip_tls_verify = true` on providers.""",
    ("kubernetes", "insecure-tls"): """Do not set `insecure-skip-tls-verify: true` in kubeconfigs or API clients; reference the cluster CA (`certificate-authority-data`).""",
}
