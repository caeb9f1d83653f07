"""Slack request bodies as Slack sends them (slash command, button click, modal submission),
and Slack's v0 signature over them."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any
from urllib.parse import urlencode

Json = dict[str, Any]
FORM = "application/x-www-form-urlencoded"
TEAM = "T0001"
APP_ID = "A0001"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def headers(secret: str, body: bytes, content_type: str = FORM) -> dict[str, str]:
    stamp = str(int(time.time()))
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": sign(secret, stamp, body),
    }


def command(text: str, user: str, channel: str, response_url: str, trigger: str) -> bytes:
    fields = {
        "token": "legacy", "team_id": TEAM, "team_domain": "fake", "enterprise_id": "",
        "channel_id": channel, "channel_name": "project", "user_id": user,
        "user_name": user.lower(), "command": "/loop", "text": text, "api_app_id": APP_ID,
        "is_enterprise_install": "false", "response_url": response_url, "trigger_id": trigger,
    }  # fmt: skip
    return urlencode(fields).encode()


def _interaction(kind: str, user: str, trigger: str) -> Json:
    return {
        "type": kind, "token": "legacy", "api_app_id": APP_ID,
        "team": {"id": TEAM, "domain": "fake"}, "enterprise": None,
        "is_enterprise_install": False, "trigger_id": trigger,
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM},
    }  # fmt: skip


def click(button: Json, user: str, channel: str, ts: str, response_url: str) -> bytes:
    """A block_actions click on `button` (a Block Kit button element) in a message."""
    action = {"action_id": button["action_id"], "block_id": "b1", "value": button["value"],
              "type": "button", "action_ts": str(time.time())}  # fmt: skip
    payload = {
        **_interaction("block_actions", user, f"{ts}.click"),
        "channel": {"id": channel, "name": "dm"},
        "message": {"type": "message", "ts": ts, "text": ""},
        "container": {"type": "message", "message_ts": ts, "channel_id": channel,
                      "is_ephemeral": False},
        "actions": [action], "response_url": response_url,
    }  # fmt: skip
    return urlencode({"payload": json.dumps(payload)}).encode()


def submission(view: Json, values: Json, user: str, view_id: str) -> bytes:
    """Submit the modal `view` (as views.open got it) with `values` by block id over its
    initial values; Slack gives each opened modal its own `view_id`."""
    state: Json = {}
    for block in view.get("blocks", []):
        if block.get("type") != "input":
            continue
        element, name = block["element"], block["block_id"]
        state[name] = {element["action_id"]: _state(element, values.get(name, _initial(element)))}
    submitted = {
        "id": view_id, "type": "modal", "callback_id": view["callback_id"],
        "private_metadata": view.get("private_metadata", ""), "state": {"values": state},
        "hash": "h1", "app_id": APP_ID, "team_id": TEAM,
    }  # fmt: skip
    payload = {**_interaction("view_submission", user, "0.sub"), "view": submitted}
    payload["response_urls"] = []
    return urlencode({"payload": json.dumps(payload)}).encode()


def _state(element: Json, value: Any) -> Json:
    kind = element["type"]
    shapes: dict[str, Json] = {
        "datepicker": {"selected_date": value or None},
        "timepicker": {"selected_time": value or None},
        "static_select": {"selected_option": {"value": value} if value else None},
        "users_select": {"selected_user": value or None},
        "multi_users_select": {"selected_users": list(value or [])},
        "checkboxes": {"selected_options": [{"value": "yes"}] if value else []},
    }
    return {"type": kind, **shapes.get(kind, {"value": value})}


def _initial(element: Json) -> Any:
    for key in ("initial_value", "initial_date", "initial_time"):
        if key in element:
            return element[key]
    if "initial_option" in element:
        return element["initial_option"]["value"]
    return None
