"""Terraform fixes that name another resource: count/for_each instances, companion ACL resources, provider versions."""

from tasks.enrich.iac_reach import config_setting
from tasks.fixes.checkov import CAVEATS, CHECKS
from tasks.fixes.checkov_facts import fit

COUNTED = '''resource "aws_s3_bucket" "logging" {
  bucket_prefix = var.name
  acl    = var.bucket_acl

  count = var.no_logging ? 0 : 1
}'''


def _fit(rule, snippet, resource="module.s3.aws_s3_bucket.logging"):
    return fit(rule, resource, snippet, "terraform", CHECKS[rule][2])


def test_a_counted_bucket_gets_the_same_count_and_an_indexed_reference():
    block, note = _fit("CKV_AWS_21", COUNTED)
    assert "count = var.no_logging ? 0 : 1" in block
    assert "bucket = aws_s3_bucket.logging[count.index].id" in block and "aws_s3_bucket.logging.id" not in block
    assert "count" in note
    block, _ = _fit("CKV2_AWS_6", COUNTED.replace("count = var.no_logging ? 0 : 1", 'for_each = toset(["a", "b"])'))
    assert "for_each = aws_s3_bucket.logging" in block and "bucket                  = each.value.id" in block


def test_a_single_bucket_keeps_the_plain_reference_and_an_unseen_block_gets_none():
    block, note = _fit("CKV_AWS_21", COUNTED.replace("  count = var.no_logging ? 0 : 1\n", ""))
    assert "bucket = aws_s3_bucket.logging.id" in block and "count" not in block and note == ""
    assert isinstance(_fit("CKV_AWS_21", '  acl = "private"'), str)  # the bucket's block is not shown: no reference


def test_a_bucket_without_inline_acl_gets_no_inline_acl_fix():
    bare = 'resource "aws_s3_bucket" "dev" {\n  bucket = "dev"\n}'
    assert "aws_s3_bucket_acl" in _fit("CKV_AWS_20", bare, "aws_s3_bucket.dev")
    granted = bare.replace('bucket = "dev"', 'grant {\n    type = "Group"\n    permissions = ["READ"]\n  }')
    assert "grant" in _fit("CKV_AWS_20", granted, "aws_s3_bucket.dev")
    block, _ = _fit("CKV_AWS_20", bare.replace('bucket = "dev"', 'acl = "public-read"'), "aws_s3_bucket.dev")
    assert block == 'acl = "private"'


def test_no_claim_that_a_bucket_sets_no_acl_when_a_companion_resource_may():
    f = {"id": "x", "tool": "checkov", "rule_id": "CKV_AWS_20", "kind": "config", "title": "t",
         "description": "t (resource aws_s3_bucket.dev, framework terraform)",
         "location": {"path": "main.tf", "start_line": 3}, "snippet": 'resource "aws_s3_bucket" "dev" {\n  bucket = "dev"\n}'}
    assert config_setting(f, '```hcl\nacl = "private"\n```') is None
    rds = dict(f, description="t (resource aws_db_instance.db, framework terraform)",
               snippet='resource "aws_db_instance" "db" {\n  engine = "mysql"\n}')
    said = config_setting(rds, "```hcl\nstorage_encrypted = true\n```").text
    assert "sets no `storage_encrypted`, so the storage is not encrypted" in said


def test_provider_version_of_the_standalone_s3_resources_is_3_75():
    for rule in ("CKV_AWS_18", "CKV_AWS_19", "CKV_AWS_21"):
        assert "3.75.0" in CAVEATS[rule] and "4.0 or later" not in CAVEATS[rule]


def test_database_caveats_name_what_the_engine_needs():
    mysql = 'resource "aws_db_instance" "db" {\n  engine = "mysql"\n}'
    _, note = fit("CKV_AWS_129", "aws_db_instance.db", mysql, "terraform", CHECKS["CKV_AWS_129"][2])
    assert "MARIADB_AUDIT_PLUGIN" in note
    _, note = fit("CKV_AWS_129", "aws_rds_cluster.db", mysql.replace('"mysql"', '"aurora-mysql"'), "terraform",
                  CHECKS["CKV_AWS_129"][2])
    assert "server_audit_logging" in note and "MARIADB" not in note
    # cloudgoat glue_privesc: a PostgreSQL instance gets PostgreSQL's log names, and no sentence calls them MySQL's
    block, _ = fit("CKV_AWS_129", "aws_db_instance.db", mysql.replace('"mysql"', '"postgres"'), "terraform",
                   CHECKS["CKV_AWS_129"][2])
    assert block == 'enabled_cloudwatch_logs_exports = ["postgresql", "upgrade"]'
    assert "MySQL" not in CHECKS["CKV_AWS_129"][3]
    assert "rds-db:connect" in CAVEATS["CKV_AWS_161"]


def test_an_instance_address_never_becomes_a_resource_name():
    each = COUNTED.replace("count = var.no_logging ? 0 : 1", "for_each = var.buckets")
    block, _ = _fit("CKV_AWS_21", each, 'module.s3.aws_s3_bucket.logging["a.b"]')
    assert block.startswith('resource "aws_s3_bucket_versioning" "logging" {') and "each.value.id" in block
    instance = 'resource "aws_instance" "node" {\n  for_each = var.nodes\n  ami = "ami-1"\n}'
    block, note = fit("CKV_AWS_8", 'aws_instance.node["one"]', instance, "terraform", CHECKS["CKV_AWS_8"][2])
    assert block.startswith("root_block_device {") and 'every instance of aws_instance.node is made from, ["one"]' in note
    _, note = fit("CKV_AWS_8", "aws_instance.node", instance, "terraform", CHECKS["CKV_AWS_8"][2])
    assert "every instance" not in note


def test_a_public_access_block_warns_of_the_bucket_acl_it_rejects():
    _, note = _fit("CKV2_AWS_6", COUNTED)  # a variable: its value decides, and a log bucket's ACL must stay
    assert "`var.bucket_acl`" in note and "count" in note and "log-delivery-write" in note and "make it private" not in note
    _, note = _fit("CKV2_AWS_6", COUNTED.replace("var.bucket_acl", '"public-read"'))
    assert "make it private in the same change" in note
    for kept in ('"private"', '"log-delivery-write"'):
        _, note = _fit("CKV2_AWS_6", COUNTED.replace("var.bucket_acl", kept))
        assert "block_public_acls" not in note


def test_default_bucket_encryption_is_not_called_missing():
    assert "January 2023" in CAVEATS["CKV_AWS_19"] and "SSE-S3" in CAVEATS["CKV_AWS_19"]


def test_resources_are_found_in_a_file_that_opens_with_a_comment():
    """tree-sitter puts a leading comment beside the body, not in it: the resources after it must still be read
    (a counted bucket missed there would get an unindexed reference, which Terraform rejects)."""
    from tasks.fixes.iac_refs import _resources

    text = '# S3 buckets\nresource "aws_s3_bucket" "logging" {\n  count = var.no_logging ? 0 : 1\n}\n'
    assert [(t, n, line) for t, n, _, line, _ in _resources(text)] == [("aws_s3_bucket", "logging", 2)]
    assert [(t, n) for t, n, *_ in _resources(text.split("\n", 1)[1])] == [("aws_s3_bucket", "logging")]


def test_taking_an_instances_public_ip_away_says_it_loses_its_way_out_too():
    """cloudgoat's ECS vault: a subnet routed only through an internet gateway; without its public IP the ECS agent
    cannot register. The caveat says so (outbound), not only that inbound traffic stops."""
    text = CAVEATS["CKV_AWS_88"]
    assert "internet gateway" in text and "NAT gateway or VPC endpoints" in text and "ECS" in text
    assert "stops working" in text  # inbound still said
