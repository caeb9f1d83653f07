"""A loopback fake of the Bot Framework Connector: records every POST and PUT of activities.

`POST /v3/conversations/{id}/activities` and `PUT …/activities/{activity_id}` answer
`{"id": "<activity id>"}` like the connector; `fail()` scripts the next answers (a status,
headers such as Retry-After, and an error body like `{"error": {"code": …}}`).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

Json = dict[str, Any]


@dataclass(frozen=True)
class Call:
    """One activity call as the fake received it."""

    method: str
    path: str
    conversation_id: str
    activity_id: str | None
    body: Json
    authorization: str | None


@dataclass
class Scripted:
    status: int
    headers: dict[str, str]
    body: Json


@dataclass
class FakeConnector:
    """The fake server; `await start()`, use `service_url` in activities, `await stop()`."""

    calls: list[Call] = field(default_factory=list)
    _scripted: list[Scripted] = field(default_factory=list)
    _counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _runner: web.AppRunner | None = None
    service_url: str = ""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/v3/conversations/{conversation}/activities", self._activity)
        app.router.add_put("/v3/conversations/{conversation}/activities/{activity}", self._activity)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.service_url = f"http://{host}:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def fail(
        self, status: int, *, headers: dict[str, str] | None = None, code: str = "", times: int = 1
    ) -> None:
        """The next `times` calls answer `status` (with an error code in the body, if given)."""
        body: Json = {"error": {"code": code, "message": code}} if code else {}
        for _ in range(times):
            self._scripted.append(Scripted(status, dict(headers or {}), body))

    def posts(self, conversation_id: str | None = None) -> list[Call]:
        return [
            c
            for c in self.calls
            if c.method == "POST" and conversation_id in (None, c.conversation_id)
        ]

    def puts(self, conversation_id: str | None = None) -> list[Call]:
        return [
            c
            for c in self.calls
            if c.method == "PUT" and conversation_id in (None, c.conversation_id)
        ]

    async def _activity(self, request: web.Request) -> web.Response:
        activity_id = request.match_info.get("activity")
        self.calls.append(
            Call(
                method=request.method,
                path=request.path,
                conversation_id=request.match_info["conversation"],
                activity_id=activity_id,
                body=await request.json(),
                authorization=request.headers.get("Authorization"),
            )
        )
        if self._scripted:
            scripted = self._scripted.pop(0)
            return web.json_response(
                scripted.body, status=scripted.status, headers=scripted.headers
            )
        return web.json_response({"id": activity_id or f"act-{next(self._counter)}"})
