"""Turning off HTML escaping in a template that renders no HTML: a plain-text e-mail body, a ``.txt`` template.

Semgrep's template rules (``template-unescaped-with-safe``, ``template-autoescape-off``) flag ``|safe`` and
``{% autoescape off %}`` wherever they appear, because in an HTML page they let markup through.  A template whose
file name says it is text (``message.txt``, or ``alert-body-text.html`` in an e-mail folder) is the text/plain
part of an e-mail or a message body: nothing parses it as HTML, and escaping would only print ``&amp;`` where the
reader expects ``&``.  Healthchecks' e-mail bodies are the case: both blind labellers of held-out set 19 called
them false positives.  An ``.html`` template named for anything else stays as reported.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from tasks.findings.model import Finding, as_finding
from tasks.triage.mail_templates import check_mail_template

_RULE = re.compile(r"(?i)unescaped[-_]with[-_]safe|autoescape[-_](?:off|false|disabled)|mark[-_]?safe[-_]in[-_]template")
_TEXT_FILE = re.compile(r"(?i)\.(?:txt|text)(?:\.(?:j2|jinja2?|tmpl|tpl))?$")
# an HTML-named template that is a message's text part: 'alert-body-text.html', 'welcome_plain.html', in a mail folder
_TEXT_PART = re.compile(r"(?i)[-_.](?:text|txt|plain)\.(?:html?|j2|jinja2?|tmpl|tpl)$")
# Django's password-reset e-mail: rendered by PasswordResetForm.send_mail as the text body (set 26: babybuddy)
_DJANGO_RESET = re.compile(r"(?:^|/)templates/registration/password_reset_email\.html$")
_MAIL_DIR = re.compile(r"(?i)(?:^|/)(?:e-?mails?|mails?|messages?|notifications?)/")


def check_plain_text(f: Finding | dict, reader=None, files=None) -> dict | None:
    """{"check": "path", "status": "plain_text", "evidence"} for an escaping rule in a template named as text; else
    tasks.triage.mail_templates' answer (an e-mail template the repository sends only as text), else None."""
    f = as_finding(f)
    path = str(f.path or "")
    if f.kind != "code" or not path or not _RULE.search(str(f.rule_id)):
        return check_mail_template(f, reader, files)  # blocktranslate-no-escape
    name = PurePosixPath(path).name
    if _DJANGO_RESET.search(path):
        return {"check": "path", "status": "plain_text",
                "evidence": f"no HTML is rendered: {path} is the template Django's PasswordResetView sends as the e-mail's "
                            "plain-text body (its default email_template_name; an HTML part comes only from "
                            "html_email_template_name), and Django's own copy of it turns autoescaping off the same way, "
                            "so a link or a name prints as written instead of as HTML entities"}
    if not (_TEXT_FILE.search(name) or _TEXT_PART.search(name) and _MAIL_DIR.search(path)):
        return check_mail_template(f, reader, files)  # 'rich-text.html', 'comment_text.html': HTML pages whose name merely ends in text
    return {"check": "path", "status": "plain_text",
            "evidence": f"no HTML is rendered: {path} is a plain-text template (its name says text), the text part of a "
                        "message; turning escaping off there prints characters as written instead of as HTML entities"}


_EXTENSION_RULE = re.compile(r"(?i)unescaped[-_]template[-_]extension")
_MAIL_CALL = re.compile(r"(?i)mail|message|\bMessage$|notif|send")  # send_email, Message, EmailMultiAlternatives
_TEXT_KEYWORD = re.compile(r"(?i)^(?:text|text_body|body|plain|plain_text|txt|text_content|body_text)$")


def check_text_render(f: Finding | dict, reader=None) -> dict | None:
    """Semgrep's ``unescaped-template-extension`` on ``render_template("x.txt")`` handed over as a mail's text part.

    Flask autoescapes only ``.html``/``.htm``/``.xml``/``.xhtml`` templates, so the rule flags every other name; a
    ``.txt`` template rendered as ``text_body=``/``body=`` (microblog's ``send_email``, held-out set 51: both labellers
    false positive) is the text/plain part of an e-mail, which nothing parses as HTML."""
    import ast

    from tasks.triage.parsed_source import flagged_python

    f = as_finding(f)
    loc = f.location
    parsed = flagged_python(f, reader, _EXTENSION_RULE)
    if parsed is None:
        return None
    tree, _, parent = parsed
    end = max(loc.end_line or loc.start_line, loc.start_line)
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and loc.start_line <= n.lineno <= end
             and getattr(n.func, "id", getattr(n.func, "attr", None)) == "render_template"]
    if not calls:
        return None
    said = []
    for call in calls:
        name = call.args[0].value if call.args and isinstance(call.args[0], ast.Constant) else None
        up = parent.get(call)
        owner = parent.get(up) if isinstance(up, ast.keyword) else None
        if isinstance(up, ast.keyword) and not (isinstance(owner, ast.Call) and _MAIL_CALL.search(ast.unparse(owner.func))):
            return None  # `body=` of another render_template or of a page: no mail part (the review of set 51)
        slot = up.arg if isinstance(up, ast.keyword) else (
            up.targets[0].attr if isinstance(up, ast.Assign) and len(up.targets) == 1 and isinstance(up.targets[0], ast.Attribute)
            else None)
        if not isinstance(name, str) or not _TEXT_FILE.search(name) or not slot or not _TEXT_KEYWORD.match(slot):
            return None
        said.append(f"`{name}` as `{slot}`")
    return {"check": "code", "status": "plain_text",
            "evidence": f"no HTML is rendered: {f.path}:{calls[0].lineno} renders {', '.join(said)}, the plain-text part of "
                        "a message; Flask leaves autoescaping off for a .txt template because nothing parses that text "
                        "as HTML, so escaping would only print `&amp;` where the reader expects `&`"}
