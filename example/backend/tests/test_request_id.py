"""Correlation ids: log records written during a request carry its API Gateway request id.

The handler is invoked the way Lambda does, with an HTTP API (payload 2.0) event, and the records are
rendered with a formatter that, like the Lambda Python runtime's JSON formatter, writes every extra
attribute of a record as a JSON field (``awslambdaric`` 4.2.2, ``lambda_runtime_log_utils.JsonFormatter``:
``result.update(... record.__dict__ ... if key not in _RESERVED_FIELDS ...)``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from fastapi import FastAPI
from mangum import Mangum

from app import main
from app.request_id import ApiRequestIdMiddleware, api_request_id_from_event, current_api_request_id

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class LambdaLikeJsonFormatter(logging.Formatter):
    """Renders a record as the Lambda runtime's JSON format does: fixed keys plus every extra attribute."""

    def format(self, record: logging.LogRecord) -> str:
        out = {"level": record.levelname, "message": record.getMessage(), "logger": record.name}
        out.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        return json.dumps(out, default=str)


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(LambdaLikeJsonFormatter())
        self.lines: list[dict] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))


@pytest.fixture
def captured() -> Iterator[Capture]:
    handler = Capture()
    root = logging.getLogger()
    previous_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield handler
    root.removeHandler(handler)
    root.setLevel(previous_level)


def event(method: str, path: str, request_id: str, body: str | None = None) -> dict:
    """A minimal API Gateway HTTP API (payload 2.0) event."""
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {"host": "abc123.execute-api.eu-west-1.amazonaws.com", "content-type": "application/json"},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abc123",
            "domainName": "abc123.execute-api.eu-west-1.amazonaws.com",
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "203.0.113.10", "userAgent": "pytest"},
            "requestId": request_id,
            "routeKey": "$default",
            "stage": "$default",
            "time": "12/Mar/2024:10:00:00 +0000",
            "timeEpoch": 1710237600000,
        },
        "body": body,
        "isBase64Encoded": False,
    }


def lambda_context() -> SimpleNamespace:
    return SimpleNamespace(
        function_name="backend", function_version="$LATEST", memory_limit_in_mb=256,
        invoked_function_arn="arn:aws:lambda:eu-west-1:123456789012:function:backend",
        aws_request_id="6f1c2d3e-0000-4000-8000-000000000000", get_remaining_time_in_millis=lambda: 15_000,
    )


def small_app() -> Mangum:
    app = FastAPI()
    app.add_middleware(ApiRequestIdMiddleware)
    log = logging.getLogger("small_app")

    @app.get("/sync")
    def sync_route() -> dict:  # runs in the thread pool
        log.info("in a def route")
        return {"id": current_api_request_id()}

    @app.get("/async")
    async def async_route() -> dict:
        log.info("in an async route")
        return {"id": current_api_request_id()}

    return Mangum(app, lifespan="off")


@pytest.mark.parametrize("path", ["/sync", "/async"])
def test_records_of_a_request_carry_its_api_gateway_request_id(captured: Capture, path: str) -> None:
    handler = small_app()
    response = handler(event("GET", path, "KxQ1sgBWjoEEJ2w="), lambda_context())
    assert response["statusCode"] == 200
    assert json.loads(response["body"]) == {"id": "KxQ1sgBWjoEEJ2w="}
    mine = [line for line in captured.lines if line["logger"] == "small_app"]
    assert len(mine) == 1
    assert mine[0]["apiRequestId"] == "KxQ1sgBWjoEEJ2w="


def test_each_request_gets_its_own_id_and_nothing_leaks_after_it(captured: Capture) -> None:
    handler = small_app()
    handler(event("GET", "/sync", "first-id="), lambda_context())
    handler(event("GET", "/async", "second-id="), lambda_context())
    logging.getLogger("small_app").info("between requests")
    ids = [line.get("apiRequestId") for line in captured.lines if line["logger"] == "small_app"]
    assert ids == ["first-id=", "second-id=", None]
    assert current_api_request_id() is None


def test_the_example_app_logs_with_the_request_id(captured: Capture) -> None:
    main._items.clear()
    response = main.handler(event("POST", "/api/items", "ExAmPlE-id=", body='{"name": "first"}'), lambda_context())
    main._items.clear()
    assert response["statusCode"] == 201
    created = [line for line in captured.lines if line["message"] == "created item"]
    assert len(created) == 1
    assert created[0]["apiRequestId"] == "ExAmPlE-id="
    assert created[0]["itemId"] == json.loads(response["body"])["id"]


def test_the_example_app_installs_the_middleware() -> None:
    assert any(m.cls is ApiRequestIdMiddleware for m in main.app.user_middleware)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"requestContext": {"requestId": "abc="}}, "abc="),
        ({"requestContext": {}}, None),
        ({"requestContext": "nope"}, None),
        ({}, None),
        (None, None),
        ({"requestContext": {"requestId": ""}}, None),
    ],
)
def test_api_request_id_from_event(value: object, expected: str | None) -> None:
    assert api_request_id_from_event(value) == expected
