"""A Terraform fix read against its whole module (tasks.fixes.iac_module): no duplicate resource, no required
variable that no caller can set."""

from tasks.fixes import fix_for

# terraform-aws-modules/terraform-aws-s3-bucket main.tf, shortened: the bucket and its conditional versioning
S3_MODULE = '''resource "aws_s3_bucket" "this" {
  count = local.create_bucket && !var.is_directory_bucket ? 1 : 0

  bucket        = var.bucket
  force_destroy = var.force_destroy
}

resource "aws_s3_bucket_acl" "this" {
  count  = local.create_bucket_acl ? 1 : 0
  bucket = aws_s3_bucket.this[0].id
  acl    = var.acl
}

resource "aws_s3_bucket_versioning" "this" {
  count = local.create_bucket && length(keys(var.versioning)) > 0 && !var.is_directory_bucket ? 1 : 0

  bucket                = aws_s3_bucket.this[0].id
  expected_bucket_owner = var.expected_bucket_owner

  versioning_configuration {
    status = try(var.versioning["enabled"] ? "Enabled" : "Suspended", "Enabled")
  }
}
'''
BUCKET = S3_MODULE.split("\n\n", 2)[0] + "\n" + S3_MODULE.split("\n\n", 2)[1]


def _finding(rule, title, resource, snippet, path="main.tf"):
    return {"id": "f1", "tool": "checkov", "rule_id": rule, "kind": "config", "severity": "medium", "title": title,
            "description": f"{title} (resource {resource}, framework terraform)",
            "location": {"path": path, "start_line": 1, "end_line": 6}, "snippet": snippet}


def test_versioning_the_module_declares_is_turned_on_through_its_input_not_duplicated():
    f = _finding("CKV_AWS_21", "Ensure all data stored in the S3 bucket have versioning enabled",
                 "module.cloudfront_log_bucket.aws_s3_bucket.this", BUCKET)
    answer, source, _ = fix_for(f, [], {"path": "main.tf", "text": BUCKET, "start_line": 1, "file": S3_MODULE})
    assert source == "config-setting" and 'resource "aws_s3_bucket_versioning"' not in answer
    assert "main.tf:14 already declares aws_s3_bucket_versioning.this" in answer and "`versioning`" in answer
    assert 'module "cloudfront_log_bucket"' in answer
    # the same resource in another file of the module counts as well
    alone = S3_MODULE.split('resource "aws_s3_bucket_versioning"')[0]
    moved = {"path": "main.tf", "text": BUCKET, "start_line": 1, "file": alone,
             "module": "# file: versioning.tf\nresource \"aws_s3_bucket_versioning\" \"this\" {\n  count = var.on ? 1 : 0\n"
                       "  bucket = aws_s3_bucket.this[0].id\n}\n"}
    assert "versioning.tf:1 already declares" in fix_for(f, [], moved)[0]
    # no versioning anywhere: the companion resource is still the fix
    added = fix_for(f, [], {"path": "main.tf", "text": BUCKET, "start_line": 1, "file": alone})[0]
    assert 'resource "aws_s3_bucket_versioning" "this"' in added


def test_an_unconditional_existing_resource_gives_no_row():
    f = _finding("CKV_AWS_21", "Ensure all data stored in the S3 bucket have versioning enabled", "aws_s3_bucket.b",
                 'resource "aws_s3_bucket" "b" {\n  bucket = "x"\n}')
    text = f["snippet"] + '\n\nresource "aws_s3_bucket_versioning" "b" {\n  bucket = aws_s3_bucket.b.id\n}\n'
    answer, why, _ = fix_for(f, [], {"path": "main.tf", "text": f["snippet"], "start_line": 1, "file": text})
    assert answer is None and "duplicate resource" in why


# stratus-red-team lambda-layer-extension/main.tf, shortened: a root module with one bucket and no log bucket
ROOT = '''provider "aws" {
  skip_region_validation = true
}

resource "aws_s3_bucket" "bucket" {
  bucket        = "${local.resource_prefix}-${random_string.suffix.result}"
  force_destroy = true
}
'''
LOGGING = ("CKV_AWS_18", "Ensure the S3 bucket has access logging enabled")


def test_access_logging_without_a_log_bucket_adds_no_required_variable():
    f = _finding(*LOGGING, "aws_s3_bucket.bucket", ROOT.split("\n\n")[1])
    answer, why, _ = fix_for(f, [], {"path": "main.tf", "text": f["snippet"], "start_line": 5, "file": ROOT})
    assert answer is None and "would stop every plan" in why
    # a log bucket in the module is named instead of a new variable
    logs = ROOT + '\nresource "aws_s3_bucket" "logs" {\n  bucket = "logs"\n}\n\nresource "aws_s3_bucket_acl" "logs" {\n' \
                  '  bucket = aws_s3_bucket.logs.id\n  acl    = "log-delivery-write"\n}\n'
    answer = fix_for(f, [], {"path": "main.tf", "text": f["snippet"], "start_line": 5, "file": logs})[0]
    assert "target_bucket = aws_s3_bucket.logs.id" in answer and 'variable "access_log_bucket"' not in answer
    # a variable the module declares is used as it is
    declared = {"path": "main.tf", "text": f["snippet"], "start_line": 5, "file": ROOT,
                "module": '# file: variables.tf\nvariable "access_log_bucket" {\n  type = string\n  default = null\n}\n'}
    answer = fix_for(f, [], declared)[0]
    assert "var.access_log_bucket" in answer and "has no default" not in answer


# stratus-red-team rds-share-snapshot/main.tf, shortened: the database is snapshotted (and the snapshot shared)
RDS = '''resource "aws_db_instance" "default" {
  allocated_storage   = 10
  engine              = "mysql"
  instance_class      = "db.t3.micro"
  skip_final_snapshot = true
}

resource "aws_db_snapshot" "snapshot" {
  db_instance_identifier = aws_db_instance.default.id
  db_snapshot_identifier = "exfiltration"
}
'''


def test_rds_encryption_with_the_default_key_is_not_offered_where_the_database_is_snapshotted():
    from tasks.enrich.iac_context import facts

    db = RDS.split("\n\n")[0]
    f = _finding("CKV_AWS_16", "Ensure all data stored in the RDS is securely encrypted at rest", "aws_db_instance.default",
                 db)
    answer, why, _ = fix_for(f, [], {"path": "main.tf", "text": db, "start_line": 1, "file": RDS})
    assert answer is None and "`aws_db_snapshot.snapshot` (main.tf:8)" in why and "customer-managed key" in why
    assert any("cannot be shared" in x for x in facts(f, RDS))
    # no snapshot in the module: the setting is the fix
    assert "storage_encrypted = true" in fix_for(f, [], {"path": "main.tf", "text": db, "start_line": 1, "file": db})[0]


def test_the_stage1_analysis_says_why_the_plain_setting_is_not_the_fix():
    from tasks.enrich.iac_file_fix import refit

    db = RDS.split("\n\n")[0]
    f = _finding("CKV_AWS_16", "Ensure all data stored in the RDS is securely encrypted at rest", "aws_db_instance.default",
                 db)
    blind = fix_for(f, [])[0]
    narrative = {"narrative": f"## How to fix it\n- {blind}", "sections": {"remediation": blind}, "cwe": []}
    out = refit(f, narrative, {"path": "main.tf", "text": db, "start_line": 1, "file": RDS})
    assert "```hcl\nstorage_encrypted = true\n```" not in out["narrative"] and "`kms_key_id`" in out["narrative"]
    assert "- If the snapshot of this database that `aws_db_snapshot.snapshot` (main.tf:8) takes is shared" in out["narrative"]


def test_the_source_reader_gives_the_modules_other_files(tmp_path):
    """code["module"]: the .tf files next to the flagged one at the run's commit, not those of other folders."""
    import subprocess

    from tasks.datasets.sources import Source

    repo = tmp_path / "repo"
    (repo / "mod" / "sub").mkdir(parents=True)
    (repo / "mod/main.tf").write_text(BUCKET)
    (repo / "mod/versions.tf").write_text('resource "aws_s3_bucket_versioning" "this" {\n  count = var.on ? 1 : 0\n'
                                          '  bucket = aws_s3_bucket.this[0].id\n}\n')
    (repo / "mod/sub/other.tf").write_text('resource "aws_s3_bucket_versioning" "elsewhere" {}\n')
    git = ["git", "-C", str(repo), "-c", "user.email=t@example.com", "-c", "user.name=t"]
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "module"], check=True)
    commit = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    f = _finding("CKV_AWS_21", "Ensure all data stored in the S3 bucket have versioning enabled", "aws_s3_bucket.this",
                 BUCKET, path="mod/main.tf") | {"last_seen": {"commit": commit}}
    code = Source(str(repo), None, 3).code(f)
    assert "# file: mod/versions.tf" in code["module"] and "elsewhere" not in code["module"]
    assert "mod/versions.tf:1 already declares aws_s3_bucket_versioning.this" in fix_for(f, [], code)[0]


RDS_MODULE = '''resource "aws_db_instance" "this" {
  count = var.create ? 1 : 0

  identifier        = local.identifier
  storage_type      = var.storage_type
  storage_encrypted = var.storage_encrypted
  kms_key_id        = var.kms_key_id
}
'''


def test_a_setting_the_module_takes_from_its_input_is_fixed_by_the_caller_not_overwritten():
    """terraform-aws-rds (round 18, harmful): `storage_encrypted = true` written over `var.storage_encrypted`."""
    f = _finding("CKV_AWS_16", "Ensure all data stored in the RDS is securely encrypted at rest",
                 "module.db.module.db_instance.aws_db_instance.this", RDS_MODULE, path="modules/db_instance/main.tf")
    variables = '# file: variables.tf\nvariable "storage_encrypted" {\n  type    = bool\n  default = true\n}\n'
    code = {"path": "modules/db_instance/main.tf", "text": RDS_MODULE, "start_line": 1, "file": RDS_MODULE, "module": variables}
    answer, source, _ = fix_for(f, [], code)
    assert source == "config-setting" and "sets `storage_encrypted = var.storage_encrypted`" in answer
    assert "default is already `true`" in answer and "storage_encrypted = true\n```" in answer
    assert "Keep the module as it is" in answer
    unsafe = dict(code, module=variables.replace("default = true", "default = false"))
    assert "Consider making `true` the variable's default" in fix_for(f, [], unsafe)[0]
    literal = RDS_MODULE.replace("var.storage_encrypted", "false")  # the module's own literal: the setting is the fix
    own = fix_for(dict(f, snippet=literal), [], dict(code, text=literal, file=literal))[0]
    assert "storage_encrypted = true" in own and "passes the value through" not in own
