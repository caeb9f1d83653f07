"""The one place that wires the core: engine, unit of work, bus, sender and notifiers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from workflow.db import make_engine, make_sessionmaker
from workflow.delivery import Sender
from workflow.domain.people import Platform
from workflow.messagebus import MessageBus
from workflow.outbox_store import OutboxStore
from workflow.ports import Clock, Notifier, UnitOfWork
from workflow.services import make_bus
from workflow.unit_of_work import SqlUnitOfWork


class SystemClock:
    """The real clock; the core only ever gets time as an argument from here."""

    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class Runtime:
    """Everything a process needs to handle commands and deliver what they cause."""

    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    bus: MessageBus
    sender: Sender
    clock: Clock
    notifiers: dict[Platform, Notifier] = field(default_factory=dict)

    def uow(self) -> UnitOfWork:
        return SqlUnitOfWork(self.sessions)

    async def close(self, *, dispose: bool = True) -> None:
        await self.sender.drain()
        if dispose:
            await self.engine.dispose()


def bootstrap(
    database_url: str,
    *,
    engine: AsyncEngine | None = None,
    notifiers: Mapping[Platform, Notifier] | None = None,
    clock: Clock | None = None,
    deliver_after_commit: bool = True,
) -> Runtime:
    """Build the runtime; the sender is kicked after every commit unless told otherwise."""
    engine = engine or make_engine(database_url)
    sessions = make_sessionmaker(engine)
    clock = clock or SystemClock()
    chosen = dict(notifiers or {})

    def uow_factory() -> UnitOfWork:
        return SqlUnitOfWork(sessions)

    sender = Sender(OutboxStore(sessions), uow_factory, chosen, clock)
    after = sender.kick_after_commit if deliver_after_commit else None
    bus = make_bus(uow_factory, after_commit=after)
    return Runtime(engine, sessions, bus, sender, clock, chosen)
