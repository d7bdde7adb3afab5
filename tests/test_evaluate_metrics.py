"""The evaluation metrics on hand-written answers: each must move both ways."""

from __future__ import annotations

import copy

import pytest
from evaluation_rows import (
    DEP_FIXED_S2,
    DEP_NOFIX_S2,
    K8S_S2,
    NOCWE_S1,
    SQL_DIFF,
    SQLI_S1,
    SQLI_S2,
    STAGE1_ROWS,
    STAGE2_ROWS,
)

from tasks.evaluation import metrics
from tasks.evaluation.metrics import aggregate, score
from tasks.fixes import patch_check


def _reference(row: dict) -> str:
    return row["messages"][-1]["content"]


def test_reference_answers_score_perfectly():
    for test_set, rows in (("stage1", STAGE1_ROWS), ("stage2", STAGE2_ROWS)):
        for row in rows:
            scores = score(test_set, row, _reference(row))
            assert set(scores) == set(metrics.METRICS[test_set])
            assert all(v in (True, None) for v in scores.values()), (row["meta"]["finding_id"], scores)
    assert score("stage2", SQLI_S2, _reference(SQLI_S2))["patch_applies"] is True
    assert score("stage2", DEP_FIXED_S2, _reference(DEP_FIXED_S2))["fixed_version_exact"] is True


@pytest.mark.parametrize("answer,expected", [
    ("This is CWE-89 (SQL injection).", True),
    ("cwe 89: the query is built from input", True),
    ("This is CWE-79, cross-site scripting.", False),
    ("CWE-79 first, then CWE-89.", False),  # the weakness it names first is the wrong one
    ("The query is built from user input.", False),
])
def test_cwe_accuracy_with_a_cwe(answer, expected):
    assert metrics.cwe_correct(answer, SQLI_S1["meta"]) is expected


@pytest.mark.parametrize("answer,expected", [
    ("The report names no CWE and none in the catalogue matches closely.", True),
    ("There is no matching CWE for this header finding.", True),
    ("This is CWE-693 Protection Mechanism Failure.", False),  # invents a weakness
    ("A header is missing.", False),  # says nothing about the CWE
])
def test_cwe_accuracy_without_a_cwe(answer, expected):
    assert metrics.cwe_correct(answer, NOCWE_S1["meta"]) is expected


def test_cwe_accuracy_does_not_apply_without_cwe_meta():
    assert metrics.cwe_correct("CWE-89", {"severity": "high"}) is None


@pytest.mark.parametrize("answer,expected", [
    ("semgrep reported it in app/db.py with high severity.", True),
    ("Severity: HIGH", True),
    ("The severity is low.", False),
    ("A critical-severity flaw.", False),
    ("The query is built from user input.", False),  # states none
])
def test_severity_agreement(answer, expected):
    assert metrics.severity_agrees(answer, SQLI_S1["meta"]) is expected


def test_severity_synonyms_and_absent_meta():
    assert metrics.severity_agrees("a moderate severity issue", {"severity": "medium"}) is True
    assert metrics.severity_agrees("high severity", {}) is None


@pytest.mark.parametrize("answer,expected", [
    ("Upgrade urllib3 from 1.26.3 to 1.26.5.\n```\nurllib3>=1.26.5\n```", True),
    ("Pin urllib3==v1.26.5", True),
    ("Upgrade urllib3 from 1.26.3 to 1.26.4.", False),  # wrong version
    ("Upgrade urllib3 to 1.26.5, e.g. pip install 'urllib3>=2.0.0'.", False),  # contradicts itself
    ("Upgrade urllib3 to the latest release.", False),  # names no version
])
def test_fixed_version_exact(answer, expected):
    prompt = metrics.prompt_text(DEP_FIXED_S2)
    assert metrics.fixed_version_correct(answer, DEP_FIXED_S2["meta"], prompt) is expected


@pytest.mark.parametrize("answer,expected", [
    ("No fix is published for libfoo 2.1.0 yet; isolate the component.", True),
    ("Upgrade libfoo from 2.1.0 to 2.1.1.", False),  # invented version
    ("Run apt-get install libfoo=2.2.0-1 to fix it.", False),
])
def test_fixed_version_no_fix_published(answer, expected):
    prompt = metrics.prompt_text(DEP_NOFIX_S2)
    assert metrics.fixed_version_correct(answer, DEP_NOFIX_S2["meta"], prompt) is expected


def test_fixed_version_does_not_apply_to_code_rows():
    assert metrics.fixed_version_correct("Upgrade to 1.2.3", SQLI_S2["meta"]) is None


def test_patch_applies_both_ways():
    meta = SQLI_S2["meta"]
    assert patch_check.patch_applies(f"```diff\n{SQL_DIFF}```", meta) is True
    assert patch_check.patch_applies(SQL_DIFF, meta) is True  # an unfenced diff counts too
    wrong_context = SQL_DIFF.replace("-    cur.execute(query)", "-    cursor.execute(query)")
    assert patch_check.patch_applies(f"```diff\n{wrong_context}```", meta) is False
    malformed = SQL_DIFF.replace("@@ -11,2 +11,1 @@", "@@ -11,2 +11,7 @@")  # counts do not match the lines
    assert patch_check.patch_applies(f"```diff\n{malformed}```", meta) is False
    garbage = "```diff\n--- a/app/db.py\n+++ b/app/db.py\n@@ nonsense @@\n-x\n+y\n```"
    assert patch_check.patch_applies(garbage, meta) is False
    other_file = SQL_DIFF.replace("app/db.py", "app/other.py")
    assert patch_check.patch_applies(f"```diff\n{other_file}```", meta) is False
    assert patch_check.patch_applies("Use parameterised queries.", meta) is False  # no diff at all


def test_patch_that_applies_but_breaks_the_syntax_fails():
    broken = SQL_DIFF.replace('(uid,))\n', '(uid,)\n')
    assert patch_check.apply_patch(broken, SQLI_S2["meta"]["code"]) is not None  # it does apply...
    assert patch_check.patch_applies(f"```diff\n{broken}```", SQLI_S2["meta"]) is False  # ...but no longer parses


def test_patch_applies_checks_yaml():
    meta = K8S_S2["meta"]
    assert patch_check.patch_applies(_reference(K8S_S2), meta) is True
    broken = _reference(K8S_S2).replace("+        runAsNonRoot: true", "+        runAsNonRoot: [true")
    assert patch_check.patch_applies(broken, meta) is False


def test_patch_on_a_fragment_only_needs_to_apply():
    meta = copy.deepcopy(SQLI_S2["meta"])
    meta["code"]["text"] = "    query = \"SELECT * FROM users WHERE id = '%s'\" % uid\n    cur.execute(query)\n    if x:\n"
    meta["code"]["start_line"] = 11
    # the fragment does not parse even dedented, so only application is checked
    assert patch_check.patch_applies(f"```diff\n{SQL_DIFF}```", meta) is True


def test_patch_applies_does_not_apply_without_expected_diff():
    assert patch_check.patch_applies(SQL_DIFF, DEP_FIXED_S2["meta"]) is None


@pytest.mark.parametrize("answer,expected", [
    ("```python\ncur.execute(q, (uid,))\n```", True),
    ("Run:\n```bash\npip install psycopg2\n```", True),  # commands are neutral
    ("```sql\nSELECT * FROM users WHERE id = %s\n```", True),
    ("No code here.", True),
    ("```java\nPreparedStatement ps = conn.prepareStatement(sql);\n```", False),
    ("```\npublic static void main(String[] args) {\n    System.out.println(x);\n}\n```", False),  # untagged, Java signals
    ("```diff\n--- a/app/db.py\n+++ b/app/db.py\n@@ -1,1 +1,1 @@\n-x = 1\n+const db = require('db');\n```", False),
    ("```js\nconst q = db.query(sql, [uid]);\n```", False),
])
def test_no_foreign_language(answer, expected):
    assert patch_check.no_foreign_language(answer, SQLI_S1["meta"]) is expected


def test_language_from_the_path_and_unknown_language():
    meta = {"language": None, "path": "src/app.ts"}
    assert patch_check.no_foreign_language("```javascript\nconst a = 1;\n```", meta) is True
    assert patch_check.no_foreign_language("```python\nimport os\n```", meta) is False
    assert patch_check.no_foreign_language("```java\nclass A {}\n```", {"language": None, "path": None}) is None


def test_aggregate_shares_and_counts():
    scores = [{"cwe_accuracy": True, "patch_applies": None}, {"cwe_accuracy": False, "patch_applies": None},
              {"cwe_accuracy": True, "patch_applies": None}]
    agg = aggregate(scores, ["cwe_accuracy", "patch_applies"])
    assert agg["cwe_accuracy"] == pytest.approx(2 / 3) and agg["counts"]["cwe_accuracy"] == 3
    assert agg["patch_applies"] is None and agg["counts"]["patch_applies"] == 0
    assert aggregate([], ["cwe_accuracy"]) == {"cwe_accuracy": None, "counts": {"cwe_accuracy": 0}}


def test_version_scan_is_linear_on_hostile_text():
    # an ambiguous suffix pattern made this input take 2^n steps (seconds at n=24, hours at n=40)
    assert metrics.versions_in("1.2" + "a" * 40 + "__5 and 1.26.5") == ["1.2" + "a" * 40, "1.26.5"]


def test_fixed_version_other_release_lines_are_information_not_proposals():
    prompt = metrics.prompt_text(DEP_FIXED_S2)
    answer = ("Upgrade urllib3 from 1.26.3 to 1.26.5, the release the advisory lists. "
              "(The advisory also lists 2.0.7 for other release lines.)\n```\nurllib3>=1.26.5\n```")
    assert metrics.fixed_version_correct(answer, DEP_FIXED_S2["meta"], prompt) is True
    wrong = "Upgrade urllib3 to 2.0.7. (The advisory also lists 1.26.5 for other release lines.)"
    assert metrics.fixed_version_correct(wrong, DEP_FIXED_S2["meta"], prompt) is False


def test_fixed_version_does_not_apply_when_a_parent_upgrade_fixes_it():
    meta = {**DEP_NOFIX_S2["meta"], "fix_family": "upgrade-parent"}
    assert metrics.fixed_version_correct("npm install gulp-cli@1.4.0", meta, "yargs-parser") is None
