"""The read side the dispatcher shows: the channel's project, help, pending, digest, the
Home, and the current card of an item (the export is `workflow.flows.insight.exports`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from workflow.audit import checkpoint
from workflow.domain.people import Identity, Platform
from workflow.domain.permissions import Act
from workflow.domain.projects import Project
from workflow.domain.views import View
from workflow.flows import ITEMS
from workflow.flows.change_requests.editing import editable_cards
from workflow.flows.common import allowed_in, names_for
from workflow.flows.insight.reads import missed_in, project_digest
from workflow.flows.views import views_of
from workflow.flows.waiting import decision_cards, shown_waiting, waiting_across
from workflow.help import Style, help_text
from workflow.ports import Here, UnitOfWork
from workflow.presentation.cards import MISSED_SHOWN, digest_card, info, missed_field
from workflow.presentation.forms import Form, text_form
from workflow.presentation.presses import NeedText

SHOWN = 60  # pending lists the oldest 60 of what waits


async def here(
    uow: UnitOfWork, identity: Identity, platform: Platform, workspace_id: str, channel_id: str
) -> Here:
    """Who asks, and the project the channel is about (an open one before a closed one)."""
    return await views_of(uow).here(identity, platform, workspace_id, channel_id)


def help_for(viewer: int | None, project: Project | None, style: Style, note: str = "") -> str:
    """The help for this person here (they were looked up once, by the caller)."""
    return help_text(project, viewer, style, note)


def need_text_form(need: NeedText) -> Form:
    return text_form(need.context, need.label, need.required)


async def pending_view(
    uow: UnitOfWork, identity: Identity, project_id: int | None, now: datetime
) -> View:
    """`pending`: a PM or sponsor sees the whole project; anyone else what waits on them."""
    views = views_of(uow)
    project = await uow.projects.get(project_id) if project_id else None
    return await pending_here(uow, Here(await views.person_id(identity), project), now)


async def pending_here(uow: UnitOfWork, here: Here, now: datetime) -> View:
    """`pending_view` for who and where the caller looked up already; a PM or sponsor also
    sees who missed which check-in lately (those wait on nobody, so they are named apart)."""
    project, viewer = here.project, here.viewer
    missed: tuple[tuple[str, str], ...] = ()
    if project is not None and viewer is not None and viewer in project.pms + project.sponsors:
        items = await shown_waiting(uow, [project], None, SHOWN)
        missed = await _missed(uow, here, project, now)
    elif viewer is not None:
        projects, _ = await views_of(uow).open_projects_of(viewer)
        items = await shown_waiting(uow, projects, viewer, SHOWN)
    else:
        items = []
    shown = {i.waiting_on for i in items}
    names = {i: here.names[i] for i in shown if i in here.names}
    if len(names) < len(shown):
        names |= await views_of(uow).names(shown - names.keys())
    names |= {i: f"#{i}" for i in shown - names.keys()}
    lines = [
        f"{i.title}: waiting on {names[i.waiting_on]} for {_age(now - i.since)}" for i in items
    ]
    return info("Pending", "\n".join(lines) or "Nothing is waiting. 🎉", missed)


async def _missed(
    uow: UnitOfWork, here: Here, project: Project, now: datetime
) -> tuple[tuple[str, str], ...]:
    """Pending's field of missed check-ins, when there are any."""
    found, total = await missed_in(uow, project, now, MISSED_SHOWN)
    if not found:
        return ()
    names = {m.person_id: here.names[m.person_id] for m in found if m.person_id in here.names}
    if len(names) < len({m.person_id for m in found}):
        names |= await views_of(uow).names({m.person_id for m in found} - names.keys())
    return (missed_field(found, names, total),)


def _age(delta: object) -> str:
    days = getattr(delta, "days", 0)
    hours = int(getattr(delta, "seconds", 0) // 3600)
    return f"{days} d {hours} h" if days else f"{hours} h"


async def digest_view(uow: UnitOfWork, identity: Identity, project_id: int, now: datetime) -> View:
    project = await allowed_in(uow, identity, project_id, Act.DIGEST)
    figures = await project_digest(uow, project_id, now)
    point = await checkpoint(uow, now)
    return digest_card(project, figures, await names_for(uow, figures.silent), point.line())


@dataclass(frozen=True)
class HomeData:
    """What the App Home shows one person."""

    name: str
    person_id: int | None
    pending: list[View]
    pm_projects: list[tuple[str, str, int]]
    customer_projects: list[tuple[int, str]]
    # A PM's change requests they can still edit (open or rejected), with Edit.
    editable: list[View] = field(default_factory=list)


async def home(uow: UnitOfWork, identity: Identity) -> HomeData:
    """Cards waiting on the person; (key, name, open items) of their projects as PM; and the
    projects where they are a customer (for the request / notice / feedback buttons)."""
    person, projects, names = await views_of(uow).mine(identity)
    if person is None or person.id is None:
        return HomeData("", None, [], [], [])
    data = HomeData(person.label, person.id, [], [], [])
    found = await waiting_across(uow, projects)
    for project in projects:
        waiting = found.get(project.id or 0, [])
        data.pending.extend(await decision_cards(uow, project, waiting, person.id, names))
        if person.id in project.pms:
            open_items = {(w.pending.kind, w.pending.item_id) for w in waiting}
            data.pm_projects.append((project.key, project.name, len(open_items)))
        if project.customer_entry(person.id) is not None and project.id is not None:
            data.customer_projects.append((project.id, project.key))
    data.editable.extend(await editable_cards(uow, projects, person.id, names))
    return data


async def card_for_item(uow: UnitOfWork, item: str, person_id: int | None) -> View | None:
    """The current card of an item ("change_request:12"), as `person_id` would be shown it;
    None when the item is gone. Adapters that re-render a card on demand use it."""
    kind, _, raw = item.partition(":")
    entry = ITEMS.get(kind)
    if not raw.isdigit() or entry is None or entry.aggregate is None or entry.card is None:
        return None
    views = views_of(uow)
    found = await views.find(entry.aggregate, id=int(raw))
    project, names = await views.project(found[0].project_id) if found else (None, {})
    if not found or project is None:
        return None
    if entry.current is not None:
        return await entry.current(uow, found[0], project, names, person_id)
    return entry.card(found[0], project, names, person_id)
