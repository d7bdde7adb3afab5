"""Suppressions and Terraform settings as diffs of the flagged code (tasks.fixes.suppression_diff, tasks.fixes.iac_diff).

Each placed change must be one ``git apply --check`` takes against the reported code, and a Python file must
still parse; anything that cannot be placed without guessing keeps the loose block (None here).
"""

from __future__ import annotations

import pytest

from fixes_helpers import finding
from tasks.fixes.iac_diff import placed, setting_diff
from tasks.fixes.patch_check import apply_patch, git_apply_check, patch_applies
from tasks.fixes.suppression import suppression_answer
from tasks.fixes.suppression_diff import suppression_diff

FP = {"verdict": "false_positive", "reasons": [{"check": "path", "evidence": "tests/test_api.py is a test file"}]}

BUCKET = '''resource "aws_s3_bucket" "data" {
  bucket        = "my-data"
  force_destroy = true

  tags = {
    Name = "data"
  }
}'''


def test_a_missing_argument_goes_in_as_the_first_line_of_the_block_at_its_indentation():
    new = placed(BUCKET.splitlines(), "acl = \"private\"")
    assert new[:3] == ['resource "aws_s3_bucket" "data" {', '  acl = "private"', '  bucket        = "my-data"']
    assert len(new) == len(BUCKET.splitlines()) + 1


def test_an_argument_the_block_has_gets_the_new_value_on_its_own_line():
    new = placed(BUCKET.splitlines(), "force_destroy = false")
    assert new[2] == "  force_destroy = false" and len(new) == len(BUCKET.splitlines())
    assert placed(BUCKET.splitlines(), "force_destroy = true") is None  # already so: nothing to change


def test_a_nested_block_is_placed_whole_unless_the_resource_has_one():
    new = placed(BUCKET.splitlines(), "versioning {\n  enabled = true\n}")
    assert new[1:4] == ["  versioning {", "    enabled = true", "  }"]
    assert placed(BUCKET.splitlines(), "tags {\n  Owner = \"x\"\n}") is None  # merging two blocks is a judgement


@pytest.mark.parametrize("lines,setting", [
    (BUCKET.splitlines()[:4], "acl = \"private\""),  # a cut block: the argument may sit below the cut
    (BUCKET.splitlines(), 'resource "aws_s3_bucket_public_access_block" "data" {\n  bucket = aws_s3_bucket.data.id\n}'),
    (BUCKET.splitlines(), "policy = <<EOF\n{}\nEOF"),  # a value over several lines
    (['module "x" {', '  source = "./x"', '}'], "acl = \"private\""),  # not a resource block
])
def test_what_cannot_be_placed_without_guessing_keeps_the_loose_block(lines, setting):
    assert placed(lines, setting) is None


def test_a_terraform_setting_diff_applies_with_git_to_the_reported_block(tmp_path):
    f = finding("config", "checkov", "CKV_AWS_20", path="infra/s3.tf", start=3, end=10, snippet=BUCKET)
    diff, code = setting_diff(f, 'acl = "private"')
    assert code.start_line == 3 and "@@ -3," in diff
    meta = {"has_diff": True, "code": code.as_meta(), "path": "infra/s3.tf"}
    assert patch_applies(f"```diff\n{diff}```", meta) is True
    # git, at the file's real place: two lines above the block, the block, a line below
    text = "# header\n\n" + BUCKET + "\n# tail\n"
    assert git_apply_check(diff, "infra/s3.tf", text)
    assert setting_diff(dict(f, location={"path": "/abs/s3.tf", "start_line": 3, "end_line": 10}), 'acl = "private"') is None


BANDIT = "27     def prepare(self):\n28         self.name = \"Product %s\" % str(random.randint(0, 999))\n29         return self.name"


def test_a_bandit_suppression_is_the_flagged_line_with_nosec_and_the_reason_above_it(tmp_path):
    f = finding("code", "bandit", "B311", path="tests/test_api.py", start=28, snippet=BANDIT)
    diff, code = suppression_diff(f, FP)
    assert "-        self.name = \"Product %s\" % str(random.randint(0, 999))" in diff
    assert "+        self.name = \"Product %s\" % str(random.randint(0, 999))  # nosec B311" in diff
    added = [l for l in diff.splitlines() if l.startswith("+") and not l.startswith("+++")]
    assert len(added) == 2 and added[0].startswith("+        # ")  # the reason, at the statement's indentation
    answer = suppression_answer(f, FP, diff)
    assert answer.startswith("False positive: tests/test_api.py is a test file.") and "```diff" in answer
    meta = {"has_diff": True, "code": code.as_meta(), "path": "tests/test_api.py"}
    assert patch_applies(answer, meta) is True  # applies, and the method still parses
    patched = apply_patch(diff, code.as_meta())
    assert "# nosec B311" in patched and patched.count("random.randint") == 1


def test_a_line_whose_end_is_not_code_gets_no_inline_suppression():
    hash_in_string = "10 url = base + '#anchor'  \n11 x = 1"
    f = finding("code", "bandit", "B310", path="app/u.py", start=10, snippet=hash_in_string)
    assert suppression_diff(f, FP) is None  # a '#' already on the line: a second comment is ambiguous
    g = finding("code", "semgrep", "generic.secrets.x", path="main.js", start=2, end=2, snippet="  s = `\n")
    assert suppression_diff(g, FP) is None  # an open template literal: the comment would be inside the string
    assert suppression_diff(finding("code", "bandit", "B311", path="/abs/t.py", start=28, snippet=BANDIT), FP) is None


IN_HTML = ('450         self.assertInHTML(\n451             f"""\n452             <tr>\n'
           '453                 <td>{get_version_info(random.random())}</td>\n454             </tr>\n455         """,\n'
           '456             html,\n457         )\n458         seed = random.random()\n')


def test_a_line_inside_a_string_that_spans_lines_gets_no_comment():
    # held-out set 20 (round 25's harmful row): linkding's test compares HTML written in an f-string; the
    # '# nosec B311' and the reason went into the expected HTML, the test broke and Bandit still reported B311
    inside = finding("code", "bandit", "B311", path="bookmarks/tests/test_view.py", start=453, snippet=IN_HTML)
    assert suppression_diff(inside, FP) is None
    after = finding("code", "bandit", "B311", path="bookmarks/tests/test_view.py", start=458, snippet=IN_HTML)
    diff, _ = suppression_diff(after, FP)
    assert "+        seed = random.random()  # nosec B311" in diff
    whole = "class T:\n    def test_it(self):\n" + "".join(line.split(" ", 1)[1] + "\n" for line in IN_HTML.splitlines()[:8])
    code = {"path": "bookmarks/tests/test_view.py", "text": "\n".join(whole.splitlines()[4:7]), "start_line": 5, "file": whole}
    flagged = finding("code", "bandit", "B311", path="bookmarks/tests/test_view.py", start=6, snippet=None)
    assert suppression_diff(flagged, FP, code) is None  # the whole file shows the string around the reader's excerpt


def test_a_semgrep_suppression_uses_the_files_own_comment():
    js = "const token = jwt.sign(payload, key, { algorithm: 'none' });"
    f = finding("code", "semgrep", "javascript.jwt.security.jwt-none-alg", path="test/fixtures/jwt.js", start=4, end=4, snippet=js)
    diff, code = suppression_diff(f, FP)
    # past 79 characters the marker goes on its own line just above (Semgrep reads the line before a match too), so
    # the flagged line does not grow past a linter's limit (round 42: ruff's E501 at 100 rejected six suppressions)
    assert f"+// nosemgrep: javascript.jwt.security.jwt-none-alg\n {js}" in diff and f"-{js}" not in diff
    assert code.start_line == 4 and "@@ -4 +4,3 @@" in diff
    short = "const t = jwt.sign(p, k, o);"
    g = finding("code", "semgrep", "js.jwt-none", path="test/fixtures/jwt.js", start=4, end=4, snippet=short)
    assert f"+{short} // nosemgrep: js.jwt-none" in suppression_diff(g, FP)[0]  # one space, as gofmt and prettier write


def test_a_checkov_skip_goes_inside_the_flagged_resource():
    f = finding("config", "checkov", "CKV_AWS_18", path="examples/s3.tf", start=1, end=8, snippet=BUCKET)
    diff, _ = suppression_diff(f, {"verdict": "false_positive", "reasons": [{"check": "path", "evidence": "an example"}]})
    assert '\n resource "aws_s3_bucket" "data" {\n+  #checkov:skip=CKV_AWS_18:an example\n' in diff


def test_a_false_positive_row_carries_its_suppression_as_a_diff_the_evaluation_can_apply():
    """Through the dataset step: the stage-2 meta gets the code the diff applies to, so ``patch_applies`` scores it."""
    from datasets_rows import finding as row_finding
    from tasks.datasets import rows

    f = row_finding("t", tool="bandit", rule_id="B311", title="Standard pseudo-random generators",
                    location={"path": "tests/test_api.py", "start_line": 28, "end_line": 28}, snippet=BANDIT)
    _, (answer, source, fix_meta) = rows.apply_triage(f, {"narrative": "x", "sections": {}}, {}, FP, None,
                                                      (None, "no fix", {}), {"triage": "explain"})
    assert source == "suppression" and "```diff" in answer
    meta = rows.stage2_meta(f, {}, source, fix_meta, answer, None)
    assert meta["has_diff"] and meta["code"]["start_line"] == 27 and "27 " not in meta["code"]["text"]
    assert patch_applies(answer, meta) is True


def test_rows_whose_fix_is_a_diff_get_their_own_token_cap():
    from tasks.evaluation.generate import by_budget

    rows_ = [{"meta": {"has_diff": False}}, {"meta": {"has_diff": True}}, {}, {"meta": {"has_diff": True}}]
    assert by_budget([3, 0, 1, 2], rows_, 40, 288) == [(40, [0, 2]), (288, [3, 1])]
    assert by_budget([3, 0, 1, 2], rows_, 40, None) == [(40, [3, 0, 1, 2])]  # no patch cap: one cap for all


def test_a_changed_value_keeps_the_teams_comment_and_strings_with_hashes_stay_whole():
    lines = ['resource "aws_db_instance" "db" {', '  storage_encrypted = false # TODO: on in prod', '  name = "a#b"', '}']
    assert placed(lines, "storage_encrypted = true")[1] == "  storage_encrypted = true # TODO: on in prod"
    assert placed(lines, 'name = "a#b"') is None  # the '#' inside the string is no comment: the value is already so


def test_a_climbing_path_gets_no_diff():
    f = finding("code", "bandit", "B311", path="../other/t.py", start=28, snippet=BANDIT)
    assert suppression_diff(f, FP) is None
    g = finding("config", "checkov", "CKV_AWS_20", path="a/../../s3.tf", start=3, end=10, snippet=BUCKET)
    assert setting_diff(g, 'acl = "private"') is None


def test_the_reason_above_the_line_names_no_line_number_the_comment_itself_moved_and_closes_its_brackets():
    rec = {"verdict": "false_positive", "reasons": [{"check": "code", "evidence":
           "harmless in test code: the value at line 28 makes a product name for the fixture (pseudo-random data that no "
           "attacker sees, as the test module's factories (line 12"}]}
    f = finding("code", "bandit", "B311", path="tests/test_api.py", start=28, snippet=BANDIT)
    diff, _ = suppression_diff(f, rec)
    comment = next(l for l in diff.splitlines() if l.startswith("+        # "))
    assert "line 28" not in comment and "on the next line" in comment
    assert comment.count("(") == comment.count(")")


def test_a_checkov_skip_in_a_json_template_goes_to_the_config_not_into_the_json():
    from tasks.fixes.suppression import suppression_for

    f = finding("config", "checkov", "CKV_SECRET_6", path="bin/convertSettings.json.template", start=8, snippet='"password": "x"')
    lang, block = suppression_for(f, FP)
    assert lang == "yaml" and block.startswith("# .checkov.yaml") and "#checkov:skip" not in block


def test_a_suppression_whose_hunk_ends_on_a_blank_line_still_applies():
    """The last context line of a hunk can be a blank line (" "): stripping the answer's diff cut it, and the hunk
    no longer matched its header (found in review of this change)."""
    snip = "27     def f(self):\n28         x = random.randint(0, 9)\n29 \n30         return x\n31 "
    f = finding("code", "bandit", "B311", path="tests/t.py", start=28, snippet=snip)
    diff, code = suppression_diff(f, FP)
    assert diff.endswith("\n \n")
    answer = suppression_answer(f, FP, diff)
    assert patch_applies(answer, {"has_diff": True, "code": code.as_meta(), "path": "tests/t.py"}) is True


def test_a_checkov_skip_takes_the_blocks_own_indentation():
    four = BUCKET.replace("\n  ", "\n    ")
    f = finding("config", "checkov", "CKV_AWS_18", path="examples/s3.tf", start=1, end=8, snippet=four)
    diff, _ = suppression_diff(f, {"verdict": "false_positive", "reasons": [{"check": "path", "evidence": "an example"}]})
    assert "\n+    #checkov:skip=CKV_AWS_18:an example\n" in diff


def test_a_reason_naming_the_flagged_line_keeps_its_subject_and_a_long_one_ends_on_a_word():
    # round 25: "an import only: on the next line imports the module" and a reason cut at "... before line"
    from tasks.fixes.suppression import justification

    rec = {"verdict": "false_positive", "reasons": [{"check": "code", "evidence": "an import only: app/x.py:28 imports the "
                                                    "module, and each call is judged by its own finding"}]}
    f = finding("code", "bandit", "B404", path="app/x.py", start=28, snippet=BANDIT)
    diff, _ = suppression_diff(f, rec)
    assert "an import only: the next line imports the module" in diff and "only: on the next line" not in diff
    long = ("a pseudo-random value used only to build a sample name for the fixture that the test creates and compares "
            "before line 40 of the expected output")
    cut = justification({"reasons": [{"check": "code", "evidence": long}]})
    assert cut.endswith("creates and compares") and len(cut) <= 110


def test_a_line_of_a_string_opened_above_a_short_snippet_gets_no_comment():
    # a reviewer's input: Bandit's three context lines leave out the line that opens the f-string
    text = "452                 <tr>\n453                 <td>{get_version_info(random.random())}</td>\n454             </tr>\n"
    assert suppression_diff(finding("code", "bandit", "B311", path="tests/test_view.py", start=453, snippet=text), FP) is None
    ok = "12     if True:\n13         seed = random.random()\n14     x = 1\n"  # a fragment whose flagged line is a statement
    assert suppression_diff(finding("code", "bandit", "B311", path="tests/test_view.py", start=13, snippet=ok), FP)


def test_quotes_added_around_an_expression_already_inside_a_quoted_attribute_are_refused():
    # round 26 (SearXNG base.html:56): semgrep's template-unquoted-attribute-var autofix quoted a value that was inside
    # href="...", closing the attribute before it: the fix itself made `x onmouseover=alert(1)` an event handler
    from tasks.fixes.scanner_fixes import requoted, review

    before = ['<a href="{{ url_for(\'preferences\') }}?preferences={{ request.args.get(\'preferences\') }}&x=1">']
    after = ['<a href="{{ url_for(\'preferences\') }}?preferences="{{ request.args.get(\'preferences\')}}"&x=1">']
    assert requoted(before, after)
    assert "already sits inside a quoted attribute" in review("xss", before, after)[0]
    bare = ["<a href={{ link }}>"]  # really unquoted: the quotes are the fix
    assert not requoted(bare, ['<a href="{{ link }}">']) and review("xss", bare, ['<a href="{{ link }}">'])[0] is None
