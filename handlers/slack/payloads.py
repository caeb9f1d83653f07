"""The only code that knows Slack payload shapes: who acted, where, and on what."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from workflow.domain.people import Identity, Platform

MENTION = re.compile(r"^\s*<@[A-Z0-9]+(?:\|[^>]*)?>")
# What Slack writes for a user, channel, special mention or link in escaped text.
ESCAPED = re.compile(r"<([@#!]?)([^<>|]*)(?:\|([^<>]*))?>")
USER_ID = re.compile(r"[UW][A-Z0-9]+")


@dataclass(frozen=True)
class Mentioned:
    """A user @mentioned in typed text: their Slack user id and the name Slack wrote."""

    user_id: str
    name: str = ""


@dataclass(frozen=True)
class Source:
    """Where a Slack request came from: the installation, the channel, the actor's identity,
    and the trigger a modal needs; the listeners turn it into the core's Origin."""

    workspace_id: str
    channel_id: str | None
    identity: Identity
    trigger_id: str | None


def _get(data: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def workspace_of(body: dict[str, Any], context: Any) -> str:
    """The installation's team (or enterprise): the workspace whose token we act with."""
    return str(
        getattr(context, "team_id", None)
        or getattr(context, "enterprise_id", None)
        or _get(body, "team", "id")
        or body.get("team_id")
        or ""
    )


def identity_of(body: dict[str, Any], context: Any) -> Identity:
    """The actor as (their own team or enterprise, user id), as in a Slack Connect channel.

    Interactions name the user's own organisation as user.team_id, message events as
    user_team; Bolt's actor context covers events in shared channels; a slash command only
    comes from the installing side.
    """
    user = str(
        _get(body, "user", "id")
        or body.get("user_id")
        or getattr(context, "actor_user_id", None)
        or getattr(context, "user_id", None)
        or ""
    )
    org = (
        _get(body, "user", "team_id")
        or _get(body, "event", "user_team")
        or getattr(context, "actor_team_id", None)
        or getattr(context, "actor_enterprise_id", None)
        or body.get("team_id")
        or workspace_of(body, context)
    )
    return Identity(Platform.SLACK, str(org), user)


def source(body: dict[str, Any], context: Any) -> Source:
    channel = (
        getattr(context, "channel_id", None)
        or _get(body, "channel", "id")
        or body.get("channel_id")
        or _get(body, "container", "channel_id")
    )
    return Source(
        workspace_of(body, context),
        str(channel) if channel else None,
        identity_of(body, context),
        body.get("trigger_id"),
    )


def command_event_id(body: dict[str, Any]) -> str:
    return f"slack:command:{body.get('team_id', '')}:{body.get('trigger_id', '')}"


def action_event_id(body: dict[str, Any], action: dict[str, Any]) -> str:
    user = _get(body, "user", "id") or ""
    return f"slack:action:{user}:{action.get('action_id', '')}:{action.get('action_ts', '')}"


def submission_event_id(body: dict[str, Any]) -> str:
    """A modal is carried out once: its view id names it across a second press of Submit
    (after Slack showed an error) and Slack's retries, whatever was typed in between."""
    return f"slack:view:{_get(body, 'team', 'id') or ''}:{_get(body, 'view', 'id') or ''}"


def event_key(body: dict[str, Any]) -> str:
    """An Events API delivery, the same on Slack's retries of it."""
    return f"slack:event:{body.get('event_id', '')}"


def message_event_id(body: dict[str, Any]) -> str:
    """A message typed to the bot: its channel and timestamp name it."""
    return f"slack:im:{_get(body, 'event', 'channel') or ''}:{_get(body, 'event', 'ts') or ''}"


def typed_in_dm(event: dict[str, Any]) -> str | None:
    """What a person typed in their DM with the bot, without a leading mention of it; None
    for anything else (the bot's own messages, edits, deletions and other subtypes)."""
    text = event.get("text")
    if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
        return None
    if not isinstance(text, str) or not event.get("user"):
        return None
    return MENTION.sub("", text, count=1).strip()


def typed_pieces(text: str) -> list[str | Mentioned]:
    """Typed text as Slack escapes it (a slash command's, with should_escape, or a message's),
    as plain text and the users mentioned in it: a channel reads `#name`, `<!here>` reads
    `@here`, a link its address, and `&amp;`, `&lt;`, `&gt;` what was typed."""
    pieces: list[str | Mentioned] = []
    at = 0
    for found in ESCAPED.finditer(text):
        pieces.append(_unescaped(text[at : found.start()]))
        sigil, target, label = found.group(1), found.group(2), found.group(3) or ""
        if sigil == "@" and USER_ID.fullmatch(target):
            pieces.append(Mentioned(target, label))
        elif sigil in ("@", "!"):
            pieces.append(_unescaped(label or "@" + target.split("^")[0]))
        elif sigil == "#":
            pieces.append("#" + _unescaped(label or target))
        else:
            pieces.append(_unescaped(target.removeprefix("mailto:")))
        at = found.end()
    pieces.append(_unescaped(text[at:]))
    return pieces


def _unescaped(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def message_text(body: dict[str, Any]) -> str:
    """The text of the message a shortcut was used on."""
    return str(_get(body, "message", "text") or "")
