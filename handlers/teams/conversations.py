"""Stored Teams conversation references: remembered on install and first contact, forgotten on
uninstall, looked up for proactive messages (SQLAlchemy Core on the engine)."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from microsoft_teams.api import ActivityBase
from microsoft_teams.api.models.entity import ClientInfoEntity
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from handlers.teams.cards import addressed
from handlers.teams.members import Members, mris
from workflow.persistence.dialects import insert_for
from workflow.persistence.tables_teams import teams_conversations as table

PERSONAL, CHANNEL, GROUP_CHAT = "personal", "channel", "groupChat"
THREAD_MARK = ";messageid="


@dataclass(frozen=True)
class Reference:
    """How to reach one conversation: its own Bot Connector `service_url` and the bot's id."""

    tenant_id: str
    conversation_id: str
    conversation_type: str
    service_url: str
    bot_id: str
    aad_object_id: str | None = None
    team_id: str | None = None
    channel_id: str | None = None
    time_zone: str | None = None
    installed: bool = True


def reference_of(activity: ActivityBase) -> Reference | None:
    """The reference an inbound activity carries, or None when it lacks tenant or serviceUrl."""
    data = activity.channel_data
    tenant = (data.tenant.id if data and data.tenant else None) or activity.conversation.tenant_id
    if not tenant or not activity.service_url:
        return None
    kind = str(activity.conversation.conversation_type or PERSONAL)
    return Reference(
        tenant_id=tenant,
        conversation_id=activity.conversation.id.split(THREAD_MARK)[0],
        conversation_type=kind,
        service_url=activity.service_url.rstrip("/"),
        bot_id=activity.recipient.id,
        aad_object_id=activity.from_.aad_object_id if kind == PERSONAL else None,
        team_id=data.team.id if data and data.team else None,
        channel_id=data.channel.id if data and data.channel else None,
        time_zone=time_zone_of(activity),
    )


def time_zone_of(activity: ActivityBase) -> str | None:
    """The IANA time zone of the `clientInfo` entity, when it names a real one."""
    for entity in activity.entities or []:
        name = entity.timezone if isinstance(entity, ClientInfoEntity) else None
        if name:
            try:
                zoneinfo.ZoneInfo(str(name))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                return None
            return str(name)
    return None


def is_uninstall(activity: ActivityBase) -> bool:
    """installationUpdate "remove", or a conversationUpdate that removed the bot."""
    if activity.type == "installationUpdate":
        return str(getattr(activity, "action", "")).startswith("remove")
    removed = getattr(activity, "members_removed", None) or []
    return activity.type == "conversationUpdate" and any(
        m.id == activity.recipient.id for m in removed
    )


def is_install(activity: ActivityBase) -> bool:
    """installationUpdate "add", or a conversationUpdate that added the bot."""
    if activity.type == "installationUpdate":
        return str(getattr(activity, "action", "")).startswith("add")
    added = getattr(activity, "members_added", None) or []
    return activity.type == "conversationUpdate" and any(
        m.id == activity.recipient.id for m in added
    )


class Conversations:
    """The teams_conversations table; every call is one short transaction."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = self.reads = engine
        self.members = Members(engine)

    def read_from(self, reads: AsyncEngine) -> None:
        """Look references and members up on `reads` (SQLite's read pool): they are asked on
        every activity and every delivery, and on the writer a lookup took the write lock."""
        self.reads = self.members.reads = reads

    async def observe(self, activity: ActivityBase) -> None:
        """Bookkeeping for any inbound activity: install, uninstall, or first contact; and
        the sender's MRI and name in this conversation."""
        if is_uninstall(activity):
            reference = reference_of(activity)
            if reference is not None:
                await self.forget(reference.tenant_id, reference.conversation_id)
            return
        if is_install(activity) or await self._news(activity):
            await self.remember(activity)
        reference = reference_of(activity)
        if reference is not None:
            await self.members.observe(
                reference.tenant_id, reference.conversation_id, activity.from_
            )

    async def addressed(
        self, card: dict[str, Any], tenant_id: str, conversation_id: str | None = None
    ) -> dict[str, Any]:
        """The card with its refresh.userIds as the people's MRIs (see cards.addressed)."""
        users = (card.get("refresh") or {}).get("userIds") or []
        if not users:
            return card
        return addressed(card, mris(await self.members.known(tenant_id, users, conversation_id)))

    async def remember(self, activity: ActivityBase) -> None:
        """Store (or refresh) this activity's conversation as installed; keep a known time zone."""
        reference = reference_of(activity)
        if reference is None:
            return
        row = _row(reference)
        statement = insert_for(self.engine.dialect.name, table).values(row)
        changed = {k: v for k, v in row.items() if k not in ("tenant_id", "conversation_id")}
        changed["time_zone"] = func.coalesce(statement.excluded.time_zone, table.c.time_zone)
        statement = statement.on_conflict_do_update(
            index_elements=[table.c.tenant_id, table.c.conversation_id], set_=changed
        )
        async with self.engine.begin() as connection:
            await connection.execute(statement)

    async def addressed_activity(
        self, activity: dict[str, Any], reference: Reference
    ) -> dict[str, Any]:
        """An outgoing activity whose cards list the people's MRIs in refresh.userIds."""
        attachments = [
            {**a, "content": await self.addressed(
                a["content"], reference.tenant_id, reference.conversation_id)}
            if isinstance(a.get("content"), dict) else a
            for a in activity.get("attachments") or []
        ]  # fmt: skip
        return {**activity, "attachments": attachments} if attachments else activity

    async def forget(self, tenant_id: str, conversation_id: str) -> None:
        """Mark the conversation uninstalled: nothing is sent there any more."""
        async with self.engine.begin() as connection:
            await connection.execute(
                update(table)
                .where(table.c.tenant_id == tenant_id)
                .where(table.c.conversation_id == conversation_id.split(THREAD_MARK)[0])
                .values(installed=False, updated_at=datetime.now(UTC))
            )

    async def personal_conversation(self, tenant_id: str, aad_object_id: str) -> Reference | None:
        """The newest personal chat between the bot and this user."""
        query = (
            select(table)
            .where(table.c.tenant_id == tenant_id)
            .where(table.c.aad_object_id == aad_object_id)
            .where(table.c.conversation_type == PERSONAL)
            .order_by(table.c.updated_at.desc(), table.c.id.desc())
            .limit(1)
        )
        return await self._one(query)

    async def conversation(self, tenant_id: str, conversation_id: str) -> Reference | None:
        query = (
            select(table)
            .where(table.c.tenant_id == tenant_id)
            .where(table.c.conversation_id == conversation_id.split(THREAD_MARK)[0])
        )
        return await self._one(query)

    async def _one(self, query: Any) -> Reference | None:
        async with self.reads.connect() as connection:
            row = (await connection.execute(query)).mappings().first()
        if row is None:
            return None
        fields = {k: v for k, v in row.items() if k not in ("id", "updated_at")}
        return Reference(**fields)

    async def _news(self, activity: ActivityBase) -> bool:
        """Whether the activity tells us something new: an unknown conversation, a moved
        serviceUrl, another time zone, or a conversation we thought uninstalled."""
        seen = reference_of(activity)
        if seen is None:
            return False
        known = await self.conversation(seen.tenant_id, seen.conversation_id)
        return known is None or (
            not known.installed
            or known.service_url != seen.service_url
            or (seen.time_zone is not None and known.time_zone != seen.time_zone)
        )


def _row(reference: Reference) -> dict[str, Any]:
    return {
        "tenant_id": reference.tenant_id,
        "conversation_id": reference.conversation_id,
        "conversation_type": reference.conversation_type,
        "service_url": reference.service_url,
        "bot_id": reference.bot_id,
        "aad_object_id": reference.aad_object_id,
        "team_id": reference.team_id,
        "channel_id": reference.channel_id,
        "time_zone": reference.time_zone,
        "installed": True,
        "updated_at": datetime.now(UTC),
    }
