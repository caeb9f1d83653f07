"""The scheduler's tick: ask the database what is due for every open project, then deliver."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from workflow.delivery.sender import Sender
from workflow.domain import commands as c
from workflow.domain.errors import Conflict, Refused, Unavailable
from workflow.domain.projects import ProjectState
from workflow.domain.schedule import Cadence
from workflow.flows.change_requests.messages import ExpireOverdue
from workflow.messagebus import MessageBus
from workflow.ports import Clock, UnitOfWork

log = logging.getLogger(__name__)


@dataclass
class Ticker:
    """One tick: RunSchedule per open project (each its own transaction), expiry, delivery."""

    bus: MessageBus
    uow: Callable[[], UnitOfWork]
    clock: Clock
    sender: Sender | None = None
    cadence: Cadence = field(default_factory=Cadence)

    async def tick(self) -> int:
        """Do what is due now; returns how many projects were looked at."""
        now = self.clock.now()
        async with self.uow() as uow:
            ids = [p.id for p in await uow.projects.find() if p.state is not ProjectState.CLOSED]
        for project_id in ids:
            if project_id is not None:
                await self._quietly(
                    c.RunSchedule(actor=None, at=now, project_id=project_id, cadence=self.cadence)
                )
        await self._quietly(ExpireOverdue(actor=None, at=now))
        if self.sender is not None:
            await self.sender.deliver_pending()
        return len(ids)

    async def _quietly(self, command: c.Command) -> None:
        """One project's trouble must not stop the others; the next tick tries again."""
        try:
            await self.bus.handle(command)
        except (Refused, Conflict, Unavailable) as exc:
            log.warning("%s skipped this tick: %s", type(command).__name__, exc)
