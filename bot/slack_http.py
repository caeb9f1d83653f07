"""Slack over HTTP: POST /slack/events and the OAuth install pages, handed to Bolt after checks.

Before Bolt sees a request: a body over 1 MB is refused with 413 (by Content-Length and
by counting what actually arrives, never parsing it); a bad signature or a stale
timestamp gets 401; a signed body that is not shaped like a Slack request (envelope.py) gets
400 and one log line, never a 500 or a traceback.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request, Response
from slack_bolt.adapter.starlette.async_handler import (
    AsyncSlackRequestHandler,
    to_async_bolt_request,
    to_starlette_response,
)
from slack_bolt.async_app import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

from bot.slack_wiring import SlackSide
from handlers.slack.app import INSTALL_PATH, REDIRECT_PATH
from handlers.slack.envelope import envelope_problem

log = logging.getLogger("clientloop.slack")

EVENTS_PATH = "/slack/events"
MAX_BODY_BYTES = 1024 * 1024


class TooLarge(Exception):
    """The request body is over MAX_BODY_BYTES."""


def add_slack_routes(app: FastAPI, *, oauth: bool) -> None:
    """Mount Slack's routes; the Bolt app itself is found in `app.state.slack` per request."""
    app.add_api_route(EVENTS_PATH, slack_events, methods=["POST"], include_in_schema=False)
    if oauth:
        for path in (INSTALL_PATH, REDIRECT_PATH):
            app.add_api_route(path, slack_oauth, methods=["GET"], include_in_schema=False)


async def slack_events(request: Request) -> Response:
    slack: SlackSide = request.app.state.slack
    try:
        body = await read_body(request)
    except TooLarge:
        return _plain(413, f"request body over {MAX_BODY_BYTES} bytes refused")
    except ValueError as exc:
        return _plain(400, str(exc))
    if not _is_utf8(body):
        # Slack only sends UTF-8; the signature check itself would fail to decode it.
        return _plain(400, "malformed Slack request: the body is not UTF-8")
    if not _signed(request, body, slack.signing_secret):
        return _plain(401, "invalid request signature or timestamp")
    parsed = _bolt_request(request, body)
    if isinstance(parsed, str):
        log.warning("malformed signed Slack request refused: %s", parsed)
        return _plain(400, f"malformed Slack request: {parsed}")
    try:
        return to_starlette_response(await slack.app.async_dispatch(parsed))
    except (KeyError, TypeError, AttributeError, IndexError) as exc:
        # Listener errors go to Bolt's error handler; these come from Bolt's own routing,
        # which indexes into the payload: a shape envelope_problem does not know yet.
        log.warning("signed Slack request Bolt could not route refused: %r", exc)
        return _plain(400, "malformed Slack request: the body is not a Slack payload")


async def slack_oauth(request: Request) -> Response:
    slack: SlackSide = request.app.state.slack
    return await AsyncSlackRequestHandler(slack.app).handle(request)


async def read_body(request: Request) -> bytes:
    """The body, or TooLarge as soon as the declared or the received length passes the limit."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise ValueError("invalid Content-Length")
        if int(declared) > MAX_BODY_BYTES:
            raise TooLarge
    chunks: list[bytes] = []
    received = 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > MAX_BODY_BYTES:
            raise TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _signed(request: Request, body: bytes, signing_secret: str) -> bool:
    """Slack's v0 signature, over a timestamp at most five minutes old."""
    timestamp = request.headers.get("x-slack-request-timestamp", "")
    if not (signing_secret and timestamp.isdigit()):
        return False
    return SignatureVerifier(signing_secret).is_valid(
        body=body, timestamp=timestamp, signature=request.headers.get("x-slack-signature", "")
    )


def _bolt_request(request: Request, body: bytes) -> AsyncBoltRequest | str:
    """Bolt's request, or what is wrong with the body (Bolt would raise, then answer 500)."""
    try:
        parsed = to_async_bolt_request(request, body)
    except RecursionError:
        # json.loads gives up on arrays or objects nested about a thousand deep.
        return "the body nests too deep"
    except (ValueError, TypeError, AttributeError, KeyError, IndexError):
        # json.JSONDecodeError is a ValueError; the others come from Bolt reading ids out
        # of a JSON value that is not shaped like any Slack payload.
        return "the body is not a Slack payload"
    return envelope_problem(parsed.body) or parsed


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _plain(status: int, text: str) -> Response:
    return Response(text, status_code=status, media_type="text/plain")
