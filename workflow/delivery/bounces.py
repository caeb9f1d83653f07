"""Tell a project's PMs, once, that a message could not be delivered, and what to do about it."""

from __future__ import annotations

from typing import Any

from workflow.domain.projects import Role
from workflow.domain.views import Outgoing, Recipient, View, ViewKind
from workflow.ports import UnitOfWork

# Notices about failed notices carry this card key prefix: their own failure tells nobody.
BOUNCE_PREFIX = "bounce:"
BOUNCE_TITLE = "A message could not be delivered"


def is_bounce(card_key: str | None) -> bool:
    return bool(card_key and card_key.startswith(BOUNCE_PREFIX))


async def bounce_notices(uow: UnitOfWork, row: Any, error: str) -> list[Outgoing]:
    """One INFO message per PM of the row's project (none for a bounce or an update)."""
    project_id = row.project_id or row.recipient_project_id
    if is_bounce(row.card_key) or row.op != "post" or project_id is None:
        return []
    project = await uow.projects.get(project_id)
    if project is None:
        return []
    pms = sorted({p.person_id for p in project.participants if p.role == Role.PM})
    view = View(
        ViewKind.INFO,
        BOUNCE_TITLE,
        text=await _explanation(uow, row, project.name, error),
        footer="clientloop will not retry this message.",
    )
    return [
        Outgoing(Recipient(person_id=pm), view, f"{BOUNCE_PREFIX}{row.id}", project_id=project_id)
        for pm in pms
    ]


async def _explanation(uow: UnitOfWork, row: Any, project_name: str, error: str) -> str:
    title = str((row.view or {}).get("title") or "a message")
    if row.recipient_person_id is not None:
        person = await uow.people.get(row.recipient_person_id)
        who = person.display_name or person.identity.user_id if person else "a person"
        advice = (
            f"Invite the bot to the conversation, or remove {who} from the project (/loop people)."
        )
    else:
        who = f"the channel of {project_name}"
        advice = "Invite the bot to the channel, or move the project to a channel it is in."
    return (
        f'"{title}" for {who} in {project_name} could not be delivered: '
        f"the platform said {error or 'nothing more'}. {advice}"
    )
