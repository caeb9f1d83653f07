"""What a claim of the outbox hands out, less the card updates a newer one replaces."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from workflow.persistence.tables_delivery import outbox

PENDING, SENT, UNDELIVERABLE = "pending", "sent", "undeliverable"
# An update of a card that a newer update of the same card replaced before it was sent: the
# person sees the newest card, one chat.update later, instead of every version in turn.
SUPERSEDED = "superseded"
UPDATE = "update"


@dataclass(frozen=True)
class OutboxRecord:
    """One message to deliver, as claimed (attempts counts the failed tries so far)."""

    id: int
    project_id: int | None
    recipient_person_id: int | None
    recipient_project_id: int | None
    card_key: str | None
    op: str
    view: dict[str, Any]
    attempts: int


RECORD_COLUMNS = [outbox.c[name] for name in OutboxRecord.__dataclass_fields__]


async def coalesced(
    session: AsyncSession, claimed: list[OutboxRecord], free: Any, lease_until: datetime
) -> list[OutboxRecord]:
    """The claimed rows, each card's updates replaced by its newest pending update.

    The newest is taken too when it is not due yet (written a moment ago, or put back by
    a rate limit): the card then shows its latest version at once, and a burst of
    decisions on one card costs one round of updates, not one each (Slack allows about
    one chat.update a second). The older ones no one else holds become superseded in the
    claim's own transaction, so an older version can never land after a newer one.
    """
    newest = _newest(claimed)
    if not newest:
        return claimed
    claimed = sorted(
        [*claimed, *await _newer(session, newest, claimed, free, lease_until)], key=lambda r: r.id
    )
    newest = _newest(claimed)
    ours = [row.id for row in claimed]
    older = or_(
        *(
            and_(outbox.c.card_key == key, outbox.c.id < newest_id)
            for key, newest_id in newest.items()
        )
    )
    supersede = (
        update(outbox)
        .where(
            outbox.c.state == PENDING,
            outbox.c.op == UPDATE,
            older,
            or_(free, outbox.c.id.in_(ours)),
        )
        .values(state=SUPERSEDED, lease_until=None)
        .returning(outbox.c.id)
    )
    gone = set((await session.scalars(supersede)).all())
    return [row for row in claimed if row.id not in gone]


def _newest(rows: list[OutboxRecord]) -> dict[str, int]:
    newest: dict[str, int] = {}
    for row in rows:
        if row.op == UPDATE and row.card_key is not None:
            newest[row.card_key] = max(row.id, newest.get(row.card_key, 0))
    return newest


async def _newer(
    session: AsyncSession,
    newest: dict[str, int],
    claimed: list[OutboxRecord],
    free: Any,
    lease_until: datetime,
) -> list[OutboxRecord]:
    """Lease each card's newest pending update that is newer than the claimed one, due or
    not; one another claimer holds is left to it (the UPDATE checks the lease again)."""
    ours = [row.id for row in claimed]
    latest = (
        select(outbox.c.card_key, func.max(outbox.c.id))
        .where(outbox.c.state == PENDING, outbox.c.op == UPDATE, outbox.c.card_key.in_(newest))
        .where(or_(free, outbox.c.id.in_(ours)))
        .group_by(outbox.c.card_key)
    )
    later = [i for key, i in (await session.execute(latest)).all() if i > newest[key]]
    if not later:
        return []
    lease = (
        update(outbox)
        .where(outbox.c.id.in_(later), outbox.c.state == PENDING, free)
        .values(lease_until=lease_until)
        .returning(*RECORD_COLUMNS)
    )
    return [OutboxRecord(**row._mapping) for row in (await session.execute(lease)).all()]
