"""A loopback fake of the Slack Web API: a real HTTP server on 127.0.0.1 that records every call.

`POST|GET /api/<method>` answers like Slack (JSON or form bodies, Bearer tokens);
`POST /response/<id>` takes response_url posts; `POST /upload/<file_id>` takes the bytes
of a `files_upload_v2` (`shared_files()` pairs them with their completeUploadExternal).
`fail()` scripts the next answers of a method (HTTP 429 with Retry-After, or
`{"ok": false, "error": …}`); `refuse()` makes one channel fail for good; `slow()` delays
a method's answers. `oauth.v2.access` with grant_type=refresh_token rotates tokens (a
refresh token works once, as Slack's token rotation guide says).
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

Json = dict[str, Any]
BOT_USER_ID = "UBOT0001"
BOT_ID = "BBOT0001"


@dataclass(frozen=True)
class Call:
    """One Web API call as the fake received it."""

    method: str
    params: Json
    token: str | None
    at: float = field(default_factory=time.monotonic)  # when the fake received it


@dataclass(frozen=True)
class SharedFile:
    """A file uploaded in Slack's two steps and completed: what came, and where it went."""

    file_id: str
    title: str
    channel_id: str | None
    initial_comment: str
    data: bytes
    filename: str


@dataclass
class Scripted:
    status: int
    body: Json
    headers: dict[str, str]
    times: int


@dataclass
class FakeSlack:
    """The fake server; `await start()`, point SLACK_API_URL at `api_url`, `await stop()`."""

    team_id: str = "T0001"
    default_tz: str = "Europe/Paris"
    calls: list[Call] = field(default_factory=list)
    responses: dict[str, list[Json]] = field(default_factory=dict)
    uploads: dict[str, bytes] = field(default_factory=dict)
    upload_names: dict[str, str] = field(default_factory=dict)  # file id: filename asked for
    users: dict[str, Json] = field(default_factory=dict)
    oauth_response: Json = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)
    delays: dict[str, float] = field(default_factory=dict)
    refresh_tokens: set[str] = field(default_factory=set)
    token_seconds: int = 43200
    _scripted: dict[str, list[Scripted]] = field(default_factory=dict)
    _counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _runner: web.AppRunner | None = None
    url: str = ""

    async def start(self) -> None:
        app = web.Application(client_max_size=10 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{id}", self._response_url)
        app.router.add_post("/upload/{file_id}", self._upload)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}/"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return self.url + "api/"

    def response_url(self, response_id: str = "r1") -> str:
        return f"{self.url}response/{response_id}"

    def add_user(
        self,
        user_id: str,
        *,
        team_id: str | None = None,
        tz: str | None = None,
        real_name: str | None = None,
    ) -> None:
        self.users[user_id] = _user(
            user_id, team_id or self.team_id, tz or self.default_tz, real_name or f"User {user_id}"
        )

    def fail(
        self,
        method: str,
        *,
        status: int = 200,
        error: str | None = None,
        headers: dict[str, str] | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next `times` calls of `method` with this failure instead."""
        reason = error or ("ratelimited" if status == 429 else "fatal_error")
        self._scripted.setdefault(method, []).append(
            Scripted(status, {"ok": False, "error": reason}, dict(headers or {}), times)
        )

    def refuse(self, channel: str, error: str = "channel_not_found") -> None:
        """Every chat.postMessage to `channel` fails with `error` (HTTP 200, as Slack answers)."""
        self.refused[channel] = error

    def slow(self, method: str, seconds: float) -> None:
        """Answer every call of `method` after `seconds`."""
        self.delays[method] = seconds

    def calls_of(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    def last(self, method: str) -> Call:
        found = self.calls_of(method)
        assert found, f"{method} was never called; calls: {[c.method for c in self.calls]}"
        return found[-1]

    def shared_files(self) -> list[SharedFile]:
        """Every file a files.completeUploadExternal finished, in order, with the bytes POSTed
        to its upload URL and where it was shared (no channel_id: the file stays private)."""
        shared = []
        for call in self.calls_of("files.completeUploadExternal"):
            for f in _decoded(call.params.get("files", [])):
                file_id = str(f.get("id"))
                shared.append(
                    SharedFile(
                        file_id,
                        str(f.get("title") or ""),
                        str(call.params.get("channel_id") or "") or None,
                        str(call.params.get("initial_comment") or ""),
                        self.uploads.get(file_id, b""),
                        self.upload_names.get(file_id, ""),
                    )
                )
        return shared

    def next_ts(self) -> str:
        return f"1700000000.{next(self._counter) * 100:06d}"

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = {**request.query, **await _body(request)}
        self.calls.append(Call(method, params, _token(request, params)))
        if method in self.delays:
            await asyncio.sleep(self.delays[method])
        scripted = self._take_scripted(method)
        if scripted is not None:
            return web.json_response(
                scripted.body, status=scripted.status, headers=scripted.headers
            )
        answer = ANSWERS.get(method)
        body = answer(self, params) if answer else {"ok": False, "error": "unknown_method"}
        return web.json_response(body)

    def _take_scripted(self, method: str) -> Scripted | None:
        queue = self._scripted.get(method) or []
        if not queue:
            return None
        scripted = queue[0]
        scripted.times -= 1
        if scripted.times <= 0:
            queue.pop(0)
        return scripted

    async def _response_url(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.responses.setdefault(request.match_info["id"], []).append(body)
        # Also in the call log, so tests see private answers in the order they were given.
        self.calls.append(Call("response_url", body, None))
        return web.json_response({"ok": True})

    async def _upload(self, request: web.Request) -> web.Response:
        self.uploads[request.match_info["file_id"]] = await request.read()
        return web.Response(text="OK - uploaded")


async def _body(request: web.Request) -> Json:
    if request.method != "POST" or not request.can_read_body:
        return {}
    if request.content_type == "application/json":
        loaded = await request.json()
        return loaded if isinstance(loaded, dict) else {}
    return {key: value for key, value in (await request.post()).items() if isinstance(value, str)}


def _token(request: web.Request, params: Json) -> str | None:
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme == "Bearer":
        return credentials
    if scheme == "Basic":
        return "basic:" + base64.b64decode(credentials).decode().partition(":")[0]
    token = params.get("token")
    return str(token) if token else None


def _user(user_id: str, team_id: str, tz: str, real_name: str) -> Json:
    return {
        "id": user_id,
        "team_id": team_id,
        "name": user_id.lower(),
        "real_name": real_name,
        "tz": tz,
        "tz_label": tz,
        "tz_offset": 0,
        "is_bot": False,
        "profile": {"real_name": real_name, "display_name": real_name},
    }


def _dm_channel(conversation: str) -> str:
    """Slack answers a message to a user id in the DM channel with them."""
    return "D" + conversation[1:] if conversation[:1] in ("U", "W") else conversation


def _decoded(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) and value[:1] in "[{" else value


def _post_message(fake: FakeSlack, p: Json) -> Json:
    if str(p.get("channel", "")) in fake.refused:
        return {"ok": False, "error": fake.refused[str(p.get("channel"))]}
    ts = fake.next_ts()
    message = {
        "type": "message",
        "text": p.get("text", ""),
        "ts": ts,
        "user": BOT_USER_ID,
        "bot_id": BOT_ID,
        "blocks": _decoded(p.get("blocks", [])),
    }
    return {
        "ok": True,
        "channel": _dm_channel(str(p.get("channel", ""))),
        "ts": ts,
        "message": message,
    }


def _view(fake: FakeSlack, p: Json) -> Json:
    view = _decoded(p.get("view", {}))
    view = view if isinstance(view, dict) else {}
    view_id = p.get("view_id") or f"V{next(fake._counter):08d}"
    return {"ok": True, "view": {**view, "id": view_id, "hash": f"h{view_id}"}}


def _users_info(fake: FakeSlack, p: Json) -> Json:
    user_id = str(p.get("user", ""))
    user = fake.users.get(user_id) or _user(user_id, fake.team_id, fake.default_tz, user_id)
    return {"ok": True, "user": user}


def _upload_url(fake: FakeSlack, p: Json) -> Json:
    file_id = f"F{next(fake._counter):08d}"
    fake.upload_names[file_id] = str(p.get("filename") or "")
    return {"ok": True, "file_id": file_id, "upload_url": f"{fake.url}upload/{file_id}"}


def _complete_upload(fake: FakeSlack, p: Json) -> Json:
    files = _decoded(p.get("files", []))
    return {
        "ok": True,
        "files": [
            {"id": f.get("id"), "title": f.get("title"), "name": f.get("title")} for f in files
        ],
    }


def _refresh(fake: FakeSlack, p: Json) -> Json:
    """A rotating token's refresh: the refresh token is spent, a new pair comes back."""
    token = str(p.get("refresh_token", ""))
    if token not in fake.refresh_tokens:
        return {"ok": False, "error": "invalid_refresh_token"}
    fake.refresh_tokens.discard(token)
    n = next(fake._counter)
    fresh = f"xoxe-1-refresh-{n}"
    fake.refresh_tokens.add(fresh)
    return {
        "ok": True,
        "app_id": "A0001",
        "token_type": "bot",
        "access_token": f"xoxe.xoxb-rotated-{n}",
        "refresh_token": fresh,
        "expires_in": fake.token_seconds,
        "scope": "commands,chat:write",
        "bot_user_id": BOT_USER_ID,
        "team": {"id": fake.team_id, "name": "Fake Team"},
    }


def _oauth_access(fake: FakeSlack, p: Json) -> Json:
    if p.get("grant_type") == "refresh_token":
        return _refresh(fake, p)
    return fake.oauth_response or {
        "ok": True,
        "app_id": "A0001",
        "authed_user": {"id": "UINSTALLER"},
        "scope": "commands,chat:write",
        "token_type": "bot",
        "access_token": "xoxb-fake-oauth-bot-token",
        "bot_user_id": BOT_USER_ID,
        "team": {"id": fake.team_id, "name": "Fake Team"},
        "enterprise": None,
        "is_enterprise_install": False,
    }


ANSWERS: dict[str, Callable[[FakeSlack, Json], Json]] = {
    "auth.test": lambda f, p: {
        "ok": True,
        "url": "https://fake.slack.test/",
        "team": "Fake Team",
        "user": "clientloop",
        "team_id": f.team_id,
        "user_id": BOT_USER_ID,
        "bot_id": BOT_ID,
    },
    "chat.postMessage": _post_message,
    "chat.update": lambda f, p: {
        "ok": True,
        "channel": p.get("channel"),
        "ts": p.get("ts"),
        "text": p.get("text", ""),
    },
    "chat.postEphemeral": lambda f, p: {"ok": True, "message_ts": f.next_ts()},
    "views.open": _view,
    "views.update": _view,
    "views.push": _view,
    "views.publish": _view,
    "users.info": _users_info,
    "conversations.open": lambda f, p: {
        "ok": True,
        "channel": {"id": _dm_channel(str(p.get("users", "")).split(",")[0])},
    },
    "files.getUploadURLExternal": _upload_url,
    "files.completeUploadExternal": _complete_upload,
    "oauth.v2.access": _oauth_access,
}
