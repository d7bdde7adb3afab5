"""Terraform fixes read with the whole file: the companion aws_s3_bucket_acl, the AWS provider pin (tasks.fixes.iac_file),
and the stage-1 fix redone with it (tasks.enrich.iac_file_fix)."""

from tasks.enrich.iac_file_fix import refit
from tasks.fixes import fix_for
from tasks.fixes.iac_refs import split_note

BUCKET = 'resource "aws_s3_bucket" "dev" {\n  bucket = "dev-blog"\n}'
FILE = '''terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "PIN"
    }
  }
}

resource "aws_s3_bucket" "dev" {
  bucket = "dev-blog"
}

resource "aws_s3_bucket_acl" "dev" {
  bucket = aws_s3_bucket.dev.id
  acl    = "public-read"
}
'''


def _finding(rule, title, snippet=BUCKET, resource="aws_s3_bucket.dev"):
    return {"id": "f1", "tool": "checkov", "rule_id": rule, "kind": "config", "severity": "medium", "title": title,
            "description": f"{title} (resource {resource}, framework terraform)",
            "location": {"path": "main.tf", "start_line": 10, "end_line": 12}, "snippet": snippet}


ACL = ("CKV_AWS_20", "S3 Bucket has an ACL defined which allows public READ access.")
VERSIONING = ("CKV_AWS_21", "Ensure all data stored in the S3 bucket have versioning enabled")


def test_the_public_acl_is_changed_in_the_aws_s3_bucket_acl_that_sets_it():
    code = {"path": "main.tf", "text": BUCKET, "start_line": 10, "file": FILE.replace("PIN", "~> 5.24.0")}
    answer, source, _ = fix_for(_finding(*ACL), [], code)
    assert source == "config-setting" and "main.tf:14-17 (resource aws_s3_bucket_acl.dev" in answer
    assert 'acl = "private"' in answer
    # without the file there is no row: an inline acl on the bucket would fight the separate resource
    assert fix_for(_finding(*ACL), [], None)[0] is None
    # a companion with a private ACL is not what fails: nothing to change there
    private = {**code, "file": code["file"].replace('"public-read"', '"private"')}
    assert fix_for(_finding(*ACL), [], private)[0] is None


def test_the_provider_pin_decides_what_the_caveat_says():
    f = _finding(*VERSIONING)
    old = fix_for(f, [], {"path": "main.tf", "text": BUCKET, "start_line": 10, "file": FILE.replace("PIN", "~> 3.27")})[0]
    assert "pins the AWS provider to `~> 3.27`" in old and "terraform init -upgrade" in old
    new = fix_for(f, [], {"path": "main.tf", "text": BUCKET, "start_line": 10, "file": FILE.replace("PIN", "~> 5.24.0")})[0]
    assert "3.75.0" not in new and "Versioning keeps every overwritten object" in new
    assert "has no release with this resource" in split_note("3.50.0", "x") and split_note("not a pin", "x") is None


def test_the_stage1_fix_is_redone_with_the_file_and_left_alone_without_it():
    f = _finding(*ACL)
    code = {"path": "main.tf", "text": BUCKET, "start_line": 10, "file": FILE.replace("PIN", "~> 5.24.0")}
    narrative = {"narrative": "", "sections": {}, "cwe": []}
    done = refit(f, narrative, code)
    assert done["narrative"].startswith("## How to fix it\n- ") and "aws_s3_bucket_acl.dev" in done["sections"]["remediation"]
    assert refit(f, narrative, {k: v for k, v in code.items() if k != "file"}) is narrative


GROUP = '''resource "aws_security_group" "web" {
  name = "web"

  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  ingress {
    from_port   = 0
    to_port     = 0
    protocol    = "icmp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = -1
    cidr_blocks = ["0.0.0.0/0"]
  }
}'''
SSH = ("CKV_AWS_24", "Ensure no security groups allow ingress from 0.0.0.0:0 to port 22")


def test_a_port_fix_names_the_ingress_rule_that_lets_the_port_in():
    f = _finding(*SSH, snippet=GROUP, resource="aws_security_group.web")
    answer = fix_for(f, [])[0]
    assert "in the ingress rule at line 13 of main.tf:10-12" in answer and "cidr_blocks = [var.admin_cidr]" in answer
    assert "`TF_VAR_admin_cidr`" in answer and "argument of the `module` block" in answer  # where to give it a value
    every = GROUP.replace('from_port   = 22\n    to_port     = 22\n    protocol    = "tcp"',
                          'from_port   = 0\n    to_port     = 0\n    protocol    = -1')
    assert "every protocol and port" in fix_for(_finding(*SSH, snippet=every, resource="aws_security_group.web"), [])[0]


def test_no_port_fix_for_an_icmp_only_group_or_an_ipv6_rule():
    icmp = GROUP.split("  ingress {", 2)
    icmp_only = icmp[0] + "  ingress {" + icmp[2]
    answer, reason, _ = fix_for(_finding(*SSH, snippet=icmp_only, resource="aws_security_group.web"), [])
    assert answer is None and "ICMP rule has no ports" in reason
    v6 = GROUP.replace('cidr_blocks = ["0.0.0.0/0"]\n  }\n\n  ingress', 'ipv6_cidr_blocks = ["::/0"]\n  }\n\n  ingress', 1)
    assert "IPv6" in fix_for(_finding(*SSH, snippet=v6, resource="aws_security_group.web"), [])[1]


LB_FILE = '''resource "aws_security_group" "lb" {
  ingress {
    from_port   = 80
    to_port     = 80
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_alb" "app" {
  internal        = false
  security_groups = [aws_security_group.lb.id]
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_alb.app.id
  port              = "80"
  protocol          = "HTTP"
}
'''
HTTP = ("CKV_AWS_260", "Ensure no security groups allow ingress from 0.0.0.0:0 to port 80")


def test_port_80_of_a_public_load_balancer_is_kept_and_redirected():
    from tasks.enrich.iac_reach import config_setting

    group = LB_FILE.split("\n\n")[0]
    f = _finding(*HTTP, snippet=group, resource="aws_security_group.lb")
    answer = fix_for(f, [], {"path": "main.tf", "text": group, "start_line": 1, "file": LB_FILE})[0]
    assert "load balancer aws_alb.app (main.tf:10)" in answer and "aws_lb_listener.http (main.tf:15)" in answer
    assert 'type = "redirect"' in answer and "var.http_source_cidr" not in answer
    assert "how the public reaches the site" in config_setting(f, answer).text
    internal = LB_FILE.replace("internal        = false", "internal        = true")
    other = fix_for(f, [], {"path": "main.tf", "text": group, "start_line": 1, "file": internal})[0]
    assert "var.http_source_cidr" in other and "redirect" not in other.split("```")[1]
