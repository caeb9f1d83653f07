"""The requests a person's act makes, shaped as Slack sends them: slash commands, button and
select presses, modal submissions and app_home_opened (bodies only; `signing` signs them)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from sandbox.workspace import BOT_USER_ID, Json, Modal, ResponseTarget, Workspace

APP_ID = "A0SANDBOX"
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
Typed = str | list[str] | None


@dataclass(frozen=True)
class SlackRequest:
    """A body to POST to the app's /slack/events, and what it says (`payload`)."""

    kind: str
    body: bytes
    content_type: str
    payload: Json


def _interaction(kind: str, payload: Json) -> SlackRequest:
    body = urlencode({"payload": json.dumps(payload, separators=(",", ":"))}).encode()
    return SlackRequest(kind, body, FORM, payload)


def _user(ws: Workspace, user_id: str) -> Json:
    person = ws.people[user_id]
    return {"id": user_id, "username": person.name, "name": person.name, "team_id": person.team_id}


def _base(ws: Workspace, kind: str, user_id: str) -> Json:
    return {
        "type": kind, "api_app_id": APP_ID, "token": "sandbox-verification-token",
        "team": {"id": ws.team_id, "domain": "sandbox"}, "user": _user(ws, user_id),
        "trigger_id": ws.issue_trigger(user_id), "is_enterprise_install": False,
        "enterprise": None,
    }  # fmt: skip


def slash_command(
    ws: Workspace, base_url: str, user_id: str, channel_id: str, text: str, command: str = "/loop"
) -> SlackRequest:
    """`/loop text` typed by `user_id` in `channel_id`; its response_url answers in the sandbox."""
    response_id = ws.issue_response(ResponseTarget(user_id, channel_id))
    conversation = ws.conversation(channel_id)
    fields = {
        "token": "sandbox-verification-token", "team_id": ws.team_id, "team_domain": "sandbox",
        "channel_id": channel_id,
        "channel_name": "directmessage" if conversation is None or conversation.is_im
        else conversation.name,
        "user_id": user_id, "user_name": ws.people[user_id].name, "command": command,
        "text": text, "api_app_id": APP_ID, "is_enterprise_install": "false",
        "response_url": f"{base_url}response/{response_id}",
        "trigger_id": ws.issue_trigger(user_id),
    }  # fmt: skip
    payload: Json = dict(fields)
    return SlackRequest("slash_command", urlencode(fields).encode(), FORM, payload)


def _action(block_id: str, element: Json, chosen: Typed) -> Json:
    """The action Slack reports for a press of `element`, with what was chosen."""
    action: Json = {
        "type": element.get("type"), "action_id": element.get("action_id"),
        "block_id": block_id, "action_ts": "1700000000.000001",
    }  # fmt: skip
    kind = element.get("type")
    if kind == "button":
        action["value"] = element.get("value", "")
        action["text"] = element.get("text")
    elif kind in ("static_select", "overflow", "radio_buttons"):
        action["selected_option"] = _option(element, chosen)
    elif kind == "users_select":
        action["selected_user"] = chosen
    elif kind == "multi_users_select":
        action["selected_users"] = list(chosen or [])
    return action


def _option(element: Json, chosen: Typed) -> Json | None:
    options = [o for g in element.get("option_groups", []) for o in g.get("options", [])]
    options += element.get("options", [])
    return next((o for o in options if o.get("value") == chosen), None)


def message_action(
    ws: Workspace, base_url: str, user_id: str, channel_id: str, message_ts: str,
    block_id: str, element: Json, chosen: Typed = None,
) -> SlackRequest:  # fmt: skip
    """A press of `element` (a button or a select) in a message's blocks."""
    conversation = ws.conversation(channel_id)
    message = conversation.find(message_ts) if conversation else None
    response_id = ws.issue_response(ResponseTarget(user_id, channel_id, message_ts))
    payload = _base(ws, "block_actions", user_id) | {
        "container": {"type": "message", "message_ts": message_ts, "channel_id": channel_id,
                      "is_ephemeral": bool(message and message.ephemeral_for)},
        "channel": {"id": channel_id, "name": conversation.name if conversation else ""},
        "message": message.as_json() if message else {"ts": message_ts},
        "response_url": f"{base_url}response/{response_id}",
        "actions": [_action(block_id, element, chosen)],
    }  # fmt: skip
    return _interaction("block_actions", payload)


def view_action(
    ws: Workspace, user_id: str, view: Modal, block_id: str, element: Json, chosen: Typed = None
) -> SlackRequest:
    """A press of `element` inside a modal or the App Home (`view`)."""
    payload = _base(ws, "block_actions", user_id) | {
        "container": {"type": "view", "view_id": view.view_id},
        "view": view.as_json() | {"state": {"values": {}}},
        "actions": [_action(block_id, element, chosen)],
    }
    return _interaction("block_actions", payload)


def state_values(view: Json, typed: dict[str, Typed]) -> Json:
    """A modal's state as Slack reports it, from what was typed per input block id."""
    values: Json = {}
    for block in view.get("blocks", []):
        element = block.get("element")
        if block.get("type") != "input" or not isinstance(element, dict):
            continue
        block_id = str(block.get("block_id") or "")
        chosen = typed.get(block_id)
        values[block_id] = {str(element.get("action_id")): _state(element, chosen)}
    return values


def _state(element: Json, chosen: Typed) -> Json:
    kind = str(element.get("type"))
    state: Json = {"type": kind}
    one = chosen if isinstance(chosen, str) and chosen else None
    many = [chosen] if isinstance(chosen, str) else list(chosen or [])
    if kind in ("plain_text_input", "number_input", "url_text_input", "email_text_input"):
        return state | {"value": one}
    keyed = {"datepicker": "selected_date", "timepicker": "selected_time",
             "users_select": "selected_user", "conversations_select": "selected_conversation",
             "channels_select": "selected_channel"}  # fmt: skip
    if kind in keyed:
        return state | {keyed[kind]: one}
    if kind == "multi_users_select":
        return state | {"selected_users": many}
    if kind in ("static_select", "radio_buttons"):
        return state | {"selected_option": _option(element, one)}
    picked = [o for v in many if (o := _option(element, v)) is not None]
    return state | {"selected_options": picked}  # checkboxes, multi_static_select


def view_submission(
    ws: Workspace, user_id: str, modal: Modal, typed: dict[str, Typed]
) -> SlackRequest:
    """The submission of `modal` with `typed` values (block id: text, option value or ids)."""
    view = modal.as_json() | {"state": {"values": state_values(modal.view, typed)}}
    payload = _base(ws, "view_submission", user_id) | {"view": view, "response_urls": []}
    return _interaction("view_submission", payload)


def app_home_opened(ws: Workspace, user_id: str, event_id: str | None = None) -> SlackRequest:
    """The event_callback Slack sends when a person opens the app's Home tab."""
    home = ws.homes.get(user_id)
    event: Json = {
        "type": "app_home_opened", "user": user_id, "channel": ws.dm(user_id).id,
        "tab": "home", "event_ts": ws.next_ts(),
    }  # fmt: skip
    if home is not None:
        event["view"] = home.as_json()
    payload: Any = {
        "token": "sandbox-verification-token", "team_id": ws.team_id, "api_app_id": APP_ID,
        "event": event, "type": "event_callback", "event_id": event_id or ws.new_id("Ev"),
        "event_time": 1700000000, "authorizations": [
            {"team_id": ws.team_id, "user_id": BOT_USER_ID, "is_bot": True,
             "enterprise_id": None, "is_enterprise_install": False}],
        "is_ext_shared_channel": False,
    }  # fmt: skip
    body = json.dumps(payload, separators=(",", ":")).encode()
    return SlackRequest("event_callback", body, JSON, payload)
