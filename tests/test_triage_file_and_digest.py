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
