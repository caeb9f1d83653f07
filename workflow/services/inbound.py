"""Remembering inbound platform events that cause no command, so a retry has no second effect."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from workflow.ports import UnitOfWork


async def first_time(uow_factory: Callable[[], UnitOfWork], key: str, at: datetime) -> bool:
    """Record `key`; False when it was seen before (a platform retry or a replay)."""
    async with uow_factory() as uow:
        fresh = await uow.inbound.first_time(key, at)
        if fresh:
            await uow.commit()
        return fresh
