"""Status reports: posted to the channel and to customers; acknowledge, comment, dispute."""

from __future__ import annotations

import pytest

from tests.unit.conftest import ALICE, CAROL, PM, SPONSOR, World
from workflow.domain.errors import Refused
from workflow.domain.reports import Rag, ReportState, ReviewKind
from workflow.domain.views import Op
from workflow.flows.reports import PostReport, ReviewReport


async def post(world: World) -> int:
    reply = await world.do(
        PostReport,
        PM,
        project_id=world.project_id,
        period="Week 48",
        rag=Rag.AMBER,
        summary="On track, one risk",
        risks="Hosting",
    )
    assert reply.subject_id is not None
    return reply.subject_id


async def review(world: World, who: object, report: int, kind: ReviewKind, text: str = "") -> None:
    await world.do(ReviewReport, who, report_id=report, kind=kind, text=text)


async def test_a_report_goes_to_the_channel_and_to_each_customer(
    world: World, project: int
) -> None:
    report = await post(world)
    copies = [m for m in world.store.sent() if m.card_key == f"report:{report}"]
    assert any(m.to and m.to.project_id == project for m in copies)
    assert {m.to.person_id for m in copies if m.to and m.to.person_id} == {
        await world.person_id(ALICE),
        await world.person_id(CAROL),
    }


async def test_acknowledged_by_every_customer_means_acknowledged(
    world: World, project: int
) -> None:
    report = await post(world)
    await review(world, ALICE, report, ReviewKind.ACKNOWLEDGE)
    assert world.item("reports", report).state is ReportState.OPEN
    await review(world, CAROL, report, ReviewKind.ACKNOWLEDGE)
    assert world.item("reports", report).state is ReportState.ACKNOWLEDGED
    last_update = [m for m in world.store.sent() if m.op is Op.UPDATE][-1]
    assert last_update.view.status == "Acknowledged by all customers"


async def test_a_dispute_reaches_the_pms_and_settles_when_acknowledged(
    world: World, project: int
) -> None:
    report = await post(world)
    await review(world, ALICE, report, ReviewKind.DISPUTE, "Hosting is not our risk")
    assert world.item("reports", report).state is ReportState.DISPUTED
    pm_notes = world.sent_to(await world.person_id(PM))
    assert pm_notes[-1].view.text == "Hosting is not our risk"
    await review(world, CAROL, report, ReviewKind.ACKNOWLEDGE)
    assert world.item("reports", report).state is ReportState.DISPUTED
    await review(world, ALICE, report, ReviewKind.ACKNOWLEDGE)
    assert world.item("reports", report).state is ReportState.ACKNOWLEDGED


async def test_a_comment_needs_text_and_only_customers_review(world: World, project: int) -> None:
    report = await post(world)
    with pytest.raises(Refused, match="type your comment"):
        await review(world, ALICE, report, ReviewKind.COMMENT, " ")
    with pytest.raises(Refused, match="customers only"):
        await review(world, SPONSOR, report, ReviewKind.ACKNOWLEDGE)
    await review(world, ALICE, report, ReviewKind.COMMENT, "Nice progress")
    assert world.item("reports", report).reviews[0].text == "Nice progress"
