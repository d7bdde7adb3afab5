"""Checks from held-out set 21 (changedetection.io, SearXNG, homepage, terraform-aws-rds-aurora), measured at f4509d1
before either was written: each flags its case and leaves the neighbour that is a finding alone."""

from __future__ import annotations

import pytest
from test_triage_containers import Files

from tasks.findings.secret_evidence import classify_one
from tasks.triage.template_forms import check_script_url

TEMPLATE = """{% extends 'base.html' %}
{% block content %}
<script src="{{url_for('static_content', group='js', filename='modal.js')}}"></script>
<script>const preview = "{{ url_for('static_content', group='screenshot', filename=uuid) }}";</script>
<script>const name = "{{ watch.title }}";</script>
"""


def _semgrep(line):
    return {"id": "4" * 32, "tool": "semgrep", "kind": "code", "severity": "low", "title": "var-in-script-tag",
            "rule_id": "javascript.express.security.audit.xss.mustache.var-in-script-tag.var-in-script-tag",
            "description": "d", "location": {"path": "templates/overview.html", "start_line": line, "end_line": line}}


def test_a_script_tag_whose_only_value_is_url_for_of_literals_carries_no_outside_data():
    reader = Files({"templates/overview.html": TEMPLATE})
    hit = check_script_url(_semgrep(3), reader)
    assert hit and "`url_for('static_content', group='js', filename='modal.js')`" in hit["evidence"]
    assert check_script_url(_semgrep(4), reader) is None  # filename=uuid: a variable argument
    assert check_script_url(_semgrep(5), reader) is None  # a model's field
    assert check_script_url(_semgrep(3), None) is None


@pytest.mark.parametrize("value,cls", [
    ("http://localhost:5000/api/v1/notifications", "url"),  # an OpenAPI document's code sample
    ("https://user:s3cr3tPassw0rd@db.internal/app", "high-entropy"),  # credentials before the host
    ("https://api.acme-corp.io/v1/items?api_key=Zx81kqP0wL3mN7vT2bY6", "high-entropy"),  # a key in the query
    ("https://hooks.slack.com/services/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", "high-entropy"),  # the path is it
    ("https://www.kobo.com/passwordretrieval.html", "url"),  # set 22: words run together are no token
    ("https://storeapi.kobo.com/v1/auth/rakuten_token_exchange", "url"),
    ("//localhost:5000/api/v1/notifications", "url"),  # scheme-relative: the same address
])
def test_an_address_is_no_credential_unless_it_carries_one(value, cls):
    assert classify_one(value)["class"] == cls
