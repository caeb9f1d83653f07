"""The SQL read model (`Views`) and the read side's unit of work that carries it.

Each answer is one indexed Core statement, built once with bound parameters (so it never
misses SQLAlchemy's compiled cache), on the unit of work's own transaction, and comes back
as detached domain objects: no identity map, no relationship loading, no ORM row handling.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import fields
from datetime import date
from typing import Any, Self, TypeVar

from sqlalchemy import (
    Row,
    Select,
    select,
)
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapper

from workflow.domain.audit import UNKEYED, AuditKeys
from workflow.domain.insight import Missed
from workflow.domain.people import Identity, Person, Platform
from workflow.domain.projects import Project
from workflow.persistence.errors import database_errors
from workflow.persistence.repository import conditions
from workflow.persistence.unit_of_work import SqlUnitOfWork
from workflow.persistence.view_queries import (
    CHANNEL_PROJECTS,
    HERE,
    MINE,
    MISSED,
    NAMES,
    ONE_PROJECT,
    OPEN_PROJECTS,
    PERSON,
    having_query,
    identity_params,
    label_of,
    owner_query,
    projects_from,
)
from workflow.persistence.waiting_rows import QUERIES, shown, waiting_query
from workflow.ports import Here, Rows, Shown, UnitOfWork, Views

T = TypeVar("T")


class SqlViews:
    """`Views` over one session's transaction (the first statement begins it)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._connection: AsyncConnection | None = None

    async def _rows(self, statement: Any, params: dict[str, object]) -> Sequence[Row[Any]]:
        if self._connection is None:
            self._connection = await self.session.connection()
        with database_errors():
            return (await self._connection.execute(statement, params)).all()

    async def here(
        self, identity: Identity, platform: Platform, workspace_id: str, channel_id: str
    ) -> Here:
        params = {
            **identity_params(identity, "v_"),
            "w_platform": platform,
            "w_external": workspace_id,
            "channel": channel_id,
        }
        rows = await self._rows(HERE, params)
        projects, names = projects_from(rows)
        return Here(rows[0].viewer if rows else None, projects[0] if projects else None, names)

    async def person(self, identity: Identity) -> Person | None:
        rows = await self._rows(PERSON, identity_params(identity))
        if not rows:
            return None
        row = rows[0]
        return Person(
            Identity(row.platform, row.org_id, row.user_id), row.display_name, row.timezone, row.id
        )

    async def person_id(self, identity: Identity) -> int | None:
        person = await self.person(identity)
        return person.id if person else None

    async def channel_projects(
        self, platform: Platform, workspace_id: str, channel_id: str
    ) -> set[int]:
        params: dict[str, object] = {
            "w_platform": platform,
            "w_external": workspace_id,
            "channel": channel_id,
        }
        return {row.id for row in await self._rows(CHANNEL_PROJECTS, params)}

    async def owner_of(self, kind: type, item_id: int) -> int | None:
        rows = await self._rows(owner_query(kind), {"item": item_id})
        return int(rows[0].project_id) if rows else None

    async def project(self, project_id: int) -> tuple[Project | None, dict[int, str]]:
        projects, names = projects_from(await self._rows(ONE_PROJECT, {"project": project_id}))
        return (projects[0] if projects else None), names

    async def open_projects_of(self, person_id: int) -> tuple[list[Project], dict[int, str]]:
        return projects_from(await self._rows(OPEN_PROJECTS, {"person": person_id}))

    async def mine(self, identity: Identity) -> tuple[Person | None, list[Project], dict[int, str]]:
        rows = await self._rows(MINE, identity_params(identity))
        me = rows[0]._mapping if rows else None
        if me is None or me["me_id"] is None:
            return None, [], {}
        who = Identity(me["me_platform"], me["me_org_id"], me["me_user_id"])
        person = Person(who, me["me_display_name"], me["me_timezone"], me["me_id"])
        return (person, *projects_from(rows))

    async def names(self, person_ids: Iterable[int]) -> dict[int, str]:
        wanted = sorted(set(person_ids))
        if not wanted:
            return {}
        rows = await self._rows(NAMES, {"ids": wanted})
        return {row.id: label_of(row.display_name, row.user_id) for row in rows}

    async def having(
        self, questions: Sequence[Rows], project_ids: Sequence[int]
    ) -> set[tuple[int, int]]:
        if not questions or not project_ids:
            return set()
        key = tuple(
            (cls, tuple(sorted(where.items(), key=lambda kv: kv[0]))) for cls, where in questions
        )
        rows = await self._rows(having_query(key), {"projects": sorted(set(project_ids))})
        return {(row.question, row.project_id) for row in rows}

    async def find(self, kind: type[T], **where: object) -> list[T]:
        mapper = sa_inspect(kind)
        query = select(mapper.local_table).where(*conditions(kind, where))
        return await self._instances(mapper, query.order_by(*mapper.primary_key))

    async def waiting(
        self,
        aggregates: Sequence[type],
        project_ids: Sequence[int],
        person_id: int | None,
        limit: int,
    ) -> tuple[list[Shown], set[type]]:
        known = tuple(a for a in aggregates if a in QUERIES)
        if not known or not project_ids:
            return [], set(known)
        params: dict[str, object] = {"projects": sorted(set(project_ids))}
        params |= {"person": person_id, "limit": limit}
        rows = await self._rows(waiting_query(known), params)
        return shown(rows, [aggregates.index(a) for a in known]), set(known)

    async def missed_checkins(
        self, project_id: int, since: date, limit: int
    ) -> tuple[list[Missed], int]:
        """The first `limit` check-ins the project's customers missed from week `since` on
        (newest first), and how many there are in all."""
        params: dict[str, object] = {"project": project_id, "since": since, "limit": limit}
        rows = await self._rows(MISSED, params)
        return [Missed(row.person_id, row.week) for row in rows], rows[0].total if rows else 0

    async def _instances(self, mapper: Mapper[Any], query: Select[Any]) -> list[Any]:
        """Instances of `mapper` from `query`'s rows, each child list loaded in one more
        statement for all of them (only when there are any)."""
        rows = await self._rows(query, {})
        columns = [(prop.key, prop.columns[0]) for prop in mapper.column_attrs]
        found = [{key: row._mapping[column] for key, column in columns} for row in rows]
        (key_name,) = [mapper.get_property_by_column(c).key for c in mapper.primary_key]
        for relation in mapper.relationships:
            (foreign,) = relation.remote_side
            child = relation.mapper
            parent_of = child.get_property_by_column(foreign).key
            lists: dict[object, list[Any]] = {values[key_name]: [] for values in found}
            if lists:
                order = relation.order_by or child.primary_key
                query = select(child.local_table).where(foreign.in_(list(lists)))
                for item in await self._instances(child, query.order_by(*order)):
                    lists[getattr(item, parent_of)].append(item)
            for values in found:
                values[relation.key] = lists[values[key_name]]
        return [_instance(mapper.class_, values) for values in found]


def _instance(cls: type, values: dict[str, Any]) -> Any:
    """A detached instance; mapped columns the dataclass does not declare (a child's
    foreign key) are set after `__init__`."""
    init = _init_fields(cls)
    made = cls(**{k: v for k, v in values.items() if k in init})
    for key in values.keys() - init:
        setattr(made, key, values[key])
    return made


@functools.cache
def _init_fields(cls: type) -> frozenset[str]:
    return frozenset(f.name for f in fields(cls) if f.init)


class SqlReadUnitOfWork(SqlUnitOfWork):
    """A unit of work for what is only shown: its repositories, and `views`."""

    views: Views

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.views = SqlViews(self.session)
        return self


def read_uow_factory(
    sessionmaker: async_sessionmaker[AsyncSession], audit_keys: AuditKeys = UNKEYED
) -> Callable[[], UnitOfWork]:
    """What the dispatcher reads with: a fresh read unit of work per request."""
    return lambda: SqlReadUnitOfWork(sessionmaker, audit_keys)
