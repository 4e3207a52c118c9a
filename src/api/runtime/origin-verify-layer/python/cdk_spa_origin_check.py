"""The origin check shared by both entry points of the origin-verify layer: the Mangum path's Lambda handler
(cdk_spa_origin_verify.py) and the streaming path's ASGI middleware (cdk_spa_streaming.py).

It holds the secret's cached values, the constant-time comparison, the ``OriginVerificationRefused`` metric and the
rule for the viewer's host; see cdk_spa_origin_verify.py for the design. Importing it has no side effect. Its log
lines keep the logger name ``cdk_spa_origin_verify``, which users may already filter on.
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
# A host name in canonical form (lower case, ASCII/punycode, no port, no trailing dot), used with fullmatch.
CANONICAL_HOST_RE = re.compile(r"(?=.{1,253}\Z)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*")

# The CloudWatch metric of refused requests (Embedded Metric Format).
METRIC_NAMESPACE = "CdkSpaWithLambdaApi"
REFUSED_METRIC = "OriginVerificationRefused"

STAGES = ("AWSCURRENT", "AWSPREVIOUS")
DEFAULT_CACHE_TTL_SECONDS = 300
# A header that matches no cached value triggers a re-read of the secret (it may have been rotated and the
# distribution redeployed since the cache was filled), at most this often per execution environment.
MIN_REFRESH_INTERVAL_SECONDS = 30

logger = logging.getLogger("cdk_spa_origin_verify")


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


def load_handler(spec):
    """Imports ``module.attribute`` and returns the attribute."""
    module_name, _, attribute = spec.rpartition(".")
    if not module_name or not attribute:
        raise ValueError(f"{HANDLER_ENV} is {spec!r}, but it must be module.attribute, for example app.main.handler")
    return getattr(importlib.import_module(module_name), attribute)


def _boto3_client():
    import boto3  # part of the Lambda Python runtime

    return boto3.client("secretsmanager")


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


def canonical_public_host(value):
    """The viewer-host header's value as a host name in canonical form, or None when it is not one.

    Lower case, without a port and trailing dots, internationalised names in punycode (IDNA): the form the
    viewer-request CloudFront Function always sends. Anything that is not a single host name (a comma-joined value,
    whitespace, a path, an empty value, a non-string) is None. Call it only for a request whose secret matched: only
    CloudFront (its viewer-request function) sets the viewer-host header of such a request.
    """
    if not isinstance(value, str):
        return None
    host = value.lower()
    port = re.fullmatch(r"(.*):[0-9]{1,5}", host)
    if port:
        host = port.group(1)
    host = host.rstrip(".")
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except (UnicodeError, ValueError):
            return None
    return host if CANONICAL_HOST_RE.fullmatch(host) else None


NO_PUBLIC_HOST_LOG = ("origin verification: the request has no valid %s header; the viewer-request function "
                      "(ViewerHostFunction) must run on this behaviour when originVerification.trustViewerHost is true")


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


def secret_values_from_environment(environ, client_factory=_boto3_client):
    """The cached secret values the construct configured (``CDK_SPA_ORIGIN_VERIFY_SECRET_ARN``, ``..._CACHE_TTL``)."""
    ttl = int(environ.get(CACHE_TTL_ENV, DEFAULT_CACHE_TTL_SECONDS))
    return SecretValues(environ[SECRET_ARN_ENV], client_factory, ttl_seconds=ttl)
