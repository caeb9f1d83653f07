"""The sandbox served by an app: its Web API, the page at /sandbox, and the page's endpoints."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, Protocol
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse

from sandbox import acts
from sandbox.client import SandboxClient
from sandbox.events import app_home_opened
from sandbox.page import PAGE
from sandbox.web_api import router
from sandbox.workspace import PROJECT_CHANNEL, Json, Workspace, seeded

PREFIX = "/sandbox"


class Clock(Protocol):
    """The app's clock as the sandbox moves it (forward only)."""

    def now(self) -> datetime: ...
    def advance(self, delta: timedelta) -> datetime: ...
    def jump_to(self, at: datetime) -> datetime: ...


def sandbox_base(bot_events_url: str) -> str:
    """The sandbox's own URL as the app reaches it: the events URL's origin and the prefix."""
    parts = urlsplit(bot_events_url)
    return f"{parts.scheme}://{parts.netloc}{PREFIX}/"


def next_monday_nine(now: datetime, tz: str) -> datetime:
    """The next Monday 09:00 in `tz` strictly after `now`."""
    local = now.astimezone(ZoneInfo(tz))
    days = (7 - local.weekday()) % 7 or 7
    at = (local + timedelta(days=days)).replace(hour=9, minute=0, second=0, microsecond=0)
    if local.weekday() == 0 and local.hour < 9:
        at = local.replace(hour=9, minute=0, second=0, microsecond=0)
    return at


def _bad(error: str) -> JSONResponse:
    return JSONResponse({"ok": False, "error": error}, status_code=400)


def mount_sandbox(
    app: FastAPI,
    *,
    signing_secret: str,
    bot_events_url: str,
    clock: Clock,
    tick_now: Callable[[], Awaitable[object]],
    http: httpx.AsyncClient | None = None,
    workspace: Workspace | None = None,
) -> None:
    """Serve one seeded workspace from `app`: Slack's Web API at /sandbox/api/, the page at
    /sandbox; a person's acts go to `bot_events_url` signed with `signing_secret`."""
    ws = workspace or seeded()
    base = sandbox_base(bot_events_url)
    app.include_router(router(ws, PREFIX))
    app.state.sandbox_workspace = ws
    held: dict[str, SandboxClient] = {}

    def client() -> SandboxClient:
        if "client" not in held:  # made on first use, inside the app's event loop
            session = http or httpx.AsyncClient(timeout=httpx.Timeout(30.0))
            held["client"] = SandboxClient(session, bot_events_url, signing_secret, ws)
        return held["client"]

    @app.get(PREFIX, response_class=HTMLResponse, include_in_schema=False)
    async def page() -> HTMLResponse:
        return HTMLResponse(PAGE)

    @app.get(PREFIX + "/state", include_in_schema=False)
    async def state(request: Request) -> JSONResponse:
        params = request.query_params
        try:
            user_id = acts.person(ws, params.get("as") or "U0PM")
        except acts.ActError as exc:
            return _bad(str(exc))
        conversation = params.get("conversation") or PROJECT_CHANNEL
        return JSONResponse(acts.state(ws, user_id, conversation, clock.now().isoformat()))

    @app.post(PREFIX + "/act", include_in_schema=False)
    async def act(request: Request) -> JSONResponse:
        body: Any = await request.json()
        if not isinstance(body, dict):
            return _bad("a JSON object is expected")
        try:
            return JSONResponse(await _act(body))
        except acts.ActError as exc:
            return _bad(str(exc))

    async def _act(body: Json) -> Json:
        user_id, kind = acts.person(ws, body.get("as")), body.get("kind")
        if kind == "close":
            acts.close(ws, user_id)
            return {"ok": True}
        if kind == "command":
            request = acts.command(ws, base, user_id, body)
        elif kind == "press":
            request = acts.press(ws, base, user_id, body)
        elif kind == "submit":
            request = acts.submit(ws, user_id, body)
        elif kind == "home":
            request = app_home_opened(ws, user_id)
        else:
            raise acts.ActError(f"unknown act: {kind!r}")
        try:
            ack = await client().send(request)
        except httpx.HTTPError as exc:
            raise acts.ActError(f"the app did not answer: {exc!r}") from exc
        ok = 200 <= ack.status < 300 and not ack.errors
        return {"ok": ok, "status": ack.status, "errors": ack.errors, "body": ack.body}

    @app.post(PREFIX + "/clock", include_in_schema=False)
    async def move_clock(request: Request) -> JSONResponse:
        body: Any = await request.json()
        if not isinstance(body, dict):
            return _bad("a JSON object is expected")
        try:
            _move(body)
        except (ValueError, TypeError, KeyError) as exc:
            return _bad(str(exc))
        await tick_now()
        return JSONResponse({"ok": True, "clock": clock.now().isoformat()})

    def _move(body: Json) -> None:
        if body.get("hours") or body.get("days"):
            hours = float(body.get("hours") or 0) + 24 * float(body.get("days") or 0)
            clock.advance(timedelta(hours=hours))
        elif body.get("to") == "next-monday-09":
            tz = ws.people[acts.person(ws, body.get("as") or "U0PM")].tz
            clock.jump_to(next_monday_nine(clock.now(), tz))
        elif isinstance(body.get("to"), str):
            at = datetime.fromisoformat(body["to"])
            if at.tzinfo is None:
                tz = ws.people[acts.person(ws, body.get("as") or "U0PM")].tz
                at = at.replace(tzinfo=ZoneInfo(tz))
            clock.jump_to(at)
        else:
            raise ValueError("give hours, days or to")
