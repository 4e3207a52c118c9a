"""The secrets helper, with injected fake Secrets Manager and SSM clients (no AWS, no boto3 needed)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
import types
from pathlib import Path
from typing import Any

import pytest

from app import aws_secrets
from app.aws_secrets import SecretReader, database_url

SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:prod/payment-AbCdEf"
GOV_SECRET_ARN = "arn:aws-us-gov:secretsmanager:us-gov-west-1:111111111111:secret:db-AbCdEf"
PARAMETER = "/prod/db/password"


class FakeSecretsManager:
    def __init__(self, values: dict[str, dict[str, Any]]) -> None:
        self.values = values
        self.calls: list[dict[str, Any]] = []

    def get_secret_value(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(kwargs)
        time.sleep(0.01)  # long enough for concurrent readers to overlap
        return self.values[kwargs["SecretId"]]


class FakeSsm:
    def __init__(self, values: dict[str, str]) -> None:
        self.values = values
        self.calls: list[dict[str, Any]] = []

    def get_parameter(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(kwargs)
        return {"Parameter": {"Name": kwargs["Name"], "Type": "SecureString", "Value": self.values[kwargs["Name"]]}}


class Clients:
    """A client factory that records which services were asked for."""

    def __init__(self) -> None:
        self.secretsmanager = FakeSecretsManager({
            SECRET_ARN: {"ARN": SECRET_ARN, "SecretString": "sk_live_123"},
            GOV_SECRET_ARN: {"ARN": GOV_SECRET_ARN, "SecretString": '{"username": "app", "password": "p@ss:w/rd?", '
                             '"host": "db.cluster-abc.eu-west-1.rds.amazonaws.com", "port": 5432, "dbname": "app"}'},
        })
        self.ssm = FakeSsm({PARAMETER: "hunter2"})
        self.created: list[str] = []

    def __call__(self, service: str) -> Any:
        self.created.append(service)
        return {"secretsmanager": self.secretsmanager, "ssm": self.ssm}[service]


@pytest.fixture
def clients() -> Clients:
    return Clients()


def reader(clients: Clients, **environ: str) -> SecretReader:
    return SecretReader(client_factory=clients, environ=environ)


def test_reads_a_secrets_manager_secret_by_the_arn_in_the_environment(clients: Clients) -> None:
    r = reader(clients, PAYMENT_API_KEY_ARN=SECRET_ARN)
    assert r.get("PAYMENT_API_KEY_ARN") == "sk_live_123"
    assert clients.secretsmanager.calls == [{"SecretId": SECRET_ARN}]
    assert clients.ssm.calls == []


def test_reads_an_ssm_secure_string_by_name_with_decryption(clients: Clients) -> None:
    r = reader(clients, DB_PASSWORD_PARAMETER=PARAMETER)
    assert r.get("DB_PASSWORD_PARAMETER") == "hunter2"
    assert clients.ssm.calls == [{"Name": PARAMETER, "WithDecryption": True}]
    assert clients.secretsmanager.calls == []


def test_each_value_is_fetched_once_per_cold_start(clients: Clients) -> None:
    r = reader(clients, KEY_ARN=SECRET_ARN, PASSWORD_PARAMETER=PARAMETER)
    for _ in range(3):
        assert r.get("KEY_ARN") == "sk_live_123"
        assert r.get("PASSWORD_PARAMETER") == "hunter2"
    assert len(clients.secretsmanager.calls) == 1
    assert len(clients.ssm.calls) == 1
    assert clients.created == ["secretsmanager", "ssm"]  # one client per service


def test_clients_are_created_on_first_read_not_before(clients: Clients) -> None:
    r = reader(clients, KEY_ARN=SECRET_ARN)
    assert clients.created == []
    r.get("KEY_ARN")
    assert clients.created == ["secretsmanager"]


def test_clear_refetches_after_a_rotation(clients: Clients) -> None:
    r = reader(clients, KEY_ARN=SECRET_ARN)
    assert r.get("KEY_ARN") == "sk_live_123"
    clients.secretsmanager.values[SECRET_ARN] = {"SecretString": "sk_live_456"}
    assert r.get("KEY_ARN") == "sk_live_123"  # cached
    r.clear()
    assert r.get("KEY_ARN") == "sk_live_456"
    assert len(clients.secretsmanager.calls) == 2


def test_concurrent_first_reads_fetch_once(clients: Clients) -> None:
    r = reader(clients, KEY_ARN=SECRET_ARN)
    results: list[str] = []
    threads = [threading.Thread(target=lambda: results.append(r.get("KEY_ARN"))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == ["sk_live_123"] * 8
    assert len(clients.secretsmanager.calls) == 1


def test_a_missing_variable_says_how_to_pass_the_secret(clients: Clients) -> None:
    with pytest.raises(KeyError) as info:
        reader(clients).get("DB_SECRET_ARN")
    assert info.value.args[0] == (
        "DB_SECRET_ARN is not set. Pass the secret to the function in the construct's secrets prop, "
        "for example secrets: { DB_SECRET_ARN: FunctionSecret.fromSecretsManager(secret) }."
    )
    assert clients.created == []


def test_a_binary_secret_is_refused(clients: Clients) -> None:
    clients.secretsmanager.values[SECRET_ARN] = {"SecretBinary": b"\x00\x01"}
    with pytest.raises(ValueError, match="holds binary data"):
        reader(clients, KEY_ARN=SECRET_ARN).get("KEY_ARN")


def test_json_secrets_and_database_url_from_an_rds_secret(clients: Clients) -> None:
    r = reader(clients, DB_SECRET_ARN=GOV_SECRET_ARN)
    assert r.get_json("DB_SECRET_ARN")["username"] == "app"
    # the password is percent-encoded, so characters such as @ : / ? cannot break the URL
    assert database_url("DB_SECRET_ARN", reader=r) == (
        "postgresql://app:p%40ss%3Aw%2Frd%3F@db.cluster-abc.eu-west-1.rds.amazonaws.com:5432/app"
    )
    assert database_url("DB_SECRET_ARN", scheme="postgresql+psycopg", reader=r).startswith("postgresql+psycopg://app:")
    assert len(clients.secretsmanager.calls) == 1


def test_database_url_rejects_a_secret_that_is_not_a_database_secret(clients: Clients) -> None:
    clients.secretsmanager.values[SECRET_ARN] = {"SecretString": '{"apiKey": "x"}'}
    with pytest.raises(ValueError, match="has no username, password, host"):
        database_url("KEY_ARN", reader=reader(clients, KEY_ARN=SECRET_ARN))


def test_the_default_reader_imports_boto3_on_first_use(monkeypatch: pytest.MonkeyPatch, clients: Clients) -> None:
    fake_boto3 = types.ModuleType("boto3")
    fake_boto3.client = clients  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "boto3", fake_boto3)
    monkeypatch.setenv("PAYMENT_API_KEY_ARN", SECRET_ARN)
    monkeypatch.setattr(aws_secrets, "_default", SecretReader())
    assert aws_secrets.get_secret("PAYMENT_API_KEY_ARN") == "sk_live_123"
    assert aws_secrets.get_secret("PAYMENT_API_KEY_ARN") == "sk_live_123"
    assert clients.created == ["secretsmanager"]
    aws_secrets.clear_cache()
    assert aws_secrets.get_secret("PAYMENT_API_KEY_ARN") == "sk_live_123"
    assert len(clients.secretsmanager.calls) == 2


def test_importing_the_helper_does_not_import_boto3() -> None:
    backend = Path(__file__).resolve().parents[1]
    out = subprocess.run(
        [sys.executable, "-c", "import sys, app.aws_secrets; print('boto3' in sys.modules)"],
        cwd=backend, capture_output=True, text=True, check=True,
    )
    assert out.stdout.strip() == "False"
