"""What the Teams SDK delivers, as the core's vocabulary: the Origin and resolved form values."""

from __future__ import annotations

import re

from microsoft_teams.api import ActivityBase

from handlers.teams.card_forms import AadIds
from handlers.teams.conversations import reference_of, time_zone_of
from workflow.domain.commands import PersonRef
from workflow.domain.people import Identity, Platform
from workflow.presentation.answers import Origin

MENTION = re.compile(r"<at>[^<]*</at>", re.IGNORECASE)


def origin_of(activity: ActivityBase) -> Origin:
    """The actor as (tenant, AAD object id) with the zone Teams reports in clientInfo, and
    the conversation (its thread part dropped) the activity came from."""
    reference = reference_of(activity)
    tenant = reference.tenant_id if reference else (activity.conversation.tenant_id or "")
    aad = activity.from_.aad_object_id or activity.from_.id
    actor = PersonRef(
        Identity(Platform.TEAMS, tenant, aad), activity.from_.name or "", time_zone_of(activity)
    )
    conversation = activity.conversation.id.split(";", 1)[0]
    personal = activity.conversation.conversation_type in (None, "personal")
    return Origin(
        Platform.TEAMS, tenant, conversation, actor, personal, event_id=f"teams:{activity.id}"
    )


def words_of(text: str | None) -> str:
    """A message's text without the @mentions of the bot."""
    return MENTION.sub("", text or "").strip()


def with_people(values: dict[str, object], origin: Origin) -> dict[str, object]:
    """Form values with picked AAD object ids as people of the actor's tenant."""
    return {k: _people(v, origin) if isinstance(v, AadIds) else v for k, v in values.items()}


def _people(picked: AadIds, origin: Origin) -> object:
    tenant = origin.identity.org_id
    refs = tuple(PersonRef(Identity(Platform.TEAMS, tenant, aad)) for aad in picked.ids)
    if picked.single:
        return refs[0] if refs else None
    return refs
