"""Code that ships with the project but is not its own, or is never deployed: installed third-party packages
(site-packages, a sibling *.dist-info that lists the file), a function folder whose Terraform is commented out,
Bandit's import blacklist on an unused import, a Windows-only Checkov control on a Linux VM, HTTP/2 checks.
Each: a case flagged with its evidence and a true positive left alone."""

from __future__ import annotations

from test_triage_containers import Files
from test_triage_deployed import config

from tasks.triage.unused_import import unused_import
from tasks.triage.verdict import Judge


class Repo(Files):
    """Files with the Python sources ImportIndex lists (the callers check reads them)."""

    def sources(self, fam: str) -> list[str]:
        return [p for p in self.files if p.endswith(".py")] if fam == "pypi" else []


def judge(files: dict[str, str], f: dict) -> dict:
    repo = Repo(files)
    return Judge(reader=repo, imports=repo).judge(f)

SQL = "def run(db, table):\n    return db.execute('select * from %s' % table)\n"
HANDLER = ("import sqlite3\n\n\ndef handler(event, context):\n    db = sqlite3.connect('x.db')\n"
           "    return db.execute(\"select * from t where name = '%s'\" % event['name']).fetchall()\n")
RECORD = ("sqlite_utils-3.17.dist-info/METADATA,sha256=abc,100\nsqlite_utils/__init__.py,sha256=def,10\n"
          "sqlite_utils/db.py,sha256=E3Kv,109092\n")


def code(rule: str, path: str, line: int, title: str = "", tool: str = "bandit") -> dict:
    return config(rule, path, line, tool=tool) | {"kind": "code", "title": title}


def test_a_finding_inside_site_packages_is_the_librarys_own_code():
    path = "fn/.python_packages/lib/site-packages/cryptography/hazmat/aead.py"
    f = code("B101", path, 97, "Use of assert detected.")
    for rec in (judge({path: "def f(x):\n    assert x\n"}, f), Judge().judge(f)):  # the path alone is the evidence
        assert rec["verdict"] == "false_positive"
        ev = rec["reasons"][0]["evidence"]
        assert "installed third-party package" in ev and "fn/.python_packages/lib/site-packages/" in ev and "pip" in ev


def test_a_package_folder_pip_installed_beside_the_handler_is_told_by_its_dist_info_record():
    base = "infra/lambda_src"
    files = {f"{base}/main.py": HANDLER, f"{base}/sqlite_utils/db.py": SQL,
             f"{base}/sqlite_utils-3.17.dist-info/RECORD": RECORD, f"{base}/tabulate.py": SQL,
             f"{base}/tabulate-0.8.9.dist-info/RECORD": "tabulate.py,sha256=B9y5,62917\n"}
    rec = judge(files, code("B608", f"{base}/sqlite_utils/db.py", 2, "Possible SQL injection vector"))
    assert rec["verdict"] == "false_positive"
    assert f"{base}/sqlite_utils-3.17.dist-info/RECORD:3 lists sqlite_utils/db.py" in rec["reasons"][0]["evidence"]
    single = judge(files, code("B608", f"{base}/tabulate.py", 2, "Possible SQL injection vector"))
    assert "tabulate-0.8.9.dist-info/RECORD:1 lists tabulate.py" in single["reasons"][0]["evidence"]
    # the project's own handler beside the installed packages is no RECORD's file: it stays a finding
    own = judge(files, code("B608", f"{base}/main.py", 6, "Possible SQL injection vector"))
    assert own["verdict"] == "true_positive" and "installed" not in str(own["reasons"])


def test_a_dist_info_that_does_not_list_the_file_and_a_served_front_end_library_keep_their_verdicts():
    files = {"app/mylib/db.py": SQL, "app/other-1.0.dist-info/RECORD": "other/__init__.py,sha256=x,1\n"}
    rec = judge(files, code("B608", "app/mylib/db.py", 2, "Possible SQL injection vector"))
    assert rec["verdict"] == "true_positive"
    js = "/*! jQuery v1.8.3 jquery.com | jquery.org/license */\n(function(e){eval(e)})(window);\n"
    lib = judge({"static/js/jquery.js": js}, code("eval", "static/js/jquery.js", 2, tool="semgrep"))
    assert lib["verdict"] == "false_positive" and "vendored third-party library code" in lib["reasons"][0]["evidence"]


LAMBDA_TF = '''data "archive_file" "one_zip" {
  type        = "zip"
  source_dir  = "lambda_source_code/one_src"
  output_path = "lambda_source_code/archives/one_src.zip"
}

# data "archive_file" "two_zip" {
#   type        = "zip"
#   source_dir  = "lambda_source_code/two_src"
#   output_path = "lambda_source_code/archives/two_src.zip"
# }
'''


def test_a_function_folder_whose_terraform_is_commented_out_is_never_deployed():
    files = {"tf/lambda.tf": LAMBDA_TF, "tf/lambda_source_code/two_src/main.py": HANDLER,
             "tf/lambda_source_code/one_src/main.py": HANDLER}
    rec = judge(files, code("B608", "tf/lambda_source_code/two_src/main.py", 6, "Possible SQL injection vector"))
    assert rec["verdict"] == "false_positive"
    assert "never deployed: tf/lambda_source_code/two_src/ is named only on commented lines: tf/lambda.tf:9,10" in rec["reasons"][0]["evidence"]
    live = judge(files, code("B608", "tf/lambda_source_code/one_src/main.py", 6, "Possible SQL injection vector"))
    assert live["verdict"] == "true_positive"
    # a live script that still packages the folder keeps the finding
    files["tf/deploy.sh"] = "cd lambda_source_code/two_src && zip -r ../two.zip .\n"
    kept = judge(files, code("B608", "tf/lambda_source_code/two_src/main.py", 6, "Possible SQL injection vector"))
    assert kept["verdict"] == "true_positive"


def test_an_import_the_module_never_uses_is_not_a_risky_call():
    unused = "import os\nimport subprocess\n\n\ndef home():\n    return os.environ['HOME']\n"
    rec = judge({"cli/utils.py": unused}, code("B404", "cli/utils.py", 2, "Consider possible security implications"))
    assert rec["verdict"] == "false_positive"
    assert "cli/utils.py:2 `import subprocess` binds `subprocess`" in rec["reasons"][0]["evidence"]
    used = unused + "\n\ndef run(cmd):\n    return subprocess.run(cmd)\n"
    # used: the import line is still no weakness, the subprocess calls carry their own findings (B602-B607)
    rec = judge({"cli/utils.py": used}, code("B404", "cli/utils.py", 2))
    assert rec["verdict"] == "false_positive" and "an import only" in rec["reasons"][0]["evidence"]
    assert "B602-B607" in rec["reasons"][0]["evidence"]
    # pycrypto's import is the risk itself (an unmaintained library): used, it stays as reported
    crypto = "from Crypto.Cipher import AES\n\n\ndef enc(k, d):\n    return AES.new(k).encrypt(d)\n"
    assert judge({"cli/enc.py": crypto}, code("B413", "cli/enc.py", 1))["verdict"] == "true_positive"
    reexport = judge({"cli/__init__.py": crypto}, code("B413", "cli/__init__.py", 1))
    assert reexport["verdict"] == "true_positive"  # a package's __init__ re-exports what it imports


def test_unused_import_reads_aliases_from_imports_and_all():
    assert unused_import("from pickle import loads as l\n", 1) == ("from pickle import loads as l", ["l"])
    assert unused_import("from pickle import loads as l\nl(b'')\n", 1) is None
    assert unused_import("import pickle\n__all__ = ['pickle']\n", 1) is None
    assert unused_import("from xml.sax import *\n", 1) is None


VM = '''resource "azurerm_virtual_machine" "dev-vm" {
  name    = "developerVM"
  vm_size = "Standard_B1s"
  storage_image_reference {
    publisher = "Canonical"
    offer     = "UbuntuServer"
  }
  os_profile_linux_config {
    disable_password_authentication = false
  }
}'''


def test_a_windows_only_antimalware_control_on_a_linux_vm_does_not_apply():
    f = config("CKV2_AZURE_10", "main.tf", 381) | {"snippet": VM}
    rec = Judge().judge(f)
    assert rec["verdict"] == "false_positive"
    assert "Linux virtual machine (`os_profile_linux_config` (line 388) in main.tf)" in rec["reasons"][0]["evidence"]
    windows = VM.replace("Canonical", "MicrosoftWindowsServer").replace("os_profile_linux_config", "os_profile_windows_config")
    assert Judge().judge(config("CKV2_AZURE_10", "main.tf", 381) | {"snippet": windows})["verdict"] == "true_positive"


def test_http2_checks_are_operational():
    rec = Judge().judge(config("CKV_AZURE_67", "main.tf", 164))
    assert rec["verdict"] == "false_positive" and "HTTP/2" in rec["reasons"][0]["evidence"]
    assert Judge().judge(config("CKV_AZURE_65", "main.tf", 164))["verdict"] == "true_positive"


XML_APP = ('import xml.etree.ElementTree\nfrom flask import request\n\nUSERS_XML = """<users><user>admin</user></users>"""\n\n\n'
           'def users():\n    return [u.text for u in xml.etree.ElementTree.fromstring(USERS_XML).findall("user")]\n\n\n'
           'def upload():\n    doc = request.data\n    return xml.etree.ElementTree.fromstring(doc)\n')


def test_an_xml_parser_fed_the_modules_own_constant_is_not_untrusted_xml():
    title = "Using xml.etree.ElementTree.fromstring to parse untrusted XML data is known to be vulnerable to XML attacks."
    rec = judge({"app.py": XML_APP}, code("B314", "app.py", 8, title) | {"cwe": ["CWE-20"]})
    assert rec["verdict"] == "false_positive"
    assert "xml.etree.ElementTree.fromstring() at line 8" in rec["reasons"][0]["evidence"]
    assert "USERS_XML (app.py:4)" in rec["reasons"][0]["evidence"]
    upload = judge({"app.py": XML_APP}, code("B314", "app.py", 13, title) | {"cwe": ["CWE-20"]})
    assert upload["verdict"] == "true_positive"


def test_a_vendor_folder_counts_as_installed_only_with_the_package_managers_record():
    go = {"vendor/modules.txt": "# github.com/gorilla/mux v1.8.0\n## explicit\ngithub.com/gorilla/mux\n",
          "vendor/github.com/gorilla/mux/mux.go": "package mux\n"}
    rec = judge(go, code("G104", "vendor/github.com/gorilla/mux/mux.go", 1, tool="gosec"))
    assert rec["verdict"] == "false_positive"
    assert "vendor/modules.txt:1 records module github.com/gorilla/mux v1.8.0" in rec["reasons"][0]["evidence"]
    php = {"vendor/composer/installed.json": '{"packages": [\n  {\n    "name": "monolog/monolog",\n    "version": "2.9.1"\n  }\n]}\n',
           "vendor/monolog/monolog/src/Logger.php": "<?php\n"}
    rec = judge(php, code("php.eval", "vendor/monolog/monolog/src/Logger.php", 1, tool="semgrep"))
    assert rec["verdict"] == "false_positive" and "installed.json:3 lists the package monolog/monolog" in rec["reasons"][0]["evidence"]
    copied = judge({"vendor/acme/lib.php": "<?php\n"}, code("php.eval", "vendor/acme/lib.php", 1, tool="semgrep"))
    assert copied["verdict"] == "needs_review"  # a hand-copied vendor/ folder: no package manager's record


def test_a_package_pip_installed_from_a_local_folder_may_be_the_projects_own():
    base = "fn/src"
    files = {f"{base}/sqlite_utils/db.py": SQL, f"{base}/sqlite_utils-3.17.dist-info/RECORD": RECORD,
             f"{base}/sqlite_utils-3.17.dist-info/direct_url.json": '{"url": "file:///work/app", "dir_info": {}}\n'}
    rec = judge(files, code("B608", f"{base}/sqlite_utils/db.py", 2, "Possible SQL injection vector"))
    assert rec["verdict"] == "true_positive"
