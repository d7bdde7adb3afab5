"""What the flagged code itself shows, read from the file: the checks held-out set 40 asked for, in one chain.

Each takes the finding, the repository reader and its tracked files, and returns a false-positive reason with its
evidence, or None; the first answer wins.  They run with the other code checks of tasks.triage.verdict, before the
path and the report's confidence decide:

* ``constant_command``: a shell command that is one string literal;
* ``template_output``: an HTML rule on a template that renders source code or data;
* ``bidi_text``: bidirectional controls balanced inside a string literal;
* ``bundled_xml``: XML parsed from a data file the repository ships;
* ``dom_html``: DOM HTML that is sanitised, the application's own page, or its own translated text;
* ``sanitised_path`` (set 41): a JavaScript file path built by the repository's own sanitiser or checked to stay inside;
* ``response_type`` (set 41): a Go response write whose Content-Type the handler sets to a non-HTML type;
* ``jinja_macro`` (set 42): a template expression that calls a macro printing only literal markup;
* ``go_redirect`` (set 42): a Go redirect to the OAuth2 authorisation URL of the configured provider;
* ``go_sql`` (set 43): Go SQL text assembled only from constant fragments (memos' ``strings.Join(set, ", ")``);
* ``go_listener`` (set 43): a plain-HTTP Go listener that only redirects to HTTPS beside a TLS listener;
* ``log_secret`` (round 48): a Python log line that names a credential but interpolates only identities;
* ``template_control`` (set 45): an "unquoted" template value that is a control action or sits inside quotes;
* ``lit_template`` (set 45): a Lit ``html`...``` tagged template taken for jQuery's ``.html()``;
* ``dev_runner`` (set 45): a top-level ``app.run`` on the loopback interface in a script nothing imports;
* ``go_template_url`` (set 45): an ``href`` value of a Go html/template page that its URL filter or a checked
  ``template.URL`` function makes safe;
* ``lockfile_pin`` (set 46): a package.json version range that the committed lockfile resolves;
* ``go_ignored`` (set 46): a Go file whose ``//go:build ignore`` constraint keeps it out of every build;
* ``go_random`` (round 50): what a Go file's math/rand calls make, read from their functions' callers;
* ``jinja_text`` (round 51): a Jinja2 script that renders Dockerfiles or configuration, never HTML;
* ``go_url_copy`` (set 48): a Go URL field set on a copy the function made, not on the shared request URL;
* ``go_escaped_html`` (set 48): a Go ``template.HTML`` of text escaped or sanitised first;
* ``constant_key`` (set 48): a JavaScript computed key that the code lists itself;
* ``go_opt_in`` (set 48): a Go debug listener behind a command-line option that is off by default;
* ``own_markup`` (set 48): DOM markup from a template literal whose substitutions the code makes itself;
* ``settings_exec`` (round 52): a Python ``exec`` of the settings file the operator's environment or fixed paths name;
* ``compose_flag`` (set 49): a Compose service that sets ``no-new-privileges`` in a spelling the rule does not list;
* ``plain_text.check_text_render`` (set 51): a ``.txt`` template rendered as a mail's text part;
* ``host_redirect`` (set 51): nginx's ``$host`` only in the redirect to https;
* ``cli_command`` (set 51): a shell or program call inside a click/Flask command-line command;
* ``route_default`` (set 51): a password default of a Flask view whose routes all fill it from the URL;
* ``stdlib_xml`` (set 51): ElementTree in a repository whose images run Python 3.12 or newer;
* ``build_template`` (set 52): an html-webpack-plugin template, filled at build time from the webpack config;
* ``dynamic_method`` (set 52's audit): ``obj[name]()`` whose ``name`` the code fixes itself (a library picking among its
  own methods: "vendored" alone was no reason).

May import: the modules above.
"""

from __future__ import annotations

from tasks.findings.model import Finding, as_finding
from tasks.triage import (bidi_text, build_template, bundled_xml, cli_command, compose_flag, constant_command,
                          constant_key, dev_runner, dom_html, dynamic_method, go_escaped_html, go_ignored, go_listener, go_opt_in,
                          go_random, go_redirect, go_sql, go_template_url, go_url_copy, host_redirect, jinja_macro,
                          jinja_text, lit_template, lockfile_pin, log_secret, own_markup, plain_text, response_type,
                          route_default, sanitised_path, settings_exec, stdlib_xml, template_control,
                          template_output)


def check_code_facts(f: Finding | dict, reader=None, files=None) -> dict | None:
    f = as_finding(f)
    if f.kind != "code":
        return None
    return (constant_command.check_constant_command(f, reader) or template_output.check_template_output(f, reader, files)
            or bidi_text.check_balanced_bidi(f, reader) or bundled_xml.check_bundled_xml(f, reader, files)
            or dom_html.check_dom_html(f, reader, files) or sanitised_path.check_sanitised_path(f, reader, files)
            or response_type.check_response_type(f, reader, files) or jinja_macro.check_jinja_macro(f, reader)
            or go_redirect.check_go_redirect(f, reader) or go_sql.check_go_sql(f, reader, files)
            or go_listener.check_go_listener(f, reader) or log_secret.check_log_secret(f, reader)
            or template_control.check_template_control(f, reader) or lit_template.check_lit_template(f, reader)
            or dev_runner.check_dev_runner(f, reader, files) or go_template_url.check_go_template_url(f, reader, files)
            or lockfile_pin.check_lockfile_pin(f, reader, files) or go_ignored.check_go_ignored(f, reader, files)
            or go_random.check_go_random(f, reader, files) or jinja_text.check_jinja_text(f, reader, files)
            or go_url_copy.check_go_url_copy(f, reader, files) or go_escaped_html.check_go_escaped_html(f, reader)
            or settings_exec.check_settings_exec(f, reader) or compose_flag.check_compose_flag(f, reader)
            or constant_key.check_constant_key(f, reader) or go_opt_in.check_go_opt_in(f, reader, files)
            or own_markup.check_own_markup(f, reader) or plain_text.check_text_render(f, reader)
            or host_redirect.check_host_redirect(f, reader) or cli_command.check_cli_command(f, reader)
            or route_default.check_route_default(f, reader) or stdlib_xml.check_stdlib_xml(f, reader, files)
            or build_template.check_build_template(f, reader) or dynamic_method.check_dynamic_method(f, reader))
