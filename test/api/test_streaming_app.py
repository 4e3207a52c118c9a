"""Runs the streaming path's ASGI application (cdk_spa_streaming.app: the origin check as ASGI middleware in front of
the user's app) in process, with ASGI messages as uvicorn sends them, and a real FastAPI app behind it.

Secrets Manager is a real boto3 client answered by botocore's Stubber (as in test_origin_verify.py). The end-to-end
run through uvicorn and the real Lambda Web Adapter is test/api/streaming/test_lwa_streaming.py.
"""

import asyncio
import json
import sys
import textwrap

import pytest

from test_origin_verify import CURRENT, HEADER, PREVIOUS, SECRET_ARN, expect_read, ov, secretsmanager  # noqa: F401

import cdk_spa_streaming as streaming  # noqa: E402

USER_APP = textwrap.dedent('''
    from fastapi import FastAPI, Request
    from fastapi.responses import RedirectResponse
    from mangum import Mangum

    CALLS = []
    LIFESPAN = []

    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def lifespan(app):
        LIFESPAN.append("startup")
        yield
        LIFESPAN.append("shutdown")

    app = FastAPI(lifespan=lifespan)

    @app.get("/api/whoami", name="whoami")
    async def whoami(request: Request):
        CALLS.append(dict(request.headers))
        return {"url": str(request.url), "self": str(request.url_for("whoami")), "headers": dict(request.headers)}

    @app.get("/api/go")
    async def go():
        return RedirectResponse("/api/whoami")

    handler = Mangum(app, lifespan="off")

    def lambda_handler(event, context):
        return handler(event, context)

    NOT_AN_APP = 42
''')


@pytest.fixture
def user_app(tmp_path, monkeypatch):
    package = tmp_path / "streamuser"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "main.py").write_text(USER_APP)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "streamuser.main"
    for name in [m for m in sys.modules if m == "streamuser" or m.startswith("streamuser.")]:
        sys.modules.pop(name, None)


def call(app, path="/api/whoami", headers=(), method="GET", host="abc.lambda-url.us-east-1.on.aws"):
    """One HTTP request as uvicorn hands it to the app (no proxy headers); returns (status, headers, body)."""
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
        "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
        "headers": [(b"host", host.encode())] + [(k.lower().encode(), v.encode("utf-8", "surrogateescape") if isinstance(v, str) else v)
                                                 for k, v in headers],
        "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8080),
    }
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}, body


def env(handler, **extra):
    return {ov.HANDLER_ENV: handler, ov.SECRET_ARN_ENV: SECRET_ARN, ov.HEADER_ENV: HEADER,
            ov.VIEWER_HOST_ENV: "trust", "AWS_LAMBDA_FUNCTION_NAME": "fn", **extra}


class TestResolvingTheApp:
    def test_a_mangum_instance_is_unwrapped_to_its_asgi_app(self, user_app):
        app = streaming.build_app({ov.HANDLER_ENV: f"{user_app}.handler"})
        assert app is sys.modules[user_app].app  # verification off: the app itself, unchanged

    def test_an_asgi_app_is_served_as_is(self, user_app):
        assert streaming.build_app({ov.HANDLER_ENV: f"{user_app}.app"}) is sys.modules[user_app].app

    def test_a_lambda_handler_function_is_a_clear_error(self, user_app):
        with pytest.raises(streaming.AppResolutionError, match=r"a function of \(event, context\): a Lambda handler, not an ASGI application"):
            streaming.build_app({ov.HANDLER_ENV: f"{user_app}.lambda_handler"})

    def test_an_object_that_is_not_callable_is_a_clear_error(self, user_app):
        with pytest.raises(streaming.AppResolutionError, match="which is a int, not an ASGI application"):
            streaming.build_app({ov.HANDLER_ENV: f"{user_app}.NOT_AN_APP"})

    def test_without_a_handler_asking_for_app_says_what_is_missing(self, monkeypatch):
        monkeypatch.delenv(ov.HANDLER_ENV, raising=False)
        with pytest.raises(streaming.AppResolutionError, match="CDK_SPA_ORIGIN_VERIFY_HANDLER is not set"):
            streaming.app  # noqa: B018

    def test_without_verification_every_request_reaches_the_app_unchanged(self, user_app):
        app = streaming.build_app({ov.HANDLER_ENV: f"{user_app}.handler"})
        status, _, body = call(app, headers=[("x-cdk-spa-viewer-host", "evil.example")])
        assert status == 200
        assert json.loads(body)["url"] == "http://abc.lambda-url.us-east-1.on.aws/api/whoami"


class TestOriginCheck:
    def test_a_request_without_the_secret_is_refused_counted_and_never_reaches_the_app(self, user_app, secretsmanager, capsys):
        client, stubber = secretsmanager
        expect_read(stubber)
        expect_read(stubber)  # the forced re-read of an unknown value (a rotation may have happened)
        app = streaming.build_app(env(f"{user_app}.handler"), client_factory=lambda: client)
        context = json.dumps({"requestId": "req-123"})
        assert call(app, headers=[("x-amzn-request-context", context)])[0] == 403
        status, headers, body = call(app, headers=[(HEADER, "wrong-value-guess")])
        assert (status, headers["content-type"], json.loads(body)) == (403, "application/json", {"message": "Forbidden"})
        assert sys.modules[user_app].CALLS == []
        out = capsys.readouterr()
        metrics = [json.loads(line) for line in out.out.splitlines()]
        assert [(m["OriginVerificationRefused"], m["reason"], m["FunctionName"]) for m in metrics] == [
            (1, "missing header", "fn"), (1, "wrong header value", "fn")]
        assert metrics[0]["_aws"]["CloudWatchMetrics"][0]["Namespace"] == ov.METRIC_NAMESPACE
        assert "wrong-value-guess" not in out.out + out.err and CURRENT not in out.out + out.err

    def test_a_repeated_or_non_utf8_header_is_refused_without_reading_the_secret(self, user_app, secretsmanager, capsys):
        client, _ = secretsmanager  # no GetSecretValue call is expected
        app = streaming.build_app(env(f"{user_app}.handler"), client_factory=lambda: client)
        assert call(app, headers=[(HEADER, CURRENT), (HEADER, CURRENT)])[0] == 403
        assert call(app, headers=[(HEADER, CURRENT.encode() + b"\xff")])[0] == 403
        reasons = [json.loads(line)["reason"] for line in capsys.readouterr().out.splitlines()]
        assert reasons == ["missing header", "malformed header value"]
        assert sys.modules[user_app].CALLS == []

    def test_the_current_and_previous_values_pass_and_the_app_never_sees_the_secret(self, user_app, secretsmanager):
        client, stubber = secretsmanager
        expect_read(stubber)
        app = streaming.build_app(env(f"{user_app}.handler"), client_factory=lambda: client)
        viewer = ("x-cdk-spa-viewer-host", "app.example.com")
        assert call(app, headers=[(HEADER.upper(), CURRENT), viewer])[0] == 200
        assert call(app, headers=[(HEADER, PREVIOUS), viewer])[0] == 200
        assert all(HEADER not in seen for seen in sys.modules[user_app].CALLS)
        assert len(sys.modules[user_app].CALLS) == 2

    def test_an_unreadable_secret_is_503_and_never_calls_the_app(self, user_app, secretsmanager):
        client, stubber = secretsmanager
        stubber.add_client_error("get_secret_value", service_error_code="AccessDeniedException", http_status_code=400)
        app = streaming.build_app(env(f"{user_app}.handler"), client_factory=lambda: client)
        assert call(app, headers=[(HEADER, CURRENT)])[0] == 503
        assert sys.modules[user_app].CALLS == []

    def test_a_websocket_without_the_secret_is_closed_before_the_app_sees_it(self, user_app, secretsmanager, capsys):
        client, _ = secretsmanager
        app = streaming.build_app(env(f"{user_app}.handler"), client_factory=lambda: client)
        sent = []

        async def receive():
            return {"type": "websocket.connect"}

        async def send(message):
            sent.append(message)

        scope = {"type": "websocket", "asgi": {"version": "3.0"}, "path": "/api/ws", "raw_path": b"/api/ws",
                 "query_string": b"", "root_path": "", "headers": [(b"host", b"abc.lambda-url.us-east-1.on.aws")],
                 "scheme": "ws", "server": ("127.0.0.1", 8080), "client": ("127.0.0.1", 5000), "subprotocols": []}
        asyncio.run(app(scope, receive, send))
        assert sent == [{"type": "websocket.close", "code": 1008}]
        assert json.loads(capsys.readouterr().out)["reason"] == "missing header"

    def test_a_mangum_subclass_is_unwrapped_too(self, user_app, tmp_path):
        (tmp_path / "streamuser" / "sub.py").write_text(
            "from mangum import Mangum\nfrom streamuser.main import app\n"
            "class Custom(Mangum):\n    pass\nhandler = Custom(app, lifespan='off')\n")
        assert streaming.build_app({ov.HANDLER_ENV: "streamuser.sub.handler"}) is sys.modules[user_app].app

    def test_lifespan_events_pass_through_to_the_app(self, user_app, secretsmanager):
        client, _ = secretsmanager
        app = streaming.build_app(env(f"{user_app}.handler"), client_factory=lambda: client)
        messages = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
        sent = []

        async def receive():
            return messages.pop(0)

        async def send(message):
            sent.append(message["type"])

        asyncio.run(app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, receive, send))
        assert sys.modules[user_app].LIFESPAN == ["startup", "shutdown"]
        assert sent == ["lifespan.startup.complete", "lifespan.shutdown.complete"]


class TestPublicHost:
    def test_after_the_secret_matched_the_app_sees_the_viewer_host_over_https(self, user_app, secretsmanager):
        client, stubber = secretsmanager
        expect_read(stubber)
        app = streaming.build_app(env(f"{user_app}.handler"), client_factory=lambda: client)
        spoofed = [("x-forwarded-host", "evil.example"), ("x-forwarded-proto", "http"), ("forwarded", "host=evil.example")]
        status, _, body = call(app, headers=[(HEADER, CURRENT), ("x-cdk-spa-viewer-host", "App.Example.com")] + spoofed)
        seen = json.loads(body)
        assert status == 200
        assert seen["url"] == "https://app.example.com/api/whoami"
        assert seen["self"] == "https://app.example.com/api/whoami"
        assert seen["headers"]["host"] == "app.example.com"
        assert seen["headers"]["x-forwarded-proto"] == "https"
        assert "forwarded" not in seen["headers"] and "x-cdk-spa-viewer-host" not in seen["headers"]
        status, headers, _ = call(app, path="/api/go", headers=[(HEADER, CURRENT), ("x-cdk-spa-viewer-host", "app.example.com")])
        assert (status, headers["location"]) == (307, "/api/whoami")

    @pytest.mark.parametrize("viewer_host", [None, "evil.example/path", "a.example, b.example", ""])
    def test_without_a_usable_viewer_host_the_request_is_400_and_never_reaches_the_app(self, user_app, secretsmanager,
                                                                                       viewer_host):
        # as on the Mangum path: the app would otherwise build its redirects with the Function URL's host
        client, stubber = secretsmanager
        expect_read(stubber)
        app = streaming.build_app(env(f"{user_app}.handler"), client_factory=lambda: client)
        headers = [(HEADER, CURRENT)] + ([("x-cdk-spa-viewer-host", viewer_host)] if viewer_host is not None else [])
        status, _, body = call(app, headers=headers)
        assert (status, json.loads(body)) == (400, {"message": "Bad Request"})
        assert sys.modules[user_app].CALLS == []

    def test_the_viewer_host_is_canonical_lower_case_without_port_or_trailing_dot(self, user_app, secretsmanager):
        client, stubber = secretsmanager
        expect_read(stubber)
        app = streaming.build_app(env(f"{user_app}.handler"), client_factory=lambda: client)
        _, _, body = call(app, headers=[(HEADER, CURRENT), ("x-cdk-spa-viewer-host", "WWW.Example.COM.:443")])
        assert json.loads(body)["url"] == "https://www.example.com/api/whoami"

    def test_without_trust_the_viewer_host_header_is_removed(self, user_app, secretsmanager):
        client, stubber = secretsmanager
        expect_read(stubber)
        environ = env(f"{user_app}.handler")
        del environ[ov.VIEWER_HOST_ENV]
        app = streaming.build_app(environ, client_factory=lambda: client)
        _, _, body = call(app, headers=[(HEADER, CURRENT), ("x-cdk-spa-viewer-host", "app.example.com")])
        seen = json.loads(body)
        assert seen["url"].startswith("http://abc.lambda-url.us-east-1.on.aws/")
        assert "x-cdk-spa-viewer-host" not in seen["headers"]


def test_the_refusal_log_line_holds_neither_value(user_app, secretsmanager, caplog):
    client, stubber = secretsmanager
    expect_read(stubber)
    expect_read(stubber)
    app = streaming.build_app(env(f"{user_app}.handler"), client_factory=lambda: client)
    with caplog.at_level("WARNING"):
        call(app, headers=[(HEADER, "guess-" + CURRENT[:10]), ("x-amzn-request-context", json.dumps({"requestId": "r-1"}))])
    assert [r.requestId for r in caplog.records if r.name == "cdk_spa_origin_verify"] == ["r-1"]
    assert CURRENT[:10] not in caplog.text
