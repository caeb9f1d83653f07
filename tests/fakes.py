"""Hand-written fakes: an in-memory unit of work with real transactions, and spies."""

from __future__ import annotations

import copy
import dataclasses
import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, Self, TypeVar

from workflow.domain.audit import UNKEYED, AuditEntry, AuditKeys, ChainHead
from workflow.domain.events import Event
from workflow.domain.views import Outgoing
from workflow.ports import After, AnyOf, AtMost, Includes, Receipt

T = TypeVar("T")
# The named repositories of the unit of work; every flow's aggregates come through
# `repo(kind)` and are kept under the kind's class name.
REPOSITORIES = ("people", "workspaces", "projects", "chases", "digests")


@dataclass
class Store:
    """Everything committed so far; a unit of work edits a deep copy of it."""

    items: dict[str, list[Any]] = field(default_factory=lambda: defaultdict(list))
    audit: list[AuditEntry] = field(default_factory=list)
    head: ChainHead | None = None
    outbox: list[tuple[Outgoing, datetime]] = field(default_factory=list)
    inbound: set[str] = field(default_factory=set)
    due: dict[int, datetime | None] = field(default_factory=dict)
    ids: Any = field(default_factory=lambda: itertools.count(1))
    commits: int = 0

    def sent(self) -> list[Outgoing]:
        return [message for message, _ in self.outbox]


def assign_ids(obj: Any, ids: Any) -> None:
    """Give every dataclass in the tree an id, as a database flush would."""
    if not dataclasses.is_dataclass(obj) or isinstance(obj, type):
        return
    if hasattr(obj, "id") and obj.id is None:
        obj.id = next(ids)
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if isinstance(value, list):
            for child in value:
                assign_ids(child, ids)


class FakeRepository(Generic[T]):
    def __init__(self, items: list[T], ids: Any) -> None:
        self.items, self.ids = items, ids

    async def add(self, item: T) -> None:
        assign_ids(item, self.ids)
        self.items.append(item)

    async def get(self, item_id: int, *, lock: bool = False) -> T | None:
        return next((i for i in self.items if getattr(i, "id", None) == item_id), None)

    async def get_many(self, item_ids: Iterable[int]) -> list[T]:
        wanted = set(item_ids)
        return [i for i in self.items if getattr(i, "id", None) in wanted]

    async def find(self, **where: object) -> list[T]:
        return [i for i in self.items if matches(i, where)]


def matches(item: object, where: dict[str, object]) -> bool:
    """What `SqlRepository.find` selects, in Python: equality, `AnyOf`, `After`, `Includes`."""
    for name, wanted in where.items():
        value = getattr(item, name)
        if isinstance(wanted, AnyOf):
            ok = value in wanted
        elif isinstance(wanted, After):
            ok = value > wanted.value
        elif isinstance(wanted, AtMost):
            ok = value is not None and value <= wanted.value
        elif isinstance(wanted, Includes):
            ok = any(matches(child, dict(wanted)) for child in value)
        else:
            ok = value == wanted
        if not ok:
            return False
    return True


class FakeAgenda:
    """Next-due moments by project id; a project never planned is due when it was created."""

    def __init__(self, due: dict[int, datetime | None], projects: list[Any]) -> None:
        self.due_, self.projects = due, projects

    def _at(self, project: Any) -> datetime | None:
        return self.due_.get(project.id, project.created_at)

    async def due(
        self, now: datetime, limit: int, after: tuple[datetime, int] | None = None
    ) -> list[tuple[datetime, int]]:
        pairs = sorted(
            (at, p.id) for p in self.projects if (at := self._at(p)) is not None and at <= now
        )
        return [pair for pair in pairs if after is None or pair > after][:limit]

    async def claim(self, project_id: int, now: datetime) -> bool:
        at = next((self._at(p) for p in self.projects if p.id == project_id), None)
        return at is not None and at <= now

    async def plan(self, project_id: int, at: datetime | None) -> None:
        self.due_[project_id] = at

    async def wake(self, project_id: int, at: datetime) -> None:
        project = next((p for p in self.projects if p.id == project_id), None)
        if project is None or project.state.value == "closed":
            return
        current = self._at(project)
        if current is None or current > at:
            self.due_[project_id] = at


class FakeAuditLog:
    def __init__(
        self, entries: list[AuditEntry], head: ChainHead | None, keys: AuditKeys = UNKEYED
    ) -> None:
        self.entries_, self.head_, self.keys = entries, head, keys

    async def head(self, *, lock: bool = False) -> ChainHead | None:
        return self.head_

    async def store(self, *entries: AuditEntry) -> None:
        for entry in entries:
            self.entries_.append(entry)
            self.head_ = ChainHead(entry.seq, entry.hash)

    async def append(self, seal: Callable[[ChainHead | None], Sequence[AuditEntry]]) -> None:
        await self.store(*seal(self.head_))

    async def entries(self, project_id: int | None = None) -> Sequence[AuditEntry]:
        return [e for e in self.entries_ if project_id is None or e.project_id == project_id]


class FakeOutbox:
    def __init__(self, rows: list[tuple[Outgoing, datetime]]) -> None:
        self.rows = rows

    async def put(self, message: Outgoing, at: datetime) -> None:
        self.rows.append((message, at))


class FakeInbound:
    def __init__(self, seen: set[str]) -> None:
        self.seen = seen

    async def first_time(self, key: str, at: datetime) -> bool:
        if key in self.seen:
            return False
        self.seen.add(key)
        return True


class FakeUnitOfWork:
    """A unit of work over a deep copy of the store: commit publishes it, anything else drops it."""

    def __init__(self, store: Store, audit_keys: AuditKeys = UNKEYED) -> None:
        self.store, self.audit_keys = store, audit_keys
        self.events: list[Event] = []
        self.committed = False

    async def __aenter__(self) -> Self:
        # Aggregates are mutable, so they are copied deeply; the audit trail and the outbox
        # only ever grow, so a copy of each list is enough to drop what a rollback drops.
        self.work = (
            copy.deepcopy(self.store.items),
            list(self.store.audit),
            self.store.head,
            list(self.store.outbox),
            set(self.store.inbound),
            dict(self.store.due),
        )
        items, audit, head, outbox, inbound, due = self.work
        for name in REPOSITORIES:
            setattr(self, name, FakeRepository(items[name], self.store.ids))
        self.repos: dict[str, FakeRepository[Any]] = {}
        self.agenda = FakeAgenda(due, items["projects"])
        self.audit = FakeAuditLog(audit, head, self.audit_keys)
        self.outbox = FakeOutbox(outbox)
        self.inbound = FakeInbound(inbound)
        return self

    def repo(self, kind: type[T]) -> FakeRepository[T]:
        name = kind.__name__
        if name not in self.repos:
            self.repos[name] = FakeRepository(self.work[0][name], self.store.ids)
        return self.repos[name]

    async def __aexit__(self, *args: object) -> None:
        self.events.clear()

    async def flush(self) -> None:
        for items in self.work[0].values():
            for item in items:
                assign_ids(item, self.store.ids)

    async def commit(self) -> None:
        await self.flush()
        items, audit, _, outbox, inbound, due = self.work
        self.store.items, self.store.audit, self.store.outbox = items, audit, outbox
        self.store.due = due
        self.store.head, self.store.inbound = self.audit.head_, inbound
        self.store.commits += 1
        self.committed = True

    async def rollback(self) -> None:
        """Nothing to undo: the store is only replaced on commit."""


@dataclass
class Delivery:
    """One call a notifier received."""

    kind: str
    view: Any
    address: Any
    message_id: str


class FakeNotifier:
    """A spy notifier: records every send and update; can be told to fail the next calls."""

    def __init__(self) -> None:
        self.calls: list[Delivery] = []
        self.failures: list[Receipt] = []
        self.counter = itertools.count(1)

    def fail_next(self, *receipts: Receipt) -> None:
        self.failures.extend(receipts)

    async def send(self, view: Any, address: Any) -> Receipt:
        if self.failures:
            return self.failures.pop(0)
        message_id = f"m{next(self.counter)}"
        self.calls.append(Delivery("send", view, address, message_id))
        # A DM lands in a conversation of its own, as on Slack (D…) and Teams.
        dm = address.person_id is not None
        conversation = f"D-{address.conversation_id}" if dm else address.conversation_id
        return Receipt(message_id=message_id, conversation_id=conversation)

    async def update(self, view: Any, address: Any, message_id: str) -> Receipt:
        if self.failures:
            return self.failures.pop(0)
        self.calls.append(Delivery("update", view, address, message_id))
        return Receipt(message_id=message_id, conversation_id=address.conversation_id)

    @property
    def sent(self) -> list[Delivery]:
        return [c for c in self.calls if c.kind == "send"]

    @property
    def updated(self) -> list[Delivery]:
        return [c for c in self.calls if c.kind == "update"]


class FixedClock:
    def __init__(self, now: datetime) -> None:
        self.at = now

    def now(self) -> datetime:
        return self.at
