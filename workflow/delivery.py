"""The in-process sender: delivers committed outbox rows and remembers every card copy."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any, Protocol

from workflow.domain.people import Platform
from workflow.domain.views import View, view_from_dict
from workflow.ports import Address, Clock, Notifier, Receipt, UnitOfWork

log = logging.getLogger(__name__)
BATCH = 50
LEASE_SECONDS = 60
MAX_BACKOFF = timedelta(hours=1)


class Queued(Protocol):
    """An outbox row as the queue hands it out."""

    @property
    def id(self) -> int: ...
    @property
    def project_id(self) -> int | None: ...
    @property
    def recipient_person_id(self) -> int | None: ...
    @property
    def recipient_project_id(self) -> int | None: ...
    @property
    def card_key(self) -> str | None: ...
    @property
    def op(self) -> str: ...
    @property
    def view(self) -> dict[str, Any]: ...
    @property
    def attempts(self) -> int: ...


class Copy(Protocol):
    """One posted copy of a card: where it is, so it can be updated in place."""

    @property
    def platform(self) -> str: ...
    @property
    def workspace_id(self) -> str: ...
    @property
    def conversation_id(self) -> str: ...
    @property
    def message_id(self) -> str: ...
    @property
    def person_id(self) -> int | None: ...


class OutboxQueue(Protocol):
    async def claim(self, now: datetime, limit: int, lease_seconds: int) -> list[Any]: ...
    async def mark_sent(
        self, row_id: int, at: datetime, message_id: str | None, conversation_id: str | None
    ) -> None: ...
    async def mark_retry(
        self, row_id: int, at: datetime, error: str, available_at: datetime
    ) -> None: ...
    async def mark_undeliverable(self, row_id: int, at: datetime, error: str) -> None: ...
    async def add_copy(
        self,
        card_key: str,
        platform: str,
        workspace_id: str,
        conversation_id: str,
        message_id: str,
        person_id: int | None,
        at: datetime,
    ) -> None: ...
    async def copies(self, card_key: str) -> list[Any]: ...


class Undeliverable(Exception):
    """The message has nowhere to go (e.g. the project or person no longer exists)."""


class NotConfigured(Exception):
    """The platform is not set up on this server: keep the message until it is."""


NOT_CONFIGURED_RETRY = 300.0


async def address_of(uow: UnitOfWork, row: Queued) -> Address:
    """Where a POST goes: the project's channel, or a DM in the project's installation."""
    project_id = row.recipient_project_id or row.project_id
    project = await uow.projects.get(project_id) if project_id is not None else None
    workspace = await uow.workspaces.get(project.workspace_id) if project else None
    if project is None or workspace is None:
        raise Undeliverable("the project of this message no longer exists")
    if row.recipient_project_id is not None:
        return Address(workspace.platform, workspace.external_id, project.channel_id)
    person = await uow.people.get(row.recipient_person_id or 0)
    if person is None:
        raise Undeliverable("the person this message is for no longer exists")
    return Address(workspace.platform, workspace.external_id, person.identity.user_id, person.id)


class Sender:
    """Claims rows, sends them through the platform's notifier, records the outcome."""

    def __init__(
        self,
        queue: OutboxQueue,
        uow_factory: Callable[[], UnitOfWork],
        notifiers: Mapping[Platform, Notifier],
        clock: Clock,
    ) -> None:
        self.queue, self.uow_factory = queue, uow_factory
        self.notifiers, self.clock = notifiers, clock
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[int]] = set()

    def kick(self) -> None:
        """Deliver in the background (the bus calls this after every commit)."""
        task = asyncio.get_running_loop().create_task(self.deliver_pending())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def kick_after_commit(self) -> None:
        self.kick()

    async def drain(self) -> None:
        """Wait for background deliveries (used at shutdown and in tests)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def deliver_pending(self) -> int:
        """Deliver what is due now; returns how many rows were handled."""
        handled = 0
        async with self._lock:
            while rows := await self.queue.claim(self.clock.now(), BATCH, LEASE_SECONDS):
                for row in rows:
                    await self._deliver(row)
                handled += len(rows)
        return handled

    async def _deliver(self, row: Queued) -> None:
        view = view_from_dict(row.view)
        try:
            if row.op == "update":
                receipt = await self._update_copies(row, view)
            else:
                receipt = await self._post(row, view)
        except Undeliverable as exc:
            receipt = Receipt(error=str(exc), permanent=True)
        except NotConfigured as exc:
            receipt = Receipt(error=str(exc), retry_after=NOT_CONFIGURED_RETRY)
        await self._record(row, receipt)

    async def _post(self, row: Queued, view: View) -> Receipt:
        async with self.uow_factory() as uow:
            address = await address_of(uow, row)
        notifier = self._notifier(address.platform)
        receipt = await notifier.send(view, address)
        if receipt.ok and row.card_key and receipt.message_id:
            await self.queue.add_copy(
                row.card_key,
                address.platform.value,
                address.workspace_id,
                receipt.conversation_id or address.conversation_id,
                receipt.message_id,
                address.person_id,
                self.clock.now(),
            )
        return receipt

    async def _update_copies(self, row: Queued, view: View) -> Receipt:
        assert row.card_key is not None
        last = Receipt()
        for copy in await self.queue.copies(row.card_key):
            address = Address(
                Platform(copy.platform), copy.workspace_id, copy.conversation_id, copy.person_id
            )
            receipt = await self._notifier(address.platform).update(view, address, copy.message_id)
            if not receipt.ok:
                log.warning(
                    "card %s copy %s not updated: %s", row.card_key, copy.message_id, receipt.error
                )
                last = receipt if not receipt.permanent else last
        return last

    def _notifier(self, platform: Platform) -> Notifier:
        notifier = self.notifiers.get(platform)
        if notifier is None:
            raise NotConfigured(f"{platform.value} is not configured on this server")
        return notifier

    async def _record(self, row: Queued, receipt: Receipt) -> None:
        now = self.clock.now()
        if receipt.ok:
            await self.queue.mark_sent(row.id, now, receipt.message_id, receipt.conversation_id)
        elif receipt.permanent:
            log.warning("outbox %s undeliverable: %s", row.id, receipt.error)
            await self.queue.mark_undeliverable(row.id, now, receipt.error or "")
        else:
            wait = timedelta(seconds=receipt.retry_after or 5 * 2 ** min(row.attempts, 10))
            await self.queue.mark_retry(
                row.id, now, receipt.error or "", now + min(wait, MAX_BACKOFF)
            )
