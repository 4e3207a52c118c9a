"""Runs the origin-verification handler (assets/origin-verify) against API Gateway HTTP API (payload 2.0) events:
AWS's published example event (test/fixtures/apigw-events/aws-docs-payload-v2.json, which carries a JWT authorizer
context, as with a user authorizer on the route) with the method, path, headers and body of each case.

Secrets Manager is a real boto3 client whose calls are answered by botocore's Stubber, so every call is
also checked against the service model (parameter names and types). No network, no AWS account.
"""

import copy
import importlib
import json
import sys
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber

ROOT = Path(__file__).resolve().parents[2]
sys.dont_write_bytecode = True  # no __pycache__ in the layer's asset folder
sys.path.insert(0, str(ROOT / "src" / "api" / "runtime" / "origin-verify-layer" / "python"))

import cdk_spa_origin_verify as ov  # noqa: E402

SECRET_ARN = "arn:aws:secretsmanager:us-east-1:111111111111:secret:AppOriginVerifySecret-AbCdEf"
CURRENT = "current-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV"
PREVIOUS = "previous-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRST"
ROTATED = "rotated-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTU"
HEADER = "x-origin-verify"


AWS_SAMPLE_EVENT = json.loads((ROOT / "test" / "fixtures" / "apigw-events" / "aws-docs-payload-v2.json").read_text())


def http_api_event(method="GET", path="/api/health", headers=None, body=None):
    """AWS's example payload 2.0 event with this request's method, path, headers (lower-cased) and body."""
    event = copy.deepcopy(AWS_SAMPLE_EVENT)
    event["rawPath"] = path
    event["rawQueryString"] = ""
    event.pop("queryStringParameters", None)
    event["requestContext"]["http"].update({"method": method, "path": path})
    event["headers"] = {"accept": "application/json", **(headers or {})}
    event["body"] = body
    event["isBase64Encoded"] = False
    return event


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def secretsmanager():
    client = boto3.client("secretsmanager", region_name="us-east-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def expect_read(stubber, current=CURRENT, previous=PREVIOUS):
    """Queues the two GetSecretValue calls of one read of the secret."""
    stubber.add_response("get_secret_value",
                         {"ARN": SECRET_ARN, "SecretString": current, "VersionStages": ["AWSCURRENT"]},
                         {"SecretId": SECRET_ARN, "VersionStage": "AWSCURRENT"})
    if previous is None:
        stubber.add_client_error("get_secret_value", service_error_code="ResourceNotFoundException",
                                 http_status_code=400,
                                 expected_params={"SecretId": SECRET_ARN, "VersionStage": "AWSPREVIOUS"})
    else:
        stubber.add_response("get_secret_value",
                             {"ARN": SECRET_ARN, "SecretString": previous, "VersionStages": ["AWSPREVIOUS"]},
                             {"SecretId": SECRET_ARN, "VersionStage": "AWSPREVIOUS"})


@pytest.fixture
def user_app(tmp_path, monkeypatch):
    """A user's handler module that records its calls; importing it is recorded too."""
    package = tmp_path / "userapp"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "main.py").write_text(
        "import json\n"
        "CALLS = []\n"
        "def handler(event, context):\n"
        "    CALLS.append(event)\n"
        "    return {'statusCode': 200, 'headers': {'content-type': 'application/json'},\n"
        "            'body': json.dumps({'method': event['requestContext']['http']['method'],\n"
        "                                'body': event.get('body')})}\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in ("userapp", "userapp.main"):
        sys.modules.pop(name, None)
    yield "userapp.main.handler"
    for name in ("userapp", "userapp.main"):
        sys.modules.pop(name, None)


def make_verifier(client, handler_spec, clock=None, ttl=300):
    values = ov.SecretValues(SECRET_ARN, lambda: client, ttl_seconds=ttl, clock=clock or Clock())
    return ov.OriginVerifier(HEADER, values, handler_spec)


def forbidden(response):
    return response["statusCode"] == 403 and json.loads(response["body"]) == {"message": "Forbidden"}


class TestRequestsThroughCloudFront:
    def test_the_right_header_reaches_the_handler(self, secretsmanager, user_app):
        client, stubber = secretsmanager
        expect_read(stubber)
        verify = make_verifier(client, user_app)
        response = verify(http_api_event(headers={HEADER: CURRENT}), None)
        assert response["statusCode"] == 200
        assert json.loads(response["body"]) == {"method": "GET", "body": None}

    def test_with_a_user_authorizer_its_context_reaches_the_handler_untouched(self, secretsmanager, user_app):
        # API Gateway ran the user's JWT authorizer first; its claims are in requestContext.authorizer
        client, stubber = secretsmanager
        expect_read(stubber)
        verify = make_verifier(client, user_app)
        event = http_api_event(headers={HEADER: CURRENT, "authorization": "Bearer eyJ..."})
        assert verify(event, None)["statusCode"] == 200
        seen = sys.modules["userapp.main"].CALLS[0]
        assert seen["requestContext"]["authorizer"] == AWS_SAMPLE_EVENT["requestContext"]["authorizer"]
        assert seen["headers"]["authorization"] == "Bearer eyJ..."

    def test_post_with_a_body_is_passed_unchanged_but_for_the_secret_header(self, secretsmanager, user_app):
        client, stubber = secretsmanager
        expect_read(stubber)
        verify = make_verifier(client, user_app)
        event = http_api_event("POST", "/api/items", {HEADER: CURRENT, "content-type": "application/json"},
                               body='{"name": "x"}')
        response = verify(event, None)
        assert json.loads(response["body"]) == {"method": "POST", "body": '{"name": "x"}'}
        expected = http_api_event("POST", "/api/items", {"content-type": "application/json"}, body='{"name": "x"}')
        assert sys.modules["userapp.main"].CALLS == [expected]  # the app never sees the secret
        assert event["headers"][HEADER] == CURRENT  # the caller's event is not modified

    def test_the_secret_header_is_removed_in_any_case_and_from_payload_1_multi_value_headers(self):
        event = {"headers": {"X-Origin-Verify": "s", "accept": "*/*"},
                 "multiValueHeaders": {"X-Origin-Verify": ["s"], "accept": ["*/*"]}, "body": None}
        assert ov.without_header(event, HEADER) == {"headers": {"accept": "*/*"}, "multiValueHeaders": {"accept": ["*/*"]},
                                                    "body": None}

    def test_the_header_name_is_matched_case_insensitively(self, secretsmanager, user_app):
        client, stubber = secretsmanager
        expect_read(stubber)
        verify = make_verifier(client, user_app)
        assert verify(http_api_event(headers={"X-Origin-Verify": CURRENT}), None)["statusCode"] == 200

    def test_the_previous_value_is_accepted_after_a_rotation(self, secretsmanager, user_app):
        # put-secret-value moved AWSCURRENT to the new value; CloudFront still sends the old one until redeployed
        client, stubber = secretsmanager
        expect_read(stubber, current=ROTATED, previous=CURRENT)
        verify = make_verifier(client, user_app)
        assert verify(http_api_event(headers={HEADER: CURRENT}), None)["statusCode"] == 200
        assert verify(http_api_event(headers={HEADER: ROTATED}), None)["statusCode"] == 200


class TestDirectCallsAreRefused:
    def test_a_missing_header_is_refused_without_reading_the_secret_or_importing_the_app(self, secretsmanager, user_app):
        client, _ = secretsmanager  # no response queued: a call to Secrets Manager would fail the test
        verify = make_verifier(client, user_app)
        response = verify(http_api_event(), None)
        assert forbidden(response)
        assert response["headers"] == {"content-type": "application/json"}
        assert "userapp.main" not in sys.modules

    def test_an_empty_header_is_refused(self, secretsmanager, user_app):
        client, _ = secretsmanager
        verify = make_verifier(client, user_app)
        assert forbidden(verify(http_api_event(headers={HEADER: ""}), None))

    def test_a_wrong_header_is_refused_and_the_app_is_never_imported(self, secretsmanager, user_app):
        client, stubber = secretsmanager
        expect_read(stubber)  # the first read
        expect_read(stubber)  # one forced re-read: the value matched nothing cached
        verify = make_verifier(client, user_app)
        assert forbidden(verify(http_api_event(headers={HEADER: "guess"}), None))
        assert forbidden(verify(http_api_event("POST", headers={HEADER: CURRENT[:-1]}, body="{}"), None))
        assert "userapp.main" not in sys.modules

    def test_a_value_older_than_the_previous_one_is_refused(self, secretsmanager, user_app):
        client, stubber = secretsmanager
        expect_read(stubber, current=ROTATED, previous=CURRENT)
        expect_read(stubber, current=ROTATED, previous=CURRENT)
        verify = make_verifier(client, user_app)
        assert forbidden(verify(http_api_event(headers={HEADER: PREVIOUS}), None))

    def test_a_secret_never_rotated_has_no_previous_value(self, secretsmanager, user_app):
        client, stubber = secretsmanager
        expect_read(stubber, previous=None)
        verify = make_verifier(client, user_app)
        assert verify(http_api_event(headers={HEADER: CURRENT}), None)["statusCode"] == 200

    def test_the_header_of_an_event_without_headers_is_missing(self):
        assert ov.header_value({"version": "2.0"}, HEADER) is None
        assert ov.header_value("not an event", HEADER) is None


class TestCaching:
    def test_values_are_read_once_per_ttl(self, secretsmanager, user_app):
        client, stubber = secretsmanager
        clock = Clock()
        expect_read(stubber)
        verify = make_verifier(client, user_app, clock, ttl=300)
        for _ in range(5):
            assert verify(http_api_event(headers={HEADER: CURRENT}), None)["statusCode"] == 200
            clock.now += 59
        # 295 s later the values are still cached; at 300 s they are read again
        clock.now += 5
        expect_read(stubber, current=ROTATED, previous=CURRENT)
        assert verify(http_api_event(headers={HEADER: CURRENT}), None)["statusCode"] == 200

    def test_a_new_value_is_accepted_right_after_a_redeploy_without_waiting_for_the_ttl(self, secretsmanager, user_app):
        client, stubber = secretsmanager
        clock = Clock()
        expect_read(stubber)
        verify = make_verifier(client, user_app, clock)
        assert verify(http_api_event(headers={HEADER: CURRENT}), None)["statusCode"] == 200
        # the secret is rotated and the distribution redeployed within the TTL: an unknown value forces a re-read
        clock.now += 10
        expect_read(stubber, current=ROTATED, previous=CURRENT)
        assert verify(http_api_event(headers={HEADER: ROTATED}), None)["statusCode"] == 200

    def test_forced_re_reads_are_rate_limited(self, secretsmanager, user_app):
        client, stubber = secretsmanager
        clock = Clock()
        expect_read(stubber)
        expect_read(stubber)  # the only forced re-read within 30 s
        verify = make_verifier(client, user_app, clock)
        for _ in range(10):
            assert forbidden(verify(http_api_event(headers={HEADER: "guess"}), None))
            clock.now += 2
        clock.now += 10  # 30 s after the forced re-read
        expect_read(stubber)
        assert forbidden(verify(http_api_event(headers={HEADER: "guess"}), None))

    def test_cached_values_are_kept_when_secrets_manager_fails(self, secretsmanager, user_app):
        client, stubber = secretsmanager
        clock = Clock()
        expect_read(stubber)
        verify = make_verifier(client, user_app, clock)
        assert verify(http_api_event(headers={HEADER: CURRENT}), None)["statusCode"] == 200
        clock.now += 301
        stubber.add_client_error("get_secret_value", service_error_code="ThrottlingException", http_status_code=400)
        assert verify(http_api_event(headers={HEADER: CURRENT}), None)["statusCode"] == 200

    def test_without_any_value_the_answer_is_503(self, secretsmanager, user_app):
        client, stubber = secretsmanager
        stubber.add_client_error("get_secret_value", service_error_code="AccessDeniedException", http_status_code=400)
        verify = make_verifier(client, user_app)
        response = verify(http_api_event(headers={HEADER: CURRENT}), None)
        assert response["statusCode"] == 503
        assert json.loads(response["body"]) == {"message": "Service Unavailable"}
        assert "userapp.main" not in sys.modules


class TestLambdaEntryPoint:
    def test_handler_reads_its_configuration_from_the_environment_and_imports_the_app_at_init(
            self, secretsmanager, user_app, monkeypatch):
        # the default: the app is imported in the init phase (module import), a refused request never calls it
        client, stubber = secretsmanager
        expect_read(stubber)
        monkeypatch.setenv(ov.HANDLER_ENV, user_app)
        monkeypatch.setenv(ov.SECRET_ARN_ENV, SECRET_ARN)
        monkeypatch.setenv(ov.HEADER_ENV, HEADER)
        monkeypatch.setenv(ov.CACHE_TTL_ENV, "60")
        monkeypatch.delenv(ov.IMPORT_ENV, raising=False)
        try:
            module = importlib.reload(ov)
            assert "userapp.main" in sys.modules  # imported by the module's import, before any request
            module._verifier._secret_values._client_factory = lambda: client
            assert forbidden(module.handler(http_api_event(), None))
            assert sys.modules["userapp.main"].CALLS == []
            assert module.handler(http_api_event(headers={HEADER: CURRENT}), None)["statusCode"] == 200
            assert len(sys.modules["userapp.main"].CALLS) == 1
            assert module._verifier._secret_values._ttl == 60
        finally:
            monkeypatch.setattr(ov, "_verifier", None)

    def test_import_at_init_loads_the_app_before_any_request_and_still_refuses(self, secretsmanager, user_app, monkeypatch):
        # on-demand, SnapStart or provisioned concurrency alike: the init phase holds the imported app
        client, _ = secretsmanager
        monkeypatch.setattr(ov, "_verifier", None)
        ov._init({ov.HANDLER_ENV: user_app, ov.SECRET_ARN_ENV: SECRET_ARN, ov.HEADER_ENV: HEADER, ov.IMPORT_ENV: "init"})
        assert "userapp.main" in sys.modules
        ov._verifier._secret_values._client_factory = lambda: client
        assert forbidden(ov.handler(http_api_event(), None))
        assert sys.modules["userapp.main"].CALLS == []

    def test_without_an_import_setting_the_app_is_imported_at_init(self, user_app, monkeypatch):
        monkeypatch.setattr(ov, "_verifier", None)
        ov._init({ov.HANDLER_ENV: user_app, ov.SECRET_ARN_ENV: SECRET_ARN, ov.HEADER_ENV: HEADER})
        assert "userapp.main" in sys.modules
        assert ov._verifier is not None

    def test_first_request_import_is_opt_in_and_imports_nothing_at_init(self, user_app, monkeypatch):
        monkeypatch.setattr(ov, "_verifier", None)
        ov._init({ov.HANDLER_ENV: user_app, ov.SECRET_ARN_ENV: SECRET_ARN, ov.HEADER_ENV: HEADER,
                  ov.IMPORT_ENV: "first-request"})
        assert ov._verifier is None
        assert "userapp.main" not in sys.modules

    def test_outside_lambda_importing_the_module_does_nothing(self, monkeypatch):
        monkeypatch.setattr(ov, "_verifier", None)
        ov._init({})
        assert ov._verifier is None

    def test_a_handler_that_is_not_module_attribute_fails_clearly(self):
        with pytest.raises(ValueError, match="must be module.attribute"):
            ov.load_handler("handler")
