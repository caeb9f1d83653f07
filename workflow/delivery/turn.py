"""Whose turn it is to send: one process of a deployment, so the platform limits hold for all."""

from __future__ import annotations

from typing import Protocol


class Turn(Protocol):
    """Tells the sender whether this process sends now (another may, and will take over)."""

    @property
    def holding(self) -> bool: ...


class Always:
    """A process alone on its database (SQLite, tests): it always sends."""

    holding = True


ALWAYS = Always()
