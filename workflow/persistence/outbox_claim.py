"""What a claim of the outbox hands out, less the card updates a newer one replaces."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_, update
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


async def coalesced(
    session: AsyncSession, claimed: list[OutboxRecord], free: Any
) -> list[OutboxRecord]:
    """The claimed rows less the card updates a newer claimed update of the same card
    replaces; those, and any older pending update of that card no one else holds (one put
    back by a rate limit, say), become superseded in the claim's own transaction, so the
    newest version is the one sent and an older one can never land after it."""
    newest: dict[str, int] = {}
    for row in claimed:
        if row.op == UPDATE and row.card_key is not None:
            newest[row.card_key] = row.id  # `claimed` is in id order: the last one wins
    if not newest:
        return claimed
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
