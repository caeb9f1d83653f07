"""Feedback: a customer sends the PMs a few words."""

from __future__ import annotations

from dataclasses import dataclass

from workflow.domain import commands as c
from workflow.domain.commands import Command
from workflow.domain.events import Event
from workflow.domain.inbox import Feedback, required_text
from workflow.domain.permissions import Act
from workflow.flows.common import actor_of, emit, names_for, pid, project_for, project_of, to_people
from workflow.flows.flow import Flow, FormEntry, Word
from workflow.ports import UnitOfWork
from workflow.presentation.cards import info
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
from workflow.presentation.words import form_or_now


# --- Commands and events ---
@dataclass(frozen=True, kw_only=True)
class SendFeedback(Command):
    project_id: int
    text: str


@dataclass(frozen=True, kw_only=True)
class FeedbackReceived(Event):
    subject_kind = "feedback"


# --- Use cases ---
async def send_feedback(cmd: SendFeedback, uow: UnitOfWork) -> c.Reply:
    person = await actor_of(uow, cmd)
    project = await project_for(uow, cmd.project_id, person, Act.SEND_FEEDBACK)
    assert project.id is not None
    feedback = Feedback(project.id, pid(person), required_text(cmd.text, "your feedback"), cmd.at)
    await uow.repo(Feedback).add(feedback)
    await uow.flush()
    emit(
        uow,
        FeedbackReceived(
            at=cmd.at,
            actor_id=person.id,
            project_id=project.id,
            subject_id=feedback.id,
            comment=feedback.text,
        ),
    )
    return c.Reply("Thank you for your feedback!", feedback.id)


# --- Event handlers: what people are sent ---
async def feedback_received(event: FeedbackReceived, uow: UnitOfWork) -> None:
    project = await project_of(uow, event)
    names = await names_for(uow, [event.actor_id or 0])
    await to_people(
        uow,
        event,
        project.pms,
        info(f"Feedback from {names[event.actor_id or 0]} · {project.key}", event.comment),
    )


# --- The form, its parser and the word ---
def feedback_form(context: Context, text: str = "") -> Form:
    return Form(
        FormKind.FEEDBACK,
        "Feedback",
        "Send",
        (F("text", "Your feedback for the PMs", T.MULTILINE, initial=text),),
        context,
    )


def parse_feedback(v: Values, ctx: Context, who: Who, errors: Errors) -> Command:
    return SendFeedback(
        actor=who.actor,
        at=who.at,
        project_id=need_int(ctx, "project_id"),
        text=text_value(v, "text"),
    )


FEEDBACK_WORD = form_or_now(
    FormKind.FEEDBACK, lambda here, text: SendFeedback(**here.stamp(), text=text)
)


# --- The flow, as the rest of the core sees it ---
FLOW = Flow(
    "feedback",
    commands={SendFeedback: send_feedback},
    events={FeedbackReceived: [feedback_received]},
    words=(
        Word(
            "feedback", "feedback [text]", "send the PMs feedback", Act.SEND_FEEDBACK, FEEDBACK_WORD
        ),
    ),
    forms=(
        FormEntry(
            FormKind.FEEDBACK,
            "text",
            parse_feedback,
            act=Act.SEND_FEEDBACK,
            build=lambda o: feedback_form(o.context, o.prefill.get("text", "")),
        ),
    ),
)
