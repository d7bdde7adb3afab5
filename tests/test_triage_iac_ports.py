"""Checkov port checks on ICMP security-group rules (tasks.triage.iac_ports), through the triage verdict."""

from tasks.triage.iac_ports import icmp_only
from tasks.triage.verdict import Judge

ICMP_GROUP = '''resource "aws_security_group" "icmp_to_all" {
  name  = "${var.name}-icmp_to_all"
  count = var.security_group_opens_icmp_to_all ? 1 : 0

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


def _finding(rule, snippet, line=92):
    return {"id": "f1", "tool": "checkov", "rule_id": rule, "kind": "config", "severity": "medium",
            "title": "Ensure no security groups allow ingress from 0.0.0.0:0 to port 3389",
            "description": "x (resource aws_security_group.icmp_to_all, framework terraform)",
            "location": {"path": "modules/aws/ec2/main.tf", "start_line": line, "end_line": line + 18},
            "snippet": snippet}


def test_icmp_rule_is_a_false_positive_quoting_the_protocol_line():
    rec = Judge().judge(_finding("CKV_AWS_25", ICMP_GROUP))
    assert rec["verdict"] == "false_positive"
    evidence = rec["reasons"][0]["evidence"]
    assert evidence.startswith("port check on an ICMP rule: ")
    assert '`protocol    = "icmp"` (line 99)' in evidence and "3389" in evidence


def test_tcp_or_all_traffic_rules_keep_the_finding():
    tcp = ICMP_GROUP.replace('protocol    = "icmp"', 'protocol    = "tcp"')
    every = ICMP_GROUP.replace('protocol    = "icmp"', 'protocol    = "-1"')
    for snippet in (tcp, every):
        assert icmp_only(_finding("CKV_AWS_24", snippet)) is None
        assert Judge().judge(_finding("CKV_AWS_24", snippet))["verdict"] == "true_positive"
    # an ICMP rule next to an SSH rule open to the internet: the SSH rule is what the check found
    both = ICMP_GROUP.replace("  egress {", '  ingress {\n    from_port = 22\n    to_port = 22\n    protocol = "tcp"\n'
                              '    cidr_blocks = ["0.0.0.0/0"]\n  }\n\n  egress {', 1)
    assert icmp_only(_finding("CKV_AWS_24", both)) is None


def test_a_resource_not_shown_whole_or_another_check_is_left_alone():
    assert icmp_only(_finding("CKV_AWS_25", ICMP_GROUP.split("\n", 1)[1])) is None  # no resource header
    assert icmp_only(_finding("CKV_AWS_79", ICMP_GROUP)) is None


def test_a_standalone_icmp_rule_resource_counts_and_an_egress_one_does_not():
    rule = ('resource "aws_security_group_rule" "ping" {\n  type        = "ingress"\n  from_port   = 8\n  to_port     = 0\n'
            '  protocol    = "icmp"\n  cidr_blocks = ["0.0.0.0/0"]\n}')
    assert "ICMP" in icmp_only(_finding("CKV_AWS_24", rule, line=5))
    assert icmp_only(_finding("CKV_AWS_24", rule.replace('"ingress"', '"egress"'))) is None


def test_a_range_from_a_variable_is_needs_review_never_open_to_the_internet():
    """cloudgoat's lb.tf: `cidr_blocks = var.cg_whitelist` (the player's own IP): Checkov cannot see the value, so the
    row must not say 'open to 0.0.0.0/0'; a literal 0.0.0.0/0 next to it keeps the finding."""
    web = ICMP_GROUP.replace('protocol    = "icmp"', 'protocol    = "tcp"').replace('from_port   = 0\n    to_port     = 0\n    protocol    = "tcp"',
                                                                                  'from_port   = 80\n    to_port     = 80\n    protocol    = "tcp"')
    by_var = web.replace('cidr_blocks = ["0.0.0.0/0"]\n  }\n\n  egress', 'cidr_blocks = var.cg_whitelist\n  }\n\n  egress', 1)
    rec = Judge().judge(_finding("CKV_AWS_260", by_var))
    assert rec["verdict"] == "needs_review", rec
    ev = rec["reasons"][0]["evidence"]
    assert ev.startswith("range from a variable: no ingress rule of the resource names 0.0.0.0/0")
    assert "`cidr_blocks = var.cg_whitelist` (line 100)" in ev and "port 80" in ev
    assert Judge().judge(_finding("CKV_AWS_260", web))["verdict"] == "true_positive"
