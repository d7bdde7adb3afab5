"""Language of a finding's file: identify plus the names scanners care about."""

import pytest

from tasks.fixes import language_of

K8S = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"


@pytest.mark.parametrize("path,text,expected", [
    ("app/main.py", None, "python"),
    ("server/index.cjs", None, "javascript"),
    ("web/app.mjs", None, "javascript"),
    ("src/app.ts", None, "typescript"),
    ("src/Main.java", None, "java"),
    ("build.gradle.kts", None, "kotlin"),
    ("app/src/main/kotlin/A.kt", None, "kotlin"),
    ("cmd/server/main.go", None, "go"),
    ("src/Controllers/Home.cs", None, "csharp"),
    ("app/models/user.rb", None, "ruby"),
    ("public/index.php", None, "php"),
    ("infra/terraform/aws/db-app.tf", None, "terraform"),
    ("infra/terraform/aws/resources/Dockerfile", None, "dockerfile"),
    ("docker/Dockerfile.prod", None, "dockerfile"),
    (".github/workflows/ci.yml", None, "github-actions"),
    ("deploy/web.yaml", K8S, "kubernetes"),
    ("deploy/values.yaml", "replicas: 2\n", "yaml"),
    ("default/Deployment/redis-follower", None, "kubernetes"),
    ("app/src/main/AndroidManifest.xml", None, "xml"),
    ("bin/tool", "#!/usr/bin/env python3\nprint(1)\n", "python"),
    ("bin/run", "#!/bin/bash\necho hi\n", "shell"),
    ("https://mainsite.com", None, None),
    ("gcr.io/google_samples/gb-redis-follower:v2 (debian 10.4)", None, None),
])
def test_language_of(path, text, expected):
    assert language_of(path, text) == expected
