"""The origin check's edges: every odd header value is a 403 (never an exception, never a call of the app), no log
line holds the secret or the submitted value, refused requests are counted as a CloudWatch metric (Embedded
Metric Format), and Secrets Manager is read as few times as the design says.

Events are AWS's published payload 2.0 example (see test_origin_verify.py); Secrets Manager is a real boto3 client
answered by botocore's Stubber.
"""

import io
import json
import logging
import sys

import pytest

from test_origin_verify import (  # noqa: F401
    CURRENT, HEADER, PREVIOUS, SECRET_ARN, Clock, expect_read, forbidden, http_api_event, ov, secretsmanager, user_app,
)


class Metrics(io.StringIO):
    def lines(self):
        return [json.loads(line) for line in self.getvalue().splitlines()]


def make_verifier(client, handler_spec, clock=None, metrics=None):
    values = ov.SecretValues(SECRET_ARN, lambda: client, clock=clock or Clock())
    return ov.OriginVerifier(HEADER, values, handler_spec, function_name="AppApiFunction-AbC123",
                             metrics_out=metrics if metrics is not None else Metrics())


def count_reads(client):
    """Records the GetSecretValue calls made with the client (the parameters of each, before the Stubber answers)."""
    calls = []
    client.meta.events.register("before-parameter-build.secrets-manager.GetSecretValue",
                                lambda params, **_: calls.append(dict(params)))
    return calls


def app_calls():
    module = sys.modules.get("userapp.main")
    return module.CALLS if module else []


class TestOddValuesAre403:
    @pytest.mark.parametrize("value", [
        f"{CURRENT},guess", f"guess,{CURRENT}", f"{CURRENT},{CURRENT}", f"{CURRENT}, {CURRENT}",
    ], ids=["secret,guess", "guess,secret", "secret,secret", "secret, secret"])
    def test_comma_joined_duplicates(self, secretsmanager, user_app, value):
        # API Gateway joins repeated headers with commas; CloudFront overwrites a viewer's header of the same name,
        # so a request through CloudFront carries exactly one value
        client, stubber = secretsmanager
        expect_read(stubber)
        expect_read(stubber)  # the forced re-read of an unknown value
        verify = make_verifier(client, user_app)
        assert forbidden(verify(http_api_event(headers={HEADER: value}), None))
        assert app_calls() == []

    @pytest.mark.parametrize("value", [
        CURRENT + " ", " " + CURRENT, CURRENT + "\t", CURRENT.upper(), CURRENT.swapcase(), CURRENT[:-1], CURRENT + "x",
        PREVIOUS[:-1],
    ], ids=["trailing space", "leading space", "trailing tab", "upper case", "swapped case", "one short", "one more",
            "previous one short"])
    def test_near_misses(self, secretsmanager, user_app, value):
        client, stubber = secretsmanager
        expect_read(stubber)
        expect_read(stubber)
        verify = make_verifier(client, user_app)
        assert forbidden(verify(http_api_event(headers={HEADER: value}), None))
        assert app_calls() == []

    @pytest.mark.parametrize("value", [
        "\ud800", CURRENT[:10] + "\udfff" + CURRENT[11:], "\udcff" * 64,
    ], ids=["lone high surrogate", "surrogate inside the secret", "surrogateescape bytes"])
    def test_values_that_are_not_valid_utf8_are_refused_without_reading_the_secret(self, secretsmanager, user_app, value):
        client, _ = secretsmanager  # nothing queued: a Secrets Manager call would fail the test
        calls = count_reads(client)
        metrics = Metrics()
        verify = make_verifier(client, user_app, metrics=metrics)
        assert forbidden(verify(http_api_event(headers={HEADER: value}), None))
        assert calls == []
        assert metrics.lines()[0]["reason"] == "malformed header value"

    @pytest.mark.parametrize("value", [None, 12345, 1.5, True, [CURRENT], {"v": CURRENT}, CURRENT.encode()],
                             ids=["None", "int", "float", "bool", "list", "dict", "bytes"])
    def test_non_string_values(self, secretsmanager, user_app, value):
        client, _ = secretsmanager
        calls = count_reads(client)
        verify = make_verifier(client, user_app)
        assert forbidden(verify(http_api_event(headers={HEADER: value}), None))
        assert calls == [] and app_calls() == []

    @pytest.mark.parametrize("headers", [None, [], [[HEADER, CURRENT]], f"{HEADER}: {CURRENT}", 7, ((HEADER, CURRENT),)],
                             ids=["None", "empty list", "list of pairs", "string", "int", "tuple"])
    def test_headers_that_are_not_a_dict(self, secretsmanager, user_app, headers):
        client, _ = secretsmanager
        verify = make_verifier(client, user_app)
        event = http_api_event()
        event["headers"] = headers
        assert forbidden(verify(event, None))
        assert app_calls() == []

    @pytest.mark.parametrize("event", [None, "event", 42, [], {"requestContext": "x", "headers": {}},
                                       {"requestContext": {"requestId": ["x"]}}])
    def test_events_that_are_not_api_gateway_events(self, secretsmanager, user_app, event):
        client, _ = secretsmanager
        assert forbidden(make_verifier(client, user_app)(event, None))

    def test_the_header_named_twice_in_different_cases_is_refused(self, secretsmanager, user_app):
        client, _ = secretsmanager
        verify = make_verifier(client, user_app)
        assert forbidden(verify(http_api_event(headers={HEADER: CURRENT, "X-Origin-Verify": "guess"}), None))
        assert forbidden(verify(http_api_event(headers={HEADER: CURRENT, "X-ORIGIN-VERIFY": CURRENT}), None))


class TestPayload1MultiValueHeaders:
    def payload_1_event(self, headers, multi):
        return {"version": "1.0", "resource": "/{proxy+}", "path": "/api/health", "httpMethod": "GET",
                "headers": headers, "multiValueHeaders": multi,
                "requestContext": {"requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef", "stage": "$default",
                                   "http": {"method": "GET"}},  # read by the recording app of user_app
                "body": None, "isBase64Encoded": False}

    def test_one_value_in_both_is_accepted(self, secretsmanager, user_app):
        client, stubber = secretsmanager
        expect_read(stubber)
        verify = make_verifier(client, user_app)
        event = self.payload_1_event({"X-Origin-Verify": CURRENT}, {"X-Origin-Verify": [CURRENT]})
        assert verify(event, None)["statusCode"] == 200
        seen = app_calls()[0]
        assert "X-Origin-Verify" not in seen["headers"] and "X-Origin-Verify" not in seen["multiValueHeaders"]

    @pytest.mark.parametrize("multi", [
        {"X-Origin-Verify": ["guess", CURRENT]}, {"X-Origin-Verify": [CURRENT, "guess"]},
        {"X-Origin-Verify": [CURRENT, CURRENT]}, {"X-Origin-Verify": []}, {"X-Origin-Verify": "not a list"},
        {"X-Origin-Verify": ["guess"]}, "not a dict",
    ], ids=["guess then secret", "secret then guess", "secret twice", "empty list", "not a list", "other value",
            "not a dict"])
    def test_more_than_one_or_a_different_value_is_refused(self, secretsmanager, user_app, multi):
        # payload 1.0 puts the last value of a repeated header in headers and every value in multiValueHeaders
        client, _ = secretsmanager
        verify = make_verifier(client, user_app)
        assert forbidden(verify(self.payload_1_event({"X-Origin-Verify": CURRENT}, multi), None))
        assert app_calls() == []


class TestNothingSecretIsLogged:
    @pytest.mark.parametrize("submitted", ["guess-0123456789abcdef", f"{CURRENT},guess-0123456789abcdef",
                                           CURRENT + " ", "\ud800guess-0123456789abcdef"])
    def test_refusals_log_neither_the_secret_nor_the_submitted_value(self, secretsmanager, user_app, caplog, capsys,
                                                                     submitted):
        client, stubber = secretsmanager
        if "\ud800" not in submitted:
            expect_read(stubber)
            expect_read(stubber)
        metrics = Metrics()
        verify = make_verifier(client, user_app, metrics=metrics)
        with caplog.at_level(logging.DEBUG):
            assert forbidden(verify(http_api_event(headers={HEADER: submitted}), None))
        assert caplog.records, "the refusal is logged"
        written = [r.getMessage() + json.dumps(vars(r), default=str) for r in caplog.records]
        written += [metrics.getvalue(), capsys.readouterr().out]
        for text in written:
            for secret in (CURRENT, PREVIOUS, "guess-0123456789abcdef", submitted):
                assert secret not in text

    def test_an_accepted_request_logs_no_secret_either(self, secretsmanager, user_app, caplog):
        client, stubber = secretsmanager
        expect_read(stubber)
        with caplog.at_level(logging.DEBUG):
            assert make_verifier(client, user_app)(http_api_event(headers={HEADER: CURRENT}), None)["statusCode"] == 200
        for record in caplog.records:
            assert CURRENT not in record.getMessage() + json.dumps(vars(record), default=str)

    def test_a_failing_secrets_manager_is_logged_without_values(self, secretsmanager, user_app, caplog):
        client, stubber = secretsmanager
        stubber.add_client_error("get_secret_value", service_error_code="AccessDeniedException", http_status_code=400)
        with caplog.at_level(logging.DEBUG):
            assert make_verifier(client, user_app)(http_api_event(headers={HEADER: CURRENT}), None)["statusCode"] == 503
        text = caplog.text + "".join(json.dumps(vars(r), default=str) for r in caplog.records)
        assert CURRENT not in text


class TestRefusedMetric:
    def test_each_refusal_prints_one_emf_line_counting_it_for_the_function(self, secretsmanager, user_app):
        client, stubber = secretsmanager
        expect_read(stubber)
        expect_read(stubber)
        metrics = Metrics()
        verify = make_verifier(client, user_app, metrics=metrics)
        verify(http_api_event(), None)
        verify(http_api_event(headers={HEADER: "guess"}), None)
        verify(http_api_event(headers={HEADER: CURRENT}), None)  # accepted: not counted
        lines = metrics.lines()
        assert [line["reason"] for line in lines] == ["missing header", "wrong header value"]
        for line in lines:
            # the CloudWatch Embedded Metric Format specification: _aws.CloudWatchMetrics names the metric, its
            # dimensions refer to root members, the metric value is a root member
            directive = line["_aws"]["CloudWatchMetrics"][0]
            assert directive == {"Namespace": "CdkSpaWithLambdaApi", "Dimensions": [["FunctionName"]],
                                 "Metrics": [{"Name": "OriginVerificationRefused", "Unit": "Count"}]}
            assert isinstance(line["_aws"]["Timestamp"], int)
            assert line["FunctionName"] == "AppApiFunction-AbC123"
            assert line["OriginVerificationRefused"] == 1

    def test_the_lambda_entry_point_prints_it_to_stdout_with_the_function_name(self, secretsmanager, user_app, capsys,
                                                                            monkeypatch):
        client, _ = secretsmanager
        monkeypatch.setattr(ov, "_verifier", None)
        env = {ov.HANDLER_ENV: user_app, ov.SECRET_ARN_ENV: SECRET_ARN, ov.HEADER_ENV: HEADER,
               "AWS_LAMBDA_FUNCTION_NAME": "my-fn"}
        ov._init(env)
        assert forbidden(ov.handler(http_api_event(), None))
        line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
        assert line["FunctionName"] == "my-fn" and line["OriginVerificationRefused"] == 1
        monkeypatch.setattr(ov, "_verifier", None)


class TestSecretsManagerReads:
    def test_a_cold_environment_reads_both_versions_once_on_its_first_checked_request(self, secretsmanager, user_app):
        client, stubber = secretsmanager
        calls = count_reads(client)
        expect_read(stubber)
        clock = Clock()
        verify = make_verifier(client, user_app, clock)
        assert calls == []  # building the verifier (the init phase) reads nothing
        assert verify(http_api_event(headers={HEADER: CURRENT}), None)["statusCode"] == 200
        assert [c["VersionStage"] for c in calls] == ["AWSCURRENT", "AWSPREVIOUS"]

    def test_within_the_cache_time_accepted_requests_read_nothing_more(self, secretsmanager, user_app):
        client, stubber = secretsmanager
        calls = count_reads(client)
        expect_read(stubber)
        clock = Clock()
        verify = make_verifier(client, user_app, clock)
        for _ in range(50):
            assert verify(http_api_event(headers={HEADER: PREVIOUS}), None)["statusCode"] == 200
            clock.now += 5  # 250 s in all, under the 300 s cache time
        assert len(calls) == 2

    def test_a_flood_of_wrong_values_within_the_refresh_interval_reads_once_more(self, secretsmanager, user_app):
        client, stubber = secretsmanager
        calls = count_reads(client)
        expect_read(stubber)
        expect_read(stubber)
        clock = Clock()
        start = clock.now
        verify = make_verifier(client, user_app, clock)
        for i in range(1000):
            assert forbidden(verify(http_api_event(headers={HEADER: f"guess-{i}"}), None))
            clock.now += 0.029  # 29 s in all, under the 30 s minimum refresh interval
        assert len(calls) == 4  # the first read and one forced re-read, two versions each
        clock.now = start + 30  # the minimum refresh interval after the forced re-read
        expect_read(stubber)
        verify(http_api_event(headers={HEADER: "guess"}), None)
        assert len(calls) == 6

    def test_missing_and_malformed_values_never_read(self, secretsmanager, user_app):
        client, _ = secretsmanager
        calls = count_reads(client)
        verify = make_verifier(client, user_app)
        for headers in ({}, {HEADER: ""}, {HEADER: "\ud800"}, {HEADER: 1}):
            assert forbidden(verify(http_api_event(headers=headers), None))
        assert calls == []
