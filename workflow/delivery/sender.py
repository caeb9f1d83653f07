"""The in-process sender: delivers committed outbox rows within platform limits, records copies."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta

from workflow.delivery.batch import Batch, Marks, prepared
from workflow.delivery.bounces import bounce_notices
from workflow.delivery.handover import handover
from workflow.delivery.lanes import lanes
from workflow.delivery.limits import MAX_ATTEMPTS, RateLimiter, backoff
from workflow.delivery.queue import (
    NotConfigured,
    OutboxQueue,
    Queued,
    Sent,
    Undeliverable,
    address_of,
)
from workflow.delivery.turn import ALWAYS, Turn
from workflow.delivery.wakeups import Wakeups
from workflow.domain.errors import Unavailable
from workflow.domain.people import Platform
from workflow.domain.views import View
from workflow.ports import Address, Clock, Notifier, Receipt, UnitOfWork
from workflow.telemetry import UNWATCHED, Telemetry

__all__ = ["BATCH", "LEASE_SECONDS", "NotConfigured", "Sender", "Undeliverable", "lanes"]

log = logging.getLogger(__name__)
BATCH = 50
IN_FLIGHT = 8  # conversations sent to at once
HOLD_SECONDS = 2.0  # a limit that frees a row within this long: it waits, claimed
LEASE_SECONDS = 60.0
NOT_CONFIGURED_RETRY = 300.0


class Sender:
    """Claims rows, sends them through the platform's notifier, records the outcome.

    A row a rate limit holds back is put back for later, untried, so one busy channel
    never blocks the others. `lease_seconds` must exceed the time one batch takes.
    """

    def __init__(
        self,
        queue: OutboxQueue,
        uow_factory: Callable[[], UnitOfWork],
        notifiers: Mapping[Platform, Notifier],
        clock: Clock,
        *,
        limiter: RateLimiter | None = None,
        rng: random.Random | None = None,
        lease_seconds: float = LEASE_SECONDS,
        batch: int = BATCH,
        max_attempts: int = MAX_ATTEMPTS,
        wake_for_deferred: bool = False,
        in_flight: int = IN_FLIGHT,
        telemetry: Telemetry = UNWATCHED,
        turn: Turn = ALWAYS,
    ) -> None:
        # `uow_factory` is only read from (addresses, actors, bounce notices to write later).
        self.queue, self.uow_factory = queue, uow_factory
        self.notifiers, self.clock = notifiers, clock
        self.limiter = limiter or RateLimiter()
        self.rng = rng or random.Random()
        self.lease_seconds, self.batch, self.max_attempts = lease_seconds, batch, max_attempts
        self.in_flight, self.telemetry = in_flight, telemetry  # told every platform answer
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[int]] = set()
        self._runner: asyncio.Task[int] | None = None
        self._kicked = False
        # With `wake_for_deferred`, a row put back by a limit is delivered when it comes due,
        # not only at the next commit or scheduler tick.
        self._wakeups = Wakeups(clock, self.kick, enabled=wake_for_deferred)
        self._marks = Marks(queue, clock.now)
        self.turn = turn  # another process may be the one sending; this one then claims nothing

    def kick(self) -> None:
        """Deliver in the background (the bus calls this after every commit).

        Kicks fold together: while a delivery runs, any number of kicks ask for one more
        round after it, not one claim each (16 commits at once used to queue 16 claims, most
        of them finding nothing, each a write transaction).
        """
        self._kicked = True
        if self._runner is not None and not self._runner.done():
            return
        task = asyncio.get_running_loop().create_task(self._run_kicked())
        self._runner = task
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run_kicked(self) -> int:
        handled = 0
        try:
            while self._kicked:
                self._kicked = False
                handled += await self.deliver_pending()
        except Unavailable as exc:
            # Nobody awaits a kicked delivery: its error would surface as asyncio's "never
            # retrieved" traceback. The next commit or scheduler tick delivers the rest.
            log.warning("delivery paused, the database is unavailable: %s", exc)
        return handled

    async def kick_after_commit(self) -> None:
        self.kick()

    async def drain(self) -> None:
        """Wait for background deliveries (used at shutdown and in tests)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def deliver_pending(self) -> int:
        """Deliver what is due now; returns how many rows were handled (sent, retried, put back)."""
        handled = 0
        async with self._lock:
            # Until a claim finds nothing: rows may be committed without a kick (a batch of
            # a fan-out written outside the bus), and bounce notices are queued by this loop.
            claimed_at = self.clock.now()
            while self.turn.holding and (
                rows := await self.queue.claim(claimed_at, self.batch, self.lease_seconds)
            ):
                await self._deliver_all(rows)
                handled += len(rows)
                claimed_at = self.clock.now()
            self._wakeups.arm(claimed_at)
        return handled

    async def begin_turn(self) -> None:
        """This process sends from now on: its limits count what the last sender sent lately,
        and it wakes whenever a row the last one held back or had claimed comes due."""
        async with self._lock:
            self._wakeups.clear()
            for at in await handover(self.queue, self.limiter, self.clock.now()):
                self._wakeups.at(at)

    async def _deliver_all(self, rows: Sequence[Queued]) -> None:
        """Up to `in_flight` conversations at once, each lane of rows in order.

        A platform answers a post in 100-300 ms: one at a time, 500 DMs would take longer
        than the workspace's rate allows, so lanes that share no card and no recipient go
        out together (the limiter is charged before each send, so the limits still hold).
        """
        batch = await prepared(self.queue, rows)
        gate = asyncio.Semaphore(self.in_flight)

        async def run(lane: list[Queued]) -> None:
            async with gate:
                for row in lane:
                    await self._deliver(row, batch)

        try:
            await asyncio.gather(*(run(lane) for lane in lanes(rows)))
        finally:
            await self._marks.written()  # before the next claim: no row looks unsent

    def stop(self) -> None:
        """Cancel the wake-up timer (at shutdown)."""
        self._wakeups.stop()

    async def _deliver(self, row: Queued, batch: Batch) -> None:
        copy: dict[str, object] | None = None
        try:
            targets = await self._targets(row, batch)
            later = await self._reserve([address for address, _ in targets])
            if later is not None:
                self._marks.put_back(row.id, later)
                self._wakeups.at(later)
                return
            receipt, copy = await self._send(row, batch.views[row.id], targets)
        except Undeliverable as exc:
            receipt = Receipt(error=str(exc), permanent=True)
        except NotConfigured as exc:
            receipt = Receipt(error=str(exc), retry_after=NOT_CONFIGURED_RETRY)
        if copy is not None and row.card_key is not None:
            batch.posted(row.card_key, copy)
        await self._record(row, receipt, copy)

    async def _reserve(self, addresses: list[Address]) -> datetime | None:
        """Take the tokens to send now (None), or say when to put the row back for.

        A slot that comes within HOLD_SECONDS is waited for in the row's lane: putting
        every row of a fan-out back and claiming it again costs writes the sender needs for
        sending, and slots the limits allow went by unused while it wrote them.
        """
        later = self.limiter.reserve(addresses, self.clock.now())
        while later is not None and self._wakeups.enabled:
            wait = (later - self.clock.now()).total_seconds()
            if wait > HOLD_SECONDS:
                break
            await asyncio.sleep(max(wait, 0.0))
            later = self.limiter.reserve(addresses, self.clock.now())
        return later

    async def _targets(self, row: Queued, batch: Batch) -> list[tuple[Address, str | None]]:
        """Where the row goes: one new post, or every known copy of its card (with ids)."""
        if row.op == "update":
            assert row.card_key is not None
            return batch.targets(row.card_key)
        async with self.uow_factory() as uow:
            address = await address_of(uow, row)
        self._notifier(address.platform)  # not configured: keep the row, touch no bucket
        return [(address, None)]

    async def _send(
        self, row: Queued, view: View, targets: list[tuple[Address, str | None]]
    ) -> tuple[Receipt, dict[str, object] | None]:
        """The platform's answer, and the copy of the card a post made (to remember)."""
        if row.op != "update":
            return await self._post(row, view, targets[0][0])
        last = Receipt()
        for address, message_id in targets:
            assert message_id is not None
            receipt = self._noted(
                await self._notifier(address.platform).update(view, address, message_id), address
            )
            if not receipt.ok:
                log.warning("card %s copy %s not updated: %s", row.card_key, message_id, receipt)
                last = receipt if not receipt.permanent else last
        return last, None

    async def _post(
        self, row: Queued, view: View, address: Address
    ) -> tuple[Receipt, dict[str, object] | None]:
        receipt = self._noted(await self._notifier(address.platform).send(view, address), address)
        if not (receipt.ok and row.card_key and receipt.message_id):
            return receipt, None
        return receipt, {
            "card_key": row.card_key,
            "platform": address.platform.value,
            "workspace_id": address.workspace_id,
            "conversation_id": receipt.conversation_id or address.conversation_id,
            "message_id": receipt.message_id,
            "person_id": address.person_id,
        }

    def _noted(self, receipt: Receipt, address: Address) -> Receipt:
        """Every answer is counted; a 429 holds back that conversation (and, on Slack, maybe
        its workspace) until Retry-After (see RateLimiter.pause)."""
        self.telemetry.delivered(address.platform, receipt)
        now = self.clock.now()
        self.limiter.settle(address, now)
        if receipt.retry_after is not None:
            self.limiter.pause(address, now + timedelta(seconds=receipt.retry_after), now)
        return receipt

    def _notifier(self, platform: Platform) -> Notifier:
        notifier = self.notifiers.get(platform)
        if notifier is None:
            raise NotConfigured(f"{platform.value} is not configured on this server")
        return notifier

    async def _record(
        self, row: Queued, receipt: Receipt, copy: dict[str, object] | None = None
    ) -> None:
        now = self.clock.now()
        error = receipt.error or ""
        if receipt.ok:
            self._marks.add(Sent(row.id, receipt.message_id, receipt.conversation_id, copy))
        elif receipt.permanent:
            await self._give_up(row, error)
        elif receipt.retry_after is not None:
            wait = timedelta(seconds=receipt.retry_after)
            await self.queue.mark_retry(row.id, now, error, now + wait, count_attempt=False)
            self._wakeups.at(now + wait)  # not at the next commit or tick: that may be long
        elif row.attempts + 1 >= self.max_attempts:
            await self._give_up(row, f"{error} (gave up after {row.attempts + 1} attempts)")
        else:
            wait = backoff(row.attempts, self.rng)
            await self.queue.mark_retry(row.id, now, error, now + wait)
            self._wakeups.at(now + wait)

    async def _give_up(self, row: Queued, error: str) -> None:
        """Mark the row undeliverable and, in the same transaction, tell its project's PMs."""
        log.warning("outbox %s undeliverable: %s", row.id, error)
        async with self.uow_factory() as uow:
            notices = await bounce_notices(uow, row, error)
        # The notices are new pending rows: this same deliver_pending loop claims them next.
        await self.queue.mark_undeliverable(row.id, self.clock.now(), error, notices)
