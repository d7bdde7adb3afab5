"""Hand-written test rows in the training-rows contract shape (CONTRACTS.md), for the evaluation tests.

Each row's reference answer (the assistant message) is what a perfect model
would say; the metric tests check that it scores 1 and that wrong answers
score 0.
"""

from __future__ import annotations

S1_SYSTEM = "You are a security analyst. Given a scanner finding, explain the weakness, why it matters, how it is exploited and how to fix it."
S2_SYSTEM = "You are a secure-code fixer. Given a scanner finding and the vulnerable code or dependency, answer with a concrete fix."

SQL_CODE = (
    "def find_user(cur, uid):\n"
    "    query = \"SELECT * FROM users WHERE id = '%s'\" % uid\n"
    "    cur.execute(query)\n"
    "    return cur.fetchone()\n"
)
SQL_DIFF = (
    "--- a/app/db.py\n+++ b/app/db.py\n@@ -11,2 +11,1 @@\n"
    "-    query = \"SELECT * FROM users WHERE id = '%s'\" % uid\n"
    "-    cur.execute(query)\n"
    "+    cur.execute(\"SELECT * FROM users WHERE id = %s\", (uid,))\n"
)
K8S_CODE = "spec:\n  containers:\n    - name: web\n      image: nginx:1.25\n"
K8S_DIFF = (
    "--- a/deploy/web.yaml\n+++ b/deploy/web.yaml\n@@ -4,1 +4,3 @@\n"
    "       image: nginx:1.25\n"
    "+      securityContext:\n"
    "+        runAsNonRoot: true\n"
)


def _row(system: str, user: str, answer: str, meta: dict) -> dict:
    return {"messages": [{"role": "system", "content": system}, {"role": "user", "content": user},
                         {"role": "assistant", "content": answer}], "meta": meta}


def _meta(**kw) -> dict:
    base = {"finding_id": kw.pop("finding_id"), "tool": "semgrep", "severity": "high", "kind": "code", "group": kw.pop("group", "g"),
            "cwe": [], "language": None, "path": None}
    return base | kw


SQLI_S1 = _row(
    S1_SYSTEM,
    "Tool: semgrep\nRule: python.sqli\nTitle: SQL injection\nSeverity: high\nCWE: CWE-89\nLocation: app/db.py:11\n"
    f"Code:\n```\n{SQL_CODE}```",
    "## What the weakness is\nCWE-89 Improper Neutralization of Special Elements used in an SQL Command.\n\n"
    "## Why it matters here\nsemgrep reported it in app/db.py with high severity.\n\n"
    "## How to fix it\n- Use bound parameters:\n```python\ncur.execute(\"SELECT * FROM users WHERE id = %s\", (uid,))\n```",
    _meta(finding_id="f-sqli", stage=1, cwe=["CWE-89"], language="python", path="app/db.py"),
)
NOCWE_S1 = _row(
    S1_SYSTEM,
    "Tool: zap\nRule: 10021\nTitle: X-Content-Type-Options Header Missing\nSeverity: low",
    "## What the weakness is\nX-Content-Type-Options Header Missing. The report names no CWE and none in the catalogue matches closely.\n\n"
    "## Why it matters here\nzap reported it with low severity.",
    _meta(finding_id="f-header", stage=1, tool="zap", severity="low", kind="web"),
)
DEP_FIXED_S2 = _row(
    S2_SYSTEM,
    "Tool: pip-audit\nRule: PYSEC-2021-108\nTitle: urllib3 vulnerability\nSeverity: medium\nPackage: urllib3 1.26.3 (pypi)",
    "Upgrade urllib3 from 1.26.3 to 1.26.5.\nIn requirements.txt:\n```\nurllib3>=1.26.5\n```\n"
    "Command: `pip install 'urllib3>=1.26.5'`\nReason: 1.26.5 is the first release that fixes CVE-2021-33503.",
    _meta(finding_id="f-urllib3", stage=2, tool="pip-audit", severity="medium", kind="dependency", cwe=["CWE-1395"],
          path="requirements.txt", fix_source="fixed-version", fixed_version="1.26.5", fix_status="fixed",
          has_diff=False, code=None, expected_diff=None),
)
DEP_NOFIX_S2 = _row(
    S2_SYSTEM,
    "Tool: trivy\nRule: CVE-2023-1234\nTitle: libfoo: heap overflow\nSeverity: high\nPackage: libfoo 2.1.0 (debian)",
    "No fixed version of libfoo is published yet. Reduce exposure: remove libfoo 2.1.0 from the image if it is not needed, "
    "or isolate the component, and watch the advisory for a fix.",
    _meta(finding_id="f-libfoo", stage=2, tool="trivy", kind="dependency", cwe=["CWE-1395"], path="Dockerfile",
          fix_source="no-fix-published", fixed_version=None, fix_status="none published", has_diff=False, code=None, expected_diff=None),
)
SQLI_S2 = _row(
    S2_SYSTEM,
    f"Tool: semgrep\nRule: python.sqli\nTitle: SQL injection\nSeverity: high\nCWE: CWE-89\nLocation: app/db.py:11\nCode:\n```\n{SQL_CODE}```",
    f"```diff\n{SQL_DIFF}```\nReason: bound parameters keep the id out of the SQL text.",
    _meta(finding_id="f-sqli", stage=2, cwe=["CWE-89"], language="python", path="app/db.py", fix_source="scanner-fix",
          fixed_version=None, fix_status=None, has_diff=True, code={"path": "app/db.py", "start_line": 10, "text": SQL_CODE},
          expected_diff=SQL_DIFF),
)
K8S_S2 = _row(
    S2_SYSTEM,
    f"Tool: checkov\nRule: CKV_K8S_23\nTitle: Containers should not run as root\nSeverity: medium\nLocation: deploy/web.yaml:1\nCode:\n```\n{K8S_CODE}```",
    f"```diff\n{K8S_DIFF}```\nReason: the container must not run as root.",
    _meta(finding_id="f-k8s", stage=2, tool="checkov", severity="medium", kind="config", cwe=["CWE-250"], language="kubernetes",
          path="deploy/web.yaml", fix_source="config-setting", fixed_version=None, fix_status=None, has_diff=True,
          code={"path": "deploy/web.yaml", "start_line": 1, "text": K8S_CODE}, expected_diff=K8S_DIFF),
)

STAGE1_ROWS = [SQLI_S1, NOCWE_S1]
STAGE2_ROWS = [DEP_FIXED_S2, DEP_NOFIX_S2, SQLI_S2, K8S_S2]
