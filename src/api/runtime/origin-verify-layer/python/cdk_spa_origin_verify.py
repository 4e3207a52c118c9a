"""Origin verification for a Lambda function that must only be reached through one CloudFront distribution.

Shipped by cdk-spa-with-lambda-api as a Lambda layer (``/opt/python``) and set as the function's handler.
CloudFront adds a secret origin custom header to every request it sends to the API; a viewer cannot set or
override it (CloudFront replaces a viewer header of the same name). This handler compares that header, in
constant time, with the AWSCURRENT and AWSPREVIOUS values of a Secrets Manager secret, so a rotated secret
keeps working until CloudFront sends the new value. Only a request that matches imports and calls the real
handler, with the secret header removed from the event (so the application cannot log or echo it); any other
request is answered 403 without importing the application.

Configuration (environment variables, set by the construct):

- ``CDK_SPA_ORIGIN_VERIFY_HANDLER``: the real handler, ``module.attribute`` (for example ``app.main.handler``);
- ``CDK_SPA_ORIGIN_VERIFY_SECRET_ARN``: the secret that holds the header value (a plain string);
- ``CDK_SPA_ORIGIN_VERIFY_HEADER``: the header name (compared case-insensitively);
- ``CDK_SPA_ORIGIN_VERIFY_CACHE_TTL``: seconds the secret values are cached in the execution environment;
- ``CDK_SPA_ORIGIN_VERIFY_IMPORT``: ``first-request`` (default) imports the real handler on the first accepted
  request; ``init`` imports it when the execution environment starts, so a SnapStart snapshot or a provisioned
  environment holds the initialized application (a refused request still never calls it).
"""

import hmac
import importlib
import json
import logging
import os
import time

HANDLER_ENV = "CDK_SPA_ORIGIN_VERIFY_HANDLER"
SECRET_ARN_ENV = "CDK_SPA_ORIGIN_VERIFY_SECRET_ARN"
HEADER_ENV = "CDK_SPA_ORIGIN_VERIFY_HEADER"
CACHE_TTL_ENV = "CDK_SPA_ORIGIN_VERIFY_CACHE_TTL"
IMPORT_ENV = "CDK_SPA_ORIGIN_VERIFY_IMPORT"

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
        """True when ``candidate`` equals the current or the previous secret value."""
        if not candidate:
            return False
        now = self._clock()
        if _matches_any(candidate, self._accepted(now)):
            return True
        if self._forced_at is None or now - self._forced_at >= self._min_refresh:
            self._forced_at = now
            self._refresh(now)
            return _matches_any(candidate, self._values)
        return False


def _matches_any(candidate, values):
    given = candidate.encode("utf-8")
    # compare with every value, so the time taken does not tell which one matched
    results = [hmac.compare_digest(given, value.encode("utf-8")) for value in values]
    return any(results)


def header_value(event, name):
    """The value of header ``name`` in an API Gateway (payload 1.0 or 2.0), ALB or function URL event."""
    headers = event.get("headers") if isinstance(event, dict) else None
    if not isinstance(headers, dict):
        return None
    wanted = name.lower()
    for key, value in headers.items():
        if isinstance(key, str) and key.lower() == wanted:
            return value if isinstance(value, str) else None
    return None


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


class OriginVerifier:
    """Checks the header of every event, then calls the real handler (imported on the first accepted event)."""

    def __init__(self, header_name, secret_values, handler_spec):
        self._header_name = header_name
        self._secret_values = secret_values
        self._handler_spec = handler_spec
        self._handler = None

    def load(self):
        """Imports the real handler now rather than on the first accepted request."""
        if self._handler is None:
            self._handler = load_handler(self._handler_spec)

    def __call__(self, event, context):
        given = header_value(event, self._header_name)
        try:
            accepted = self._secret_values.matches(given)
        except SecretUnavailable:
            logger.exception("origin verification: the secret cannot be read; check the function's permissions")
            return UNAVAILABLE
        if not accepted:
            request_context = event.get("requestContext", {}) if isinstance(event, dict) else {}
            logger.warning(
                "origin verification: refused a request that did not come through CloudFront",
                extra={
                    "reason": "missing header" if not given else "wrong header value",
                    "requestId": request_context.get("requestId"),
                },
            )
            return dict(FORBIDDEN)
        self.load()
        return self._handler(without_header(event, self._header_name), context)


def from_environment(environ=None, client_factory=_boto3_client):
    """Builds the verifier from the environment variables the construct sets."""
    environ = os.environ if environ is None else environ
    ttl = int(environ.get(CACHE_TTL_ENV, DEFAULT_CACHE_TTL_SECONDS))
    values = SecretValues(environ[SECRET_ARN_ENV], client_factory, ttl_seconds=ttl)
    return OriginVerifier(environ[HEADER_ENV], values, environ[HANDLER_ENV])


_verifier = None


def _init(environ=None):
    """At import (the Lambda init phase): with ``CDK_SPA_ORIGIN_VERIFY_IMPORT=init``, import the real handler now."""
    global _verifier
    environ = os.environ if environ is None else environ
    if environ.get(IMPORT_ENV) == "init":
        _verifier = from_environment(environ)
        _verifier.load()


_init()


def handler(event, context):
    """The Lambda handler: verify the origin header, then call the real handler."""
    global _verifier
    if _verifier is None:
        _verifier = from_environment()
    return _verifier(event, context)
