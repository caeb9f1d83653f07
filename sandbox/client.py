"""Sends a person's acts to the app's /slack/events as signed requests and records its acks."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import httpx

from sandbox.events import SlackRequest
from sandbox.signing import signed_headers
from sandbox.web_api import answer_response_url
from sandbox.workspace import Json, ResponseTarget, Workspace


@dataclass(frozen=True)
class Ack:
    """The app's answer to one request: status, and the JSON body if it sent one."""

    request: SlackRequest
    status: int
    body: Json | None

    @property
    def errors(self) -> dict[str, str]:
        """A view_submission's field errors (response_action "errors"), if any."""
        if self.body and self.body.get("response_action") == "errors":
            return dict(self.body.get("errors") or {})
        return {}


@dataclass
class SandboxClient:
    """Posts requests to `events_url` (the app's /slack/events) signed with `signing_secret`."""

    http: httpx.AsyncClient
    events_url: str
    signing_secret: str
    workspace: Workspace
    acks: list[Ack] = field(default_factory=list)

    async def send(self, request: SlackRequest, now: float | None = None) -> Ack:
        headers = signed_headers(self.signing_secret, request.body, request.content_type, now)
        response = await self.http.post(self.events_url, content=request.body, headers=headers)
        ack = Ack(request, response.status_code, _json(response))
        self.acks.append(ack)
        self._show(ack)
        return ack

    def _show(self, ack: Ack) -> None:
        """What Slack does with an ack body: a command's is the person's private answer; a
        submission's "update" replaces the modal, "clear" closes them all."""
        payload, body = ack.request.payload, ack.body or {}
        if ack.status != 200:
            return
        if ack.request.kind == "slash_command" and (body.get("text") or body.get("blocks")):
            target = ResponseTarget(str(payload["user_id"]), str(payload["channel_id"]))
            answer_response_url(self.workspace, target, body)
        elif ack.request.kind == "view_submission":
            self._after_submission(str(payload["user"]["id"]), body)

    def _after_submission(self, user_id: str, body: Json) -> None:
        stack = self.workspace.open_modals(user_id)
        action = body.get("response_action")
        if action == "update" and stack and isinstance(body.get("view"), dict):
            stack[-1].view = body["view"]
        elif action == "push" and isinstance(body.get("view"), dict):
            stack.append(self.workspace.new_modal(user_id, body["view"]))
        elif action == "clear":
            stack.clear()
        elif action != "errors" and stack:
            stack.pop()


def _json(response: httpx.Response) -> Json | None:
    if not response.content:
        return None
    try:
        loaded = json.loads(response.content)
    except ValueError:
        return None
    return loaded if isinstance(loaded, dict) else None
