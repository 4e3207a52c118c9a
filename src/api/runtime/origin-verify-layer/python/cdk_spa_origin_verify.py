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
origin check passed, so only for a request that came through CloudFront, this handler presents that value to the
application as ``host`` and ``x-forwarded-host``, with ``x-forwarded-proto: https`` and ``x-forwarded-port: 443``,
sets ``requestContext.domainName`` to it, and drops any ``forwarded`` header. A direct caller can never choose the
host the application sees.

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

import hmac
import importlib
import json
import logging
import os
import re
import sys
import time

HANDLER_ENV = "CDK_SPA_ORIGIN_VERIFY_HANDLER"
SECRET_ARN_ENV = "CDK_SPA_ORIGIN_VERIFY_SECRET_ARN"
HEADER_ENV = "CDK_SPA_ORIGIN_VERIFY_HEADER"
CACHE_TTL_ENV = "CDK_SPA_ORIGIN_VERIFY_CACHE_TTL"
IMPORT_ENV = "CDK_SPA_ORIGIN_VERIFY_IMPORT"
VIEWER_HOST_ENV = "CDK_SPA_ORIGIN_VERIFY_VIEWER_HOST"

# Set by the viewer-request CloudFront Function (src/api/runtime/viewer-host.js) from the viewer's Host header.
VIEWER_HOST_HEADER = "x-cdk-spa-viewer-host"
# Headers the application would read its host and scheme from; replaced when the viewer host is trusted.
HOST_HEADERS = ("host", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-port", "forwarded", VIEWER_HOST_HEADER)
# A DNS name (or IPv4 address), with an optional port: what CloudFront accepts as the Host of a distribution.
HOST_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?(?::[0-9]{1,5})?")  # used with fullmatch

# The CloudWatch metric of refused requests (Embedded Metric Format).
METRIC_NAMESPACE = "CdkSpaWithLambdaApi"
REFUSED_METRIC = "OriginVerificationRefused"

STAGES = ("AWSCURRENT", "AWSPREVIOUS")
DEFAULT_CACHE_TTL_SECONDS = 300
# A header that matches no cached value triggers a re-read of the secret (it may have been rotated and the
# distribution redeployed since the cache was filled), at most this often per execution environment.
MIN_REFRESH_INTERVAL_SECONDS = 30

logger = logging.getLogger(__name__)


def _response(status, message):
    return {
        "statusCode": status,
        "headers": {"content-type": "application/json"},
        "body": json.dumps({"message": message}),
        "isBase64Encoded": False,
    }


FORBIDDEN = _response(403, "Forbidden")
UNAVAILABLE = _response(503, "Service Unavailable")


class SecretUnavailable(Exception):
    """No value of the secret could be read and none is cached."""


class SecretValues:
    """The accepted header values: the secret's AWSCURRENT and AWSPREVIOUS versions, cached with a TTL."""

    def __init__(self, secret_id, client_factory, ttl_seconds=DEFAULT_CACHE_TTL_SECONDS,
                 min_refresh_seconds=MIN_REFRESH_INTERVAL_SECONDS, clock=time.monotonic):
        self._secret_id = secret_id
        self._client_factory = client_factory
        self._client = None
        self._ttl = ttl_seconds
        self._min_refresh = min_refresh_seconds
        self._clock = clock
        self._values = None  # tuple of accepted values, once read
        self._read_at = None
        self._forced_at = None

    def _read_stage(self, stage):
        if self._client is None:
            self._client = self._client_factory()
        try:
            return self._client.get_secret_value(SecretId=self._secret_id, VersionStage=stage)["SecretString"]
        except Exception as error:  # botocore.exceptions.ClientError carries the error code in .response
            code = getattr(error, "response", {}).get("Error", {}).get("Code")
            if stage == "AWSPREVIOUS" and code == "ResourceNotFoundException":
                return None  # the secret was never rotated: there is no previous version
            raise

    def _refresh(self, now):
        try:
            values = tuple(v for v in (self._read_stage(stage) for stage in STAGES) if v)
        except Exception:
            if self._values is None:
                raise SecretUnavailable(self._secret_id)
            # keep the last values read (they were valid moments ago) rather than refuse every request
            logger.exception("origin verification: cannot re-read the secret, keeping the cached values")
            self._read_at = now
            return
        self._values = values
        self._read_at = now

    def _accepted(self, now):
        if self._values is None or now - self._read_at >= self._ttl:
            self._refresh(now)
        return self._values

    def matches(self, candidate):
        """True when ``candidate`` equals the current or the previous secret value.

        Anything else is False without raising: a missing, empty or non-string value, or one that is not valid
        UTF-8 (a lone surrogate from a decoded header). Such values never read the secret.
        """
        given = _utf8(candidate)
        if not given:
            return False
        now = self._clock()
        if _matches_any(given, self._accepted(now)):
            return True
        if self._forced_at is None or now - self._forced_at >= self._min_refresh:
            self._forced_at = now
            self._refresh(now)
            return _matches_any(given, self._values)
        return False


def _utf8(value):
    """``value`` as UTF-8 bytes, or None when it is not a string or cannot be encoded (a lone surrogate)."""
    if not isinstance(value, str):
        return None
    try:
        return value.encode("utf-8")
    except UnicodeEncodeError:
        return None


def _matches_any(given, values):
    # compare with every value, so the time taken does not tell which one matched
    results = [hmac.compare_digest(given, value.encode("utf-8")) for value in values]
    return any(results)


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


def load_handler(spec):
    """Imports ``module.attribute`` and returns the attribute."""
    module_name, _, attribute = spec.rpartition(".")
    if not module_name or not attribute:
        raise ValueError(f"{HANDLER_ENV} is {spec!r}, but it must be module.attribute, for example app.main.handler")
    return getattr(importlib.import_module(module_name), attribute)


def _boto3_client():
    import boto3  # part of the Lambda Python runtime

    return boto3.client("secretsmanager")


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


def _refused_metric(function_name, reason):
    """One CloudWatch Embedded Metric Format line: a refused request of this function. Holds no header value."""
    return json.dumps({
        "_aws": {
            "Timestamp": int(time.time() * 1000),
            "CloudWatchMetrics": [{
                "Namespace": METRIC_NAMESPACE,
                "Dimensions": [["FunctionName"]],
                "Metrics": [{"Name": REFUSED_METRIC, "Unit": "Count"}],
            }],
        },
        "FunctionName": function_name,
        REFUSED_METRIC: 1,
        "reason": reason,
    }, separators=(",", ":"))


def trusted_host(value):
    """The viewer's host as the application may see it (lower case), or None when ``value`` is not a host name.

    Call it only for a request whose secret matched: only CloudFront (its viewer-request function) sets the
    viewer-host header of such a request.
    """
    if isinstance(value, str) and HOST_RE.fullmatch(value):
        return value.lower()
    return None


ACCEPTED = "accepted"
REFUSED = "refused"
UNAVAILABLE_SECRET = "unavailable"


class OriginCheck:
    """The origin check both entry points share: the Mangum-path handler below and the streaming path's ASGI
    middleware (cdk_spa_streaming.py). It compares the submitted header value with the secret's values (constant
    time, cached), and counts a refused request in the ``OriginVerificationRefused`` metric. Neither the secret nor
    the submitted value is ever logged.
    """

    def __init__(self, header_name, secret_values, function_name=None, metrics_out=None):
        self.header_name = header_name
        self._secret_values = secret_values
        self._function_name = function_name or os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "unknown")
        self._metrics_out = metrics_out

    def check(self, given, request_id=None):
        """``ACCEPTED``, ``REFUSED`` (logged without the value, and counted) or ``UNAVAILABLE_SECRET``."""
        try:
            accepted = self._secret_values.matches(given)
        except SecretUnavailable:
            logger.exception("origin verification: the secret cannot be read; check the function's permissions")
            return UNAVAILABLE_SECRET
        if accepted:
            return ACCEPTED
        self._count_refused(given, request_id)
        return REFUSED

    def _count_refused(self, given, request_id):
        if given is None:
            reason = "missing header"
        elif _utf8(given) is None:
            reason = "malformed header value"
        else:
            reason = "wrong header value"
        logger.warning(
            "origin verification: refused a request that did not come through CloudFront",
            extra={"reason": reason, "requestId": request_id if isinstance(request_id, str) else None},
        )
        out = self._metrics_out or sys.stdout
        out.write(_refused_metric(self._function_name, reason) + "\n")
        out.flush()


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
        host = trusted_host(header_value(event, VIEWER_HOST_HEADER)) if self._trust_viewer_host else None
        if host is not None:
            event = public_host_event(event, host)
        else:  # not trusted (no viewer-host function in front) or malformed: the app keeps API Gateway's host
            event = without_header(event, VIEWER_HOST_HEADER)
        return self._handler(event, context)


def secret_values_from_environment(environ, client_factory=_boto3_client):
    """The cached secret values the construct configured (``CDK_SPA_ORIGIN_VERIFY_SECRET_ARN``, ``..._CACHE_TTL``)."""
    ttl = int(environ.get(CACHE_TTL_ENV, DEFAULT_CACHE_TTL_SECONDS))
    return SecretValues(environ[SECRET_ARN_ENV], client_factory, ttl_seconds=ttl)


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
