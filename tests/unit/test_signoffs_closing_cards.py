"""Sign-off answers on the card and to the PMs, within platform limits; evaluation cards
lose their button when the project closes; the closing summary speaks in words."""

from __future__ import annotations

from handlers.slack.render_message import message_blocks
from handlers.teams.cards import card
from tests.unit.conftest import ALICE, CAROL, PM, World
from tests.unit.test_closing import evaluate, start
from tests.unit.test_slack_blocks import NAMES, T0, check_blocks, check_escaped, evil
from tests.unit.test_teams_cards import AAD, check_card
from workflow.domain.signoffs import (
    Audience,
    SignoffApprover,
    SignoffKind,
    SignoffRequest,
    SignoffState,
    SignoffVerdict,
)
from workflow.domain.views import Op, ViewKind
from workflow.flows.closing.messages import CloseProject
from workflow.flows.signoffs.cards import settled_note, signoff_card

MANY = range(10, 59)  # 49 approvers, each with the longest remarks a form takes


def answered_plan() -> SignoffRequest:
    approvers = [
        SignoffApprover(i, Audience.WHOLE, SignoffVerdict.APPROVE_WITH_REMARKS, evil(3000), T0)
        for i in MANY
    ]
    approvers.append(SignoffApprover(2, Audience.SCOPE_SECTION, SignoffVerdict.REJECT, "Too wide"))
    return SignoffRequest(
        7, SignoffKind.PLAN, evil(150), "", evil(), "3", 1, T0, None, SignoffState.REJECTED,
        approvers, id=4,
    )  # fmt: skip


def test_every_answer_and_its_remarks_fit_slack_and_teams_escaped() -> None:
    request = answered_plan()
    views = [signoff_card(request, a, NAMES) for a in Audience]
    for view in [*views, settled_note(request, NAMES)]:
        assert dict(view.fields)[NAMES[2]] == "Rejected: Too wide"
        assert view.status.startswith("Rejected by Name2") or "rejected by Name2" in view.title
        text, blocks = message_blocks(view, None, in_channel=False)
        assert len(text) <= 3000
        check_escaped(text)
        check_blocks(blocks, 50)
        check_card(card(view, viewer_aad_ids=AAD, for_person=None))


def test_the_whole_plan_copy_and_the_pms_note_quote_every_remark() -> None:
    request = answered_plan()
    for view in (signoff_card(request, Audience.WHOLE, NAMES), settled_note(request, NAMES)):
        said = dict(view.fields)
        assert all(said[NAMES[i]].startswith("Approved with remarks: <!channel>") for i in MANY)


def test_a_scope_section_copy_shows_only_the_answers_on_that_section() -> None:
    request = answered_plan()
    scope = dict(signoff_card(request, Audience.SCOPE_SECTION, NAMES).fields)
    assert scope[NAMES[2]] == "Rejected: Too wide" and NAMES[10] not in scope
    whole = dict(signoff_card(request, Audience.WHOLE, NAMES).fields)
    assert NAMES[2] in whole and NAMES[10] in whole


async def test_when_everyone_evaluated_every_evaluation_card_loses_its_button(
    world: World, project: int
) -> None:
    await start(world)
    await evaluate(world, ALICE)
    await evaluate(world, CAROL)
    updates = [
        m for m in world.store.sent() if m.op is Op.UPDATE and m.view.kind is ViewKind.EVALUATION
    ]
    keys = {m.card_key for m in updates}
    people = [await world.person_id(who) for who in (ALICE, CAROL)]
    closing = world.store.items["Closing"][0].id
    assert keys == {f"evaluation:{closing}:{p}" for p in people}
    last = {m.card_key: m.view for m in updates}
    assert all(not v.buttons and "WEB is closed" in v.text for v in last.values())


async def test_closing_at_once_with_no_answers_shows_no_empty_rating(
    world: World, project: int
) -> None:
    await start(world)
    await world.do(CloseProject, PM, project_id=project)
    closed = [m for m in world.store.sent() if m.view.title == "WEB is closed"][-1]
    assert dict(closed.view.fields) == {"Answered": "0 of 2"}
    shown = " ".join(v for _, v in closed.view.fields)
    assert "None" not in shown
