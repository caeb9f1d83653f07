"""The settings form's refusals, each on its own field: the values as typed, then the quorum
against the project's customers.

`settings_fit` is the form's declared check (Slack shows it before the modal closes);
`use_cases.configure_project` refuses the same with `quorum_fits` in the write
transaction, where a Teams card's submission is carried out without a check first.
"""

from __future__ import annotations

from workflow.domain.projects import MAX_ALERT_DAYS, ApprovalRule, Project
from workflow.flows.common import load
from workflow.flows.projects.messages import ConfigureProject
from workflow.ports import UnitOfWork
from workflow.presentation.forms import Errors, FieldErrors, Values, parse_int, text_value


def typed_quorum(v: Values, rule: ApprovalRule, errors: Errors) -> int | None:
    """The typed quorum; under the quorum rule it must be there and at least 1."""
    quorum = parse_int(v, "quorum", errors) or None
    if rule is ApprovalRule.QUORUM and "quorum" not in errors and (quorum or 0) < 1:
        errors["quorum"] = "With a quorum, type how many customers must approve, e.g. 2."
    return quorum


def typed_alert_days(v: Values, errors: Errors) -> int | None:
    """The typed alert threshold in days; None (left as it is) when blank."""
    if not text_value(v, "alert_days"):
        return None
    days = parse_int(v, "alert_days", errors)
    if "alert_days" not in errors and not 1 <= days <= MAX_ALERT_DAYS:
        errors["alert_days"] = f"Alert after 1 to {MAX_ALERT_DAYS} days of waiting, e.g. 5."
    return days


def quorum_fits(project: Project, rule: ApprovalRule, quorum: int | None) -> None:
    """Refuse, on the Quorum field, a quorum larger than the project's customers."""
    count = len(project.customers())
    if rule is ApprovalRule.QUORUM and quorum is not None and quorum > count:
        most = f"type {count} or less, or add customers first" if count else "add customers first"
        raise FieldErrors(
            {
                "quorum": f"A quorum of {quorum} is more than the {count} customers of "
                f"{project.key}: {most}."
            }
        )


async def settings_fit(cmd: ConfigureProject, uow: UnitOfWork) -> None:
    """The settings form's check, asked in a read transaction before it is acknowledged."""
    project = await load(uow.projects, cmd.project_id, "project", lock=False)
    quorum_fits(project, cmd.rule, cmd.quorum)
