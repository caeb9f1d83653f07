"""The scheduler's flow: one tick's worth of due work, and the reminders it raises.

Parts: `use_cases` (what is due: check-ins and their reminders; and `wake`, which every
event passes through, so a project a person changed is looked at on the next tick),
`chasing` (reminders and escalations of open decisions), `digests` (each PM's weekly
digest), `cards` (the reminder, escalation and digest messages) and `alerts` (to the PMs:
a silent customer, a rating drop, a decision waiting too long; each once). Everything goes
out in the working hours of whom it reaches. APScheduler only ticks (`scheduler/`).
"""

from __future__ import annotations

from workflow.domain import commands as c
from workflow.domain import events as e
from workflow.flows.flow import Flow
from workflow.flows.schedule import cards as notify
from workflow.flows.schedule.alerts import AlertRaised, alert_raised
from workflow.flows.schedule.use_cases import run_schedule, wake

__all__ = ["FLOW", "wake"]

FLOW = Flow(
    "schedule",
    commands={c.RunSchedule: run_schedule},
    events={
        e.CheckInReminded: [notify.checkin_reminded],
        e.CheckInMissed: [notify.checkin_missed],
        e.DecisionReminded: [notify.decision_reminded],
        e.DecisionEscalated: [notify.decision_escalated],
        e.DigestSent: [notify.digest_sent],
        AlertRaised: [alert_raised],
    },
)
