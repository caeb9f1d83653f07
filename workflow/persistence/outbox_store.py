"""The delivery side of the outbox: claim due rows under a lease, record results and card copies."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, Row, Select, and_, case, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from workflow.domain.people import Platform
from workflow.domain.views import Outgoing
from workflow.persistence.db import write_turn
from workflow.persistence.errors import database_errors
from workflow.persistence.outbox_claim import (
    PENDING,
    RECORD_COLUMNS,
    UNDELIVERABLE,
    UPDATE,
    OutboxRecord,
    coalesced,
)
from workflow.persistence.outbox_rows import (
    COPY_COLUMNS,
    MARK_SENT,
    PUT_BACK,
    CardCopyRecord,
    SentRow,
    insert_new_copies,
    outbox_row,
)
from workflow.persistence.tables import people, projects, workspaces
from workflow.persistence.tables_delivery import card_copies, outbox


class OutboxStore:
    """Each method is its own short transaction on its own session.

    Lookups that write nothing (`copies`, `user_ids`, `pending_count`) run on
    `read_sessionmaker` when given: on SQLite they then never wait for, or hold up, the one
    writer.
    """

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        read_sessionmaker: async_sessionmaker[AsyncSession] | None = None,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.read_sessionmaker = read_sessionmaker or sessionmaker

    async def claim(self, now: datetime, limit: int, lease_seconds: float) -> list[OutboxRecord]:
        """Lease up to `limit` due rows; no row is handed to two claimers at once.

        PostgreSQL skips rows another claimer has locked; the UPDATE re-checks the lease
        (compare-and-set), which is what makes it safe on SQLite too.
        """
        free = or_(outbox.c.lease_until.is_(None), outbox.c.lease_until < now)
        until = now + timedelta(seconds=lease_seconds)
        due = (
            select(outbox.c.id)
            .where(outbox.c.state == PENDING, outbox.c.available_at <= now, free)
            .order_by(outbox.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        async with self._transaction() as session:
            ids = list((await session.scalars(due)).all())
            if not ids:
                return []
            lease = (
                update(outbox)
                .where(outbox.c.id.in_(ids), outbox.c.state == PENDING, free)
                .values(lease_until=until)
                .returning(*RECORD_COLUMNS)
            )
            claimed = sorted((_record(row) for row in (await session.execute(lease)).all()),
                             key=lambda r: r.id)  # fmt: skip
            return await coalesced(session, claimed, free, until)

    async def record_sent(
        self,
        sent: Sequence[SentRow],
        at: datetime,
        put_back: Sequence[tuple[int, datetime]] = (),
    ) -> None:
        """In one short transaction: mark delivered rows sent, remember the cards they
        posted (a copy already known is left as it is), and put back the rows a limit held
        (row id, from when), untried."""
        marks = [
            {"b_id": s.row_id, "b_at": at, "b_message": s.message_id,
             "b_conversation": s.conversation_id}
            for s in sent
        ]  # fmt: skip
        copies = [{**s.copy, "created_at": at} for s in sent if s.copy is not None]
        later = [{"b_id": row_id, "b_available": when} for row_id, when in put_back]
        if not (marks or later):
            return
        async with self._transaction() as session:
            if marks:
                await session.execute(MARK_SENT, marks)
            if copies:
                await session.execute(insert_new_copies(session), copies)
            if later:
                await session.execute(PUT_BACK, later)

    async def mark_retry(
        self,
        row_id: int,
        at: datetime,
        error: str,
        available_at: datetime,
        *,
        count_attempt: bool = True,
    ) -> None:
        """A failure worth retrying: try again from `available_at` (`at` is when it failed).

        A platform's "slow down" (429 with Retry-After) is not a failed attempt.
        """
        attempts = outbox.c.attempts + 1 if count_attempt else outbox.c.attempts
        await self._set(
            row_id,
            attempts=attempts,
            last_error=f"{at.isoformat()} {error}",
            available_at=available_at,
            lease_until=None,
        )

    async def mark_undeliverable(
        self, row_id: int, at: datetime, error: str, notices: Sequence[Outgoing] = ()
    ) -> bool:
        """Give up on a row, and queue `notices` about it in the same transaction.

        Only a row still pending changes (compare-and-set), so a row given up twice (two
        claimers after a lease ran out) queues its notices once; returns whether it changed.
        """
        give_up = (
            update(outbox)
            .where(outbox.c.id == row_id, outbox.c.state == PENDING)
            .values(
                state=UNDELIVERABLE,
                attempts=outbox.c.attempts + 1,
                last_error=f"{at.isoformat()} {error}",
                lease_until=None,
            )
        )
        async with self._transaction() as session:
            changed = cast(CursorResult[Any], await session.execute(give_up)).rowcount == 1
            if changed and notices:
                await session.execute(insert(outbox), [outbox_row(n, at) for n in notices])
        return changed

    async def copies_of(self, card_keys: Sequence[str]) -> dict[str, list[CardCopyRecord]]:
        """Every known copy of each of these cards, oldest first: one read for a batch."""
        found: dict[str, list[CardCopyRecord]] = {key: [] for key in card_keys}
        if not found:
            return found
        query = select(*COPY_COLUMNS).where(card_copies.c.card_key.in_(sorted(found)))
        for row in await self._read(query.order_by(card_copies.c.id)):
            found[row.card_key].append(CardCopyRecord(**row._mapping))
        return found

    async def user_ids(self, person_ids: Sequence[int]) -> dict[int, str]:
        """The platform user id of each of these people still known (one Core query)."""
        if not person_ids:
            return {}
        query = select(people.c.id, people.c.user_id).where(people.c.id.in_(sorted(person_ids)))
        return {int(row.id): str(row.user_id) for row in await self._read(query)}

    async def pending_count(self) -> int:
        query = select(func.count()).select_from(outbox).where(outbox.c.state == PENDING)
        return int((await self._read(query))[0][0])

    async def recent_sends(
        self, platform: Platform, since: datetime, now: datetime
    ) -> dict[str, list[datetime]]:
        """When each workspace of `platform` was sent to since `since`: rows sent then, and
        rows claimed and unsent (maybe sent: counted as sent now). An update is sent once
        for each copy of its card; a row of no project is not counted.
        """
        copies = (
            select(func.count())
            .select_from(card_copies)
            .where(card_copies.c.card_key == outbox.c.card_key)
            .scalar_subquery()
        )
        in_flight = and_(outbox.c.state == PENDING, outbox.c.lease_until > now)
        project = func.coalesce(outbox.c.project_id, outbox.c.recipient_project_id)
        query = (
            select(
                workspaces.c.external_id.label("workspace"),
                outbox.c.sent_at,
                case((outbox.c.op == UPDATE, copies), else_=1).label("sends"),
            )
            .select_from(outbox)
            .join(projects, projects.c.id == project)
            .join(workspaces, workspaces.c.id == projects.c.workspace_id)
            .where(workspaces.c.platform == platform, or_(outbox.c.sent_at >= since, in_flight))
        )
        sent: dict[str, list[datetime]] = {}
        for row in await self._read(query):
            sent.setdefault(str(row.workspace), []).extend([row.sent_at or now] * int(row.sends))
        return sent

    async def due_times(self, now: datetime, limit: int = 1000) -> list[datetime]:
        """When pending rows not due now come due: put back by a limit, waiting for a retry,
        or claimed by a sender whose lease has not run out (a stopped one's, say)."""
        leased = and_(
            outbox.c.lease_until.is_not(None), outbox.c.lease_until > outbox.c.available_at
        )
        due = case((leased, outbox.c.lease_until), else_=outbox.c.available_at)
        query = (
            select(due.label("due"))
            .where(outbox.c.state == PENDING, due > now)
            .distinct()
            .order_by(due)
            .limit(limit)
        )
        return [row.due for row in await self._read(query)]

    async def _set(self, row_id: int, **values: Any) -> None:
        async with self._transaction() as session:
            await session.execute(update(outbox).where(outbox.c.id == row_id).values(**values))

    async def _read(self, query: Select[Any]) -> Sequence[Row[Any]]:
        """A lookup that writes nothing, on the read sessions (never SQLite's writer)."""
        with database_errors():
            async with self.read_sessionmaker() as session:
                rows: Sequence[Row[Any]] = (await session.execute(query)).all()
        return rows

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[AsyncSession]:
        """A short transaction that commits when the block ends without an error."""
        with database_errors():
            async with (
                write_turn(self.sessionmaker),
                self.sessionmaker() as session,
                session.begin(),
            ):
                yield session


def _record(row: Row[Any]) -> OutboxRecord:
    return OutboxRecord(**row._mapping)
