"""FastAPI app for the example stack, exposed to Lambda through Mangum.

CloudFront forwards ``/api/*`` to the API unchanged, so every route lives
under the ``/api`` prefix (``API_PREFIX`` overrides it, to match the construct's
``api.prefix``). The example stack turns on ``api.streaming``: the same ``app``
then runs under uvicorn behind the Lambda Web Adapter (``handler`` names it;
its ``.app`` is served), and ``GET /api/events`` streams Server-Sent Events.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import uuid
from collections.abc import AsyncIterable
from datetime import datetime, timezone

from fastapi import APIRouter, FastAPI, HTTPException, Query, Request, Response, status
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.sse import EventSourceResponse
from mangum import Mangum
from pydantic import BaseModel, Field

from app.request_id import ApiRequestIdMiddleware

VERSION = "0.1.0"
DEFAULT_CORS_ALLOW_ORIGINS = "http://localhost:5173"

logger = logging.getLogger(__name__)


def cors_allow_origins() -> list[str]:
    """Origins allowed by CORS, from the comma-separated ``CORS_ALLOW_ORIGINS``."""
    raw = os.environ.get("CORS_ALLOW_ORIGINS", DEFAULT_CORS_ALLOW_ORIGINS)
    return [origin.strip() for origin in raw.split(",") if origin.strip()]


class ItemIn(BaseModel):
    """Body of ``POST /api/items``."""

    name: str = Field(min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=1000)


class Item(ItemIn):
    """A stored item."""

    id: str


class Health(BaseModel):
    """Body of ``GET /api/health``."""

    status: str
    version: str
    time: datetime


class Tick(BaseModel):
    """One event of ``GET /api/events``: its number, how many there are, and when it was produced."""

    n: int
    of: int
    time: datetime


_items: dict[str, Item] = {}
_items_lock = threading.Lock()

API_PREFIX = os.environ.get("API_PREFIX", "/api")

router = APIRouter(prefix=API_PREFIX)


@router.get("/health")
def health() -> Health:
    """Liveness probe."""
    return Health(status="ok", version=VERSION, time=datetime.now(timezone.utc))


@router.get("/events", response_class=EventSourceResponse)
async def events(
    count: int = Query(default=5, ge=1, le=100),
    interval: float = Query(default=0.5, ge=0, le=30),
) -> AsyncIterable[Tick]:
    """Server-Sent Events: ``count`` ticks, ``interval`` seconds apart, each sent as soon as it is produced.

    In streaming mode (``api.streaming``) each event reaches the browser when it is yielded; through
    Mangum the whole stream arrives at once at the end. During a silence FastAPI sends a ``: ping``
    comment every 15 seconds, which keeps CloudFront's origin read timeout (60 s) from ending the stream.
    """
    for n in range(1, count + 1):
        if n > 1:
            await asyncio.sleep(interval)
        yield Tick(n=n, of=count, time=datetime.now(timezone.utc))


@router.get("/items")
def list_items() -> list[Item]:
    """List all items."""
    with _items_lock:
        return list(_items.values())


@router.post("/items", status_code=status.HTTP_201_CREATED)
def create_item(body: ItemIn, request: Request, response: Response) -> Item:
    """Create an item with a generated id; ``Location`` is its absolute URL (on the site's public host)."""
    item = Item(id=uuid.uuid4().hex, **body.model_dump())
    with _items_lock:
        _items[item.id] = item
    logger.info("created item", extra={"itemId": item.id})
    response.headers["Location"] = str(request.url_for("get_item", item_id=item.id))
    return item


@router.get("/items/{item_id}")
def get_item(item_id: str) -> Item:
    """Fetch one item, 404 if unknown."""
    with _items_lock:
        item = _items.get(item_id)
    if item is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"Item {item_id} not found")
    return item


@router.delete("/items/{item_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_item(item_id: str) -> Response:
    """Delete one item, 404 if unknown."""
    with _items_lock:
        removed = _items.pop(item_id, None)
    if removed is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"Item {item_id} not found")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


app = FastAPI(
    title="Example backend",
    version=VERSION,
    docs_url=f"{API_PREFIX}/docs",
    redoc_url=None,
    openapi_url=f"{API_PREFIX}/openapi.json",
)
app.add_middleware(GZipMiddleware, minimum_size=1000)
app.add_middleware(
    CORSMiddleware,
    allow_origins=cors_allow_origins(),
    allow_methods=["GET", "POST", "DELETE", "OPTIONS"],
    allow_headers=["*"],
)
# every log line of a request carries its API Gateway request id (apiRequestId), as in the access log
app.add_middleware(ApiRequestIdMiddleware)
app.include_router(router)

handler = Mangum(app, lifespan="off")
