"""Sign-offs: who is asked for each kind, and what an answer needs."""

from __future__ import annotations

import pytest

from tests.unit.conftest import ALICE, BOB, CAROL, PM, SPONSOR, World, setup_project
from workflow.domain.errors import Refused
from workflow.domain.projects import CustomerKind
from workflow.domain.signoffs import Audience, SignoffKind, SignoffState, SignoffVerdict
from workflow.flows.signoffs.messages import DecideSignoff, RequestSignoff


async def ask(world: World, kind: SignoffKind, title: str = "Charter v3") -> int:
    reply = await world.do(
        RequestSignoff,
        PM,
        project_id=world.project_id,
        kind=kind,
        title=title,
        link="https://docs.example/x",
        version="3",
    )
    assert reply.subject_id is not None
    return reply.subject_id


async def asked(world: World, signoff: int) -> dict[int, Audience]:
    return {a.person_id: a.audience for a in world.item("signoffs", signoff).approvers}


@pytest.mark.parametrize(
    ("kind", "who"),
    [
        (SignoffKind.CHARTER, {"Alice", "Carol", "Sam"}),
        (SignoffKind.SCOPE, {"Alice", "Carol"}),
        (SignoffKind.FINAL, {"Carol"}),
    ],
)
async def test_each_kind_asks_the_right_people(
    world: World, project: int, kind: SignoffKind, who: set[str]
) -> None:
    signoff = await ask(world, kind)
    names = {p.id: p.display_name for p in world.store.items["people"]}
    assert {names[p] for p in await asked(world, signoff)} == who


async def test_the_plan_goes_whole_to_internal_and_as_scope_section_to_external(
    world: World, project: int
) -> None:
    signoff = await ask(world, SignoffKind.PLAN)
    audiences = await asked(world, signoff)
    alice, carol = await world.person_id(ALICE), await world.person_id(CAROL)
    assert audiences == {alice: Audience.SCOPE_SECTION, carol: Audience.WHOLE}
    alice_card = next(m for m in world.sent_to(alice) if m.card_key and "signoff" in m.card_key)
    assert "scope section" in alice_card.view.text
    carol_card = next(m for m in world.sent_to(carol) if m.card_key and "signoff" in m.card_key)
    assert "scope section" not in carol_card.view.text


async def test_a_final_report_needs_an_internal_customer(world: World) -> None:
    await setup_project(world, customers=((ALICE, CustomerKind.EXTERNAL),))
    with pytest.raises(Refused, match="no internal customers"):
        await ask(world, SignoffKind.FINAL)


async def test_all_approvals_approve_and_remarks_are_kept(world: World, project: int) -> None:
    signoff = await ask(world, SignoffKind.SCOPE)
    await world.do(
        DecideSignoff,
        ALICE,
        signoff_id=signoff,
        verdict=SignoffVerdict.APPROVE_WITH_REMARKS,
        remarks="Fix typos",
    )
    assert world.item("signoffs", signoff).state is SignoffState.PENDING
    await world.do(DecideSignoff, CAROL, signoff_id=signoff, verdict=SignoffVerdict.APPROVE)
    request = world.item("signoffs", signoff)
    assert request.state is SignoffState.APPROVED
    assert [a.remarks for a in request.approvers] == ["Fix typos", ""]
    assert all(a.shown_hash == request.shown_hash(a.audience) for a in request.approvers)


@pytest.mark.parametrize(
    ("verdict", "message"),
    [(SignoffVerdict.REJECT, "needs a reason"), (SignoffVerdict.APPROVE_WITH_REMARKS, "remarks")],
)
async def test_a_reject_or_remarks_without_text_is_refused(
    world: World, project: int, verdict: SignoffVerdict, message: str
) -> None:
    signoff = await ask(world, SignoffKind.SCOPE)
    with pytest.raises(Refused, match=message):
        await world.do(DecideSignoff, ALICE, signoff_id=signoff, verdict=verdict, remarks=" ")


async def test_one_reject_rejects_and_later_answers_are_refused(world: World, project: int) -> None:
    signoff = await ask(world, SignoffKind.CHARTER)
    await world.do(
        DecideSignoff,
        SPONSOR,
        signoff_id=signoff,
        verdict=SignoffVerdict.REJECT,
        remarks="Budget section missing",
    )
    assert world.item("signoffs", signoff).state is SignoffState.REJECTED
    with pytest.raises(Refused, match="rejected"):
        await world.do(DecideSignoff, ALICE, signoff_id=signoff, verdict=SignoffVerdict.APPROVE)


async def test_someone_not_asked_cannot_answer(world: World, project: int) -> None:
    signoff = await ask(world, SignoffKind.SCOPE)
    for who in (SPONSOR, BOB):
        with pytest.raises(Refused, match="not addressed to you"):
            await world.do(DecideSignoff, who, signoff_id=signoff, verdict=SignoffVerdict.APPROVE)


async def test_a_new_request_of_the_same_kind_supersedes_the_open_one(
    world: World, project: int
) -> None:
    first = await ask(world, SignoffKind.CHARTER)
    second = await ask(world, SignoffKind.CHARTER, "Charter v4")
    assert world.item("signoffs", first).state is SignoffState.SUPERSEDED
    assert world.item("signoffs", second).state is SignoffState.PENDING
