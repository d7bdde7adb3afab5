"""Bandit B311 (random is predictable) where the value has no security role, and where it does."""

from __future__ import annotations

from test_triage_containers import Files  # a repository of a few files, as the source reader reads them
from test_triage_hygiene import finding

from tasks.triage.random_use import check_random_use
from tasks.triage.verdict import Judge

LOCUST = '''import random
from locust import HttpUser, task

products = ['0PUK6V6EV0', '1YMWWN1N4O']


def browseProduct(l):
    l.client.get("/product/" + random.choice(products))


def addToCart(l):
    product = random.choice(products)
    l.client.post("/cart", {'product_id': product, 'quantity': random.randint(1, 10)})


def login(l):
    token = ''.join(random.sample('abcdef0123456789', 20))
    l.client.cookies.set('SESSIONID', token)


def vote():
    voter_id = hex(random.getrandbits(64))
    return voter_id


def recommend(request, products):
    indices = random.sample(range(len(products)), 3)
    return [products[i] for i in indices]


def make_user(name):
    suffix = random.randrange(100)
    reset = suffix
    return reset
'''


def b311(line: int) -> dict:
    return finding(tool="bandit", rule_id="B311", title="Standard pseudo-random generators are not suitable for "
                   "security/cryptographic purposes.", location={"path": "loadgen/locustfile.py", "start_line": line,
                                                                  "end_line": line})


def test_a_random_choice_with_no_security_role_is_not_a_finding():
    reader = Files(LOCUST)
    ev = check_random_use(b311(8), reader)
    assert ev and ev["evidence"].startswith("not a security use of randomness: random.choice() at "
                                            "loadgen/locustfile.py:8 in browseProduct()"), ev
    assert check_random_use(b311(27), reader)  # shuffled recommendation indices
    rec = Judge(reader=reader).judge(b311(8))
    assert rec["verdict"] == "false_positive" and rec["reasons"][0]["evidence"] == ev["evidence"]


def test_a_random_value_near_a_secret_or_an_identifier_keeps_the_finding():
    reader = Files(LOCUST)
    assert check_random_use(b311(12), reader) is None  # the product goes into 'product_id': an identifier
    assert check_random_use(b311(17), reader) is None  # a session token
    assert check_random_use(b311(22), reader) is None  # voter_id: a guessable id may be a guessable reference
    assert check_random_use(b311(32), reader) is None  # its value is later named reset
    web = Files(LOCUST.replace("from locust import HttpUser, task", "import flask"))  # a load test's token is test data
    assert Judge(reader=web).judge(b311(17))["verdict"] == "true_positive"
    assert check_random_use(b311(8), None) is None  # no repository: nothing to read


def test_a_minified_bundle_in_a_repository_that_builds_no_javascript_is_a_copied_library():
    """DjanGoat's static/app/javascript/loader.js: Google's Charts loader, minified, no banner, in a Django app with
    no package.json: Semgrep's eval/innerHTML findings are the library's code."""
    bundle = "(function(){var a=1;" + "K.xk=function(b){eval(b)};" * 400 + "})();\n"
    semgrep = finding(tool="semgrep", rule_id="js-eval-new-function", title="eval() of a non-literal",
                      location={"path": "static/app/javascript/loader.js", "start_line": 1, "end_line": 1})
    copied = Files({"static/app/javascript/loader.js": bundle, "app/views.py": "def index(request):\n    pass\n"})
    rec = Judge(reader=copied, imports=copied).judge(semgrep)
    assert rec["verdict"] == "false_positive", rec
    assert "minified (its longest line runs to 10,425 characters), and the repository builds no JavaScript" in rec["reasons"][0]["evidence"]
    built = Files({"static/app/javascript/loader.js": bundle, "frontend/package.json": "{}\n"})
    assert Judge(reader=built, imports=built).judge(semgrep)["verdict"] == "true_positive"  # maybe its own build output
    by_hand = Files({"static/app/javascript/loader.js": "function f(b) {\n  eval(b)\n}\n"})
    assert Judge(reader=by_hand, imports=by_hand).judge(semgrep)["verdict"] == "true_positive"


SERVE = '''async def generate(request, engine):
    final_output = None
    async for out in engine.stream(request):
        final_output = out
    assert final_output is not None
    return final_output


def delete(request, item):
    assert request.user.is_admin, "admins only"
    item.delete()
'''


def test_an_assert_of_the_programs_own_logic_is_not_a_security_check():
    from tasks.triage.assert_use import check_assert_use

    b101 = finding(tool="bandit", rule_id="B101", title="Use of assert detected.",
                   location={"path": "rayserve/llm/serve.py", "start_line": 5, "end_line": 5})
    ev = check_assert_use(b101, Files(SERVE))
    assert ev and ev["evidence"].startswith("a type narrowing, not a security check: `assert final_output is not None`")
    assert Judge(reader=Files(SERVE)).judge(b101)["verdict"] == "false_positive"
    guard = b101 | {"location": {"path": "rayserve/llm/serve.py", "start_line": 10, "end_line": 10}}
    assert check_assert_use(guard, Files(SERVE)) is None  # the only check before a delete: -O removes it
    assert Judge(reader=Files(SERVE)).judge(guard)["verdict"] == "true_positive"


def test_an_assert_on_a_route_handlers_parameter_is_input_validation():
    from tasks.triage.assert_use import check_assert_use

    code = ('@app.get("/imagine")\nasync def generate(self, prompt: str):\n    assert len(prompt), "prompt cannot be empty"\n'
            '    return await handle(prompt)\n\n\ndef helper(parts):\n    assert len(parts) == 2\n    return parts\n')
    b101 = finding(tool="bandit", rule_id="B101", title="Use of assert detected.",
                   location={"path": "serve/app.py", "start_line": 3, "end_line": 3})
    assert check_assert_use(b101, Files(code)) is None
    helper = b101 | {"location": {"path": "serve/app.py", "start_line": 8, "end_line": 8}}
    assert check_assert_use(helper, Files(code))  # an undecorated helper's own invariant


def test_an_assert_that_a_requests_attribute_is_set_is_a_type_narrowing():
    """calibre-web's tornado_wsgi.py (held-out set 22): `assert request.connection is not None` before writing the
    response names the request, but only narrows a type; an assert on the request's user still stays."""
    from tasks.triage.assert_use import check_assert_use

    code = ("def finish(request, start, headers):\n    assert request.connection is not None\n"
            "    request.connection.write_headers(start, headers)\n    assert request.user.is_staff\n")
    b101 = finding(tool="bandit", rule_id="B101", title="Use of assert detected.",
                   location={"path": "cps/tornado_wsgi.py", "start_line": 2, "end_line": 2})
    ev = check_assert_use(b101, Files(code))
    assert ev and "`assert request.connection is not None` at cps/tornado_wsgi.py:2 only asserts that a value is set" in ev["evidence"]
    staff = b101 | {"location": {"path": "cps/tornado_wsgi.py", "start_line": 4, "end_line": 4}}
    assert check_assert_use(staff, Files(code)) is None
