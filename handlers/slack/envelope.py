"""Checks that a signed Slack request has the shape Slack always sends, before Bolt routes it.

Bolt parses a body into a dict and reads it with `body["view"]["type"]`, `.get()` on what
it takes for objects, `actions[0]` and the like; a signed body of another shape would make
it (or a listener) raise, and Slack would get a 500 or no answer at all. Here, before Bolt:
how deep the JSON nests, which fields every request of its kind carries, and that every
field Bolt or the listeners read has the JSON type Slack gives it (None counts as absent).
Only shapes are checked; payloads.py reads the contents.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from handlers.json_depth import nests_deeper_than

SLASH_COMMAND_FIELDS = ("command", "user_id", "team_id", "channel_id", "trigger_id")
# Slack's deepest payloads (rich text inside a message inside an event) nest about 12 deep.
MAX_DEPTH = 40
Check = Callable[[Mapping[str, Any]], str | None]
Shape = dict[str, "type | tuple[type, ...] | Shape"]

# The fields anything reads, by where they sit; a nested dict is an object's own fields.
_STRINGS = ("id", "team_id", "enterprise_id", "user_id", "name", "username", "domain")
ENVELOPE: Shape = {
    **dict.fromkeys(
        ("type", "token", "team_id", "enterprise_id", "user_id", "channel_id", "api_app_id",
         "trigger_id", "response_url", "callback_id", "event_id", "command", "text"),
        str,
    ),
    "is_enterprise_install": (bool, str),
    "is_ext_shared_channel": bool,
    "team": dict.fromkeys(_STRINGS, str),
    "enterprise": dict.fromkeys(_STRINGS, str),
    "user": dict.fromkeys(_STRINGS, str),
    "channel": dict.fromkeys(_STRINGS, str),
    "container": dict.fromkeys(("type", "channel_id", "message_ts"), str),
    "message": dict.fromkeys(("type", "text", "ts", "user", "thread_ts"), str),
    "view": {
        **dict.fromkeys(
            ("id", "type", "callback_id", "private_metadata", "hash", "team_id",
             "app_installed_team_id"),
            str,
        ),
        "state": {"values": dict},
    },
    "event": dict.fromkeys(
        ("type", "user", "channel", "channel_type", "tab", "subtype", "bot_id", "text", "ts",
         "thread_ts", "team", "user_team", "event_ts"),
        str,
    ),
}  # fmt: skip
AUTHORIZATION: Shape = {**dict.fromkeys(_STRINGS, str), "is_enterprise_install": bool}
ACTION: Shape = dict.fromkeys(("action_id", "block_id", "value", "type", "action_ts"), str)


def envelope_problem(body: object) -> str | None:
    """None when `body` looks like a request Slack sends, else what is wrong with it."""
    if not isinstance(body, Mapping):
        return "the body is not an object"
    if nests_deeper_than(body, MAX_DEPTH):
        return f"the body nests deeper than {MAX_DEPTH} levels"
    if "ssl_check" in body:
        return None
    problem = _typed(body, ENVELOPE, "") or _lists(body)
    if problem is not None:
        return problem
    if "command" in body:
        return _missing_strings(body, SLASH_COMMAND_FIELDS)
    kind = body.get("type")
    if not kind:
        return "the request has neither a command nor a type"
    check = CHECKS.get(str(kind))
    return None if check is None else check(body)


def _typed(data: Mapping[str, Any], shape: Shape, where: str) -> str | None:
    for name, wanted in shape.items():
        value = data.get(name)
        if value is None:
            continue
        if isinstance(wanted, dict):
            if not isinstance(value, Mapping):
                return f"{where}{name} is not an object"
            problem = _typed(value, wanted, f"{where}{name}.")
        elif not isinstance(value, wanted):
            problem = f"{where}{name} is not {_type_name(wanted)}"
        else:
            problem = None
        if problem is not None:
            return problem
    return None


def _type_name(wanted: type | tuple[type, ...]) -> str:
    names = {str: "a string", bool: "true or false", dict: "an object"}
    kinds = wanted if isinstance(wanted, tuple) else (wanted,)
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def _lists(body: Mapping[str, Any]) -> str | None:
    """Lists of objects Bolt indexes into: authorizations and actions."""
    for name, shape in (("authorizations", AUTHORIZATION), ("actions", ACTION)):
        items = body.get(name)
        if items is None:
            continue
        if not isinstance(items, list) or not all(isinstance(i, Mapping) for i in items):
            return f"{name} is not a list of objects"
        for item in items:
            if problem := _typed(item, shape, f"{name}[]."):
                return problem
    values = _object(_object(_object(body, "view"), "state"), "values")
    if not all(
        isinstance(block, Mapping) and all(isinstance(e, Mapping) for e in block.values())
        for block in values.values()
    ):
        return "view.state.values is not blocks of elements"
    return None


def _missing_strings(body: Mapping[str, Any], names: tuple[str, ...]) -> str | None:
    missing = [name for name in names if not _text(body.get(name))]
    return f"missing {', '.join(missing)}" if missing else None


def _text(value: object) -> bool:
    return isinstance(value, str) and bool(value)


def _object(body: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = body.get(name)
    return value if isinstance(value, Mapping) else {}


def _interaction(body: Mapping[str, Any]) -> str | None:
    """Who acted and through which workspace: every interaction names both."""
    if not _text(_object(body, "user").get("id")):
        return "missing user.id"
    if not _text(_object(body, "team").get("id")):
        return "missing team.id"
    return None


def _block_actions(body: Mapping[str, Any]) -> str | None:
    actions = body.get("actions")
    if not isinstance(actions, list) or not actions:
        return "missing actions"
    if not all(_text(a.get("action_id")) for a in actions):
        return "an action has no action_id"
    return _interaction(body)


def _view(body: Mapping[str, Any]) -> str | None:
    view = _object(body, "view")
    missing = [f"view.{name}" for name in ("id", "type") if not _text(view.get(name))]
    if not isinstance(view.get("callback_id"), str):
        missing.append("view.callback_id")
    if body.get("type") == "view_submission" and "values" not in _object(view, "state"):
        missing.append("view.state.values")
    return f"missing {', '.join(missing)}" if missing else _interaction(body)


def _shortcut(body: Mapping[str, Any]) -> str | None:
    problem = _missing_strings(body, ("callback_id", "trigger_id")) or _interaction(body)
    if problem is None and body.get("type") == "message_action":
        if not _text(_object(body, "channel").get("id")):
            return "missing channel.id"
        if not _object(body, "message"):
            return "missing message"
    return problem


def _event_callback(body: Mapping[str, Any]) -> str | None:
    if not _text(_object(body, "event").get("type")):
        return "missing event.type"
    return _missing_strings(body, ("event_id", "team_id"))


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
