"""Block Kit primitives: limits, mrkdwn escaping, truncation, action ids and small views."""

from __future__ import annotations

import re
from typing import Any

from workflow.domain.views import Button, Style

Block = dict[str, Any]

# Block Kit limits (https://docs.slack.dev/reference/block-kit).
MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_SECTION_TEXT = 3000
MAX_FIELD_TEXT = 2000
MAX_FIELDS = 10
MAX_HEADER_TEXT = 150
MAX_CONTEXT_TEXT = 3000
MAX_CONTEXT_ELEMENTS = 10
MAX_ACTIONS_ELEMENTS = 25
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_ACTION_ID = 255
MAX_MODAL_TITLE = 24
MAX_MODAL_BUTTON = 24
MAX_INPUT_LABEL = 2000
MAX_INPUT_LENGTH = 3000
MAX_PRIVATE_METADATA = 3000
MAX_FALLBACK_TEXT = 3000

ACTION_PREFIX = "cl."
# Numbers in action ids and button values stay within a 64-bit integer, as the ids they are.
ACTION_ID_PATTERN = re.compile(r"^cl\.[a-z][a-z_]*(?::[0-9]{1,18})?$")
_VALUE_PATTERN = re.compile(
    r"^(?P<item>[a-z_]+(?::(?:[0-9]{1,18}|[a-z_]+))*):(?P<version>[0-9]{1,18})?$"
)

_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_NOTE = "… (truncated; {n} more characters)"


def escape(text: str) -> str:
    """Make user text inert in mrkdwn: no mention, channel ping or link can be forged."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _prefix_fitting(raw: str, budget: int) -> int:
    """How many characters of `raw` fit in `budget` once escaped (never half an entity)."""
    used = 0
    for count, char in enumerate(raw):
        used += len(_ESCAPES.get(char, char))
        if used > budget:
            return count
    return len(raw)


def fit(raw: str, limit: int) -> str:
    """`raw` escaped, within `limit` characters, with a visible note when cut."""
    escaped = escape(raw)
    if len(escaped) <= limit:
        return escaped
    note_room = len(_NOTE.format(n=len(raw)))
    if note_room >= limit:
        return escape(raw[: _prefix_fitting(raw, limit - 1)]) + "…"
    cut = _prefix_fitting(raw, limit - note_room)
    return escape(raw[:cut]) + _NOTE.format(n=len(raw) - cut)


def clip(text: str, limit: int) -> str:
    """Plain text (not mrkdwn) within `limit` characters, ending with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def split_text(raw: str, limit: int = MAX_SECTION_TEXT, max_parts: int = 5) -> list[str]:
    """Escaped pieces of `raw`, each within `limit`, cut at whitespace where possible."""
    parts: list[str] = []
    rest = raw.strip()
    while rest and len(parts) < max_parts - 1 and len(escape(rest)) > limit:
        cut = _prefix_fitting(rest, limit)
        space = max(rest.rfind("\n", 0, cut), rest.rfind(" ", 0, cut))
        if space > cut * 4 // 5:
            cut = space
        parts.append(escape(rest[:cut]))
        rest = rest[cut:].strip()
    if rest:
        parts.append(fit(rest, limit))
    return parts


def mrkdwn(text: str) -> Block:
    return {"type": "mrkdwn", "text": text}


def plain(text: str, limit: int) -> Block:
    return {"type": "plain_text", "text": clip(text, limit), "emoji": True}


def section(text: str) -> Block:
    """A section of our own mrkdwn (user parts already escaped by the caller)."""
    return {"type": "section", "text": mrkdwn(text[:MAX_SECTION_TEXT])}


def header(text: str) -> Block:
    """A header of our own words (plain text: never user text, which needs mrkdwn escaping)."""
    return {"type": "header", "text": plain(text, MAX_HEADER_TEXT)}


def context(*texts: str) -> Block:
    elements = [mrkdwn(t[:MAX_CONTEXT_TEXT]) for t in texts if t][:MAX_CONTEXT_ELEMENTS]
    return {"type": "context", "elements": elements}


def divider() -> Block:
    return {"type": "divider"}


def encode_value(item: str, version: int | None) -> str:
    """A button's value: the item key and its version, e.g. "change_request:12:1"."""
    return f"{item}:{'' if version is None else version}"


def decode_value(value: str) -> tuple[str, int | None]:
    """The item key and version a button's value carries; ValueError when malformed."""
    matched = _VALUE_PATTERN.match(value)
    if matched is None:
        raise ValueError(f"not a clientloop button value: {value!r}")
    version = matched["version"]
    return matched["item"], int(version) if version else None


def action_id(verb: str) -> str:
    return f"{ACTION_PREFIX}{verb}"[:MAX_ACTION_ID]


def verb_of(action: str) -> str:
    """The verb a clicked action id names ("cl.answer_question:7" → "answer_question:7")."""
    if not ACTION_ID_PATTERN.match(action):
        raise ValueError(f"not a clientloop action id: {action!r}")
    return action.removeprefix(ACTION_PREFIX)


def button(b: Button) -> Block:
    element: Block = {
        "type": "button",
        "text": plain(b.label, MAX_BUTTON_TEXT),
        "action_id": action_id(b.verb),
        "value": encode_value(b.item, b.version)[:MAX_BUTTON_VALUE],
    }
    if b.style is not Style.DEFAULT:
        element["style"] = b.style.value
    return element


def actions(buttons: list[Button]) -> list[Block]:
    """One actions block (none when there is nothing to click); one button per action id."""
    unique: dict[str, Button] = {}
    for b in buttons:
        unique.setdefault(action_id(b.verb), b)
    if not unique:
        return []
    elements = [button(b) for b in list(unique.values())[:MAX_ACTIONS_ELEMENTS]]
    return [{"type": "actions", "elements": elements}]


def ephemeral_blocks(text: str) -> list[Block]:
    """A private reply: the text, escaped, in as many sections as it needs (at most five)."""
    return [section(part) for part in split_text(text)]
