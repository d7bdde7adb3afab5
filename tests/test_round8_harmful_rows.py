"""The two stage-2 rows a blind review (round 8) graded harmful stay fixed, checked on the row itself, not only on
the verdict: a B104 in a file a Dockerfile runs, which the README also starts on the host, is not suppressed; and a
public access block for an access-log bucket never tells the reader to make its log-delivery-write ACL private."""

from test_triage_containers import Files, finding

from tasks.datasets import rows
from tasks.enrich.iac_context import facts
from tasks.fixes import fix_for
from tasks.triage.verdict import Judge

APP = '''from config import vuln_app
import os

vuln = int(os.getenv('vulnerable', 1))
alive = int(os.getenv('tokentimetolive', 60))


# start the app with port 5000 and debug on!
if __name__ == '__main__':
    vuln_app.run(host='0.0.0.0', port=5000, debug=True)
'''
DOCKERFILE = '''FROM python:3.11-alpine
COPY . /vampi
WORKDIR /vampi
ENV vulnerable=1
ENTRYPOINT ["python"]
CMD ["app.py"]
'''
README = '''# VAmPI

## Run it
It is a Flask application so in order to run it you can install all requirements and then run the `app.py`.
To install all requirements simply run `pip3 install -r requirements.txt` and then `python3 app.py`.

Or if you prefer you can also run it through docker or docker compose.
'''


def _b104_row(files):
    f = finding(location={"path": "app.py", "start_line": 10, "end_line": 10},
                snippet="10     vuln_app.run(host='0.0.0.0', port=5000, debug=True)\n", cwe=["CWE-605"])
    repo = Files(files)
    rec = Judge(reader=repo, imports=repo).judge(f)
    code = {"path": "app.py", "text": APP, "start_line": 1}
    fixed = fix_for(f, ["CWE-605"], code)
    _, (answer, source, _) = rows.apply_triage(f, {"narrative": "x", "sections": {}}, {}, rec, None, fixed,
                                               {"triage": "explain"}, code)
    return rec, answer, source


def test_a_bind_all_that_the_readme_also_runs_on_the_host_is_not_suppressed():
    rec, answer, source = _b104_row({"app.py": APP, "Dockerfile": DOCKERFILE, "README.md": README})
    assert rec["verdict"] == "needs_review"
    assert source != "suppression" and "nosec" not in (answer or "")
    assert not (answer or "").startswith("False positive")
    if answer:  # the reader is told what decides it before any change
        assert answer.startswith("Check first:") and "README.md:5 starts it directly" in answer


def test_the_same_file_only_in_a_container_is_suppressed_with_the_dockerfile_as_the_reason():
    rec, answer, source = _b104_row({"app.py": APP, "Dockerfile": DOCKERFILE, "README.md": "# VAmPI\n\nRun it with docker compose up.\n"})
    assert rec["verdict"] == "false_positive" and source == "suppression"
    assert "Dockerfile:6 runs app.py" in answer and "# nosec B104" in answer


LOGS = '''resource "aws_s3_bucket" "main" {
  bucket_prefix = var.name
  acl    = "private"

  dynamic "logging" {
    for_each = var.no_logging ? [] : tolist([var.no_logging])

    content {
      target_bucket = aws_s3_bucket.logging[0].id
      target_prefix = var.name
    }
  }
}

resource "aws_s3_bucket" "logging" {
  bucket_prefix = var.name
  acl    = var.bucket_acl
  force_destroy = true

  count = var.no_logging ? 0 : 1
}
'''
LOG_BUCKET = LOGS[LOGS.index('resource "aws_s3_bucket" "logging"'):]


def test_a_public_access_block_for_a_log_bucket_keeps_its_log_delivery_acl():
    title = "Ensure that S3 bucket has a Public Access block"
    f = {"id": "f1", "tool": "checkov", "rule_id": "CKV2_AWS_6", "kind": "config", "severity": "medium", "title": title,
         "description": f"{title} (resource module.s3.aws_s3_bucket.logging, framework terraform)",
         "location": {"path": "modules/aws/s3/main.tf", "start_line": 15, "end_line": 21}, "snippet": LOG_BUCKET}
    answer, source, _ = fix_for(f, [], {"path": "modules/aws/s3/main.tf", "text": LOG_BUCKET, "start_line": 15, "file": LOGS})
    assert source == "config-setting" and "block_public_acls       = true" in answer
    assert "make it private" not in answer and "private in the same change" not in answer
    assert "log-delivery-write, which an access-log bucket needs, is not public and stays" in answer
    assert "aws_s3_bucket.logging[count.index].id" in answer
    said = " ".join(facts(f, LOGS))  # stage 1 names what the bucket is for
    assert "receives the access logs of aws_s3_bucket.main" in said and "or the logs stop" in said
