"""Triage: a grounded verdict for every finding (``doit triage`` -> data/findings/triage.jsonl).

Owns: the advisory records (``advisories``: a local folder of OSV JSON/YAML or
zip dumps; ``osv_api``: api.osv.dev with an on-disk cache, only when
enabled; ``lookup``: records by package through the API), the checks that
judge one finding (``versions`` against the record and the report,
``context`` for paths, secret values and reported scope (``paths``: vendored
web libraries, build tooling, seed data), ``constant`` for sinks called
with literals only, ``iac_rules`` for Checkov's operational checks, ``iac_ports`` for its port checks on ICMP rules,
``iac_applicable`` for controls that do not exist on the resource's OS, ``installed`` for installed third-party
packages, ``never_deployed`` for function folders whose Terraform is commented out, ``unused_import`` for
Bandit's import blacklist on unused names (the last four through ``deployed``), ``manifests`` for
the repository's dev/test declarations, ``reachability`` against the
repository's imports, ``report_signals`` and ``suppressions``), the
combination into one verdict (``verdict``) and the outputs (``output``,
``step``).  Its verdict drives both dataset stages; later phases read
triage.jsonl and advisory_fixes.json (``output.load_records``, ``with_record_fix``).

May import: ``tasks.core``, ``tasks.ingest``, ``tasks.findings``, ``tasks.repository``.

Why a phase of its own: a row that says a finding is real when the advisory
record says the installed version is not affected teaches the model to raise
the alarm on everything.  Every verdict carries evidence a reader can check
(the range, the path, the kind of value), and when the evidence is missing
the verdict is ``needs_review``, never a guess.
"""

VERDICTS = ("true_positive", "false_positive", "needs_review")
