"""The application sees the public host over https: API Gateway HTTP API (payload 2.0) events, shaped as CloudFront
sends them to the execute-api origin, go through the origin-verifying wrapper into the example backend (a real
FastAPI app behind Mangum), and the absolute URLs it builds (``redirect_slashes``'s 307 ``Location``,
``request.url_for``) must name the host the viewer used, never the execute-api host.

The events are the fixtures in test/fixtures/apigw-events (AWS's published payload 2.0 event with this API's
requests) with the headers CloudFront and API Gateway add: the origin secret (origin custom header), the viewer
host (set by the viewer-request CloudFront Function, src/api/runtime/viewer-host.js), and API Gateway's
``host``/``x-forwarded-*``.
"""

import copy
import json
import sys
from pathlib import Path

import pytest

from test_origin_verify import CURRENT, HEADER, SECRET_ARN, Clock, expect_read, ov, secretsmanager  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
EVENTS = ROOT / "test" / "fixtures" / "apigw-events"
BACKEND = ROOT / "example" / "backend"
EXECUTE_API_HOST = "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com"
CUSTOM_DOMAIN = "app.example.com"
CLOUDFRONT_DOMAIN = "d111111abcdef8.cloudfront.net"


def cloudfront_event(fixture, viewer_host, extra_headers=None):
    """The fixture event as it reaches the function through CloudFront and the HTTP API."""
    event = json.loads((EVENTS / fixture).read_text())
    event["headers"] = {
        **event["headers"],
        # API Gateway: the host CloudFront connected to, and its own x-forwarded-* headers
        "host": EXECUTE_API_HOST,
        "x-forwarded-for": "198.51.100.7, 130.176.0.1",
        "x-forwarded-port": "443",
        "x-forwarded-proto": "https",
        "via": "2.0 0123456789abcdef.cloudfront.net (CloudFront)",
        # CloudFront: the origin custom header and the header the viewer-request function sets
        HEADER: CURRENT,
        ov.VIEWER_HOST_HEADER: viewer_host,
        **(extra_headers or {}),
    }
    event["requestContext"]["domainName"] = EXECUTE_API_HOST
    event["requestContext"]["domainPrefix"] = EXECUTE_API_HOST.split(".")[0]
    return event


def redirect_event(viewer_host, extra_headers=None):
    """``GET /api/items/``: the trailing slash FastAPI's redirect_slashes answers with a 307."""
    event = cloudfront_event("get-query-string.json", viewer_host, extra_headers)
    event["rawPath"] = "/api/items/"
    event["requestContext"]["http"]["path"] = "/api/items/"
    event["rawQueryString"] = ""
    event.pop("queryStringParameters", None)
    return event


@pytest.fixture
def backend(monkeypatch):
    """The example backend's Mangum handler, as the wrapper imports it (``app.main.handler``)."""
    monkeypatch.syspath_prepend(str(BACKEND))
    monkeypatch.setenv("CORS_ALLOW_ORIGINS", "http://localhost:5173")
    # imported once per process, as the example backend's own tests do (its logging setup is process-wide)
    yield "app.main.handler", []
    main = sys.modules.get("app.main")
    if main is not None:
        main._items.clear()
        vars(main.app).pop("build_middleware_stack", None)  # drop the scope recorder of record_scopes()
        main.app.middleware_stack = None


def verifier(client, handler_spec, trust_viewer_host=True):
    values = ov.SecretValues(SECRET_ARN, lambda: client, clock=Clock())
    return ov.OriginVerifier(HEADER, values, handler_spec, trust_viewer_host=trust_viewer_host, function_name="fn",
                             metrics_out=_Discard())


class _Discard:
    def write(self, _):
        pass

    def flush(self):
        pass


def record_scopes(handler_spec):
    """Wraps the app so each ASGI scope Mangum builds is recorded (host and scheme the app sees)."""
    import importlib

    module = importlib.import_module(handler_spec.rsplit(".", 1)[0])
    scopes = []
    inner = module.app.build_middleware_stack

    def build():
        asgi = inner()

        async def recording(scope, receive, send):
            if scope["type"] == "http":
                scopes.append(scope)
            return await asgi(scope, receive, send)

        return recording

    module.app.build_middleware_stack = build
    module.app.middleware_stack = None
    return scopes


@pytest.mark.parametrize("public_host", [CUSTOM_DOMAIN, CLOUDFRONT_DOMAIN])
class TestPublicUrls:
    def test_redirect_slashes_sends_the_browser_to_the_public_host(self, secretsmanager, backend, public_host):
        client, stubber = secretsmanager
        expect_read(stubber)
        handler_spec, _ = backend
        response = verifier(client, handler_spec)(redirect_event(public_host), None)
        assert response["statusCode"] == 307
        assert response["headers"]["location"] == f"https://{public_host}/api/items"

    def test_url_for_names_the_public_host(self, secretsmanager, backend, public_host):
        client, stubber = secretsmanager
        expect_read(stubber)
        handler_spec, _ = backend
        response = verifier(client, handler_spec)(cloudfront_event("post-json-body.json", public_host), None)
        assert response["statusCode"] == 201
        item = json.loads(response["body"])
        assert response["headers"]["location"] == f"https://{public_host}/api/items/{item['id']}"

    def test_the_app_sees_the_public_host_https_and_port_443(self, secretsmanager, backend, public_host):
        client, stubber = secretsmanager
        expect_read(stubber)
        handler_spec, _ = backend
        verify = verifier(client, handler_spec)
        verify.load()
        scopes = record_scopes(handler_spec)
        assert verify(cloudfront_event("get-cookies.json", public_host), None)["statusCode"] == 200
        scope = scopes[0]
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        assert scope["scheme"] == "https"
        assert scope["server"] == (public_host, 443)
        assert headers["host"] == public_host
        assert headers["x-forwarded-host"] == public_host
        assert ov.VIEWER_HOST_HEADER not in headers
        assert HEADER not in headers
        assert EXECUTE_API_HOST not in json.dumps(headers)
        assert scope["aws.event"]["requestContext"]["domainName"] == public_host


class TestTheViewerCannotChooseTheHost:
    @pytest.mark.parametrize("spoofed", [
        {"x-forwarded-host": "evil.example"},
        {"forwarded": "for=192.0.2.60;proto=http;host=evil.example"},
        {"x-forwarded-host": "evil.example", "forwarded": "host=evil.example", "x-forwarded-proto": "http"},
    ])
    def test_viewer_forwarding_headers_never_reach_the_app(self, secretsmanager, backend, spoofed):
        # the CloudFront Function removes them; the wrapper replaces them again, whatever reached it
        client, stubber = secretsmanager
        expect_read(stubber)
        handler_spec, _ = backend
        verify = verifier(client, handler_spec)
        verify.load()
        scopes = record_scopes(handler_spec)
        response = verify(redirect_event(CUSTOM_DOMAIN, spoofed), None)
        assert response["headers"]["location"] == f"https://{CUSTOM_DOMAIN}/api/items"
        headers = {k.decode(): v.decode() for k, v in scopes[0]["headers"]}
        assert "forwarded" not in headers
        assert headers["x-forwarded-host"] == CUSTOM_DOMAIN
        assert headers["x-forwarded-proto"] == "https"
        assert "evil.example" not in json.dumps(headers)

    def test_a_direct_call_with_a_viewer_host_header_is_refused_before_the_host_is_read(self, secretsmanager, backend):
        client, stubber = secretsmanager
        expect_read(stubber)
        expect_read(stubber)  # the forced re-read of an unknown value
        handler_spec, _ = backend
        event = redirect_event("evil.example", {HEADER: "guess"})
        response = verifier(client, handler_spec)(event, None)
        assert response["statusCode"] == 403
        assert "location" not in response["headers"]

    @pytest.mark.parametrize("bad_host", ["evil.example/path", "evil.example\r\nx-injected: 1", "", " app.example.com",
                                          "app.example.com:99999x", "app.example.com\n", "app.example.com\r\nx: 1", 42,
                                          "app.example.com,evil.example", "user@app.example.com", "[::1]:443"])
    def test_a_malformed_viewer_host_is_answered_400_never_with_the_execute_api_host(self, secretsmanager, backend, bad_host):
        client, stubber = secretsmanager
        expect_read(stubber)
        handler_spec, _ = backend
        response = verifier(client, handler_spec)(redirect_event(bad_host), None)
        assert response["statusCode"] == 400
        assert EXECUTE_API_HOST not in json.dumps(response)

    def test_a_missing_viewer_host_is_answered_400(self, secretsmanager, backend):
        client, stubber = secretsmanager
        expect_read(stubber)
        handler_spec, _ = backend
        event = redirect_event(CUSTOM_DOMAIN)
        del event["headers"][ov.VIEWER_HOST_HEADER]
        response = verifier(client, handler_spec)(event, None)
        assert response == {**ov.BAD_REQUEST}

    @pytest.mark.parametrize("sent,seen", [
        ("App.Example.COM", "app.example.com"), ("app.example.com.", "app.example.com"),
        ("app.example.com:8443", "app.example.com"), ("app.example.com.:8443", "app.example.com"),
        ("bücher.example", "xn--bcher-kva.example"), ("BÜCHER.example.", "xn--bcher-kva.example"),
    ])
    def test_the_app_sees_the_canonical_form(self, secretsmanager, backend, sent, seen):
        client, stubber = secretsmanager
        expect_read(stubber)
        handler_spec, _ = backend
        response = verifier(client, handler_spec)(redirect_event(sent), None)
        assert response["headers"]["location"] == f"https://{seen}/api/items"

    def test_without_trust_the_viewer_host_header_is_removed_and_the_host_left_alone(self, secretsmanager, backend):
        # FastApiFunction behind a distribution without the viewer-host function: the header could come from a viewer
        client, stubber = secretsmanager
        expect_read(stubber)
        handler_spec, _ = backend
        verify = verifier(client, handler_spec, trust_viewer_host=False)
        verify.load()
        scopes = record_scopes(handler_spec)
        response = verify(redirect_event(CUSTOM_DOMAIN), None)
        assert response["headers"]["location"] == f"https://{EXECUTE_API_HOST}/api/items"
        headers = {k.decode(): v.decode() for k, v in scopes[0]["headers"]}
        assert ov.VIEWER_HOST_HEADER not in headers


def test_the_host_is_trusted_only_when_the_construct_says_so():
    env = {ov.HANDLER_ENV: "app.main.handler", ov.SECRET_ARN_ENV: SECRET_ARN, ov.HEADER_ENV: HEADER}
    assert ov.from_environment(env)._trust_viewer_host is False
    assert ov.from_environment({**env, ov.VIEWER_HOST_ENV: "trust"})._trust_viewer_host is True


def test_payload_1_multi_value_headers_get_the_public_host_too():
    event = {"headers": {"Host": EXECUTE_API_HOST, "X-Forwarded-Host": "evil.example"},
             "multiValueHeaders": {"Host": [EXECUTE_API_HOST], "Forwarded": ["host=evil.example"]},
             "requestContext": {"domainName": EXECUTE_API_HOST}}
    out = ov.public_host_event(copy.deepcopy(event), CUSTOM_DOMAIN)
    assert out["headers"] == {"host": CUSTOM_DOMAIN, "x-forwarded-host": CUSTOM_DOMAIN, "x-forwarded-proto": "https",
                              "x-forwarded-port": "443"}
    assert out["multiValueHeaders"] == {k: [v] for k, v in out["headers"].items()}
    assert out["requestContext"]["domainName"] == CUSTOM_DOMAIN
