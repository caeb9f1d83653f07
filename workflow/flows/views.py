"""The read model a request asks (`Views`): the unit of work's own when it carries one (the
SQL read side), else the same answers from its repositories (fakes, and the write side)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, Protocol, TypeVar, runtime_checkable

from workflow.domain.checkins import CheckIn, CheckInState
from workflow.domain.insight import Missed, missed_checkins
from workflow.domain.people import Identity, Person, Platform
from workflow.domain.projects import Project, ProjectState
from workflow.ports import AnyOf, Here, Includes, Repository, Rows, Shown, UnitOfWork, Views

T = TypeVar("T")
OPEN_PROJECT = AnyOf(*(s for s in ProjectState if s is not ProjectState.CLOSED))


@runtime_checkable
class HasViews(Protocol):
    views: Views


def views_of(uow: UnitOfWork) -> Views:
    return uow.views if isinstance(uow, HasViews) else RepositoryViews(uow)


def first_in_channel(projects: Iterable[Project]) -> Project | None:
    """Of a channel's projects, the newest open one, else the newest closed one."""
    ranked = sorted(projects, key=lambda p: (p.state is ProjectState.CLOSED, -(p.id or 0)))
    return ranked[0] if ranked else None


class RepositoryViews:
    """`Views` answered through a unit of work's repositories."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    async def here(
        self, identity: Identity, platform: Platform, workspace_id: str, channel_id: str
    ) -> Here:
        project = None
        found = await self.uow.workspaces.find(platform=platform, external_id=workspace_id)
        if found:
            where = {"workspace_id": found[0].id, "channel_id": channel_id}
            project = first_in_channel(await self.uow.projects.find(**where))
        people = [p.person_id for p in project.participants] if project else []
        return Here(await self.person_id(identity), project, await self.names(people))

    async def person(self, identity: Identity) -> Person | None:
        found = await self.uow.people.find(identity=identity)
        return found[0] if found else None

    async def person_id(self, identity: Identity) -> int | None:
        person = await self.person(identity)
        return person.id if person else None

    async def channel_projects(
        self, platform: Platform, workspace_id: str, channel_id: str
    ) -> set[int]:
        found = await self.uow.workspaces.find(platform=platform, external_id=workspace_id)
        if not found:
            return set()
        where = {"workspace_id": found[0].id, "channel_id": channel_id}
        return {p.id for p in await self.uow.projects.find(**where) if p.id is not None}

    async def owner_of(self, kind: type, item_id: int) -> int | None:
        repo: Repository[Any] = self.uow.repo(kind)
        found = await repo.get(item_id, lock=False)
        owner = getattr(found, "project_id", None)
        return owner if isinstance(owner, int) else None

    async def project(self, project_id: int) -> tuple[Project | None, dict[int, str]]:
        project = await self.uow.projects.get(project_id)
        if project is None:
            return None, {}
        return project, await self.names(p.person_id for p in project.participants)

    async def open_projects_of(self, person_id: int) -> tuple[list[Project], dict[int, str]]:
        where = {"participants": Includes(person_id=person_id), "state": OPEN_PROJECT}
        projects = await self.uow.projects.find(**where)
        return projects, await self.names(p.person_id for j in projects for p in j.participants)

    async def mine(self, identity: Identity) -> tuple[Person | None, list[Project], dict[int, str]]:
        person = await self.person(identity)
        if person is None or person.id is None:
            return person, [], {}
        return (person, *await self.open_projects_of(person.id))

    async def names(self, person_ids: Iterable[int]) -> dict[int, str]:
        wanted = set(person_ids)
        return {p.id: p.label for p in await self.uow.people.get_many(wanted) if p.id}

    async def missed_checkins(
        self, project_id: int, since: date, limit: int
    ) -> tuple[list[Missed], int]:
        project = await self.uow.projects.get(project_id)
        where = {"project_id": project_id, "state": CheckInState.MISSED}
        checkins = await self.uow.repo(CheckIn).find(**where)
        found = missed_checkins(checkins, project.customers() if project else [], since)
        return list(found[:limit]), len(found)

    async def having(
        self, questions: Sequence[Rows], project_ids: Sequence[int]
    ) -> set[tuple[int, int]]:
        return {(i, p) for i in range(len(questions)) for p in project_ids}

    async def find(self, kind: type[T], **where: object) -> list[T]:
        return await self.uow.repo(kind).find(**where)

    async def waiting(
        self,
        aggregates: Sequence[type],
        project_ids: Sequence[int],
        person_id: int | None,
        limit: int,
    ) -> tuple[list[Shown], set[type]]:
        return [], set()
