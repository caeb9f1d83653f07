"""The SQL read model (`Views`) and the read side's unit of work that carries it.

Each answer is one indexed Core statement, built once with bound parameters (so it never
misses SQLAlchemy's compiled cache), on the unit of work's own transaction, and comes back
as detached domain objects: no identity map, no relationship loading, no ORM row handling.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import fields
from typing import Any, Self, TypeVar

from sqlalchemy import (
    CompoundSelect,
    Row,
    Select,
    bindparam,
    literal,
    literal_column,
    select,
    union_all,
)
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapper

from workflow.domain.people import Identity, Person, Platform
from workflow.domain.projects import Participant, Project, ProjectState
from workflow.persistence import tables as t
from workflow.persistence.errors import database_errors
from workflow.persistence.repository import conditions
from workflow.persistence.unit_of_work import SqlUnitOfWork
from workflow.persistence.waiting_rows import QUERIES, shown, waiting_query
from workflow.ports import Here, Rows, Shown, UnitOfWork, Views

T = TypeVar("T")
PROJECT = [f.name for f in fields(Project) if f.name != "participants"]
PARTICIPANT = [f.name for f in fields(Participant)]
OPEN = [s for s in ProjectState if s is not ProjectState.CLOSED]
pe, pa, pr, ws = t.people.c, t.participants.c, t.projects.c, t.workspaces.c


def _who(prefix: str = "") -> list[Any]:
    return [pe.platform == bindparam(f"{prefix}platform"),
            pe.org_id == bindparam(f"{prefix}org_id"),
            pe.user_id == bindparam(f"{prefix}user_id")]  # fmt: skip


def _with_people(projects: Any) -> Select[Any]:
    """Project columns, each participant's, and that participant's name parts."""
    columns = [pr[name].label(f"p_{name}") for name in PROJECT]
    columns += [pa[name].label(f"a_{name}") for name in PARTICIPANT]
    columns += [pe.display_name.label("n_display"), pe.user_id.label("n_user")]
    joined = projects.outerjoin(t.participants, pa.project_id == pr.id).outerjoin(
        t.people, pe.id == pa.person_id
    )
    return select(*columns).select_from(joined)


VIEWER = select(pe.id).where(*_who("v_")).scalar_subquery()
CHANNEL_PROJECT = (
    select(pr.id)
    .join(t.workspaces, ws.id == pr.workspace_id)
    .where(ws.platform == bindparam("w_platform"), ws.external_id == bindparam("w_external"))
    .where(pr.channel_id == bindparam("channel"))
    .order_by(pr.state == ProjectState.CLOSED, pr.id.desc())
    .limit(1)
    .scalar_subquery()
)
# One row when the channel has no project (the viewer alone), else one per participant.
ONE = select(literal_column("1").label("one")).subquery("one")
HERE = (
    _with_people(ONE.outerjoin(t.projects, pr.id == CHANNEL_PROJECT))
    .add_columns(VIEWER.label("viewer"))
    .order_by(pa.id)
)
PERSON = select(pe.id, pe.platform, pe.org_id, pe.user_id, pe.display_name, pe.timezone).where(
    *_who()
)
OPEN_PROJECTS = (
    _with_people(t.projects)
    .where(pr.id.in_(select(pa.project_id).where(pa.person_id == bindparam("person"))))
    .where(pr.state.in_(OPEN))
    .order_by(pr.id, pa.id)
)
ME, TAKES = t.people.alias("me"), t.participants.alias("takes")
MINE = (
    _with_people(
        ONE.outerjoin(
            ME,
            (ME.c.platform == bindparam("platform"))
            & (ME.c.org_id == bindparam("org_id"))
            & (ME.c.user_id == bindparam("user_id")),
        ).outerjoin(
            t.projects,
            pr.id.in_(select(TAKES.c.project_id).where(TAKES.c.person_id == ME.c.id))
            & pr.state.in_(OPEN),
        )
    )
    .add_columns(*(c.label(f"me_{c.key}") for c in ME.c))
    .order_by(pr.id, pa.id)
)
ONE_PROJECT = _with_people(t.projects).where(pr.id == bindparam("project")).order_by(pa.id)
NAMES = select(pe.id, pe.display_name, pe.user_id).where(
    pe.id.in_(bindparam("ids", expanding=True))
)


def _label(display_name: str | None, user_id: str | None) -> str:
    return display_name or user_id or ""


def _projects(rows: Iterable[Row[Any]]) -> tuple[list[Project], dict[int, str]]:
    """Projects (in row order) with their participants, and those participants' labels."""
    found: dict[int, Project] = {}
    names: dict[int, str] = {}
    for row in rows:
        values = row._mapping
        if values["p_id"] is None:
            continue
        project = found.get(values["p_id"])
        if project is None:
            project = found[values["p_id"]] = Project(**{n: values[f"p_{n}"] for n in PROJECT})
        if values["a_id"] is not None:
            who = Participant(**{n: values[f"a_{n}"] for n in PARTICIPANT})
            project.participants.append(who)
            names[who.person_id] = _label(values["n_display"], values["n_user"])
    return list(found.values()), names


def _identity(identity: Identity, prefix: str = "") -> dict[str, object]:
    return {
        f"{prefix}platform": identity.platform,
        f"{prefix}org_id": identity.org_id,
        f"{prefix}user_id": identity.user_id,
    }


@functools.cache
def _having(key: tuple[tuple[type, tuple[tuple[str, object], ...]], ...]) -> CompoundSelect[Any]:
    """One UNION ALL of `SELECT DISTINCT i, project_id` per question, for a list of projects."""
    parts = []
    for index, (cls, where) in enumerate(key):
        table: Any = sa_inspect(cls).local_table
        part = select(literal(index).label("question"), table.c.project_id.label("project_id"))
        part = part.where(table.c.project_id.in_(bindparam("projects", expanding=True)))
        parts.append(part.where(*conditions(cls, dict(where))).distinct())
    return union_all(*parts)


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
            **_identity(identity, "v_"),
            "w_platform": platform,
            "w_external": workspace_id,
            "channel": channel_id,
        }
        rows = await self._rows(HERE, params)
        projects, names = _projects(rows)
        return Here(rows[0].viewer if rows else None, projects[0] if projects else None, names)

    async def person(self, identity: Identity) -> Person | None:
        rows = await self._rows(PERSON, _identity(identity))
        if not rows:
            return None
        row = rows[0]
        return Person(
            Identity(row.platform, row.org_id, row.user_id), row.display_name, row.timezone, row.id
        )

    async def person_id(self, identity: Identity) -> int | None:
        person = await self.person(identity)
        return person.id if person else None

    async def project(self, project_id: int) -> tuple[Project | None, dict[int, str]]:
        projects, names = _projects(await self._rows(ONE_PROJECT, {"project": project_id}))
        return (projects[0] if projects else None), names

    async def open_projects_of(self, person_id: int) -> tuple[list[Project], dict[int, str]]:
        return _projects(await self._rows(OPEN_PROJECTS, {"person": person_id}))

    async def mine(self, identity: Identity) -> tuple[Person | None, list[Project], dict[int, str]]:
        rows = await self._rows(MINE, _identity(identity))
        me = rows[0]._mapping if rows else None
        if me is None or me["me_id"] is None:
            return None, [], {}
        who = Identity(me["me_platform"], me["me_org_id"], me["me_user_id"])
        person = Person(who, me["me_display_name"], me["me_timezone"], me["me_id"])
        return (person, *_projects(rows))

    async def names(self, person_ids: Iterable[int]) -> dict[int, str]:
        wanted = sorted(set(person_ids))
        if not wanted:
            return {}
        rows = await self._rows(NAMES, {"ids": wanted})
        return {row.id: _label(row.display_name, row.user_id) for row in rows}

    async def having(
        self, questions: Sequence[Rows], project_ids: Sequence[int]
    ) -> set[tuple[int, int]]:
        if not questions or not project_ids:
            return set()
        key = tuple(
            (cls, tuple(sorted(where.items(), key=lambda kv: kv[0]))) for cls, where in questions
        )
        rows = await self._rows(_having(key), {"projects": sorted(set(project_ids))})
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


def read_uow_factory(sessionmaker: async_sessionmaker[AsyncSession]) -> Callable[[], UnitOfWork]:
    """What the dispatcher reads with: a fresh read unit of work per request."""
    return lambda: SqlReadUnitOfWork(sessionmaker)
