"""A port check (SSH 22, RDP 3389, HTTP 80) on a security group whose one internet-open rule allows every protocol and
port: the fix replaces the rule with one per port, not the web-server "keep port 80" paragraph or a narrower source
that still opens every port (round 8 stage-1 row 32)."""

import pytest

from tasks.enrich.iac_reach import config_setting
from tasks.fixes import fix_for

GROUP = '''resource "aws_security_group" "all_ports_to_all" {
  name  = "${var.name}-all_ports_to_all"
  count = var.security_group_opens_all_ports_to_all ? 1 : 0

  vpc_id = var.vpc_id

  ingress {
    from_port   = 0
    to_port     = 0
    protocol    = -1
    cidr_blocks = ["0.0.0.0/0"]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = -1
    cidr_blocks = ["0.0.0.0/0"]
  }
}
'''
CHECKS = {"CKV_AWS_24": ("Ensure no security groups allow ingress from 0.0.0.0:0 to port 22", 22, "admin_cidr"),
          "CKV_AWS_25": ("Ensure no security groups allow ingress from 0.0.0.0:0 to port 3389", 3389, "admin_cidr"),
          "CKV_AWS_260": ("Ensure no security groups allow ingress from 0.0.0.0:0 to port 80", 80, "http_source_cidr")}


def _finding(rule, snippet=GROUP):
    title = CHECKS[rule][0]
    return {"id": "f1", "tool": "checkov", "rule_id": rule, "kind": "config", "severity": "medium", "title": title,
            "description": f"{title} (resource module.ec2.aws_security_group.all_ports_to_all, framework terraform)",
            "location": {"path": "modules/aws/ec2/main.tf", "start_line": 35, "end_line": 54}, "snippet": snippet}


@pytest.mark.parametrize("rule", sorted(CHECKS))
def test_an_all_ports_rule_is_replaced_by_one_rule_per_port(rule):
    _, port, var = CHECKS[rule]
    answer, source, _ = fix_for(_finding(rule), [])
    assert source == "config-setting"
    assert "The ingress rule at line 41 of modules/aws/ec2/main.tf lets every protocol and port in" in answer
    assert f"from_port   = {port}\n  to_port     = {port}\n  protocol    = \"tcp\"\n  cidr_blocks = [var.{var}]" in answer
    assert f'variable "{var}"' in answer
    assert "If this host serves the public, keep the rule" not in answer  # the port-80 web paragraph
    assert "set this in the ingress rule" not in answer  # no narrower source on the all-ports rule
    ev = config_setting(_finding(rule), answer)
    assert ev is not None and "lets every protocol and port in from 0.0.0.0/0 (the ingress rule at line 41" in ev.text


def test_a_single_port_rule_keeps_the_narrower_source():
    one = GROUP.replace("from_port   = 0\n    to_port     = 0\n    protocol    = -1\n    cidr_blocks",
                        'from_port   = 22\n    to_port     = 22\n    protocol    = "tcp"\n    cidr_blocks', 1)
    answer = fix_for(_finding("CKV_AWS_24", one), [])[0]
    assert "in the ingress rule at line 41" in answer and "cidr_blocks = [var.admin_cidr]" in answer
    assert "lets every protocol and port in" not in answer


def test_an_all_ports_rule_of_a_vpc_endpoints_group_gets_no_ssh_only_replacement():
    endpoint = GROUP.replace('name  = "${var.name}-all_ports_to_all"', 'name        = "${var.env}-vpc-endpoint"\n'
                             '  description = "Security group for VPC endpoint"')
    answer, why, _ = fix_for(_finding("CKV_AWS_24", endpoint), [])
    assert answer is None and "guards a VPC endpoint, which serves HTTPS (443)" in why
