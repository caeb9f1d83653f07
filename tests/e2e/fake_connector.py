"""A loopback fake of the Bot Framework Connector: records every POST and PUT of activities.

`POST /v3/conversations/{id}/activities` and `PUT …/activities/{activity_id}` answer
`{"id": "<activity id>"}` like the connector; `fail()` scripts the next answers (a status,
headers such as Retry-After, and an error body like `{"error": {"code": …}}`).
`GET /v3/conversations/{id}/members/{user id}` answers a member `add_member()` told it of
(looked up by AAD object id or MRI), else 404 `MemberNotFoundInConversation`.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.card_schema import cards_in_activity, check

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
    bad_cards: list[str] = field(default_factory=list)  # schema or size, see tests/card_schema
    _scripted: list[Scripted] = field(default_factory=list)
    members: dict[str, Json] = field(default_factory=dict)  # by AAD object id
    member_lookups: list[tuple[str, str]] = field(default_factory=list)  # (conversation, user)
    _counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _runner: web.AppRunner | None = None
    service_url: str = ""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/v3/conversations/{conversation}/activities", self._activity)
        app.router.add_put("/v3/conversations/{conversation}/activities/{activity}", self._activity)
        app.router.add_get("/v3/conversations/{conversation}/members/{user}", self._member)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.service_url = f"http://{host}:{port}"

    async def stop(self) -> None:
        """Stop; a card the bot sent that Teams would not take fails the test here."""
        if self._runner is not None:
            await self._runner.cleanup()
        assert not self.bad_cards, "\n".join(self.bad_cards)

    def fail(
        self, status: int, *, headers: dict[str, str] | None = None, code: str = "", times: int = 1
    ) -> None:
        """The next `times` calls answer `status` (with an error code in the body, if given)."""
        body: Json = {"error": {"code": code, "message": code}} if code else {}
        for _ in range(times):
            self._scripted.append(Scripted(status, dict(headers or {}), body))

    def add_member(self, aad_object_id: str, name: str, mri: str = "") -> str:
        """A person the members endpoint knows (in any conversation); returns their MRI."""
        mri = mri or f"29:1{aad_object_id}-mri"
        self.members[aad_object_id] = {"id": mri, "name": name, "aadObjectId": aad_object_id,
                                       "userRole": "user", "tenantId": ""}  # fmt: skip
        return mri

    async def _member(self, request: web.Request) -> web.Response:
        user = request.match_info["user"]
        self.member_lookups.append((request.match_info["conversation"], user))
        found = self.members.get(user) or next(
            (m for m in self.members.values() if m["id"] == user), None
        )
        if found is None:
            error = {"code": "MemberNotFoundInConversation", "message": "not a member"}
            return web.json_response({"error": error}, status=404)
        return web.json_response(found)

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
        body = await request.json()
        self.bad_cards += check(cards_in_activity(body), f"{request.method} {request.path}")
        self.calls.append(
            Call(
                method=request.method,
                path=request.path,
                conversation_id=request.match_info["conversation"],
                activity_id=activity_id,
                body=body,
                authorization=request.headers.get("Authorization"),
            )
        )
        if self._scripted:
            scripted = self._scripted.pop(0)
            return web.json_response(
                scripted.body, status=scripted.status, headers=scripted.headers
            )
        return web.json_response({"id": activity_id or f"act-{next(self._counter)}"})
