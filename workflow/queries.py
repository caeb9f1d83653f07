"""The read side the dispatcher shows: the channel's project, help, pending, digest, export,
the Home, and the current card of an item."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime

from workflow.domain.people import Identity, Person, Platform
from workflow.domain.permissions import Act
from workflow.domain.projects import Project, ProjectState
from workflow.domain.views import View
from workflow.flows import ITEMS
from workflow.flows.common import allowed_in, names_for, open_projects_of, person_with
from workflow.flows.insight.reads import export_rows, pending_for_person, pending_in, project_digest
from workflow.flows.waiting import decision_cards, waiting_in
from workflow.interpreter import help_lines
from workflow.ports import UnitOfWork
from workflow.presentation.cards import digest_card, info
from workflow.presentation.forms import Form, text_form
from workflow.presentation.presses import NeedText


async def project_in_channel(
    uow: UnitOfWork, platform: Platform, workspace_id: str, channel_id: str
) -> Project | None:
    """The project a channel is about (an open one before a closed one)."""
    found = await uow.workspaces.find(platform=platform, external_id=workspace_id)
    if not found:
        return None
    projects = await uow.projects.find(workspace_id=found[0].id, channel_id=channel_id)
    projects.sort(key=lambda p: (p.state is ProjectState.CLOSED, -(p.id or 0)))
    return projects[0] if projects else None


def help_for(person: Person | None, project: Project | None, prefix: str) -> list[str]:
    """The help lines for this person here (they were looked up once, by the caller)."""
    lines = help_lines(project, person.id if person else None, prefix)
    if project is not None and person is not None and not project.roles_of(person.id or 0):
        lines.append(f"You are not part of {project.key}; a PM can add you with `{prefix} people`.")
    return lines


def need_text_form(need: NeedText) -> Form:
    return text_form(need.context, need.label, need.required)


async def pending_view(
    uow: UnitOfWork, identity: Identity, project_id: int | None, now: datetime
) -> View:
    """`pending`: a PM or sponsor sees the whole project; anyone else what waits on them."""
    person = await person_with(uow, identity)
    project = await uow.projects.get(project_id) if project_id else None
    if project is not None and person is not None and person.id in project.pms + project.sponsors:
        items = await pending_in(uow, project)
    else:
        items = await pending_for_person(uow, person.id) if person and person.id else []
    names = await names_for(uow, {i.waiting_on for i in items})
    lines = [
        f"{i.title}: waiting on {names[i.waiting_on]} for {_age(now - i.since)}"
        for i in sorted(items, key=lambda i: i.since)
    ]
    return info("Pending", "\n".join(lines[:60]) or "Nothing is waiting. 🎉")


def _age(delta: object) -> str:
    days = getattr(delta, "days", 0)
    hours = int(getattr(delta, "seconds", 0) // 3600)
    return f"{days} d {hours} h" if days else f"{hours} h"


async def digest_view(uow: UnitOfWork, identity: Identity, project_id: int, now: datetime) -> View:
    project = await allowed_in(uow, identity, project_id, Act.DIGEST)
    figures = await project_digest(uow, project_id, now)
    return digest_card(project, figures, await names_for(uow, figures.silent))


async def export_csv(uow: UnitOfWork, identity: Identity, project_id: int) -> dict[str, str]:
    """feedback.csv, decisions.csv and audit.csv of one project."""
    project = await allowed_in(uow, identity, project_id, Act.EXPORT)
    files = {}
    for name, rows in (await export_rows(uow, project_id)).items():
        out = io.StringIO()
        if rows:
            writer = csv.DictWriter(out, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        files[f"{project.key.lower()}-{name}.csv"] = out.getvalue()
    return files


@dataclass(frozen=True)
class HomeData:
    """What the App Home shows one person."""

    name: str
    person_id: int | None
    pending: list[View]
    pm_projects: list[tuple[str, str, int]]
    customer_projects: list[tuple[int, str]]


async def home(uow: UnitOfWork, identity: Identity) -> HomeData:
    """Cards waiting on the person; (key, name, open items) of their projects as PM; and the
    projects where they are a customer (for the request / notice / feedback buttons)."""
    person = await person_with(uow, identity)
    if person is None or person.id is None:
        return HomeData("", None, [], [], [])
    data = HomeData(person.label, person.id, [], [], [])
    for project in await open_projects_of(uow, person.id):
        waiting = await waiting_in(uow, project)
        data.pending.extend(await decision_cards(uow, project, waiting, person.id))
        if person.id in project.pms:
            open_items = {(w.pending.kind, w.pending.item_id) for w in waiting}
            data.pm_projects.append((project.key, project.name, len(open_items)))
        if project.customer_entry(person.id) is not None and project.id is not None:
            data.customer_projects.append((project.id, project.key))
    return data


async def card_for_item(uow: UnitOfWork, item: str, person_id: int | None) -> View | None:
    """The current card of an item ("change_request:12"), as `person_id` would be shown it;
    None when the item is gone. Adapters that re-render a card on demand use it."""
    kind, _, raw = item.partition(":")
    entry = ITEMS.get(kind)
    if not raw.isdigit() or entry is None or entry.aggregate is None or entry.card is None:
        return None
    found = await uow.repo(entry.aggregate).get(int(raw))
    project = await uow.projects.get(found.project_id) if found is not None else None
    if found is None or project is None:
        return None
    names = await names_for(uow, [p.person_id for p in project.participants])
    return entry.card(found, project, names, person_id)
