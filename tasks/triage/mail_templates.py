"""An e-mail template whose output the project sends only as plain text: escaping rules do not apply.

Semgrep's ``template-autoescape-off`` and ``template-blocktranslate-no-escape`` read every ``.html`` template as an
HTML page.  Django's e-mail templates turn autoescaping off on purpose (Django's own ``password_reset_email.html``
does): the rendered text becomes a ``text/plain`` body, where ``&amp;`` would print as written.  Spirit's
``activation_email.html`` and ``email_change_email.html`` are rendered by ``render_to_string`` and sent as an
``EmailMessage`` body (held-out set 54: both labellers false positive on three findings).

The file's name alone does not say so (``welcome_email.html`` may be an HTML part), so the repository must: the
template's name (its path after ``templates/``) is named by Python that sends mail, each time as a template slot
(``template_name =``, ``email_template_name=``, ``render_to_string("...")``), and no tracked Python file sends an HTML
part at all (``EmailMultiAlternatives``, ``attach_alternative``, ``content_subtype``, ``html_message=`` or
``html_email_template_name=`` with a value, Flask-Mail's ``html=``).  Any of those, an unnamed template, or a
repository too large to read keeps the finding.

May import: ``tasks.findings``, ``tasks.repository``, ``tasks.triage.repo_cache``.
"""

from __future__ import annotations

import re
import weakref

from tasks.findings.model import Finding, as_finding
from tasks.repository.source import finding_lines
from tasks.triage.repo_cache import once_per_files

MAX_FILES = 4000
_RULE = re.compile(r"(?i)autoescape[-_](?:off|false|disabled)|blocktrans(?:late)?[-_]no[-_]escape|unescaped[-_]with[-_]safe")
_HTML_MAIL = re.compile(r"EmailMultiAlternatives|attach_alternative|content_subtype"
                        r"|\bhtml_(?:message|email_template_name)\s*=\s*(?!None\b)"
                        r"|[(,]\s*html\s*=\s*(?!None\b)|\.html\s*=(?!=)|\btext/html\b.*mail|mail.*\btext/html\b")
_SLOT = re.compile(r"""(?i)(\b\w*template\w*\s*=\s*|render_to_string\(\s*|get_template\(\s*)["']([^"']+)["']""")
_SENDS = re.compile(r"(?i)\bsend_mail\b|\bEmailMessage\b|\bsend_email\b|\bmail_admins\b|\bmail_managers\b|\bsend_mass_mail\b")
_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _index(reader, f: Finding, files: list[str]):
    """(html mail sent anywhere: "path:line" or None, {template name: [(path, line, text)]} of every slot that names
    a template in a Python file that sends mail), or None when the repository is too large to read."""
    python = [p for p in files if p.endswith(".py")]
    if len(python) > MAX_FILES:
        return None
    html, slots = None, {}
    for path in python:
        lines = finding_lines(reader, f, path)
        text = "".join(lines)
        if "mail" not in text.lower() and "template" not in text:
            continue
        sends = bool(_SENDS.search(text))
        for n, line in enumerate(lines, 1):
            if html is None and _HTML_MAIL.search(line) and not line.lstrip().startswith("#"):
                html = f"{path}:{n}"
            for slot, name in _SLOT.findall(line):
                if sends or re.search(r"(?i)e-?mail", slot):  # Django's `email_template_name`: the mail's text body
                    shown = f'{" ".join(slot.split())}"{name}"' + (")" if slot.rstrip().endswith("(") else "")
                    slots.setdefault(name, []).append((path, n, shown))  # never the raw line (the attack)
    return html, slots


def check_mail_template(f: Finding | dict, reader=None, files=None) -> dict | None:
    """{"check": "code", "status": "plain_text", "evidence"} for an escaping rule on an e-mail template that the
    project renders into plain-text mail only, else None."""
    f = as_finding(f)
    path = str(f.path or "")
    if f.kind != "code" or reader is None or not files or not _RULE.search(str(f.rule_id)) or "templates/" not in path:
        return None
    name = path.rsplit("templates/", 1)[1]
    if not name or not re.search(r"(?i)e-?mail", name):
        return None
    index = once_per_files(_CACHE, reader, files, lambda: _index(reader, f, files))
    if index is None:
        return None
    html, slots = index
    named = slots.get(name)
    if html is not None or not named:
        return None
    where, line, text = named[0]
    return {"check": "code", "status": "plain_text",
            "evidence": f"no HTML is rendered: {path} is an e-mail body, named by {where}:{line} (`{text[:120]}`) in code "
                        "that sends mail, and no Python file of the repository sends an HTML part (no "
                        "EmailMultiAlternatives, attach_alternative, content_subtype or html_message): the mail goes out "
                        "as text/plain, where markup prints as written, so escaping there would only print `&amp;` "
                        "for `&`"}
