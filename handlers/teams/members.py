"""The people Teams showed us, per conversation: MRI (`29:…`) and name, from their activities
and from the Bot Connector's members endpoint; refresh.userIds and people's names come here."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from workflow.persistence.dialects import insert_for
from workflow.persistence.tables_teams import teams_members as table

log = logging.getLogger("clientloop.teams")

USER_MRI = "29:"  # a user as the Bot Connector addresses them (28: is a bot)
MAX_LOOKUPS = 25  # members asked of the connector for one submission
LOOKUP_SECONDS = 3.0  # an invoke must be answered within Teams' time limit
PLAIN_ID = re.compile(r"[0-9A-Za-z._-]{1,64}\Z")  # an AAD object id is a GUID: nothing to quote


@dataclass(frozen=True)
class Member:
    """One person in one conversation, as Teams named them there."""

    aad_object_id: str
    mri: str
    name: str


Lookup = Callable[[str], Awaitable[Member | None]]


def member_of(account: object) -> Member | None:
    """A user account (`from`, a member) with its AAD object id, MRI and name; None for bots
    and accounts that lack one of them."""
    aad = getattr(account, "aad_object_id", None)
    mri, name = str(getattr(account, "id", "") or ""), getattr(account, "name", None)
    name = str(name or "").strip()[:200]
    if not aad or len(str(aad)) > 64 or not mri.startswith(USER_MRI) or len(mri) > 200:
        return None
    return Member(str(aad), mri, name) if name else None


class Members:
    """The teams_members table: one short transaction per call."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = self.reads = engine  # writes; lookups (see Conversations.read_from)

    async def observe(self, tenant: str, conversation: str, account: object) -> None:
        """Remember who sent an activity here, when it tells us something new about them."""
        seen = member_of(account)
        if seen is None:
            return
        if await self._here(tenant, conversation, seen.aad_object_id) != seen:
            await self.save(tenant, conversation, [seen])

    async def save(self, tenant_id: str, conversation_id: str, members: Iterable[Member]) -> None:
        rows = [
            {"tenant_id": tenant_id, "conversation_id": conversation_id,
             "aad_object_id": m.aad_object_id, "mri": m.mri, "name": m.name,
             "updated_at": datetime.now(UTC)}
            for m in members
        ]  # fmt: skip
        if not rows:
            return
        statement = insert_for(self.engine.dialect.name, table).values(rows)
        statement = statement.on_conflict_do_update(
            index_elements=[table.c.tenant_id, table.c.conversation_id, table.c.aad_object_id],
            set_={k: statement.excluded[k] for k in ("mri", "name", "updated_at")},
        )
        async with self.engine.begin() as connection:
            await connection.execute(statement)

    async def known(
        self, tenant_id: str, aad_ids: Iterable[str], conversation_id: str | None = None
    ) -> dict[str, Member]:
        """Each of these people as last seen: in this conversation first, else anywhere in the
        tenant (a person's MRI is the same in every conversation with the bot)."""
        wanted = sorted(set(aad_ids))
        if not wanted:
            return {}
        query = (
            select(table.c.aad_object_id, table.c.mri, table.c.name, table.c.conversation_id)
            .where(table.c.tenant_id == tenant_id)
            .where(table.c.aad_object_id.in_(wanted))
            .order_by(table.c.updated_at, table.c.id)
        )
        async with self.reads.connect() as connection:
            rows = (await connection.execute(query)).all()
        ordered = sorted(rows, key=lambda r: r.conversation_id == conversation_id)
        return {r.aad_object_id: Member(r.aad_object_id, r.mri, r.name) for r in ordered}

    async def resolve(
        self, tenant_id: str, conversation_id: str, aad_ids: Iterable[str], lookup: Lookup
    ) -> dict[str, Member]:
        """These people with names: as seen, else asked of the conversation's members (and
        remembered). Anyone the connector does not know stays out."""
        wanted = list(dict.fromkeys(aad_ids))
        found = await self.known(tenant_id, wanted, conversation_id)
        missing = [a for a in wanted if a not in found and PLAIN_ID.match(a)][:MAX_LOOKUPS]
        asked = await asyncio.gather(*(_bounded(lookup, aad) for aad in missing))
        fresh = [m for m in asked if m is not None and m.aad_object_id in missing]
        await self.save(tenant_id, conversation_id, fresh)
        return found | {m.aad_object_id: m for m in fresh}

    async def _here(self, tenant_id: str, conversation_id: str, aad: str) -> Member | None:
        """This person as last seen in this very conversation."""
        query = (
            select(table.c.mri, table.c.name)
            .where(table.c.tenant_id == tenant_id)
            .where(table.c.conversation_id == conversation_id)
            .where(table.c.aad_object_id == aad)
        )
        async with self.reads.connect() as connection:
            row = (await connection.execute(query)).first()
        return Member(aad, row.mri, row.name) if row is not None else None


async def _bounded(lookup: Lookup, aad: str) -> Member | None:
    """One lookup within the time limit; a failure is a log line and an unknown person."""
    try:
        return await asyncio.wait_for(lookup(aad), LOOKUP_SECONDS)
    except (httpx.HTTPError, httpx.InvalidURL, TimeoutError, ValueError, OSError) as failed:
        log.info("Teams: no member %r in the conversation: %r", aad[:64], type(failed).__name__)
        return None


def mris(members: Mapping[str, Member]) -> dict[str, str]:
    return {aad: m.mri for aad, m in members.items()}
