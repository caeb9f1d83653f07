"""Database plumbing: engines, sessions, Alembic migrations and the readiness check."""

import asyncio
import concurrent.futures
import contextlib
import functools
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, column, event, inspect, select, table
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from workflow.persistence.sqlite_inline import inline_creator

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
VERSION_TABLE = "alembic_version"
SQLITE_BUSY_SECONDS = 5.0  # how long a call waits for a lock another process holds
# SQLite has one writer at a time: writers take turns in arrival order (write_turn) for the
# one write connection in the pool instead of spinning on the file lock; readers have their
# own pool.
SQLITE_WRITE_QUEUE_SECONDS = 60.0
SQLITE_READERS = 4
# PostgreSQL: enough connections for a burst of 16 requests and the sender, queueing beyond.
POSTGRES_POOL = {"pool_size": 10, "max_overflow": 10, "pool_timeout": 30.0}
VERSION_TABLE_COLUMN = table(VERSION_TABLE, column("version_num")).c.version_num
UPGRADE_HINT = "run `clientloop db upgrade`"


def make_engine(url: str) -> AsyncEngine:
    """The engine for work that may write, tuned for SQLite or PostgreSQL."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_writer(parsed)
    return create_async_engine(url, pool_pre_ping=True, **POSTGRES_POOL)


# One turn per SQLite writer engine. The pool alone is not fair: a connection handed back
# can go to a newcomer while a woken waiter queues again at the back, so a few writers
# waited seconds under a steady load. asyncio.Lock serves its waiters in order.
_WRITE_TURNS: "weakref.WeakKeyDictionary[Engine, asyncio.Lock]" = weakref.WeakKeyDictionary()


def write_turn(
    sessions: async_sessionmaker[AsyncSession],
) -> contextlib.AbstractAsyncContextManager[object]:
    """Held around each transaction on `sessions`: SQLite's writer in arrival order; for
    any other database (or SQLite's read engine) a no-op."""
    bind = sessions.kw.get("bind")
    turn = _WRITE_TURNS.get(bind.sync_engine) if isinstance(bind, AsyncEngine) else None
    return turn if turn is not None else contextlib.nullcontext()


def make_read_engine(writer: AsyncEngine) -> AsyncEngine:
    """The engine for reads. On SQLite a pool of its own whose transactions never take the
    write lock (WAL lets them read while a writer works); elsewhere the writer itself."""
    url = writer.url
    if url.get_backend_name() != "sqlite" or _in_memory(url.database):
        return writer
    engine = _sqlite_engine(url, pool_size=SQLITE_READERS, max_overflow=SQLITE_READERS)
    event.listen(engine.sync_engine, "connect", _read_only)
    event.listen(engine.sync_engine, "begin", _on_sqlite_read_begin)
    return engine


def _in_memory(database: str | None) -> bool:
    return not database or database == ":memory:" or "mode=memory" in database


def _sqlite_writer(url: URL) -> AsyncEngine:
    engine = _sqlite_engine(
        url, True, pool_size=1, max_overflow=0, pool_timeout=SQLITE_WRITE_QUEUE_SECONDS
    )
    event.listen(engine.sync_engine, "begin", _on_sqlite_begin)
    _WRITE_TURNS[engine.sync_engine] = asyncio.Lock()
    return engine


def _sqlite_engine(url: URL, writer: bool = False, **pool: Any) -> AsyncEngine:
    """A SQLite engine whose calls run on the loop (sqlite_inline): the writer holds the one
    write lock, so the time each statement waits for a thread hand-off is time every other
    writer waits, and a read statement is shorter than that hand-off too."""
    engine = create_async_engine(
        url, async_creator=inline_creator(url, SQLITE_BUSY_SECONDS, writer), **pool
    )
    event.listen(engine.sync_engine, "connect", _on_sqlite_connect)
    return engine


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the driver, start transactions (see _on_sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _read_only(dbapi_connection: Any, _record: Any) -> None:
    # A read connection can never write, whatever code runs on it.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA query_only=ON")
    cursor.close()


def _on_sqlite_read_begin(connection: Connection) -> None:
    # A deferred transaction: a consistent snapshot under WAL, and no write lock.
    connection.exec_driver_sql("BEGIN")


def _on_sqlite_begin(connection: Connection) -> None:
    # Take the write lock up front, so two writers queue (the inline retry) instead of
    # both reading and then failing to upgrade their locks.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions whose objects stay readable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)


def alembic_config(url: str | None = None) -> "Config":
    """The Alembic configuration, built in code (there is no alembic.ini)."""
    from alembic.config import Config  # Alembic only where migrations are asked about

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        config.attributes["database_url"] = url
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate the database at `url` to `revision`; safe to call inside an event loop."""
    from alembic import command

    config = alembic_config(url)
    if _loop_is_running():
        # env.py runs its own event loop, which cannot nest in a running one.
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            pool.submit(command.upgrade, config, revision).result()
    else:
        command.upgrade(config, revision)


async def upgrade_async(url: str, revision: str = "head") -> None:
    """Migrate without blocking the running event loop."""
    await asyncio.to_thread(upgrade, url, revision)


def _loop_is_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


@functools.cache
def head_revisions() -> tuple[str, ...]:
    """The revisions the code expects the database to be at."""
    from alembic.script import ScriptDirectory

    return tuple(sorted(ScriptDirectory.from_config(alembic_config()).get_heads()))


async def current_revisions(engine: AsyncEngine) -> tuple[str, ...] | None:
    """The database's revisions, or None when it was never migrated."""
    async with engine.connect() as connection:
        return await connection.run_sync(_current_revisions)


def _current_revisions(connection: Connection) -> tuple[str, ...] | None:
    # Read the version table directly: MigrationContext would log on every /readyz probe.
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    rows = connection.execute(select(VERSION_TABLE_COLUMN))
    return tuple(sorted(str(revision) for revision in rows.scalars()))


@functools.cache
def known_revisions() -> frozenset[str]:
    """Every revision this code has a migration for."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    return frozenset(revision.revision for revision in script.walk_revisions())


async def schema_problem(engine: AsyncEngine) -> str | None:
    """None when the database answers and is at the head revision, else why not.

    A revision this code does not know is a newer release's: during a rolling upgrade the
    database is migrated first, and the replicas still on the release before keep serving
    (migrations only add: a release's schema serves the release before it too).
    """
    try:
        current = await current_revisions(engine)
    except (OSError, SQLAlchemyError) as exc:
        return f"database unreachable: {_first_line(exc)}"
    head = head_revisions()
    if current is None:
        return f"database has no schema yet: {UPGRADE_HINT}"
    if current != head and set(current) <= known_revisions():
        return f"schema is at {describe(current)}, head is {describe(head)}: {UPGRADE_HINT}"
    return None


def describe(revisions: tuple[str, ...] | None) -> str:
    """Revisions as a person reads them."""
    if revisions is None:
        return "(never migrated)"
    return ", ".join(revisions) or "(base)"


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc) or type(exc).__name__
    return text.strip().splitlines()[0]
