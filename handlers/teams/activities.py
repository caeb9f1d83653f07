"""What the Teams SDK delivers, as the core's vocabulary: the Origin and resolved form values."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from microsoft_teams.api import ActivityBase
from microsoft_teams.api.activities.message.message import MessageActivity
from microsoft_teams.api.models.entity.mention_entity import MentionEntity
from microsoft_teams.apps import ActivityContext

from handlers.teams.card_forms import AadIds
from handlers.teams.conversations import Conversations, reference_of, time_zone_of
from handlers.teams.members import Member, member_of
from workflow.domain.commands import PersonRef
from workflow.domain.people import Identity, Platform
from workflow.presentation.answers import Origin, Words, written

MENTION = re.compile(r"<at>[^<]*</at>", re.IGNORECASE)


def origin_of(activity: ActivityBase) -> Origin:
    """The actor as (tenant, AAD object id) with the zone Teams reports in clientInfo, and
    the conversation (its thread part dropped) the activity came from."""
    reference = reference_of(activity)
    tenant = reference.tenant_id if reference else (activity.conversation.tenant_id or "")
    aad = activity.from_.aad_object_id or activity.from_.id
    # A shared channel's member from another organisation keeps their own tenant (the
    # conversation's is the host's); a guest's is the host's, where their account lives.
    home = activity.from_.tenant_id or tenant
    actor = PersonRef(
        Identity(Platform.TEAMS, home, aad), activity.from_.name or "", time_zone_of(activity)
    )
    conversation = activity.conversation.id.split(";", 1)[0]
    personal = activity.conversation.conversation_type in (None, "personal")
    return Origin(
        Platform.TEAMS, tenant, conversation, actor, personal, event_id=f"teams:{activity.id}"
    )


def words_of(text: str | None) -> str:
    """A message's text without the @mentions of the bot."""
    return MENTION.sub("", text or "").strip()


def words_in(activity: MessageActivity, origin: Origin) -> Words:
    """A message's words: the bot's @mention dropped, each person's written `@name` and
    listed as one of the conversation's tenant (by the AAD object id its mention entity carries;
    a mention without one is only its `@name`)."""
    text, mentions = activity.text or "", []
    for entity in activity.entities or []:
        if not isinstance(entity, MentionEntity) or entity.mentioned.id == activity.recipient.id:
            continue
        who, tenant = entity.mentioned, origin.workspace_id  # the conversation's tenant
        aad = who.aad_object_id or ("" if who.id[:3] in ("28:", "29:") else who.id)
        person = PersonRef(Identity(Platform.TEAMS, tenant, aad), who.name or aad)
        tag = entity.text or f"<at>{who.name or ''}</at>"
        if tag in text:
            text = text.replace(tag, written(person) if aad else f"@{who.name or ''}", 1)
            mentions += [person] if aad else []
    return Words(words_of(text), tuple(mentions))


def picked_in(values: dict[str, object]) -> list[str]:
    """The AAD object ids picked anywhere in a form's values, in order."""
    return [aad for v in values.values() if isinstance(v, AadIds) for aad in v.ids]


def with_people(
    values: dict[str, object], origin: Origin, names: Mapping[str, Member] | None = None
) -> dict[str, object]:
    """Form values with picked AAD object ids as people of the conversation's tenant, named as
    `names` knows them (who is not there gets their name when they are first seen)."""
    known = names or {}
    return {k: _people(v, origin, known) if isinstance(v, AadIds) else v for k, v in values.items()}


def _people(picked: AadIds, origin: Origin, names: Mapping[str, Member]) -> object:
    tenant = origin.workspace_id  # picked from the conversation's tenant, not a visitor's
    refs = tuple(
        PersonRef(Identity(Platform.TEAMS, tenant, aad), names[aad].name if aad in names else "")
        for aad in picked.ids
    )
    if picked.single:
        return refs[0] if refs else None
    return refs


async def people_named(
    ctx: ActivityContext[Any], conversations: Conversations, aad_ids: list[str]
) -> dict[str, Member]:
    """The people picked in a form, named: as seen in activities, else as the Bot Connector
    knows the members of the conversation the form came from (and then remembered)."""
    reference = reference_of(ctx.activity)
    if reference is None or not aad_ids:
        return {}
    where = reference.conversation_id

    async def lookup(aad: str) -> Member | None:
        found = member_of(await ctx.api.conversations.get_member_by_id(where, aad))
        return replace(found, aad_object_id=aad) if found is not None else None

    return await conversations.members.resolve(reference.tenant_id, where, aad_ids, lookup)
