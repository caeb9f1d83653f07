"""The read side adapters use: finding projects and people, building forms, home, help, digest."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from workflow.domain.changes import Approvers, ChangeRequest
from workflow.domain.checkins import CheckIn, CheckInState
from workflow.domain.errors import NotFound, Refused
from workflow.domain.inbox import CustomerRequest, Invitation, Notice
from workflow.domain.people import Identity, Person, Platform
from workflow.domain.permissions import Act, require
from workflow.domain.projects import Project, ProjectState
from workflow.domain.reports import StatusReport
from workflow.domain.signoffs import Audience, SignoffRequest
from workflow.domain.views import View
from workflow.ports import Repository, UnitOfWork
from workflow.presentation import form_specs as specs
from workflow.presentation.forms import Form, FormKind
from workflow.presentation.presses import NeedText, OpenForm
from workflow.presentation.words import help_lines
from workflow.services import cards
from workflow.services.insight import export_rows, pending_for_person, pending_in, project_digest
from workflow.services.notify import names_for
from workflow.services.notify_items import waiting_views


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


async def person_with(uow: UnitOfWork, identity: Identity) -> Person | None:
    found = await uow.people.find(identity=identity)
    return found[0] if found else None


async def help_for(
    uow: UnitOfWork, identity: Identity, project: Project | None, prefix: str
) -> list[str]:
    person = await person_with(uow, identity)
    lines = help_lines(project, person.id if person else None, prefix)
    if project is not None and person is not None and not project.roles_of(person.id or 0):
        lines.append(f"You are not part of {project.key}; a PM can add you with `{prefix} people`.")
    return lines


async def _allowed(uow: UnitOfWork, identity: Identity, project_id: int, act: Act) -> Project:
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


FORM_ACTS = {
    FormKind.PEOPLE: Act.MANAGE_PEOPLE,
    FormKind.SETTINGS: Act.CHECKIN_SETTINGS,
    FormKind.CHANGE: Act.CHANGE,
    FormKind.SIGNOFF: Act.SIGNOFF,
    FormKind.REPORT: Act.REPORT,
    FormKind.INVITE: Act.INVITE,
    FormKind.CLOSE: Act.CLOSE,
    FormKind.REQUEST: Act.SEND_REQUEST,
    FormKind.NOTICE: Act.SEND_NOTICE,
    FormKind.FEEDBACK: Act.SEND_FEEDBACK,
    FormKind.EVALUATE: Act.EVALUATE,
}


async def build_form(uow: UnitOfWork, wanted: OpenForm, identity: Identity) -> Form:
    """The form to show, after checking the person may use it; refusals say why."""
    ctx = dict(wanted.context)
    if wanted.kind is FormKind.NEW_PROJECT:
        return specs.new_project(ctx)
    if wanted.kind is FormKind.CHECKIN:
        return await _checkin_form(uow, identity, int(ctx["checkin_id"] or 0))
    if wanted.kind is FormKind.CHANGE and "project_id" not in ctx:
        return await _change_from_item(uow, identity, wanted)
    project = await _allowed(uow, identity, int(ctx["project_id"] or 0), FORM_ACTS[wanted.kind])
    if wanted.kind is FormKind.SETTINGS:
        return specs.settings(
            ctx,
            project.checkin_day,
            f"{project.checkin_time:%H:%M}",
            project.approval_rule.value,
            project.quorum,
            project.approval_order.value,
        )
    if wanted.kind is FormKind.EVALUATE:
        closings = await uow.closings.find(project_id=project.id)
        if not closings or closings[0].closed_at is not None:
            raise Refused(f"{project.key} is not asking for a final evaluation.")
        return specs.evaluate(ctx, closings[0].deliverables)
    return _simple_form(wanted, ctx)


def _simple_form(wanted: OpenForm, ctx: dict[str, str | int | None]) -> Form:
    p = wanted.prefill
    builders = {
        FormKind.PEOPLE: lambda: specs.people(ctx),
        FormKind.CHANGE: lambda: specs.change(ctx),
        FormKind.SIGNOFF: lambda: specs.signoff(ctx, p.get("kind", "")),
        FormKind.REPORT: lambda: specs.report(ctx),
        FormKind.CLOSE: lambda: specs.close(ctx),
        FormKind.REQUEST: lambda: specs.request(ctx, p.get("text", "")),
        FormKind.NOTICE: lambda: specs.notice(ctx, p.get("what", "")),
        FormKind.FEEDBACK: lambda: specs.feedback(ctx, p.get("text", "")),
        FormKind.INVITE: lambda: specs.invite(ctx, p.get("what", "")),
    }
    return builders[wanted.kind]()


async def _checkin_form(uow: UnitOfWork, identity: Identity, checkin_id: int) -> Form:
    checkin = await uow.checkins.get(checkin_id)
    person = await person_with(uow, identity)
    if checkin is None or person is None or checkin.person_id != person.id:
        raise Refused("This check-in was sent to someone else; only they can answer it.")
    if checkin.state is CheckInState.ANSWERED:
        raise Refused("You have already answered this check-in. Thank you!")
    return specs.checkin({"checkin_id": checkin_id})


async def _change_from_item(uow: UnitOfWork, identity: Identity, wanted: OpenForm) -> Form:
    """A change form drawn from a request, a notice, or the change request being edited."""
    ctx = dict(wanted.context)
    if ctx.get("change_id") is not None:
        change = await uow.changes.get(int(ctx["change_id"] or 0))
        if change is None:
            raise NotFound("That change request no longer exists.")
        await _allowed(uow, identity, change.project_id, Act.CHANGE)
        v = change.current
        due = f"{v.due_at:%Y-%m-%d}" if v.due_at else ""
        return specs.change(
            ctx,
            {
                "title": v.title,
                "description": v.description,
                "scope": v.scope,
                "schedule_days": str(v.schedule_days),
                "cost": str(v.cost),
                "reason": v.reason,
                "due": due,
            },
        )
    if ctx.get("request_id") is not None:
        request = await uow.requests.get(int(ctx["request_id"] or 0))
        if request is None:
            raise NotFound("That request no longer exists.")
        await _allowed(uow, identity, request.project_id, Act.CHANGE)
        ctx["project_id"] = request.project_id
        return specs.change(
            ctx,
            {
                "title": request.text[:150],
                "description": request.text,
                "reason": "Requested by the customer",
            },
        )
    notice = await uow.notices.get(int(ctx.get("notice_id") or 0))
    if notice is None:
        raise NotFound("That notice no longer exists.")
    await _allowed(uow, identity, notice.project_id, Act.CHANGE)
    ctx["project_id"] = notice.project_id
    return specs.change(
        ctx,
        {
            "title": f"Change on the customer's side: {notice.what[:100]}",
            "description": notice.what,
            "scope": notice.affects,
            "reason": "Environment change reported by the customer",
        },
    )


def text_form(need: NeedText) -> Form:
    return specs.text(need.context, need.label, need.required)


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
    return cards.info("Pending", "\n".join(lines[:60]) or "Nothing is waiting. 🎉")


def _age(delta: object) -> str:
    days = getattr(delta, "days", 0)
    hours = int(getattr(delta, "seconds", 0) // 3600)
    return f"{days} d {hours} h" if days else f"{hours} h"


async def digest_view(uow: UnitOfWork, identity: Identity, project_id: int, now: datetime) -> View:
    project = await _allowed(uow, identity, project_id, Act.DIGEST)
    figures = await project_digest(uow, project_id, now)
    return cards.digest_card(project, figures, await names_for(uow, figures.silent))


async def export_csv(uow: UnitOfWork, identity: Identity, project_id: int) -> dict[str, str]:
    """feedback.csv, decisions.csv and audit.csv of one project."""
    project = await _allowed(uow, identity, project_id, Act.EXPORT)
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
    for project in await uow.projects.find():
        if project.state is ProjectState.CLOSED or not project.roles_of(person.id):
            continue
        data.pending.extend(await waiting_views(uow, project, person.id))
        if person.id in project.pms:
            open_items = {(i.kind, i.item_id) for i in await pending_in(uow, project)}
            data.pm_projects.append((project.key, project.name, len(open_items)))
        if project.customer_entry(person.id) is not None and project.id is not None:
            data.customer_projects.append((project.id, project.key))
    return data


async def card_for_item(uow: UnitOfWork, item: str, person_id: int | None) -> View | None:
    """The current card of an item ("change_request:12"), as `person_id` would be shown it;
    None when the item is gone. Adapters that re-render a card on demand use it."""
    kind, _, raw = item.partition(":")
    if not raw.isdigit():
        return None
    item_id = int(raw)
    repos: dict[str, Repository[Any]] = {
        "change_request": uow.changes, "signoff": uow.signoffs, "report": uow.reports,
        "request": uow.requests, "notice": uow.notices, "invitation": uow.invitations,
        "checkin": uow.checkins,
    }  # fmt: skip
    repo = repos.get(kind)
    found = await repo.get(item_id) if repo is not None else None
    project = await uow.projects.get(found.project_id) if found is not None else None
    if found is None or project is None:
        return None
    names = await names_for(uow, [p.person_id for p in project.participants])
    return _card(found, project, names, person_id)


def _card(found: object, project: Project, names: dict[int, str], person_id: int | None) -> View:
    if isinstance(found, ChangeRequest):
        turn = found.turn(Approvers.of(project)) if found.is_open else []
        return cards.change_card(found, turn, names)
    if isinstance(found, SignoffRequest):
        mine = [a.audience for a in found.approvers if a.person_id == person_id]
        return cards.signoff_card(found, mine[0] if mine else Audience.WHOLE, names)
    if isinstance(found, StatusReport):
        return cards.report_card(found, names)
    if isinstance(found, CustomerRequest):
        return cards.request_card(found, project, names)
    if isinstance(found, Notice):
        return cards.notice_card(found, project, names)
    if isinstance(found, Invitation):
        return cards.invitation_card(found, project, names)
    assert isinstance(found, CheckIn)
    return cards.checkin_card(found, project, [])
