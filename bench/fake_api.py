"""A loopback fake of the Slack Web API for the bench: answers like Slack and records, with
the time it arrived, everything a person would see (response_url posts, ephemerals, DMs).

With `limits` set it also enforces chat.postMessage's rate limits as Slack does: about one
message per second per channel (short bursts allowed) and a workspace-wide rate, answering
429 with a Retry-After header (whole seconds) when a call exceeds either; a refused call
costs no token. Without `limits` (every other stage) it answers everything at once.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

Json = dict[str, Any]
BOT_USER_ID = "UBOT0001"
SORRY_MARK = "Something went wrong"


@dataclass(frozen=True)
class Reply:
    """One thing said to a person: where (response id, or method:channel), its text, when."""

    key: str
    text: str
    at: float

    @property
    def sorry(self) -> bool:
        return SORRY_MARK in self.text


@dataclass(frozen=True)
class Limits:
    """chat.postMessage limits: per channel and per workspace, as rates and bursts, and the
    time Slack takes to answer a post (the sender must keep several in flight to keep up)."""

    per_channel: float = 1.0  # messages per second
    channel_burst: float = 3.0
    per_workspace_per_minute: float = 300.0
    workspace_burst: float = 20.0
    latency: float = 0.1  # seconds

    def floor(self, per_channel_counts: list[int]) -> float:
        """The least time, from the first message to the last, these limits allow for
        `per_channel_counts` messages (one count per channel) all ready at once."""
        total = sum(per_channel_counts)
        rate = self.per_workspace_per_minute / 60
        workspace = max(total - self.workspace_burst, 0.0) / rate
        channel = max(
            (max(n - self.channel_burst, 0.0) / self.per_channel for n in per_channel_counts),
            default=0.0,
        )
        return max(workspace, channel)


@dataclass
class Bucket:
    """A token bucket on time.monotonic()."""

    rate: float
    burst: float
    tokens: float
    updated: float

    def take(self, now: float) -> float:
        """Take a token and return 0, or return the seconds until one is there."""
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0.0
        return (1.0 - self.tokens) / self.rate


@dataclass(frozen=True)
class Posted:
    """One chat.postMessage Slack accepted: the conversation, its text, when it arrived."""

    channel: str
    text: str
    at: float


@dataclass
class FakeSlackApi:
    """`await start()`, point SLACK_API_URL at `api_url`, `await stop()`."""

    team_id: str = "T0001"
    replies: list[Reply] = field(default_factory=list)
    views: dict[str, Json] = field(default_factory=dict)
    messages: list[Json] = field(default_factory=list)
    method_counts: dict[str, int] = field(default_factory=dict)
    keep_messages: bool = True
    url: str = ""
    limits: Limits | None = None
    posted: list[Posted] = field(default_factory=list)  # with limits: every accepted post
    refused: int = 0  # with limits: posts answered 429
    _buckets: dict[str, Bucket] = field(default_factory=dict)
    _counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application(client_max_size=10 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{id}", self._response_url)
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

    def response_url(self, response_id: str) -> str:
        return f"{self.url}response/{response_id}"

    def next_ts(self) -> str:
        return f"1700000000.{next(self._counter) * 100:06d}"

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params: Json = {**request.query, **await _body(request)}
        self.method_counts[method] = self.method_counts.get(method, 0) + 1
        channel = str(params.get("channel", ""))
        if method == "chat.postMessage" and self.limits is not None:
            wait = self._limited(channel, self.limits)
            await asyncio.sleep(self.limits.latency)
            if wait:
                self.refused += 1
                headers = {"Retry-After": str(max(1, math.ceil(wait)))}
                return web.json_response({"ok": False, "error": "ratelimited"}, status=429,
                                         headers=headers)  # fmt: skip
            self.posted.append(Posted(_dm(channel), _text(params), time.monotonic()))
        if method in ("chat.postEphemeral", "chat.postMessage"):
            key = f"{method}:{channel}:{params.get('user', '')}"
            self.replies.append(Reply(key, _text(params), time.monotonic()))
        answer = self._answer(method, params)
        if method == "chat.postMessage" and self.keep_messages:
            self.messages.append({**params, "ts": answer["ts"]})
        return web.json_response(answer)

    def limit(self, limits: Limits | None) -> None:
        """Turn limits on (or off) with full buckets, and forget what was posted."""
        self.limits, self.posted, self.refused = limits, [], 0
        self._buckets.clear()

    def _limited(self, channel: str, limits: Limits) -> float:
        """0 when Slack takes this post now (its tokens taken), else the seconds to wait."""
        now = time.monotonic()
        keys = {"workspace": (limits.per_workspace_per_minute / 60, limits.workspace_burst),
                "channel:" + _dm(channel): (limits.per_channel, limits.channel_burst)}  # fmt: skip
        buckets = [self._bucket(key, rate, burst, now) for key, (rate, burst) in keys.items()]
        for bucket in buckets:
            bucket.tokens = min(bucket.burst, bucket.tokens + (now - bucket.updated) * bucket.rate)
            bucket.updated = now
        wait = max((1.0 - b.tokens) / b.rate if b.tokens < 1.0 else 0.0 for b in buckets)
        if wait == 0.0:
            for bucket in buckets:
                bucket.take(now)
        return wait

    def _bucket(self, key: str, rate: float, burst: float, now: float) -> Bucket:
        if key not in self._buckets:
            self._buckets[key] = Bucket(rate, burst, burst, now)
        return self._buckets[key]

    def _answer(self, method: str, p: Json) -> Json:
        if method == "auth.test":
            return {"ok": True, "url": "https://fake.slack.test/", "team": "Fake",
                    "user": "clientloop", "team_id": self.team_id,
                    "user_id": BOT_USER_ID, "bot_id": "BBOT0001"}  # fmt: skip
        if method == "chat.postMessage":
            ts, dm = self.next_ts(), _dm(str(p.get("channel", "")))
            return {"ok": True, "channel": dm, "ts": ts, "message": {"ts": ts, "text": ""}}
        if method == "chat.update":
            return {"ok": True, "channel": p.get("channel"), "ts": p.get("ts")}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": self.next_ts()}
        if method.startswith("views."):
            return self._view(method, p)
        if method == "users.info":
            user = str(p.get("user", ""))
            return {"ok": True, "user": _user(user, self.team_id)}
        if method == "conversations.open":
            user = str(p.get("users", "")).split(",")[0]
            return {"ok": True, "channel": {"id": "D" + user[1:]}}
        return {"ok": False, "error": "unknown_method"}

    def _view(self, method: str, p: Json) -> Json:
        view = _decoded(p.get("view", {}))
        view = view if isinstance(view, dict) else {}
        if method == "views.open":
            self.views[str(p.get("trigger_id", ""))] = view
        view_id = p.get("view_id") or f"V{next(self._counter):08d}"
        return {"ok": True, "view": {**view, "id": view_id, "hash": f"h{view_id}"}}

    async def _response_url(self, request: web.Request) -> web.Response:
        body = await request.json()
        text = _text(body) if isinstance(body, dict) else ""
        self.replies.append(Reply(request.match_info["id"], text, time.monotonic()))
        return web.json_response({"ok": True})


def _dm(channel: str) -> str:
    """A post to a user id goes to the DM with them (D + the rest of the id), as on Slack."""
    return "D" + channel[1:] if channel[:1] in ("U", "W") else channel


def _text(params: Json) -> str:
    """The text and the blocks, so an apology anywhere in the message is seen."""
    return str(params.get("text", "")) + json.dumps(params.get("blocks", ""))


async def _body(request: web.Request) -> Json:
    if request.method != "POST" or not request.can_read_body:
        return {}
    if request.content_type == "application/json":
        loaded = await request.json()
        return loaded if isinstance(loaded, dict) else {}
    form = await request.post()
    return {key: value for key, value in form.items() if isinstance(value, str)}


def _decoded(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) and value[:1] in "[{" else value


def _user(user_id: str, team_id: str) -> Json:
    return {"id": user_id, "team_id": team_id, "name": user_id.lower(), "real_name": user_id,
            "tz": "Europe/Paris", "tz_label": "CET", "tz_offset": 3600, "is_bot": False,
            "profile": {"real_name": user_id, "display_name": user_id}}  # fmt: skip
