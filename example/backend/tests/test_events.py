"""``GET /api/events``: Server-Sent Events, checked for their wire format and for arriving as they are produced."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from fastapi.testclient import TestClient

from app.main import app


def parse_events(body: str) -> list[dict]:
    """The ``data:`` payloads of an SSE body, decoded as JSON (comments such as ``: ping`` skipped)."""
    return [json.loads(line[len("data: "):]) for line in body.splitlines() if line.startswith("data: ")]


def test_events_are_server_sent_events_in_order() -> None:
    response = TestClient(app).get("/api/events", params={"count": 3, "interval": 0})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = parse_events(response.text)
    assert [(e["n"], e["of"]) for e in events] == [(1, 3), (2, 3), (3, 3)]
    times = [e["time"] for e in events]
    assert times == sorted(times)
    # each event is terminated by a blank line, as EventSource expects
    assert response.text.count("\n\n") == 3


@pytest.mark.parametrize("params", [{"count": 0}, {"count": 101}, {"interval": -1}, {"interval": 31}])
def test_events_refuses_out_of_range_parameters(params: dict) -> None:
    assert TestClient(app).get("/api/events", params=params).status_code == 422


@pytest.fixture
def server_port() -> Iterator[int]:
    """The app under a real uvicorn on a free loopback port (uvicorn, as in streaming mode)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield port
    server.should_exit = True
    thread.join(timeout=10)


def test_under_uvicorn_the_first_event_arrives_before_the_last_is_produced(server_port: int) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server_port, timeout=10)
    start = time.monotonic()
    conn.request("GET", "/api/events?count=4&interval=0.5", headers={"Accept": "text/event-stream"})
    response = conn.getresponse()
    assert response.status == 200
    arrivals: list[tuple[float, dict]] = []
    while len(arrivals) < 4:
        line = response.readline()
        assert line, "the stream ended early"
        if line.startswith(b"data: "):
            arrivals.append((time.monotonic() - start, json.loads(line[len(b"data: "):])))
    conn.close()
    assert [e["n"] for _, e in arrivals] == [1, 2, 3, 4]
    first, last = arrivals[0][0], arrivals[-1][0]
    # the last event is produced 1.5 s after the first; a buffered response would deliver all four together
    assert last >= 1.4
    assert first < last - 1.0, f"first event after {first:.2f} s, last after {last:.2f} s: the response was buffered"
