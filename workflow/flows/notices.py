"""Environment change notices: a customer reports a change on their side; PMs note it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from workflow.domain import commands as c
from workflow.domain.commands import Command
from workflow.domain.events import Event
from workflow.domain.inbox import NOTICE_MACHINE, Notice, NoticeAction, NoticeState, required_text
from workflow.domain.insight import PendingItem
from workflow.domain.permissions import Act
from workflow.domain.projects import Project
from workflow.domain.views import Button, Style, View, ViewKind, card_key
from workflow.flows.common import (
    actor_of,
    emit,
    everyone,
    load,
    names_for,
    pid,
    project_for,
    project_of,
    subject_id,
    to_people,
    update_cards,
)
from workflow.flows.flow import Flow, FormEntry, Item, Waiting, Word
from workflow.flows.waiting import Waits
from workflow.ports import UnitOfWork
from workflow.presentation.cards import Names
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
    raise_errors,
    text_value,
)
from workflow.presentation.presses import OpenForm, Outcome, Press
from workflow.presentation.words import form_or_now


# --- Commands and events ---
@dataclass(frozen=True, kw_only=True)
class SendNotice(Command):
    project_id: int
    what: str
    affects: str = ""
    since: date | None = None


@dataclass(frozen=True, kw_only=True)
class NoteNotice(Command):
    notice_id: int


@dataclass(frozen=True, kw_only=True)
class NoticeReceived(Event):
    subject_kind = "notice"


@dataclass(frozen=True, kw_only=True)
class NoticeHandled(Event):
    subject_kind = "notice"
    state: str


# --- Use cases ---
async def send_notice(cmd: SendNotice, uow: UnitOfWork) -> c.Reply:
    person = await actor_of(uow, cmd)
    project = await project_for(uow, cmd.project_id, person, Act.SEND_NOTICE)
    assert project.id is not None
    notice = Notice(
        project.id,
        pid(person),
        required_text(cmd.what, "what changed"),
        cmd.affects.strip(),
        cmd.at,
        since=cmd.since,
    )
    await record_notice(uow, notice, person.id, cmd.at)
    return c.Reply("Thank you: the PMs have your notice.", notice.id)


async def record_notice(
    uow: UnitOfWork, notice: Notice, actor_id: int | None, at: datetime
) -> None:
    """Store a notice (from /loop notice or a check-in) and let the PMs know."""
    await uow.repo(Notice).add(notice)
    await uow.flush()
    emit(
        uow,
        NoticeReceived(
            at=at,
            actor_id=actor_id,
            project_id=notice.project_id,
            subject_id=notice.id,
            comment=notice.what,
        ),
    )


async def note_notice(cmd: NoteNotice, uow: UnitOfWork) -> c.Reply:
    pm = await actor_of(uow, cmd)
    notice = await load(uow.repo(Notice), cmd.notice_id, "notice")
    await project_for(uow, notice.project_id, pm, Act.HANDLE_INBOX)
    notice.transition(NoticeAction.NOTE)
    emit(
        uow,
        NoticeHandled(
            at=cmd.at,
            actor_id=pm.id,
            project_id=notice.project_id,
            subject_id=notice.id,
            state=notice.state.value,
        ),
    )
    return c.Reply("Notice marked as noted.", notice.id)


# --- Event handlers: what people are sent ---
async def notice_received(event: NoticeReceived, uow: UnitOfWork) -> None:
    notice = await load(uow.repo(Notice), subject_id(event), "notice", lock=False)
    project = await project_of(uow, event)
    view = notice_card(notice, project, await names_for(uow, everyone(project)))
    await to_people(uow, event, project.pms, view, card_key("notice", notice.id or 0))


async def notice_handled(event: NoticeHandled, uow: UnitOfWork) -> None:
    notice = await load(uow.repo(Notice), subject_id(event), "notice", lock=False)
    project = await project_of(uow, event)
    view = notice_card(notice, project, await names_for(uow, everyone(project)))
    await update_cards(uow, event, card_key("notice", notice.id or 0), view)


# --- The card ---
def notice_card(notice: Notice, project: Project, names: Names) -> View:
    key = card_key("notice", notice.id or 0)
    fields = [("May affect", notice.affects or "—")]
    if notice.since:
        fields.append(("Since", notice.since.isoformat()))
    drafted = notice.state.value == "drafted"
    buttons = (
        ()
        if drafted
        else (
            Button("draft", "Draft a change request from this", key, None, Style.PRIMARY),
            *(() if notice.state.value == "noted" else (Button("note", "Noted", key),)),
        )
    )
    return View(
        ViewKind.NOTICE,
        f"Change on the customer's side · {project.key}",
        notice.what,
        tuple(fields),
        f"From {names.get(notice.author_id, '')} · {notice.state.value}",
        buttons,
        tuple(project.pms) if buttons else (),
    )


# --- The form, its parser, the buttons and the word ---
def notice_form(context: Context, what: str = "") -> Form:
    return Form(
        FormKind.NOTICE,
        "Change on our side",
        "Send",
        (
            F("what", "What changed?", T.MULTILINE, initial=what),
            F("since", "Since when?", T.DATE, required=False),
            F("affects", "What may it affect?", T.MULTILINE, required=False),
        ),
        context,
    )


def press(p: Press) -> Outcome | None:
    if p.verb == "draft":
        return OpenForm(FormKind.CHANGE, {"notice_id": p.item_id})
    if p.verb == "note":
        return NoteNotice(actor=p.actor, at=p.at, event_id=p.event_id, notice_id=p.item_id)
    return None


def parse_notice(v: Values, ctx: Context, who: Who, errors: Errors) -> Command:
    since = parse_date(v, "since", errors)
    raise_errors(errors)
    return SendNotice(
        actor=who.actor,
        at=who.at,
        project_id=need_int(ctx, "project_id"),
        what=text_value(v, "what"),
        affects=text_value(v, "affects"),
        since=since,
    )


NOTICE_WORD = form_or_now(FormKind.NOTICE, lambda here, text: SendNotice(**here.stamp(), what=text))


def _waiting(project: Project, notices: list[Notice]) -> list[Waiting]:
    """Notices not yet noted wait on the PMs."""
    pid = project.id or 0
    return [
        Waiting(PendingItem("notice", n.id or 0, pid, n.what[:80], p, n.created_at), n)
        for n in notices
        for p in project.pms
    ]


waiting = Waits(Notice, {"state": NoticeState.RECEIVED}, _waiting)


# --- The flow, as the rest of the core sees it ---
FLOW = Flow(
    "notice",
    commands={SendNotice: send_notice, NoteNotice: note_notice},
    events={NoticeReceived: [notice_received], NoticeHandled: [notice_handled]},
    words=(
        Word(
            "notice",
            "notice [text]",
            "tell the team about a change on your side",
            Act.SEND_NOTICE,
            NOTICE_WORD,
        ),
    ),
    forms=(
        FormEntry(
            FormKind.NOTICE,
            "what",
            parse_notice,
            act=Act.SEND_NOTICE,
            build=lambda o: notice_form(o.context, o.prefill.get("what", "")),
        ),
    ),
    items=(
        Item(
            "notice",
            Notice,
            press,
            {},
            lambda notice, project, names, viewer: notice_card(notice, project, names),
        ),
    ),
    machines=(NOTICE_MACHINE,),
    waiting=waiting,
)
