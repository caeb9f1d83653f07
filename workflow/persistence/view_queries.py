"""The read model's statements: each built once with bound parameters, so a request never
misses SQLAlchemy's compiled cache, and the helpers that turn their rows into detached
domain objects."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import fields
from typing import Any

from sqlalchemy import (
    CompoundSelect,
    Row,
    Select,
    bindparam,
    func,
    literal,
    literal_column,
    select,
    union_all,
)
from sqlalchemy import inspect as sa_inspect

from workflow.domain.checkins import CheckInState
from workflow.domain.people import UNNAMED, Identity
from workflow.domain.projects import Participant, Project, ProjectState, Role
from workflow.persistence import tables as t
from workflow.persistence import tables_items as ti
from workflow.persistence.repository import conditions

PROJECT = [f.name for f in fields(Project) if f.name != "participants"]
PARTICIPANT = [f.name for f in fields(Participant)]
OPEN = [s for s in ProjectState if s is not ProjectState.CLOSED]
pe, pa, pr, ws, ci = t.people.c, t.participants.c, t.projects.c, t.workspaces.c, ti.checkins.c


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
CHANNEL_PROJECTS = (
    select(pr.id)
    .join(t.workspaces, ws.id == pr.workspace_id)
    .where(ws.platform == bindparam("w_platform"), ws.external_id == bindparam("w_external"))
    .where(pr.channel_id == bindparam("channel"))
)


@functools.cache
def owner_query(kind: type) -> Select[Any]:
    """An aggregate's project, by its primary key (built once per kind)."""
    table: Any = sa_inspect(kind).local_table
    return select(table.c.project_id).where(table.c.id == bindparam("item"))


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

# A project's customers' missed check-ins of the weeks from `since` on, newest first, the
# first `limit` of them with how many there are in all (on the project-and-state index).
MISSED = (
    select(ci.person_id, ci.week, func.count().over().label("total"))
    .join(
        t.participants,
        (pa.project_id == ci.project_id)
        & (pa.person_id == ci.person_id)
        & (pa.role == Role.CUSTOMER),
    )
    .where(ci.project_id == bindparam("project"), ci.state == CheckInState.MISSED)
    .where(ci.week >= bindparam("since"))
    .order_by(ci.week.desc(), ci.person_id)
    .limit(bindparam("limit"))
)


def label_of(display_name: str | None, user_id: str | None) -> str:
    """How a person is shown: their name, never their platform id (`user_id`)."""
    return display_name or UNNAMED


def projects_from(rows: Iterable[Row[Any]]) -> tuple[list[Project], dict[int, str]]:
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
            names[who.person_id] = label_of(values["n_display"], values["n_user"])
    return list(found.values()), names


def identity_params(identity: Identity, prefix: str = "") -> dict[str, object]:
    return {
        f"{prefix}platform": identity.platform,
        f"{prefix}org_id": identity.org_id,
        f"{prefix}user_id": identity.user_id,
    }


@functools.cache
def having_query(
    key: tuple[tuple[type, tuple[tuple[str, object], ...]], ...],
) -> CompoundSelect[Any]:
    """One UNION ALL of `SELECT DISTINCT i, project_id` per question, for a list of projects."""
    parts = []
    for index, (cls, where) in enumerate(key):
        table: Any = sa_inspect(cls).local_table
        part = select(literal(index).label("question"), table.c.project_id.label("project_id"))
        part = part.where(table.c.project_id.in_(bindparam("projects", expanding=True)))
        parts.append(part.where(*conditions(cls, dict(where))).distinct())
    return union_all(*parts)
