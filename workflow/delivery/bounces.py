"""What follows an undeliverable message: the project's channel for a person with no private
chat, else one notice to each of the project's PMs saying what to do, in the platform's words."""

from __future__ import annotations

import dataclasses
from typing import Any

from workflow.domain.people import Person, Platform
from workflow.domain.projects import Project, Role
from workflow.domain.views import Outgoing, Recipient, View, ViewKind, view_from_dict
from workflow.ports import UnitOfWork

# Notices about failed notices carry this card key prefix: their own failure tells nobody.
BOUNCE_PREFIX = "bounce:"
BOUNCE_TITLE = "A message could not be delivered"
# What a notifier says when the bot has no private chat with a person (e.g. a Teams user
# of another organisation, or one who never installed the app): the channel is tried next.
NO_PRIVATE_CHAT = "no private chat with this person"
PEOPLE_COMMAND = {Platform.SLACK: "/loop people", Platform.TEAMS: "@clientloop people"}


def is_bounce(card_key: str | None) -> bool:
    return bool(card_key and card_key.startswith(BOUNCE_PREFIX))


async def bounce_notices(uow: UnitOfWork, row: Any, error: str) -> list[Outgoing]:
    """The channel copy @mentioning a person the bot cannot reach privately, or one INFO
    message per PM of the row's project (none for a bounce or an update)."""
    project_id = row.project_id or row.recipient_project_id
    if is_bounce(row.card_key) or row.op != "post" or project_id is None:
        return []
    project = await uow.projects.get(project_id)
    if project is None:
        return []
    person = await uow.people.get(row.recipient_person_id) if row.recipient_person_id else None
    if person is not None and error.startswith(NO_PRIVATE_CHAT) and project.channel_id:
        return [_in_channel(row, person, project_id)]
    workspace = await uow.workspaces.get(project.workspace_id)
    platform = workspace.platform if workspace is not None else Platform.SLACK
    view = View(
        ViewKind.INFO,
        BOUNCE_TITLE,
        text=_explanation(row, person, project, error, platform),
        footer="clientloop will not retry this message.",
    )
    pms = sorted({p.person_id for p in project.participants if p.role == Role.PM})
    return [
        Outgoing(Recipient(person_id=pm), view, f"{BOUNCE_PREFIX}{row.id}", project_id=project_id)
        for pm in pms
    ]


def _in_channel(row: Any, person: Person, project_id: int) -> Outgoing:
    """The same message in the project's channel, @mentioning the person it is for (their
    buttons show for them there); its card key keeps the copies updating in place."""
    view = view_from_dict(row.view)
    view = dataclasses.replace(view, mention=(person.identity.user_id, person.label))
    return Outgoing(Recipient(project_id=project_id), view, row.card_key, project_id=project_id)


def _explanation(
    row: Any, person: Person | None, project: Project, error: str, platform: Platform
) -> str:
    title = str((row.view or {}).get("title") or "a message")
    said = f"the platform said {error or 'nothing more'}"
    people = PEOPLE_COMMAND[platform]
    mention = (row.view or {}).get("mention")
    if mention:  # the channel copy for someone with no private chat: both ways failed
        who = str(mention[1])
        return (
            f'"{title}" for {who} in {project.name} could not be delivered: clientloop has no '
            f"private chat with {who}, and the project's channel did not take it either "
            f"({said}). Ask {who} to add clientloop in {_app_place(platform)}, add the bot "
            f"to the project's channel, or remove {who} from the project ({people})."
        )
    if person is not None:
        who = person.label
        advice = f"Add the bot to the conversation, or remove {who} from the project ({people})."
    else:
        who = f"the channel of {project.name}"
        advice = "Add the bot to the channel, or move the project to a channel it is in."
    return f'"{title}" for {who} in {project.name} could not be delivered: {said}. {advice}'


def _app_place(platform: Platform) -> str:
    return "Teams (Apps, then clientloop, then Add)" if platform is Platform.TEAMS else "Slack"
