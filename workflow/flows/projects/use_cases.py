"""Setting up a project, changing its people and settings, pausing check-ins."""

from __future__ import annotations

from workflow.domain import commands as c
from workflow.domain.errors import Refused
from workflow.domain.people import Platform, Workspace
from workflow.domain.permissions import Act
from workflow.domain.projects import Project, ProjectState, Role, valid_key
from workflow.domain.views import card_key
from workflow.flows.common import (
    actor_of,
    emit,
    everyone,
    names_for,
    open_projects_of,
    person_for,
    pid,
    project_for,
    project_of,
    to_channel,
    to_people,
    update_cards,
)
from workflow.flows.projects.cards import project_card, welcome_card
from workflow.flows.projects.checks import quorum_fits
from workflow.flows.projects.messages import (
    AwaySet,
    ChangePeople,
    ConfigureProject,
    CreateProject,
    PeopleChanged,
    ProjectCreated,
    SetApprovalPolicy,
    SetAway,
    SetCheckInSchedule,
    SettingsChanged,
    UpdateProfile,
)
from workflow.ports import UnitOfWork
from workflow.presentation.forms import FieldErrors
from workflow.presentation.said import checkins, policy

WELCOMED_ROLES = frozenset({Role.CUSTOMER, Role.SPONSOR})


async def workspace_for(uow: UnitOfWork, cmd: CreateProject) -> Workspace:
    found = await uow.workspaces.find(platform=cmd.platform, external_id=cmd.workspace_id)
    if found:
        return found[0]
    workspace = Workspace(cmd.platform, cmd.workspace_id, cmd.workspace_name)
    await uow.workspaces.add(workspace)
    await uow.flush()
    return workspace


def key_of(typed: str) -> str:
    """The project key as stored; a key that can't be one is an error on the Key field."""
    try:
        return valid_key(typed)
    except Refused as bad:
        raise FieldErrors({"key": bad.reason}) from None


async def key_is_free(cmd: CreateProject, uow: UnitOfWork) -> None:
    """Refuse, on the Key field, a key another project of the workspace already has (asked
    before a new project's form is acknowledged, and again when it is created)."""
    key = key_of(cmd.key)
    found = await uow.workspaces.find(platform=cmd.platform, external_id=cmd.workspace_id)
    taken = await uow.projects.find(workspace_id=found[0].id, key=key) if found else []
    if taken:
        raise FieldErrors(
            {"key": f"{key} is already the key of project {taken[0].name}; choose another key."}
        )


async def project_in_channel(
    uow: UnitOfWork, platform: Platform, workspace_id: str, channel_id: str
) -> Project | None:
    """The channel's project that is not closed, if it has one."""
    found = await uow.workspaces.find(platform=platform, external_id=workspace_id)
    in_channel = (
        await uow.projects.find(workspace_id=found[0].id, channel_id=channel_id) if found else []
    )
    return next((p for p in in_channel if p.state is not ProjectState.CLOSED), None)


def already_here(project: Project) -> str:
    return (
        f"This channel already has project {project.key} ({project.name}), and a channel "
        f"holds one project. Set up the new one in a channel of its own (type `new` there); "
        f"type `help` here to see what you can do in {project.key}."
    )


async def create_project(cmd: CreateProject, uow: UnitOfWork) -> c.Reply:
    pm = await actor_of(uow, cmd)
    key, name = key_of(cmd.key), cmd.name.strip()
    if not name:
        raise FieldErrors({"name": "A project needs a name."})
    await key_is_free(cmd, uow)
    here = await project_in_channel(uow, cmd.platform, cmd.workspace_id, cmd.channel_id)
    if here is not None:
        raise Refused(already_here(here))
    workspace = await workspace_for(uow, cmd)
    assert workspace.id is not None
    project = Project(workspace.id, key, name, cmd.channel_id, created_at=cmd.at)
    project.set_checkin(cmd.checkin_day, cmd.checkin_time)
    project.add(pid(pm), Role.PM, check=False, at=cmd.at)
    for ref, kind in cmd.customers:
        project.add(pid(await person_for(uow, ref)), Role.CUSTOMER, kind, check=False, at=cmd.at)
    if cmd.sponsor is not None:
        project.add(pid(await person_for(uow, cmd.sponsor)), Role.SPONSOR, check=False, at=cmd.at)
    for ref in cmd.members:
        project.add(pid(await person_for(uow, ref)), Role.MEMBER, check=False, at=cmd.at)
    project.check_invariants()
    await uow.projects.add(project)
    await uow.flush()
    assert project.id is not None
    welcomed = tuple(
        dict.fromkeys(p.person_id for p in project.participants if p.role in WELCOMED_ROLES)
    )
    emit(
        uow,
        ProjectCreated(
            at=cmd.at,
            actor_id=pm.id,
            project_id=project.id,
            subject_id=project.id,
            key=key,
            welcomed=welcomed,
        ),
    )
    return c.Reply(f"Project {key} is set up.", project.id)


async def change_people(cmd: ChangePeople, uow: UnitOfWork) -> c.Reply:
    pm = await actor_of(uow, cmd)
    project = await project_for(uow, cmd.project_id, pm, Act.MANAGE_PEOPLE, lock=True)
    added: list[tuple[int, str]] = []
    removed: list[tuple[int, str]] = []
    for ref, role in cmd.remove:
        person = await person_for(uow, ref)
        if project.remove(pid(person), role, check=False):
            removed.append((pid(person), role.value))
    for ref, role, kind in cmd.add:
        person = await person_for(uow, ref)
        if project.add(pid(person), role, kind, check=False, at=cmd.at):
            added.append((pid(person), role.value))
    project.check_invariants()
    if not added and not removed:
        return c.Reply("Nothing changed: everyone already had those roles.", project.id)
    welcomed = tuple(dict.fromkeys(p for p, r in added if Role(r) in WELCOMED_ROLES))
    emit(
        uow,
        PeopleChanged(
            at=cmd.at,
            actor_id=pm.id,
            project_id=project.id,
            subject_id=project.id,
            added=tuple(added),
            removed=tuple(removed),
            welcomed=welcomed,
        ),
    )
    return c.Reply(f"People of {project.key} updated.", project.id)


async def set_policy(cmd: SetApprovalPolicy, uow: UnitOfWork) -> c.Reply:
    pm = await actor_of(uow, cmd)
    project = await project_for(uow, cmd.project_id, pm, Act.CHANGE, lock=True)
    project.set_policy(cmd.rule, cmd.quorum, cmd.order)
    text = policy(project)
    emit(
        uow,
        SettingsChanged(
            at=cmd.at, actor_id=pm.id, project_id=project.id, subject_id=project.id, settings=text
        ),
    )
    return c.Reply(f"Approval policy of {project.key} saved: {text}.", project.id)


async def set_checkin_schedule(cmd: SetCheckInSchedule, uow: UnitOfWork) -> c.Reply:
    pm = await actor_of(uow, cmd)
    project = await project_for(uow, cmd.project_id, pm, Act.CHECKIN_SETTINGS, lock=True)
    project.set_checkin(cmd.day, cmd.time)
    text = checkins(project)
    emit(
        uow,
        SettingsChanged(
            at=cmd.at, actor_id=pm.id, project_id=project.id, subject_id=project.id, settings=text
        ),
    )
    return c.Reply(f"Check-ins of {project.key} moved: {text}.", project.id)


async def configure_project(cmd: ConfigureProject, uow: UnitOfWork) -> c.Reply:
    pm = await actor_of(uow, cmd)
    project = await project_for(uow, cmd.project_id, pm, Act.CHECKIN_SETTINGS, lock=True)
    quorum_fits(project, cmd.rule, cmd.quorum)  # on its field, as the form's check says
    project.set_checkin(cmd.day, cmd.time)
    project.set_policy(cmd.rule, cmd.quorum, cmd.order)
    if cmd.alert_days is not None:
        project.set_decision_alert(cmd.alert_days)
    text = f"{checkins(project)}; {policy(project)}; {alerts(project)}"
    emit(
        uow,
        SettingsChanged(
            at=cmd.at, actor_id=pm.id, project_id=project.id, subject_id=project.id, settings=text
        ),
    )
    return c.Reply(f"Settings of {project.key} saved: {text}.", project.id)


def alerts(project: Project) -> str:
    return f"PMs alerted when a decision waits {project.decision_alert_days} days"


async def update_profile(cmd: UpdateProfile, uow: UnitOfWork) -> c.Reply:
    person = await person_for(uow, cmd.person)
    return c.Reply(f"Profile of {person.label} saved ({person.timezone}).", person.id)


async def set_away(cmd: SetAway, uow: UnitOfWork) -> c.Reply:
    person = await actor_of(uow, cmd)
    if cmd.until is not None and cmd.until <= cmd.at.astimezone(person.zone).date():
        raise Refused("The date you'll be back must be in the future, e.g. 2027-01-04.")
    projects = await _customer_projects(uow, pid(person), cmd.project_id)
    if not projects:
        raise Refused(
            "You are not a customer of any open project, so there are no check-ins to pause."
        )
    for project in projects:
        entry = project.customer_entry(pid(person))
        assert entry is not None and project.id is not None
        entry.away_until = cmd.until
        emit(
            uow,
            AwaySet(
                at=cmd.at,
                actor_id=person.id,
                project_id=project.id,
                subject_id=person.id,
                until=cmd.until,
            ),
        )
    if cmd.until is None:
        return c.Reply("Welcome back: check-ins are on again.")
    return c.Reply(f"Check-ins paused until {cmd.until.isoformat()}. Enjoy your time away!")


async def _customer_projects(uow: UnitOfWork, person_id: int, only: int | None) -> list[Project]:
    if only is not None:
        project = await project_for(uow, only, lock=True)
        if project.customer_entry(person_id) is None:
            raise Refused(
                f"You are not a customer of {project.key}, so you have no check-ins there to pause."
            )
        return [project]
    return [p for p in await open_projects_of(uow, person_id) if p.customer_entry(person_id)]


async def project_created(event: ProjectCreated, uow: UnitOfWork) -> None:
    project = await project_of(uow, event)
    names = await names_for(uow, everyone(project))
    await to_channel(uow, event, project_card(project, names), card_key("project", project.id or 0))
    for person_id in event.welcomed:
        await to_people(uow, event, [person_id], welcome_card(project, person_id, names))


async def people_changed(event: PeopleChanged, uow: UnitOfWork) -> None:
    project = await project_of(uow, event)
    names = await names_for(uow, everyone(project))
    await update_cards(
        uow, event, card_key("project", project.id or 0), project_card(project, names)
    )
    for person_id in event.welcomed:
        await to_people(uow, event, [person_id], welcome_card(project, person_id, names))
