"""Change requests through the bus: approvers from roles and policy, versions, order, expiry."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from tests.unit.conftest import (
    ALICE,
    BOB,
    CAROL,
    MEMBER,
    PM,
    SPONSOR,
    STRANGER,
    World,
    setup_project,
)
from workflow.domain import commands as c
from workflow.domain.change_versions import Verdict
from workflow.domain.changes import CRState
from workflow.domain.errors import Refused
from workflow.domain.projects import ApprovalOrder, ApprovalRule, CustomerKind
from workflow.domain.views import Op
from workflow.flows.change_requests.messages import (
    AnswerQuestion,
    AskAboutChange,
    CreateChangeRequest,
    DecideChange,
    EditChangeRequest,
    ExpireOverdue,
    WithdrawChange,
)
from workflow.flows.projects.messages import SetApprovalPolicy


async def create(world: World, **kw: object) -> int:
    kw.setdefault("title", "Add a blog")
    kw.setdefault("schedule_days", 5)
    kw.setdefault("cost", Decimal("1200.50"))
    reply = await world.do(CreateChangeRequest, PM, project_id=world.project_id, **kw)
    assert reply.subject_id is not None
    return reply.subject_id


async def decide(
    world: World,
    who: object,
    cr: int,
    verdict: Verdict = Verdict.APPROVE,
    reason: str = "",
    version: int = 1,
) -> c.Reply:
    return await world.do(
        DecideChange, who, change_id=cr, version=version, verdict=verdict, reason=reason
    )


def state(world: World, cr: int) -> CRState:
    return world.item("changes", cr).state


async def test_an_external_customer_means_no_approval_without_the_sponsor(
    world: World, project: int
) -> None:
    cr = await create(world)
    await decide(world, ALICE, cr)
    await decide(world, CAROL, cr)
    assert state(world, cr) is CRState.PENDING
    await decide(world, SPONSOR, cr)
    assert state(world, cr) is CRState.APPROVED


async def test_without_an_external_customer_the_customers_alone_approve(world: World) -> None:
    await setup_project(world, external=False)
    cr = await create(world)
    await decide(world, ALICE, cr)
    await decide(world, CAROL, cr)
    assert state(world, cr) is CRState.APPROVED
    with pytest.raises(Refused, match="not waiting on you"):
        await decide(world, SPONSOR, cr)


async def test_the_required_approvers_are_asked_by_direct_message(
    world: World, project: int
) -> None:
    cr = await create(world)
    asked = {
        m.to.person_id
        for m in world.store.sent()
        if m.to and m.to.person_id and m.card_key == f"change_request:{cr}"
    }
    assert asked == {await world.person_id(p) for p in (ALICE, CAROL, SPONSOR)}
    channel = [m for m in world.store.sent() if m.to and m.to.project_id == project]
    assert any(m.card_key == f"change_request:{cr}" for m in channel)


async def test_any_one_customer_is_enough_under_the_any_rule(world: World, project: int) -> None:
    await world.do(SetApprovalPolicy, PM, project_id=project, rule=ApprovalRule.ANY)
    cr = await create(world)
    await decide(world, CAROL, cr)
    await decide(world, SPONSOR, cr)
    assert state(world, cr) is CRState.APPROVED


async def test_a_quorum_needs_that_many_customer_approvals(world: World) -> None:
    await setup_project(
        world,
        customers=(
            (ALICE, CustomerKind.EXTERNAL),
            (BOB, CustomerKind.EXTERNAL),
            (CAROL, CustomerKind.INTERNAL),
        ),
    )
    await world.do(
        SetApprovalPolicy, PM, project_id=world.project_id, rule=ApprovalRule.QUORUM, quorum=2
    )
    cr = await create(world)
    await decide(world, SPONSOR, cr)
    await decide(world, ALICE, cr)
    assert state(world, cr) is CRState.PENDING
    await decide(world, BOB, cr, Verdict.REJECT, "too costly")
    assert state(world, cr) is CRState.PENDING  # Carol can still make the quorum
    await decide(world, CAROL, cr)
    assert state(world, cr) is CRState.APPROVED


async def test_a_quorum_that_can_no_longer_be_reached_rejects(world: World, project: int) -> None:
    await world.do(SetApprovalPolicy, PM, project_id=project, rule=ApprovalRule.ALL)
    cr = await create(world)
    await decide(world, ALICE, cr, Verdict.REJECT, "out of budget")
    assert state(world, cr) is CRState.REJECTED


async def test_a_quorum_larger_than_the_customers_is_refused(world: World, project: int) -> None:
    with pytest.raises(Refused, match="more than the 2 customers"):
        await world.do(
            SetApprovalPolicy, PM, project_id=project, rule=ApprovalRule.QUORUM, quorum=3
        )


async def test_a_reject_without_a_reason_is_refused_and_changes_nothing(
    world: World, project: int
) -> None:
    cr = await create(world)
    commits, audit = world.store.commits, len(world.store.audit)
    with pytest.raises(Refused, match="needs a reason"):
        await decide(world, ALICE, cr, Verdict.REJECT, "   ")
    assert (world.store.commits, len(world.store.audit)) == (commits, audit)
    assert world.item("changes", cr).decisions == []


async def test_a_sponsor_reject_rejects_and_every_copy_loses_its_decision_buttons(
    world: World, project: int
) -> None:
    cr = await create(world)
    await decide(world, SPONSOR, cr, Verdict.REJECT, "not now")
    assert state(world, cr) is CRState.REJECTED
    update = [m for m in world.store.sent() if m.op is Op.UPDATE][-1]
    assert update.card_key == f"change_request:{cr}"
    pm = await world.person_id(PM)
    pms_only = [("edit", (pm,)), ("evidence", (pm,))]
    assert [(b.verb, b.only_for) for b in update.view.buttons] == pms_only
    assert "Rejected by Sam: not now" in update.view.status
    told = {m.to.person_id for m in world.store.sent()[-3:] if m.to}
    assert await world.person_id(PM) in told


async def test_an_edit_makes_a_new_version_and_voids_earlier_decisions(
    world: World, project: int
) -> None:
    cr = await create(world)
    await decide(world, ALICE, cr)
    await decide(world, SPONSOR, cr)
    before = len(world.store.sent())
    await world.do(EditChangeRequest, PM, change_id=cr, changes={"schedule_days": 8})
    change = world.item("changes", cr)
    assert change.current.number == 2 and change.counted() == {}
    asked = [m for m in world.store.sent()[before:] if m.to and m.to.person_id]
    assert {m.to.person_id for m in asked} == {
        await world.person_id(p) for p in (ALICE, CAROL, SPONSOR)
    }
    assert all("schedule impact (days)" in m.view.footer for m in asked)
    with pytest.raises(Refused, match=r"version 1.*now at version 2"):
        await decide(world, CAROL, cr, version=1)
    for who in (ALICE, CAROL, SPONSOR):
        await decide(world, who, cr, version=2)
    assert state(world, cr) is CRState.APPROVED


async def test_an_edit_that_changes_nothing_is_refused(world: World, project: int) -> None:
    cr = await create(world)
    with pytest.raises(Refused, match="Nothing changed"):
        await world.do(EditChangeRequest, PM, change_id=cr, changes={"schedule_days": 5})


async def test_a_rejected_request_can_be_edited_and_asked_again(world: World, project: int) -> None:
    cr = await create(world)
    await decide(world, ALICE, cr, Verdict.REJECT, "too long")
    await world.do(EditChangeRequest, PM, change_id=cr, changes={"schedule_days": 2})
    assert state(world, cr) is CRState.PENDING


async def test_a_passed_due_date_expires_the_request_never_approves_it(
    world: World, project: int
) -> None:
    cr = await create(world, due_at=world.now + timedelta(days=3))
    await decide(world, ALICE, cr)
    await decide(world, CAROL, cr)
    world.tick(days=2)
    await world.do(ExpireOverdue, None)
    assert state(world, cr) is CRState.PENDING
    world.tick(days=1, seconds=1)
    await world.do(ExpireOverdue, None)
    assert state(world, cr) is CRState.EXPIRED
    with pytest.raises(Refused, match="expired"):
        await decide(world, SPONSOR, cr)


async def test_a_due_date_in_the_past_is_refused(world: World, project: int) -> None:
    with pytest.raises(Refused, match="future"):
        await create(world, due_at=world.now - timedelta(hours=1))


async def test_sponsor_first_holds_the_customers_until_the_sponsor_approves(
    world: World, project: int
) -> None:
    await world.do(
        SetApprovalPolicy,
        PM,
        project_id=project,
        rule=ApprovalRule.ALL,
        order=ApprovalOrder.SPONSOR_FIRST,
    )
    cr = await create(world)
    sponsor = await world.person_id(SPONSOR)
    first = [
        m
        for m in world.store.sent()
        if m.to and m.to.person_id and m.card_key == f"change_request:{cr}"
    ]
    assert [m.to.person_id for m in first] == [sponsor]
    with pytest.raises(Refused, match="not your turn"):
        await decide(world, ALICE, cr)
    before = len(world.store.sent())
    await decide(world, SPONSOR, cr)
    now_asked = {
        m.to.person_id
        for m in world.store.sent()[before:]
        if m.to and m.to.person_id and m.op is Op.POST
    }
    assert now_asked == {await world.person_id(ALICE), await world.person_id(CAROL)}


async def test_customer_first_holds_the_sponsor_until_the_customers_approve(
    world: World, project: int
) -> None:
    await world.do(
        SetApprovalPolicy,
        PM,
        project_id=project,
        rule=ApprovalRule.ALL,
        order=ApprovalOrder.CUSTOMER_FIRST,
    )
    cr = await create(world)
    with pytest.raises(Refused, match="not your turn"):
        await decide(world, SPONSOR, cr)
    await decide(world, ALICE, cr)
    await decide(world, CAROL, cr)
    await decide(world, SPONSOR, cr)
    assert state(world, cr) is CRState.APPROVED


async def test_a_question_pauses_the_request_until_a_pm_answers(world: World, project: int) -> None:
    cr = await create(world)
    await world.do(AskAboutChange, ALICE, change_id=cr, text="Which pages?")
    assert state(world, cr) is CRState.PAUSED
    pm = await world.person_id(PM)
    question = [m for m in world.sent_to(pm) if m.view.kind.value == "question"]
    assert question and question[0].view.text == "Which pages?"
    with pytest.raises(Refused, match="paused"):
        await decide(world, CAROL, cr)
    qid = world.item("changes", cr).questions[0].id
    with pytest.raises(Refused, match="only a PM"):
        await world.do(AnswerQuestion, ALICE, change_id=cr, question_id=qid, text="me")
    await world.do(AnswerQuestion, PM, change_id=cr, question_id=qid, text="Home and blog")
    assert state(world, cr) is CRState.PENDING
    alice = await world.person_id(ALICE)
    assert any(m.view.text == "Home and blog" for m in world.sent_to(alice))


async def test_a_second_decision_by_the_same_approver_is_refused(
    world: World, project: int
) -> None:
    cr = await create(world)
    await decide(world, ALICE, cr)
    with pytest.raises(Refused, match="already decided"):
        await decide(world, ALICE, cr)
    assert len(world.item("changes", cr).decisions) == 1


@pytest.mark.parametrize("who", [MEMBER, STRANGER, PM])
async def test_people_who_are_not_approvers_cannot_decide(
    world: World, project: int, who: object
) -> None:
    cr = await create(world)
    with pytest.raises(Refused, match="not waiting on you"):
        await decide(world, who, cr)


async def test_a_customer_of_another_project_cannot_decide(world: World, project: int) -> None:
    cr = await create(world)
    await setup_project(
        world, key="APP", channel_id="C2", customers=((BOB, CustomerKind.INTERNAL),)
    )
    with pytest.raises(Refused, match="not waiting on you"):
        await decide(world, BOB, cr)


async def test_only_a_pm_creates_change_requests_and_the_refusal_says_why(
    world: World, project: int
) -> None:
    with pytest.raises(Refused, match="you are a team member; only a PM"):
        await world.do(CreateChangeRequest, MEMBER, project_id=project, title="x")
    with pytest.raises(Refused, match="not part of project WEB"):
        await world.do(CreateChangeRequest, STRANGER, project_id=project, title="x")


async def test_a_withdrawn_request_takes_no_more_decisions(world: World, project: int) -> None:
    cr = await create(world)
    await world.do(WithdrawChange, PM, change_id=cr)
    with pytest.raises(Refused, match="withdrawn"):
        await decide(world, ALICE, cr)


async def test_decisions_record_the_hash_of_the_version_shown(world: World, project: int) -> None:
    cr = await create(world)
    await decide(world, ALICE, cr)
    change = world.item("changes", cr)
    assert change.decisions[0].shown_hash == change.current.shown_hash()
    entry = world.store.audit[-1]
    assert entry.action == "ChangeDecided" and entry.shown_hash == change.current.shown_hash()
    assert entry.version == 1 and "UALICE" in entry.actor
