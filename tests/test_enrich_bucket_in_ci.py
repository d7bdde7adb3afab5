"""A bucket's "In this configuration" says what the project's CI puts in it (round 8 stage-1 rows 26 and 29: the bare
CKV_AWS_18 / CKV2_AWS_6 template for AWSGoat's bucket_tf_files, which CI writes terraform.tfstate to): the CI lines
are read from the checkout at the run's commit (tasks.datasets.sources), matched on the literal part of the name."""

import subprocess

from tasks.datasets.sources import Source
from tasks.enrich.iac_context import facts

TF = '''/* Creating a S3 Bucket for Terraform state file upload. */
resource "aws_s3_bucket" "bucket_tf_files" {
  bucket        = "do-not-delete-awsgoat-state-files-${data.aws_caller_identity.current.account_id}"
  force_destroy = true
}

resource "aws_s3_bucket" "other" {
  bucket = "awsgoat-other-bucket-${data.aws_caller_identity.current.account_id}"
}
'''
APPLY = '''name: Terraform Apply
on: workflow_dispatch
jobs:
  apply:
    runs-on: ubuntu-latest
    steps:
      - name: Check state
        run: |
          aws s3api head-object --bucket do-not-delete-awsgoat-state-files-${{ env.ACCOUNT_ID }} --key terraform.tfstate
      - name: Apply
        run: terraform apply -auto-approve
      - name: Store state
        run: |
          aws s3 cp ./terraform.tfstate s3://do-not-delete-awsgoat-state-files-${{ env.ACCOUNT_ID }}/terraform.tfstate
'''
TITLE = "Ensure the S3 bucket has access logging enabled"


def _finding(name, commit):
    return {"id": "f1", "tool": "checkov", "rule_id": "CKV_AWS_18", "kind": "config", "severity": "medium", "title": TITLE,
            "description": f"{TITLE} (resource aws_s3_bucket.{name}, framework terraform)",
            "location": {"path": "modules/module-1/main.tf", "start_line": 2, "end_line": 5}, "snippet": TF,
            "last_seen": {"commit": commit}}


def _repo(tmp_path):
    repo = tmp_path / "repo"
    (repo / "modules/module-1").mkdir(parents=True)
    (repo / ".github/workflows").mkdir(parents=True)
    (repo / "modules/module-1/main.tf").write_text(TF)
    (repo / ".github/workflows/tf-apply-main.yml").write_text(APPLY)
    git = ["git", "-C", str(repo), "-c", "user.email=t@example.com", "-c", "user.name=t"]
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "state bucket"], check=True)
    return repo, subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()


def test_the_bucket_ci_writes_the_terraform_state_to_says_so(tmp_path):
    repo, commit = _repo(tmp_path)
    code = Source(str(repo), None, 3).code(_finding("bucket_tf_files", commit))
    assert code is not None and len(code["ci"]) == 2
    said = facts(_finding("bucket_tf_files", commit), code["file"], code["ci"])
    assert said and said[0].startswith(".github/workflows/tf-apply-main.yml:14 writes the Terraform state into it")
    assert "database passwords and keys" in said[0]
    assert not facts(_finding("other", commit), code["file"], code["ci"])  # CI never names that bucket
    assert not facts(_finding("bucket_tf_files", commit), code["file"], None)  # no checkout: nothing said
