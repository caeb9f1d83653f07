"""Helpers every use case shares: finding people and projects, and raising events."""

from __future__ import annotations

from contextlib import suppress
from typing import TypeVar

from workflow.domain.commands import Command, PersonRef
from workflow.domain.errors import NotFound, Refused
from workflow.domain.events import Event
from workflow.domain.people import Person, valid_zone
from workflow.domain.permissions import Act, require
from workflow.domain.projects import Project, ProjectState
from workflow.ports import Repository, UnitOfWork

T = TypeVar("T")


async def person_for(uow: UnitOfWork, ref: PersonRef) -> Person:
    """The person behind an identity, created on first sight; name and zone kept fresh."""
    found = await uow.people.find(identity=ref.identity)
    person = found[0] if found else Person(identity=ref.identity)
    if ref.display_name:
        person.display_name = ref.display_name
    if ref.timezone:
        # A platform may give a zone we do not know: then keep the one we have.
        with suppress(Refused):
            person.timezone = valid_zone(ref.timezone)
    if not found:
        await uow.people.add(person)
        await uow.flush()
    return person


async def actor_of(uow: UnitOfWork, command: Command) -> Person:
    if command.actor is None:
        raise Refused("This needs a person to do it.")
    return await person_for(uow, command.actor)


async def load(repo: Repository[T], item_id: int, noun: str, *, lock: bool = True) -> T:
    item = await repo.get(item_id, lock=lock)
    if item is None:
        raise NotFound(f"That {noun} no longer exists (it may have been removed).")
    return item


async def project_for(
    uow: UnitOfWork,
    project_id: int,
    person: Person | None = None,
    act: Act | None = None,
    *,
    lock: bool = False,
    open_only: bool = True,
) -> Project:
    """Load a project; refuse if it is closed (when `open_only`) or `act` is not allowed."""
    project = await load(uow.projects, project_id, "project", lock=lock)
    if open_only and project.state is ProjectState.CLOSED:
        raise Refused(f"{project.key} is closed; nothing more can be started in it.")
    if act is not None:
        if person is None or person.id is None:
            raise Refused("This needs a person to do it.")
        require(project, person.id, act)
    return project


def emit(uow: UnitOfWork, *events: Event) -> None:
    uow.events.extend(events)


def pid(person: Person) -> int:
    """A stored person's id (people are flushed when first seen)."""
    if person.id is None:
        raise AssertionError("person was not flushed")
    return person.id
