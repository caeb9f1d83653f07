"""The scheduler's tick: ask the database which projects are due, work those, then deliver."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from workflow.delivery.sender import Sender
from workflow.domain import commands as c
from workflow.domain.errors import Conflict, Refused, Unavailable
from workflow.domain.schedule import Cadence
from workflow.flows.change_requests.messages import ExpireOverdue
from workflow.messagebus import MessageBus
from workflow.ports import Clock, UnitOfWork
from workflow.telemetry import UNWATCHED, Telemetry

log = logging.getLogger(__name__)


@dataclass
class Ticker:
    """One tick: RunSchedule per due project (each its own transaction), expiry, delivery.

    Projects are read by their indexed next-due moment, a page at a time, so an idle tick
    costs the same however many projects there are.
    """

    bus: MessageBus
    uow: Callable[[], UnitOfWork]
    clock: Clock
    sender: Sender | None = None
    cadence: Cadence = field(default_factory=Cadence)
    page: int = 200
    telemetry: Telemetry = UNWATCHED  # told how late each due project was worked

    async def tick(self) -> int:
        """Do what is due now; returns how many due projects were looked at."""
        now = self.clock.now()
        looked, after = 0, None
        while page := await self._due(now, after):
            for due, project_id in page:
                await self._quietly(
                    c.RunSchedule(actor=None, at=now, project_id=project_id, cadence=self.cadence)
                )
                # Due vs done: tried this tick (a failed one stays due and is late again next).
                self.telemetry.late((self.clock.now() - due).total_seconds())
            looked += len(page)
            # Page on past what this tick tried: a project that failed stays due, next tick.
            after = page[-1]
            if len(page) < self.page:
                break
        await self._quietly(ExpireOverdue(actor=None, at=now))
        if self.sender is not None:
            await self.sender.deliver_pending()
        return looked

    async def _due(
        self, now: datetime, after: tuple[datetime, int] | None
    ) -> list[tuple[datetime, int]]:
        async with self.uow() as uow:
            return await uow.agenda.due(now, self.page, after)

    async def _quietly(self, command: c.Command) -> None:
        """One project's trouble must not stop the others; the next tick tries again.

        A command that works in batches (a fan-out of check-ins) replies with its next
        batch: each runs as its own transaction, so what is committed is delivered while
        the rest is written.
        """
        next_one: c.Command | None = command
        try:
            while next_one is not None:
                next_one = (await self.bus.handle(next_one)).follow_up
        except (Refused, Conflict, Unavailable) as exc:
            log.warning("%s skipped this tick: %s", type(command).__name__, exc)
