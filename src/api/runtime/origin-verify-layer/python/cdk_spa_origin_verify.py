"""Origin verification for a Lambda function that must only be reached through one CloudFront distribution.

Shipped by cdk-spa-with-lambda-api as a Lambda layer (``/opt/python``) and set as the function's handler.
CloudFront adds a secret origin custom header to every request it sends to the API; a viewer cannot set or
override it (CloudFront replaces a viewer header of the same name). This handler compares that header, in
constant time, with the AWSCURRENT and AWSPREVIOUS values of a Secrets Manager secret, so a rotated secret
keeps working until CloudFront sends the new value. Only a request that matches calls the real handler, with the
secret header removed from the event (so the application cannot log or echo it); any other request, including
one whose header value is not a string or not valid UTF-8, is answered 403 and counted in the
``OriginVerificationRefused`` CloudWatch metric (an Embedded Metric Format line on stdout), and never calls the
application.

The public host: CloudFront sends the API the execute-api host (the ``/api/*`` behaviour forwards every viewer
header but ``Host``), so the application would build redirects and absolute URLs for that host. With
``CDK_SPA_ORIGIN_VERIFY_VIEWER_HOST`` set, the viewer-request CloudFront Function of the construct copies the
viewer's ``Host`` into the ``x-cdk-spa-viewer-host`` header (overwriting any value the viewer sent). Only after the
origin check passed, so only for a request that came through CloudFront, this handler presents that value (in
canonical form, ``canonical_public_host``) to the application as ``host`` and ``x-forwarded-host``, with
``x-forwarded-proto: https`` and ``x-forwarded-port: 443``, sets ``requestContext.domainName`` to it, and drops any
``forwarded`` header. A direct caller can never choose the host the application sees, and the application never
sees the execute-api host: a request without a usable viewer host is answered 400.

Configuration (environment variables, set by the construct):

- ``CDK_SPA_ORIGIN_VERIFY_HANDLER``: the real handler, ``module.attribute`` (for example ``app.main.handler``);
- ``CDK_SPA_ORIGIN_VERIFY_SECRET_ARN``: the secret that holds the header value (a plain string);
- ``CDK_SPA_ORIGIN_VERIFY_HEADER``: the header name (compared case-insensitively);
- ``CDK_SPA_ORIGIN_VERIFY_CACHE_TTL``: seconds the secret values are cached in the execution environment;
- ``CDK_SPA_ORIGIN_VERIFY_IMPORT``: ``init`` (default) imports the real handler when the execution environment
  starts, in Lambda's init phase (burst CPU; a SnapStart snapshot or a provisioned environment holds the
  initialized application); ``first-request`` imports it on the first accepted request instead, at the
  memory-proportional CPU share of an invocation. A refused request never calls the application in either mode;
- ``CDK_SPA_ORIGIN_VERIFY_VIEWER_HOST``: ``trust`` presents the ``x-cdk-spa-viewer-host`` header to the application
  as its host (see above); unset, the header is removed and the host left as API Gateway sent it.
"""

import json
import os

from cdk_spa_origin_check import (  # noqa: F401 (re-exported: one implementation, two entry points)
    HANDLER_ENV,
    SECRET_ARN_ENV,
    HEADER_ENV,
    CACHE_TTL_ENV,
    IMPORT_ENV,
    VIEWER_HOST_ENV,
    VIEWER_HOST_HEADER,
    HOST_HEADERS,
    CANONICAL_HOST_RE,
    NO_PUBLIC_HOST_LOG,
    METRIC_NAMESPACE,
    REFUSED_METRIC,
    STAGES,
    DEFAULT_CACHE_TTL_SECONDS,
    MIN_REFRESH_INTERVAL_SECONDS,
    logger,
    SecretUnavailable,
    SecretValues,
    _utf8,
    _matches_any,
    load_handler,
    _boto3_client,
    _refused_metric,
    canonical_public_host,
    ACCEPTED,
    REFUSED,
    UNAVAILABLE_SECRET,
    OriginCheck,
    secret_values_from_environment,
)


def _response(status, message):
    return {
        "statusCode": status,
        "headers": {"content-type": "application/json"},
        "body": json.dumps({"message": message}),
        "isBase64Encoded": False,
    }


FORBIDDEN = _response(403, "Forbidden")
BAD_REQUEST = _response(400, "Bad Request")
UNAVAILABLE = _response(503, "Service Unavailable")


def header_value(event, name):
    """The value of header ``name`` in an API Gateway (payload 1.0 or 2.0), ALB or function URL event.

    None when the header is missing or ambiguous: named more than once (in different letter cases), or, in a
    payload 1.0 event, with ``multiValueHeaders`` that do not hold exactly that one value. A value that is not
    a string is returned as is (the caller refuses it).
    """
    headers = event.get("headers") if isinstance(event, dict) else None
    if not isinstance(headers, dict):
        return None
    wanted = name.lower()
    found = [value for key, value in headers.items() if isinstance(key, str) and key.lower() == wanted]
    if len(found) != 1:
        return None
    multi = event.get("multiValueHeaders")
    if multi is not None:
        if not isinstance(multi, dict):
            return None
        values = [value for key, value in multi.items() if isinstance(key, str) and key.lower() == wanted]
        if values and values != [[found[0]]]:
            return None
    return found[0]


def without_header(event, name):
    """A shallow copy of ``event`` without header ``name`` (in ``headers`` and payload 1.0's ``multiValueHeaders``)."""
    wanted = name.lower()
    stripped = dict(event)
    for key in ("headers", "multiValueHeaders"):
        headers = event.get(key)
        if isinstance(headers, dict):
            stripped[key] = {k: v for k, v in headers.items() if not (isinstance(k, str) and k.lower() == wanted)}
    return stripped


def public_host_event(event, host):
    """A shallow copy of ``event`` in which the application sees ``host`` over https.

    ``host`` and ``x-forwarded-host`` become ``host``, ``x-forwarded-proto`` https and ``x-forwarded-port`` 443
    (Mangum builds the ASGI ``server`` and ``scheme`` from these), ``forwarded`` and the viewer-host header are
    removed, in ``headers`` and payload 1.0's ``multiValueHeaders``, and ``requestContext.domainName`` is ``host``.
    """
    replaced = {"host": host, "x-forwarded-host": host, "x-forwarded-proto": "https", "x-forwarded-port": "443"}
    event = dict(event)
    for key, wrap in (("headers", lambda v: v), ("multiValueHeaders", lambda v: [v])):
        headers = event.get(key)
        if isinstance(headers, dict):
            kept = {k: v for k, v in headers.items() if not (isinstance(k, str) and k.lower() in HOST_HEADERS)}
            kept.update({k: wrap(v) for k, v in replaced.items()})
            event[key] = kept
    request_context = event.get("requestContext")
    if isinstance(request_context, dict) and "domainName" in request_context:
        event["requestContext"] = {**request_context, "domainName": host}
    return event


class OriginVerifier:
    """Checks the header of every event, then calls the real handler.

    The handler is imported by ``load()`` (the init phase, by default) or, failing that, on the first accepted event.
    """

    def __init__(self, header_name, secret_values, handler_spec, trust_viewer_host=False, function_name=None,
                 metrics_out=None):
        self._check = OriginCheck(header_name, secret_values, function_name=function_name, metrics_out=metrics_out)
        self._secret_values = secret_values
        self._header_name = header_name
        self._handler_spec = handler_spec
        self._trust_viewer_host = trust_viewer_host
        self._handler = None

    def load(self):
        """Imports the real handler now rather than on the first accepted request."""
        if self._handler is None:
            self._handler = load_handler(self._handler_spec)

    def __call__(self, event, context):
        given = header_value(event, self._header_name)
        request_context = event.get("requestContext") if isinstance(event, dict) else None
        request_id = request_context.get("requestId") if isinstance(request_context, dict) else None
        outcome = self._check.check(given, request_id)
        if outcome == UNAVAILABLE_SECRET:
            return UNAVAILABLE
        if outcome != ACCEPTED:
            return dict(FORBIDDEN)
        self.load()
        event = without_header(event, self._header_name)
        if self._trust_viewer_host:
            host = canonical_public_host(header_value(event, VIEWER_HOST_HEADER))
            if host is None:
                return self._no_public_host()
            event = public_host_event(event, host)
        else:  # not trusted (no viewer-host function in front): the header could come from a viewer
            event = without_header(event, VIEWER_HOST_HEADER)
        return self._handler(event, context)

    @staticmethod
    def _no_public_host():
        """A request that came through CloudFront without a usable viewer host: answered 400, never passed to the
        application with API Gateway's execute-api host (which its redirects would reveal)."""
        logger.error(NO_PUBLIC_HOST_LOG, VIEWER_HOST_HEADER)
        return dict(BAD_REQUEST)


def from_environment(environ=None, client_factory=_boto3_client):
    """Builds the verifier from the environment variables the construct sets."""
    environ = os.environ if environ is None else environ
    values = secret_values_from_environment(environ, client_factory)
    return OriginVerifier(environ[HEADER_ENV], values, environ[HANDLER_ENV],
                          trust_viewer_host=environ.get(VIEWER_HOST_ENV) == "trust",
                          function_name=environ.get("AWS_LAMBDA_FUNCTION_NAME"))


_verifier = None


def _init(environ=None):
    """At import (the Lambda init phase): build the verifier and import the real handler, unless
    ``CDK_SPA_ORIGIN_VERIFY_IMPORT=first-request``. Outside Lambda (no handler configured, as in tests) nothing happens."""
    global _verifier
    environ = os.environ if environ is None else environ
    if HANDLER_ENV not in environ or environ.get(IMPORT_ENV) == "first-request":
        return
    _verifier = from_environment(environ)
    _verifier.load()


_init()


def handler(event, context):
    """The Lambda handler: verify the origin header, then call the real handler."""
    global _verifier
    if _verifier is None:
        _verifier = from_environment()
    return _verifier(event, context)
