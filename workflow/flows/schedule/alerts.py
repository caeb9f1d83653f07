"""Alerts to a project's PMs, raised once each while the scheduler works the project.

What counts (a silent customer, a rating drop, a decision waiting too long) is in
`workflow.domain.alerts`; here the findings not raised before become `AlertRaised` events
(remembered in the alerts table), and each event a private message to every PM that says
what happened and what to do. Alerts go out in the first PM's working hours.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from workflow.domain.alerts import (
    Alert,
    AlertKind,
    Finding,
    next_decision_alert_at,
    rating_drop,
    silent_customers,
    waiting_decisions,
)
from workflow.domain.chases import Chase
from workflow.domain.checkins import CheckIn
from workflow.domain.events import Event
from workflow.domain.projects import Project
from workflow.domain.schedule import allowed_at, in_window
from workflow.flows.common import emit, names_for, project_of, to_people
from workflow.flows.waiting import chased_card
from workflow.ports import UnitOfWork
from workflow.presentation.cards import info


@dataclass(frozen=True, kw_only=True)
class AlertRaised(Event):
    """An alert went to the PMs; (alert, subject, period) is its key (see domain/alerts)."""

    subject_kind = "alert"
    alert: str
    subject: str
    period: str
    about_id: int
    figures: tuple[float, ...] = ()
    people: tuple[int, ...] = ()
    item_kind: str = ""


async def raise_alerts(
    uow: UnitOfWork,
    project: Project,
    zone_of: Callable[[int], ZoneInfo],
    checkins: Sequence[CheckIn],
    live: Sequence[Chase],
    now: datetime,
) -> datetime | None:
    """Raise the alerts due at `now` that were not raised before; returns when one may
    next fall due (a decision reaching the threshold, or working hours for one held back)."""
    assert project.id is not None
    if not project.pms:
        return None
    zone = zone_of(project.pms[0])
    days = project.decision_alert_days
    findings = [
        *silent_customers(checkins, project.customers()),
        *rating_drop(checkins, project.id, now),
        *waiting_decisions(live, days, now),
    ]
    alerts = uow.repo(Alert)
    raised = {(a.kind, a.subject, a.period) for a in await alerts.find(project_id=project.id)}
    fresh = [f for f in findings if f.key not in raised]
    if fresh and not in_window(now, zone):
        return allowed_at(now, zone)  # nothing reaches a PM outside their working hours
    for finding in fresh:
        await alerts.add(Alert(project.id, *finding.key, now))
        emit(uow, _event(finding, project.id, now))
        raised.add(finding.key)
    upcoming = next_decision_alert_at(live, days, raised)
    return allowed_at(upcoming, zone) if upcoming is not None else None


def _event(finding: Finding, project_id: int, now: datetime) -> AlertRaised:
    return AlertRaised(
        at=now,
        actor_id=None,
        project_id=project_id,
        subject_id=finding.about_id,
        alert=finding.kind.value,
        subject=finding.subject,
        period=finding.period,
        about_id=finding.about_id,
        figures=finding.figures,
        people=finding.people,
        item_kind=finding.item_kind,
    )


async def alert_raised(event: AlertRaised, uow: UnitOfWork) -> None:
    """A private message to each PM: the reason, and what to do next."""
    project = await project_of(uow, event)
    kind = AlertKind(event.alert)
    if kind is AlertKind.SILENT:
        name = (await names_for(uow, [event.about_id]))[event.about_id]
        missed = int(event.figures[0])
        view = info(
            f"{project.key}: {name} missed {missed} check-ins in a row",
            f"{name} has not answered the weekly check-ins since the week of {event.period}. "
            "A short call usually helps: ask whether the check-in reaches them at a good "
            "time, or whether they are away (they can pause check-ins with `away until "
            "2027-01-04`).",
        )
    elif kind is AlertKind.RATING_DROP:
        recent, earlier, answers = event.figures
        view = info(
            f"{project.key}: satisfaction dropped to {recent:.1f} from {earlier:.1f}",
            f"The {int(answers)} check-in answers of the week of {event.period} average "
            f"{recent:.1f}, {earlier - recent:.1f} below the {earlier:.1f} of the 4 weeks "
            "before. Read their comments in `digest` or `export`, and talk to the customers "
            "this week, before it grows.",
        )
    else:
        _, card, noun = await chased_card(
            uow, project, event.item_kind, event.about_id, event.people[0]
        )
        names = await names_for(uow, event.people)
        waiting_on = ", ".join(names[p] for p in event.people)
        view = info(
            f"{project.key}: {card.title} has waited {int(event.figures[0])} days",
            f"This {noun} has waited on {waiting_on} for {int(event.figures[0])} days; "
            f"{project.key} alerts after {project.decision_alert_days}. Ask them "
            "what holds it up, or whether someone else should decide; the threshold is in "
            "the project's settings (`checkin`).",
        )
    await to_people(uow, event, project.pms, view)
