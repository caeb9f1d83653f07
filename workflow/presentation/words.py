"""Command words, generically: splitting what was typed, and where it was typed.

Which words exist, and what each starts, is declared by the flows (`Flow.words`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from workflow.domain.commands import Command, PersonRef
from workflow.presentation.answers import written
from workflow.presentation.forms import Context, FormKind
from workflow.presentation.presses import OpenForm, Outcome

Start = Callable[[str, "Here"], Outcome]


@dataclass(frozen=True)
class Here:
    """Where and by whom the words were typed: the channel's project (if any), and when;
    `mentions` are the people @mentioned in the words, in order (`answers.written`)."""

    project_id: int | None
    actor: PersonRef
    at: datetime
    event_id: str | None = None
    mentions: tuple[PersonRef, ...] = ()

    @property
    def context(self) -> Context:
        return {"project_id": self.project_id}

    def stamp(self) -> dict[str, Any]:
        """Who, when, which event and which project: what every command started here carries."""
        return {
            "actor": self.actor,
            "at": self.at,
            "event_id": self.event_id,
            "project_id": self.project_id,
        }


def after_mentions(rest: str, here: Here, count: int | None = None) -> str:
    """`rest` without the mentions it starts with (the first `count` of them, or all)."""
    for person in here.mentions[:count]:
        if not rest.startswith(written(person)):
            break
        rest = rest.removeprefix(written(person)).lstrip()
    return rest


def form_or_now(kind: FormKind, now: Callable[[Here, str], Command]) -> Start:
    """A word that opens `kind`'s form, or, with text after it, does it at once."""

    def start(rest: str, here: Here) -> Outcome:
        return now(here, rest) if rest else OpenForm(kind, here.context)

    return start


def form_with(kind: FormKind, text: str, person: str = "") -> Start:
    """A word that opens `kind`'s form with the person mentioned first chosen in the user
    field `person`, and the rest of the words (that mention left out) in `text`."""

    def start(rest: str, here: Here) -> Outcome:
        named = here.mentions[:1] if person else ()
        typed = after_mentions(rest, here, len(named))
        prefill = {text: typed} if text and typed else {}
        return OpenForm(kind, here.context, prefill, {person: named} if named else {})

    return start


def split(text: str, aliases: Mapping[str, str]) -> tuple[str, str]:
    """The command word (lower case, aliases resolved) and the rest of the text."""
    parts = text.strip().split(maxsplit=1)
    if not parts:
        return "help", ""
    word = aliases.get(parts[0].lower(), parts[0].lower())
    rest = parts[1].strip() if len(parts) > 1 else ""
    if parts[0].lower() == "back":
        rest = "off"
    return word, rest
