"""The read side: pending items with their age, the PM digest, missed check-ins, exports."""

from __future__ import annotations

from dataclasses import asdict, fields, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from workflow.domain.audit import AuditEntry
from workflow.domain.changes import ChangeRequest
from workflow.domain.checkins import CheckIn, CheckInState, week_of
from workflow.domain.inbox import (
    Feedback,
    Notice,
)
from workflow.domain.insight import (
    Digest,
    Missed,
    PendingItem,
    digest,
    missed_since,
)
from workflow.domain.people import UNNAMED
from workflow.domain.projects import Project
from workflow.domain.signoffs import SignoffRequest
from workflow.domain.trend import trend_chart
from workflow.flows.common import load, names_for
from workflow.flows.views import views_of
from workflow.flows.waiting import waiting_across, waiting_in
from workflow.ports import After, UnitOfWork

UTC_ZONE = ZoneInfo("UTC")
NOTICES_DAYS = 7  # the digest counts the notices of the last week
# The columns of each exported dataset, in order: an export with no rows still has them.
EXPORT_COLUMNS: dict[str, tuple[str, ...]] = {
    "feedback": ("type", "person_id", "week", "rating", "text", "at"),
    "decisions": ("item", "version", "person_id", "verdict", "reason", "at", "shown_hash"),
    "audit": tuple(f.name for f in fields(AuditEntry)),
}


async def pending_in(uow: UnitOfWork, project: Project) -> list[PendingItem]:
    """Everything that waits on someone in `project`, one row per person waited on."""
    return [w.pending for w in await waiting_in(uow, project)]


async def pending_for_person(uow: UnitOfWork, person_id: int) -> list[PendingItem]:
    """What waits on `person_id` in their open projects (only those projects are read)."""
    projects, _ = await views_of(uow).open_projects_of(person_id)
    found = await waiting_across(uow, projects)
    items = [w.pending for p in projects for w in found[p.id or 0]]
    return sorted((i for i in items if i.waiting_on == person_id), key=lambda i: i.since)


async def project_digest(uow: UnitOfWork, project_id: int, now: datetime) -> Digest:
    project = await load(uow.projects, project_id, "project", lock=False)
    # Every check-in of the project: a customer's silence counts their last answers, however old.
    checkins = await uow.repo(CheckIn).find(project_id=project_id)
    week_ago = now - timedelta(days=NOTICES_DAYS)
    notices = await uow.repo(Notice).find(project_id=project_id, created_at=After(week_ago))
    pending = [i for i in await pending_in(uow, project) if i.kind != "checkin"]
    week = week_of(now, UTC_ZONE)
    figures = digest(checkins, project.customers(), pending, len(notices), week, now)
    customers = project.customers()
    names = await names_for(uow, customers)
    labels = {p: _label(names.get(p, UNNAMED), n) for n, p in enumerate(customers, 1)}
    chart = trend_chart(checkins, labels, week, f"{project.key} · customer satisfaction")
    return replace(figures, chart=chart, names=names)


async def missed_in(
    uow: UnitOfWork, project: Project, now: datetime, limit: int
) -> tuple[list[Missed], int]:
    """The first `limit` check-ins the project's customers missed in the last weeks (newest
    first), and how many there are: they wait on nobody, so pending names them apart."""
    since = missed_since(week_of(now, UTC_ZONE))
    return await views_of(uow).missed_checkins(project.id or 0, since, limit)


def _label(name: str, n: int) -> str:
    return f"Customer {n}" if name == UNNAMED else name


async def export_rows(uow: UnitOfWork, project_id: int) -> dict[str, list[dict[str, object]]]:
    """A project's feedback, decisions and audit trail as flat rows (for CSV or JSON), each
    with the keys of `EXPORT_COLUMNS`."""
    rows: dict[str, list[dict[str, object]]] = {name: [] for name in EXPORT_COLUMNS}
    answered = await uow.repo(CheckIn).find(project_id=project_id, state=CheckInState.ANSWERED)
    for checkin in answered:
        rows["feedback"].append(
            {
                "type": "checkin",
                "person_id": checkin.person_id,
                "week": checkin.week,
                "rating": checkin.rating,
                "text": checkin.text,
                "at": checkin.answered_at,
            }
        )
    for fb in await uow.repo(Feedback).find(project_id=project_id):
        rows["feedback"].append(
            {
                "type": "feedback",
                "person_id": fb.author_id,
                "week": None,
                "rating": None,
                "text": fb.text,
                "at": fb.created_at,
            }
        )
    for change in await uow.repo(ChangeRequest).find(project_id=project_id):
        for d in change.decisions:
            rows["decisions"].append(
                {
                    "item": f"CR-{change.id}",
                    "version": d.version,
                    "person_id": d.approver_id,
                    "verdict": d.verdict.value,
                    "reason": d.reason,
                    "at": d.at,
                    "shown_hash": d.shown_hash,
                }
            )
    for signoff in await uow.repo(SignoffRequest).find(project_id=project_id):
        for a in signoff.approvers:
            if a.verdict is not None:
                rows["decisions"].append(
                    {
                        "item": f"signoff-{signoff.id} {signoff.kind.value}",
                        "version": signoff.doc_version,
                        "person_id": a.person_id,
                        "verdict": a.verdict.value,
                        "reason": a.remarks,
                        "at": a.decided_at,
                        "shown_hash": a.shown_hash,
                    }
                )
    rows["audit"] = [asdict(entry) for entry in await uow.audit.entries(project_id)]
    return rows
