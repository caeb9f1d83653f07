"""Whose turn a change request is, for every rule and order: only the people whose decision
can still change the outcome, in the order the policy says."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from tests.unit.conftest import ALICE, CAROL, PM, SPONSOR, World
from workflow.domain.approvals import Approvers
from workflow.domain.change_versions import CRDecision, CRVersion, Verdict
from workflow.domain.changes import TURNS, ChangeRequest, CRState
from workflow.domain.errors import Refused
from workflow.domain.projects import ApprovalOrder, ApprovalRule
from workflow.domain.views import Op
from workflow.flows.change_requests.messages import CreateChangeRequest, DecideChange
from workflow.flows.projects.messages import SetApprovalPolicy

AT = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
C1, C2, C3, S = 1, 2, 3, 9  # three customers (C1 external) and the sponsor
NEEDED = {ApprovalRule.ALL: 3, ApprovalRule.ANY: 1, ApprovalRule.QUORUM: 2}
PAIRS = [(rule, order) for rule in ApprovalRule for order in ApprovalOrder]


def change(*approved_by: int) -> ChangeRequest:
    version = CRVersion(1, "Dark mode", "", "", 0, Decimal(0), "", 100, AT)
    cr = ChangeRequest(project_id=1, requested_by=100, created_at=AT, versions=[version], id=1)
    cr.decisions = [CRDecision(1, p, Verdict.APPROVE, "", AT, "") for p in approved_by]
    return cr


def approvers(rule: ApprovalRule, order: ApprovalOrder) -> Approvers:
    return Approvers([C1, C2, C3], [S], NEEDED[rule], order)


def test_every_order_says_who_goes_first_whichever_side_is_still_open() -> None:
    assert set(TURNS) == {(o, c, s) for o in ApprovalOrder for c in (True, False)
                          for s in (True, False) if c or s}  # fmt: skip


@pytest.mark.parametrize(("rule", "order"), PAIRS)
def test_at_the_start_the_order_says_who_is_asked(rule: ApprovalRule, order: ApprovalOrder) -> None:
    expected = {
        ApprovalOrder.PARALLEL: [C1, C2, C3, S],
        ApprovalOrder.SPONSOR_FIRST: [S],
        ApprovalOrder.CUSTOMER_FIRST: [C1, C2, C3],
    }[order]
    assert change().turn(approvers(rule, order)) == expected


@pytest.mark.parametrize(("rule", "order"), PAIRS)
def test_once_enough_customers_approved_only_the_sponsor_is_waited_on(
    rule: ApprovalRule, order: ApprovalOrder
) -> None:
    enough = [C1, C2, C3][: NEEDED[rule]]
    assert change(*enough).turn(approvers(rule, order)) == [S]


@pytest.mark.parametrize(("rule", "order"), PAIRS)
def test_once_the_sponsor_approved_only_the_customers_still_needed_are_waited_on(
    rule: ApprovalRule, order: ApprovalOrder
) -> None:
    assert change(S).turn(approvers(rule, order)) == [C1, C2, C3]
    if NEEDED[rule] > 1:  # one approval is not yet enough: the others are still asked
        assert change(S, C1).turn(approvers(rule, order)) == [C2, C3]


@pytest.mark.parametrize(("rule", "order"), PAIRS)
def test_before_the_customers_are_done_an_approval_keeps_the_rest_of_the_order(
    rule: ApprovalRule, order: ApprovalOrder
) -> None:
    turn = change(C2).turn(approvers(rule, order))
    if rule is ApprovalRule.ANY:
        assert turn == [S]
    else:
        expected = {
            ApprovalOrder.PARALLEL: [C1, C3, S],
            ApprovalOrder.SPONSOR_FIRST: [S],
            ApprovalOrder.CUSTOMER_FIRST: [C1, C3],
        }[order]
        assert turn == expected


@pytest.mark.parametrize(("rule", "order"), PAIRS)
def test_when_both_sides_are_done_nobody_is_waited_on(
    rule: ApprovalRule, order: ApprovalOrder
) -> None:
    done = change(S, *[C1, C2, C3][: NEEDED[rule]])
    assert done.turn(approvers(rule, order)) == []
    assert done.outcome(approvers(rule, order)) is CRState.APPROVED


@pytest.mark.parametrize("order", list(ApprovalOrder))
def test_without_a_sponsor_the_customers_alone_are_waited_on(order: ApprovalOrder) -> None:
    internal = Approvers([C2, C3], [], 2, order)
    assert change().turn(internal) == [C2, C3]
    assert change(C2).turn(internal) == [C3]


@pytest.mark.parametrize("rule", [ApprovalRule.ANY, ApprovalRule.QUORUM])  # ALL: none left
@pytest.mark.parametrize("order", [ApprovalOrder.PARALLEL, ApprovalOrder.CUSTOMER_FIRST])
def test_a_customer_who_is_no_longer_needed_is_told_it_waits_on_the_sponsor(
    rule: ApprovalRule, order: ApprovalOrder
) -> None:
    enough = change(*[C1, C2, C3][: NEEDED[rule]])
    late = [C1, C2, C3][NEEDED[rule] :]
    for customer in late:
        with pytest.raises(Refused, match="Enough customers have approved"):
            enough.check_may_decide(customer, approvers(rule, order), 1)


def test_a_customer_before_the_sponsor_under_sponsor_first_is_told_to_wait() -> None:
    with pytest.raises(Refused, match="the sponsor decides first"):
        change().check_may_decide(C1, approvers(ApprovalRule.ANY, ApprovalOrder.SPONSOR_FIRST), 1)


def test_the_sponsor_before_the_customers_under_customer_first_is_told_to_wait() -> None:
    with pytest.raises(Refused, match="the customers decide first"):
        change().check_may_decide(S, approvers(ApprovalRule.ALL, ApprovalOrder.CUSTOMER_FIRST), 1)


async def test_under_any_one_customer_the_card_waits_only_on_the_sponsor_after_one_approves(
    world: World, project: int
) -> None:
    await world.do(SetApprovalPolicy, PM, project_id=project, rule=ApprovalRule.ANY)
    reply = await world.do(CreateChangeRequest, PM, project_id=project, title="Dark mode")
    cr = reply.subject_id
    await world.do(DecideChange, ALICE, change_id=cr, version=1, verdict=Verdict.APPROVE, reason="")
    card = [m for m in world.store.sent() if m.op is Op.UPDATE][-1].view
    assert card.status == "Waiting on Sam"
    assert card.actors == (await world.person_id(SPONSOR),)  # Carol's buttons are gone
    with pytest.raises(Refused, match="it now waits on the sponsor"):
        await world.do(
            DecideChange, CAROL, change_id=cr, version=1, verdict=Verdict.APPROVE, reason=""
        )
    await world.do(
        DecideChange, SPONSOR, change_id=cr, version=1, verdict=Verdict.APPROVE, reason=""
    )
    assert world.item("changes", cr).state is CRState.APPROVED
