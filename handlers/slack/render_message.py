"""Renders a platform-neutral View as a Block Kit message: fallback text and blocks."""

from __future__ import annotations

import re

from handlers.slack.blocks import (
    MAX_FALLBACK_TEXT,
    MAX_FIELD_TEXT,
    MAX_FIELDS,
    MAX_MESSAGE_BLOCKS,
    MAX_SECTION_TEXT,
    Block,
    actions,
    context,
    divider,
    escape,
    fit,
    mrkdwn,
    section,
    split_text,
)
from workflow.domain.views import Button, View

MAX_TEXT_SECTIONS = 5
MAX_FIELD_SECTIONS = 3
COMPACT_TITLE = 300
COMPACT_TEXT = 600
_SAFE_LINK = re.compile(r"^https?://[^\s<>|]+$", re.IGNORECASE)


def live_buttons(view: View, viewer_person_id: int | None, *, in_channel: bool) -> list[Button]:
    """The buttons this copy shows: all in a channel (the core refuses people who may not
    act); in a DM only the viewer's own, the customer starts, or all when nobody is named
    (a button naming the people it is for, as a PM's Edit, only to them)."""
    if in_channel:
        return list(view.buttons)
    actor = not view.actors or viewer_person_id in view.actors
    return [b for b in view.buttons if b.live_for(viewer_person_id, actor)]


def fallback_text(view: View) -> str:
    """The plain notification text (escaped: Slack reads it as mrkdwn)."""
    head = view.title + (f" — {view.status}" if view.status else "")
    return fit(head + (f"\n{view.text}" if view.text else ""), MAX_FALLBACK_TEXT)


def title_block(title: str, limit: int = MAX_SECTION_TEXT) -> Block:
    return section(f"*{fit(title, limit - 2)}*")


def field_blocks(fields: tuple[tuple[str, str], ...]) -> list[Block]:
    """Fields ten to a section, at most three sections, then a note of how many were left."""
    shown = fields[: MAX_FIELDS * MAX_FIELD_SECTIONS]
    texts = [_field(label, value) for label, value in shown]
    blocks: list[Block] = [
        {"type": "section", "fields": [mrkdwn(t) for t in texts[i : i + MAX_FIELDS]]}
        for i in range(0, len(texts), MAX_FIELDS)
    ]
    if len(fields) > len(shown):
        blocks.append(context(f"…and {len(fields) - len(shown)} more fields"))
    return blocks


def _field(label: str, value: str) -> str:
    head = f"*{fit(label, 200)}*\n"
    return head + fit(value or "—", MAX_FIELD_TEXT - len(head))


def link_block(link: str) -> Block:
    if _SAFE_LINK.match(link) and len(escape(link)) <= MAX_SECTION_TEXT - 20:
        return section(f"*Link:* <{escape(link)}>")
    return section(f"*Link:* {fit(link, MAX_SECTION_TEXT - 20)}")


def status_block(view: View) -> list[Block]:
    texts = [fit(view.status, 2900) if view.status else "", fit(view.footer, 2900)]
    return [context(*texts)] if any(texts) else []


def card_blocks(view: View, buttons: list[Button]) -> list[Block]:
    """The full card: title, text, fields, link, status and footer, and its buttons."""
    blocks = [title_block(view.title)]
    blocks += [section(part) for part in split_text(view.text, max_parts=MAX_TEXT_SECTIONS)]
    blocks += field_blocks(view.fields)
    if view.link:
        blocks.append(link_block(view.link))
    return blocks + status_block(view) + actions(buttons)


def compact_blocks(view: View, buttons: list[Button]) -> list[Block]:
    """A short form of a card, for lists: title and the start of its text, status, buttons."""
    text = f"*{fit(view.title, COMPACT_TITLE)}*"
    if view.text:
        text += "\n" + fit(view.text, COMPACT_TEXT)
    return [section(text), *status_block(view), *actions(buttons)]


def with_items(
    blocks: list[Block], item_blocks: list[list[Block]], budget: int, more_note: str
) -> list[Block]:
    """Appends each item's blocks while they fit in `budget`, then a note of what was left."""
    result = list(blocks)
    for index, group in enumerate(item_blocks):
        reserve = 1 if index < len(item_blocks) - 1 else 0
        if len(result) + len(group) + reserve > budget:
            left = len(item_blocks) - index
            return [*result, context(f"…and {left} more: {more_note}")]
        result += group
    return result


def message_blocks(
    view: View, viewer_person_id: int | None, *, in_channel: bool
) -> tuple[str, list[Block]]:
    """The fallback text and the blocks of one copy of a card (a DM or a channel post)."""
    main = card_blocks(view, live_buttons(view, viewer_person_id, in_channel=in_channel))
    items = [
        [
            divider(),
            *compact_blocks(item, live_buttons(item, viewer_person_id, in_channel=in_channel)),
        ]
        for item in view.items
    ]
    note = "open the App Home tab to see them all"
    return fallback_text(view), with_items(main, items, MAX_MESSAGE_BLOCKS, note)
