"""The scheduler's agenda in SQL: `projects.next_due_at`, read through its index."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_, select, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.util import identity_key

from workflow.domain.projects import Project, ProjectState
from workflow.persistence.errors import database_errors
from workflow.persistence.tables import projects

next_due_at = projects.c.next_due_at


class SqlAgenda:
    """Which projects are due; claims take the project's row lock, skipping held rows."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        # Moments this transaction set itself (`plan`): newer than any project row it loaded.
        self._planned: dict[int, datetime | None] = {}

    async def due(
        self, now: datetime, limit: int, after: tuple[datetime, int] | None = None
    ) -> list[tuple[datetime, int]]:
        query = select(next_due_at, projects.c.id).where(next_due_at <= now)
        if after is not None:
            at, project_id = after
            query = query.where(
                or_(next_due_at > at, and_(next_due_at == at, projects.c.id > project_id))
            )
        query = query.order_by(next_due_at, projects.c.id).limit(limit)
        with database_errors():
            rows = (await self.session.execute(query)).all()
        return [(row.next_due_at, row.id) for row in rows]

    async def claim(self, project_id: int, now: datetime) -> bool:
        # FOR NO KEY UPDATE, as every project lock; SKIP LOCKED: another scheduler has it.
        query = (
            select(projects.c.id)
            .where(projects.c.id == project_id, next_due_at <= now)
            .with_for_update(key_share=True, skip_locked=True)
        )
        with database_errors():
            return (await self.session.execute(query)).first() is not None

    async def plan(self, project_id: int, at: datetime | None) -> None:
        with database_errors():
            await self.session.execute(
                update(projects).where(projects.c.id == project_id).values(next_due_at=at)
            )
        self._planned[project_id] = at

    async def wake(self, project_id: int, at: datetime) -> None:
        if self._due_by(project_id, at):
            return
        # Only a row that would move earlier is written (and locked).
        sooner = or_(next_due_at.is_(None), next_due_at > at)
        open_project = projects.c.state != ProjectState.CLOSED
        statement = (
            update(projects)
            .where(projects.c.id == project_id, open_project, sooner)
            .values(next_due_at=at)
        )
        with database_errors():
            await self.session.execute(statement)

    def _due_by(self, project_id: int, at: datetime) -> bool:
        """True when the project is surely already due by `at`, so `wake` would change
        nothing. Only on SQLite: its write transaction holds the database's one write lock
        from BEGIN, so the row this transaction loaded is still the row. On PostgreSQL a
        scheduler may plan it later before we commit; its UPDATE then waits and re-checks."""
        if self.session.get_bind().dialect.name != "sqlite":
            return False
        if project_id in self._planned:
            due = self._planned[project_id]
        else:
            project = self.session.identity_map.get(identity_key(Project, project_id))
            if project is None:
                return False
            # The loaded value only (a fresh row's is not loaded: reading it would query).
            due = sa_inspect(project).dict.get("_next_due_at")
        return due is not None and due <= at
