"""A finding inside an installed third-party package: the row takes the folder out of the scan, never a nosec in it."""

from __future__ import annotations

from test_triage_verdicts import finding

from tasks.datasets import rows
from tasks.fixes.scan_scope import exclusion_answer, installed_root

SITE = "modules/module-1/resources/azure_function/data/.python_packages/lib/site-packages/azure/core/polling/_poller.py"
INSIDE = (f"installed third-party package, not this project's code: {SITE} is inside "
          "modules/module-1/resources/azure_function/data/.python_packages/, the folder Azure Functions installs "
          "third-party packages into; the finding is in the library's own internals")
PIP_T = ("installed third-party package, not this project's code: src/click/_termui_impl.py was installed by pip next to "
         "the project's code (`pip install -t` leaves its manifest: src/click-8.0.1.dist-info/RECORD:26 lists "
         "click/_termui_impl.py); the finding is in the library's own internals")


def test_the_folder_to_leave_out_is_the_install_folder_or_the_package_pip_put_there():
    assert installed_root(SITE, INSIDE) == "modules/module-1/resources/azure_function/data/.python_packages"
    assert installed_root("src/click/_termui_impl.py", PIP_T) == "src/click"
    assert installed_root("app.py", "not deployed: app.py is test code") is None


def test_an_installed_packages_finding_becomes_a_scan_exclusion_not_an_inline_suppression():
    f = finding(tool="bandit", rule_id="B403", title="Consider possible security implications associated with pickle module.",
                location={"path": SITE, "start_line": 139, "end_line": 139},
                snippet="139         import pickle\n140         r = pickle.loads(t)   # nosec\n")
    rec = {"verdict": "false_positive", "reasons": [{"check": "path", "evidence": INSIDE}]}
    s1 = {"messages": [{}, {"content": "prompt"}, {"content": "## Verdict\nx"}], "meta": {}}
    s1, (answer, source, _) = rows.apply_triage(f, {"narrative": "x", "sections": {}}, {}, rec, s1,
                                                (None, "no fix", {}), {"triage": "explain"})
    assert source == "suppression" and "nosec" not in answer
    assert 'exclude_dirs = ["modules/module-1/resources/azure_function/data/.python_packages"]' in answer
    assert "pip-audit" in answer and "Do not edit the installed copy" in answer
    assert (f"Do not change {SITE}: leave modules/module-1/resources/azure_function/data/.python_packages out of the "
            "bandit scan, with the evidence above as the reason." in s1["messages"][2]["content"])
    semgrep = exclusion_answer("semgrep", "src/click/_termui_impl.py", {"reasons": [{"evidence": PIP_T}]})
    assert "# .semgrepignore\nsrc/click/" in semgrep
    # a new .semgrepignore replaces Semgrep's built-in list (round 48's grader): the answer says so and names it
    assert "replaces Semgrep's built-in list" in semgrep and "node_modules/" in semgrep and "tests/" in semgrep
    assert exclusion_answer("gitleaks", SITE, rec) is None  # no scope syntax: the usual path decides
    # any other false positive keeps its inline suppression
    other = {"verdict": "false_positive", "reasons": [{"check": "path", "evidence": "not deployed: tests/t.py is test code"}]}
    t = finding(tool="bandit", rule_id="B101", location={"path": "tests/t.py", "start_line": 3, "end_line": 3},
                snippet="3 assert x\n")
    _, (answer, _, _) = rows.apply_triage(t, {"narrative": "x", "sections": {}}, {}, other, None, (None, "no fix", {}),
                                          {"triage": "explain"})
    assert "# nosec B101" in answer


def test_the_lint_keeps_a_scan_exclusion_row_whose_line_is_unknown():
    """The exclusion needs no flagged line, and pyproject.toml is a Python project's own manifest."""
    from tasks.datasets.checks import suppresses_real_finding
    from tasks.fixes.patch_check import no_foreign_language

    f = finding(tool="bandit", rule_id="B403", location={"path": SITE, "start_line": 139, "end_line": 139}, snippet=None)
    rec = {"verdict": "false_positive", "reasons": [{"check": "path", "evidence": INSIDE}]}
    answer = exclusion_answer("bandit", SITE, rec)
    meta = {"stage": 2, "fix_source": "suppression", "triage": rec, "language": "python", "path": SITE}
    assert suppresses_real_finding(answer, meta, f) is None
    assert no_foreign_language(answer, meta) is True
    assert no_foreign_language("```go\nfunc main() {\n}\n```", meta) is False


def test_code_that_is_never_deployed_gets_no_suppression_row():
    """cloudgoat's second policy applier: its Lambda is commented out in lambda.tf, so its SQL injection is not
    reachable today, but a '# nosec' would outlive that the day the block is uncommented."""
    path = "scenarios/vulnerable_lambda/lambda_source_code/policy_applier_lambda2_src/main.py"
    f = finding(tool="bandit", rule_id="B608", location={"path": path, "start_line": 52, "end_line": 52},
                snippet="52         statement = f\"select policy_document from policies where policy_name='{policy}'\"\n")
    rec = {"verdict": "false_positive", "reasons": [{"check": "path", "evidence": "never deployed: scenarios/vulnerable_lambda/"
                                                     "lambda_source_code/policy_applier_lambda2_src/ is named only on "
                                                     "commented lines: scenarios/vulnerable_lambda/lambda.tf:129,130"}]}
    _, (answer, why, _) = rows.apply_triage(f, {"narrative": "x", "sections": {}}, {}, rec, None, (None, "no fix", {}),
                                            {"triage": "explain"})
    assert answer is None and "no deployment ships today" in why
