"""Before the Teams SDK sees a request: bodies over 1 MB get 413; bodies that are not a JSON
object, nest over 64 deep, or whose id, type or serviceUrl is not text get 400; one log line.

The SDK reads any body whole and answers 500 to one it cannot parse; a chat platform's
retries deserve a clear 4xx instead, and a flood of large bodies should cost us nothing.
These 400s come before authentication: the SDK reads the three envelope fields as text
between checking the token and anything we can hook, and answers 500 when it cannot. An
object that is no valid activity is refused after authentication
(handlers.teams.app.refuse_malformed), so without a good token that is a 401.

One body is rewritten rather than refused: the `adaptiveCard/action` invoke Teams sends
when it shows a card with `refresh` carries `value.trigger: "automatic"`, which the SDK's
model does not take (only "manual"); the trigger is dropped, as the verb says what to do.
"""

from __future__ import annotations

import json
import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.slack_http import MAX_BODY_BYTES
from handlers.json_depth import nests_deeper_than

MESSAGES_PATH = "/api/messages"
# The SDK parses these into text before it authenticates; anything else makes it answer 500.
ENVELOPE = ("id", "type", "serviceUrl")
NOT_AN_ACTIVITY = "the body is not a Bot Framework activity (JSON object)"
# Activities nest about ten deep (a card in an attachment a few more); pydantic and our own
# readers recurse, so a deeper body is refused before anything walks it.
MAX_DEPTH = 64

log = logging.getLogger("clientloop.teams")


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
            log.warning("Teams: refused a request to %s with 413: too large", MESSAGES_PATH)
            await _plain(send, 413, f"request body over {MAX_BODY_BYTES} bytes refused")
            return
        problem = _problem(body)
        if problem:
            log.warning("Teams: refused a request to %s with 400: %s", MESSAGES_PATH, problem)
            await _plain(send, 400, NOT_AN_ACTIVITY)
            return
        await self.app(scope, _replay(normalised(body)), send)


def _problem(body: bytes) -> str:
    """What makes `body` unreadable as an activity envelope, or "" when nothing does."""
    try:
        parsed = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return "not JSON"
    except RecursionError:  # json's C parser gives up on nesting a thousand deep
        return "JSON nested too deep"
    if not isinstance(parsed, dict):
        return f"JSON {type(parsed).__name__}, not an object"
    if nests_deeper_than(parsed, MAX_DEPTH):
        return f"JSON nested over {MAX_DEPTH} deep"
    wrong = [name for name in ENVELOPE if not isinstance(parsed.get(name), str | None)]
    return f"{', '.join(wrong)} not text" if wrong else ""


def normalised(body: bytes) -> bytes:
    """The body as the SDK can read it: an invoke's `value.trigger` other than "manual"
    (Teams' automatic refresh) left out. Any other body is passed on byte for byte."""
    if b'"trigger"' not in body:
        return body
    activity = json.loads(body)  # _problem read it already: a JSON object
    value = activity.get("value")
    if activity.get("type") != "invoke" or not isinstance(value, dict):
        return body
    if value.get("trigger") in (None, "manual"):
        return body
    value = {k: v for k, v in value.items() if k != "trigger"}
    return json.dumps({**activity, "value": value}).encode()


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
