"""Check 2c: Checkov checks about availability, cost or operations, not about a security control.

Checkov's catalogue (checkov 3.3.30, the ``id``/``name``/``categories`` of every
check class and graph check) mixes security controls with operational
settings, and its categories do not separate them: the liveness probe is
``GENERAL_SECURITY``, the S3 lifecycle rule ``LOGGING``.  So the set below is
chosen by what each check asks for, with this policy (docs/triage.md):

* a missing **security control** stays a finding: encryption, public access,
  network exposure, IAM scope, audit logging and log retention, TLS,
  securityContext/capabilities, NetworkPolicy, image provenance and patching
  (minor-version upgrades, image digests and tags), secrets;
* an **availability, cost or operations** setting is not a security weakness:
  health checks and probes, resource requests/limits, backups and
  point-in-time recovery, deletion protection, multi-AZ and zone redundancy,
  caching, lifecycle rules, concurrency limits, dead-letter queues,
  performance metrics, the HTTP protocol version (HTTP/2), descriptions,
  labels and style conventions, and the namespace a manifest that names none
  is applied to (CKV_K8S_21: chosen by whoever applies it).

Object versioning (S3, Cloud Storage) stays a finding: it is what undoes a
malicious overwrite or deletion (ransomware), a data-protection control.
How a permission is attached is administration, not scope: CKV_AWS_40 asks
that IAM policies be attached to groups or roles rather than to users, and a
user holds exactly the same permissions either way; what those permissions
allow (wildcards, admin access, privilege escalation) is judged by the IAM
scope checks, which stay findings.

Anything about logging, auditing, tracing or alerting is left out of the set
on purpose (a missing audit trail is a security gap), except the
performance-metric checks below, which record host metrics or timings, not actions (PostgreSQL's
log_checkpoints, log_lock_waits and log_duration among them, and X-Ray tracing, CKV_AWS_50/73; log_connections,
log_disconnections and log_statement record who did what and stay findings).  The image pull policy
(CKV_K8S_15) says when a node fetches an image again, not which image runs: tags and digests (CKV_K8S_14/43)
stay findings, the pull policy does not (seven blind labellers across five sets called it hygiene).
So CKV2_AWS_10 (CloudTrail delivered to CloudWatch Logs, where metric
filters raise alarms on API activity) and CKV2_AZURE_21 (Blob logging of
read requests) stay findings, and so do CKV_AWS_363 (a deprecated Lambda
runtime gets no security patches) and
CKV_DOCKER_7 (a base image pinned by tag or digest, not ``latest``): which
image is built is provenance and patching.  S3 event notifications
(CKV2_AWS_62) start processing when objects change, an integration setting
that neither records nor controls access; a non-default Redshift database
name (CKV_AWS_320) is obscurity, not a control: the name is printed in every
connection string and guards nothing that the credentials and network rules
do not.
"""

from __future__ import annotations

# check id -> what the check is about (the evidence names it; never a verdict on a check not listed)
OPERATIONAL = {
    # Kubernetes / Helm / Kustomize: scheduling and health, not isolation
    "CKV_K8S_8": "a liveness probe (the kubelet restarts a hung container), an availability setting",
    "CKV_K8S_9": "a readiness probe (traffic only to ready pods), an availability setting",
    "CKV_K8S_10": "CPU requests (scheduling capacity), a resource-planning setting",
    "CKV_K8S_11": "CPU limits (capacity planning and noisy neighbours), a resource-planning setting",
    "CKV_K8S_12": "memory requests (scheduling capacity), a resource-planning setting",
    "CKV_K8S_13": "memory limits (capacity planning and noisy neighbours), a resource-planning setting",
    "CKV_K8S_15": "imagePullPolicy Always (when the node fetches the image again), an image-caching setting: which "
                  "image runs is decided by its tag or digest, which CKV_K8S_14 and CKV_K8S_43 check",
    "CKV_K8S_21": "the namespace a resource lands in, chosen where the manifest is applied (kubectl -n, an Argo CD or Flux "
                  "destination) when it names none; a namespace is an organising scope, and what isolates workloads is "
                  "RBAC and NetworkPolicy, which their own checks judge",
    # Dockerfile: health and style
    "CKV_DOCKER_2": "a HEALTHCHECK instruction (the runtime's health status), an availability setting",
    "CKV_DOCKER_5": "an `apt-get update` on its own line (stale package cache), a build-hygiene convention",
    "CKV_DOCKER_6": "LABEL maintainer instead of the deprecated MAINTAINER, a metadata convention",
    "CKV_DOCKER_9": "`apt` instead of `apt-get` in scripts (an unstable CLI), a build-hygiene convention",
    "CKV_DOCKER_10": "absolute WORKDIR paths, a style convention",
    "CKV_DOCKER_11": "unique FROM aliases in multi-stage builds, a style convention",
    # AWS: operations, cost, availability
    "CKV_AWS_23": "a description on every security-group rule, documentation hygiene",
    "CKV_AWS_115": "a Lambda reserved-concurrency limit, a capacity and cost setting",
    "CKV_AWS_116": "a Lambda dead-letter queue for failed events, a reliability setting",
    "CKV_AWS_117": "running a Lambda inside a VPC, a network-placement choice (a function needs no VPC to be isolated)",
    "CKV_AWS_118": "RDS enhanced monitoring (OS performance metrics), an operations setting",
    "CKV_AWS_126": "EC2 detailed monitoring (1-minute CloudWatch metrics), an operations setting",
    "CKV_AWS_353": "RDS Performance Insights (query performance metrics), an operations setting",
    "CKV_AWS_50": "X-Ray tracing of a Lambda function (request timings across services), a performance diagnostic",
    "CKV_AWS_73": "X-Ray tracing of an API Gateway stage (request timings across services), a performance diagnostic",
    "CKV_AWS_65": "ECS Container Insights (performance metrics), an operations setting",
    "CKV_AWS_135": "EBS-optimised EC2 instances, a performance setting",
    "CKV_AWS_120": "API Gateway caching, a performance setting",
    "CKV_AWS_225": "API Gateway method caching, a performance setting",
    "CKV_AWS_217": "create-before-destroy for API Gateway deployments, a deployment-availability setting",
    "CKV_AWS_237": "create-before-destroy for API Gateway, a deployment-availability setting",
    "CKV_AWS_261": "a target-group health check, an availability setting",
    "CKV_AWS_312": "Elastic Beanstalk enhanced health reporting, an availability setting",
    "CKV2_AWS_15": "ELB health checks for an Auto Scaling group, an availability setting",
    "CKV2_AWS_16": "DynamoDB auto scaling, a capacity setting",
    "CKV2_AWS_62": "S3 event notifications (processing started when objects change), an integration setting",
    "CKV_AWS_320": "a Redshift database name other than the default, a naming convention (obscurity: the name is no "
                   "access control)",
    "CKV2_AWS_61": "an S3 lifecycle configuration (expiring or transitioning objects), a storage-cost setting",
    "CKV_AWS_300": "an S3 lifecycle rule aborting failed multipart uploads, a storage-cost setting",
    "CKV_AWS_144": "S3 cross-region replication, a disaster-recovery setting",
    "CKV_AWS_28": "DynamoDB point-in-time recovery, a backup setting",
    "CKV_AWS_165": "DynamoDB global-table point-in-time recovery, a backup setting",
    "CKV_AWS_133": "an RDS backup policy, a backup setting",
    "CKV_AWS_134": "ElastiCache Redis automatic backups, a backup setting",
    "CKV_AWS_343": "Redshift automatic snapshots, a backup setting",
    "CKV_AWS_360": "a DocumentDB backup retention period, a backup setting",
    "CKV_AWS_361": "Neptune automated backups, a backup setting",
    "CKV2_AWS_8": "an AWS Backup plan for RDS clusters, a backup setting",
    "CKV2_AWS_9": "an AWS Backup plan for EBS volumes, a backup setting",
    "CKV2_AWS_18": "an AWS Backup plan for EFS, a backup setting",
    "CKV_AWS_313": "copying tags to RDS snapshots, a tagging convention",
    "CKV2_AWS_60": "copying tags to RDS snapshots, a tagging convention",
    "CKV_AWS_139": "RDS cluster deletion protection, an availability setting",
    "CKV_AWS_150": "load-balancer deletion protection, an availability setting",
    "CKV_AWS_172": "QLDB deletion protection, an availability setting",
    "CKV_AWS_293": "database deletion protection, an availability setting",
    "CKV_AWS_344": "network-firewall deletion protection, an availability setting",
    "CKV2_AWS_58": "Neptune deletion protection, an availability setting",
    "CKV_AWS_157": "RDS Multi-AZ, an availability setting",
    "CKV_AWS_138": "ELB cross-zone load balancing, an availability setting",
    "CKV_AWS_152": "NLB/GWLB cross-zone load balancing, an availability setting",
    "CKV_AWS_310": "CloudFront origin failover, an availability setting",
    "CKV_AWS_318": "three dedicated Elasticsearch master nodes, an availability setting",
    "CKV2_AWS_50": "ElastiCache Multi-AZ automatic failover, an availability setting",
    "CKV2_AWS_59": "a dedicated OpenSearch master node, an availability setting",
    "CKV_AWS_40": "IAM policies attached to groups or roles rather than directly to users, an access-administration "
                  "convention (the user's permissions are the same either way; their scope is judged by the IAM scope checks)",
    "CKV2_AWS_5": "a security group attached to a resource (an unused group), resource hygiene",
    "CKV2_AWS_19": "an Elastic IP attached to an instance (an unused address), a cost setting",
    "CKV_AWS_394": "an aws_availability_zones data source pinned to zone identities (its result set grows when AWS adds a "
                   "zone), a capacity-planning setting",
    # GCP / Azure: the same kinds
    "CKV_GCP_14": "Cloud SQL backups, a backup setting",
    "CKV2_GCP_20": "MySQL point-in-time recovery, a backup setting",
    "CKV_GCP_21": "labels on GKE clusters, a tagging convention",
    "CKV_GCP_9": "automatic GKE node repair, an availability setting",
    "CKV_AZURE_43": "storage-account naming rules, a naming convention",
    "CKV_GCP_82": "KMS keys protected from deletion (lifecycle prevent_destroy), an availability setting",
    "CKV_GCP_119": "Spanner deletion protection, an availability setting",
    # PostgreSQL performance diagnostics on Cloud SQL: what is slow, not who did what (log_connections,
    # log_disconnections and log_statement record actions and stay findings)
    "CKV_GCP_51": "PostgreSQL log_checkpoints (checkpoint timing), a performance diagnostic",
    "CKV_GCP_54": "PostgreSQL log_lock_waits (lock contention), a performance diagnostic",
    "CKV2_GCP_13": "PostgreSQL log_duration (statement timing), a performance diagnostic",
    "CKV_GCP_121": "BigQuery table deletion protection, an availability setting",
    "CKV_GCP_122": "Bigtable deletion protection, an availability setting",
    "CKV_AZURE_94": "geo-redundant MySQL backups, a backup setting",
    "CKV_AZURE_102": "geo-redundant PostgreSQL backups, a backup setting",
    "CKV_AZURE_129": "geo-redundant MariaDB backups, a backup setting",
    "CKV_AZURE_136": "geo-redundant PostgreSQL Flexible backups, a backup setting",
    "CKV2_AZURE_12": "Azure Backup for virtual machines, a backup setting",
    "CKV_AZURE_206": "storage-account replication, an availability setting",
    "CKV_AZURE_230": "standard replication, an availability setting",
    "CKV_AZURE_212": "a minimum App Service instance count for failover, an availability setting",
    "CKV_AZURE_213": "an App Service health check, an availability setting",
    "CKV_AZURE_18": "HTTP/2 for a web app (the HTTP protocol version), a performance setting",
    "CKV_AZURE_67": "HTTP/2 for a function app (the HTTP protocol version), a performance setting",
    "CKV_AZURE_225": "a zone-redundant App Service plan, an availability setting",
    "CKV_AZURE_228": "a zone-redundant Event Hub namespace, an availability setting",
    "CKV_AZURE_229": "a zone-redundant Azure SQL database, an availability setting",
    "CKV_AZURE_231": "a zone-redundant App Service Environment, an availability setting",
    "CKV_AZURE_233": "a zone-redundant container registry, an availability setting",
    "CKV_AZURE_165": "geo-replicated container registries, an availability setting",
    "CKV_AZURE_167": "a retention policy for untagged manifests, a storage-cost setting",
    "CKV_AZURE_208": "the Cognitive Search SLA for index updates, an availability setting",
}


def operational(tool: str | None, rule_id: str | None) -> str | None:
    """What a Checkov check is about when it is an operational setting, else None."""
    if str(tool or "").lower() != "checkov":
        return None
    return OPERATIONAL.get(str(rule_id or "").strip().upper())
