"""A request id for every log line of an HTTP request: set by a pure ASGI middleware.

The id is the caller's `X-Request-ID` when it is well formed (a proxy's or a load
balancer's, so its log and ours meet), otherwise a new one; the response echoes it. It
lives in a contextvar, so tasks started while handling the request (Bolt runs a listener
after its ack in one) keep it, and `RequestIdFilter` puts it on every log record.
"""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "X-Request-ID"
_HEADER_KEY = HEADER.lower().encode("latin-1")
# Letters, digits and . _ : - only: the id goes into log lines and a response header as it
# is, so nothing that could break a line, a JSON string or a header gets in.
WELL_FORMED = re.compile(r"[A-Za-z0-9._:-]{8,128}")

current: ContextVar[str | None] = ContextVar("clientloop_request_id", default=None)


def new_id() -> str:
    return uuid.uuid4().hex


def well_formed(candidate: str) -> bool:
    return WELL_FORMED.fullmatch(candidate) is not None


def incoming(scope: Scope) -> str | None:
    """The caller's well-formed X-Request-ID, or None."""
    for key, value in scope.get("headers", ()):
        if key.lower() == _HEADER_KEY:
            candidate = value.decode("latin-1")
            return candidate if well_formed(candidate) else None
    return None


class RequestIds:
    """Sets the request id for the life of each HTTP request and echoes it in the response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # the lifespan is no request
            await self.app(scope, receive, send)
            return
        request_id = incoming(scope) or new_id()
        header = (_HEADER_KEY, request_id.encode("latin-1"))

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [h for h in message.get("headers", ()) if h[0].lower() != _HEADER_KEY]
                message = {**message, "headers": [*kept, header]}
            await send(message)

        token = current.set(request_id)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            current.reset(token)


class RequestIdFilter(logging.Filter):
    """A handler filter: the record's `request_id` is the current request's, None outside one."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:  # one given in `extra=` is kept
            record.request_id = current.get()
        return True
