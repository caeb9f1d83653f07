"""SQLite connections that run each call on the event loop instead of a worker thread.

aiosqlite hands every call (cursor, execute, fetch, close: about four per statement) to a
thread of its own and wakes the loop when it is done. A statement on our indexed tables
takes tens of microseconds; the hand-off and the wake-up cost several times that, and the
SQLite writer holds the database's one write lock across all of them, so under a burst
the hand-offs, not the work, set how many decisions a second get stored (a decision is
about fifty of them). These connections keep aiosqlite's interface, which SQLAlchemy's
aiosqlite dialect drives, and call sqlite3 directly.

A writer's COMMIT is the exception: it waits for the disk (fsync of the WAL, about a
millisecond here, more on network disks), and on the loop that stalled every request in
flight. It runs on a thread of its own, with the same busy retry; the connection is used
by one task at a time (the write turn), so handing it to that thread is safe.

A call never waits on SQLite's own busy handler (that would stop the whole loop): each
connection is opened with a busy timeout of 0, and a call that finds the database locked by another
process (a separate scheduler, a migration) is tried again after an asyncio sleep, until
`busy_seconds` have passed. A statement SQLite refused as busy did nothing, so it is safe
to run again.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Coroutine, Generator
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import SQLiteDialect_aiosqlite
from sqlalchemy.engine import URL

BUSY_PAUSES = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05)  # then 0.05 s until busy_seconds
# SQLite has one writer per database at a time: one thread serves every writer's commit.
_COMMITS = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-commit")


class _RunNow:
    """Stands where aiosqlite keeps its worker's queue: runs what is put at once."""

    def put_nowait(self, item: tuple[asyncio.Future[Any] | None, Callable[[], Any]]) -> None:
        future, function = item
        try:
            result = function()
        except BaseException as exc:  # handed to whoever awaits, as the worker thread does
            if future is not None and not future.done():
                future.set_exception(exc)
            return
        if future is not None and not future.done():
            future.set_result(result)


class InlineConnection(aiosqlite.Connection):
    """An aiosqlite connection with no thread: each call runs when it is awaited."""

    def __init__(
        self,
        connector: Callable[[], sqlite3.Connection],
        busy_seconds: float,
        commit_off_loop: bool = False,
    ) -> None:
        super().__init__(connector, iter_chunk_size=64)
        self._tx = _RunNow()  # type: ignore[assignment]
        self.busy_seconds = busy_seconds
        self.commit_off_loop = commit_off_loop

    def __await__(self) -> Generator[Any, None, aiosqlite.Connection]:
        return self._connect().__await__()  # no worker thread to start

    async def commit(self) -> None:
        if not self.commit_off_loop:
            return await super().commit()
        loop = asyncio.get_running_loop()
        await self._execute(lambda: loop.run_in_executor(_COMMITS, self._conn.commit), awaited=True)

    async def _execute(
        self, fn: Callable[..., Any], *args: Any, awaited: bool = False, **kwargs: Any
    ) -> Any:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        waited, tries = 0.0, 0
        while True:
            try:
                result = fn(*args, **kwargs)
                return await result if awaited else result
            except sqlite3.OperationalError as exc:
                if not _busy(exc) or waited >= self.busy_seconds:
                    raise
            pause = BUSY_PAUSES[min(tries, len(BUSY_PAUSES) - 1)]
            await asyncio.sleep(pause)
            waited, tries = waited + pause, tries + 1


def _busy(exc: sqlite3.OperationalError) -> bool:
    return exc.sqlite_errorcode == sqlite3.SQLITE_BUSY


def inline_creator(
    url: URL, busy_seconds: float, commit_off_loop: bool = False
) -> Callable[[], Coroutine[Any, Any, aiosqlite.Connection]]:
    """What `create_async_engine(url, async_creator=...)` takes: the connect arguments are
    the ones the dialect reads off `url` (file, `uri`, ...); transactions are begun by
    SQLAlchemy's hooks, not by the driver; SQLite's busy handler is off (timeout 0). With
    `commit_off_loop` (the writer), COMMIT runs on the commit thread."""
    args, params = SQLiteDialect_aiosqlite().create_connect_args(url)
    params = {**params, "isolation_level": None, "timeout": 0, "check_same_thread": False}
    connector = partial(sqlite3.connect, *args, **params)

    async def connect() -> aiosqlite.Connection:
        return await InlineConnection(connector, busy_seconds, commit_off_loop)

    return connect
