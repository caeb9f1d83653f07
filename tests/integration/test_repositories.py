"""Every aggregate survives a round trip through the database, and the unique keys hold."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.conftest import aiosqlite_threads_finished
from workflow.domain.change_versions import CRDecision, CRQuestion, Verdict
from workflow.domain.change_versions import new_version as change_version
from workflow.domain.changes import ChangeRequest, CRState
from workflow.domain.checkins import CheckIn, CheckInState
from workflow.domain.closing import Closing, DeliverableRating, DeliverableVerdict, Evaluation
from workflow.domain.errors import Conflict, Unavailable
from workflow.domain.inbox import CustomerRequest, Feedback, Invitation, Notice, NoticeState
from workflow.domain.people import Identity, Person, Platform, Workspace
from workflow.domain.projects import CustomerKind, Project, ProjectState, Role
from workflow.domain.reports import Rag, ReviewKind, StatusReport
from workflow.domain.signoffs import (
    Audience,
    SignoffKind,
    SignoffRequest,
    SignoffVerdict,
    new_signoff,
)
from workflow.persistence.db import make_engine, make_sessionmaker, upgrade_async
from workflow.persistence.unit_of_work import SqlUnitOfWork

Sessions = async_sessionmaker[AsyncSession]
T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
BERLIN_SUMMER = timezone(timedelta(hours=2))


@dataclass
class Seed:
    project: Project
    pm: int
    alice: int
    bob: int
    sam: int


async def seed(sessions: Sessions) -> Seed:
    """A workspace, four people and a project with an external and an internal customer."""
    async with SqlUnitOfWork(sessions) as uow:
        workspace = Workspace(Platform.SLACK, "T1", "Acme")
        await uow.workspaces.add(workspace)
        people = [
            Person(Identity(Platform.SLACK, org, user), name, "Europe/Berlin")
            for org, user, name in [("T1", "UPM", "Pam"), ("TC", "UALICE", "Alice"),
                                    ("T1", "UBOB", "Bob"), ("T1", "USAM", "Sam")]
        ]  # fmt: skip
        for person in people:
            await uow.people.add(person)
        await uow.flush()
        pm, alice, bob, sam = (p.id or 0 for p in people)
        assert workspace.id is not None
        project = Project(workspace.id, "WEB", "Website", "C1", T0, 2, time(9, 30))
        project.add(pm, Role.PM)
        project.add(sam, Role.SPONSOR)
        project.add(alice, Role.CUSTOMER, CustomerKind.EXTERNAL)
        project.add(bob, Role.CUSTOMER, CustomerKind.INTERNAL)
        project.participants[-1].away_until = date(2026, 12, 24)
        await uow.projects.add(project)
        await uow.commit()
    return Seed(project, pm, alice, bob, sam)


async def stored(sessions: Sessions, kind: str | type, item_id: int | None) -> object:
    """An item read back in a new transaction: `kind` names a repository or is a class."""
    assert item_id is not None
    async with SqlUnitOfWork(sessions) as uow:
        repo = getattr(uow, kind) if isinstance(kind, str) else uow.repo(kind)
        return await repo.get(item_id)


async def test_a_project_comes_back_with_its_participants_and_settings(sessions: Sessions) -> None:
    s = await seed(sessions)

    loaded = await stored(sessions, "projects", s.project.id)

    assert loaded == s.project
    assert isinstance(loaded, Project)
    assert [(p.role, p.customer_kind) for p in loaded.participants][2:] == [
        (Role.CUSTOMER, CustomerKind.EXTERNAL),
        (Role.CUSTOMER, CustomerKind.INTERNAL),
    ]
    assert loaded.state is ProjectState.ACTIVE and loaded.checkin_time == time(9, 30)
    assert loaded.created_at.tzinfo == UTC and loaded.row_version == 1


async def test_a_person_is_found_by_their_identity(sessions: Sessions) -> None:
    s = await seed(sessions)

    async with SqlUnitOfWork(sessions) as uow:
        found = await uow.people.find(identity=Identity(Platform.SLACK, "TC", "UALICE"))
        nobody = await uow.people.find(identity=Identity(Platform.TEAMS, "TC", "UALICE"))

    assert [(p.id, p.label, p.identity.platform) for p in found] == [
        (s.alice, "Alice", Platform.SLACK)
    ]
    assert nobody == []


async def test_a_change_request_keeps_versions_decisions_questions_cost_and_due_time(
    sessions: Sessions,
) -> None:
    s = await seed(sessions)
    due = datetime(2027, 1, 31, 18, 0, tzinfo=BERLIN_SUMMER)
    values = {"title": "Dark mode", "cost": Decimal("1200.5"), "due_at": due, "schedule_days": 3}
    async with SqlUnitOfWork(sessions) as uow:
        assert s.project.id is not None
        change = ChangeRequest(s.project.id, s.pm, T0)
        change.versions.append(change_version(1, s.pm, T0, values))
        change.versions.append(change_version(2, s.pm, T0, {**values, "title": "Dark theme"}))
        change.decisions.append(CRDecision(2, s.alice, Verdict.APPROVE, "", T0, "h" * 64))
        change.questions.append(CRQuestion(2, s.bob, "Which pages?", T0, "All", s.pm, T0))
        await uow.repo(ChangeRequest).add(change)
        await uow.commit()

    loaded = await stored(sessions, ChangeRequest, change.id)

    assert loaded == change
    assert isinstance(loaded, ChangeRequest)
    assert [v.number for v in loaded.versions] == [1, 2]
    assert loaded.current.cost == Decimal("1200.50")
    assert loaded.current.due_at == due and loaded.current.due_at.tzinfo == UTC
    assert loaded.current.shown_hash() == change.current.shown_hash()
    assert loaded.counted() == {s.alice: Verdict.APPROVE} and loaded.state is CRState.PENDING


async def test_a_signoff_request_keeps_its_approvers(sessions: Sessions) -> None:
    s = await seed(sessions)
    async with SqlUnitOfWork(sessions) as uow:
        signoff = new_signoff(s.project, SignoffKind.PLAN, {"title": "Plan v2"}, s.pm, T0)
        signoff.decide(s.bob, SignoffVerdict.APPROVE_WITH_REMARKS, "Fine", T0)
        await uow.repo(SignoffRequest).add(signoff)
        await uow.commit()

    loaded = await stored(sessions, SignoffRequest, signoff.id)

    assert loaded == signoff
    assert {(a.person_id, a.audience, a.verdict) for a in signoff.approvers} == {
        (s.alice, Audience.SCOPE_SECTION, None),
        (s.bob, Audience.WHOLE, SignoffVerdict.APPROVE_WITH_REMARKS),
    }


async def test_a_status_report_keeps_its_reviews_and_reviewers(sessions: Sessions) -> None:
    s = await seed(sessions)
    async with SqlUnitOfWork(sessions) as uow:
        assert s.project.id is not None
        report = StatusReport(
            s.project.id, "W48", Rag.AMBER, "On track", "", "", s.pm, T0, [s.alice, s.bob]
        )
        report.review(s.alice, ReviewKind.ACKNOWLEDGE, "", T0)
        await uow.repo(StatusReport).add(report)
        await uow.commit()

    loaded = await stored(sessions, StatusReport, report.id)

    assert loaded == report
    assert isinstance(loaded, StatusReport) and loaded.waiting_on() == [s.bob]


async def test_check_ins_and_inbox_items_come_back_as_they_were(sessions: Sessions) -> None:
    s = await seed(sessions)
    assert s.project.id is not None
    pid = s.project.id
    checkin = CheckIn(pid, s.alice, date(2026, 11, 30), T0)
    checkin.answer(4, "Good", True, T0 + timedelta(hours=1))
    items: list[object] = [
        checkin,
        CustomerRequest(pid, s.alice, "A logo", T0),
        Notice(pid, s.alice, "New CTO", "Scope", T0, date(2026, 11, 1)),
        Feedback(pid, s.bob, "Thanks", T0),
        Invitation(pid, s.alice, s.pm, "Demo", T0, T0 + timedelta(days=2)),
    ]
    async with SqlUnitOfWork(sessions) as uow:
        for item in items:
            await uow.repo(type(item)).add(item)
        await uow.commit()

    for item in items:
        assert await stored(sessions, type(item), getattr(item, "id", None)) == item
    async with SqlUnitOfWork(sessions) as uow:
        received = await uow.repo(Notice).find(project_id=pid, state=NoticeState.RECEIVED)
    assert [n.what for n in received] == ["New CTO"]


async def test_a_closing_keeps_its_evaluations_and_their_ratings(sessions: Sessions) -> None:
    s = await seed(sessions)
    async with SqlUnitOfWork(sessions) as uow:
        assert s.project.id is not None
        closing = Closing(s.project.id, ["Site", "Docs"], True, s.pm, T0, [s.alice, s.bob])
        ratings = [
            DeliverableRating("Site", DeliverableVerdict.ACCEPT),
            DeliverableRating("Docs", DeliverableVerdict.REJECT, "Too short"),
        ]
        closing.evaluate(Evaluation(s.alice, 4, "Good work", T0, ratings))
        await uow.repo(Closing).add(closing)
        await uow.commit()

    loaded = await stored(sessions, Closing, closing.id)

    assert loaded == closing
    assert isinstance(loaded, Closing) and loaded.waiting_on() == [s.bob]


async def test_a_second_decision_on_the_same_version_by_the_same_approver_is_refused(
    sessions: Sessions,
) -> None:
    s = await seed(sessions)
    async with SqlUnitOfWork(sessions) as uow:
        assert s.project.id is not None
        change = ChangeRequest(s.project.id, s.pm, T0)
        change.versions.append(change_version(1, s.pm, T0, {"title": "Dark mode"}))
        change.decisions.append(CRDecision(1, s.alice, Verdict.APPROVE, "", T0, "h"))
        await uow.repo(ChangeRequest).add(change)
        await uow.commit()

    with pytest.raises(Conflict):
        async with SqlUnitOfWork(sessions) as uow:
            again = await uow.repo(ChangeRequest).get(change.id or 0, lock=True)
            assert again is not None
            again.decisions.append(CRDecision(1, s.alice, Verdict.REJECT, "No", T0, "h"))
            await uow.commit()

    assert await stored(sessions, ChangeRequest, change.id) == change


async def test_a_second_check_in_for_the_same_person_and_week_is_refused(
    sessions: Sessions,
) -> None:
    s = await seed(sessions)
    assert s.project.id is not None
    week = date(2026, 11, 30)
    async with SqlUnitOfWork(sessions) as uow:
        await uow.repo(CheckIn).add(CheckIn(s.project.id, s.alice, week, T0))
        await uow.commit()

    with pytest.raises(Conflict):
        async with SqlUnitOfWork(sessions) as uow:
            await uow.repo(CheckIn).add(
                CheckIn(s.project.id, s.alice, week, T0 + timedelta(hours=1))
            )
            await uow.flush()

    async with SqlUnitOfWork(sessions) as uow:
        found = await uow.repo(CheckIn).find(project_id=s.project.id)
    assert [(c.person_id, c.week, c.state) for c in found] == [(s.alice, week, CheckInState.SENT)]


async def test_nothing_is_written_when_a_unit_of_work_ends_without_commit(
    sessions: Sessions,
) -> None:
    s = await seed(sessions)

    with pytest.raises(RuntimeError):
        async with SqlUnitOfWork(sessions) as uow:
            assert s.project.id is not None
            await uow.repo(Feedback).add(Feedback(s.project.id, s.bob, "Lost", T0))
            await uow.flush()
            assert await uow.inbound.first_time("slack:Ev1", T0)
            raise RuntimeError("the handler failed")

    async with SqlUnitOfWork(sessions) as uow:
        assert await uow.repo(Feedback).find() == []
        assert await uow.inbound.first_time("slack:Ev1", T0)


async def test_a_lost_update_on_children_alone_is_a_conflict(postgres_url: str) -> None:
    """Two writers who skip the row lock: the second one's commit fails, so the bus retries."""
    await upgrade_async(postgres_url)
    engine = make_engine(postgres_url)
    sessions = make_sessionmaker(engine)
    s = await seed(sessions)
    async with SqlUnitOfWork(sessions) as uow:
        assert s.project.id is not None
        change = ChangeRequest(s.project.id, s.pm, T0)
        change.versions.append(change_version(1, s.pm, T0, {"title": "Dark mode"}))
        await uow.repo(ChangeRequest).add(change)
        await uow.commit()
    assert change.id is not None

    async with SqlUnitOfWork(sessions) as first, SqlUnitOfWork(sessions) as second:
        mine, theirs = (
            await first.repo(ChangeRequest).get(change.id),
            await second.repo(ChangeRequest).get(change.id),
        )
        assert mine is not None and theirs is not None
        theirs.decisions.append(CRDecision(1, s.bob, Verdict.APPROVE, "", T0, "h"))
        await second.commit()
        mine.decisions.append(CRDecision(1, s.alice, Verdict.APPROVE, "", T0, "h"))
        with pytest.raises(Conflict):
            await first.commit()
    await engine.dispose()


@pytest.mark.parametrize(
    "url",
    [
        "sqlite+aiosqlite:////nonexistent/directory/clientloop.db",
        "postgresql+asyncpg://postgres@127.0.0.1:1/nothing_listens_here",
    ],
)
async def test_an_unreachable_database_is_reported_as_unavailable(url: str) -> None:
    engine = make_engine(url)
    with pytest.raises(Unavailable):
        async with SqlUnitOfWork(make_sessionmaker(engine)) as uow:
            await uow.people.find()
    await engine.dispose()
    await aiosqlite_threads_finished()
