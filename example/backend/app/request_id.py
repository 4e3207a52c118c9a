"""Put the API Gateway request id on every log record written while a request is handled.

With the function's JSON log format, the Lambda Python runtime writes each log record as one JSON object
with Lambda's own ``requestId`` and every extra attribute of the record. This module adds ``apiRequestId``:
``requestContext.requestId`` of the API Gateway event, which is the ``requestId`` field of the HTTP API
access log and the ``apigw-requestid`` response header. One line in the app turns it on::

    app.add_middleware(ApiRequestIdMiddleware)

Then search the function's log group for a request found in the access log (CloudWatch Logs Insights)::

    fields @timestamp, level, message | filter apiRequestId = "KxQ1sgBWjoEEJ2w="

The id lives in a context variable, so it follows the request into ``async`` routes and into the thread
pool that runs plain ``def`` routes, and never leaks into another request.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, MutableMapping
from contextvars import ContextVar
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

LOG_FIELD = "apiRequestId"

_api_request_id: ContextVar[str | None] = ContextVar("api_request_id", default=None)


def current_api_request_id() -> str | None:
    """The API Gateway request id of the request being handled, if any."""
    return _api_request_id.get()


def api_request_id_from_event(event: Any) -> str | None:
    """``requestContext.requestId`` of an API Gateway (REST or HTTP API) event."""
    if not isinstance(event, dict):
        return None
    context = event.get("requestContext")
    if not isinstance(context, dict):
        return None
    request_id = context.get("requestId")
    return request_id if isinstance(request_id, str) and request_id else None


def install_log_record_factory() -> None:
    """Make every new log record carry ``apiRequestId`` while a request is handled. Idempotent."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "_adds_api_request_id", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        request_id = _api_request_id.get()
        if request_id is not None:
            setattr(record, LOG_FIELD, request_id)
        return record

    factory._adds_api_request_id = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


class ApiRequestIdMiddleware:
    """ASGI middleware: reads the request id from the Lambda event Mangum puts in ``scope["aws.event"]``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        install_log_record_factory()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        token = _api_request_id.set(api_request_id_from_event(scope.get("aws.event")))
        try:
            await self.app(scope, receive, send)
        finally:
            _api_request_id.reset(token)
