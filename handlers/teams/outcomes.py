"""Showing the core's Answer in Teams: a card, a text, the card as it now stands, a form again."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from handlers.teams.card_forms import form_card
from handlers.teams.cards import card, text_reply
from workflow.dispatcher import Dispatcher
from workflow.presentation.answers import Answer, Origin, Pressed

# Teams takes a bot message of about 100 KB (UTF-16) and advises staying within 80 KB;
# the activity's own fields take a little of that.
MAX_MESSAGE_BYTES = 80_000
ENVELOPE_BYTES = 4_000
LEFT_OFF = (
    "Left off, to fit one Teams message: {names}. Ask for one format at a time "
    "(`export csv`, `export json`), use /loop export in Slack, or ask your administrator "
    "to run `clientloop export`."
)
GONE = "This item no longer exists."
DONE = "Done."


@dataclass(frozen=True)
class Reply:
    """What goes back to Teams: a card, or a short text."""

    text: str = ""
    card: dict[str, Any] | None = None


def reply_for(answer: Answer) -> Reply:
    """The answer to a message or a button, as Teams shows it."""
    if answer.need_text:
        return Reply(f"Please type the {answer.need_text.lower()} in the card first.")
    if answer.form is not None:
        return Reply(card=form_card(answer.form))
    if answer.files:
        return Reply(_inline_export(answer.text, answer.files))
    if answer.view is not None:
        view = answer.view
        return Reply(
            card=card(view, viewer_aad_ids=dict(view.actor_users), for_person=answer.viewer)
        )
    return Reply(answer.text)


async def after_press(door: Dispatcher, origin: Origin, press: Pressed, answer: Answer) -> Reply:
    """Done: the clicker's card shows the item as it now stands (the others are updated
    through the outbox); a refusal shows only to the clicker, and changes no card."""
    if answer.done:
        current = await door.card(origin, press.item)
        if current is not None:
            return reply_for(current)
    return reply_for(answer)


def in_a_message(answer: Answer) -> Reply:
    """A press made with a button's Action.Submit fallback, answered in a message: done, what
    was done (every copy of the card, the one pressed too, is updated through the outbox);
    else the refusal, the form or what still needs typing, as for an Action.Execute."""
    if answer.done:
        return Reply(answer.text or DONE)
    return reply_for(answer)


async def refreshed(door: Dispatcher, origin: Origin, item: str) -> Reply:
    """Teams asks for a card again (refresh.userIds): the item as this person sees it."""
    current = await door.card(origin, item)
    return reply_for(current) if current is not None else Reply(GONE)


def after_submit(answer: Answer) -> Reply:
    """A form card: errors come back on the fields, in the same card; success in a small card."""
    if not answer.errors:
        return Reply(card=text_reply(answer.text))
    if answer.form is None:
        return Reply(card=text_reply(" ".join(answer.errors.values())))
    errors = dict(answer.errors)
    if answer.refused:  # Teams shows a refusal of the whole form above its fields
        errors[""] = errors.pop(answer.main_field, "")
    return Reply(card=form_card(answer.form, errors=errors))


def _inline_export(summary: str, files: dict[str, str]) -> str:
    """Teams bots can attach files only after a consent card, so the files come inline:
    every file that fits in one message, in order, and a sentence naming any left off."""
    budget = MAX_MESSAGE_BYTES - ENVELOPE_BYTES - _size(summary) - _size(LEFT_OFF) * 2
    shown, left = [], []
    for name, text in files.items():
        part = f"**{name}**\n```\n{text}```"
        if _size(part) <= budget:
            shown.append(part)
            budget -= _size(part) + 4
        else:
            left.append(name)
    note = [LEFT_OFF.format(names=", ".join(left))] if left else []
    return "\n\n".join([summary, *shown, *note])


def _size(text: str) -> int:
    """Bytes as Teams counts a message's size (UTF-16)."""
    return len(text.encode("utf-16-le"))
