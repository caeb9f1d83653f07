"""Checks that a signed Slack request has the envelope Slack always sends, before Bolt routes it.

Bolt parses a body into a dict and hands it to listeners as is; a request that is signed
but lacks what every Slack request of its kind carries would otherwise reach a listener
and fail there. Only the envelope is checked here; payloads.py reads the contents.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

SLASH_COMMAND_FIELDS = ("command", "user_id", "team_id", "channel_id", "trigger_id")
Check = Callable[[Mapping[str, Any]], str | None]


def envelope_problem(body: object) -> str | None:
    """None when `body` looks like a request Slack sends, else what is missing."""
    if not isinstance(body, Mapping):
        return "the body is not an object"
    if "ssl_check" in body:
        return None
    if "command" in body:
        return _missing_strings(body, SLASH_COMMAND_FIELDS)
    kind = body.get("type")
    if not isinstance(kind, str) or not kind:
        return "the request has neither a command nor a type"
    check = CHECKS.get(kind)
    return None if check is None else check(body)


def _missing_strings(body: Mapping[str, Any], names: tuple[str, ...]) -> str | None:
    missing = [name for name in names if not _text(body.get(name))]
    return f"missing {', '.join(missing)}" if missing else None


def _text(value: object) -> bool:
    return isinstance(value, str) and bool(value)


def _object(body: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = body.get(name)
    return value if isinstance(value, Mapping) else {}


def _user(body: Mapping[str, Any]) -> str | None:
    return None if _text(_object(body, "user").get("id")) else "missing user.id"


def _block_actions(body: Mapping[str, Any]) -> str | None:
    actions = body.get("actions")
    if not isinstance(actions, list) or not actions:
        return "missing actions"
    if not all(isinstance(a, Mapping) and _text(a.get("action_id")) for a in actions):
        return "an action has no action_id"
    return _user(body)


def _view(body: Mapping[str, Any]) -> str | None:
    view = _object(body, "view")
    if not isinstance(view.get("callback_id"), str):
        return "missing view.callback_id"
    if body.get("type") == "view_submission" and not isinstance(
        _object(view, "state").get("values"), Mapping
    ):
        return "missing view.state.values"
    return _user(body)


def _shortcut(body: Mapping[str, Any]) -> str | None:
    problem = _missing_strings(body, ("callback_id", "trigger_id")) or _user(body)
    if problem is None and body.get("type") == "message_action":
        if not _text(_object(body, "channel").get("id")):
            return "missing channel.id"
        if not _object(body, "message"):
            return "missing message"
    return problem


def _event_callback(body: Mapping[str, Any]) -> str | None:
    if not _text(_object(body, "event").get("type")):
        return "missing event.type"
    return _missing_strings(body, ("event_id",))


def _url_verification(body: Mapping[str, Any]) -> str | None:
    return _missing_strings(body, ("challenge",))


CHECKS: dict[str, Check] = {
    "block_actions": _block_actions,
    "view_submission": _view,
    "view_closed": _view,
    "message_action": _shortcut,
    "shortcut": _shortcut,
    "event_callback": _event_callback,
    "url_verification": _url_verification,
}
