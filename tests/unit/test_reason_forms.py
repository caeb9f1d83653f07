"""A press that needs typed text opens its form only for someone who may make it now.

Whoever may not (not an approver, not their turn, a stale version, not the report's
customers...) reads at once the sentence the submit would have given, and no form opens.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from tests.unit.conftest import ALICE, CAROL, MEMBER, PM, STRANGER, T0, World
from tests.unit.test_dispatcher import at, dispatcher
from workflow.domain.commands import Command, PersonRef
from workflow.domain.reports import Rag
from workflow.domain.signoffs import SignoffKind
from workflow.flows import CHECKS, ITEMS, TEXT_LABELS
from workflow.flows.change_requests.messages import (
    AskAboutChange,
    CreateChangeRequest,
    EditChangeRequest,
)
from workflow.flows.invitations import Invite
from workflow.flows.reports import PostReport
from workflow.flows.requests import SendRequest
from workflow.flows.signoffs.messages import RequestSignoff
from workflow.presentation.answers import Answer, Pressed, Submitted
from workflow.presentation.forms import FormKind
from workflow.presentation.presses import Press

Setup = Callable[[World], Awaitable[str]]  # makes an item; its card key ("kind:id")


async def a_change(world: World) -> str:
    reply = await world.do(CreateChangeRequest, PM, project_id=world.project_id, title="Dark")
    return f"change_request:{reply.subject_id}"


async def a_question(world: World) -> str:
    item = await a_change(world)
    await world.do(AskAboutChange, ALICE, change_id=int(item.split(":")[1]), text="Which?")
    return item


async def a_signoff(world: World) -> str:
    reply = await world.do(
        RequestSignoff, PM, project_id=world.project_id, kind=SignoffKind.SCOPE, title="Scope"
    )
    return f"signoff:{reply.subject_id}"


async def a_report(world: World) -> str:
    reply = await world.do(
        PostReport, PM, project_id=world.project_id, period="W48", rag=Rag.GREEN, summary="Ok"
    )
    return f"report:{reply.subject_id}"


async def a_request(world: World) -> str:
    reply = await world.do(SendRequest, ALICE, project_id=world.project_id, text="A FAQ page")
    return f"request:{reply.subject_id}"


async def an_invitation(world: World) -> str:
    reply = await world.do(Invite, PM, project_id=world.project_id, invitee=ALICE, what="Demo")
    return f"invitation:{reply.subject_id}"


async def press_and_submit(
    world: World, who: PersonRef, verb: str, item: str, version: int | None = None
) -> tuple[Answer, Answer]:
    """The press without text, then the text form submitted as if it had opened."""
    door, commits = dispatcher(world), world.store.commits
    pressed = await door.handle(at(who), Pressed(verb, item, version))
    assert world.store.commits == commits, "a press that needs text writes nothing"
    context = {"verb": verb, "item": item, "version": version}
    submitted = await door.handle(at(who), Submitted(FormKind.TEXT, {"text": "Why"}, context))
    return pressed, submitted


def assert_told_why_and_no_form(pressed: Answer, submitted: Answer) -> None:
    assert pressed.refused and pressed.form is None and not pressed.need_text, pressed
    assert pressed.text == submitted.errors["text"], "the same sentence as the submit"


@pytest.mark.parametrize("who", [MEMBER, STRANGER], ids=["member", "stranger"])
async def test_only_an_approver_whose_turn_it_is_gets_the_reject_form(
    world: World, project: int, who: PersonRef
) -> None:
    item = await a_change(world)
    pressed, submitted = await press_and_submit(world, who, "reject", item, 1)
    assert_told_why_and_no_form(pressed, submitted)
    assert pressed.text.startswith("This change request is not waiting on you")
    approver = await dispatcher(world).handle(at(ALICE), Pressed("reject", item, 1))
    assert approver.need_text == "Reason" and approver.form is not None
    assert approver.form.kind is FormKind.TEXT


async def test_a_stranger_pressing_reject_is_not_recorded_as_a_person(
    world: World, project: int
) -> None:
    item = await a_change(world)
    people = len(world.store.items["people"])
    answer = await dispatcher(world).handle(at(STRANGER), Pressed("reject", item, 1))
    assert answer.refused and len(world.store.items["people"]) == people


async def test_a_reject_on_a_version_no_longer_current_is_refused_before_the_form(
    world: World, project: int
) -> None:
    item = await a_change(world)
    changes = {"title": "Dark mode, everywhere"}
    await world.do(EditChangeRequest, PM, change_id=int(item.split(":")[1]), changes=changes)
    pressed, submitted = await press_and_submit(world, ALICE, "reject", item, 1)
    assert_told_why_and_no_form(pressed, submitted)
    assert "now at version 2" in pressed.text


@pytest.mark.parametrize(
    ("setup", "who", "verb", "said"),
    [
        (a_change, MEMBER, "ask", "Only the approvers of this change request"),
        (a_question, ALICE, "answer_question:{q}", "only a PM can answer questions"),
        (a_signoff, MEMBER, "reject", "This sign-off is not addressed to you"),
        (a_signoff, PM, "approve_with_remarks", "This sign-off is not addressed to you"),
        (a_report, PM, "comment", "reviewed by the project's customers only"),
        (a_report, STRANGER, "dispute", "reviewed by the project's customers only"),
        (a_request, ALICE, "decline", "only a PM can handle requests"),
        (an_invitation, CAROL, "propose", "This invitation is for someone else"),
    ],
    ids=["ask", "answer", "signoff-reject", "remarks", "comment", "dispute", "decline", "propose"],
)
async def test_every_reason_form_opens_only_for_whoever_may_act_now(
    world: World, project: int, setup: Setup, who: PersonRef, verb: str, said: str
) -> None:
    item = await setup(world)
    questions = world.item("changes", int(item.split(":")[1])).questions if "{q}" in verb else []
    verb = verb.format(q=questions[0].id if questions else 0)
    pressed, submitted = await press_and_submit(world, who, verb, item)
    assert_told_why_and_no_form(pressed, submitted)
    assert said in pressed.text


@pytest.mark.parametrize(("kind", "verb"), sorted(TEXT_LABELS))
def test_every_press_that_needs_text_has_a_check_before_its_form(kind: str, verb: str) -> None:
    typed = verb + ":1" if verb == "answer_question" else verb
    command = ITEMS[kind].press(Press(typed, f"{kind}:1", 1, CAROL, T0, text=""))
    assert isinstance(command, Command) and type(command) in CHECKS
