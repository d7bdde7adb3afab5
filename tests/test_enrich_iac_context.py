"""The "In this configuration" facts of a Checkov Terraform finding, read from the whole file (tasks.enrich.iac_context):
per kind of resource, a fact the file shows is said and one it does not show is not invented."""

from tasks.enrich.iac_context import HEADING, add, facts


def _finding(rule, resource, title="a Checkov check"):
    return {"id": "f1", "tool": "checkov", "rule_id": rule, "kind": "config", "severity": "medium", "title": title,
            "description": f"{title} (resource {resource}, framework terraform)",
            "location": {"path": "modules/ec2/main.tf", "start_line": 5, "end_line": 9}, "snippet": "resource {}"}


SG = '''# a comment first: the root then holds the comment and the body
resource "aws_security_group" "web" {
  ingress {
    from_port   = 21
    to_port     = 25
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
'''
USES_SG = '''
resource "aws_instance" "app" {
  ami                    = "ami-123"
  vpc_security_group_ids = [aws_security_group.web.id]
}
'''


def test_a_security_group_names_who_attaches_it_and_the_services_its_range_opens():
    found = facts(_finding("CKV_AWS_24", "module.ec2.aws_security_group.web"), SG + USES_SG)
    assert any("attached to aws_instance.app (line" in x for x in found)
    assert any("tcp 21-25" in x and "FTP (21), SSH (22), Telnet (23), SMTP (25) and 1 other port." in x for x in found)
    alone = facts(_finding("CKV_AWS_24", "aws_security_group.web"), SG)
    assert not any("attached to" in x for x in alone)
    assert any(x.startswith("No resource in modules/ec2/main.tf attaches aws_security_group.web") for x in alone)
    # a single open port names no range
    single = SG.replace("from_port   = 21", "from_port   = 25")
    assert not any("tcp " in x for x in facts(_finding("CKV_AWS_24", "aws_security_group.web"), single))


INSTANCE = '''data "aws_ami" "ubuntu" {
  most_recent = true
  filter {
    name   = "name"
    values = ["ubuntu/images/hvm-ssd/ubuntu-bionic-18.04-amd64-server*"]
  }
  owners = ["099720109477"]
}

resource "aws_instance" "main" {
  ami       = data.aws_ami.ubuntu.id
  user_data = "[REDACTED secret sha256:e33f24fe974c]"
}
'''


def test_an_instance_names_its_ami_and_its_user_data_only_when_the_file_has_them():
    found = facts(_finding("CKV_AWS_79", "module.ec2.aws_instance.main"), INSTANCE)
    assert any("data.aws_ami.ubuntu (line 1)" in x and "ubuntu-bionic-18.04" in x for x in found)
    assert any("sets `user_data`" in x and "169.254.169.254/latest/user-data" in x for x in found)
    assert not any("Amazon Linux" in x for x in found)  # the Amazon Linux remark is for an amzn2 image only
    bare = INSTANCE.replace('  user_data = "[REDACTED secret sha256:e33f24fe974c]"\n', "").replace(
        "data.aws_ami.ubuntu.id", '"ami-0abc"')
    plain = facts(_finding("CKV_AWS_79", "aws_instance.main"), bare)
    assert not any("sets `user_data`" in x or "AMI that" in x for x in plain)
    assert any("sets no `user_data`" in x for x in plain)
    ebs = facts(_finding("CKV_AWS_8", "aws_instance.main"), INSTANCE)
    assert any("does not share encrypted AMIs publicly" in x for x in ebs)
    assert any("neither `root_block_device` nor `ebs_block_device`" in x for x in ebs)
    disk = INSTANCE.replace("  ami ", "  root_block_device {\n    volume_size = 8\n  }\n  ami ")
    assert not any("neither" in x for x in facts(_finding("CKV_AWS_8", "aws_instance.main"), disk))


BUCKET = '''resource "aws_s3_bucket" "dev" {
  bucket = "dev-blog"
}

resource "aws_s3_bucket_acl" "dev" {
  bucket = aws_s3_bucket.dev.id
  acl    = "public-read"
}
'''
PUBLIC_POLICY = '''
resource "aws_s3_bucket_policy" "dev" {
  bucket = aws_s3_bucket.dev.bucket
  policy = data.aws_iam_policy_document.get.json
}
data "aws_iam_policy_document" "get" {
  statement {
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
    actions = ["s3:GetObject"]
  }
}
resource "aws_s3_object" "page" {
  bucket = aws_s3_bucket.dev.id
  key    = "index.html"
  acl    = "public-read"
}
'''


def test_a_bucket_names_its_objects_acl_and_a_public_policy_and_no_policy_it_does_not_have():
    found = facts(_finding("CKV_AWS_20", "aws_s3_bucket.dev"), BUCKET + PUBLIC_POLICY)
    assert any("aws_s3_object.page (key \"index.html\", acl \"public-read\")" in x for x in found)
    assert any('aws_s3_bucket_acl.dev (line 5) gives it `acl = "public-read"`' in x for x in found)
    assert any("allows Principal `*`" in x and "an ACL change alone does not close the bucket" in x for x in found)
    # cloudgoat: a public access block that restricts public buckets already refuses anonymous callers
    block = ('resource "aws_s3_bucket_public_access_block" "dev" {\n  bucket = aws_s3_bucket.dev.id\n'
             '  restrict_public_buckets = true\n}\n')
    found = facts(_finding("CKV_AWS_20", "aws_s3_bucket.dev"), BUCKET + PUBLIC_POLICY + block)
    policy = next(x for x in found if "allows Principal `*`" in x)
    assert "but aws_s3_bucket_public_access_block.dev (line " in policy and "does not close" not in policy
    plain = facts(_finding("CKV_AWS_20", "aws_s3_bucket.dev"), BUCKET)
    assert not any("policy" in x or "uploads" in x for x in plain)
    # a policy whose only `*` statement denies is not public
    deny = PUBLIC_POLICY.replace("  statement {\n", '  statement {\n    effect = "Deny"\n')
    assert not any("Principal `*`" in x for x in facts(_finding("CKV_AWS_20", "aws_s3_bucket.dev"), BUCKET + deny))


LOGS = '''resource "aws_s3_bucket" "main" {
  dynamic "logging" {
    for_each = [1]
    content {
      target_bucket = aws_s3_bucket.logging[0].id
    }
  }
}

resource "aws_s3_bucket" "logging" {
  acl   = var.bucket_acl
  count = 1
}
'''


def test_a_log_delivery_target_is_named_and_never_called_public():
    found = facts(_finding("CKV2_AWS_6", "module.s3.aws_s3_bucket.logging"), LOGS)
    assert any("receives the access logs of aws_s3_bucket.main" in x and "or the logs stop" in x for x in found)
    assert not any("receives the access logs" in x for x in facts(_finding("CKV2_AWS_6", "aws_s3_bucket.main"), LOGS))


DB = '''resource "aws_db_instance" "main" {
  engine               = "mysql"
  engine_version       = "8.0"
  password             = var.db_password
  publicly_accessible  = true
}
'''


def test_a_database_names_its_engine_and_where_its_password_comes_from():
    found = facts(_finding("CKV_AWS_16", "aws_db_instance.main"), DB)
    assert any('`engine = "mysql"`, `engine_version = "8.0"`, `publicly_accessible = true`' in x for x in found)
    assert "The master password of aws_db_instance.main comes from `var.db_password`." in found
    old_syntax = facts(_finding("CKV_AWS_16", "aws_db_instance.main"), DB.replace("var.db_password", '"${var.rds-password}"'))
    assert "The master password of aws_db_instance.main comes from `var.rds-password`." in old_syntax
    assert not any("literal" in x for x in old_syntax)
    literal = facts(_finding("CKV_AWS_16", "aws_db_instance.main"), DB.replace("var.db_password", '"foobarbaz"'))
    assert any("literal in the file" in x for x in literal) and not any("foobarbaz" in x for x in literal)
    bare = facts(_finding("CKV_AWS_16", "aws_db_instance.main"), 'resource "aws_db_instance" "main" {\n  engine = "postgres"\n}\n')
    assert not any("password" in x or "engine_version" in x or "publicly" in x for x in bare)


def test_the_section_goes_ahead_of_the_narrative_only_with_the_file():
    f = _finding("CKV_AWS_16", "aws_db_instance.main")
    narrative = {"narrative": "## How to fix it\n- set storage_encrypted", "sections": {}}
    out = add(f, narrative, {"file": DB})
    assert out["narrative"].startswith(f"{HEADING}\n- aws_db_instance.main runs") and out["narrative"].endswith("storage_encrypted")
    assert add(f, narrative, {"text": DB}) is narrative  # no whole file: nothing said
    assert add(dict(f, tool="trivy"), narrative, {"file": DB}) is narrative
    assert add(f, narrative, {"file": 'resource "aws_db_instance" "other" {\n  engine = "mysql"\n}\n'}) is narrative


TRAIL = '''resource "aws_s3_bucket" "logging" {
  count = 1
}

resource "aws_s3_bucket_policy" "trail" {
  bucket = aws_s3_bucket.logging[0].id
  policy = <<POLICY
{"Statement": [{"Effect": "Allow", "Principal": { "Service": "cloudtrail.amazonaws.com" }, "Action": "s3:PutObject"}]}
POLICY
}

resource "aws_cloudtrail" "main" {
  name           = "trail"
  s3_bucket_name = aws_s3_bucket.logging[0].bucket
}
'''


def test_a_trail_bucket_names_the_trail_and_the_service_its_policy_admits():
    found = facts(_finding("CKV_AWS_21", "module.cloudtrail.aws_s3_bucket.logging"), TRAIL)
    assert any("grants access to the service principal cloudtrail.amazonaws.com." in x for x in found)
    assert any(x.startswith("aws_cloudtrail.main (line 12) delivers its trail into it") for x in found)
    assert not any("Principal `*`" in x for x in found)
    other = TRAIL.replace("s3_bucket_name = aws_s3_bucket.logging[0].bucket", 's3_bucket_name = "elsewhere"')
    assert not any("aws_cloudtrail" in x for x in facts(_finding("CKV_AWS_21", "aws_s3_bucket.logging"), other))
