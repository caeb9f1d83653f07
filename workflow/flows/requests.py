"""Customer requests: a customer sends one; the PMs accept, decline or turn it into a CR."""

from __future__ import annotations

from dataclasses import dataclass

from workflow.domain import commands as c
from workflow.domain.commands import Command
from workflow.domain.errors import Refused
from workflow.domain.events import Event
from workflow.domain.inbox import (
    REQUEST_MACHINE,
    CustomerRequest,
    RequestAction,
    RequestState,
    required_text,
)
from workflow.domain.insight import PendingItem
from workflow.domain.permissions import Act
from workflow.domain.projects import Project
from workflow.domain.views import Button, Style, View, ViewKind, card_key
from workflow.flows.common import (
    actor_of,
    emit,
    everyone,
    known_id,
    load,
    names_for,
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
from workflow.ports import UnitOfWork
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
    text_value,
)
from workflow.presentation.presses import OpenForm, Outcome, Press
from workflow.presentation.said import REQUEST_HANDLED
from workflow.presentation.words import form_or_now


# --- Commands and events ---
@dataclass(frozen=True, kw_only=True)
class SendRequest(Command):
    project_id: int
    text: str


@dataclass(frozen=True, kw_only=True)
class HandleRequest(Command):
    request_id: int
    action: RequestAction
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class RequestReceived(Event):
    subject_kind = "request"


@dataclass(frozen=True, kw_only=True)
class RequestHandled(Event):
    subject_kind = "request"
    state: str


# --- Use cases ---
async def send_request(cmd: SendRequest, uow: UnitOfWork) -> c.Reply:
    person = await actor_of(uow, cmd)
    project = await project_for(uow, cmd.project_id, person, Act.SEND_REQUEST)
    assert project.id is not None
    request = CustomerRequest(
        project.id, pid(person), required_text(cmd.text, "your request"), cmd.at
    )
    await uow.repo(CustomerRequest).add(request)
    await uow.flush()
    emit(
        uow,
        RequestReceived(
            at=cmd.at,
            actor_id=person.id,
            project_id=project.id,
            subject_id=request.id,
            comment=request.text,
        ),
    )
    return c.Reply(
        f"Your request went to the PMs of {project.key}; you'll hear back here.", request.id
    )


async def handle_request(cmd: HandleRequest, uow: UnitOfWork) -> c.Reply:
    if cmd.action is RequestAction.CONVERT:
        raise Refused("To turn a request into a change request, submit the change form.")
    pm = await actor_of(uow, cmd)
    request = await load(uow.repo(CustomerRequest), cmd.request_id, "request")
    await project_for(uow, request.project_id, pm, Act.HANDLE_INBOX)
    request.handle(cmd.action, pid(pm), cmd.reason, cmd.at)
    emit(
        uow,
        RequestHandled(
            at=cmd.at,
            actor_id=pm.id,
            project_id=request.project_id,
            subject_id=request.id,
            comment=request.reason,
            state=request.state.value,
        ),
    )
    done = REQUEST_HANDLED[request.state]
    return c.Reply(f"Request {done}; the customer has been told.", request.id)


async def may_handle(cmd: HandleRequest, uow: UnitOfWork) -> None:
    """Checked before a form opens: a PM of the open project, on a request still open."""
    request = await load(uow.repo(CustomerRequest), cmd.request_id, "request", lock=False)
    await project_allows(uow, request.project_id, await known_id(uow, cmd), Act.HANDLE_INBOX)
    request.check_handle(cmd.action)


# --- Event handlers: what people are sent ---
async def request_received(event: RequestReceived, uow: UnitOfWork) -> None:
    request = await load(uow.repo(CustomerRequest), subject_id(event), "request", lock=False)
    project = await project_of(uow, event)
    view = request_card(request, project, await names_for(uow, everyone(project)))
    await to_people(uow, event, project.pms, view, card_key("request", request.id or 0))


async def request_handled(event: RequestHandled, uow: UnitOfWork) -> None:
    request = await load(uow.repo(CustomerRequest), subject_id(event), "request", lock=False)
    project = await project_of(uow, event)
    view = request_card(request, project, await names_for(uow, everyone(project)))
    await update_cards(uow, event, card_key("request", request.id or 0), view)
    outcome = {
        "accepted": "was accepted",
        "declined": "was declined",
        "converted": f"became change request CR-{request.change_request_id}",
    }
    await to_people(
        uow,
        event,
        [request.author_id],
        info(
            f"Your request to {project.key} {outcome[request.state.value]}",
            f"{request.text}\n\n{request.reason}".strip(),
        ),
    )


# --- The card ---
def request_card(request: CustomerRequest, project: Project, names: Names) -> View:
    key = card_key("request", request.id or 0)
    is_open = request.state.value == "open"
    buttons = (
        (
            Button("accept", "Accept", key, None, Style.PRIMARY),
            Button("decline", "Decline", key, None, Style.DANGER, needs_text="Reason"),
            Button("convert", "Turn into a change request", key),
        )
        if is_open
        else ()
    )
    status = request.state.value.title() + (f": {request.reason}" if request.reason else "")
    return View(
        ViewKind.REQUEST,
        f"Request from {names.get(request.author_id, '')} · {project.key}",
        request.text,
        status=status,
        buttons=buttons,
        actors=tuple(project.pms) if is_open else (),
    )


# --- The form, its parser, the buttons and the word ---
def request_form(context: Context, text: str = "") -> Form:
    return Form(
        FormKind.REQUEST,
        "Send a request",
        "Send",
        (F("text", "Your request", T.MULTILINE, initial=text),),
        context,
        "The PMs will accept it, decline it with a reason, or turn it into a change request.",
    )


def press(p: Press) -> Outcome | None:
    if p.verb == "convert":
        return OpenForm(FormKind.CHANGE, {"request_id": p.item_id})
    if p.verb in ("accept", "decline"):
        return HandleRequest(
            actor=p.actor,
            at=p.at,
            event_id=p.event_id,
            request_id=p.item_id,
            action=RequestAction(p.verb),
            reason=p.text or "",
        )
    return None


def parse_request(v: Values, ctx: Context, who: Who, errors: Errors) -> Command:
    return SendRequest(
        actor=who.actor,
        at=who.at,
        project_id=need_int(ctx, "project_id"),
        text=text_value(v, "text"),
    )


REQUEST_WORD = form_or_now(
    FormKind.REQUEST, lambda here, text: SendRequest(**here.stamp(), text=text)
)


def _waiting(project: Project, requests: list[CustomerRequest]) -> list[Waiting]:
    """Open requests wait on the PMs."""
    pid = project.id or 0
    return [
        Waiting(PendingItem("request", r.id or 0, pid, r.text[:80], p, r.created_at), r)
        for r in requests
        for p in project.pms
    ]


waiting = Waits(CustomerRequest, {"state": RequestState.OPEN}, _waiting)


# --- The flow, as the rest of the core sees it ---
FLOW = Flow(
    "request",
    commands={SendRequest: send_request, HandleRequest: handle_request},
    checks={HandleRequest: may_handle},
    events={RequestReceived: [request_received], RequestHandled: [request_handled]},
    words=(
        Word(
            "request", "request [text]", "send the team a request", Act.SEND_REQUEST, REQUEST_WORD
        ),
    ),
    forms=(
        FormEntry(
            FormKind.REQUEST,
            "text",
            parse_request,
            act=Act.SEND_REQUEST,
            build=lambda o: request_form(o.context, o.prefill.get("text", "")),
        ),
    ),
    items=(
        Item(
            "request",
            CustomerRequest,
            press,
            {"decline": ("Reason", True)},
            lambda request, project, names, viewer: request_card(request, project, names),
        ),
    ),
    machines=(REQUEST_MACHINE,),
    waiting=waiting,
)
