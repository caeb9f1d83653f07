"""Keeps people's App Home current: published on open and after a press from it, and again,
rate-limited and coalesced, when the outbox delivers something to someone who opened it.

Slack shows a Home only as last published, so it must be published again whenever what
waits on the person changes. Who has opened their Home is kept in `slack_home_viewers`;
the outbox's Slack notifier calls `delivered(person_id)` after each message or card update
it delivers to a person, and that person's Home is republished when they are in the table.

views.publish is Tier 4, and a burst of deliveries (a change request edited, a check-in
with five cards) must not publish five times; with several replicas delivering, the
limit holds for the whole deployment because the database decides who publishes:

- `published_at` is the last publish. A delivery claims the row with one conditional
  UPDATE (`published_at` at least GAP ago): the replica whose UPDATE changed the row
  publishes, after stamping it, so any change committed later is delivered later and
  finds the stamp.
- A delivery within GAP of the last publish marks the row `stale` instead, and this
  replica sets a timer for when GAP has passed; then whichever replica claims the stale
  row (same conditional UPDATE, also requiring `stale`) publishes once, with everything
  that happened meanwhile: deliveries inside GAP coalesce into that one publish.
- The Home is read at publish time, so it is never older than the claim.

A timer lives in one process: if that replica stops first, the row stays `stale` and
the next delivery to the person (or their next open) publishes it. Opening the Home and
pressing on it publish at once (the person is looking) and stamp `published_at`, but
leave `stale` alone, since a delivery in flight may be newer than what they were shown.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

import aiohttp
from slack_sdk.errors import SlackClientError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from handlers.slack.outcomes import publish_home
from workflow.dispatcher import HomeData
from workflow.domain.commands import PersonRef
from workflow.domain.errors import Unavailable
from workflow.domain.people import Identity, Platform
from workflow.persistence.dialects import insert_for
from workflow.persistence.tables_slack import slack_home_viewers as table
from workflow.ports import Clock
from workflow.presentation.answers import Origin

log = logging.getLogger(__name__)
GAP = timedelta(seconds=3)  # at most one outbox-driven publish per person this often
# Deliveries this close together share one lookup of who opened their Home: a card update
# reaches a dozen people at once, and a burst of decisions a few hundred a second.
GATHER_SECONDS = 0.05
ClientFor = Callable[[str], Awaitable[AsyncWebClient]]
FAILURES = (SQLAlchemyError, SlackClientError, aiohttp.ClientError, TimeoutError, Unavailable)


def pressed_on_home(body: dict[str, Any]) -> bool:
    """Whether a block_actions payload is a press on a button of the App Home tab."""
    container, view = body.get("container"), body.get("view")
    return (isinstance(container, dict) and container.get("type") == "view") and (
        isinstance(view, dict) and view.get("type") == "home"
    )


class Homes(Protocol):
    """What a Home shows (the dispatcher's `home`)."""

    async def home(self, origin: Origin) -> HomeData: ...


@dataclass(frozen=True)
class _Viewer:
    workspace_id: str
    identity: Identity


class HomeTabs:
    """Publishes Homes; bound to the database and the core by the composition root (until
    then, and without a database, Homes are published but nobody is remembered)."""

    def __init__(self, gap: timedelta = GAP) -> None:
        self.gap = gap
        self.engine: AsyncEngine | None = None
        # Who opened their Home is asked on every delivery: on SQLite's read pool, never
        # the one writer (a read there took the write lock and a commit per delivery).
        self.read_engine: AsyncEngine | None = None
        self.dispatcher: Homes | None = None
        self.clock: Clock | None = None
        self.client_for: ClientFor | None = None  # the outbox's workspace clients
        self._timers: dict[int, asyncio.TimerHandle] = {}
        self._delivered: set[int] = set()  # people delivered to, not looked up yet
        self._looking = False
        self._tasks: set[asyncio.Task[None]] = set()

    def bind(
        self,
        engine: AsyncEngine,
        dispatcher: Homes,
        clock: Clock,
        read_engine: AsyncEngine | None = None,
    ) -> None:
        self.engine, self.dispatcher, self.clock = engine, dispatcher, clock
        self.read_engine = read_engine or engine

    async def show(self, client: AsyncWebClient, workspace_id: str, identity: Identity) -> None:
        """Publish the person's Home now (they opened it, or pressed on it) and remember them."""
        assert self.dispatcher is not None and self.clock is not None
        origin = Origin(Platform.SLACK, workspace_id, "", PersonRef(identity))
        data = await self.dispatcher.home(origin)
        if data.person_id is not None and self.engine is not None:
            await self._remember(workspace_id, identity, data.person_id, self.clock.now())
        await publish_home(client, identity.user_id, data)

    def delivered(self, person_id: int) -> None:
        """Something was delivered to `person_id`: republish their Home if they opened it
        (in the background: delivery never waits for it, nor fails with it). Deliveries
        within GATHER_SECONDS are looked up together: one read for a burst, not one each."""
        if self.engine is None or self.client_for is None:
            return
        self._delivered.add(person_id)
        if not self._looking:
            self._looking = True
            self._spawn(self._refresh_delivered())

    async def _refresh_delivered(self) -> None:
        await asyncio.sleep(GATHER_SECONDS)  # the rest of the burst joins the lookup
        people, self._delivered, self._looking = self._delivered, set(), False
        for person_id in sorted(await self._viewers(people)):
            await self._refresh(person_id, owed=False, known=True)

    async def close(self) -> None:
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _refresh(self, person_id: int, *, owed: bool, known: bool = False) -> None:
        """Publish now if the last publish is GAP ago, else owe one (`owed`: a timer's
        second look, which publishes only what is still owed; `known`: they opened it)."""
        assert self.engine is not None and self.clock is not None
        if not known and not await self._viewers({person_id}):
            return  # most deliveries: a read, and no write, for whoever never opened it
        now = self.clock.now()
        claim = update(table).where(table.c.person_id == person_id)
        claim = claim.where(table.c.published_at <= now - self.gap)
        if owed:
            claim = claim.where(table.c.stale.is_(True))
        claimed = claim.values(published_at=now, stale=False)
        returning = (table.c.workspace_id, table.c.org_id, table.c.user_id)
        async with self.engine.begin() as connection:
            rows = (await connection.execute(claimed.returning(*returning))).all()
            last = None if rows else await self._owe(connection, person_id, mark=not owed)
        for workspace_id, org_id, user_id in rows:
            await self._publish(_Viewer(workspace_id, Identity(Platform.SLACK, org_id, user_id)))
        if last is not None:
            self._later(person_id, max((last + self.gap - now).total_seconds(), 0.0))

    async def _viewers(self, people: set[int]) -> set[int]:
        """Which of these people opened their Home (one indexed read)."""
        assert self.read_engine is not None
        query = select(table.c.person_id).where(table.c.person_id.in_(sorted(people)))
        async with self.read_engine.connect() as connection:
            return {row.person_id for row in await connection.execute(query)}

    async def _owe(self, connection: Any, person_id: int, *, mark: bool) -> datetime | None:
        """When the person's Home was last published, if a publish is owed (`mark`: owe one
        now); None when they never opened it, or nothing is owed."""
        if mark:
            owing = update(table).where(table.c.person_id == person_id).values(stale=True)
            found = await connection.execute(owing.returning(table.c.published_at))
        else:
            query = select(table.c.published_at).where(table.c.person_id == person_id)
            found = await connection.execute(query.where(table.c.stale.is_(True)))
        times = [row[0] for row in found.all()]
        return max(times) if times else None

    def _later(self, person_id: int, delay: float) -> None:
        """One timer per person in this process: deliveries inside GAP share it."""
        if person_id in self._timers:
            return

        def fire() -> None:
            self._timers.pop(person_id, None)
            self._spawn(self._refresh(person_id, owed=True))

        delay += 0.05  # past the boundary, so the claim's condition holds
        self._timers[person_id] = asyncio.get_running_loop().call_later(delay, fire)

    async def _publish(self, viewer: _Viewer) -> None:
        assert self.dispatcher is not None and self.client_for is not None
        client = await self.client_for(viewer.workspace_id)
        origin = Origin(Platform.SLACK, viewer.workspace_id, "", PersonRef(viewer.identity))
        await publish_home(client, viewer.identity.user_id, await self.dispatcher.home(origin))

    async def _remember(
        self, workspace_id: str, identity: Identity, person_id: int, now: datetime
    ) -> None:
        assert self.engine is not None
        row = {"org_id": identity.org_id, "user_id": identity.user_id,
               "workspace_id": workspace_id, "person_id": person_id,
               "opened_at": now, "published_at": now, "stale": False}  # fmt: skip
        statement = insert_for(self.engine.dialect.name, table).values(row)
        kept = {k: statement.excluded[k] for k in ("workspace_id", "person_id", "published_at")}
        statement = statement.on_conflict_do_update(
            index_elements=[table.c.org_id, table.c.user_id], set_={**kept, "opened_at": now}
        )
        async with self.engine.begin() as connection:
            await connection.execute(statement)

    def _spawn(self, work: Awaitable[None]) -> None:
        async def run() -> None:
            try:
                await work
            except FAILURES as exc:
                log.warning("App Home not republished: %r", exc)

        task = asyncio.get_running_loop().create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
