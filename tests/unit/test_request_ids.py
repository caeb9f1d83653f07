"""The request id middleware: a well-formed incoming id is kept, any other is replaced, and
the response and every log record of the request carry it."""

from __future__ import annotations

import logging
import re

import httpx
import pytest
from starlette.types import Receive, Scope, Send

from bot.request_ids import HEADER, RequestIdFilter, RequestIds, current


class Seen:
    """A tiny ASGI app that notes the request id it runs under and logs one line."""

    def __init__(self) -> None:
        self.ids: list[str | None] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.ids.append(current.get())
        logging.getLogger("tests.request_ids").warning("handling")
        headers = [(b"content-type", b"text/plain"), (b"x-request-id", b"the-app-s-own-id")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"ok"})


async def _get(app: Seen, headers: dict[str, str | bytes] | None = None) -> httpx.Response:
    transport = httpx.ASGITransport(app=RequestIds(app))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.get("/", headers=headers)


async def test_a_well_formed_incoming_id_is_used_and_echoed() -> None:
    app = Seen()
    response = await _get(app, {HEADER: "proxy-1234.abcd:EF_9"})
    assert app.ids == ["proxy-1234.abcd:EF_9"]
    assert response.headers.get_list(HEADER) == ["proxy-1234.abcd:EF_9"]


async def test_without_an_incoming_id_one_is_generated_and_echoed() -> None:
    app = Seen()
    first, second = await _get(app), await _get(app)
    assert app.ids == [first.headers[HEADER], second.headers[HEADER]]
    assert re.fullmatch(r"[0-9a-f]{32}", first.headers[HEADER])
    assert first.headers[HEADER] != second.headers[HEADER]


@pytest.mark.parametrize(
    "malformed",
    [
        "short",
        "x" * 129,
        "has space",
        'quote"d-id-123',
        "new\\nline-1234",
        "ünïcode-12345".encode(),
        "",
    ],
)
async def test_a_malformed_incoming_id_is_replaced(malformed: str | bytes) -> None:
    app = Seen()
    response = await _get(app, {HEADER: malformed})
    assert app.ids == [response.headers[HEADER]]
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers[HEADER])


async def test_the_id_is_on_every_record_of_the_request_and_none_after_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.handler.addFilter(RequestIdFilter())
    response = await _get(Seen(), {HEADER: "given-request-id"})
    logging.getLogger("tests.request_ids").warning("after the request")
    ids = {r.getMessage(): getattr(r, "request_id", "missing") for r in caplog.records}
    assert ids == {"handling": "given-request-id", "after the request": None}
    assert response.headers[HEADER] == "given-request-id"
    assert current.get() is None


async def test_the_lifespan_passes_through_untouched() -> None:
    scopes: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        scopes.append(scope["type"])
        assert current.get() is None

    async def receive() -> dict[str, str]:
        return {"type": "lifespan.startup"}

    async def send(message: object) -> None:
        return None

    await RequestIds(app)({"type": "lifespan"}, receive, send)
    assert scopes == ["lifespan"]
