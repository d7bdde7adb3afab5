"""Checks from held-out set 29 (isso, privacyIDEA, Dispatch, terraform-aws-elasticache), written after its
measurement, each with the neighbour that stays a finding."""

from __future__ import annotations

from test_triage_containers import Files, bandit_at, semgrep_at


_semgrep = semgrep_at


def test_a_template_value_in_a_script_src_attribute_is_html_escaped_not_run():
    """privacyidea's footer.html:27 `<script src="{{ instance }}/{{ "static/x.js" | versioned }}"></script>` (set 29)."""
    from tasks.triage.template_forms import check_script_url

    page = ('<script src="{{ instance }}/{{ "static/contrib/js/hotkeys.js" | versioned }}"></script>\n'
            '<script>var backend = "{{ backend_url }}";</script>\n'
            '<script src="{{ instance }}/a.js">init("{{ name }}")</script>\n'
            '<script src="{{ cdn | safe }}/a.js"></script>\n')
    rule = "python.flask.security.xss.audit.template-var-in-script-tag.var-in-script-tag"
    repo = Files({"app/templates/footer.html": page})
    hit = check_script_url(_semgrep(rule, "app/templates/footer.html", 1), repo)
    assert hit and "sits in the script tag's src attribute, not in its code" in hit["evidence"]
    for line in (2, 3, 4):  # a value in the code, code beside the src, |safe
        assert check_script_url(_semgrep(rule, "app/templates/footer.html", line), repo) is None


def test_a_build_argument_with_a_public_front_end_prefix_is_no_secret():
    """Dispatch's docker/Dockerfile:45 `ARG VITE_SENTRY_APP_KEY` (set 29, both labellers)."""
    from tasks.triage.public_build_arg import check_public_build_arg

    text = "FROM node:20 AS sdist\nARG VITE_SENTRY_APP_KEY\nARG SENTRY_AUTH_TOKEN\nARG NEXT_PUBLIC_API_KEY\n"
    repo = Files({"docker/Dockerfile": text})
    rule = "dockerfile.security.secret-in-build-arg.secret-in-build-arg"
    hit = check_public_build_arg(_semgrep(rule, "docker/Dockerfile", 2), repo)
    assert hit and hit["evidence"].startswith("not a secret: docker/Dockerfile:2 `ARG VITE_SENTRY_APP_KEY` is a public "
                                              "build variable: Vite exposes only VITE_ variables")
    assert check_public_build_arg(_semgrep(rule, "docker/Dockerfile", 3), repo) is None
    assert "Next.js" in check_public_build_arg(_semgrep(rule, "docker/Dockerfile", 4), repo)["evidence"]


def test_a_dollar_bound_to_the_projects_own_query_helper_is_not_jquery():
    """isso's embed.js: `var $ = require("app/dom")`, `$(window.location.hash)`, `isso_thread.append(heading)` with
    `heading = $.new('h4.isso-thread-heading')` (set 29, both labellers)."""
    from tasks.triage.own_dollar import check_own_dollar

    dom = ('function Element(node) { this.obj = node; }\nvar DOM = function(query, root) {\n'
           '    return [].slice.call((root || window.document).querySelectorAll(query), 0);\n};\n'
           'DOM.new = function(tag, content) {\n    var el = document.createElement(tag.split(".")[0]);\n'
           '    return new Element(el);\n};\nmodule.exports = DOM;\n')
    embed = ('var $ = require("app/dom");\nvar heading;\nheading = $.new(\'h4.isso-thread-heading\');\n'
             'if (window.location.hash.match("^#isso-[0-9]+$")) { $(window.location.hash).scrollIntoView(); }\n'
             'thread.append(heading);\nthread.append(comment.html);\n')
    repo = Files({"isso/js/embed.js": embed, "isso/js/app/dom.js": dom})
    sel = "javascript.jquery.security.audit.jquery-insecure-selector.jquery-insecure-selector"
    met = "javascript.jquery.security.audit.jquery-insecure-method.jquery-insecure-method"
    hit = check_own_dollar(_semgrep(sel, "isso/js/embed.js", 4), repo)
    assert hit and hit["evidence"].startswith('`$` is not jQuery here: isso/js/embed.js binds `var $ = require("app/dom")` '
                                              '(isso/js/app/dom.js), the project\'s own DOM helper, whose $() looks')
    hit = check_own_dollar(_semgrep(met, "isso/js/embed.js", 5), repo)
    assert hit and "`heading` is `$.new('h4.isso-thread-heading')`" in hit["evidence"]
    assert check_own_dollar(_semgrep(met, "isso/js/embed.js", 6), repo) is None  # a string from data
    jq = Files({"isso/js/embed.js": embed.replace('require("app/dom")', 'require("jquery")'), "isso/js/app/dom.js": dom})
    assert check_own_dollar(_semgrep(sel, "isso/js/embed.js", 4), jq) is None


def test_zero_address_as_a_stored_client_address_is_no_bind():
    """isso's migrate.py:98 `"remote_addr": anonymize(ip.text if ip is not None else "0.0.0.0")` and utils:34, the
    fallback anonymize() returns (set 29, both labellers)."""
    from tasks.triage.bind_url import check_bind_url

    code = ('import ipaddress\n\n\ndef anonymize(remote_addr):\n    try:\n        return str(ipaddress.ip_address(remote_addr))\n'
            '    except ValueError:\n        return "0.0.0.0"\n\n\ndef row(ip):\n'
            '    return {"remote_addr": anonymize(ip if ip is not None else "0.0.0.0"), "mode": 1}\n\n\n'
            'def serve(app):\n    app.run(host="0.0.0.0")\n\n\ndef default_host():\n    return "0.0.0.0"\n')
    hit = check_bind_url(bandit_at("B104", 8, "isso/utils.py"), Files(code))
    assert hit and "'0.0.0.0' is the fallback anonymize() returns" in hit["evidence"]
    hit = check_bind_url(bandit_at("B104", 12, "isso/utils.py"), Files(code))
    assert hit and "'0.0.0.0' is the value stored as `remote_addr`" in hit["evidence"]
    assert check_bind_url(bandit_at("B104", 16, "isso/utils.py"), Files(code)) is None
    assert check_bind_url(bandit_at("B104", 20, "isso/utils.py"), Files(code)) is None


def test_switching_to_the_images_own_user_names_that_user_not_the_catalogues():
    """Dispatch's docker/Dockerfile (set 29): the last stage runs `useradd -r -m -g dispatch dispatch`; the row said
    USER dispatch but "create an unprivileged user", "must belong to UID 10001" and "a home (/home/app)"."""
    from test_fixes_image_writes import _docker

    from tasks.fixes import fix_for

    stage = ("FROM python:3.11-slim\nRUN groupadd -r dispatch && useradd -r -m -g dispatch dispatch\nWORKDIR /app\n"
             "COPY . /app\nRUN chown -R dispatch /app\nENTRYPOINT [\"dispatch\"]\n")
    answer, _, _ = fix_for(_docker(stage), [])
    assert "USER dispatch" in answer and "switch to the image's own unprivileged user" in answer
    assert "10001" not in answer and "/home/app" not in answer and "must belong to user dispatch" in answer
    fresh = stage.replace("RUN groupadd -r dispatch && useradd -r -m -g dispatch dispatch\n", "")
    answer, _, _ = fix_for(_docker(fresh), [])
    assert "create an unprivileged user" in answer and "UID 10001" in answer and "/home/app" in answer


def test_a_folder_the_dockerfile_makes_writable_by_everyone_is_not_chowned():
    """privacyidea's Dockerfile:91 `chmod 1777 /db /config` (set 29): the row chowned both anyway and said writes fail."""
    from tasks.fixes.image_writes import runtime_paths

    stage = "FROM python:3.12-alpine\nRUN mkdir -p /db /config /var/log/app && chmod 1777 /db /config\nCMD [\"app\", \"-d\", \"/db\"]\n"
    assert runtime_paths(stage) == ["/var/log/app"]


def test_a_flag_attribute_cites_the_definition_in_the_class_the_line_names():
    """Dispatch's service.py:129 `Service.is_active.is_(is_active)` (set 29): the row cited individual/models.py's field."""
    from test_triage_set22 import flag_hit

    hit = flag_hit({"app/individual/models.py": "class Individual(Base):\n    name = 1\n    is_active = Column(Boolean)\n",
                    "app/service/models.py": "class Service(Base):\n    is_active = Column(Boolean, default=True)\n",
                    "app/service/service.py": "def get(db, is_active):\n"
                                              "    return db.query(Service).filter(Service.is_active.is_(is_active))\n"},
                   2, "app/service/service.py")
    assert hit and "(an attribute at app/service/models.py:2; 1 more found, none a method)" in hit["evidence"]


def test_a_password_in_the_development_compose_file_is_a_local_credential():
    """privacyidea's compose-dev.yml:10 `MARIADB_PASSWORD: privacyidea` (set 29): both labellers false positive; the
    tool had said "does not fit the high-entropy format", which checkov's lower bar for a PASSWORD key makes wrong."""
    from tasks.findings.secret_evidence import classify_one
    from tasks.triage.context import check_secret

    f = {"id": "7" * 32, "tool": "checkov", "kind": "secret", "severity": "high", "rule_id": "CKV_SECRET_6",
         "title": "Base64 High Entropy String", "description": "d", "snippet": "      MARIADB_PASSWORD: privacyidea\n",
         "location": {"path": "compose-dev.yml", "start_line": 10, "end_line": 10},
         "secret_evidence": classify_one("privacyidea") | {"format": "does not fit the high-entropy string format"}}
    hit = check_secret(f, None)
    assert hit and hit["evidence"].startswith("a local development credential, not a secret: the flagged value at compose-dev.yml:10 is")
    assert "compose-dev.yml, the development stack's compose file (its name says dev)" in hit["evidence"]
    prod = check_secret(f | {"location": {"path": "compose.yml", "start_line": 10, "end_line": 10}}, None)
    assert prod["status"] == "weak_evidence"  # a PASSWORD key: the format argument is not made
    label = check_secret(f | {"location": {"path": "compose.yml", "start_line": 10, "end_line": 10},
                              "snippet": "      LABEL: privacyidea\n"}, None)
    assert "does not fit the high-entropy string format" in label["evidence"]


def test_is_active_of_a_database_session_is_sqlalchemys_property():
    """Dispatch's main.py:163 `request.state.db.is_active` (set 29's audit: a Session, not the project's model field)."""
    from test_triage_set22 import flag_hit

    main = ("from sqlalchemy.orm import sessionmaker\n\n\ndef mw(request):\n"
            "    if hasattr(request.state, 'db') and request.state.db.is_active:\n        request.state.db.rollback()\n")
    hit = flag_hit({"app/models.py": "class Service(Base):\n    is_active = Column(Boolean)\n", "app/main.py": main},
                   5, "app/main.py")
    assert hit and "`request.state.db.is_active` is a property (a bool) of SQLAlchemy's Session" in hit["evidence"]


def test_an_xml_import_used_only_to_build_a_feed_parses_nothing():
    """isso's views/comments.py:16 `import xml.etree.ElementTree as ET`, used only by feed() (set 29's audit: "an import
    line runs nothing" would dismiss any B405)."""
    from tasks.triage.unused_import import check_unused_import

    code = ('import xml.etree.ElementTree as ET\n\n\ndef feed(items):\n    root = ET.Element("feed")\n'
            '    for i in items:\n        ET.SubElement(root, "entry").text = i\n    return ET.tostring(root)\n')
    hit = check_unused_import(bandit_at("B405", 1, "isso/views/comments.py"), Files(code))
    assert hit and hit["evidence"].startswith("no XML is parsed: isso/views/comments.py:1 imports the module Bandit warns "
                                              "about, and every call through it builds or writes XML (Element, SubElement, "
                                              "tostring: `ET.Element(\"feed\")` at line 5, in feed(), and 2 more lines)")
    parses = code + "\n\ndef read(text):\n    return ET.fromstring(text)\n"
    assert not check_unused_import(bandit_at("B405", 1, "isso/views/comments.py"), Files(parses))["evidence"].startswith(
        "no XML is parsed")


def test_a_test_finding_says_what_the_code_shows_beside_test_code():
    """privacyidea's tests/test_migration_d9e0f1a2b3c4.py:66, SQL built from `_column()`, which returns a literal
    (set 29's graders: "the only reason given is test code")."""
    from test_triage_containers import judge

    code = ('from sqlalchemy import text\n\n\ndef _column():\n    return \'"abort_on_error"\'\n\n\n'
            'def _values(conn):\n    return conn.execute(text(f"SELECT {_column()} FROM policy")).fetchall()\n')
    f = bandit_at("B608", 9, "tests/test_migration_x.py", "Possible SQL injection vector through string-based query construction.")
    rec = judge({"tests/test_migration_x.py": code}, f)
    assert rec["verdict"] == "false_positive" and len(rec["reasons"]) == 2
    assert rec["reasons"][0]["evidence"].startswith("not run by the application: tests/test_migration_x.py is test code")
    assert rec["reasons"][1]["evidence"].startswith("constant data:")
    loose = code.replace("{_column()}", "{name}").replace("def _values(conn):", "def _values(conn, name):")
    assert len(judge({"tests/test_migration_x.py": loose}, f)["reasons"]) == 1


def test_a_docs_deploy_with_its_own_deploy_key_needs_no_write_token():
    """isso's build-upload-docs.yml (set 29): peaceiris/actions-gh-pages with `deploy_key: ${{ secrets.ACTIONS_DEPLOY_KEY }}`
    and `external_repository`; the row said the steps need contents: write."""
    from tasks.fixes.gha_jobs import gha_permissions

    wf = ("jobs:\n  docs:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n"
          "      - name: Deploy\n        uses: peaceiris/actions-gh-pages@v3\n        with:\n"
          "          deploy_key: ${{ secrets.ACTIONS_DEPLOY_KEY }}\n          external_repository: isso-comments/isso-comments.github.io\n"
          "          publish_dir: ./docs/_build/html\n")
    block, note = gha_permissions(wf)
    assert block == "permissions:\n  contents: read" and "their own credential (ACTIONS_DEPLOY_KEY)" in note
    block, _ = gha_permissions(wf.replace("          deploy_key: ${{ secrets.ACTIONS_DEPLOY_KEY }}\n",
                                          "          github_token: ${{ secrets.GITHUB_TOKEN }}\n"))
    assert "contents: write" in block


def test_a_zero_address_in_a_test_says_what_the_test_does_with_it():
    """privacyidea's tests/test_db_model.py:345 `p.client = "0.0.0.0"`, isso's test_vote.py:42 `makeClient("0.0.0.0")`
    and test_migration.py:132's assertEqual (set 29's graders: the reason was only "test code")."""
    from test_triage_containers import judge

    code = ('def test_a(self):\n    p.client = "0.0.0.0"\n    rv = self.makeClient("0.0.0.0").post("/id/1/like")\n'
            '    self.assertEqual(c["remote_addr"], "0.0.0.0")\n    app.run(host="0.0.0.0")\n')
    said = []
    for line in (2, 3, 4, 5):
        rec = judge({"tests/test_x.py": code}, bandit_at("B104", line, "tests/test_x.py", "Possible binding to all interfaces."))
        assert rec["verdict"] == "false_positive"
        said.append(rec["reasons"][1]["evidence"] if len(rec["reasons"]) > 1 else None)
    assert said[0].startswith("no bind either: '0.0.0.0' at line 2 is the value set on `p.client`")
    assert "is an argument of `makeClient()`" in said[1] and "is the expected value of `assertEqual()`" in said[2]
    assert said[3] is None  # a real bind in a test: the path alone
