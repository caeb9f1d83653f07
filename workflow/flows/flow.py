"""The shape of a flow: everything one item kind brings, declared in one place.

Each flow module ends with one `FLOW = Flow(...)`; `workflow.flows` lists them, and every
central table (command and event handlers, words, presses, forms, cards, aggregates) is
derived from that list, so a flow cannot be half-registered.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from workflow.domain.commands import Command, Reply
from workflow.domain.events import Event
from workflow.domain.insight import PendingItem
from workflow.domain.people import Identity
from workflow.domain.permissions import Act
from workflow.domain.projects import Project
from workflow.domain.states import Machine
from workflow.domain.views import View
from workflow.ports import UnitOfWork
from workflow.presentation.cards import Names
from workflow.presentation.forms import Context, Errors, Form, FormKind, Values, Who
from workflow.presentation.presses import OpenForm, Outcome, Press
from workflow.presentation.words import Here

CommandHandler = Callable[[Any, UnitOfWork], Awaitable[Reply]]
EventHandler = Callable[[Any, UnitOfWork], Awaitable[None]]
# What a command's use case would refuse, asked in a read transaction (nothing written):
# a press that needs typed text is checked so before its form opens.
Check = Callable[[Any, UnitOfWork], Awaitable[None]]
Opener = Callable[[UnitOfWork, OpenForm, Identity], Awaitable[Form]]
Card = Callable[[Any, Project, Names, int | None], View]


@dataclass(frozen=True)
class Waiting:
    """One item waiting on one person.

    `decision` marks what the scheduler chases and a check-in carries with its buttons (a
    change request, a sign-off, a report); `asked` is when this person was last asked (for
    the chase), `version` which version they are asked about, `item` the loaded aggregate.
    """

    pending: PendingItem
    item: Any
    decision: bool = False
    version: int = 0
    asked: datetime | None = None


Waiter = Callable[[UnitOfWork, Project], Awaitable[list[Waiting]]]


@dataclass(frozen=True)
class Opening:
    """What a simple form is built from: its context, prefills, and the (checked) project."""

    context: Context
    prefill: Mapping[str, str]
    project: Project | None


@dataclass(frozen=True)
class FormEntry:
    """One form: who may open it, how it is built and parsed, and where refusals show.

    `act` is checked against the project in the form's context before `build` runs; a form
    that finds its project another way (from an item, or none at all) gives an `opener`,
    which makes its own checks. `check` is what the use case would refuse about the parsed
    command, asked in a read transaction before the submission is acknowledged, so Slack
    can show it on its field while the modal is still open.
    """

    kind: FormKind
    main_field: str
    parse: Callable[[Values, Context, Who, Errors], Command]
    build: Callable[[Opening], Form] | None = None
    act: Act | None = None
    opener: Opener | None = None
    check: Check | None = None


@dataclass(frozen=True)
class Word:
    """A command word (`/loop change`, `@clientloop change`): its help line and what it starts."""

    word: str
    usage: str
    does: str
    act: Act | None  # None: anyone in the project (or anyone at all, with needs_project=False)
    start: Callable[[str, Here], Outcome]
    needs_project: bool = True
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Item:
    """An item kind people press buttons on: its aggregate, buttons and current card."""

    kind: str  # as in card keys and button values: "change_request:12"
    aggregate: type[Any] | None
    press: Callable[[Press], Outcome | None]
    text_labels: Mapping[str, tuple[str, bool]] = field(default_factory=dict)
    card: Card | None = None
    noun: str = ""  # how reminders name it: "this <noun> is waiting on you"
    # Which copy of the card a person holds, when copies differ by person (default: one key).
    copy_key: Callable[[Any, int], str] | None = None
    # A card that needs more reads than its aggregate (a check-in's carried decisions).
    current: Callable[[UnitOfWork, Any, Project, Names, int | None], Awaitable[View]] | None = None

    @property
    def called(self) -> str:
        return self.noun or self.kind.replace("_", " ")


@dataclass(frozen=True)
class Flow:
    name: str
    commands: Mapping[type[Command], CommandHandler] = field(default_factory=dict)
    events: Mapping[type[Event], Sequence[EventHandler]] = field(default_factory=dict)
    checks: Mapping[type[Command], Check] = field(default_factory=dict)
    words: Sequence[Word] = ()
    forms: Sequence[FormEntry] = ()
    items: Sequence[Item] = ()
    machines: Sequence[Machine[Any, Any]] = ()  # its state tables, for the tests to walk
    waiting: Waiter | None = None  # its items that wait on people (pending, chases, Home)
