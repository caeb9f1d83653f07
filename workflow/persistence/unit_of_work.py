"""The SQL unit of work: one AsyncSession, one transaction per command, all or nothing."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager, suppress
from typing import Any, Self, TypeVar, cast

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from workflow.domain.audit import UNKEYED, AuditKeys
from workflow.domain.chases import Chase, DigestRun
from workflow.domain.events import Event
from workflow.domain.people import Person, Workspace
from workflow.domain.projects import Project
from workflow.persistence.agenda import SqlAgenda
from workflow.persistence.db import write_turn
from workflow.persistence.errors import database_errors
from workflow.persistence.orm import start_mappers
from workflow.persistence.outbox_rows import SqlOutboxBatch
from workflow.persistence.repository import SqlAuditLog, SqlInboundLog, SqlRepository
from workflow.ports import Agenda, AuditLog, InboundLog, Outbox, Repository, UnitOfWork

T = TypeVar("T")


class SqlUnitOfWork:
    """Opens a session on enter; rolls back on exit unless `commit()` succeeded.

    Database failures come out as `Conflict` (another transaction won: the bus retries the
    whole command) or `Unavailable` (nothing was written; the person should try again).
    """

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

    def __init__(
        self, sessionmaker: async_sessionmaker[AsyncSession], audit_keys: AuditKeys = UNKEYED
    ) -> None:
        start_mappers()
        self.sessionmaker, self.audit_keys = sessionmaker, audit_keys
        self._session: AsyncSession | None = None
        self._committed = False
        self._turn: AbstractAsyncContextManager[object] = write_turn(sessionmaker)

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("use the unit of work inside `async with`")
        return self._session

    async def __aenter__(self) -> Self:
        await self._turn.__aenter__()
        session = self._session = self.sessionmaker()
        self._committed = False
        self.people = SqlRepository(session, Person)
        self.workspaces = SqlRepository(session, Workspace)
        self.projects = SqlRepository(session, Project)
        self._repos: dict[type, Repository[Any]] = {}
        self.chases = SqlRepository(session, Chase)
        self.digests = SqlRepository(session, DigestRun)
        self.agenda = SqlAgenda(session)
        self.audit = SqlAuditLog(session, self.audit_keys)
        self.outbox = self._outbox = SqlOutboxBatch(session)
        self.inbound = SqlInboundLog(session)
        self.events = []
        return self

    def repo(self, kind: type[T]) -> Repository[T]:
        """Any mapped aggregate's repository, made on first use within this transaction."""
        if kind not in self._repos:
            self._repos[kind] = SqlRepository(self.session, kind)
        return cast(Repository[T], self._repos[kind])

    async def __aexit__(self, *args: object) -> None:
        session, self._session = self.session, None
        try:
            if not self._committed:
                await _quiet_rollback(session)
        finally:
            try:
                await session.close()
            finally:
                await self._turn.__aexit__(None, None, None)

    async def flush(self) -> None:
        """Write what is pending: changed aggregates first, then the messages they cause."""
        with database_errors():
            await self.session.flush()
        await self._outbox.write()

    async def commit(self) -> None:
        await self._outbox.write()
        with database_errors():
            await self.session.commit()
        self._committed = True

    async def rollback(self) -> None:
        with database_errors():
            await self.session.rollback()


async def _quiet_rollback(session: AsyncSession) -> None:
    """Roll back on the way out; a dead connection has nothing left to roll back.

    Objects are let go first, so what a read-only unit of work returned stays readable
    (a rollback would expire them, and detached objects cannot reload).
    """
    session.expunge_all()
    # The exception already on its way out says what went wrong.
    with suppress(SQLAlchemyError, OSError):
        await session.rollback()


def sql_uow_factory(
    sessionmaker: async_sessionmaker[AsyncSession], audit_keys: AuditKeys = UNKEYED
) -> Callable[[], UnitOfWork]:
    """What `workflow.flows.make_bus` takes: a fresh unit of work per command."""
    return lambda: SqlUnitOfWork(sessionmaker, audit_keys)
