"""A delivery kicked in the background while the database is down: one WARNING, no lost error."""

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.fakes import FakeUnitOfWork, FixedClock, Store
from workflow.delivery.sender import Sender
from workflow.domain.errors import Unavailable


class DownQueue:
    """An outbox whose database does not answer."""

    async def claim(self, now: datetime, limit: int, lease_seconds: float) -> list[Any]:
        raise Unavailable("[Errno 111] Connect call failed ('127.0.0.1', 5432)")


async def test_a_kicked_delivery_without_a_database_warns_once_and_ends_cleanly(
    caplog: pytest.LogCaptureFixture,
) -> None:
    sender = Sender(
        DownQueue(),  # type: ignore[arg-type]  # only claim() is reached
        lambda: FakeUnitOfWork(Store()),
        {},
        FixedClock(datetime(2026, 1, 5, 9, tzinfo=UTC)),
    )

    with caplog.at_level(logging.WARNING):
        sender.kick()
        (kicked,) = list(sender._tasks)
        await asyncio.wait([kicked])

    # An exception left in the task is what asyncio logs, with a traceback, when it is freed.
    assert kicked.exception() is None
    (warning,) = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert "database is unavailable" in warning.getMessage()
