"""The read side's filters reach the database: IN, later-than, is-null and a child that matches."""

from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.integration.test_repositories import T0, seed
from workflow.domain.audit import AuditEntry
from workflow.domain.checkins import CheckIn, CheckInState
from workflow.domain.closing import Closing
from workflow.domain.inbox import Notice
from workflow.domain.projects import Project, ProjectState, Role
from workflow.flows.common import OPEN_PROJECT, open_projects_of
from workflow.persistence.unit_of_work import SqlUnitOfWork
from workflow.ports import After, AnyOf, Includes

Sessions = async_sessionmaker[AsyncSession]


async def test_a_persons_open_projects_come_with_all_their_participants(
    sessions: Sessions,
) -> None:
    s = await seed(sessions)
    async with SqlUnitOfWork(sessions) as uow:
        workspace_id = s.project.workspace_id
        closed = Project(workspace_id, "OLD", "Old site", "C2", T0, state=ProjectState.CLOSED)
        closing = Project(workspace_id, "APP", "App", "C3", T0, state=ProjectState.CLOSING)
        elsewhere = Project(workspace_id, "OPS", "Ops", "C4", T0)
        for project, person in ((closed, s.alice), (closing, s.alice), (elsewhere, s.bob)):
            project.add(s.pm, Role.PM)
            project.add(person, Role.MEMBER)
            await uow.projects.add(project)
        await uow.commit()

    async with SqlUnitOfWork(sessions) as uow:
        mine = await open_projects_of(uow, s.alice)
        as_pm = await uow.projects.find(
            participants=Includes(person_id=s.pm, role=Role.PM), state=OPEN_PROJECT
        )
        as_member = await uow.projects.find(participants=Includes(person_id=s.alice, role=Role.PM))

    assert [p.key for p in mine] == ["WEB", "APP"]
    assert mine[0] == s.project and len(mine[0].participants) == 4
    assert [p.key for p in as_pm] == ["WEB", "APP", "OPS"]
    assert as_member == []


async def test_find_takes_any_of_several_states_in_one_query(sessions: Sessions) -> None:
    s = await seed(sessions)
    pid = s.project.id or 0
    weeks = [date(2026, 11, 2) + timedelta(weeks=n) for n in range(4)]
    states = [CheckInState.SENT, CheckInState.REMINDED, CheckInState.ANSWERED, CheckInState.MISSED]
    async with SqlUnitOfWork(sessions) as uow:
        for week, state in zip(weeks, states, strict=True):
            await uow.repo(CheckIn).add(CheckIn(pid, s.alice, week, T0, state=state))
        await uow.commit()

    async with SqlUnitOfWork(sessions) as uow:
        open_ones = await uow.repo(CheckIn).find(
            project_id=pid, state=AnyOf(CheckInState.SENT, CheckInState.REMINDED)
        )
        none = await uow.repo(CheckIn).find(project_id=pid, state=AnyOf())

    assert [c.state for c in open_ones] == [CheckInState.SENT, CheckInState.REMINDED]
    assert none == []


async def test_find_takes_later_than_and_is_null(sessions: Sessions) -> None:
    s = await seed(sessions)
    pid = s.project.id or 0
    async with SqlUnitOfWork(sessions) as uow:
        for days in (8, 7, 1):
            await uow.repo(Notice).add(
                Notice(pid, s.alice, f"{days} d ago", "", T0 - timedelta(days=days))
            )
        await uow.repo(Closing).add(Closing(pid, ["Site"], False, s.pm, T0, [s.alice]))
        await uow.commit()

    async with SqlUnitOfWork(sessions) as uow:
        recent = await uow.repo(Notice).find(
            project_id=pid, created_at=After(T0 - timedelta(days=7))
        )
        running = await uow.repo(Closing).find(project_id=pid, closed_at=None)
        closed = await uow.repo(Closing).find(
            project_id=pid, closed_at=After(T0 - timedelta(days=1))
        )

    assert [n.what for n in recent] == ["1 d ago"]
    assert [c.project_id for c in running] == [pid] and closed == []


async def test_the_audit_trail_of_one_project_comes_alone_and_in_order(sessions: Sessions) -> None:
    def entry(seq: int, project_id: int | None) -> AuditEntry:
        return AuditEntry(seq, T0, "pm", "Did", "project", project_id, project_id, None, "", "", "",
                          "p" * 64, f"{seq:064d}")  # fmt: skip

    async with SqlUnitOfWork(sessions) as uow:
        for seq, project_id in enumerate((1, 2, None, 1), start=1):
            await uow.audit.store(entry(seq, project_id))
        await uow.commit()

    async with SqlUnitOfWork(sessions) as uow:
        first = await uow.audit.entries(1)
        every = await uow.audit.entries()

    assert [e.seq for e in first] == [1, 4]
    assert [e.seq for e in every] == [1, 2, 3, 4]


async def test_at_most_finds_only_what_is_due_by_then_and_never_an_unset_time(
    sessions: Sessions,
) -> None:
    """The overdue pass of the scheduler asks only for what is due: AtMost, on a child too."""
    from decimal import Decimal

    from workflow.domain.change_versions import new_version
    from workflow.domain.changes import ChangeRequest
    from workflow.ports import AtMost, Includes

    s = await seed(sessions)
    assert s.project.id is not None
    due = [None, T0 - timedelta(hours=1), T0 + timedelta(hours=1)]
    async with SqlUnitOfWork(sessions) as uow:
        for n, due_at in enumerate(due):
            values = {"title": f"CR {n}", "cost": Decimal(0), "due_at": due_at}
            version = new_version(1, s.pm, T0 - timedelta(days=1), values)
            await uow.repo(ChangeRequest).add(
                ChangeRequest(s.project.id, s.pm, T0 - timedelta(days=1), versions=[version])
            )
        await uow.commit()
    async with SqlUnitOfWork(sessions) as uow:
        overdue = Includes(due_at=AtMost(T0))
        found = await uow.repo(ChangeRequest).find(versions=overdue)
    assert [c.current.title for c in found] == ["CR 1"]
