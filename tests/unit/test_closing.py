"""The final evaluation and closing, with anonymity under three answers."""

from __future__ import annotations

import pytest

from tests.unit.conftest import ALICE, BOB, CAROL, PM, World, setup_project
from workflow.domain.closing import DeliverableVerdict
from workflow.domain.errors import Refused
from workflow.domain.projects import CustomerKind, ProjectState
from workflow.domain.signoffs import SignoffKind
from workflow.domain.views import ViewKind
from workflow.flows.change_requests.messages import CreateChangeRequest
from workflow.flows.closing.messages import CloseProject, StartClosing, SubmitEvaluation

ACCEPT, REMARKS = DeliverableVerdict.ACCEPT, DeliverableVerdict.ACCEPT_WITH_REMARKS


async def start(world: World, anonymous: bool = False) -> None:
    await world.do(
        StartClosing,
        PM,
        project_id=world.project_id,
        deliverables=("Website", "CMS"),
        anonymous=anonymous,
        final_report_title="Final report",
    )


async def evaluate(world: World, who: object, rating: int = 4) -> None:
    await world.do(
        SubmitEvaluation,
        who,
        project_id=world.project_id,
        process_rating=rating,
        comment="Thanks",
        ratings=(("Website", ACCEPT, ""), ("CMS", REMARKS, "Slow")),
    )


def summary(world: World) -> dict[str, str]:
    closed = [m for m in world.store.sent() if m.view.title.endswith("is closed")]
    return dict(closed[-1].view.fields)


async def test_closing_asks_every_customer_and_internal_ones_review_the_final_report(
    world: World, project: int
) -> None:
    await start(world)
    assert world.item("projects", project).state is ProjectState.CLOSING
    asked = {m.to.person_id for m in world.store.sent() if m.view.kind is ViewKind.EVALUATION}
    assert asked == {await world.person_id(ALICE), await world.person_id(CAROL)}
    final = world.store.items["SignoffRequest"][0]
    assert final.kind is SignoffKind.FINAL
    assert [a.person_id for a in final.approvers] == [await world.person_id(CAROL)]


async def test_the_project_closes_when_all_answered_with_a_summary(
    world: World, project: int
) -> None:
    await start(world)
    await evaluate(world, ALICE, 4)
    assert world.item("projects", project).state is ProjectState.CLOSING
    await evaluate(world, CAROL, 5)
    assert world.item("projects", project).state is ProjectState.CLOSED
    fields = summary(world)
    assert fields["Process rating"] == "4.5/5" and fields["CMS"] == "2 accepted with remarks"


async def test_anonymous_results_stay_hidden_under_three_answers(
    world: World, project: int
) -> None:
    await start(world, anonymous=True)
    await evaluate(world, ALICE)
    await evaluate(world, CAROL)
    assert "hidden" in summary(world)["Results"]
    audit = [e for e in world.store.audit if e.action == "EvaluationSubmitted"]
    assert all(e.comment == "" for e in audit)


async def test_anonymous_results_show_from_three_answers(world: World) -> None:
    await setup_project(
        world,
        customers=(
            (ALICE, CustomerKind.EXTERNAL),
            (BOB, CustomerKind.EXTERNAL),
            (CAROL, CustomerKind.INTERNAL),
        ),
    )
    await start(world, anonymous=True)
    for who in (ALICE, BOB, CAROL):
        await evaluate(world, who)
    assert "Results" not in summary(world) and summary(world)["Process rating"] == "4.0/5"


async def test_an_evaluation_must_rate_everything_once(world: World, project: int) -> None:
    await start(world)
    with pytest.raises(Refused, match="every deliverable"):
        await world.do(
            SubmitEvaluation,
            ALICE,
            project_id=project,
            process_rating=3,
            ratings=(("Website", ACCEPT, ""),),
        )
    with pytest.raises(Refused, match="remarks for 'CMS'"):
        await world.do(
            SubmitEvaluation,
            ALICE,
            project_id=project,
            process_rating=3,
            ratings=(("Website", ACCEPT, ""), ("CMS", REMARKS, "")),
        )
    await evaluate(world, ALICE)
    with pytest.raises(Refused, match="already sent"):
        await evaluate(world, ALICE)


async def test_a_pm_can_close_anyway_and_nothing_new_starts_after(
    world: World, project: int
) -> None:
    await start(world)
    await evaluate(world, ALICE)
    await world.do(CloseProject, PM, project_id=project)
    assert summary(world)["Answered"] == "1 of 2"
    with pytest.raises(Refused, match="closed"):
        await world.do(CreateChangeRequest, PM, project_id=project, title="Late")


async def test_deliverables_are_limited_so_every_evaluation_form_fits(
    world: World, project: int
) -> None:
    with pytest.raises(Refused, match="at most 20 deliverables"):
        await world.do(
            StartClosing, PM, project_id=project, deliverables=tuple(f"D{n}" for n in range(21))
        )
    with pytest.raises(Refused, match="to 100 characters"):
        await world.do(StartClosing, PM, project_id=project, deliverables=("x" * 101,))
