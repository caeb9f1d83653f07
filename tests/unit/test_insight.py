"""The read side: pending items and their age, the digest figures, export rows."""

from __future__ import annotations

from datetime import date, timedelta

from tests.fakes import FakeUnitOfWork
from tests.unit.conftest import ALICE, CAROL, PM, SPONSOR, T0, World, setup_project
from workflow import queries
from workflow.domain.change_versions import Verdict
from workflow.domain.checkins import CheckIn, CheckInState
from workflow.domain.insight import OLDEST_BUCKET, PendingItem, digest
from workflow.flows.change_requests.messages import CreateChangeRequest, DecideChange
from workflow.flows.checkins.messages import AnswerCheckIn, SendCheckIns
from workflow.flows.closing.messages import CloseProject
from workflow.flows.insight.reads import export_rows, pending_for_person, pending_in, project_digest
from workflow.flows.requests import SendRequest

APPROVE = Verdict.APPROVE


async def test_pending_says_what_waits_on_whom_since_when(world: World, project: int) -> None:
    await world.do(CreateChangeRequest, PM, project_id=project, title="Blog")
    world.tick(days=1)
    await world.do(SendRequest, ALICE, project_id=project, text="FAQ")
    async with FakeUnitOfWork(world.store) as uow:
        items = await pending_in(uow, await uow.projects.get(project))
        alice = await pending_for_person(uow, await world.person_id(ALICE))
    waiting = {(i.kind, i.waiting_on) for i in items}
    assert ("change_request", await world.person_id(SPONSOR)) in waiting
    assert ("request", await world.person_id(PM)) in waiting
    assert [(i.kind, i.age(world.now)) for i in alice] == [("change_request", timedelta(days=1))]


def checkin(person: int, week: date, state: CheckInState, rating: int | None = None) -> CheckIn:
    return CheckIn(1, person, week, T0, state=state, rating=rating)


def test_the_digest_figures_on_known_data() -> None:
    w = [date(2026, 11, 9), date(2026, 11, 16), date(2026, 11, 23), date(2026, 11, 30)]
    A, M = CheckInState.ANSWERED, CheckInState.MISSED
    data = [
        checkin(1, w[0], A, 3),
        checkin(2, w[0], A, 5),
        checkin(1, w[1], A, 2),
        checkin(2, w[1], M),
        checkin(1, w[2], A, 4),
        checkin(2, w[2], M),
        checkin(1, w[3], A, 5),
        checkin(2, w[3], CheckInState.SENT),
        checkin(1, date(2026, 10, 1), M),
    ]
    pending = [
        PendingItem("change_request", 7, 1, "x", 1, T0 - timedelta(days=10)),
        PendingItem("change_request", 7, 1, "x", 2, T0 - timedelta(days=10)),
        PendingItem("signoff", 8, 1, "y", 1, T0 - timedelta(hours=5)),
    ]
    result = digest(data, [1, 2, 3], pending, notices=2, this_week=w[3], now=T0)
    assert result.weeks == tuple(w)
    assert result.response_rate == round(5 / 8, 3)
    assert result.average_rating == round((3 + 5 + 2 + 4 + 5) / 5, 2)
    assert result.trend == (4.0, 2.0, 4.0, 5.0)
    assert result.open_by_age == {"under 2 days": 1, "2 to 7 days": 0, OLDEST_BUCKET: 1}
    assert result.silent == (2,)
    assert result.notices == 2


async def test_the_project_digest_and_export_come_from_the_store(
    world: World, project: int
) -> None:
    await world.do(SendCheckIns, PM, project_id=project)
    carol = await world.person_id(CAROL)
    cid = next(ci.id for ci in world.store.items["CheckIn"] if ci.person_id == carol)
    await world.do(AnswerCheckIn, CAROL, checkin_id=cid, rating=4, text="Fine")
    async with FakeUnitOfWork(world.store) as uow:
        figures = await project_digest(uow, project, world.now)
        rows = await export_rows(uow, project)
    assert (figures.response_rate, figures.average_rating) == (0.5, 4.0)
    assert rows["feedback"] == [
        {
            "type": "checkin",
            "person_id": carol,
            "week": date(2026, 11, 30),
            "rating": 4,
            "text": "Fine",
            "at": world.now,
        }
    ]
    assert [r["action"] for r in rows["audit"]][-2:] == ["CheckInSent", "CheckInAnswered"]


async def test_decided_items_and_closed_projects_never_reach_a_persons_pending_list(
    world: World, project: int
) -> None:
    alice = await world.person_id(ALICE)
    await world.do(CreateChangeRequest, PM, project_id=project, title="Decided")
    decided = max(cr.id for cr in world.store.items["ChangeRequest"])
    for approver in (SPONSOR, ALICE, CAROL):
        await world.do(DecideChange, approver, change_id=decided, version=1, verdict=APPROVE)
    await world.do(SendCheckIns, PM, project_id=project)
    answered = next(ci.id for ci in world.store.items["CheckIn"] if ci.person_id == alice)
    await world.do(AnswerCheckIn, ALICE, checkin_id=answered, rating=5)
    await world.do(CreateChangeRequest, PM, project_id=project, title="Open")
    still_open = max(cr.id for cr in world.store.items["ChangeRequest"])
    old = await setup_project(world, key="OLD", channel_id="C2")
    await world.do(CreateChangeRequest, PM, project_id=old, title="In a closed project")
    await world.do(CloseProject, PM, project_id=old)

    async with FakeUnitOfWork(world.store) as uow:
        mine = await pending_for_person(uow, alice)
        home = await queries.home(uow, ALICE.identity)

    assert [(i.kind, i.item_id, i.project_id) for i in mine] == [
        ("change_request", still_open, project)
    ]
    assert home.customer_projects == [(project, "WEB")]
    assert len(home.pending) == 1
