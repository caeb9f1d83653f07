"""Status reports: the PM posts one, customers acknowledge, comment or dispute."""

from __future__ import annotations

from dataclasses import dataclass

from workflow.domain import commands as c
from workflow.domain.commands import Command
from workflow.domain.errors import Refused
from workflow.domain.events import Event
from workflow.domain.insight import PendingItem
from workflow.domain.permissions import Act
from workflow.domain.projects import Project
from workflow.domain.reports import MACHINE as REPORT_MACHINE
from workflow.domain.reports import Rag, ReportState, ReviewKind, StatusReport
from workflow.domain.views import Button, Style, View, ViewKind, card_key
from workflow.flows.common import (
    actor_of,
    emit,
    everyone,
    known_id,
    load,
    names_for,
    pid,
    project_for,
    project_of,
    subject_id,
    to_channel,
    to_people,
    update_cards,
)
from workflow.flows.flow import Flow, FormEntry, Item, Waiting, Word
from workflow.flows.waiting import Waits
from workflow.ports import AnyOf, UnitOfWork
from workflow.presentation.cards import Names, info, who
from workflow.presentation.forms import (
    RAG_OPTIONS,
    Context,
    Errors,
    F,
    Form,
    FormKind,
    T,
    Values,
    Who,
    need_int,
    raise_errors,
    text_value,
)
from workflow.presentation.presses import OpenForm, Outcome, Press
from workflow.presentation.said import REVIEWED


# --- Commands and events ---
@dataclass(frozen=True, kw_only=True)
class PostReport(Command):
    project_id: int
    period: str
    rag: Rag
    summary: str
    risks: str = ""
    next_steps: str = ""


@dataclass(frozen=True, kw_only=True)
class ReviewReport(Command):
    report_id: int
    kind: ReviewKind
    text: str = ""


@dataclass(frozen=True, kw_only=True)
class ReportPosted(Event):
    subject_kind = "report"


@dataclass(frozen=True, kw_only=True)
class ReportReviewed(Event):
    subject_kind = "report"
    kind: str
    state: str


# --- Use cases ---
async def post_report(cmd: PostReport, uow: UnitOfWork) -> c.Reply:
    pm = await actor_of(uow, cmd)
    project = await project_for(uow, cmd.project_id, pm, Act.REPORT)
    if not cmd.period.strip() or not cmd.summary.strip():
        raise Refused("A status report needs its period and a summary.")
    assert project.id is not None
    report = StatusReport(
        project_id=project.id,
        period=cmd.period.strip(),
        rag=cmd.rag,
        summary=cmd.summary.strip(),
        risks=cmd.risks.strip(),
        next_steps=cmd.next_steps.strip(),
        posted_by=pid(pm),
        posted_at=cmd.at,
        reviewer_ids=project.customers(),
    )
    await uow.repo(StatusReport).add(report)
    await uow.flush()
    emit(
        uow,
        ReportPosted(
            at=cmd.at,
            actor_id=pm.id,
            project_id=project.id,
            subject_id=report.id,
            shown_hash=report.shown_hash(),
        ),
    )
    return c.Reply(f"Status report for {report.period} posted.", report.id)


async def review_report(cmd: ReviewReport, uow: UnitOfWork) -> c.Reply:
    person = await actor_of(uow, cmd)
    report = await load(uow.repo(StatusReport), cmd.report_id, "status report")
    state = report.review(pid(person), cmd.kind, cmd.text, cmd.at)
    emit(
        uow,
        ReportReviewed(
            at=cmd.at,
            actor_id=person.id,
            project_id=report.project_id,
            subject_id=report.id,
            shown_hash=report.shown_hash(),
            comment=cmd.text.strip(),
            kind=cmd.kind.value,
            state=state.value,
        ),
    )
    return c.Reply("Thank you, your review is recorded.", report.id)


async def may_review(cmd: ReviewReport, uow: UnitOfWork) -> None:
    """Checked before a form opens: one of the customers the report was posted to."""
    report = await load(uow.repo(StatusReport), cmd.report_id, "status report", lock=False)
    report.check_review(await known_id(uow, cmd), cmd.kind)


# --- Event handlers: what people are sent ---
async def report_posted(event: ReportPosted, uow: UnitOfWork) -> None:
    report = await load(uow.repo(StatusReport), subject_id(event), "status report", lock=False)
    project = await project_of(uow, event)
    view = report_card(report, await names_for(uow, everyone(project)))
    key = card_key("report", report.id or 0)
    await to_channel(uow, event, view, key)
    await to_people(uow, event, report.reviewer_ids, view, key)


async def report_reviewed(event: ReportReviewed, uow: UnitOfWork) -> None:
    report = await load(uow.repo(StatusReport), subject_id(event), "status report", lock=False)
    project = await project_of(uow, event)
    names = await names_for(uow, everyone(project))
    await update_cards(uow, event, card_key("report", report.id or 0), report_card(report, names))
    if event.kind != ReviewKind.ACKNOWLEDGE:
        who, did = names.get(event.actor_id or 0, ""), REVIEWED[ReviewKind(event.kind)]
        note = info(f"{who} {did} the status report for {report.period}", event.comment)
        await to_people(uow, event, project.pms, note)


# --- The card ---
def report_card(report: StatusReport, names: Names) -> View:
    key = card_key("report", report.id or 0)
    waiting = report.waiting_on()
    status = {
        ReportState.OPEN: f"Waiting for {who(waiting, names)} to acknowledge",
        ReportState.DISPUTED: "Disputed",
        ReportState.ACKNOWLEDGED: "Acknowledged by all customers",
    }[report.state]
    buttons = (
        Button("acknowledge", "Acknowledge", key, None, Style.PRIMARY),
        Button("comment", "Comment", key, needs_text="Comment"),
        Button("dispute", "Dispute", key, None, Style.DANGER, needs_text="What you dispute"),
    )
    return View(
        ViewKind.REPORT,
        f"Status report · {report.period} · {report.rag.value.upper()}",
        report.summary,
        (("Risks", report.risks or "—"), ("Next steps", report.next_steps or "—")),
        status,
        buttons,
        tuple(report.reviewer_ids),
    )


# --- The form, its parser, and the buttons ---
def report_form(context: Context) -> Form:
    return Form(
        FormKind.REPORT,
        "Status report",
        "Post",
        (
            F("period", "Period", max_length=80),
            F("rag", "Status", T.SELECT, options=RAG_OPTIONS, initial="green"),
            F("summary", "Summary", T.MULTILINE),
            F("risks", "Risks", T.MULTILINE, required=False),
            F("next_steps", "Next steps", T.MULTILINE, required=False),
        ),
        context,
    )


def parse_report(v: Values, ctx: Context, who: Who, errors: Errors) -> c.Command:
    for name, what in (("period", "the period"), ("summary", "a summary")):
        if not text_value(v, name):
            errors[name] = f"Please give {what}."
    raise_errors(errors)
    return PostReport(
        actor=who.actor,
        at=who.at,
        project_id=need_int(ctx, "project_id"),
        period=text_value(v, "period"),
        rag=Rag(text_value(v, "rag") or "green"),
        summary=text_value(v, "summary"),
        risks=text_value(v, "risks"),
        next_steps=text_value(v, "next_steps"),
    )


def press(p: Press) -> Outcome | None:
    if p.verb not in {k.value for k in ReviewKind}:
        return None
    return ReviewReport(
        actor=p.actor,
        at=p.at,
        event_id=p.event_id,
        report_id=p.item_id,
        kind=ReviewKind(p.verb),
        text=p.text or "",
    )


def _waiting(project: Project, reports: list[StatusReport]) -> list[Waiting]:
    """Customers who have not reviewed a report that is not yet acknowledged (chased)."""
    pid = project.id or 0
    found: list[Waiting] = []
    for report in reports:
        title, since = f"Report {report.period}", report.posted_at
        found += [
            Waiting(
                PendingItem("report", report.id or 0, pid, title, p, since),
                report,
                decision=True,
                asked=since,
            )
            for p in report.waiting_on()
        ]
    return found


UNSETTLED = AnyOf(*(s for s in ReportState if s is not ReportState.ACKNOWLEDGED))
waiting = Waits(StatusReport, {"state": UNSETTLED}, _waiting)


# --- The flow, as the rest of the core sees it ---
FLOW = Flow(
    "report",
    commands={PostReport: post_report, ReviewReport: review_report},
    checks={ReviewReport: may_review},
    events={ReportPosted: [report_posted], ReportReviewed: [report_reviewed]},
    words=(
        Word(
            "report",
            "report",
            "post a status report for the customers to review",
            Act.REPORT,
            lambda rest, here: OpenForm(FormKind.REPORT, here.context),
            aliases=("status",),
        ),
    ),
    forms=(
        FormEntry(
            FormKind.REPORT,
            "summary",
            parse_report,
            build=lambda o: report_form(o.context),
            act=Act.REPORT,
        ),
    ),
    items=(
        Item(
            "report",
            StatusReport,
            press,
            {"comment": ("Comment", True), "dispute": ("What you dispute", True)},
            lambda report, project, names, viewer: report_card(report, names),
            noun="status report",
        ),
    ),
    machines=(REPORT_MACHINE,),
    waiting=waiting,
)
