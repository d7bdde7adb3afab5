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
  server route fills from a counter only ever set to numbers.
"""

from __future__ import annotations

from tasks.triage.gateway_auth import check_gateway_auth
from tasks.triage.main_guard import check_main_guard
from tasks.triage.openapi_docs import check_docs_only
from tasks.triage.served_numbers import check_served_number


def check_deployed(f, reader=None, index=None) -> dict | None:
    if reader is None or index is None:
        return None
    return (check_gateway_auth(f, reader, index) or check_docs_only(f, reader, index) or check_main_guard(f, reader, index)
            or check_served_number(f, reader, index))
