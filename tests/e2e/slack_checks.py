"""What the Slack hardening and fuzz tests look at: rows written, and tracebacks in the log."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from workflow.persistence.columns import metadata

# Written by requests that change nothing: inbound event ids seen (a retry is then known).
# Not a person's request acted on: retries seen, and who opened their App Home (Slack's
# own event says so, whoever it is; the Home is republished for them later).
BOOKKEEPING = frozenset({"inbound_events", "slack_home_viewers"})


async def row_counts(app: FastAPI, bookkeeping: frozenset[str] = BOOKKEEPING) -> dict[str, int]:
    """Rows per table (but `bookkeeping`), in one statement: a refused request wrote nothing."""
    tables = {n: t for n, t in metadata.tables.items() if n not in bookkeeping}
    counts = [select(func.count()).select_from(t).scalar_subquery().label(n)
              for n, t in tables.items()]  # fmt: skip
    async with app.state.engine.connect() as connection:
        row = (await connection.execute(select(*counts))).one()
    return dict(zip(tables, row, strict=True))


def tracebacks(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Log lines that carry a traceback, as `message: exception`."""
    return [f"{r.getMessage()}: {r.exc_info[1]!r}" for r in caplog.records if r.exc_info]
