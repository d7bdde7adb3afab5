"""Triage round 8: a deserialiser fed only a committed file, and a weak digest that is only echoed as a checksum or
hashes generated dummy data -- each with a case it flags and a case it leaves alone."""

from __future__ import annotations

from test_triage_containers import Files  # a repository of a few files, as the source reader reads them
from test_triage_hygiene import finding

from tasks.triage.flow import check_hash_use
from tasks.triage.repo_file_input import check_repo_file_input
from tasks.triage.verdict import Judge

DEPLOY = '''#!/usr/bin/env python3
import subprocess
import yaml


def main():
    config_yaml_file = open("serverlessrepo.yaml")
    config_yaml_str = config_yaml_file.read()
    config_yaml_file.close()
    config = yaml.load(config_yaml_str)
    subprocess.check_call(["aws", "cloudformation", "package", "--profile", config["AWSProfile"]])
'''

LOADER = '''import os
import pickle
import yaml
from flask import request

HERE = os.path.dirname(__file__)


def settings():
    with open(os.path.join(os.path.dirname(__file__), "settings.yaml")) as fh:
        return yaml.load(fh)


def model():
    return pickle.load(open("models/model.pkl", "rb"))


def upload():
    data = request.files["doc"].read()
    return yaml.load(data)


def cached(path):
    with open(path) as fh:
        return yaml.load(fh)


SEEDS = "data/seeds.yaml"


def seeds(name=SEEDS):
    local = SEEDS
    return yaml.load(open(local)), yaml.load(open(name))
'''


def loader(path, line, rule="B506", title="yaml_load"):
    return finding(tool="bandit", rule_id=rule, title=title, location={"path": path, "start_line": line, "end_line": line})


def judge(files, f):
    repo = Files(files)
    return Judge(reader=repo, imports=repo).judge(f)


def test_yaml_load_of_the_repositorys_own_file_is_not_outside_input():
    files = {"serverlessrepo-deploy.py": DEPLOY, "serverlessrepo.yaml": "Name: app\n"}
    f = loader("serverlessrepo-deploy.py", 10) | {"tool": "semgrep", "rule_id": "python.lang.security.deserialization.avoid-pyyaml-load"}
    rec = judge(files, f)
    assert rec["verdict"] == "false_positive" and rec["reasons"][0]["check"] == "code"
    ev = rec["reasons"][0]["evidence"]
    assert ev.startswith("repository file input: yaml.load() at line 10 reads serverlessrepo.yaml")
    assert "serverlessrepo-deploy.py:7" in ev and "serverlessrepo-deploy.py:8" in ev


def test_a_file_beside_the_script_or_a_committed_pickle_counts_and_a_request_or_parameter_does_not():
    files = {"app/load.py": LOADER, "app/settings.yaml": "a: 1\n", "models/model.pkl": ""}
    assert "reads app/settings.yaml" in check_repo_file_input(loader("app/load.py", 11), Files(files), Files(files))["evidence"]
    b301 = loader("app/load.py", 15, rule="B301", title="pickle")
    assert "reads models/model.pkl" in check_repo_file_input(b301, Files(files), Files(files))["evidence"]
    files["data/seeds.yaml"] = "- a\n"
    assert check_repo_file_input(loader("app/load.py", 33), Files(files), Files(files)) is None  # name=: the caller's path
    ok = LOADER.replace("yaml.load(open(name))", "0")
    repo = Files(files | {"app/load.py": ok})
    assert "reads data/seeds.yaml (app/load.py:28, app/load.py:32)" in check_repo_file_input(loader("app/load.py", 33), repo, repo)["evidence"]
    for line in (20, 25):  # an upload; a path the caller chooses
        assert check_repo_file_input(loader("app/load.py", line), Files(files), Files(files)) is None
        assert judge(files, loader("app/load.py", line))["verdict"] == "true_positive"


def test_a_file_the_repository_lacks_or_the_program_writes_decides_nothing():
    assert check_repo_file_input(loader("serverlessrepo-deploy.py", 10), Files({"serverlessrepo-deploy.py": DEPLOY}),
                                 Files({"serverlessrepo-deploy.py": DEPLOY})) is None  # not committed: maybe downloaded
    written = DEPLOY + '\n\ndef save(body):\n    open("serverlessrepo.yaml", "w").write(body)\n'
    files = {"serverlessrepo-deploy.py": written, "serverlessrepo.yaml": "Name: app\n"}
    assert check_repo_file_input(loader("serverlessrepo-deploy.py", 10), Files(files), Files(files)) is None


UPLOAD = '''import os
from binascii import hexlify
from hashlib import md5

import falcon


class FileUpload(object):
    def on_post(self, req, resp):
        user_input = req._params["upload"].file.read()

        digest = hexlify(md5(user_input).digest()).decode("utf8")

        cmd = "echo " + str(user_input[:10])
        os.system(cmd)

        resp.status = falcon.HTTP_200
        resp.media = {"status": "ok", "md5": digest}


class Login(object):
    def on_post(self, req, resp):
        token = md5(req.media["user"].encode()).hexdigest()
        resp.media = {"token": token}

    def on_put(self, req, resp):
        digest = md5(req.media["doc"].encode()).hexdigest()
        if digest == req.media["expected"]:
            resp.media = {"md5": digest}
'''

SEED = '''import hashlib
import boto3
from faker import Faker


def run_fake_cards(table_name):
    fake = Faker()
    boto3.resource('dynamodb').Table(table_name).put_item(Item={'card_number': fake.credit_card_number()})


def run_fake_users(table_name):
    fake = Faker()
    table = boto3.resource('dynamodb').Table(table_name)
    for i in range(0, 50):
        table.put_item(Item={
            'username': fake.user_name(),
            'password': hashlib.md5(str.encode(fake.password())).hexdigest()
        })


def add_user(table, name, password):
    fake = Faker()
    table.put_item(Item={'username': name, 'password': hashlib.md5(str.encode(password + fake.word())).hexdigest()})
'''


def weak_hash(path, line):
    return finding(tool="semgrep", rule_id="python.lang.security.insecure-hash-algorithms.insecure-hash-algorithm-md5",
                   title="md5", location={"path": path, "start_line": line, "end_line": line})


def test_a_digest_only_echoed_as_the_responses_checksum_is_not_a_security_use():
    rec = judge({"apps/falcon_app.py": UPLOAD}, weak_hash("apps/falcon_app.py", 12))
    assert rec["verdict"] == "false_positive"
    ev = rec["reasons"][0]["evidence"]
    assert "computes digest, which on_post() only reports under a checksum key ('md5' (apps/falcon_app.py:18))" in ev


def test_a_digest_sent_as_a_token_or_compared_is_left_alone():
    for line in (23, 27):
        assert check_hash_use(weak_hash("apps/falcon_app.py", line), Files({"apps/falcon_app.py": UPLOAD})) is None
        assert judge({"apps/falcon_app.py": UPLOAD}, weak_hash("apps/falcon_app.py", line))["verdict"] == "true_positive"


def test_a_digest_of_fakers_dummy_password_is_seed_data_and_of_a_real_password_is_not():
    b324 = finding(tool="bandit", rule_id="B324", title="hashlib", location={"path": "ops/create_dummies.py", "start_line": 17,
                                                                             "end_line": 17})
    rec = judge({"ops/create_dummies.py": SEED}, b324)
    assert rec["verdict"] == "false_positive"
    assert "digests only values a Faker generator makes (fake = Faker() at ops/create_dummies.py:12)" in rec["reasons"][0]["evidence"]
    real = b324 | {"location": {"path": "ops/create_dummies.py", "start_line": 23, "end_line": 23}}
    assert check_hash_use(real, Files(SEED)) is None  # the password parameter is a real user's
    assert judge({"ops/create_dummies.py": SEED}, real)["verdict"] == "true_positive"


SEED_JS = '''const users = [
    {
      "username": "admin",
      "password": "admin"
    },
    {
      "username": "roberto",
      "password": "asdfpiuw981"
    }
  ];
'''

README = '''# vulnerable shop

To access to website you can use displayed in landing page:

- admin : admin
- roberto : asdfpiuw981

The "secret" admin page is mkja1xijqf0abo1h9glg.html; set SESSION_KEY in .env.
'''


def secret_rule(path, start, end):
    return finding(tool="semgrep", rule_id="javascript.hardcoded-secret-assignment", title="hardcoded secret",
                   location={"path": path, "start_line": start, "end_line": end})


def test_a_demo_login_the_readme_publishes_with_its_user_is_documented():
    rec = judge({"dummy.js": SEED_JS, "README.md": README}, secret_rule("dummy.js", 6, 9))
    assert rec["verdict"] == "false_positive" and rec["reasons"][0]["check"] == "secret"
    ev = rec["reasons"][0]["evidence"]
    assert ev.startswith("a documented demo credential: README.md:6 publishes the value flagged at dummy.js:6")
    assert "asdfpiuw981" not in ev and "roberto" not in ev


def test_a_readme_word_a_page_name_or_an_app_signing_key_is_left_alone():
    page = "const secretPage = 'mkja1xijqf0abo1h9glg.html';\n"
    rec = judge({"index.js": page, "README.md": README}, secret_rule("index.js", 1, 1))
    assert rec["verdict"] == "true_positive"  # the README names the file, not as a login with its user
    key = "SECRET_KEY = 'k3y-from-readme'\n"  # a published signing key still lets anyone forge sessions
    doc = README + "\nSECRET_KEY=k3y-from-readme\n"
    assert judge({"app.py": key, "README.md": doc}, secret_rule("app.py", 1, 1))["verdict"] != "false_positive"
    assert judge({"app.py": key.replace("SECRET_KEY", "ADMIN_PASSWORD"), "README.md": doc.replace("SECRET_KEY", "ADMIN_PASSWORD")},
                 secret_rule("app.py", 1, 1))["verdict"] == "false_positive"  # the same shape for a login password
    alone = README.replace("- roberto : asdfpiuw981", "- asdfpiuw981")  # the value without its user: not a login pair
    assert judge({"dummy.js": SEED_JS, "README.md": alone}, secret_rule("dummy.js", 6, 9))["verdict"] == "true_positive"


def test_a_setting_the_readme_shows_by_its_own_name_is_documented_and_the_value_is_never_shown():
    compose = "services:\n  db:\n    environment:\n      MYSQL_ROOT_PASSWORD: mysecretpassword\n"
    doc = "docker run -e MYSQL_ROOT_PASSWORD=mysecretpassword -d mysql:8\n"
    rec = judge({"docker-compose.yml": compose, "README.md": doc}, secret_rule("docker-compose.yml", 4, 4))
    assert rec["verdict"] == "false_positive" and "together with the name MYSQL_ROOT_PASSWORD" in rec["reasons"][0]["evidence"]
    assert "mysecretpassword" not in rec["reasons"][0]["evidence"]
    other = "docker run -e MYSQL_PASSWORD=mysecretpassword -d mysql:8\n"  # another setting's value
    assert judge({"docker-compose.yml": compose, "README.md": other}, secret_rule("docker-compose.yml", 4, 4))["verdict"] != "false_positive"


HANDLERS = '''import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler


class Handler(BaseHTTPRequestHandler):
    routes = {}
    for attack in ET.parse('./db/attacks.xml').findall('attack'):
        routes[attack.findtext('route')] = attack.findtext('template')

    def do_POST(self):
        body = self.rfile.read(int(self.headers['Content-Length']))
        return ET.fromstring(body)
'''


def test_an_xml_parser_given_a_committed_file_by_path_is_not_fed_outside_data():
    """DSVPWA-shaped: the route table is parsed from the app's own db/attacks.xml; the POST body is outside data."""
    repo = Files({"app/handlers.py": HANDLERS, "db/attacks.xml": "<attacks/>\n"})
    b314 = finding(tool="bandit", rule_id="B314", title="Using xml.etree.ElementTree.parse to parse untrusted XML data is "
                   "known to be vulnerable to XML attacks.", location={"path": "app/handlers.py", "start_line": 7, "end_line": 7})
    ev = check_repo_file_input(b314, repo, repo)
    assert ev and "ET.parse() at line 7 reads db/attacks.xml" in ev["evidence"], ev
    body = b314 | {"location": {"path": "app/handlers.py", "start_line": 12, "end_line": 12}}
    assert check_repo_file_input(body, repo, repo) is None
    gone = Files({"app/handlers.py": HANDLERS})  # the file is not in the repository: who knows what is there
    assert check_repo_file_input(b314, gone, gone) is None
