"""The ASGI application a function in streaming mode serves: the user's app behind the origin check.

Shipped by cdk-spa-with-lambda-api in the origin-verify layer (``/opt/python``). In streaming mode the function runs
uvicorn (started by the layer's exec wrapper, ``/opt/cdk-spa-streaming/bootstrap``) behind the AWS Lambda Web
Adapter (LWA), which turns each Function URL invocation into an HTTP request to uvicorn and streams the response
back. uvicorn serves ``cdk_spa_streaming:app``, this module's ``app``:

- the user's application is resolved from ``CDK_SPA_ORIGIN_VERIFY_HANDLER`` (``module.attribute``, the function's
  usual handler, e.g. ``app.main.handler``). A Mangum instance is unwrapped to the ASGI app it wraps (its
  ``.app``); any other object must be an ASGI application. It is imported when this module is imported, which
  uvicorn does before it listens: Lambda's init phase (LWA answers no invocation until uvicorn accepts connections).
- with ``CDK_SPA_ORIGIN_VERIFY_SECRET_ARN`` set, the origin check of the Mangum path (cdk_spa_origin_check.py,
  shared with cdk_spa_origin_verify.py: the same secret cache, constant-time comparison, refused-request metric
  and public-host rule) runs in front of the app as ASGI middleware. A request without the secret is answered 403
  and never reaches the app; neither the secret nor the submitted value is logged. Only after the secret matched,
  and with ``CDK_SPA_ORIGIN_VERIFY_VIEWER_HOST=trust``, the ``x-cdk-spa-viewer-host`` header (canonical form)
  becomes the app's host, with the https scheme (``host``, ``x-forwarded-host``, ``x-forwarded-proto``,
  ``x-forwarded-port`` replaced, ``forwarded`` dropped), so redirects and ``url_for`` stay on the site's host; a
  request without a usable viewer host is answered 400, never served with the Function URL's host. uvicorn runs
  without proxy-header trust, so no header a viewer sends can change the scheme or client address either.
- without ``CDK_SPA_ORIGIN_VERIFY_SECRET_ARN`` (origin verification off, and the local dev preview) the app is
  served unchanged. Lifespan events always pass through to the app.

The secret is read lazily on the first request, as on the Mangum path. The check is synchronous: Lambda sends an
execution environment one request at a time, so a (rare, cached) Secrets Manager read blocks no other request.
"""

import inspect
import json
import os

import cdk_spa_origin_check as ov

FORBIDDEN_BODY = json.dumps({"message": "Forbidden"}).encode()
BAD_REQUEST_BODY = json.dumps({"message": "Bad Request"}).encode()
UNAVAILABLE_BODY = json.dumps({"message": "Service Unavailable"}).encode()
# LWA passes the invocation's requestContext in this header (JSON); its requestId goes into the refusal log line.
REQUEST_CONTEXT_HEADER = b"x-amzn-request-context"
_HOST_HEADERS = frozenset(name.encode() for name in ov.HOST_HEADERS)


class AppResolutionError(Exception):
    """The configured handler is not something uvicorn can serve."""


def resolve_app(spec):
    """The ASGI application behind ``spec`` (``module.attribute``): a Mangum instance's ``.app``, or the object."""
    target = ov.load_handler(spec)
    if any(cls.__name__ == "Mangum" for cls in type(target).__mro__) and hasattr(target, "app"):  # or a subclass
        return target.app
    if inspect.isclass(target) or not callable(target):
        raise AppResolutionError(
            f"{ov.HANDLER_ENV} is {spec!r}, which is a {type(target).__name__}, not an ASGI application. In streaming "
            "mode the handler must name a Mangum instance (handler = Mangum(app)) or the ASGI app itself (app = FastAPI()).")
    function = target if inspect.isfunction(target) or inspect.ismethod(target) else getattr(target, "__call__", None)
    try:
        parameters = [p for p in inspect.signature(function).parameters.values()
                      if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):  # no signature to read (a builtin): trust it
        return target
    if len(parameters) == 2 and not any(p.kind == p.VAR_POSITIONAL for p in inspect.signature(function).parameters.values()):
        names = ", ".join(p.name for p in parameters)
        raise AppResolutionError(
            f"{ov.HANDLER_ENV} is {spec!r}, a function of ({names}): a Lambda handler, not an ASGI application "
            "(scope, receive, send). In streaming mode uvicorn serves the app itself: point the handler at the Mangum "
            "instance (handler = Mangum(app)) or at the ASGI app (app = FastAPI()).")
    return target


def _single_header(headers, name):
    """The one value of header ``name`` (bytes, lower case) as a str, or None when missing or repeated.

    Bytes that are not UTF-8 become lone surrogates, which the check refuses as a malformed value.
    """
    found = [value for key, value in headers if key == name]
    if len(found) != 1:
        return None
    return found[0].decode("utf-8", "surrogateescape")


def _request_id(headers):
    raw = _single_header(headers, REQUEST_CONTEXT_HEADER)
    try:
        context = json.loads(raw) if raw else None
    except ValueError:
        return None
    return context.get("requestId") if isinstance(context, dict) else None


def _public_host_scope(scope, headers, host):
    """``scope`` as the app sees it behind CloudFront: ``host`` over https (as public_host_event does for Mangum)."""
    kept = [(key, value) for key, value in headers if key not in _HOST_HEADERS]
    encoded = host.encode("ascii")
    kept += [(b"host", encoded), (b"x-forwarded-host", encoded), (b"x-forwarded-proto", b"https"),
             (b"x-forwarded-port", b"443")]
    name, _, port = host.partition(":")
    scheme = "wss" if scope["type"] == "websocket" else "https"
    return {**scope, "headers": kept, "scheme": scheme, "server": (name, int(port) if port else 443)}


async def _respond(send, status, body):
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


class OriginVerifyMiddleware:
    """ASGI middleware: the origin check of cdk_spa_origin_verify (shared ``OriginCheck``) in front of ``app``."""

    def __init__(self, app, check, trust_viewer_host=False):
        self.app = app
        self._check = check
        self._header = check.header_name.lower().encode("latin-1")
        self._trust_viewer_host = trust_viewer_host

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):  # lifespan: the app's startup and shutdown
            await self.app(scope, receive, send)
            return
        headers = scope.get("headers") or []
        given = _single_header(headers, self._header)
        outcome = self._check.check(given, _request_id(headers))
        if outcome != ov.ACCEPTED:
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
            else:
                await _respond(send, 503 if outcome == ov.UNAVAILABLE_SECRET else 403,
                               UNAVAILABLE_BODY if outcome == ov.UNAVAILABLE_SECRET else FORBIDDEN_BODY)
            return
        headers = [(key, value) for key, value in headers if key != self._header]  # the app never sees the secret
        if self._trust_viewer_host:
            host = ov.canonical_public_host(_single_header(headers, ov.VIEWER_HOST_HEADER.encode()))
            if host is None:  # as on the Mangum path: never pass the app the Function URL host its redirects would show
                ov.logger.error(ov.NO_PUBLIC_HOST_LOG, ov.VIEWER_HOST_HEADER)
                if scope["type"] == "websocket":
                    await send({"type": "websocket.close", "code": 1008})
                else:
                    await _respond(send, 400, BAD_REQUEST_BODY)
                return
            scope = _public_host_scope(scope, headers, host)
        else:  # not trusted (no viewer-host function in front): the header could come from a viewer
            scope = {**scope, "headers": [(k, v) for k, v in headers if k != ov.VIEWER_HOST_HEADER.encode()]}
        await self.app(scope, receive, send)


def build_app(environ=None, client_factory=None):
    """The served application: the user's app, behind the origin check when a secret is configured."""
    environ = os.environ if environ is None else environ
    if ov.HANDLER_ENV not in environ:
        raise AppResolutionError(
            f"{ov.HANDLER_ENV} is not set: it names the application to serve (module.attribute, e.g. app.main.handler). "
            "The construct sets it on a function in streaming mode; to run this module yourself, set it.")
    app = resolve_app(environ[ov.HANDLER_ENV])
    if ov.SECRET_ARN_ENV not in environ:
        return app
    values = ov.secret_values_from_environment(environ, client_factory or ov._boto3_client)
    check = ov.OriginCheck(environ[ov.HEADER_ENV], values, function_name=environ.get("AWS_LAMBDA_FUNCTION_NAME"))
    return OriginVerifyMiddleware(app, check, trust_viewer_host=environ.get(ov.VIEWER_HOST_ENV) == "trust")


# Lambda's init phase: uvicorn imports this module before it listens, so the user's app is imported here.
if ov.HANDLER_ENV in os.environ:
    app = build_app()


def __getattr__(name):
    # without a handler configured (tests, tools) importing the module works; asking for `app` says what is missing
    if name == "app":
        return build_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
