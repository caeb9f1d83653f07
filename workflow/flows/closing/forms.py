"""The close and evaluate forms and their parsers."""

from __future__ import annotations

from workflow.domain import commands as c
from workflow.domain.closing import Closing, DeliverableVerdict, check_deliverables
from workflow.domain.errors import Refused
from workflow.domain.people import Identity
from workflow.domain.permissions import Act
from workflow.flows.closing.messages import StartClosing, SubmitEvaluation
from workflow.flows.common import allowed_in
from workflow.ports import UnitOfWork
from workflow.presentation.forms import (
    RATING_OPTIONS,
    VERDICT_OPTIONS,
    Context,
    Errors,
    F,
    Form,
    FormField,
    FormKind,
    T,
    Values,
    Who,
    need_int,
    parse_int,
    raise_errors,
    text_value,
)
from workflow.presentation.presses import OpenForm


def close_form(context: Context) -> Form:
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


def evaluate_form(context: Context, deliverables: list[str]) -> Form:
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


def parse_close(v: Values, ctx: Context, who: Who, errors: Errors) -> c.Command:
    deliverables = tuple(
        line.strip() for line in text_value(v, "deliverables").splitlines() if line.strip()
    )
    if not deliverables:
        errors["deliverables"] = "List at least one deliverable, one per line."
    try:
        check_deliverables(list(deliverables))
    except Refused as refused:
        errors["deliverables"] = refused.reason
    raise_errors(errors)
    return StartClosing(
        actor=who.actor,
        at=who.at,
        project_id=need_int(ctx, "project_id"),
        deliverables=deliverables,
        anonymous=v.get("anonymous") is True,
        final_report_title=text_value(v, "final_report_title"),
        final_report_link=text_value(v, "final_report_link"),
    )


def parse_evaluate(v: Values, ctx: Context, who: Who, errors: Errors) -> c.Command:
    names = str(ctx.get("deliverables") or "").split("\n")
    ratings = []
    for n, name in enumerate(names):
        verdict = text_value(v, f"verdict_{n}")
        if verdict not in {d.value for d in DeliverableVerdict}:
            errors[f"verdict_{n}"] = "Please choose a verdict."
            continue
        remarks = text_value(v, f"remarks_{n}")
        if verdict != "accept" and not remarks:
            errors[f"remarks_{n}"] = "Please add your remarks."
        ratings.append((name, DeliverableVerdict(verdict), remarks))
    rating = parse_int(v, "process_rating", errors)
    raise_errors(errors)
    return SubmitEvaluation(
        actor=who.actor,
        at=who.at,
        project_id=need_int(ctx, "project_id"),
        process_rating=rating,
        comment=text_value(v, "comment"),
        ratings=tuple(ratings),
    )


async def open_evaluation(uow: UnitOfWork, wanted: OpenForm, identity: Identity) -> Form:
    """The evaluation form, while the project is asking for one."""
    ctx = dict(wanted.context)
    project = await allowed_in(uow, identity, int(ctx["project_id"] or 0), Act.EVALUATE)
    closings = await uow.repo(Closing).find(project_id=project.id)
    if not closings or closings[0].closed_at is not None:
        raise Refused(f"{project.key} is not asking for a final evaluation.")
    return evaluate_form(ctx, closings[0].deliverables)
