"""Checks from held-out set 34 (mwdb-core, django-cms, terraform-aws-apigateway-v2, binderhub, homebox), written after
its measurement (86/115 for the right reason on the session's last code), each with the neighbour that stays."""

from __future__ import annotations

from test_triage_containers import Files, bandit_at, semgrep_at


def test_googles_published_recaptcha_test_keys_are_documented_examples():
    """mwdb-core's compose.with-e2e.yml: `MWDB_RECAPTCHA_SECRET: "6LeIxAcTAAAAAGG-vFI1TnRWxMZNFuojJ4WifJWe"`, the
    key pair Google publishes for automated tests (both labellers: false positive)."""
    from tasks.findings.secret_evidence import classify_one

    for key in ("6LeIxAcTAAAAAJcZVRqyHh71UMIEGNQ_MXjiZKhI", "6LeIxAcTAAAAAGG-vFI1TnRWxMZNFuojJ4WifJWe"):
        seen = classify_one(key)
        assert seen["class"] == "example" and seen["match"] == "Google's published reCAPTCHA test key"
    assert classify_one("6LeIxAcTAAAAAGG-vFI1TnRWxMZNFuojJ4WifJWf")["class"] == "high-entropy"  # one character off


def test_a_403_response_of_translated_literal_text_is_constant():
    """django-cms's placeholderadmin.py: `HttpResponseForbidden(message)` with `message = _('You do not have
    permission to add a plugin')` (direct-use-of-httpresponse, three findings)."""
    from tasks.triage.escaped_py import escaped_sink

    code = ("from django.http import HttpResponseBadRequest, HttpResponseForbidden\nfrom django.utils.translation import "
            "gettext as _\n\n\ndef add(request, ok):\n    if not ok:\n        message = _('You do not have permission')\n"
            "        return HttpResponseForbidden(message)\n    try:\n        run()\n    except ValueError as er:\n"
            "        return HttpResponseBadRequest(er)\n")
    rule = "python.django.security.audit.xss.direct-use-of-httpresponse.direct-use-of-httpresponse t"
    hit = escaped_sink(code, 8, rule)
    assert hit and hit["evidence"].startswith("constant data: HttpResponseForbidden() at line 8 wraps only literal text")
    assert escaped_sink(code, 12, rule) is None  # an exception's text


def test_mark_safe_of_escaped_text_with_a_repeated_literal_or_a_language_code():
    """Round 39's stage-1 grades: django-cms's page-tree labels (`indent = "&nbsp;&nbsp;" * (page.depth - 1)` set in a
    `for` body, then `mark_safe(f"{indent}{escape(title)}")`) and `mark_safe(f"<em>{escape(title)}
    ({page_content.language})</em>")` were answered as true positives; both are escaped text and fixed markup."""
    from tasks.triage.escaped_py import escaped_sink

    code = ("from django.utils.html import escape\nfrom django.utils.safestring import mark_safe\n\n\n"
            "def labels(pages):\n    for page in pages:\n        title = page.title\n"
            "        indent = '&nbsp;&nbsp;' * (page.depth - 1)\n        label = mark_safe(f'{indent}{escape(title)}')\n"
            "        yield page.pk, label\n\n\ndef tree_title(page_content, language):\n    title = page_content.title\n"
            "    return mark_safe(f'<em>{escape(title)} ({page_content.language})</em>')\n\n\n"
            "def raw(page):\n    return mark_safe(f'<em>{escape(page.title)} ({page.name})</em>')\n\n\n"
            "def doubled(page):\n    return mark_safe(page.title * 2)\n\n\n"
            "def looped(pages):\n    for title in pages:\n        label = title\n    return mark_safe(label)\n")
    hit = escaped_sink(code, 9, "B308 mark_safe")
    assert hit and "a literal repeated, `'&nbsp;&nbsp;' * (page.depth - 1)` (line 8)" in hit["evidence"]
    hit = escaped_sink(code, 15, "B308 mark_safe")
    assert hit and "`page_content.language`, a primary key or language code" in hit["evidence"]
    assert "(a number" not in hit["evidence"]
    assert escaped_sink(code, 19, "B308 mark_safe") is None  # page.name: any text
    assert escaped_sink(code, 23, "B308 mark_safe") is None  # text repeated is still text
    assert escaped_sink(code, 29, "B308 mark_safe") is None  # bound from a loop variable


def test_a_weak_digest_inside_the_key_a_cache_key_function_returns():
    """Round 39: django-cms's `_page_cache_key` formats `hashlib.sha1(request.get_full_path()...).hexdigest()` into
    `cache_key` (a multi-line `%` tuple; the key is extended by `+=` before it is returned), and `_vary_on_hash`
    returns `ctx.hexdigest()`: cache keys, answered as true positives."""
    from tasks.triage.flow import check_hash_use

    code = ("import hashlib\n\n\ndef _page_cache_key(request, site):\n    cache_key = '%s:%d:%s' % (\n        'cms',\n"
            "        site.pk,\n        hashlib.sha1(request.get_full_path().encode('utf-8')).hexdigest(),\n    )\n"
            "    cache_key += '.tz'\n    return cache_key\n\n\ndef _vary_on_hash(request, headers):\n"
            "    ctx = hashlib.sha1()\n    for h in headers:\n        ctx.update(request.META.get(h, '').encode())\n"
            "    return ctx.hexdigest()\n\n\ndef make_token(user):\n    value = hashlib.sha1(user.email.encode()).hexdigest()\n"
            "    return value\n\n\ndef get_reset_key(user):\n    key = hashlib.md5(user.password.encode()).hexdigest()\n"
            "    return key\n")
    title = "Use of weak SHA1 hash for security. Consider usedforsecurity=False"
    hit = check_hash_use(bandit_at("B324", 8, "cms/cache/page.py", title), Files(code))
    assert hit and "goes into cache_key, which _page_cache_key() returns (line 11) as a cache or lookup key" in hit["evidence"]
    hit = check_hash_use(bandit_at("B324", 15, "cms/cache/page.py", title), Files(code))
    assert hit and "goes into ctx, which _vary_on_hash() returns (line 18)" in hit["evidence"]
    assert check_hash_use(bandit_at("B324", 22, "cms/cache/page.py", title), Files(code)) is None  # a token
    assert check_hash_use(bandit_at("B324", 27, "cms/cache/page.py", title), Files(code)) is None  # of a password


def test_a_pull_request_opened_with_a_bot_token_needs_no_pull_requests_grant():
    """Round 39: a workflow that opens its pull request with `token: ${{ secrets.BOT_PAT }}` was given
    `pull-requests: write`, a grant GITHUB_TOKEN never uses there; the same step with GITHUB_TOKEN keeps it."""
    from tasks.fixes.gha_jobs import gha_permissions

    steps = ("jobs:\n  bump:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n"
             "      - uses: peter-evans/create-pull-request@v6\n        with:\n          token: {token}\n"
             "          branch: bump-chart\n")
    block, note = gha_permissions(steps.replace("{token}", "${{ secrets.BOT_PAT }}"))
    assert block == "permissions:\n  contents: read" and "(BOT_PAT)" in note
    block, note = gha_permissions(steps.replace("{token}", "${{ secrets.GITHUB_TOKEN }}"))
    assert "pull-requests: write" in block


def test_sql_of_a_models_quoted_table_name_is_constant():
    """Round 39: django-cms's placeholder reordering (`table = connection.ops.quote_name(CMSPlugin._meta.db_table)`,
    then `cursor.execute(f"SELECT ... FROM {table} WHERE placeholder_id=%s", [self.pk])`) was answered as a true
    positive: the table is the model's own, quoted; the values are bound parameters."""
    from tasks.triage.constant_names import constant_sink

    code = ("from django.db import connection\n\n\ndef reorder(self, language, name):\n"
            "    table = connection.ops.quote_name(CMSPlugin._meta.db_table)\n    cursor = connection.cursor()\n"
            "    cursor.execute(f'SELECT COUNT(*) FROM {table} WHERE placeholder_id=%s', [self.pk])\n"
            "    other = connection.ops.quote_name(name)\n    cursor.execute(f'SELECT COUNT(*) FROM {other}')\n")
    evidence = constant_sink(code, 7, "cms/models/placeholdermodel.py")
    assert evidence and "`CMSPlugin._meta.db_table`" in evidence and "table (cms/models/placeholdermodel.py:5)" in evidence
    assert constant_sink(code, 9, "cms/models/placeholdermodel.py") is None  # a quoted parameter: any table


def test_v_html_of_a_computed_property_that_returns_only_dompurify_output():
    """Set 34's misses: homebox's Markdown.vue binds `v-html="raw"`, a computed property that returns
    `DOMPurify.sanitize(md.render(props.source))` (both labellers: false positive). A property that also returns the
    raw text, or renders without a sanitiser, keeps the finding."""
    from tasks.triage.vue_html import check_vhtml_constant

    vue = ("<template>\n  <div class=\"markdown\" v-html=\"raw\"></div>\n  <div v-html=\"other\"></div>\n"
           "  <div v-html=\"mixed\"></div>\n  <div v-html=\"clean\"></div>\n</template>\n<script setup lang=\"ts\">\n"
           "  import DOMPurify from \"dompurify\";\n  const props = defineProps<{ source: string }>();\n"
           "  const raw = computed(() => DOMPurify.sanitize(md.render(props.source)));\n"
           "  const other = computed(() => md.render(props.source));\n  function mixed() {\n    if (!props.source) {\n"
           "      return props.source;\n    }\n    return DOMPurify.sanitize(props.source);\n  }\n</script>\n"
           "<script>\nexport default {\n  computed: {\n    clean() {\n      return DOMPurify.sanitize(this.body, { USE_PROFILES: { html: true } });\n"
           "    },\n  },\n};\n</script>\n")
    rule = "javascript.vue.security.audit.xss.templates.avoid-v-html.avoid-v-html"
    hit = check_vhtml_constant(semgrep_at(rule, "frontend/components/Markdown.vue", 2), Files(vue))
    assert hit and "which the component computes as `DOMPurify.sanitize(md.render(props.source))`" in hit["evidence"]
    hit = check_vhtml_constant(semgrep_at(rule, "frontend/components/Markdown.vue", 5), Files(vue))
    assert hit and "`DOMPurify.sanitize(this.body, { USE_PROFILES: { html: true } })`" in hit["evidence"]
    assert check_vhtml_constant(semgrep_at(rule, "frontend/components/Markdown.vue", 3), Files(vue)) is None
    assert check_vhtml_constant(semgrep_at(rule, "frontend/components/Markdown.vue", 4), Files(vue)) is None
    nested = vue.replace("      return DOMPurify.sanitize(this.body, { USE_PROFILES: { html: true } });\n",
                         "      if (this.trusted) {\n        return DOMPurify.sanitize(this.body);\n      }\n      return this.body;\n")
    assert check_vhtml_constant(semgrep_at(rule, "frontend/components/Markdown.vue", 5), Files(nested)) is None
