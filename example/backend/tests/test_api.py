"""API tests through FastAPI's TestClient and the Mangum Lambda handler."""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient

from app import main
from app.main import app, cors_allow_origins, handler

ALLOWED_ORIGIN = "http://localhost:5173"


@pytest.fixture(autouse=True)
def _clear_items() -> Iterator[None]:
    main._items.clear()
    yield
    main._items.clear()


@pytest.fixture
def client() -> TestClient:
    return TestClient(app)


def test_health(client: TestClient) -> None:
    response = client.get("/api/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["version"] == main.VERSION
    assert "time" in body


def test_routes_live_under_api_prefix(client: TestClient) -> None:
    assert client.get("/health").status_code == 404
    assert client.get("/items").status_code == 404


def test_items_crud(client: TestClient) -> None:
    assert client.get("/api/items").json() == []

    created = client.post("/api/items", json={"name": "first", "description": "hello"})
    assert created.status_code == 201
    item = created.json()
    assert isinstance(item["id"], str) and item["id"]
    assert item == {"id": item["id"], "name": "first", "description": "hello"}
    assert created.headers["location"] == f"http://testserver/api/items/{item['id']}"

    no_description = client.post("/api/items", json={"name": "second"})
    assert no_description.status_code == 201
    assert no_description.json()["description"] is None

    listed = client.get("/api/items").json()
    assert {i["name"] for i in listed} == {"first", "second"}

    fetched = client.get(f"/api/items/{item['id']}")
    assert fetched.status_code == 200
    assert fetched.json() == item

    deleted = client.delete(f"/api/items/{item['id']}")
    assert deleted.status_code == 204
    assert deleted.content == b""

    assert client.get(f"/api/items/{item['id']}").status_code == 404
    assert [i["name"] for i in client.get("/api/items").json()] == ["second"]


def test_unknown_item_is_json_404(client: TestClient) -> None:
    response = client.get("/api/items/nope")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == {"detail": "Item nope not found"}


def test_delete_unknown_item_is_404(client: TestClient) -> None:
    response = client.delete("/api/items/nope")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == {"detail": "Item nope not found"}


@pytest.mark.parametrize(
    "body",
    [{}, {"name": 123}, {"name": ""}, {"description": "no name"}],
)
def test_create_item_invalid_body_is_422(client: TestClient, body: dict) -> None:
    response = client.post("/api/items", json=body)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/json")
    assert isinstance(response.json()["detail"], list)
    assert main._items == {}


def test_cors_preflight_from_allowed_origin(client: TestClient) -> None:
    response = client.options(
        "/api/items",
        headers={
            "Origin": ALLOWED_ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    assert "POST" in response.headers["access-control-allow-methods"]
    assert "content-type" in response.headers["access-control-allow-headers"].lower()


def test_cors_rejects_other_origin(client: TestClient) -> None:
    response = client.get("/api/health", headers={"Origin": "https://evil.example"})
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers


def test_cors_allow_origins_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CORS_ALLOW_ORIGINS", " https://a.example, ,https://b.example ")
    assert cors_allow_origins() == ["https://a.example", "https://b.example"]
    monkeypatch.delenv("CORS_ALLOW_ORIGINS")
    assert cors_allow_origins() == ["http://localhost:5173"]


def test_large_responses_are_gzipped(client: TestClient) -> None:
    for n in range(20):
        client.post("/api/items", json={"name": f"item-{n}", "description": "x" * 100})
    response = client.get("/api/items", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert len(response.json()) == 20  # httpx decodes transparently


def _http_api_v2_event(method: str, path: str, query: str = "") -> dict:
    """A realistic API Gateway HTTP API (payload format 2.0) event."""
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": query,
        "cookies": [],
        "headers": {
            "accept": "application/json",
            "content-length": "0",
            "host": "abc123.execute-api.eu-west-1.amazonaws.com",
            "user-agent": "pytest",
            "via": "2.0 0123456789abcdef.cloudfront.net (CloudFront)",
            "x-amz-cf-id": "cf-id",
            "x-amzn-trace-id": "Root=1-65f0c0de-0123456789abcdef01234567",
            "x-forwarded-for": "203.0.113.10, 198.51.100.1",
            "x-forwarded-port": "443",
            "x-forwarded-proto": "https",
        },
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abc123",
            "domainName": "abc123.execute-api.eu-west-1.amazonaws.com",
            "domainPrefix": "abc123",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.10",
                "userAgent": "pytest",
            },
            "requestId": "KxQ1sgBWjoEEJ2w=",
            "routeKey": "$default",
            "stage": "$default",
            "time": "12/Mar/2024:10:00:00 +0000",
            "timeEpoch": 1710237600000,
        },
        "isBase64Encoded": False,
    }


def _lambda_context() -> SimpleNamespace:
    return SimpleNamespace(
        function_name="backend",
        function_version="$LATEST",
        invoked_function_arn="arn:aws:lambda:eu-west-1:123456789012:function:backend",
        memory_limit_in_mb=512,
        aws_request_id="6f1c2d3e-0000-4000-8000-000000000000",
        get_remaining_time_in_millis=lambda: 30_000,
    )


def _decoded_body(response: dict) -> bytes:
    body = response["body"]
    raw = base64.b64decode(body) if response.get("isBase64Encoded") else body.encode()
    headers = {k.lower(): v for k, v in response.get("headers", {}).items()}
    return gzip.decompress(raw) if headers.get("content-encoding") == "gzip" else raw


def test_lambda_handler_http_api_v2_health() -> None:
    response = handler(_http_api_v2_event("GET", "/api/health"), _lambda_context())
    assert response["statusCode"] == 200
    assert response["headers"]["content-type"].startswith("application/json")
    assert json.loads(_decoded_body(response))["status"] == "ok"


def test_lambda_handler_http_api_v2_unknown_item() -> None:
    response = handler(_http_api_v2_event("GET", "/api/items/missing"), _lambda_context())
    assert response["statusCode"] == 404
    assert json.loads(_decoded_body(response)) == {"detail": "Item missing not found"}


def test_api_prefix_follows_the_api_prefix_env_var(monkeypatch: pytest.MonkeyPatch) -> None:
    """API_PREFIX moves every route, for a construct with api.prefix other than /api."""
    import importlib.util
    import sys

    monkeypatch.setenv("API_PREFIX", "/backend")
    spec = importlib.util.spec_from_file_location("moved_main", main.__file__)
    assert spec is not None and spec.loader is not None
    moved = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "moved_main", moved)
    spec.loader.exec_module(moved)  # a separate module object: the app under test is untouched

    client = TestClient(moved.app)
    assert client.get("/backend/health").json()["status"] == "ok"
    assert client.get("/api/health").status_code == 404
