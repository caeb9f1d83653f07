"""What every flow's use cases and event handlers share: loading, permission, sending."""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import suppress
from datetime import datetime
from typing import TypeVar
from weakref import WeakKeyDictionary

from workflow.domain import events as e
from workflow.domain.commands import Command, PersonRef
from workflow.domain.errors import NotFound, Refused
from workflow.domain.events import Event
from workflow.domain.people import UNNAMED, Identity, Person, valid_zone
from workflow.domain.permissions import Act, require
from workflow.domain.projects import Project, ProjectState
from workflow.domain.views import Op, Outgoing, Recipient, View
from workflow.ports import AnyOf, Includes, Repository, UnitOfWork

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
    check_project(project, person.id if person else None, act, open_only=open_only)
    return project


def check_project(
    project: Project, person_id: int | None, act: Act | None, *, open_only: bool = True
) -> None:
    """Refuse if `project` is closed (when `open_only`) or `act` is not allowed to the person."""
    if open_only and project.state is ProjectState.CLOSED:
        raise Refused(f"{project.key} is closed; nothing more can be started in it.")
    if act is not None:
        if person_id is None:
            raise Refused("This needs a person to do it.")
        require(project, person_id, act)


async def project_allows(
    uow: UnitOfWork,
    project_id: int,
    person_id: int,
    act: Act | None = None,
    *,
    open_only: bool = True,
) -> Project:
    """`project_for` for a read transaction: nothing locked, the person known by id."""
    project = await load(uow.projects, project_id, "project", lock=False)
    check_project(project, person_id, act, open_only=open_only)
    return project


# The id a person not seen before stands for in a check: they take part in nothing (ids
# start at 1), so a check refuses them with the sentence the use case would give.
NOBODY = 0


async def known_id(uow: UnitOfWork, command: Command) -> int:
    """The actor's id without writing (a first-time person is not created): NOBODY if new."""
    if command.actor is None:
        raise Refused("This needs a person to do it.")
    person = await person_with(uow, command.actor.identity)
    return person.id if person is not None and person.id is not None else NOBODY


def emit(uow: UnitOfWork, *events: Event) -> None:
    uow.events.extend(events)


def pid(person: Person) -> int:
    """A stored person's id (people are flushed when first seen)."""
    if person.id is None:
        raise AssertionError("person was not flushed")
    return person.id


async def names_for(uow: UnitOfWork, ids: Iterable[int]) -> dict[int, str]:
    wanted = set(ids)
    names = {person.id: person.label for person in await uow.people.get_many(wanted)}
    return {i: names.get(i, UNNAMED) for i in wanted}


async def project_of(uow: UnitOfWork, event: e.Event) -> Project:
    assert event.project_id is not None
    return await load(uow.projects, event.project_id, "project", lock=False)


async def to_people(
    uow: UnitOfWork, event: e.Event, people: Iterable[int], view: View, key: str | None = None
) -> None:
    for person_id in dict.fromkeys(people):
        await uow.outbox.put(
            Outgoing(Recipient(person_id=person_id), view, key, Op.POST, event.project_id), event.at
        )


async def to_channel(uow: UnitOfWork, event: e.Event, view: View, key: str | None = None) -> None:
    assert event.project_id is not None
    await uow.outbox.put(
        Outgoing(Recipient(project_id=event.project_id), view, key, Op.POST, event.project_id),
        event.at,
    )


# The cards updated in a unit of work (one transaction): (project, card key) -> when. Cards
# shown inside other cards (a check-in's decisions) are brought up to date from it.
_UPDATED: WeakKeyDictionary[UnitOfWork, dict[tuple[int, str], datetime]] = WeakKeyDictionary()


async def update_cards(uow: UnitOfWork, event: e.Event, key: str, view: View) -> None:
    await uow.outbox.put(Outgoing(None, view, key, Op.UPDATE, event.project_id), event.at)
    if event.project_id is not None:
        _UPDATED.setdefault(uow, {})[(event.project_id, key)] = event.at


def cards_updated(uow: UnitOfWork) -> dict[tuple[int, str], datetime]:
    """The cards `update_cards` updated in this unit of work so far, taken (asked again, it
    answers only what was updated since)."""
    return _UPDATED.pop(uow, {})


def everyone(project: Project) -> list[int]:
    return [p.person_id for p in project.participants]


OPEN_PROJECT = AnyOf(*(s for s in ProjectState if s is not ProjectState.CLOSED))


async def open_projects_of(uow: UnitOfWork, person_id: int) -> list[Project]:
    """The open projects `person_id` takes part in, whatever their role: one query on the
    participants' person index, however many projects there are."""
    return await uow.projects.find(participants=Includes(person_id=person_id), state=OPEN_PROJECT)


async def person_with(uow: UnitOfWork, identity: Identity) -> Person | None:
    found = await uow.people.find(identity=identity)
    return found[0] if found else None


async def allowed_in(uow: UnitOfWork, identity: Identity, project_id: int, act: Act) -> Project:
    project = await uow.projects.get(project_id)
    if project is None:
        raise NotFound("That project no longer exists.")
    person = await person_with(uow, identity)
    if person is None or person.id is None:
        raise Refused(
            f"You are not part of project {project.key}. A PM of {project.key} can "
            "add you with `people`."
        )
    require(project, person.id, act)
    if project.state is ProjectState.CLOSED:
        raise Refused(f"{project.key} is closed; nothing more can be started in it.")
    return project


def subject_id(event: Event) -> int:
    assert event.subject_id is not None
    return event.subject_id
