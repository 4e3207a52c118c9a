"""Read the secrets the construct passes by reference, once per cold start.

``secrets: { DB_SECRET_ARN: FunctionSecret.fromSecretsManager(secret) }`` puts the secret's ARN in the
``DB_SECRET_ARN`` environment variable, and ``FunctionSecret.fromSsmParameter(parameter)`` puts the
parameter's name: the value itself is never in the function's configuration. This module fetches the value
on first use and keeps it for the life of the execution environment, so a warm invocation makes no AWS call::

    from app.aws_secrets import get_secret, get_secret_json, database_url

    api_key = get_secret("PAYMENT_API_KEY_ARN")     # SecretString of a Secrets Manager secret
    password = get_secret("DB_PASSWORD_PARAMETER")  # decrypted SSM SecureString
    url = database_url("DB_SECRET_ARN")             # postgresql://user:pass@host:5432/db from an RDS secret

Read secrets inside request handlers (or a cached dependency), not at import time: a failing import kills
every cold start, and with SnapStart a value read during init is frozen into the snapshot, so a rotated
secret would never be picked up. After a rotation, new execution environments read the new value; call
``clear_cache()`` (for example on an authentication error) to re-read it in a warm one.

boto3 is part of the Lambda Python runtime, so it is not in requirements.txt. It is imported on the first
read, not at import time, which keeps it off the cold-start path of functions that read no secret and lets
tests inject a fake client (``SecretReader(client_factory=...)``).

Why not the AWS Parameters and Secrets Lambda Extension: it is a layer whose ARN differs per region and
architecture, runs a local HTTP cache that needs the session token in a header and its own TTL tuning, and
still costs a call per TTL. One boto3 call per cold start is simpler, has no extra moving part, and is as
fast for a web API whose environments live for minutes to hours.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote

ClientFactory = Callable[[str], Any]

_SECRETS_MANAGER_ARN = re.compile(r"^arn:aws[a-z-]*:secretsmanager:")


def _boto3_client(service: str) -> Any:
    import boto3  # lazily, see the module docstring

    return boto3.client(service)


class SecretReader:
    """Reads secrets named by environment variables and caches each value after its first read.

    :param client_factory: returns a boto3-compatible client for ``"secretsmanager"`` or ``"ssm"``
    :param environ: where the references are read from (``os.environ`` by default)
    """

    def __init__(
        self,
        client_factory: ClientFactory = _boto3_client,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self._client_factory = client_factory
        self._environ = environ
        self._clients: dict[str, Any] = {}
        self._values: dict[str, str] = {}
        self._lock = threading.Lock()

    def get(self, env_name: str) -> str:
        """The value of the secret or parameter whose ARN or name is in ``env_name``."""
        with self._lock:
            if env_name not in self._values:
                self._values[env_name] = self._fetch(env_name, self._reference(env_name))
            return self._values[env_name]

    def get_json(self, env_name: str) -> dict[str, Any]:
        """The value of a JSON secret (for example an RDS secret), parsed."""
        value = json.loads(self.get(env_name))
        if not isinstance(value, dict):
            raise ValueError(f"The secret in {env_name} is JSON but not an object.")
        return value

    def clear(self) -> None:
        """Forget every cached value, so the next read fetches it again (after a rotation)."""
        with self._lock:
            self._values.clear()

    def _reference(self, env_name: str) -> str:
        environ = os.environ if self._environ is None else self._environ
        reference = environ.get(env_name, "")
        if not reference:
            raise KeyError(
                f"{env_name} is not set. Pass the secret to the function in the construct's secrets prop, "
                f"for example secrets: {{ {env_name}: FunctionSecret.fromSecretsManager(secret) }}."
            )
        return reference

    def _client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self._client_factory(service)
        return self._clients[service]

    def _fetch(self, env_name: str, reference: str) -> str:
        if _SECRETS_MANAGER_ARN.match(reference):
            response = self._client("secretsmanager").get_secret_value(SecretId=reference)
            if "SecretString" not in response:
                raise ValueError(
                    f"The secret in {env_name} holds binary data; this helper reads text secrets (SecretString)."
                )
            return str(response["SecretString"])
        response = self._client("ssm").get_parameter(Name=reference, WithDecryption=True)
        return str(response["Parameter"]["Value"])


_default = SecretReader()


def get_secret(env_name: str) -> str:
    """The value of the secret or SSM parameter referenced by ``env_name``, read once per cold start."""
    return _default.get(env_name)


def get_secret_json(env_name: str) -> dict[str, Any]:
    """The parsed value of the JSON secret referenced by ``env_name``, read once per cold start."""
    return _default.get_json(env_name)


def clear_cache() -> None:
    """Forget the cached values of the default reader."""
    _default.clear()


def database_url(env_name: str, scheme: str = "postgresql", reader: SecretReader | None = None) -> str:
    """A database URL built from an RDS-style JSON secret (``username``, ``password``, ``host``, ``port``, ``dbname``).

    The user name and password are percent-encoded, so any generated password works. Pass
    ``scheme="postgresql+psycopg"`` for SQLAlchemy with psycopg 3.
    """
    secret = (reader or _default).get_json(env_name)
    missing = [key for key in ("username", "password", "host") if not secret.get(key)]
    if missing:
        raise ValueError(f"The secret in {env_name} has no {', '.join(missing)}; it is not an RDS database secret.")
    user = quote(str(secret["username"]), safe="")
    password = quote(str(secret["password"]), safe="")
    port = secret.get("port") or 5432
    dbname = quote(str(secret.get("dbname") or "postgres"), safe="")
    return f"{scheme}://{user}:{password}@{secret['host']}:{port}/{dbname}"
