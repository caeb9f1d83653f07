"""Pure builders of platform-neutral cards (views) from domain objects."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from workflow.domain.changes import ChangeRequest, CRState
from workflow.domain.checkins import CheckIn, CheckInState
from workflow.domain.closing import Closing
from workflow.domain.inbox import CustomerRequest, Invitation, InvitationState, Notice
from workflow.domain.insight import Digest
from workflow.domain.projects import WEEKDAYS, Project, Role
from workflow.domain.reports import ReportState, StatusReport
from workflow.domain.signoffs import Audience, SignoffRequest, SignoffState
from workflow.domain.views import Button, Style, View, ViewKind, card_key

Names = Mapping[int, str]
CUSTOMER_STARTS = (
    Button("start_request", "Send a request", "project"),
    Button("start_notice", "Report a change on our side", "project"),
    Button("start_feedback", "Send feedback", "project"),
    Button("show_pending", "My pending items", "project"),
)


def who(ids: Sequence[int], names: Names) -> str:
    return ", ".join(names.get(i, f"#{i}") for i in ids) or "nobody"


def schedule(project: Project) -> str:
    return f"{WEEKDAYS[project.checkin_day].title()}s at {project.checkin_time:%H:%M} local time"


def project_card(project: Project, names: Names) -> View:
    roles = [
        (Role.PM, "PMs"),
        (Role.CUSTOMER, "Customers"),
        (Role.SPONSOR, "Sponsor"),
        (Role.MEMBER, "Members"),
    ]
    fields = [(label, who(project.people_with(role), names)) for role, label in roles]
    fields.append(("Check-ins", schedule(project)))
    return View(
        ViewKind.PROJECT,
        f"{project.key} · {project.name}",
        fields=tuple(fields),
        status=project.state.value,
    )


def welcome_card(project: Project, person_id: int, names: Names) -> View:
    roles = project.roles_of(person_id)
    lines = [
        f"Hello {names.get(person_id, '')}! I keep you in the loop on {project.name} "
        f"({project.key}), run by {who(project.pms, names)}."
    ]
    if Role.CUSTOMER in roles:
        lines.append(
            f"Each week ({schedule(project)}) I'll ask how it's going, with one short "
            "message. I'll also bring you change requests and documents to sign off, "
            "and status reports to review, each with buttons to answer."
        )
    if Role.SPONSOR in roles:
        lines.append(
            "As sponsor you balance the customer's change requests with the company's "
            "own needs: I'll ask for your decision on each one."
        )
    buttons = CUSTOMER_STARTS if Role.CUSTOMER in roles else CUSTOMER_STARTS[-1:]
    return View(
        ViewKind.WELCOME,
        f"Welcome to {project.key}",
        "\n".join(lines),
        buttons=tuple(_for(b, project) for b in buttons),
        actors=(person_id,),
    )


def _for(button: Button, project: Project) -> Button:
    return Button(
        button.verb,
        button.label,
        card_key("project", project.id or 0),
        None,
        button.style,
        button.needs_text,
    )


def change_card(
    change: ChangeRequest, turn: Sequence[int], names: Names, changed: Sequence[str] = ()
) -> View:
    v = change.current
    key = card_key("change_request", change.id or 0)
    fields = [
        ("Scope", v.scope or "—"),
        ("Schedule", f"{v.schedule_days:+d} days"),
        ("Cost", f"{v.cost:,}"),
        ("Reason", v.reason or "—"),
        ("Requested by", names.get(change.requested_by, "")),
    ]
    if v.due_at is not None:
        fields.append(("Due", f"{v.due_at:%Y-%m-%d %H:%M} UTC"))
    is_open = change.state is CRState.PENDING
    buttons = (
        (
            Button("approve", "Approve", key, v.number, Style.PRIMARY),
            Button("reject", "Reject", key, v.number, Style.DANGER, needs_text="Reason"),
            Button("ask", "Ask a question", key, v.number, needs_text="Your question"),
        )
        if is_open
        else ()
    )
    footer = f"Changed in version {v.number}: {', '.join(changed)}" if changed else ""
    return View(
        ViewKind.CHANGE_REQUEST,
        f"CR-{change.id} · {v.title} (version {v.number})",
        v.description,
        tuple(fields),
        _change_status(change, turn, names),
        buttons,
        tuple(turn) if is_open else (),
        footer=footer,
    )


def _change_status(change: ChangeRequest, turn: Sequence[int], names: Names) -> str:
    if change.state is CRState.PENDING:
        return f"Waiting on {who(turn, names)}"
    if change.state is CRState.PAUSED:
        return "Paused: a question is with the PMs"
    rejected = [
        d
        for d in change.decisions
        if d.version == change.current.number and d.verdict.value == "reject"
    ]
    if change.state is CRState.REJECTED and rejected:
        return f"Rejected by {names.get(rejected[-1].approver_id, '')}: {rejected[-1].reason}"
    return change.state.value.title()


def signoff_card(request: SignoffRequest, audience: Audience, names: Names) -> View:
    key = card_key("signoff", request.id or 0)
    part = (
        "You are asked to approve the scope section of this plan only."
        if audience is Audience.SCOPE_SECTION
        else ""
    )
    pending = request.state is SignoffState.PENDING
    buttons = (
        (
            Button("approve", "Approve", key, None, Style.PRIMARY),
            Button("approve_with_remarks", "Approve with remarks", key, needs_text="Remarks"),
            Button("reject", "Reject", key, None, Style.DANGER, needs_text="Reason"),
        )
        if pending
        else ()
    )
    actors = (
        tuple(
            a.person_id for a in request.approvers if a.audience is audience and a.verdict is None
        )
        if pending
        else ()
    )
    status = (
        f"Waiting on {who(request.waiting_on(), names)}" if pending else request.state.value.title()
    )
    text = "\n".join(t for t in (request.summary, part) if t)
    return View(
        ViewKind.SIGNOFF,
        f"Sign-off · {request.kind.value.title()}: {request.title}",
        text,
        (("Version", request.doc_version), ("Requested by", names.get(request.requested_by, ""))),
        status,
        buttons,
        actors,
        link=request.link,
    )


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


def checkin_card(checkin: CheckIn, project: Project, pending: Sequence[View]) -> View:
    key = card_key("checkin", checkin.id or 0)
    if checkin.state is CheckInState.ANSWERED:
        return View(
            ViewKind.CHECKIN,
            f"Weekly check-in · {project.key}",
            f"Thank you! You rated this week {checkin.rating}/5.",
            status="Answered",
        )
    text = (
        "How satisfied are you with the project this week (1-5)? What is going well, and "
        "what should change? Has anything changed on your side that could affect the "
        "deliverables?"
    )
    buttons = (
        Button("answer", "Answer the check-in", key, None, Style.PRIMARY),
        *(_for(b, project) for b in CUSTOMER_STARTS[:3]),
    )
    return View(
        ViewKind.CHECKIN,
        f"Weekly check-in · {project.key}",
        text,
        (("Week of", checkin.week.isoformat()),),
        checkin.state.value,
        buttons,
        (checkin.person_id,),
        items=tuple(pending[:10]),
    )


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


def invitation_card(invitation: Invitation, project: Project, names: Names) -> View:
    key = card_key("invitation", invitation.id or 0)
    is_open = invitation.state in (InvitationState.INVITED, InvitationState.PROPOSED)
    fields = [("From", names.get(invitation.inviter_id, ""))]
    if invitation.when:
        fields.append(("When", f"{invitation.when:%Y-%m-%d %H:%M} UTC"))
    if invitation.proposal:
        fields.append(("Proposed instead", invitation.proposal))
    buttons = (
        (
            Button("yes", "Yes", key, None, Style.PRIMARY),
            Button("no", "No", key),
            Button("propose", "Propose another time", key, needs_text="Another time"),
        )
        if is_open
        else ()
    )
    return View(
        ViewKind.INVITATION,
        f"Invitation · {project.key}",
        invitation.what,
        tuple(fields),
        invitation.state.value.title(),
        buttons,
        (invitation.invitee_id,) if is_open else (),
    )


def question_card(change: ChangeRequest, question_id: int, text: str, asker: str) -> View:
    key = card_key("change_request", change.id or 0)
    return View(
        ViewKind.QUESTION,
        f"Question on CR-{change.id} from {asker}",
        text,
        buttons=(
            Button(
                f"answer_question:{question_id}",
                "Answer",
                key,
                change.current.number,
                Style.PRIMARY,
                needs_text="Answer",
            ),
        ),
    )


def evaluation_card(closing: Closing, project: Project, person_id: int) -> View:
    key = card_key("project", project.id or 0)
    return View(
        ViewKind.EVALUATION,
        f"Final evaluation · {project.key}",
        "The project is closing. Please rate each deliverable and the process."
        + (" Your answers are anonymous." if closing.anonymous else ""),
        tuple(("Deliverable", d) for d in closing.deliverables),
        buttons=(Button("evaluate", "Evaluate", key, None, Style.PRIMARY),),
        actors=(person_id,),
    )


SPARK = "▁▂▃▄▅▆▇█"


def digest_card(project: Project, figures: Digest, names: Names) -> View:
    """The weekly PM digest: response rate, satisfaction trend as a chart, open decisions by
    age, silent customers and notices."""
    trend = "".join(SPARK[round((r - 1) / 4 * 7)] if r else "·" for r in figures.trend)
    rate = f"{figures.response_rate:.0%}" if figures.response_rate is not None else "no check-ins"
    values = ", ".join(str(t or "—") for t in figures.trend)
    ages = ", ".join(f"{k}: {v}" for k, v in figures.open_by_age.items())
    fields = (
        ("Response rate (4 weeks)", rate),
        ("Average rating", f"{figures.average_rating or '—'} / 5"),
        ("Satisfaction trend", f"{trend}  ({values})"),
        ("Open decisions by age", ages),
        (
            "Silent customers (2+ check-ins)",
            who(figures.silent, names) if figures.silent else "none",
        ),
        ("Notices this week", str(figures.notices)),
    )
    return View(
        ViewKind.INFO, f"Digest · {project.key} · week of {figures.weeks[-1]}", fields=fields
    )


def info(title: str, text: str = "", fields: tuple[tuple[str, str], ...] = ()) -> View:
    return View(ViewKind.INFO, title, text, fields)
