"""Checks that follow a finding through the repository to what the deployment actually runs or enforces.

Each one needs ``source.repo_path`` and gives a false-positive reason with
``file:line`` evidence, or None (the finding is left to the other checks):

* ``gateway_auth``: an API Gateway method open at the gateway whose Lambda
  verifies the caller's JWT itself, or (``lambda_page``) a GET method whose
  Lambda only returns a page bundled with it (Checkov CKV_AWS_59);
* ``openapi_docs``: a missing-security finding on an OpenAPI document that
  is only generated or served to readers, never enforced;
* ``main_guard``: a development-server line under ``if __name__ ==
  "__main__":`` in a file the start-up files serve with gunicorn/uwsgi/...;
* ``served_numbers``: ``innerHTML`` of a JSON field that the project's own
  server route fills from a counter only ever set to numbers;
* ``disclaimed``: infrastructure code the project's documentation calls a starting point ("isn't production
  ready"), not its deployment;
* ``jinja_options``: a Jinja2 Environment whose ``**options`` dict turns autoescaping on;
* ``jinja_config``: a Jinja2 Environment whose loader's folder holds only configuration files;
* ``settings_import``: ``import_module`` of a name the Django settings or the Flask config give;
* ``code_template``: a Mustache/Handlebars template that generates source code, not a page;
* ``django_func``: a Django ``Func`` subclass that only sets literal SQL (``function``, ``template``);
* ``misread_file``: a Checkov Dockerfile check on a file only named like a Dockerfile (``dockerfile.min.js``);
* ``jwt_token``: a committed JWT signed with a secret anyone can read, or expired;
* ``compose_dev``: a container-hardening finding on a compose file that starts a development stack.

Four more need less and run first: ``installed`` (a finding inside an
installed third-party package: site-packages, node_modules, a folder pip's
``*.dist-info`` lists), ``never_deployed`` (a function folder whose only
Terraform references are commented out), ``unused_import`` (Bandit's import
blacklist on a name the module never uses) and ``iac_applicable`` (a
Windows-only control flagged on a Linux VM), and ``public_build_arg`` (a Dockerfile ARG with a front-end
framework's public prefix, VITE_/NEXT_PUBLIC_/..., compiled into the page), ``sql_shape`` (a "SQL string" that
is a message beginning with a SQL verb) and ``dynamic_default`` (a module's dynamic block that sets the setting safely
by default, which Checkov does not evaluate) ``config_input`` (SQL that formats in only the server's own
configuration), ``vue_html`` (a ``v-html`` of a literal or its translation) and ``openapi_security`` (a spec
whose every operation declares its own security).
"""

from __future__ import annotations

from tasks.triage.bidi_text import check_bidi_text
from tasks.triage.code_template import check_code_template
from tasks.triage.compose_dev import check_compose_dev
from tasks.triage.config_input import check_config_input, check_config_markup
from tasks.triage.disclaimed import check_disclaimed
from tasks.triage.django_func import check_django_func
from tasks.triage.dynamic_default import check_dynamic_default
from tasks.triage.gateway_auth import check_gateway_auth
from tasks.triage.iac_applicable import check_not_applicable
from tasks.triage.installed import check_installed
from tasks.triage.jinja_config import check_jinja_config
from tasks.triage.jinja_options import check_jinja_options
from tasks.triage.jwt_token import check_jwt_token
from tasks.triage.main_guard import check_main_guard
from tasks.triage.misread_file import check_misread_file
from tasks.triage.never_deployed import check_never_deployed
from tasks.triage.openapi_docs import check_docs_only
from tasks.triage.openapi_security import check_operation_security
from tasks.triage.public_build_arg import check_public_build_arg
from tasks.triage.served_numbers import check_served_number
from tasks.triage.settings_import import check_settings_import
from tasks.triage.sql_shape import check_sql_shape
from tasks.triage.unused_import import check_unused_import
from tasks.triage.pr_only_action import check_pr_only_action
from tasks.triage.run_guard import check_run_guard
from tasks.triage.vue_html import check_vhtml_constant


def check_deployed(f, reader=None, index=None) -> dict | None:
    shipped = (check_misread_file(f, reader) or check_jwt_token(f, reader) or check_installed(f, index) or check_never_deployed(f, index) or check_unused_import(f, reader)
               or check_not_applicable(f, reader) or check_public_build_arg(f, reader) or check_sql_shape(f, reader)
               or check_dynamic_default(f, reader) or check_config_input(f, reader) or check_config_markup(f, reader)
               or check_vhtml_constant(f, reader) or check_operation_security(f, reader) or check_run_guard(f, reader)
               or check_pr_only_action(f, reader) or check_bidi_text(f))
    if shipped or reader is None or index is None:
        return shipped
    return (check_gateway_auth(f, reader, index) or check_docs_only(f, reader, index) or check_main_guard(f, reader, index)
            or check_served_number(f, reader, index) or check_disclaimed(f, reader, getattr(index, "files", None))
            or check_jinja_options(f, reader) or check_code_template(f, reader) or check_django_func(f, reader)
            or check_jinja_config(f, reader, getattr(index, "files", None)) or check_settings_import(f, reader)
            or check_compose_dev(f, reader, getattr(index, "files", None)))
