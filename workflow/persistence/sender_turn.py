"""The sender's turn on PostgreSQL: a session advisory lock on a connection of its own, which
also LISTENs for outbox commits, so the process holding it wakes for any process's rows.

Only one session can hold the lock. When the process that holds it dies, PostgreSQL sees its
connection close and frees the lock; a standby takes it at its next try (every heartbeat).
A process that can no longer reach PostgreSQL on that connection stops sending at once, so
two senders never overlap for longer than one heartbeat.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable
from typing import Any

from asyncpg import InterfaceError, PostgresError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from workflow.domain.errors import Conflict, Unavailable

log = logging.getLogger(__name__)

# The one advisory lock clientloop takes, per schema: deployments in two schemas of one
# database (as the tests' are) each have their own sender.
LOCK_CLASS = 0x636C6F6F  # "cloo"
TRY_LOCK = "SELECT pg_try_advisory_lock($1, hashtext(current_schema()))"
# Migration 0012's trigger notifies it after outbox inserts, its schema as the payload.
CHANNEL = "clientloop_outbox"
# PostgreSQL notices a client gone without closing its socket (a lost host) after about
# idle + interval * count seconds, and frees the lock then.
KEEPALIVES = (
    "SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 5; SET tcp_keepalives_count = 3"
)
FAILURES = (
    OSError, SQLAlchemyError, TimeoutError, PostgresError, InterfaceError, Unavailable, Conflict,
)  # fmt: skip


class PostgresTurn:
    """`holding` is true while this process holds the lock; `step` keeps or tries for it."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        wake: Callable[[], None],
        taken: Callable[[], Awaitable[None]],
        timeout: float = 5.0,
    ) -> None:
        self.engine, self.wake, self.taken, self.timeout = engine, wake, taken, timeout
        self.holding = False
        self._conn: AsyncConnection | None = None
        self._schema = ""

    async def step(self) -> None:
        """Once a heartbeat: check the held lock's connection, or try to take the lock."""
        try:
            async with asyncio.timeout(self.timeout):
                driver = await self._driver()
                if self.holding:
                    await driver.fetchval("SELECT 1")
                elif await driver.fetchval(TRY_LOCK, LOCK_CLASS):
                    log.info("took the sender's turn (pid %d)", os.getpid())
                    try:
                        await self.taken()  # the limits charged before anything is claimed
                    except BaseException:
                        await self._close()  # never the lock without sending
                        raise
                    self.holding = True
                    self.wake()
        except FAILURES as exc:
            await self._lost(exc)

    async def stop(self) -> None:
        """Let go of the turn (closing the connection frees the lock for a standby)."""
        self.holding = False
        await self._close()

    async def _driver(self) -> Any:
        if self._conn is None:
            conn = await self.engine.connect()
            try:
                driver = (await conn.get_raw_connection()).driver_connection
                assert driver is not None
                await driver.execute(KEEPALIVES)
                self._schema = await driver.fetchval("SELECT current_schema()")
                await driver.add_listener(CHANNEL, self._notified)
            except BaseException:
                await conn.invalidate()
                await conn.close()
                raise
            self._conn = conn
        return (await self._conn.get_raw_connection()).driver_connection

    def _notified(self, _conn: object, _pid: int, _channel: str, schema: str) -> None:
        if schema == self._schema:
            self.wake()  # kicks fold together: a burst of commits is one more round of claims

    async def _lost(self, exc: BaseException) -> None:
        if self.holding:
            log.warning("stopped sending: the sender's lock connection failed: %s", exc)
        else:
            log.debug("could not try for the sender's turn: %s", exc)
        self.holding = False
        await self._close()

    async def _close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            await conn.invalidate()  # never back to the pool with the lock or the LISTEN
            await conn.close()
        except FAILURES:
            log.debug("closing the sender's lock connection failed", exc_info=True)
