"""The rows the outbox writes: a transaction's messages, card copies and sent marks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import bindparam, insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from workflow.domain.people import Platform
from workflow.domain.views import Outgoing, view_to_dict
from workflow.persistence.dialects import insert_for
from workflow.persistence.errors import database_errors
from workflow.persistence.outbox_claim import PENDING, SENT
from workflow.persistence.tables_delivery import card_copies, outbox


@dataclass(frozen=True)
class CardCopyRecord:
    """Where one copy of a card was posted, so an update can reach every copy."""

    card_key: str
    platform: Platform
    workspace_id: str
    conversation_id: str
    message_id: str
    person_id: int | None


def outbox_row(message: Outgoing, at: datetime) -> dict[str, Any]:
    """The outbox row of one message to send, available from `at`."""
    to = message.to
    return {
        "created_at": at,
        "project_id": message.project_id,
        "recipient_person_id": to.person_id if to else None,
        "recipient_project_id": to.project_id if to else None,
        "card_key": message.card_key,
        "op": message.op.value,
        "view": view_to_dict(message.view),
        "state": PENDING,
        "attempts": 0,
        "available_at": at,
    }


class SqlOutboxBatch:
    """A transaction's outgoing messages, kept until it flushes, then written with one INSERT
    in that same transaction (a rollback drops them with everything else)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.rows: list[dict[str, Any]] = []

    async def put(self, message: Outgoing, at: datetime) -> None:
        self.rows.append(outbox_row(message, at))

    async def write(self) -> None:
        if not self.rows:
            return
        rows, self.rows = self.rows, []
        with database_errors():
            await self.session.execute(insert(outbox), rows)


class SentRow(Protocol):
    """A delivered row as the sender reports it (`workflow.delivery.queue.Sent`)."""

    @property
    def row_id(self) -> int: ...
    @property
    def message_id(self) -> str | None: ...
    @property
    def conversation_id(self) -> str | None: ...
    @property
    def copy(self) -> dict[str, object] | None: ...


# One UPDATE statement run for many rows (executemany): each row's own message ids.
MARK_SENT = (
    update(outbox)
    .where(outbox.c.id == bindparam("b_id"))
    .values(
        state=SENT,
        sent_at=bindparam("b_at"),
        platform_message_id=bindparam("b_message"),
        conversation_id=bindparam("b_conversation"),
        lease_until=None,
    )
)
COPY_COLUMNS = [card_copies.c[name] for name in CardCopyRecord.__dataclass_fields__]


# Many rows put back untried at once (a rate limit said later), each with its own moment.
PUT_BACK = (
    update(outbox)
    .where(outbox.c.id == bindparam("b_id"))
    .values(available_at=bindparam("b_available"), lease_until=None)
)


def insert_new_copies(session: AsyncSession) -> Any:
    """INSERT into card_copies that skips a copy already known (same conversation and
    message), in the dialect of the session's database."""
    return insert_for(session.get_bind().dialect.name, card_copies).on_conflict_do_nothing()
