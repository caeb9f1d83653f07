"""The message bus: one transaction per command, its events handled inside, retried on conflict."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from workflow.domain.commands import Command, Reply
from workflow.domain.errors import Conflict
from workflow.domain.events import Event
from workflow.ports import UnitOfWork

log = logging.getLogger(__name__)

CommandHandler = Callable[[Any, UnitOfWork], Awaitable[Reply]]
EventHandler = Callable[[Any, UnitOfWork], Awaitable[None]]
# Runs once per transaction, after every event was handled, with all of them in order.
BatchHandler = Callable[[Sequence[Event], UnitOfWork], Awaitable[None]]
DUPLICATE = Reply("That was already done; nothing changed.", duplicate=True)


class MessageBus:
    """Runs a command's handler and every event it raises in the same unit of work.

    Outbox rows and audit entries are written by event handlers, so they commit (or roll
    back) together with the state change that caused them. `before_commit` handlers see
    every event of the transaction at once, after everything else was written: the audit
    trail goes there, so the chain head (one row every writer locks) is held for the last
    few statements of a transaction only, and a command's entries take one INSERT.
    """

    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        command_handlers: Mapping[type[Command], CommandHandler],
        event_handlers: Mapping[type[Event], Sequence[EventHandler]],
        every_event: Sequence[EventHandler] = (),
        before_commit: Sequence[BatchHandler] = (),
        after_commit: Callable[[], Awaitable[None]] | None = None,
        attempts: int = 5,
    ) -> None:
        self.uow_factory = uow_factory
        self.command_handlers = command_handlers
        self.event_handlers = event_handlers
        self.every_event = every_event
        self.before_commit = before_commit
        self.after_commit = after_commit
        self.attempts = attempts

    async def handle(self, command: Command) -> Reply:
        handler = self.command_handlers[type(command)]
        for attempt in range(1, self.attempts + 1):
            try:
                reply = await self._once(command, handler)
            except Conflict:
                if attempt == self.attempts:
                    raise
                log.info("conflict on %s, retrying (%d)", type(command).__name__, attempt)
                continue
            if self.after_commit is not None and not reply.duplicate:
                await self.after_commit()
            return reply
        raise AssertionError("unreachable")  # pragma: no cover

    async def _once(self, command: Command, handler: CommandHandler) -> Reply:
        async with self.uow_factory() as uow:
            if command.event_id and not await uow.inbound.first_time(command.event_id, command.at):
                return DUPLICATE
            reply = await handler(command, uow)
            handled = await self._drain(uow)
            if self.before_commit and handled:
                await uow.flush()  # the command's own writes first, outside the head's lock
                for batch in self.before_commit:
                    await batch(handled, uow)
            await uow.commit()
        return reply

    async def _drain(self, uow: UnitOfWork) -> list[Event]:
        """Handle every event, including those the handlers raise; returns them in order."""
        handled: list[Event] = []
        events = uow.events
        while len(handled) < len(events):
            event = events[len(handled)]
            handled.append(event)
            for handler in self.every_event:
                await handler(event, uow)
            for handler in self.event_handlers.get(type(event), ()):
                await handler(event, uow)
        events.clear()
        return handled
