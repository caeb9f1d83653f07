"""Renders a platform-neutral View as an Adaptive Card for Teams (universal actions, 28 KB).

Buttons are `Action.Execute` (the adaptiveCard/action invoke, which answers with the
updated card). Each one carries a per-action `fallback` `Action.Submit` with the same
`data`, so clients too old for universal actions still send a message activity whose
`value` is that data (plus any inputs). We leave out `msteams` on purpose: messageBack
or imBack would post visible text as the user. A card-level fallback would replace the
whole card and drop the per-button typed text. A button that needs typed text first
(`Button.needs_text`) opens an `Action.ShowCard` with the input and its own
submit. Input ids are unique in the card ("text", "text_2", ...), because Teams renderers
reject duplicate ids even across ShowCards; the submit's `data["input"]` names the id.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from handlers.teams.chart_image import with_chart
from workflow.domain.views import Button, Style, View

Element = dict[str, Any]

SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"  # universal actions (Action.Execute, refresh) need 1.5 in Teams
MAX_CARD_BYTES = 28_000
MAX_REFRESH_USERS = 60  # Teams refreshes automatically for at most 60 listed users
MAX_ACTIONS = 6  # Teams shows at most six actions in one set
MAX_FACTS = 30
MAX_INPUT_LENGTH = 3000
TEXT_INPUT = "text"
REFRESH_VERB = "refresh"
# What a customer can start is open to anyone who sees the card (as on Slack).
_STYLES = {Style.PRIMARY: "positive", Style.DANGER: "destructive"}
_SAFE_LINK = re.compile(r"^https?://[^\s<>\"]+$", re.IGNORECASE)
_LOOKALIKES = str.maketrans({"<": "\uff1c", ">": "\uff1e", "[": "\uff3b", "]": "\uff3d",
                             "*": "\u2217"})  # fmt: skip
_EDGE_UNDERSCORE = re.compile(r"(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")
_BLOCK_MARKER = re.compile(r"^(?=[ \t]{0,3}(?:#|=+[ \t]*$|-+[ \t]*$))", re.MULTILINE)
_TEMPLATE_OPEN = re.compile(r"\{(?=\{)")  # Teams formats `{{DATE(…)}}` and `{{TIME(…)}}`
_NOTE = "… (truncated; {n} more characters)"


def escape(text: str) -> str:
    """User text made inert in a TextBlock's markdown, whatever the client's parser:
    `<` `>` `[` `]` `*` and word-edge `_` become look-alikes (no `<at>`, link, image or
    emphasis can form), and a line that would be a heading starts with a zero-width space.
    A zero-width space splits every `{{`, so a `{{DATE(…)}}` someone typed is shown as typed,
    not as a date in the reader's locale. Lists stay lists: they ping nobody and read as typed."""
    text = _EDGE_UNDERSCORE.sub("\uff3f", text.translate(_LOOKALIKES))
    return _BLOCK_MARKER.sub("\u200b", _TEMPLATE_OPEN.sub("{\u200b", text))


def clip(raw: str, limit: int) -> str:
    """`raw` within `limit` characters, with a visible note of how much was cut."""
    if len(raw) <= limit:
        return raw
    room = limit - len(_NOTE.format(n=len(raw)))
    if room <= 0:
        return raw[: max(limit - 1, 0)] + "…"
    return raw[:room] + _NOTE.format(n=len(raw) - room)


def size(card: Element) -> int:
    return len(json.dumps(card).encode())


def text_block(text: str, **style: Any) -> Element:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def subtle(text: str) -> Element:
    return text_block(text, isSubtle=True, size="Small", spacing="Small")


def adaptive_card(body: list[Element], **extra: Any) -> Element:
    return {"type": "AdaptiveCard", "$schema": SCHEMA, "version": VERSION, "body": body, **extra}


@dataclass(frozen=True)
class Caps:
    """Characters allowed per text; halved until the card fits."""

    title: int = 300
    text: int = 3000
    value: int = 1000
    status: int = 1000
    item_text: int = 600

    def halved(self) -> Caps:
        return Caps(*(max(n // 2, 40) for n in (self.title, self.text, self.value,
                                                self.status, self.item_text)))  # fmt: skip


def needs_text(button: Button) -> tuple[str, bool] | None:
    """The label of the text a button needs first, and whether it is required."""
    if button.needs_text:
        return button.needs_text, True
    return (button.optional_text, False) if button.optional_text else None


def press_data(button: Button, verb: str | None = None) -> Element:
    return {"item": button.item, "version": button.version, "verb": verb or button.verb}


def execute(title: str, data: Element, style: Style = Style.DEFAULT) -> Element:
    """An Action.Execute with its Action.Submit fallback (same title and data)."""
    action: Element = {"type": "Action.Execute", "title": title[:80], "verb": data["verb"],
                       "data": data}  # fmt: skip
    if style in _STYLES:
        action["style"] = _STYLES[style]
    action["fallback"] = {"type": "Action.Submit", "title": title[:80], "data": data}
    return action


def action(button: Button, ids: Iterator[int]) -> Element:
    """One button: a plain Execute, or a ShowCard asking for the text and then executing."""
    asks = needs_text(button)
    if asks is None:
        return execute(button.label, press_data(button), button.style)
    label, required = asks
    n = next(ids)
    input_id = TEXT_INPUT if n == 1 else f"{TEXT_INPUT}_{n}"
    field: Element = {"type": "Input.Text", "id": input_id, "label": label[:200],
                      "isMultiline": True, "maxLength": MAX_INPUT_LENGTH,
                      "isRequired": required}  # fmt: skip
    if required:
        field["errorMessage"] = f"Please fill in: {label[:200]}"
    data = press_data(button) | {"input": input_id}
    inner = {"type": "AdaptiveCard", "body": [field],
             "actions": [execute(f"Send: {button.label}", data, button.style)]}  # fmt: skip
    show: Element = {"type": "Action.ShowCard", "title": button.label[:80], "card": inner}
    return show | ({"style": _STYLES[button.style]} if button.style in _STYLES else {})


def action_set(actions: list[Element]) -> list[Element]:
    return [{"type": "ActionSet", "actions": actions[:MAX_ACTIONS]}] if actions else []


def live_buttons(view: View, for_person: int | None) -> list[Button]:
    """All buttons for the shared copy or an actor; the customer starts for anyone else (a
    button naming the people it is for, as a PM's Edit, only to them on a private copy)."""
    if for_person is None:
        buttons = list(view.buttons)
    else:
        actor = not view.actors or for_person in view.actors
        buttons = [b for b in view.buttons if b.live_for(for_person, actor)]
    unique: dict[str, Button] = {}
    for b in buttons:
        unique.setdefault(b.verb, b)
    return list(unique.values())


def facts(fields: tuple[tuple[str, str], ...], caps: Caps) -> list[Element]:
    shown = [{"title": escape(clip(k, 200)), "value": escape(clip(v or "—", caps.value))}
             for k, v in fields[:MAX_FACTS]]  # fmt: skip
    blocks: list[Element] = [{"type": "FactSet", "facts": shown}] if shown else []
    if len(fields) > MAX_FACTS:
        blocks.append(subtle(f"…and {len(fields) - MAX_FACTS} more fields"))
    return blocks


def link_parts(link: str, caps: Caps) -> tuple[list[Element], list[Element]]:
    """An http(s) link opens from a button; anything else is shown as inert text."""
    if _SAFE_LINK.match(link) and len(link) <= 2048:
        return [], [{"type": "Action.OpenUrl", "title": "Open link", "url": link}]
    return [subtle("Link: " + escape(clip(link, caps.value)))], []


def status_blocks(view: View, caps: Caps) -> list[Element]:
    texts = [view.status, view.footer]
    return [subtle(escape(clip(t, caps.status))) for t in texts if t]


def main_body(view: View, for_person: int | None, caps: Caps, ids: Iterator[int]) -> list[Element]:
    body = [text_block(escape(clip(view.title, caps.title)), weight="Bolder", size="Medium")]
    if view.text:
        body.append(text_block(escape(clip(view.text, caps.text))))
    body += facts(view.fields, caps)
    link_blocks, link_actions = link_parts(view.link, caps) if view.link else ([], [])
    body += link_blocks + status_blocks(view, caps)
    actions = [action(b, ids) for b in live_buttons(view, for_person)]
    return body + action_set(actions + link_actions)


def item_container(item: View, for_person: int | None, caps: Caps, ids: Iterator[int]) -> Element:
    """A nested view, compact: title, the start of its text, status, its own buttons."""
    items = [text_block(escape(clip(item.title, caps.title)), weight="Bolder")]
    if item.text:
        items.append(text_block(escape(clip(item.text, caps.item_text))))
    items += status_blocks(replace(item, footer=""), caps)
    items += action_set([action(b, ids) for b in live_buttons(item, for_person)])
    return {"type": "Container", "separator": True, "spacing": "Medium", "items": items}


def refresh(view: View, viewer_aad_ids: Mapping[int, str] | None) -> Element | None:
    """Refresh for the people asked (theirs is the card with buttons), when there are any."""
    views = [view, *view.items]
    buttons = [b for v in views for b in v.buttons]
    actors = dict.fromkeys(a for v in views for a in v.actors)
    users = [viewer_aad_ids[a] for a in actors if viewer_aad_ids and a in viewer_aad_ids]
    if not buttons or not users:
        return None
    data = {"item": buttons[0].item, "verb": REFRESH_VERB}
    return {"action": {"type": "Action.Execute", "verb": REFRESH_VERB, "data": data},
            "userIds": users[:MAX_REFRESH_USERS]}  # fmt: skip


def addressed(card: Element, mris: Mapping[str, str]) -> Element:
    """The card with `refresh.userIds` as Teams wants them: each listed AAD object id as the
    person's MRI (`29:…`, the `from.id` of their activities); people without one are left
    out (with nobody left, refresh stays manual)."""
    refresh = card.get("refresh")
    if not isinstance(refresh, dict) or "userIds" not in refresh:
        return card
    users = [mris[u] for u in refresh["userIds"] if u in mris]
    return {**card, "refresh": {**refresh, "userIds": users}}


def build(
    view: View, viewer_aad_ids: Mapping[int, str] | None, for_person: int | None,
    caps: Caps, shown: int,
) -> Element:  # fmt: skip
    ids = itertools.count(1)
    body = main_body(view, for_person, caps, ids)
    body += [item_container(i, for_person, caps, ids) for i in view.items[:shown]]
    if shown < len(view.items):
        left = len(view.items) - shown
        body.append(subtle(f"…and {left} more: ask me for 'pending' to see them all"))
    extra = {"refresh": r} if (r := refresh(view, viewer_aad_ids)) else {}
    return adaptive_card(body, **extra)


def card(
    view: View, *, viewer_aad_ids: Mapping[int, str] | None, for_person: int | None
) -> Element:
    """One copy of a card. `for_person` None is the shared copy (every button; the core
    refuses people who may not act); an actor gets the buttons; anyone else the status
    (and the customer starts). `refresh.userIds` lists the actors' ids from
    `viewer_aad_ids`, placed as given, so each of them is re-rendered with buttons.
    Stays under 28,000 bytes of JSON: trailing nested items go first, then texts shrink;
    a view's chart comes in the room left (or not at all)."""
    caps, shown = Caps(), len(view.items)
    while True:
        built = build(view, viewer_aad_ids, for_person, caps, shown)
        if size(built) <= MAX_CARD_BYTES or (shown == 0 and caps == caps.halved()):
            return with_chart(built, view, MAX_CARD_BYTES)
        if shown > 0:
            shown -= 1
        else:
            caps = caps.halved()


def typed_text(data: Mapping[str, Any]) -> str | None:
    """The text typed into a ShowCard for this press (its input id is in `data["input"]`)."""
    input_id = data.get("input")
    value = data.get(input_id if isinstance(input_id, str) else TEXT_INPUT)
    return value if isinstance(value, str) else None


def text_reply(text: str) -> Element:
    """A private reply: the text, escaped, in a minimal card within the size limit."""
    limit = 12_000
    reply = adaptive_card([text_block(escape(clip(text, limit)))])
    while size(reply) > MAX_CARD_BYTES:
        limit //= 2
        reply = adaptive_card([text_block(escape(clip(text, limit)))])
    return reply
