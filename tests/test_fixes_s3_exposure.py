"""An S3 fix read with the whole Terraform file (tasks.fixes.s3_exposure): a private ACL does not close a bucket whose
policy allows Principal "*" or whose objects are uploaded public-read, and a bucket that already has a public access
block gets its flags turned on, not a second block."""

from tasks.enrich.iac_file_fix import refit
from tasks.fixes import fix_for

BUCKET = '''resource "aws_s3_bucket" "dev" {
  bucket = "dev-blog-awsgoat-bucket-${data.aws_caller_identity.current.account_id}"

  tags = {
    Name        = "Development bucket"
    Environment = "Dev"
  }
}'''
FILE = '''terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.24.0"
    }
  }
}

''' + BUCKET + '''

resource "aws_s3_bucket_public_access_block" "dev" {
  bucket = aws_s3_bucket.dev.id

  block_public_acls       = false
  block_public_policy     = false
  ignore_public_acls      = false
  restrict_public_buckets = false
}

resource "aws_s3_bucket_acl" "dev" {
  depends_on = [aws_s3_bucket_public_access_block.dev]

  bucket = aws_s3_bucket.dev.id
  acl    = "public-read"
}

resource "aws_s3_bucket_policy" "allow_access_for_dev" {
  bucket = aws_s3_bucket.dev.bucket
  policy = data.aws_iam_policy_document.allow_get_list_access.json
}

data "aws_iam_policy_document" "allow_get_list_access" {
  statement {
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
    actions   = ["s3:GetObject", "s3:ListBucket"]
    resources = [aws_s3_bucket.dev.arn, "${aws_s3_bucket.dev.arn}/*"]
  }
}

resource "aws_s3_object" "upload_folder_dev" {
  for_each = fileset("./resources/s3/webfiles/build/", "**")
  bucket   = aws_s3_bucket.dev.bucket
  key      = each.value
  acl      = "public-read"
  source   = "./resources/s3/webfiles/build/${each.value}"
}
'''
POLICY = FILE.index('resource "aws_s3_bucket_policy"')
OBJECT = FILE.index('resource "aws_s3_object"')
PLAIN = FILE[:POLICY]  # the bucket, its block and its ACL only
OBJECT_AT, ACL_AT = 'resource "aws_s3_object"', 'resource "aws_s3_bucket_acl"'


def _line(text, what):
    return text[:text.index(what)].count("\n") + 1


def _finding(rule, title):
    return {"id": "f1", "tool": "checkov", "rule_id": rule, "kind": "config", "severity": "medium", "title": title,
            "description": f"{title} (resource aws_s3_bucket.dev, framework terraform)",
            "location": {"path": "modules/module-1/main.tf", "start_line": 10, "end_line": 17}, "snippet": BUCKET}


ACL = ("CKV_AWS_20", "S3 Bucket has an ACL defined which allows public READ access.")
PAB = ("CKV2_AWS_6", "Ensure that S3 bucket has a Public Access block")


def _fix(rule, text):
    return fix_for(_finding(*rule), [], {"path": "modules/module-1/main.tf", "text": BUCKET, "start_line": 10, "file": text})


def test_a_private_acl_says_the_policy_and_the_public_objects_keep_the_bucket_open():
    answer, source, _ = _fix(ACL, FILE)
    assert source == "config-setting" and 'acl = "private"' in answer
    policy = _line(FILE, 'resource "aws_s3_bucket_policy"')
    assert "Changing the ACL alone does not close the bucket" in answer
    assert f"aws_s3_bucket_policy.allow_access_for_dev (line {policy}) allows Principal `*`" in answer
    assert "data.aws_iam_policy_document.allow_get_list_access" in answer
    assert f"aws_s3_object.upload_folder_dev (line {_line(FILE, OBJECT_AT)})" in answer
    assert "Remove the public statement from the policy" in answer and "stays readable by anyone" in answer
    # "goes offline" only once nothing else grants access
    assert "Once nothing grants public access, a bucket that serves a public website" in answer


def test_the_acl_fix_names_only_what_the_file_shows():
    objects_only = PLAIN + FILE[OBJECT:]
    answer = _fix(ACL, objects_only)[0]
    assert "allows Principal" not in answer and "aws_s3_object.upload_folder_dev" in answer
    assert "Drop the objects' `acl`" in answer
    alone = _fix(ACL, PLAIN)[0]
    assert "does not close the bucket" not in alone and alone.count("goes offline") == 1
    # a policy for a service principal is not public
    service = FILE.replace('type        = "AWS"\n      identifiers = ["*"]',
                           'type        = "Service"\n      identifiers = ["logging.s3.amazonaws.com"]')
    assert "allows Principal" not in _fix(ACL, service)[0]


def test_an_existing_public_access_block_gets_its_flags_turned_on_not_a_second_block():
    answer, source, _ = _fix(PAB, FILE)
    line = _line(FILE, 'resource "aws_s3_bucket_public_access_block"')
    assert source == "config-setting"
    assert f"already has a public access block, aws_s3_bucket_public_access_block.dev (modules/module-1/main.tf:{line})" in answer
    assert 'resource "aws_s3_bucket_public_access_block"' not in answer  # no duplicate resource
    assert "block_public_acls       = true" in answer and "restrict_public_buckets = true" in answer
    # what the change makes fail: the public ACL, the public-read uploads, the public policy
    assert f"aws_s3_bucket_acl.dev (line {_line(FILE, ACL_AT)}, `acl = \"public-read\"`)" in answer
    assert "aws_s3_object.upload_folder_dev" in answer and "aws_s3_bucket_policy.allow_access_for_dev" in answer
    # without a block in the file, the new resource is still the fix
    none = FILE.replace('resource "aws_s3_bucket_public_access_block" "dev"', 'resource "aws_s3_bucket_ownership_controls" "dev"')
    assert 'resource "aws_s3_bucket_public_access_block" "dev"' in _fix(PAB, none)[0]


def test_a_block_already_on_or_set_from_variables_gives_no_row():
    on = FILE.replace("= false", "= true")
    assert _fix(PAB, on)[0] is None and "already turns every setting on" in _fix(PAB, on)[1]
    from_var = FILE.replace("block_public_acls       = false", "block_public_acls       = var.block_acls")
    assert _fix(PAB, from_var)[0] is None


def test_the_account_block_is_named_when_the_file_has_one():
    account = ('\nresource "aws_s3_account_public_access_block" "all" {\n  block_public_acls       = true\n'
               '  block_public_policy     = true\n  ignore_public_acls      = true\n  restrict_public_buckets = true\n}\n')
    none = PLAIN.replace('resource "aws_s3_bucket_public_access_block" "dev"', 'resource "aws_s3_bucket_ownership_controls" "dev"')
    answer = _fix(PAB, none + account)[0]
    assert "aws_s3_account_public_access_block.all (line" in answer and "already blocks public access for every bucket" in answer


def test_stage_one_says_the_existing_block_is_off():
    from tasks.enrich.iac_reach import config_setting

    f = _finding(*PAB)
    answer = _fix(PAB, FILE)[0]
    ev = config_setting(f, answer)
    assert ev is not None and "has a public access block, aws_s3_bucket_public_access_block.dev" in ev.text
    assert "`block_public_acls = false`" in ev.text
    blind = fix_for(f, [])[0]  # the narrative's fix, written without the file: a second block
    assert 'resource "aws_s3_bucket_public_access_block"' in blind
    narrative = {"narrative": f"## Verdict\nTrue positive.\n\n## How to fix it\n- {blind}", "sections": {"remediation": blind}}
    redone = refit(f, narrative, {"path": "modules/module-1/main.tf", "text": BUCKET, "start_line": 10, "file": FILE})
    assert "already has a public access block" in redone["narrative"] and blind not in redone["narrative"]


def test_a_public_policy_without_public_objects_names_only_the_policy():
    policy_only = FILE[:OBJECT]
    answer = _fix(ACL, policy_only)[0]
    assert "allows Principal `*`" in answer and "drop the objects' `acl`" not in answer
    assert "set `restrict_public_buckets` to true in aws_s3_bucket_public_access_block.dev" in answer


def test_a_bucket_nothing_opens_is_told_the_block_changes_nothing_that_works():
    state = ('resource "aws_s3_bucket" "bucket_tf_files" {\n  bucket        = "do-not-delete-state-${var.account}"\n'
             '  force_destroy = true\n}\n')
    f = dict(_finding(*PAB), description=f"{PAB[1]} (resource aws_s3_bucket.bucket_tf_files, framework terraform)",
             snippet=state)
    answer = fix_for(f, [], {"path": "modules/module-1/main.tf", "text": state, "start_line": 1, "file": state})[0]
    assert "Nothing in this file makes aws_s3_bucket.bucket_tf_files public" in answer
    assert "stops serving them" not in answer
    # a variable ACL, a policy or a public object: the file may open it, the plain caveat stays
    for opened in (state.replace("force_destroy", 'acl = var.bucket_acl\n  force_destroy'),
                   state + 'resource "aws_s3_bucket_policy" "p" {\n  bucket = aws_s3_bucket.bucket_tf_files.id\n'
                           '  policy = data.aws_iam_policy_document.p.json\n}\n',
                   state + 'resource "aws_s3_object" "o" {\n  bucket = aws_s3_bucket.bucket_tf_files.id\n  key = "x"\n'
                           '  acl    = "public-read"\n}\n'):
        said = fix_for(dict(f, snippet=opened), [], {"path": "m.tf", "text": opened, "start_line": 1, "file": opened})[0]
        assert "Nothing in this file" not in said and "stops serving them" in said
