"""What the sender needs from the outbox, and where a queued message goes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from workflow.domain.people import Platform
from workflow.domain.views import Outgoing
from workflow.ports import Address, UnitOfWork


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


@dataclass(frozen=True)
class Sent:
    """A row the platform took: its message ids, and the copy of the card it posted."""

    row_id: int
    message_id: str | None
    conversation_id: str | None
    copy: dict[str, object] | None = None  # card_copies columns, for a posted card


class OutboxQueue(Protocol):
    async def claim(self, now: datetime, limit: int, lease_seconds: float) -> list[Any]: ...
    async def record_sent(
        self, sent: Sequence[Sent], at: datetime, put_back: Sequence[tuple[int, datetime]] = ()
    ) -> None:
        """Mark these rows sent, remember the card copies they posted, and put back the rows
        (id, from when) a limit held, all at once."""
        ...

    async def mark_retry(
        self,
        row_id: int,
        at: datetime,
        error: str,
        available_at: datetime,
        *,
        count_attempt: bool = True,
    ) -> None: ...
    async def mark_undeliverable(
        self, row_id: int, at: datetime, error: str, notices: Sequence[Outgoing] = ()
    ) -> bool: ...
    async def copies_of(self, card_keys: Sequence[str]) -> Mapping[str, Sequence[Copy]]:
        """Every known copy of each card, oldest first (one lookup for a batch)."""
        ...

    async def user_ids(self, person_ids: Sequence[int]) -> dict[int, str]:
        """The platform user id of each of these people still known."""
        ...

    async def recent_sends(
        self, platform: Platform, since: datetime, now: datetime
    ) -> dict[str, list[datetime]]:
        """When each workspace was sent to since `since` (claimed rows: maybe sent, now)."""
        ...

    async def due_times(self, now: datetime, limit: int = 1000) -> list[datetime]:
        """When pending rows not due now come due (limits, retries, leases)."""
        ...


class Undeliverable(Exception):
    """The message has nowhere to go (e.g. the project or person no longer exists)."""


class NotConfigured(Exception):
    """The platform is not set up on this server: keep the message until it is."""


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
