"""What a button press means: a command, a form to open, or something to show.

Shared by every adapter, so a click means the same on Slack and on Teams. A press whose
button needs typed text (a reason, remarks, a question) first comes back as `NeedText`;
the adapter opens the small text form and presses again with the text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from workflow.domain import commands as c
from workflow.domain.changes import Verdict
from workflow.domain.commands import PersonRef
from workflow.domain.errors import Refused
from workflow.domain.inbox import InvitationAnswer, RequestAction
from workflow.domain.reports import ReviewKind
from workflow.domain.signoffs import SignoffVerdict
from workflow.presentation.forms import Context, FormKind


class ShowWhat(StrEnum):
    HELP = "help"
    PENDING = "pending"
    DIGEST = "digest"
    EXPORT = "export"


@dataclass(frozen=True)
class OpenForm:
    kind: FormKind
    context: Context = field(default_factory=dict)
    prefill: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Show:
    what: ShowWhat
    project_id: int | None = None
    note: str = ""


@dataclass(frozen=True)
class NeedText:
    label: str
    required: bool
    context: Context


Outcome = c.Command | OpenForm | Show | NeedText

# (item kind, verb) -> (label of the text to type, whether it is required)
TEXT_LABELS: dict[tuple[str, str], tuple[str, bool]] = {
    ("change_request", "reject"): ("Reason", True),
    ("change_request", "ask"): ("Your question", True),
    ("change_request", "answer_question"): ("Answer", True),
    ("signoff", "approve_with_remarks"): ("Remarks", True),
    ("signoff", "reject"): ("Reason", True),
    ("report", "comment"): ("Comment", True),
    ("report", "dispute"): ("What you dispute", True),
    ("request", "decline"): ("Reason", True),
    ("invitation", "propose"): ("Another time", True),
}


@dataclass(frozen=True)
class Press:
    """One button press: the verb, the item and version it was shown with, and who pressed."""

    verb: str
    item: str
    version: int | None
    actor: PersonRef
    at: datetime
    text: str | None = None
    event_id: str | None = None

    @property
    def kind(self) -> str:
        return self.item.split(":", 1)[0]

    @property
    def item_id(self) -> int:
        try:
            return int(self.item.split(":", 1)[1])
        except (IndexError, ValueError):
            raise Refused(
                "That button no longer points at anything; please use a newer message."
            ) from None

    @property
    def base_verb(self) -> str:
        return self.verb.split(":", 1)[0]


def interpret(press: Press) -> Outcome:
    """The outcome of a press; unknown buttons are refused in words."""
    label = TEXT_LABELS.get((press.kind, press.base_verb))
    if label is not None and not (press.text or "").strip():
        context: Context = {"verb": press.verb, "item": press.item, "version": press.version}
        return NeedText(label[0], label[1], context)
    handler = HANDLERS.get(press.kind)
    outcome = handler(press) if handler else None
    if outcome is None:
        raise Refused(
            "That button is not one clientloop knows any more; please use a newer message."
        )
    return outcome


def change_request(p: Press) -> Outcome | None:
    text = p.text or ""
    if p.verb in ("approve", "reject"):
        return c.DecideChange(
            actor=p.actor,
            at=p.at,
            event_id=p.event_id,
            change_id=p.item_id,
            version=p.version or 0,
            verdict=Verdict(p.verb),
            reason=text,
        )
    if p.verb == "ask":
        return c.AskAboutChange(
            actor=p.actor, at=p.at, event_id=p.event_id, change_id=p.item_id, text=text
        )
    if p.base_verb == "answer_question":
        return c.AnswerQuestion(
            actor=p.actor,
            at=p.at,
            event_id=p.event_id,
            change_id=p.item_id,
            question_id=int(p.verb.split(":")[1]),
            text=text,
        )
    if p.verb == "edit":
        return OpenForm(FormKind.CHANGE, {"change_id": p.item_id})
    return None


def signoff(p: Press) -> Outcome | None:
    if p.verb not in {v.value for v in SignoffVerdict}:
        return None
    return c.DecideSignoff(
        actor=p.actor,
        at=p.at,
        event_id=p.event_id,
        signoff_id=p.item_id,
        verdict=SignoffVerdict(p.verb),
        remarks=p.text or "",
    )


def report(p: Press) -> Outcome | None:
    if p.verb not in {k.value for k in ReviewKind}:
        return None
    return c.ReviewReport(
        actor=p.actor,
        at=p.at,
        event_id=p.event_id,
        report_id=p.item_id,
        kind=ReviewKind(p.verb),
        text=p.text or "",
    )


def request(p: Press) -> Outcome | None:
    if p.verb == "convert":
        return OpenForm(FormKind.CHANGE, {"request_id": p.item_id})
    if p.verb in ("accept", "decline"):
        return c.HandleRequest(
            actor=p.actor,
            at=p.at,
            event_id=p.event_id,
            request_id=p.item_id,
            action=RequestAction(p.verb),
            reason=p.text or "",
        )
    return None


def notice(p: Press) -> Outcome | None:
    if p.verb == "draft":
        return OpenForm(FormKind.CHANGE, {"notice_id": p.item_id})
    if p.verb == "note":
        return c.NoteNotice(actor=p.actor, at=p.at, event_id=p.event_id, notice_id=p.item_id)
    return None


def invitation(p: Press) -> Outcome | None:
    if p.verb not in {a.value for a in InvitationAnswer}:
        return None
    return c.AnswerInvitation(
        actor=p.actor,
        at=p.at,
        event_id=p.event_id,
        invitation_id=p.item_id,
        answer=InvitationAnswer(p.verb),
        proposal=p.text or "",
    )


def checkin(p: Press) -> Outcome | None:
    return OpenForm(FormKind.CHECKIN, {"checkin_id": p.item_id}) if p.verb == "answer" else None


PROJECT_FORMS = {
    "start_request": FormKind.REQUEST,
    "start_notice": FormKind.NOTICE,
    "start_feedback": FormKind.FEEDBACK,
    "evaluate": FormKind.EVALUATE,
}


def project(p: Press) -> Outcome | None:
    if p.verb in PROJECT_FORMS:
        return OpenForm(PROJECT_FORMS[p.verb], {"project_id": p.item_id})
    if p.verb == "show_pending":
        return Show(ShowWhat.PENDING, p.item_id)
    return None


HANDLERS = {
    "change_request": change_request,
    "signoff": signoff,
    "report": report,
    "request": request,
    "notice": notice,
    "invitation": invitation,
    "checkin": checkin,
    "project": project,
}
