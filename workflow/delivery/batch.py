"""A claimed batch's lookups, made once for all its rows, and its sent marks, written together.

Per row the sender used to read its actors' user ids and its card's copies, and to write
its sent mark (and a posted card's copy) in a transaction of its own: three transactions
a row, more than the sending itself cost. Now a batch reads each once, and the marks of
rows delivered at the same moment share one write (the next claim waits for them).
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from workflow.delivery.queue import Copy, OutboxQueue, Queued, Sent
from workflow.domain.people import Platform
from workflow.domain.views import View, view_from_dict
from workflow.ports import Address

UPDATE = "update"


@dataclass(frozen=True)
class CopyOf:
    """A copy of a card posted by this batch (the store's record has the same fields)."""

    platform: str
    workspace_id: str
    conversation_id: str
    message_id: str
    person_id: int | None


@dataclass
class Batch:
    """Each row's view (with its actors' platform user ids) and each card's known copies."""

    views: dict[int, View]
    copies: dict[str, list[Copy]] = field(default_factory=dict)

    def targets(self, card_key: str) -> list[tuple[Address, str | None]]:
        return [
            (Address(Platform(c.platform), c.workspace_id, c.conversation_id, c.person_id),
             c.message_id)
            for c in self.copies.get(card_key, [])
        ]  # fmt: skip

    def posted(self, card_key: str, copy: dict[str, Any]) -> None:
        """A card posted now: a later update in this batch reaches this copy too."""
        self.copies.setdefault(card_key, []).append(
            CopyOf(**{k: copy[k] for k in CopyOf.__dataclass_fields__})
        )


async def prepared(queue: OutboxQueue, rows: Sequence[Queued]) -> Batch:
    """Parse every row's view; look up all actors' user ids and all cards' copies at once."""
    views = {row.id: view_from_dict(row.view) for row in rows}
    actors = sorted({a for view in views.values() for a in view.all_actors()})
    if actors:
        users = tuple(sorted((await queue.user_ids(actors)).items()))
        views = {
            row_id: _with_users(view, users) if view.all_actors() else view
            for row_id, view in views.items()
        }
    keys = sorted({r.card_key for r in rows if r.op == UPDATE and r.card_key is not None})
    found = await queue.copies_of(keys) if keys else {}
    return Batch(views, {key: list(copies) for key, copies in found.items()})


def _with_users(view: View, users: tuple[tuple[int, str], ...]) -> View:
    mine = set(view.all_actors())
    return dataclasses.replace(view, actor_users=tuple(u for u in users if u[0] in mine))


class Marks:
    """Sent marks and put-back rows waiting to be written; one writer task drains them, so
    those that arrive while it writes go in its next transaction together (a post is marked
    within one write turn of being sent, as before: a crash re-sends no more than that)."""

    def __init__(self, queue: OutboxQueue, now: Callable[[], datetime]) -> None:
        self.queue, self.now = queue, now
        self._waiting: list[Sent] = []
        self._put_back: list[tuple[int, datetime]] = []
        self._writer: asyncio.Task[None] | None = None

    def add(self, sent: Sent) -> None:
        self._waiting.append(sent)
        self._start()

    def put_back(self, row_id: int, when: datetime) -> None:
        """A row a limit held: due again `when`, untried (no attempt counted)."""
        self._put_back.append((row_id, when))
        self._start()

    def _start(self) -> None:
        if self._writer is None or self._writer.done():
            self._writer = asyncio.get_running_loop().create_task(self._write())

    async def _write(self) -> None:
        while self._waiting or self._put_back:
            sent, self._waiting = self._waiting, []
            later, self._put_back = self._put_back, []
            await self.queue.record_sent(sent, self.now(), later)

    async def written(self) -> None:
        """Wait until every mark so far is written; raises what a failed write raised (its
        rows stay leased, and are sent again when the lease runs out)."""
        while self._writer is not None:
            writer = self._writer
            try:
                await asyncio.shield(writer)
            finally:
                if writer.done() and self._writer is writer:
                    self._writer = None
            if (self._waiting or self._put_back) and self._writer is None:
                self._start()
