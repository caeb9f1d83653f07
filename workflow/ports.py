"""The core's ports: repositories, the unit of work, the notifier and the clock, as Protocols."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol, Self, TypeVar

from workflow.domain.audit import AuditEntry, AuditKeys, ChainHead
from workflow.domain.chases import Chase, DigestRun
from workflow.domain.events import Event
from workflow.domain.insight import Missed, PendingItem
from workflow.domain.people import Identity, Person, Platform, Workspace
from workflow.domain.projects import Project
from workflow.domain.views import Outgoing, View

T = TypeVar("T")


class AnyOf(frozenset[object]):
    """A `find` filter: the attribute equals any of these values (SQL `IN`)."""

    def __new__(cls, *values: object) -> AnyOf:
        return super().__new__(cls, values)


@dataclass(frozen=True)
class After:
    """A `find` filter: the attribute is later than (greater than) this value."""

    value: object


@dataclass(frozen=True)
class AtMost:
    """A `find` filter: the attribute is set and no later than (at most) this value."""

    value: object


class Includes(dict[str, object]):
    """A `find` filter on a child list: some child matches these filters (SQL `IN (SELECT ...)`).

    `projects.find(participants=Includes(person_id=7))` is every project person 7 takes part in.
    """


class Repository(Protocol[T]):
    """Aggregates of one kind; `lock` takes a row lock where the database has them.

    `find` filters by equality on the root's attributes (None is "is null"); a value may
    also be `AnyOf`, `After`, `AtMost` or, for a child list, `Includes`, so a read asks the database
    for exactly the rows it shows.
    """

    async def add(self, item: T) -> None: ...

    async def get(self, item_id: int, *, lock: bool = False) -> T | None: ...

    async def find(self, **where: object) -> list[T]: ...

    async def get_many(self, item_ids: Iterable[int]) -> list[T]:
        """The aggregates with these ids (missing ones are left out), in one query."""
        ...


@dataclass(frozen=True)
class Here:
    """Who asks and the project of the channel they ask in, as a read sees them."""

    viewer: int | None  # the person's id; None when they were never seen
    project: Project | None  # with its participants
    names: Mapping[int, str] = field(default_factory=dict)  # labels of the project's people


# A question for `Views.having`: an aggregate kind and `find` filters on its rows.
Rows = tuple[type, Mapping[str, object]]


@dataclass(frozen=True)
class Shown:
    """A row of `Views.waiting`: what waits on whom, `flow` the index of its aggregate in
    the question, `rank` the person's place among those the item waits on."""

    pending: PendingItem
    flow: int
    rank: int


class Views(Protocol):
    """The read model: what requests only show, asked in few indexed statements.

    What it returns is detached (no session tracks it), so it is for showing, never for
    changing. `having` is the cheap check before loading: which projects have any row
    that matches each question at all.
    """

    async def here(
        self, identity: Identity, platform: Platform, workspace_id: str, channel_id: str
    ) -> Here:
        """The person and the channel's project (an open one before a closed one)."""
        ...

    async def person_id(self, identity: Identity) -> int | None: ...

    async def person(self, identity: Identity) -> Person | None: ...

    async def channel_projects(
        self, platform: Platform, workspace_id: str, channel_id: str
    ) -> set[int]:
        """The ids of every project bound to that channel, open or closed."""
        ...

    async def owner_of(self, kind: type, item_id: int) -> int | None:
        """The project of one aggregate of `kind`; None when there is no such row."""
        ...

    async def project(self, project_id: int) -> tuple[Project | None, dict[int, str]]:
        """A project with its participants, and their labels."""
        ...

    async def open_projects_of(self, person_id: int) -> tuple[list[Project], dict[int, str]]:
        """The open projects the person takes part in, with their participants, and the
        labels of those participants."""
        ...

    async def mine(self, identity: Identity) -> tuple[Person | None, list[Project], dict[int, str]]:
        """The person, with `open_projects_of` them (one question, for the Home)."""
        ...

    async def names(self, person_ids: Iterable[int]) -> dict[int, str]:
        """People's labels; ids of nobody are left out."""
        ...

    async def missed_checkins(
        self, project_id: int, since: date, limit: int
    ) -> tuple[list[Missed], int]:
        """The first `limit` check-ins the project's customers missed from week `since` on
        (newest first), and how many there are."""
        ...

    async def having(
        self, questions: Sequence[Rows], project_ids: Sequence[int]
    ) -> set[tuple[int, int]]:
        """(question index, project id) for each project with a matching row; a
        `Views` that cannot tell cheaply answers every pair."""
        ...

    async def find(self, kind: type[T], **where: object) -> list[T]:
        """Aggregates with their child lists, filtered as `Repository.find` (detached)."""
        ...

    async def waiting(
        self,
        aggregates: Sequence[type],
        project_ids: Sequence[int],
        person_id: int | None,
        limit: int,
    ) -> tuple[list[Shown], set[type]]:
        """What the open items of `aggregates` in these projects wait on (on `person_id`
        only, unless None), oldest first, at most `limit` rows; and the aggregates it could
        answer so (the others are for the flows' own `waiting`)."""
        ...


class Agenda(Protocol):
    """When each project next has scheduler work (`projects.next_due_at`, indexed).

    The tick reads `due`; a scheduler `claim`s a project before working it and `plan`s its
    next moment after; any change that can make work due sooner `wake`s the project.
    """

    async def due(
        self, now: datetime, limit: int, after: tuple[datetime, int] | None = None
    ) -> list[tuple[datetime, int]]:
        """Up to `limit` (next due, project id) pairs due by `now`, earliest first, after
        the pair `after` (so one tick can page on past projects it could not work)."""
        ...

    async def claim(self, project_id: int, now: datetime) -> bool:
        """Lock the project's row if it is due by `now` and no other transaction holds it
        (PostgreSQL skips a locked row); False when there is nothing to claim."""
        ...

    async def plan(self, project_id: int, at: datetime | None) -> None:
        """Set the project's next due moment (None: nothing can fall due any more)."""
        ...

    async def wake(self, project_id: int, at: datetime) -> None:
        """Bring an open project's next due moment forward to `at` (never later)."""
        ...


class AuditLog(Protocol):
    # What new entries are sealed and old ones checked with (given by the composition root).
    keys: AuditKeys

    async def head(self, *, lock: bool = False) -> ChainHead | None: ...

    async def store(self, *entries: AuditEntry) -> None:
        """Append entries (in chain order) and move the head to the last of them."""
        ...

    async def append(self, seal: Callable[[ChainHead | None], Sequence[AuditEntry]]) -> None:
        """Store the entries `seal` makes on the head, holding the head till the transaction
        ends. `seal` may be called twice: on the head the log last saw, and, if another
        writer moved it since, on the head read under its lock."""
        ...

    async def entries(self, project_id: int | None = None) -> Sequence[AuditEntry]:
        """The trail in order; only one project's entries when `project_id` is given."""
        ...


class Outbox(Protocol):
    async def put(self, message: Outgoing, at: datetime) -> None: ...


class InboundLog(Protocol):
    async def first_time(self, key: str, at: datetime) -> bool:
        """Record an inbound event id; False when it was seen before."""
        ...


class UnitOfWork(Protocol):
    """One transaction: repositories, the audit log, the outbox and the events raised."""

    people: Repository[Person]
    workspaces: Repository[Workspace]
    projects: Repository[Project]
    chases: Repository[Chase]
    digests: Repository[DigestRun]
    agenda: Agenda
    audit: AuditLog
    outbox: Outbox
    inbound: InboundLog
    events: list[Event]

    def repo(self, kind: type[T]) -> Repository[T]:
        """The repository of one aggregate kind (every flow's items come this way)."""
        ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(self, *args: object) -> None: ...

    async def flush(self) -> None: ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...


@dataclass(frozen=True)
class Address:
    """Where one copy of a message goes: a platform installation and a conversation.

    For a direct message `conversation_id` is the person's platform user id and
    `person_id` is set; the adapter opens (or finds) the conversation itself.
    """

    platform: Platform
    workspace_id: str
    conversation_id: str
    person_id: int | None = None


@dataclass(frozen=True)
class Receipt:
    """What a platform said about one delivery: its message id, or why it failed."""

    message_id: str | None = None
    conversation_id: str | None = None
    error: str | None = None
    permanent: bool = False
    retry_after: float | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


class Notifier(Protocol):
    """Delivers views to one chat platform (each adapter implements it)."""

    async def send(self, view: View, address: Address) -> Receipt: ...

    async def update(self, view: View, address: Address, message_id: str) -> Receipt: ...


class Clock(Protocol):
    def now(self) -> datetime: ...
