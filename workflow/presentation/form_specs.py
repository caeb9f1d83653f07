"""The forms themselves: which fields each flow asks for, with prefills where a flow has them."""

from __future__ import annotations

from workflow.presentation.forms import (
    ORDER_OPTIONS,
    RAG_OPTIONS,
    RATING_OPTIONS,
    ROLE_OPTIONS,
    RULE_OPTIONS,
    SIGNOFF_OPTIONS,
    VERDICT_OPTIONS,
    WEEKDAY_OPTIONS,
    Context,
    FieldType,
    Form,
    FormField,
    FormKind,
)

F, T = FormField, FieldType


def new_project(context: Context) -> Form:
    return Form(
        FormKind.NEW_PROJECT,
        "New project",
        "Create",
        (
            F("name", "Project name", max_length=80),
            F("key", "Short key (e.g. WEB)", max_length=10, hint="2 to 10 letters or digits"),
            F("customers_internal", "Internal customers", T.USERS, required=False),
            F("customers_external", "External customers", T.USERS, required=False),
            F(
                "sponsor",
                "Sponsor (internal; required with external customers)",
                T.USER,
                required=False,
            ),
            F("members", "Team members", T.USERS, required=False),
            F("checkin_day", "Weekly check-in day", T.SELECT, options=WEEKDAY_OPTIONS, initial="0"),
            F(
                "checkin_time",
                "Check-in time (each customer's own local time)",
                T.TIME,
                initial="10:00",
            ),
        ),
        context,
        "You become the project's PM. Customers and the sponsor get a short welcome.",
    )


def people(context: Context) -> Form:
    return Form(
        FormKind.PEOPLE,
        "People",
        "Save",
        (
            F("users", "People", T.USERS),
            F("role", "Role", T.SELECT, options=ROLE_OPTIONS, initial="customer_internal"),
            F("remove", "Remove them from this role instead of adding", T.CHECKBOX, required=False),
        ),
        context,
    )


def settings(
    context: Context, day: int, at: str, rule: str, quorum: int | None, order: str
) -> Form:
    return Form(
        FormKind.SETTINGS,
        "Check-ins and approvals",
        "Save",
        (
            F(
                "checkin_day",
                "Weekly check-in day",
                T.SELECT,
                options=WEEKDAY_OPTIONS,
                initial=str(day),
            ),
            F("checkin_time", "Check-in time (customers' local time)", T.TIME, initial=at),
            F("rule", "Change requests need", T.SELECT, options=RULE_OPTIONS, initial=rule),
            F(
                "quorum",
                "Quorum (for a quorum rule)",
                T.INTEGER,
                required=False,
                initial=str(quorum or ""),
            ),
            F("order", "Order", T.SELECT, options=ORDER_OPTIONS, initial=order),
        ),
        context,
    )


def change(context: Context, prefill: dict[str, str] | None = None) -> Form:
    p = prefill or {}
    editing = context.get("change_id") is not None
    return Form(FormKind.CHANGE, "Edit change request" if editing else "Change request",
                "Save new version" if editing else "Send for approval", (
        F("title", "Title", initial=p.get("title", ""), max_length=150),
        F("description", "Description", T.MULTILINE, required=False,
          initial=p.get("description", "")),
        F("scope", "Impact on scope", T.MULTILINE, required=False, initial=p.get("scope", "")),
        F("schedule_days", "Impact on schedule (days)", T.INTEGER, required=False,
          initial=p.get("schedule_days", "0")),
        F("cost", "Impact on cost", T.DECIMAL, required=False, initial=p.get("cost", "0")),
        F("reason", "Reason", T.MULTILINE, required=False, initial=p.get("reason", "")),
        F("due", "Decide by (optional)", T.DATE, required=False, initial=p.get("due", "")),
    ), context)  # fmt: skip


def signoff(context: Context, kind: str = "") -> Form:
    return Form(FormKind.SIGNOFF, "Ask for a sign-off", "Send", (
        F("kind", "Document", T.SELECT, options=SIGNOFF_OPTIONS, initial=kind or "charter"),
        F("title", "Title", max_length=150),
        F("link", "Link", T.URL, required=False),
        F("summary", "Summary", T.MULTILINE, required=False),
        F("version", "Version", initial="1", max_length=40),
        F("due", "Sign off by (optional)", T.DATE, required=False),
    ), context, "Charter: customers and sponsor. Scope: customers. Plan: internal customers "
       "approve the whole plan, external ones its scope section. Final report: internal "
       "customers.")  # fmt: skip


def report(context: Context) -> Form:
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


def checkin(context: Context) -> Form:
    return Form(
        FormKind.CHECKIN,
        "Weekly check-in",
        "Send",
        (
            F("rating", "How satisfied are you this week?", T.SELECT, options=RATING_OPTIONS),
            F("text", "What is going well, and what should change?", T.MULTILINE, required=False),
            F(
                "changed",
                "Something changed on our side that could affect the deliverables",
                T.CHECKBOX,
                required=False,
            ),
            F("change_what", "If so: what changed?", T.MULTILINE, required=False),
            F("change_since", "Since when?", T.DATE, required=False),
            F("change_affects", "What may it affect?", T.MULTILINE, required=False),
        ),
        context,
    )


def request(context: Context, text: str = "") -> Form:
    return Form(
        FormKind.REQUEST,
        "Send a request",
        "Send",
        (F("text", "Your request", T.MULTILINE, initial=text),),
        context,
        "The PMs will accept it, decline it with a reason, or turn it into a change request.",
    )


def notice(context: Context, what: str = "") -> Form:
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


def feedback(context: Context, text: str = "") -> Form:
    return Form(
        FormKind.FEEDBACK,
        "Feedback",
        "Send",
        (F("text", "Your feedback for the PMs", T.MULTILINE, initial=text),),
        context,
    )


def invite(context: Context, what: str = "") -> Form:
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


def close(context: Context) -> Form:
    return Form(
        FormKind.CLOSE,
        "Close the project",
        "Ask for evaluation",
        (
            F("deliverables", "Deliverables to evaluate (one per line)", T.MULTILINE),
            F(
                "anonymous",
                "Anonymous (results shown once 3 have answered)",
                T.CHECKBOX,
                required=False,
            ),
            F(
                "final_report_title",
                "Final status report title (internal customers review it)",
                required=False,
            ),
            F("final_report_link", "Final status report link", T.URL, required=False),
        ),
        context,
    )


def evaluate(context: Context, deliverables: list[str]) -> Form:
    fields: list[FormField] = []
    for n, name in enumerate(deliverables):
        fields.append(F(f"verdict_{n}", f"{name[:120]}", T.SELECT, options=VERDICT_OPTIONS))
        fields.append(F(f"remarks_{n}", f"Remarks on {name[:100]}", T.MULTILINE, required=False))
    fields.append(F("process_rating", "How was the process?", T.SELECT, options=RATING_OPTIONS))
    fields.append(F("comment", "Comment", T.MULTILINE, required=False))
    return Form(
        FormKind.EVALUATE,
        "Final evaluation",
        "Send",
        tuple(fields),
        {**context, "deliverables": "\n".join(deliverables)},
    )


def text(context: Context, label: str, required: bool = True) -> Form:
    """The small form for a reason, remarks, question, comment or answer before a button acts."""
    return Form(
        FormKind.TEXT,
        label[:24],
        "Send",
        (F("text", label, T.MULTILINE, required=required),),
        context,
    )
