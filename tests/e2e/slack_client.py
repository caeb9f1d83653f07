"""Correctly signed Slack requests (commands, clicks, modals, shortcuts, events) for the ASGI app.

The payloads carry what Slack sends. In a Slack Connect channel the person's own team
(`user_team`) differs from the team the payload comes through (`team`).
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx

Json = dict[str, Any]
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
APP_ID = "A0001"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """Slack's v0 signature of a request body."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass
class SlackRequests:
    """Sends signed requests to `/slack/events` of the app behind `http`."""

    http: httpx.AsyncClient
    signing_secret: str
    team: str = "T0001"
    channel: str = "C0001"
    response_url: str = "http://127.0.0.1:9/response/none"
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def post(
        self,
        body: bytes,
        content_type: str,
        *,
        timestamp: str | None = None,
        secret: str | None = None,
    ) -> httpx.Response:
        """POST exactly these bytes, signed now (or at `timestamp`, or with another secret)."""
        stamp = timestamp or str(int(time.time()))
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": sign(secret or self.signing_secret, stamp, body),
        }
        return await self.http.post("/slack/events", content=body, headers=headers)

    async def form(self, fields: Json, **kw: Any) -> httpx.Response:
        return await self.post(urlencode(fields).encode(), FORM, **kw)

    async def payload(self, payload: Json, **kw: Any) -> httpx.Response:
        return await self.form({"payload": json.dumps(payload)}, **kw)

    async def command(self, text: str = "", *, user: str = "U0001", **kw: Any) -> httpx.Response:
        return await self.form(self.command_fields(text, user=user, **kw))

    def command_fields(
        self,
        text: str = "",
        *,
        user: str = "U0001",
        command: str = "/loop",
        channel: str | None = None,
        enterprise_id: str = "",
    ) -> Json:
        return {
            "token": "legacy-verification-token",
            "team_id": self.team,
            "team_domain": "fake",
            "enterprise_id": enterprise_id,
            "channel_id": channel or self.channel,
            "channel_name": "project",
            "user_id": user,
            "user_name": user.lower(),
            "command": command,
            "text": text,
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": self.response_url,
            "trigger_id": self.trigger_id(),
        }

    async def click(
        self,
        action_id: str,
        value: str = "",
        *,
        user: str = "U0001",
        user_team: str | None = None,
        message_ts: str = "1700000000.000100",
        block_id: str = "b1",
        channel: str | None = None,
        home: bool = False,
    ) -> httpx.Response:
        """A button click (block_actions) on a message in `channel`, or on the App Home tab
        (`home`: no channel, message nor response_url; the container is the Home's view)."""
        where = channel or self.channel
        action = {
            "action_id": action_id,
            "block_id": block_id,
            "value": value,
            "type": "button",
            "action_ts": str(time.time()),
        }
        if home:
            view = {"id": "VHOME0001", "type": "home", "callback_id": "", "hash": "h1",
                    "private_metadata": "", "team_id": self.team, "app_id": APP_ID}  # fmt: skip
            return await self.payload(
                {
                    **self._interaction("block_actions", user, user_team),
                    "container": {"type": "view", "view_id": view["id"]},
                    "view": view,
                    "actions": [action],
                }
            )
        return await self.payload(
            {
                **self._interaction("block_actions", user, user_team),
                "channel": {"id": where, "name": "project"},
                "message": {"type": "message", "ts": message_ts, "text": ""},
                "container": {
                    "type": "message",
                    "message_ts": message_ts,
                    "channel_id": where,
                    "is_ephemeral": False,
                },
                "actions": [action],
                "response_url": self.response_url,
            }
        )

    async def submit(
        self,
        callback_id: str,
        values: Json,
        *,
        private_metadata: str = "",
        user: str = "U0001",
        user_team: str | None = None,
        view_id: str | None = None,
        view_hash: str = "h1",
    ) -> httpx.Response:
        """A modal's view_submission; `values` is `state.values` (block -> action -> value).
        `view_id`: submit the same modal again (each call is a new modal otherwise)."""
        view = {
            "id": view_id or f"V{next(self._ids):08d}",
            "type": "modal",
            "callback_id": callback_id,
            "private_metadata": private_metadata,
            "state": {"values": values},
            "hash": view_hash,
            "app_id": APP_ID,
            "team_id": self.team,
        }
        payload = {**self._interaction("view_submission", user, user_team), "view": view}
        payload["response_urls"] = []
        return await self.payload(payload)

    async def shortcut(
        self,
        callback_id: str,
        text: str,
        *,
        user: str = "U0001",
        author: str = "U0002",
        message_ts: str = "1700000000.000100",
        user_team: str | None = None,
    ) -> httpx.Response:
        """The message shortcut, used on a message by `author`."""
        message = {"type": "message", "text": text, "ts": message_ts, "user": author}
        return await self.payload(
            {
                **self._interaction("message_action", user, user_team),
                "callback_id": callback_id,
                "message": message,
                "message_ts": message_ts,
                "channel": {"id": self.channel, "name": "project"},
                "response_url": self.response_url,
            }
        )

    async def event(
        self,
        event: Json,
        *,
        event_id: str | None = None,
        retry: int = 0,
        user_team: str | None = None,
    ) -> httpx.Response:
        """An Events API event_callback (a retry carries the same event_id)."""
        body = json.dumps(
            {
                "token": "legacy-verification-token",
                "team_id": self.team,
                "api_app_id": APP_ID,
                "event": {"event_ts": str(time.time()), **event},
                "type": "event_callback",
                "event_id": event_id or f"Ev{next(self._ids):08d}",
                "event_time": int(time.time()),
                "authorizations": [
                    {
                        "enterprise_id": None,
                        "team_id": user_team or self.team,
                        "user_id": "UBOT0001",
                        "is_bot": True,
                        "is_enterprise_install": False,
                    }
                ],
            }
        ).encode()
        if not retry:
            return await self.post(body, JSON)
        stamp = str(int(time.time()))
        headers = {
            "Content-Type": JSON,
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": sign(self.signing_secret, stamp, body),
            "X-Slack-Retry-Num": str(retry),
            "X-Slack-Retry-Reason": "http_timeout",
        }
        return await self.http.post("/slack/events", content=body, headers=headers)

    async def direct_message(
        self,
        text: str,
        *,
        user: str = "U0001",
        user_team: str | None = None,
        event_id: str | None = None,
        retry: int = 0,
        **fields: Any,
    ) -> httpx.Response:
        """A message typed in the bot's DM (`message.im`); `fields` add to the event or change it
        (`subtype`, `bot_id`...)."""
        event = {"type": "message", "channel": "D" + user[1:], "channel_type": "im",
                 "user": user, "text": text, "ts": f"{time.time():.6f}", **fields}  # fmt: skip
        if user_team:
            event["user_team"] = user_team
        return await self.event(event, event_id=event_id, retry=retry)

    async def home_opened(self, user: str = "U0001") -> httpx.Response:
        return await self.event(
            {"type": "app_home_opened", "user": user, "tab": "home", "channel": "D" + user[1:]}
        )

    async def url_verification(self, challenge: str) -> httpx.Response:
        body = {"token": "legacy", "challenge": challenge, "type": "url_verification"}
        return await self.post(json.dumps(body).encode(), JSON)

    def trigger_id(self) -> str:
        return f"{next(self._ids)}.1.fake-trigger"

    def _interaction(self, kind: str, user: str, user_team: str | None) -> Json:
        own_team = user_team or self.team
        return {
            "type": kind,
            "token": "legacy-verification-token",
            "api_app_id": APP_ID,
            "team": {"id": self.team, "domain": "fake"},
            "enterprise": None,
            "is_enterprise_install": False,
            "trigger_id": self.trigger_id(),
            "user": {
                "id": user,
                "username": user.lower(),
                "name": user.lower(),
                "team_id": own_team,
            },
        }
