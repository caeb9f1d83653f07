"""A button press and what it can come to: a command, a form to open, or something to show.

Each flow says what its buttons mean (`Item.press`); `workflow.interpreter` looks them up,
so a click means the same on Slack and on Teams. A press whose button needs typed text (a
reason, remarks, a question) first comes back as `NeedText`; the adapter asks for the text
and the press is made again with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from workflow.domain import commands as c
from workflow.domain.commands import PersonRef
from workflow.domain.errors import Refused
from workflow.presentation.forms import Context, FormKind

GONE = "That button no longer points at anything; please use a newer message."


class ShowWhat(StrEnum):
    HELP = "help"
    PENDING = "pending"
    DIGEST = "digest"
    EXPORT = "export"


@dataclass(frozen=True)
class OpenForm:
    """A form to open; `prefill` holds typed values, `people` those chosen in user fields."""

    kind: FormKind
    context: Context = field(default_factory=dict)
    prefill: dict[str, str] = field(default_factory=dict)
    people: dict[str, tuple[PersonRef, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Show:
    what: ShowWhat
    project_id: int | None = None
    note: str = ""
    formats: tuple[str, ...] = ()  # an export's formats ("csv", "json"); none named: all


@dataclass(frozen=True)
class NeedText:
    """A press that needs typed text first; `command` is what it makes without the text,
    which the flow's check asks of before the form opens (None: nothing to check)."""

    label: str
    required: bool
    context: Context
    command: c.Command | None = None


Outcome = c.Command | OpenForm | Show | NeedText


@dataclass(frozen=True)
class Press:
    """One button press: the verb, the item and version it was shown with, and who pressed."""

    verb: str
    item: str
    version: int | None
    actor: PersonRef
    at: datetime
    text: str | None = None
    event_id: str | None = None

    @property
    def kind(self) -> str:
        return self.item.split(":", 1)[0]

    @property
    def item_id(self) -> int:
        try:
            return int(self.item.split(":", 1)[1])
        except (IndexError, ValueError):
            raise Refused(GONE) from None

    @property
    def verb_id(self) -> int:
        """The id a verb carries after its name ("answer_question:7" -> 7)."""
        try:
            return int(self.verb.split(":", 1)[1])
        except (IndexError, ValueError):
            raise Refused(GONE) from None

    @property
    def base_verb(self) -> str:
        return self.verb.split(":", 1)[0]
