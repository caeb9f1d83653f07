"""Commands: what someone asks the core to do, in the imperative, platform-neutral."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from workflow.domain.people import Identity
from workflow.domain.schedule import Cadence


@dataclass(frozen=True)
class PersonRef:
    """A person as an adapter knows them: identity, and name and zone when it has them."""

    identity: Identity
    display_name: str = ""
    timezone: str | None = None


@dataclass(frozen=True, kw_only=True)
class Command:
    """Every command says who asks (None for the scheduler), when, and its inbound event id."""

    actor: PersonRef | None
    at: datetime
    event_id: str | None = None

    def __post_init__(self) -> None:
        if self.at.tzinfo is None or self.at.utcoffset() is None:
            raise ValueError(f"{type(self).__name__}.at must be timezone-aware, not {self.at}")


@dataclass(frozen=True, kw_only=True)
class RunSchedule(Command):
    """The scheduler's work for one project at `at`: due check-ins, reminders, misses,
    chasing open decisions, escalations and the weekly digest (actor is None)."""

    project_id: int
    cadence: Cadence = field(default_factory=Cadence)


@dataclass(frozen=True)
class Reply:
    """What the person who sent a command is told back (privately)."""

    text: str
    subject_id: int | None = None
    duplicate: bool = False
    # Work the command left for a transaction of its own (a fan-out's next batch): whoever
    # ran the command runs this next, and so on until a reply has none.
    follow_up: Command | None = None
    # False: the command only looked (an evidence record): its text is the answer itself,
    # and no card changed (Teams shows the text, not the pressed card again).
    changed: bool = True
