"""This process among the others on one database: its heartbeat, and on PostgreSQL its try
for the sender's turn, every CLIENTLOOP_HEARTBEAT_SECONDS."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from dataclasses import replace

from sqlalchemy.exc import SQLAlchemyError

from bot.bootstrap import Runtime
from workflow.domain.errors import Conflict, Unavailable
from workflow.persistence import presence
from workflow.persistence.sender_turn import PostgresTurn

log = logging.getLogger("clientloop.presence")


class Presence:
    """Started with the process, stopped with it; `clientloop status` reads what it writes."""

    def __init__(self, runtime: Runtime, role: str, every_seconds: float) -> None:
        self.runtime, self.every = runtime, every_seconds
        now = runtime.clock.now()
        self.me = presence.Seen(
            uuid.uuid4().hex, socket.gethostname(), os.getpid(), role, now, now, sending=True
        )
        self.turn: PostgresTurn | None = None
        if runtime.engine.dialect.name == "postgresql":
            sender = runtime.sender
            self.turn = PostgresTurn(runtime.engine, wake=sender.kick, taken=sender.begin_turn)
            sender.turn = self.turn  # sends only while it holds the turn
        self._task: asyncio.Task[None] | None = None
        self._failing = False

    async def start(self) -> None:
        """The first step now, so a process that can send holds the turn before it serves."""
        await self._step()
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self.turn is not None:
            await self.turn.stop()
        with contextlib.suppress(Unavailable, Conflict, SQLAlchemyError):
            await presence.leave(self.runtime.sessions, self.me.id)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.every)
            try:
                await self._step()
            except Exception:  # a bug in one step must not end the heartbeats (or the turn)
                log.exception("heartbeat step failed; trying again at the next one")

    async def _step(self) -> None:
        if self.turn is not None:
            await self.turn.step()
        sending = self.turn is None or self.turn.holding
        self.runtime.metrics.sending.set(1 if sending else 0)
        self.me = replace(self.me, seen_at=self.runtime.clock.now(), sending=sending)
        try:
            await presence.beat(self.runtime.sessions, self.me)
        except (Unavailable, Conflict, SQLAlchemyError) as exc:
            if not self._failing:  # one line per outage, not one per heartbeat
                log.warning("heartbeat not written: %s", str(exc).splitlines()[0])
            self._failing = True
        else:
            self._failing = False
