"""Use cases for status reports: post to the channel, review by customers."""

from __future__ import annotations

from workflow.domain import commands as c
from workflow.domain import events as e
from workflow.domain.errors import Refused
from workflow.domain.permissions import Act
from workflow.domain.reports import StatusReport
from workflow.ports import UnitOfWork
from workflow.services.common import actor_of, emit, load, pid, project_for


async def post_report(cmd: c.PostReport, uow: UnitOfWork) -> c.Reply:
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
    await uow.reports.add(report)
    await uow.flush()
    emit(
        uow,
        e.ReportPosted(
            at=cmd.at,
            actor_id=pm.id,
            project_id=project.id,
            subject_id=report.id,
            shown_hash=report.shown_hash(),
        ),
    )
    return c.Reply(f"Status report for {report.period} posted.", report.id)


async def review_report(cmd: c.ReviewReport, uow: UnitOfWork) -> c.Reply:
    person = await actor_of(uow, cmd)
    report = await load(uow.reports, cmd.report_id, "status report")
    state = report.review(pid(person), cmd.kind, cmd.text, cmd.at)
    emit(
        uow,
        e.ReportReviewed(
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
