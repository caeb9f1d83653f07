"""Each process's heartbeat in `processes`, written every few seconds, read by `status`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from workflow.persistence.db import write_turn
from workflow.persistence.dialects import insert_for
from workflow.persistence.errors import database_errors
from workflow.persistence.tables_delivery import processes

FORGET_AFTER = timedelta(days=1)  # a process gone this long leaves no row behind


@dataclass(frozen=True)
class Seen:
    """One process as its last heartbeat left it."""

    id: str
    host: str
    pid: int
    role: str
    started_at: datetime
    seen_at: datetime
    sending: bool


Sessions = async_sessionmaker[AsyncSession]


async def beat(sessions: Sessions, seen: Seen) -> None:
    """Write this process's heartbeat, and forget processes silent for a day."""
    bind = sessions.kw["bind"]
    insert = insert_for(bind.dialect.name, processes).values(**vars(seen))
    upsert = insert.on_conflict_do_update(
        index_elements=[processes.c.id],
        set_={"seen_at": insert.excluded.seen_at, "sending": insert.excluded.sending},
    )
    forgotten = processes.c.seen_at < seen.seen_at - FORGET_AFTER
    with database_errors():
        async with write_turn(sessions), sessions() as session, session.begin():
            await session.execute(upsert)
            await session.execute(delete(processes).where(forgotten))


async def leave(sessions: Sessions, process_id: str) -> None:
    """A process that stops cleanly leaves no heartbeat to wait out."""
    with database_errors():
        async with write_turn(sessions), sessions() as session, session.begin():
            await session.execute(delete(processes).where(processes.c.id == process_id))


async def recent(sessions: Sessions, since: datetime) -> list[Seen]:
    """The processes heard from since `since`, the sender first, then by host and pid."""
    query = (
        select(processes)
        .where(processes.c.seen_at >= since)
        .order_by(processes.c.sending.desc(), processes.c.host, processes.c.pid)
    )
    with database_errors():
        async with sessions() as session:
            return [Seen(**row._mapping) for row in await session.execute(query)]
