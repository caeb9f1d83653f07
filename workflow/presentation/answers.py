"""What the adapters hand the dispatcher (where, who, what they did) and what it answers."""

from __future__ import annotations

from dataclasses import dataclass, field

from workflow.domain.commands import PersonRef
from workflow.domain.people import Identity, Platform
from workflow.domain.views import View
from workflow.presentation.forms import Context, Form, FormKind
from workflow.presentation.presses import OpenForm


@dataclass(frozen=True)
class Origin:
    """What the platform signed: never taken from form or card data."""

    platform: Platform
    workspace_id: str
    channel_id: str  # channel or conversation; "" when there is none
    actor: PersonRef
    personal: bool = False  # a Teams personal chat
    workspace_name: str = ""
    event_id: str | None = None

    @property
    def identity(self) -> Identity:
        return self.actor.identity


@dataclass(frozen=True)
class Words:
    """A command typed to the bot (`/loop change`, `@clientloop change`); each person
    @mentioned in it is written `@name` in `text` (`written`) and listed in `mentions`."""

    text: str
    mentions: tuple[PersonRef, ...] = ()


def written(person: PersonRef) -> str:
    """How an adapter writes a mention into the `Words` it hands the core: `@name`."""
    return "@" + (person.display_name or person.identity.user_id)


@dataclass(frozen=True)
class Pressed:
    """A button on one of our messages: the verb, and the item and version it was shown with."""

    verb: str
    item: str
    version: int | None = None
    text: str | None = None


@dataclass(frozen=True)
class Submitted:
    """A filled-in form; user pickers already resolved to `PersonRef`s by the adapter."""

    kind: FormKind
    values: dict[str, object]
    context: Context


Doing = Words | Pressed | Submitted | OpenForm


@dataclass(frozen=True)
class Answer:
    """What the person sees back; the adapter only renders it.

    `errors` are by field name (a refusal of the whole submission sits on the form's main
    field) and come with the form again, holding the values typed. `need_text` is the
    label of what a press still needs typed; `form` then asks for it. `done`: a command
    was carried out; `refused`: nothing was changed, and `text` or `errors` say why.
    """

    text: str = ""
    form: Form | None = None
    errors: dict[str, str] = field(default_factory=dict)
    view: View | None = None
    viewer: int | None = None  # the person the view is shown to, when they are known
    files: dict[str, str] = field(default_factory=dict)  # name -> text
    need_text: str = ""
    refused: bool = False
    done: bool = False
    main_field: str = ""  # where `errors` shows a refusal of the whole form
