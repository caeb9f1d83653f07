"""A check-in carries the decisions waiting on its customer: those nested cards are copies too,
updated in place with the check-in's own key when the decision changes or settles."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from tests.unit.conftest import ALICE, BOB, CAROL, PM, SPONSOR, T0, World, setup_project
from workflow.domain import commands as c
from workflow.domain.change_versions import Verdict
from workflow.domain.checkins import CheckIn
from workflow.domain.projects import ApprovalRule, CustomerKind
from workflow.domain.signoffs import SignoffKind, SignoffVerdict
from workflow.domain.views import Op, View, ViewKind
from workflow.flows.change_requests.messages import (
    CreateChangeRequest,
    DecideChange,
    ExpireOverdue,
)
from workflow.flows.checkins.messages import AnswerCheckIn, SendCheckIns
from workflow.flows.projects.messages import SetApprovalPolicy
from workflow.flows.signoffs.messages import DecideSignoff, RequestSignoff

DECISION_VERBS = {"approve", "approve_with_remarks", "reject", "ask"}


async def create(world: World, **kw: object) -> int:
    kw.setdefault("title", "Dark mode")
    kw.setdefault("cost", Decimal(1200))
    reply = await world.do(CreateChangeRequest, PM, project_id=world.project_id, **kw)
    assert reply.subject_id is not None
    return reply.subject_id


async def approve(world: World, who: object, cr: int) -> None:
    await world.do(DecideChange, who, change_id=cr, version=1, verdict=Verdict.APPROVE)


async def checkin_of(world: World, who: object) -> CheckIn:
    await world.do(SendCheckIns, PM, project_id=world.project_id)
    person = await world.person_id(who)  # type: ignore[arg-type]
    found: CheckIn = next(ci for ci in world.store.items["CheckIn"] if ci.person_id == person)
    return found


def updates(world: World, checkin: CheckIn) -> list[View]:
    """The new content sent to every copy of that check-in, oldest first."""
    return [
        m.view
        for m in world.store.sent()
        if m.op is Op.UPDATE and m.card_key == f"checkin:{checkin.id}"
    ]


def decision_verbs(view: View) -> set[str]:
    return {b.verb for item in view.items for b in item.buttons} & DECISION_VERBS


async def test_a_change_another_customer_approved_under_any_loses_its_buttons_in_the_checkin(
    world: World,
) -> None:
    await setup_project(world, external=False)
    await world.do(SetApprovalPolicy, PM, project_id=world.project_id, rule=ApprovalRule.ANY)
    cr = await create(world)
    alice = await checkin_of(world, ALICE)
    sent = next(m.view for m in world.sent_to(alice.person_id) if m.view.kind is ViewKind.CHECKIN)
    assert decision_verbs(sent) == {"approve", "reject", "ask"}
    assert alice.carried == [f"change_request:{cr}"]

    await approve(world, CAROL, cr)

    [update] = updates(world, alice)
    assert [(i.title, i.status) for i in update.items] == [
        (f"CR-{cr} · Dark mode (version 1)", "Approved")
    ]
    assert decision_verbs(update) == set()
    assert "answer" in {b.verb for b in update.buttons}, "the check-in itself stays open"


async def test_a_reached_quorum_updates_the_checkin_of_the_customer_never_asked_to_decide(
    world: World,
) -> None:
    internal = CustomerKind.INTERNAL
    await setup_project(world, customers=((ALICE, internal), (BOB, internal), (CAROL, internal)))
    policy = {"rule": ApprovalRule.QUORUM, "quorum": 2}
    await world.do(SetApprovalPolicy, PM, project_id=world.project_id, **policy)
    cr = await create(world)
    carol = await checkin_of(world, CAROL)
    await approve(world, ALICE, cr)
    assert decision_verbs(updates(world, carol)[-1]) == {"approve", "reject", "ask"}
    await approve(world, BOB, cr)
    assert updates(world, carol)[-1].items[0].status == "Approved"
    assert decision_verbs(updates(world, carol)[-1]) == set()


async def test_an_expired_change_loses_its_buttons_in_every_checkin_carrying_it(
    world: World, project: int
) -> None:
    cr = await create(world, due_at=world.now + timedelta(days=3))
    alice, carol = await checkin_of(world, ALICE), await checkin_of(world, CAROL)
    world.tick(days=3, seconds=1)
    await world.do(ExpireOverdue, None)
    for checkin in (alice, carol):
        [update] = updates(world, checkin)
        assert update.items[0].title.startswith(f"CR-{cr}") and update.items[0].status == "Expired"
        assert decision_verbs(update) == set()


async def test_a_sign_off_rejected_elsewhere_loses_its_buttons_in_the_checkin(
    world: World, project: int
) -> None:
    reply = await world.do(
        RequestSignoff,
        PM,
        project_id=project,
        kind=SignoffKind.SCOPE,
        title="Scope v2",
        link="https://docs.example/scope",
        version="2",
    )
    alice = await checkin_of(world, ALICE)
    assert alice.carried == [f"signoff:{reply.subject_id}"]
    verdict = SignoffVerdict.REJECT
    await world.do(DecideSignoff, CAROL, signoff_id=reply.subject_id, verdict=verdict, remarks="No")
    update = updates(world, alice)[-1]
    assert [i.kind for i in update.items] == [ViewKind.SIGNOFF]
    assert decision_verbs(update) == set()


async def test_a_decision_the_checkin_does_not_carry_leaves_it_alone(
    world: World, project: int
) -> None:
    alice = await checkin_of(world, ALICE)
    cr = await create(world)  # asked after the check-in was sent
    for who in (ALICE, CAROL, SPONSOR):
        await approve(world, who, cr)
    assert alice.carried == [] and updates(world, alice) == []


async def test_an_answered_checkin_is_not_updated_when_its_decision_settles(
    world: World, project: int
) -> None:
    cr = await create(world)
    alice = await checkin_of(world, ALICE)
    await world.do(AnswerCheckIn, ALICE, checkin_id=alice.id, rating=4, text="Fine")
    answered = updates(world, alice)
    assert answered[-1].items == ()
    for who in (ALICE, CAROL, SPONSOR):
        await approve(world, who, cr)
    assert updates(world, alice) == answered


async def test_a_decision_still_waiting_on_the_customer_keeps_their_buttons_in_the_update(
    world: World, project: int
) -> None:
    cr = await create(world)
    alice = await checkin_of(world, ALICE)
    await approve(world, CAROL, cr)
    [update] = updates(world, alice)
    item = update.items[0]
    assert alice.person_id in item.actors and decision_verbs(update) == {"approve", "reject", "ask"}
    assert "Carol" not in item.status


async def test_a_reminder_carries_the_decisions_asked_since_and_keeps_them_current(
    world: World, project: int
) -> None:
    alice = await checkin_of(world, ALICE)
    cr = await create(world)
    tuesday = world.tick(days=1, hours=2)  # a day after the check-in, in working hours
    reply = await world.bus.handle(c.RunSchedule(actor=None, at=tuesday, project_id=project))
    assert "check-ins" in reply.text
    reminder = [m for m in world.sent_to(alice.person_id) if m.view.title.startswith("Reminder")]
    assert reminder and reminder[-1].card_key == f"checkin:{alice.id}"
    stored = world.item("checkins", alice.id or 0)
    assert stored.carried == [f"change_request:{cr}"]
    for who in (ALICE, CAROL, SPONSOR):
        await approve(world, who, cr)
    assert updates(world, alice)[-1].items[0].status == "Approved"
    assert decision_verbs(updates(world, alice)[-1]) == set()


def test_a_checkin_carries_each_item_once_and_is_unchanged_when_nothing_is_new() -> None:
    checkin = CheckIn(1, 2, date(2026, 11, 30), T0)
    checkin.carry(["change_request:1", "signoff:2"])
    before = checkin.carried
    checkin.carry(["signoff:2"])
    assert checkin.carried is before, "not replaced: nothing to write"
    checkin.carry(["report:3", "change_request:1"])
    assert checkin.carried == ["change_request:1", "signoff:2", "report:3"]
