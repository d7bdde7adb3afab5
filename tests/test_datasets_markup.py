"""Stage-1 lint: scaffolding left in an answer, and a template paragraph many rows share (issue 22).

The failing texts are what earlier builds wrote on real reports (DefectDojo's Checkov and gitleaks
fixtures, Trivy's juice-shop image); each is paired with the text the generator writes now.
"""

from __future__ import annotations

from tasks.datasets.markup import analysis_paragraphs, broken_markup, shared_paragraphs, skeleton

FIXED_FENCE = ("## How to fix it\n- To make the key vault recoverable, set this (resource azurerm_key_vault.main):\n\n```hcl\n"
               "purge_protection_enabled   = true\n```\nThen re-run checkov to confirm CKV_AZURE_42 passes.")


def test_a_fence_that_opens_a_list_item_or_never_closes_is_broken():
    assert broken_markup(FIXED_FENCE) is None
    bare = "## How to fix it\n- ```hcl\npurge_protection_enabled   = true\n```\nThen re-run checkov."
    assert "opens a list item" in broken_markup(bare)
    assert "never closed" in broken_markup(FIXED_FENCE.rsplit("```", 1)[0])


def test_unbalanced_inline_code_and_a_cut_call_are_broken():
    # aiohttp GHSA-5h86-8mv2-jq9f (osv-scanner many_findings): the advisory's code block was cut by the prompt's limit
    cut = ('## What is wrong here\nThe advisory goes on: web.static("/sta `follow_symlinks` set to True, it can lead '
           "to this vulnerability. This vulnerability has been present since `follow_symlinks.")
    assert "unbalanced inline code" in broken_markup(cut)
    assert "cut mid-argument" in broken_markup("## What is wrong here\nThe workflow runs on(build")
    ok = ("## What is wrong here\nWhen aiohttp serves static routes with `follow_symlinks=True`, a request can read "
          "files outside the static root (see `web.static()`).")
    assert broken_markup(ok) is None


SECRET = ("## Verdict\nTrue positive: the flagged value is a high-entropy value.\n\n## What is wrong here\nThe value sits in "
          "{path} and, once committed, in every clone and in the git history, even after the line is deleted.\n\n"
          "## How to fix it\n- Revoke the credential at its issuer and issue a new one.")


def test_a_paragraph_that_differs_only_by_the_findings_names_is_shared():
    paths = [".bashrc", "conf/rsa.pk", "terraform/terraform.tfstate.backup", "auth.py", "tests/api.py"]
    answers = [SECRET.format(path=p) for p in paths]
    prompts = [f"Tool: gitleaks\nLocation: {p}:1" for p in paths]
    assert skeleton(analysis_paragraphs(answers[0])[0], prompts[0]) == skeleton(analysis_paragraphs(answers[1])[0], prompts[1])
    shared = shared_paragraphs(answers, prompts)
    assert sorted(shared) == [3, 4] and "5 rows share" in shared[3]  # the first three are kept
    # what secrets get now: the kind's own facts, different per kind
    kinds = ["A GitHub token acts as its owner with its scopes (repository contents, workflows, packages) until it is revoked.",
             "Whoever holds a private key signs or decrypts as its owner: TLS or SSH identities, JWTs, packages, whatever trusts it.",
             "An AWS access key ID is half of an IAM user's long-term key pair: with its secret access key it signs API calls.",
             "A Slack token acts as its bot or user in the workspace: it reads and posts in every channel that identity can.",
             "A JWT is a signed bearer token: whoever holds it is its subject until its `exp` time, decoded without a key."]
    answers = [f"## Verdict\nTrue positive as reported.\n\n## What is wrong here\n{k}" for k in kinds]
    assert shared_paragraphs(answers, prompts) == {}


def test_the_verdict_and_the_fix_are_not_judged_as_shared_paragraphs():
    # an upgrade has one shape in every dependency row; that is not boilerplate
    answers = [f"## Verdict\nTrue positive: the report says qs 6.5.{i} is affected by CVE-2022-24999 and 6.5.3 fixes it "
               f"(no advisory record here to check the ranges).\n\n## How to fix it\n- Upgrade qs from 6.5.{i} to 6.5.3, "
               "the fixed version the report names for CVE-2022-24999." for i in range(6)]
    assert all(analysis_paragraphs(a) == [] for a in answers)
    assert shared_paragraphs(answers, ["Package: qs"] * 6) == {}


def test_the_final_release_of_a_pre_release_fix_is_a_known_version():
    from tasks.datasets.lint import unknown_version

    # pip-audit many_vulns.json: twisted 18.9.0, fixed in 20.3.0rc1
    f = {"id": "7" * 32, "tool": "pip-audit", "kind": "dependency", "rule_id": "PYSEC-2020-260", "title": "t", "severity": "high",
         "package": {"name": "twisted", "version": "18.9.0", "ecosystem": "PyPI", "fixed_version": "20.3.0rc1"}}
    row = {"messages": [{"role": "user", "content": "Package: twisted 18.9.0"}, {"role": "assistant", "content":
           "Upgrade twisted from 18.9.0 to the final release 20.3.0 or later: the advisory names 20.3.0rc1, a pre-release of it."}],
           "meta": {"stage": 1}}
    assert unknown_version(row, f) is None
    row["messages"][1]["content"] += " Or go to 21.2.0."
    assert "21.2.0" in unknown_version(row, f)


def test_a_paragraph_made_mostly_of_the_findings_own_tokens_is_not_a_template():
    # advisory text quoting versions and hashes differs only in masked tokens: nothing to call boilerplate
    paras = [f"## What is wrong here\nFixed in 1.{i}.2, 2.{i}.4, 3.{i}.1 (commits 9be7ee88a{i}, 8d1d7cdb5{i}, 4cb35b38{i}) and {i}.0.0-rc.{i}."
             for i in range(6)]
    assert shared_paragraphs(paras, ["Package: x"] * 6) == {}


def test_an_answer_quoting_its_own_code_names_its_finding():
    from tasks.datasets.lint import boilerplate

    # Semgrep one_finding.json: the answer quotes the transformation string of the flagged line
    f = {"id": "2" * 32, "tool": "semgrep", "kind": "code", "rule_id": "java.lang.security.audit.cbc-padding-oracle.cbc-padding-oracle",
         "title": "Using CBC with PKCS5Padding is susceptible to padding orcale attacks. A malicious actor", "severity": "medium",
         "snippet": '\t\t\tjavax.crypto.Cipher c = javax.crypto.Cipher.getInstance("DES/CBC/PKCS5Padding");',
         "location": {"path": "src/main/java/org/owasp/benchmark/testcode/BenchmarkTest02194.java", "start_line": 64, "end_line": 64}}
    row = {"messages": [{"role": "user", "content": "x"}, {"role": "assistant", "content":
           '## What is wrong here\nThe code on line 64 asks for `"DES/CBC/PKCS5Padding"`, DES in CBC mode: a 56-bit key.'}],
           "meta": {"stage": 1}}
    assert boilerplate(row, f) is None
    row["messages"][1]["content"] = "## How it works\nUse AES in GCM mode with a fresh IV instead of DES or CBC with padding."
    assert "names nothing" in boilerplate(row, f)


def test_a_bare_api_name_in_a_generic_fix_does_not_make_an_answer_specific():
    from tasks.datasets.lint import boilerplate

    f = {"id": "0" * 32, "tool": "semgrep", "kind": "code", "rule_id": "python.django.xss.audit", "title": "Possible XSS via mark_safe",
         "severity": "medium", "snippet": "return mark_safe(label)", "location": {"path": "app/views.py", "start_line": 8, "end_line": 8}}
    row = {"messages": [{"role": "user", "content": "x"}, {"role": "assistant", "content":
           "## How to fix it\n- Reserve `mark_safe` for constant markup and let the template engine escape the rest."}],
           "meta": {"stage": 1}}
    assert "names nothing" in (boilerplate(row, f | {"title": "Possible cross-site scripting"}) or "")
