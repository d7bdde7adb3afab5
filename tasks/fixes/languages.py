"""The language (or platform) of the file a finding points at.

The review that started this package found fixes written for the wrong
language: Python for a ``.cjs`` file, ``os.environ`` inside Terraform.  So the
language is decided once, from the file, and every fix source is keyed by it.

``identify`` (pre-commit's file classifier) knows most extensions; on top of
it come the names a security scanner cares about that a generic classifier
does not: GitHub Actions workflows, Kubernetes manifests (YAML with
``apiVersion`` and ``kind``), Trivy's Kubernetes resource names
(``namespace/Deployment/name``), Android manifests, and shebangs.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

# identify tag -> our language name (first match in this order wins)
_TAGS = [
    ("dockerfile", "dockerfile"), ("terraform", "terraform"), ("hcl", "terraform"),
    ("python", "python"), ("javascript", "javascript"), ("jsx", "javascript"),
    ("ts", "typescript"), ("tsx", "typescript"), ("java", "java"), ("kotlin", "kotlin"),
    ("groovy", "groovy"), ("go", "go"), ("c#", "csharp"), ("ruby", "ruby"), ("php", "php"),
    ("scala", "scala"), ("swift", "swift"), ("rust", "rust"), ("c++", "cpp"), ("c", "c"),
    ("shell", "shell"), ("html", "html"), ("twig", "html"), ("jinja", "html"),
    ("yaml", "yaml"), ("json", "json"), ("xml", "xml"), ("toml", "toml"), ("sql", "sql"),
]
_SHEBANG = [
    (re.compile(r"\bpython[\d.]*\b"), "python"), (re.compile(r"\b(?:node|deno|bun)\b"), "javascript"),
    (re.compile(r"\bruby\b"), "ruby"), (re.compile(r"\bphp\b"), "php"),
    (re.compile(r"\b(?:ba|z|k|da)?sh\b"), "shell"),
]
# Trivy names Kubernetes resources, not files: "default/Deployment/redis-follower"
_K8S_KINDS = ("Deployment", "Pod", "DaemonSet", "StatefulSet", "ReplicaSet", "Job", "CronJob", "Service",
              "Ingress", "ConfigMap", "Secret", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding",
              "ServiceAccount", "NetworkPolicy", "PodSecurityPolicy", "ReplicationController")
_K8S_RESOURCE = re.compile(r"^(?:[\w.-]+/)?(?:%s)/[\w.-]+$" % "|".join(_K8S_KINDS))
_K8S_TEXT = (re.compile(r"^apiVersion:\s*\S+", re.M), re.compile(r"^kind:\s*[A-Z]\w+", re.M))
_NOT_A_FILE = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|[^/]*\s\()", re.I)  # URLs, "image:tag (debian 10.8)"


def language_of(path: str | None, text: str | None = None) -> str | None:
    """"python", "javascript", "typescript", "java", "kotlin", "go", "csharp", "ruby",
    "php", "terraform", "dockerfile", "kubernetes", "github-actions", "yaml", "json",
    "xml", "shell", ... or None when the path names no file of a known language."""
    if not path or _NOT_A_FILE.match(path.strip()):
        return None
    path = path.strip().replace("\\", "/")
    if _K8S_RESOURCE.match(path):
        return "kubernetes"
    p = PurePosixPath(path)
    name, lower = p.name, p.name.lower()
    parts = [x.lower() for x in p.parts]
    if lower in ("dockerfile", "containerfile") or lower.endswith((".dockerfile", ".containerfile")) \
            or lower.startswith(("dockerfile.", "dockerfile-")):
        return "dockerfile"
    if lower.endswith((".yml", ".yaml")):
        if len(parts) >= 3 and parts[-3:-1] == [".github", "workflows"]:
            return "github-actions"
        if lower in ("action.yml", "action.yaml") and text and re.search(r"^runs:\s*$", text, re.M):
            return "github-actions"
        if text and all(r.search(text) for r in _K8S_TEXT):
            return "kubernetes"
        return "yaml"
    if lower.endswith((".tf", ".tfvars", ".tf.json")):
        return "terraform"
    if lower.endswith(".kts"):
        return "kotlin"
    if lower.endswith((".cjs", ".mjs")):
        return "javascript"
    if lower.endswith((".mts", ".cts")):
        return "typescript"
    from identify import identify

    tags = identify.tags_from_filename(name)
    for tag, lang in _TAGS:
        if tag in tags:
            if lang == "c" and "c++" in tags:
                return "cpp"
            return lang
    if text and text.startswith("#!"):
        first = text.splitlines()[0]
        for rx, lang in _SHEBANG:
            if rx.search(first):
                return lang
    return None


def platform_of(path: str | None, language: str | None) -> str | None:
    """A platform that changes the advice beyond the language (Android manifests)."""
    if path and PurePosixPath(path.replace("\\", "/")).name == "AndroidManifest.xml":
        return "android"
    return None


# the fence tag a code block in this language gets (what tasks.fixes.patch_check understands)
FENCE = {
    "python": "python", "javascript": "javascript", "typescript": "typescript", "java": "java",
    "kotlin": "kotlin", "go": "go", "csharp": "csharp", "ruby": "ruby", "php": "php",
    "terraform": "hcl", "dockerfile": "dockerfile", "kubernetes": "yaml", "github-actions": "yaml",
    "yaml": "yaml", "json": "json", "xml": "xml", "shell": "sh", "c": "c", "cpp": "cpp", "groovy": "groovy",
}

# how the answer names the language in prose
DISPLAY = {
    "python": "Python", "javascript": "JavaScript", "typescript": "TypeScript", "java": "Java",
    "kotlin": "Kotlin", "go": "Go", "csharp": "C#", "ruby": "Ruby", "php": "PHP", "terraform": "Terraform",
    "dockerfile": "Dockerfile", "kubernetes": "Kubernetes manifest", "github-actions": "GitHub Actions workflow",
    "yaml": "YAML", "json": "JSON", "xml": "XML", "shell": "shell script", "c": "C", "cpp": "C++",
    "html": "HTML template", "groovy": "Groovy", "scala": "Scala", "swift": "Swift", "rust": "Rust",
}
