"""The checks that settle a finding from its code or configuration alone, before its path is read.

A package's crypto library, a timeout, a server image, a workflow's permissions, an IAM policy's shape, a template's
escaping: each reads the flagged code (and the repository around it) and answers on its own terms, whatever folder
the file sits in.  Their order matters only where two could answer; the first that does is the finding's reason.
``tasks.triage.verdict`` asks them after a team's suppression and the report's own signals, and before the path.

May import: the ``tasks.triage`` check modules it names.
"""

from __future__ import annotations

from tasks.findings.model import Finding
from tasks.triage import (allowlist, bind_url, code_facts, commented_out, default_token, escaped_regexp, file_mode,
                        framework_rule, function_tmp, go_code, href_value, http_content_type, jinja_backend, jquery_dom, jsp_output,
                        log_format, module_inputs, orphan_module, plain_text, safe_filter, secret_names, signed_pickle,
                        validated_argv, vendor_loader, workflows, yaml_loader)
from tasks.triage.assert_use import check_assert_use
from tasks.triage.built_images import check_image_user
from tasks.triage.crypto_package import check_crypto_package
from tasks.triage.deployed import check_deployed
from tasks.triage.docker import check_container
from tasks.triage.express_routes import check_express_routes
from tasks.triage.iam_tagged import check_iam_policy
from tasks.triage.openapi import check_response_schema
from tasks.triage.paths import check_demo_data
from tasks.triage.random_use import check_random_use
from tasks.triage.redirect_target import check_redirect_target
from tasks.triage.robustness import check_timeout
from tasks.triage.secret_use import check_demo_key_comment, check_secret_file_path
from tasks.triage.server_image import check_server_image
from tasks.triage.stage_base import check_digest_pin, check_stage_base
from tasks.triage.subprocess_argv import check_subprocess_argv
from tasks.triage.template_forms import check_blocktranslate, check_form_csrf, check_script_url


def settled_by_code(f: Finding, reader, imports) -> dict | None:
    """The first of the checks that answers for ``f`` ({"check", "evidence", ...; "verdict" when not a false
    positive}), or None.  ``imports``: the repository's import index (its ``files``), or None."""
    files = getattr(imports, "files", None)
    return (check_crypto_package(f, reader, imports)  # a package finding: before "not deployed"
            or check_timeout(f, reader) or bind_url.check_bind_url(f, reader, files)
            or check_server_image(f, reader) or check_container(f, reader, imports)
            or check_image_user(f, reader, imports) or check_iam_policy(f)
            or check_response_schema(f, reader) or check_deployed(f, reader, imports)
            or module_inputs.check_module_input(f, reader, files)
            or function_tmp.check_function_tmp(f, reader) or workflows.check_dispatch_inputs(f, reader)
            or workflows.check_job_permissions(f, reader) or default_token.check_default_token(f, reader)
            or check_subprocess_argv(f, reader) or validated_argv.check_validated_argv(f, reader) or allowlist.check_allowlist(f, reader)
            or check_form_csrf(f, reader) or check_blocktranslate(f, reader) or jsp_output.check_scriptlet(f, reader)
            or check_script_url(f, reader) or commented_out.check_commented_out(f, reader)
            or check_secret_file_path(f) or check_express_routes(f, reader) or check_demo_key_comment(f, reader)
            or check_demo_data(f) or check_random_use(f, reader) or check_assert_use(f, reader)
            or log_format.check_log_format(f, reader) or check_stage_base(f, reader, files)
            or check_digest_pin(f, reader) or check_redirect_target(f, reader)
            or jinja_backend.check_jinja_backend(f, reader, files) or yaml_loader.check_yaml_loader(f, reader)
            or plain_text.check_plain_text(
                f, reader, files)
            or safe_filter.check_safe_filter(f, reader, files) or jquery_dom.check_jquery_dom(f, reader)
            or file_mode.check_file_mode(f, reader) or secret_names.check_secret_name(f, reader)
            or go_code.check_go(f, reader) or escaped_regexp.check_escaped_regexp(f, reader)
            or framework_rule.check_framework_rule(f, reader, imports) or vendor_loader.check_vendor_loader(f, reader)
            or code_facts.check_code_facts(f, reader, files)
            or href_value.check_href_value(f, reader, files)
            or orphan_module.check_orphan_module(f, reader, files)
            or signed_pickle.check_signed_pickle(f, reader) or http_content_type.check_content_type(f, reader))
