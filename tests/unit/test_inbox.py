"""Requests, notices, feedback and invitations: who may send, who hears, what happens next."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.unit.conftest import ALICE, CAROL, MEMBER, PM, SPONSOR, World
from workflow.domain.errors import Refused
from workflow.domain.inbox import (
    InvitationAnswer,
    InvitationState,
    NoticeState,
    RequestAction,
    RequestState,
)
from workflow.domain.views import ViewKind
from workflow.flows.change_requests.messages import CreateChangeRequest
from workflow.flows.feedback import SendFeedback
from workflow.flows.invitations import AnswerInvitation, Invite
from workflow.flows.notices import SendNotice
from workflow.flows.requests import HandleRequest, SendRequest


async def request(world: World, text: str = "Can we add a FAQ page?") -> int:
    reply = await world.do(SendRequest, ALICE, project_id=world.project_id, text=text)
    assert reply.subject_id is not None
    return reply.subject_id


async def test_a_request_reaches_the_pms_with_its_three_choices(world: World, project: int) -> None:
    await request(world)
    card = world.sent_to(await world.person_id(PM))[-1]
    assert card.view.kind is ViewKind.REQUEST and card.view.text == "Can we add a FAQ page?"
    assert [b.verb for b in card.view.buttons] == ["accept", "decline", "convert"]
    assert card.view.buttons[1].needs_text == "Reason"


async def test_only_customers_send_requests(world: World, project: int) -> None:
    for who in (MEMBER, SPONSOR):
        with pytest.raises(Refused, match="only a customer can send requests"):
            await world.do(SendRequest, who, project_id=project, text="x")
    with pytest.raises(Refused, match="type your request"):
        await world.do(SendRequest, ALICE, project_id=project, text="  ")


async def test_a_decline_needs_a_reason_the_customer_reads(world: World, project: int) -> None:
    rid = await request(world)
    with pytest.raises(Refused, match="needs a reason"):
        await world.do(HandleRequest, PM, request_id=rid, action=RequestAction.DECLINE)
    await world.do(
        HandleRequest,
        PM,
        request_id=rid,
        action=RequestAction.DECLINE,
        reason="Out of scope for phase 1",
    )
    told = world.sent_to(await world.person_id(ALICE))[-1]
    assert "was declined" in told.view.title and "Out of scope" in told.view.text


async def test_an_accepted_request_cannot_be_handled_twice(world: World, project: int) -> None:
    rid = await request(world)
    await world.do(HandleRequest, PM, request_id=rid, action=RequestAction.ACCEPT)
    with pytest.raises(Refused, match="accepted"):
        await world.do(HandleRequest, PM, request_id=rid, action=RequestAction.ACCEPT)


async def test_a_request_turned_into_a_change_request_is_linked(world: World, project: int) -> None:
    rid = await request(world)
    reply = await world.do(
        CreateChangeRequest, PM, project_id=project, title="FAQ page", from_request_id=rid
    )
    req = world.item("requests", rid)
    assert (req.state, req.change_request_id) == (RequestState.CONVERTED, reply.subject_id)
    assert world.item("changes", reply.subject_id).source == f"request:{rid}"
    told = world.sent_to(await world.person_id(ALICE))
    assert any(f"became change request CR-{reply.subject_id}" in m.view.title for m in told)


async def test_a_notice_drafts_a_change_request_once(world: World, project: int) -> None:
    reply = await world.do(
        SendNotice, CAROL, project_id=project, what="We move offices", affects="On-site tests"
    )
    nid = reply.subject_id
    await world.do(
        CreateChangeRequest, PM, project_id=project, title="Remote tests", from_notice_id=nid
    )
    assert world.item("notices", nid).state is NoticeState.DRAFTED
    with pytest.raises(Refused, match="drafted"):
        await world.do(
            CreateChangeRequest, PM, project_id=project, title="Again", from_notice_id=nid
        )


async def test_feedback_goes_to_the_pms(world: World, project: int) -> None:
    await world.do(SendFeedback, ALICE, project_id=project, text="Great demos")
    note = world.sent_to(await world.person_id(PM))[-1]
    assert note.view.text == "Great demos" and "Alice" in note.view.title


async def test_an_invitation_is_answered_by_the_invitee_only(world: World, project: int) -> None:
    when = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)
    reply = await world.do(
        Invite, PM, project_id=project, invitee=ALICE, what="Sprint review", when=when
    )
    iid = reply.subject_id
    card = world.sent_to(await world.person_id(ALICE))[-1]
    assert [b.verb for b in card.view.buttons] == ["yes", "no", "propose"]
    with pytest.raises(Refused, match="for someone else"):
        await world.do(AnswerInvitation, CAROL, invitation_id=iid, answer=InvitationAnswer.YES)
    with pytest.raises(Refused, match="which other time"):
        await world.do(AnswerInvitation, ALICE, invitation_id=iid, answer=InvitationAnswer.PROPOSE)
    await world.do(
        AnswerInvitation,
        ALICE,
        invitation_id=iid,
        answer=InvitationAnswer.PROPOSE,
        proposal="Friday 10:00",
    )
    await world.do(AnswerInvitation, ALICE, invitation_id=iid, answer=InvitationAnswer.YES)
    assert world.item("invitations", iid).state is InvitationState.ACCEPTED
    assert (
        "Alice answered your invitation: accepted"
        in world.sent_to(await world.person_id(PM))[-1].view.title
    )


async def test_only_customers_can_be_invited(world: World, project: int) -> None:
    with pytest.raises(Refused, match="not a customer of WEB"):
        await world.do(Invite, PM, project_id=project, invitee=MEMBER, what="Review")
