"""The rest of a command that works in batches (a fan-out of check-ins), run after the
person has their answer: each batch its own transaction, taking its turn like a request."""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress

from workflow.domain import commands as c
from workflow.domain.errors import Conflict, Refused, Unavailable
from workflow.messagebus import MessageBus

log = logging.getLogger(__name__)


class FollowUps:
    """Runs follow-up commands in the background, one batch per turn.

    A process stopping mid-way leaves whole batches (each commits on its own); doing the
    command again (or the next scheduler tick, for the weekly pass) completes the rest.
    """

    def __init__(self, bus: MessageBus, turns: asyncio.Semaphore) -> None:
        self._bus, self._turns = bus, turns
        self._running: set[asyncio.Task[None]] = set()

    def start(self, command: c.Command | None) -> None:
        if command is None:
            return
        task = asyncio.get_running_loop().create_task(self._batches(command))
        self._running.add(task)
        task.add_done_callback(self._done)

    async def _batches(self, command: c.Command | None) -> None:
        with suppress(Refused, Unavailable, Conflict):  # doing it again completes the rest
            while command is not None:
                async with self._turns:
                    command = (await self._bus.handle(command)).follow_up
                await asyncio.sleep(0)  # the sender, waiting for the database, goes first

    def _done(self, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("a follow-up batch failed", exc_info=task.exception())
