"""Use cases that span flows (scheduling, insight, audit), and the bus built from the flows.

Each flow's own use cases live in `workflow.flows`; the bus's tables are derived there.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from workflow.messagebus import MessageBus
from workflow.ports import UnitOfWork
from workflow.services import audit


def make_bus(
    uow_factory: Callable[[], UnitOfWork],
    after_commit: Callable[[], Awaitable[None]] | None = None,
) -> MessageBus:
    """The bus with every use case; every event is also written to the audit trail first."""
    from workflow.flows import COMMAND_HANDLERS, EVENT_HANDLERS

    return MessageBus(
        uow_factory,
        COMMAND_HANDLERS,
        EVENT_HANDLERS,
        every_event=[audit.record],
        after_commit=after_commit,
    )
