"""Checkov checks whose JSON carries only a guideline link: the setting each one wants.

Used only when the report's title contains the entry's words, because
Checkov has reused ids across versions and reports occasionally pair an id
with another check's title.
"""

from __future__ import annotations

import re

# Checkov id -> (words the report's title must contain, language, setting block, one-line explanation)
CHECKS = {
    "CKV_AWS_16": ("encrypt", "terraform", "storage_encrypted = true", "encrypt the RDS storage at rest"),
    "CKV_AWS_17": ("public", "terraform", "publicly_accessible = false", "keep the database off the public internet"),
    "CKV_AWS_161": ("iam", "terraform", "iam_database_authentication_enabled = true", "enable IAM database authentication"),
    "CKV_AWS_129": ("log", "terraform", 'enabled_cloudwatch_logs_exports = ["audit", "error", "general", "slowquery"]',
                    "export the database logs to CloudWatch (the log names depend on the engine)"),
    "CKV_AWS_157": ("multi-az", "terraform", "multi_az = true", "run the instance in several availability zones"),
    "CKV_AWS_118": ("monitoring", "terraform", "monitoring_interval = 60\nmonitoring_role_arn = aws_iam_role.{name}_monitoring.arn",
                    "enable enhanced monitoring (it needs a monitoring role)"),
    "CKV_AWS_79": ("metadata", "terraform", 'metadata_options {\n  http_endpoint = "enabled"\n  http_tokens   = "required"\n}',
                   "require IMDSv2 session tokens"),
    "CKV_AWS_8": ("encrypt", "terraform", "root_block_device {\n  encrypted = true\n}",
                  "encrypt the root volume (and every ebs_block_device with encrypted = true)"),
    "CKV_AWS_135": ("ebs optimized", "terraform", "ebs_optimized = true", "make the instance EBS-optimised"),
    "CKV_AWS_126": ("detailed monitoring", "terraform", "monitoring = true", "enable detailed monitoring"),
    "CKV2_AWS_17": ("vpc", "terraform", "subnet_id = var.{name}_subnet_id", "launch the instance in a VPC subnet"),
    "CKV_AWS_19": ("encrypt", "terraform",
                   'resource "aws_s3_bucket_server_side_encryption_configuration" "{name}" {\n  bucket = aws_s3_bucket.{name}.id\n'
                   '  rule {\n    apply_server_side_encryption_by_default {\n      sse_algorithm = "aws:kms"\n    }\n  }\n}',
                   "encrypt the bucket by default"),
    "CKV_AWS_21": ("versioning", "terraform",
                   'resource "aws_s3_bucket_versioning" "{name}" {\n  bucket = aws_s3_bucket.{name}.id\n'
                   '  versioning_configuration {\n    status = "Enabled"\n  }\n}', "enable bucket versioning"),
    "CKV_AWS_20": ("public", "terraform", 'acl = "private"', "keep the bucket from granting public-read access"),
    "CKV_AWS_24": ("22", "terraform", "cidr_blocks = [var.admin_cidr]",
                   "restrict SSH ingress to known addresses"),
    "CKV_AWS_25": ("3389", "terraform", "cidr_blocks = [var.admin_cidr]",
                   "restrict RDP ingress to known addresses"),
    "CKV_AZURE_42": ("recoverable", "terraform", "purge_protection_enabled   = true\nsoft_delete_retention_days = 90",
                     "make the key vault recoverable"),
    "CKV_DOCKER_2": ("healthcheck", "dockerfile", "HEALTHCHECK --interval=30s --timeout=3s CMD curl -fsS http://localhost:8080/health || exit 1",
                     "add a HEALTHCHECK (use the service's own health endpoint or command)"),
    "CKV_DOCKER_3": ("user", "dockerfile", "RUN useradd --system --create-home --uid 10001 app\nUSER 10001",
                     "create an unprivileged user and switch to it before the entrypoint"),
    "CKV_DOCKER_7": ("latest", "dockerfile", "FROM python:3.12-slim@sha256:<digest>", "pin the base image by version or digest, not latest"),
    "CKV2_GHA_1": ("permissions", "github-actions", "permissions:\n  contents: read",
                   "set least-privilege top-level permissions (grant more per job only where needed)"),
    "CKV_GHA_1": ("unsecure", "github-actions", "# remove: ACTIONS_ALLOW_UNSECURE_COMMANDS: true",
                  "stop re-enabling the deprecated set-env/add-path commands (write to $GITHUB_ENV / $GITHUB_PATH instead)"),
    "CKV_OPENAPI_4": ("security", "yaml", "security:\n  - apiKey: []",
                      "define a global security requirement (its name must be a scheme declared under securityDefinitions, "
                      "version 2, or components.securitySchemes, version 3)"),
    "CKV_OPENAPI_1": ("securitydefinitions", "yaml", "securityDefinitions:\n  apiKey:\n    type: apiKey\n    in: header\n    name: X-API-Key",
                      "declare the security scheme the API uses"),
    "CKV_AWS_18": ("logging", "terraform",
                   'resource "aws_s3_bucket_logging" "{name}" {\n  bucket        = aws_s3_bucket.{name}.id\n'
                   '  target_bucket = var.access_log_bucket\n  target_prefix = "{name}/"\n}', "enable access logging for the bucket"),
    "CKV2_AWS_6": ("public access block", "terraform",
                   'resource "aws_s3_bucket_public_access_block" "{name}" {\n  bucket                  = aws_s3_bucket.{name}.id\n'
                   '  block_public_acls       = true\n  block_public_policy     = true\n  ignore_public_acls      = true\n'
                   '  restrict_public_buckets = true\n}', "block public access to the bucket"),
    "CKV_AWS_23": ("description", "terraform", 'description = "HTTPS from the load balancer"',
                   "describe every security group and rule"),
    "CKV_AWS_260": ("80", "terraform", "cidr_blocks = [var.http_source_cidr]",
                    "restrict port 80 to the networks that need it"),
    "CKV_AWS_88": ("public ip", "terraform", "associate_public_ip_address = false", "keep the instance without a public IP address"),
    "CKV_AWS_46": ("secrets", "terraform", "user_data = templatefile(\"init.sh\", { secret_arn = aws_secretsmanager_secret.db.arn })",
                   "keep secrets out of user data; fetch them at boot from Secrets Manager"),
    "CKV_K8S_20": ("privilege escalation", "kubernetes",
                   "containers:\n  - name: <container>\n    securityContext:\n      allowPrivilegeEscalation: false",
                   "forbid privilege escalation"),
    "CKV_K8S_22": ("read-only", "kubernetes",
                   "containers:\n  - name: <container>\n    securityContext:\n      readOnlyRootFilesystem: true",
                   "mount the root filesystem read-only (add emptyDir volumes where the app writes)"),
    "CKV_K8S_23": ("root", "kubernetes", "securityContext:\n  runAsNonRoot: true\n  runAsUser: 10001",
                   "refuse to run containers as root"),
    "CKV_K8S_28": ("net_raw", "kubernetes",
                   "containers:\n  - name: <container>\n    securityContext:\n      capabilities:\n        drop: [\"NET_RAW\"]",
                   "drop NET_RAW, which only raw sockets need (ping, traceroute, packet capture)"),
    "CKV_K8S_37": ("capabilities", "kubernetes",
                   "containers:\n  - name: <container>\n    securityContext:\n      capabilities:\n        drop: [\"ALL\"]",
                   "drop all capabilities"),
    "CKV_K8S_14": ("image tag", "kubernetes", "containers:\n  - name: <container>\n    image: registry.example.com/app:1.4.2",
                   "use a fixed image tag instead of latest or none"),
    "CKV_K8S_43": ("digest", "kubernetes", "containers:\n  - name: <container>\n    image: registry.example.com/app@sha256:<digest>",
                   "reference the image by digest"),
    "CKV_K8S_8": ("liveness", "kubernetes",
                  "containers:\n  - name: <container>\n    livenessProbe:\n      httpGet:\n        path: /healthz\n        port: 8080",
                  "add a liveness probe (use the app's health endpoint)"),
    "CKV_K8S_9": ("readiness", "kubernetes",
                  "containers:\n  - name: <container>\n    readinessProbe:\n      httpGet:\n        path: /ready\n        port: 8080",
                  "add a readiness probe"),
    "CKV_K8S_11": ("cpu limits", "kubernetes", "containers:\n  - name: <container>\n    resources:\n      limits:\n        cpu: 500m",
                   "limit CPU (size it to the workload)"),
    "CKV_K8S_13": ("memory limits", "kubernetes",
                   "containers:\n  - name: <container>\n    resources:\n      limits:\n        memory: 256Mi",
                   "limit memory (size it to the workload)"),
    "CKV_DOCKER_1": ("port 22", "dockerfile", "# remove: EXPOSE 22", "stop exposing SSH from the image"),
    "CKV_DOCKER_4": ("copy", "dockerfile", "COPY app/ /app/", "use COPY instead of ADD for local files"),
    "CKV_DOCKER_8": ("root", "dockerfile", "USER 10001", "make the last USER a non-root user"),
    "CKV_GHA_2": ("shell injection", "github-actions",
                  "- env:\n    TITLE: ${{ github.event.issue.title }}\n  run: echo \"$TITLE\"",
                  "pass event data through env instead of expanding it inside run"),
    "CKV_GHA_7": ("workflow_dispatch", "github-actions", "on:\n  workflow_dispatch: {}",
                  "stop taking build inputs that change the artefact in a release workflow"),
}


# what a reviewer adds before such a change is merged: settings Terraform cannot change in place, types that
# do not support a setting, costs; the apply would otherwise destroy data or fail
CAVEATS = {
    "CKV2_GHA_1": "Without a `permissions` key the GITHUB_TOKEN gets the repository's default: read and write on most "
                  "scopes for repositories created before February 2023 unless an admin changed it (Settings > Actions > "
                  "Workflow permissions), read-only for newer ones.",
    "CKV_AWS_16": "Terraform cannot switch this on in place: the change destroys and re-creates the database. For an "
                  "existing instance, snapshot it, copy the snapshot with encryption (`aws rds copy-db-snapshot "
                  "--kms-key-id ...`), restore from the copy and switch over in a maintenance window.",
    "CKV_AWS_8": "On an existing instance a change to the root volume's encryption makes Terraform replace the instance "
                 "(data on its volumes is lost): build the replacement from an encrypted snapshot or AMI, or turn on EBS "
                 "encryption by default for the account so new volumes are encrypted.",
    "CKV_AWS_161": "Password logins keep working. IAM users and roles then connect with a token from `aws rds "
                   "generate-db-auth-token`, which needs an IAM policy allowing `rds-db:connect` on the database user, and "
                   "that user must be created for it (MySQL: `IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS'`; "
                   "PostgreSQL: `GRANT rds_iam`).",
    "CKV_AWS_157": "A standby in a second zone roughly doubles the instance's cost.",
    "CKV_AWS_17": "Clients outside the VPC (a laptop, another cloud, a CI runner) lose access: give them a bastion, VPN "
                  "or RDS Proxy before applying.",
    "CKV_AWS_88": "The instance then has no public address: whatever reaches it from the internet directly (a web "
                  "server, SSH) stops working, so put a load balancer or SSM Session Manager in front first. It also "
                  "loses its own way out: in a subnet whose only route to the internet is an internet gateway, package "
                  "updates and the ECS, SSM and CloudWatch agents stop connecting (an ECS container instance no longer "
                  "registers), so give the subnet a NAT gateway or VPC endpoints before applying.",
    "CKV_AWS_79": "Software on the instance that still reads instance metadata with IMDSv1 (AWS SDKs and CLI from before "
                  "late 2019, old agents) loses its credentials: update it first; containers on the instance also need "
                  "`http_put_response_hop_limit = 2`.",
    "CKV_AWS_20": "A bucket that serves a public website or public downloads goes offline: serve it through CloudFront "
                  "with an origin access control first.",
    "CKV_AZURE_42": "Purge protection cannot be turned off again, and a deleted vault's name stays taken until the "
                    "retention period ends.",
    "CKV_AWS_24": "Anyone outside that range loses SSH: AWS Systems Manager Session Manager removes the need for the open "
                  "port altogether.",
    "CKV_AWS_25": "Anyone outside that range loses RDP: connect through a bastion or VPN first.",
    "CKV_AWS_19": "The separate resource needs the AWS provider 3.75.0 or later (added in 4.0, backported to 3.75.0); on "
                  "an older provider put a `server_side_encryption_configuration` block inside the bucket instead. Since "
                  "January 2023 S3 encrypts every new object with SSE-S3 even without it; aws:kms puts reading the data "
                  "under a KMS key's policy as well (each request is a KMS call: `bucket_key_enabled = true` in the rule "
                  "cuts their cost).",
    "CKV_AWS_21": "The separate resource needs the AWS provider 3.75.0 or later (added in 4.0, backported to 3.75.0); on "
                  "an older provider put `versioning { enabled = true }` inside the bucket instead. Versioning keeps every "
                  "overwritten object, so add a lifecycle rule for old versions.",
    "CKV_AWS_18": "The separate resource needs the AWS provider 3.75.0 or later (added in 4.0, backported to 3.75.0); on "
                  "an older provider put a `logging` block inside the bucket instead. The log bucket must allow the S3 log "
                  "delivery service to write to it.",
    "CKV2_AWS_6": "A bucket that serves public objects (a website, public downloads) stops serving them.",
    "CKV_K8S_11": "A CPU limit below what the container uses throttles it: measure first (`kubectl top pod`).",
    "CKV_K8S_13": "A memory limit below what the container uses gets it killed (OOMKilled): measure first (`kubectl top pod`).",
    "CKV_K8S_22": "The program can then write nowhere in its container: mount an emptyDir at each path it writes (/tmp, "
                  "caches, data directories) or it fails at the first write.",
    "CKV_K8S_23": "With runAsUser set the kubelet starts the image as that UID whatever user it names, so a program "
                  "that needs root (a port below 1024, root-owned files it writes) fails at run time: check before merging.",
}
# what decides whether the setting is the fix at all, said before it
LEADS = {
    "CKV_AWS_260": "Port 80 open to 0.0.0.0/0 is what a public web server needs: closing it breaks the site for everyone "
                   "who types the plain address. If this host serves the public, keep the rule: make port 80 answer only "
                   "with a redirect to HTTPS (web server config, or a load balancer listener with a redirect action), "
                   "serve the site on 443, and restrict the admin ports (22, 3389) instead. Only if it does not serve "
                   "the public,",
}
# what else the fix names, declared in the answer so no name in it is a placeholder: (sentence, block)
EXTRA = {
    "CKV_AWS_118": ("Add the role it names, next to the resource:",
                    'resource "aws_iam_role" "{name}_monitoring" {\n  name_prefix        = "rds-monitoring-"\n'
                    '  assume_role_policy = jsonencode({\n    Version = "2012-10-17"\n    Statement = [{\n'
                    '      Effect    = "Allow"\n      Action    = "sts:AssumeRole"\n'
                    '      Principal = { Service = "monitoring.rds.amazonaws.com" }\n    }]\n  })\n}\n\n'
                    'resource "aws_iam_role_policy_attachment" "{name}_monitoring" {\n'
                    '  role       = aws_iam_role.{name}_monitoring.name\n'
                    '  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"\n}'),
    "CKV2_AWS_17": ("Declare the subnet it names (one of your VPC's private subnets):",
                    'variable "{name}_subnet_id" {\n  type        = string\n  description = "Private subnet for {name}"\n}'),
    "CKV_AWS_18": ("Declare the bucket that receives the logs:",
                   'variable "access_log_bucket" {\n  type        = string\n  description = "Bucket that receives S3 access logs"\n}'),
    "CKV_AWS_24": ("Declare the range admins connect from (a VPN or bastion network):",
                   'variable "admin_cidr" {\n  type        = string\n  description = "Network admins connect from"\n}'),
    "CKV_AWS_25": ("Declare the range admins connect from (a VPN or bastion network):",
                   'variable "admin_cidr" {\n  type        = string\n  description = "Network admins connect from"\n}'),
    "CKV_AWS_260": ("Declare the range that may reach port 80:",
                    'variable "http_source_cidr" {\n  type        = string\n  description = "Network allowed to reach port 80"\n}'),
}
# a variable without a default stops a non-interactive plan (CI's `terraform plan -input=false`) until it is set
EXTRA |= {rule: (f"{said[:-1]}; it has no default, so give it a value (in a child module: as an argument of the "
                 f"`module` block that calls it; in the root module: `TF_VAR_{m.group(1)}` where plan runs), or plan stops:", block)
          for rule, (said, block) in EXTRA.items() for m in [re.match(r'variable "(\w+)"', block)] if m}
# settings a fix must not overwrite when the resource already has them: the check fails for another reason
KEEP_IF_PRESENT = {"CKV2_AWS_17": "subnet_id"}
