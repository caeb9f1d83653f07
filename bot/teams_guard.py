"""Before the Teams SDK sees a request: bodies over 1 MB get 413, bodies that are not JSON 400.

The SDK reads any body whole and answers 500 to one it cannot parse; a chat platform's
retries deserve a clear 4xx instead, and a flood of large bodies should cost us nothing.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.slack_http import MAX_BODY_BYTES

MESSAGES_PATH = "/api/messages"


class TeamsGuard:
    """Pure ASGI middleware for POST /api/messages: buffer, check, then replay the body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != MESSAGES_PATH or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        body = await _read(receive)
        if body is None:
            await _plain(send, 413, f"request body over {MAX_BODY_BYTES} bytes refused")
            return
        try:
            parsed = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError):
            parsed = None
        if not isinstance(parsed, dict):
            await _plain(send, 400, "the body is not a Bot Framework activity (JSON object)")
            return
        await self.app(scope, _replay(body), send)


async def _read(receive: Receive) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


async def _plain(send: Send, status: int, text: str) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"text/plain; charset=utf-8")],
        }
    )
    await send({"type": "http.response.body", "body": text.encode()})
