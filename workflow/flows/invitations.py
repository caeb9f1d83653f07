"""Invitations: a PM asks a customer to join a meeting; they answer yes, no or another time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from workflow.domain import commands as c
from workflow.domain.commands import Command, PersonRef
from workflow.domain.errors import Refused
from workflow.domain.events import Event
from workflow.domain.inbox import (
    INVITATION_MACHINE,
    Invitation,
    InvitationAnswer,
    InvitationState,
    required_text,
)
from workflow.domain.insight import PendingItem
from workflow.domain.permissions import Act
from workflow.domain.projects import Project, Role
from workflow.domain.views import Button, Style, View, ViewKind, card_key
from workflow.flows.common import (
    actor_of,
    emit,
    everyone,
    known_id,
    load,
    names_for,
    person_for,
    pid,
    project_allows,
    project_for,
    project_of,
    subject_id,
    to_people,
    update_cards,
)
from workflow.flows.flow import Flow, FormEntry, Item, Waiting, Word
from workflow.flows.waiting import Waits
from workflow.ports import AnyOf, UnitOfWork
from workflow.presentation.cards import Names, info
from workflow.presentation.forms import (
    Context,
    Errors,
    F,
    Form,
    FormKind,
    T,
    Values,
    Who,
    need_int,
    parse_date,
    parse_time,
    people_of,
    raise_errors,
    text_value,
)
from workflow.presentation.presses import Outcome, Press
from workflow.presentation.said import INVITATION_DONE, answered_invitation
from workflow.presentation.words import form_with


# --- Commands and events ---
@dataclass(frozen=True, kw_only=True)
class Invite(Command):
    project_id: int
    invitee: PersonRef
    what: str
    when: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class AnswerInvitation(Command):
    invitation_id: int
    answer: InvitationAnswer
    proposal: str = ""


@dataclass(frozen=True, kw_only=True)
class InvitationSent(Event):
    subject_kind = "invitation"


@dataclass(frozen=True, kw_only=True)
class InvitationAnswered(Event):
    subject_kind = "invitation"
    state: str


# --- Use cases ---
async def invite(cmd: Invite, uow: UnitOfWork) -> c.Reply:
    pm = await actor_of(uow, cmd)
    project = await project_for(uow, cmd.project_id, pm, Act.INVITE)
    invitee = await person_for(uow, cmd.invitee)
    if Role.CUSTOMER not in project.roles_of(pid(invitee)):
        raise Refused(f"{invitee.label} is not a customer of {project.key}; add them first.")
    assert project.id is not None
    invitation = Invitation(
        project.id,
        pid(invitee),
        pid(pm),
        required_text(cmd.what, "what the meeting or review is"),
        cmd.at,
        when=cmd.when,
    )
    await uow.repo(Invitation).add(invitation)
    await uow.flush()
    emit(
        uow,
        InvitationSent(
            at=cmd.at,
            actor_id=pm.id,
            project_id=project.id,
            subject_id=invitation.id,
            comment=invitation.what,
        ),
    )
    return c.Reply(f"{invitee.label} is invited.", invitation.id)


async def answer_invitation(cmd: AnswerInvitation, uow: UnitOfWork) -> c.Reply:
    person = await actor_of(uow, cmd)
    invitation = await load(uow.repo(Invitation), cmd.invitation_id, "invitation")
    if cmd.answer is InvitationAnswer.CANCEL:
        await project_for(uow, invitation.project_id, person, Act.INVITE)
        invitation.cancel()
    else:
        invitation.answer(pid(person), cmd.answer, cmd.proposal, cmd.at)
    emit(
        uow,
        InvitationAnswered(
            at=cmd.at,
            actor_id=person.id,
            project_id=invitation.project_id,
            subject_id=invitation.id,
            comment=invitation.proposal,
            state=invitation.state.value,
        ),
    )
    return c.Reply(INVITATION_DONE[invitation.state], invitation.id)


async def may_answer(cmd: AnswerInvitation, uow: UnitOfWork) -> None:
    """Checked before a form opens, as `answer_invitation` checks: the invitee answers an
    open invitation; a PM of the project cancels it."""
    invitation = await load(uow.repo(Invitation), cmd.invitation_id, "invitation", lock=False)
    me = await known_id(uow, cmd)
    if cmd.answer is InvitationAnswer.CANCEL:
        await project_allows(uow, invitation.project_id, me, Act.INVITE)
    invitation.check_answer(me, cmd.answer)


# --- Event handlers: what people are sent ---
async def invitation_sent(event: InvitationSent, uow: UnitOfWork) -> None:
    invitation = await load(uow.repo(Invitation), subject_id(event), "invitation", lock=False)
    project = await project_of(uow, event)
    view = invitation_card(invitation, project, await names_for(uow, everyone(project)))
    key = card_key("invitation", invitation.id or 0)
    await to_people(uow, event, [invitation.invitee_id], view, key)


async def invitation_answered(event: InvitationAnswered, uow: UnitOfWork) -> None:
    invitation = await load(uow.repo(Invitation), subject_id(event), "invitation", lock=False)
    project = await project_of(uow, event)
    names = await names_for(uow, everyone(project))
    view = invitation_card(invitation, project, names)
    await update_cards(uow, event, card_key("invitation", invitation.id or 0), view)
    said = answered_invitation(names.get(invitation.invitee_id, ""), event.state)
    await to_people(uow, event, [invitation.inviter_id], info(said, invitation.proposal))


# --- The card ---
def invitation_card(invitation: Invitation, project: Project, names: Names) -> View:
    key = card_key("invitation", invitation.id or 0)
    is_open = invitation.state in (InvitationState.INVITED, InvitationState.PROPOSED)
    fields = [("From", names.get(invitation.inviter_id, ""))]
    if invitation.when:
        fields.append(("When", f"{invitation.when:%Y-%m-%d %H:%M} UTC"))
    if invitation.proposal:
        fields.append(("Proposed instead", invitation.proposal))
    buttons = (
        Button("yes", "Yes", key, None, Style.PRIMARY),
        Button("no", "No", key),
        Button("propose", "Propose another time", key, needs_text="Another time"),
    )
    return View(
        ViewKind.INVITATION,
        f"Invitation · {project.key}",
        invitation.what,
        tuple(fields),
        invitation.state.value.title(),
        buttons if is_open else (),
        (invitation.invitee_id,) if is_open else (),
    )


# --- The form, its parser and the buttons ---
def invite_form(context: Context, what: str = "") -> Form:
    return Form(
        FormKind.INVITE,
        "Invite a customer",
        "Invite",
        (
            F("invitee", "Customer", T.USER),
            F("what", "Meeting or review", T.MULTILINE, initial=what),
            F("date", "Date", T.DATE, required=False),
            F("time", "Time (your local time)", T.TIME, required=False),
        ),
        context,
    )


def parse_invite(v: Values, ctx: Context, who: Who, errors: Errors) -> Command:
    invitee = people_of(v, "invitee")
    day = parse_date(v, "date", errors)
    at = parse_time(v, "time", errors) if text_value(v, "time") else None
    if not invitee:
        errors["invitee"] = "Choose the customer to invite."
    raise_errors(errors)
    when = datetime.combine(day, at or time(9, 0), tzinfo=who.zone) if day else None
    return Invite(
        actor=who.actor,
        at=who.at,
        project_id=need_int(ctx, "project_id"),
        invitee=invitee[0],
        what=text_value(v, "what"),
        when=when,
    )


def press(p: Press) -> Outcome | None:
    if p.verb not in {a.value for a in InvitationAnswer}:
        return None
    return AnswerInvitation(
        actor=p.actor,
        at=p.at,
        event_id=p.event_id,
        invitation_id=p.item_id,
        answer=InvitationAnswer(p.verb),
        proposal=p.text or "",
    )


def _waiting(project: Project, invitations: list[Invitation]) -> list[Waiting]:
    """An invitation waits on the invitee, and a proposed other time on the inviter."""
    pid, found = project.id or 0, list[Waiting]()
    for inv in invitations:
        if inv.state is InvitationState.INVITED:
            who, since = inv.invitee_id, inv.created_at
        elif inv.state is InvitationState.PROPOSED:
            who, since = inv.inviter_id, inv.answered_at or inv.created_at
        else:
            continue
        found.append(
            Waiting(PendingItem("invitation", inv.id or 0, pid, inv.what[:80], who, since), inv)
        )
    return found


OPEN_INVITATION = AnyOf(InvitationState.INVITED, InvitationState.PROPOSED)
waiting = Waits(Invitation, {"state": OPEN_INVITATION}, _waiting)


# --- The flow, as the rest of the core sees it ---
FLOW = Flow(
    "invitation",
    commands={Invite: invite, AnswerInvitation: answer_invitation},
    checks={AnswerInvitation: may_answer},
    events={InvitationSent: [invitation_sent], InvitationAnswered: [invitation_answered]},
    words=(
        Word(
            "invite",
            "invite [@customer] [what]",
            "ask a customer to join a meeting or review",
            Act.INVITE,
            form_with(FormKind.INVITE, "what", "invitee"),
        ),
    ),
    forms=(
        FormEntry(
            FormKind.INVITE,
            "invitee",
            parse_invite,
            act=Act.INVITE,
            build=lambda o: invite_form(o.context, o.prefill.get("what", "")),
        ),
    ),
    items=(
        Item(
            "invitation",
            Invitation,
            press,
            {"propose": ("Another time", True)},
            lambda invitation, project, names, viewer: invitation_card(invitation, project, names),
        ),
    ),
    machines=(INVITATION_MACHINE,),
    waiting=waiting,
)
