"""Semgrep's no-scriptlets on JSP lines that print only literals, bundle texts or encoded values (set 14)."""

from repo_reader import FilesReader

from tasks.triage.jsp_output import check_scriptlet

PAGE = '''<%@ page import="org.owasp.encoder.Encode" %>
<%
String userName = Encode.forHtml(ses.getAttribute("userName").toString());
String levelHash = "8edf0a8ed891e6fef1b650935a6c46b03379a0eebab36afcd1d9076f65d4ce62";
String raw = request.getParameter("q");
%>
<p><%= bundle.getString("challenge1.para1") %></p>
<input value="<%= userName %>" />
<img src="<%= levelHash %>/orange.jpg" />
<p><%= raw %></p>
<% if (loggedIn) { %>
<p><%= request.getParameter("name") %></p>
'''


def _reader() -> FilesReader:
    return FilesReader({"page.jsp": PAGE})


def _f(line: int) -> dict:
    return {"id": "j" * 32, "tool": "semgrep", "rule_id": "java.lang.security.audit.xss.jsp.no-scriptlets", "kind": "code",
            "severity": "medium", "title": "JSP scriptlet detected", "description": "d",
            "location": {"path": "page.jsp", "start_line": line}}


def test_scriptlets_printing_constants_bundle_texts_or_encoded_values_are_false_positives():
    reader = _reader()
    assert "a resource-bundle text" in check_scriptlet(_f(7), reader)["evidence"]
    assert "`userName`, set only to encoded for HTML" in check_scriptlet(_f(8), reader)["evidence"]
    assert "`levelHash`, set only to a literal" in check_scriptlet(_f(9), reader)["evidence"]
    assert "control flow only" in check_scriptlet(_f(11), reader)["evidence"]


def test_request_data_printed_raw_keeps_the_finding():
    reader = _reader()
    assert check_scriptlet(_f(10), reader) is None  # raw = request.getParameter("q")
    assert check_scriptlet(_f(12), reader) is None
    assert check_scriptlet(_f(7), None) is None
