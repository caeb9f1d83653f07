"""Database failures translated into the core's two: Conflict (retry it) and Unavailable."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import StaleDataError

from workflow.domain.errors import Conflict, Unavailable

# PostgreSQL SQLSTATEs: another transaction got there first, so the command may be retried.
CONFLICT_STATES = frozenset(
    {
        "40001",  # serialization_failure
        "40P01",  # deadlock_detected
        "55P03",  # lock_not_available
        "23505",  # unique_violation
    }
)
# SQLSTATE classes meaning the server cannot be used right now.
UNAVAILABLE_CLASSES = ("08", "28", "53", "57")
SQLITE_CONFLICTS = ("database is locked", "database table is locked", "unique constraint failed")
SQLITE_UNAVAILABLE = ("unable to open database", "disk i/o error")


@contextmanager
def database_errors() -> Iterator[None]:
    """Raise Conflict or Unavailable for failures the caller can act on; others pass."""
    try:
        yield
    except StaleDataError as exc:
        raise Conflict(f"the row changed under us: {exc}") from exc
    except DBAPIError as exc:
        if is_conflict(exc):
            raise Conflict(_first_line(exc)) from exc
        if is_unavailable(exc):
            raise Unavailable(_first_line(exc)) from exc
        raise
    except (OSError, PoolTimeout) as exc:
        # ConnectionRefusedError and friends: asyncpg raises them unwrapped on connect.
        raise Unavailable(str(exc)) from exc


def is_conflict(exc: DBAPIError) -> bool:
    state = _sqlstate(exc)
    if state is not None:
        return state in CONFLICT_STATES
    message = str(exc.orig).lower()
    if isinstance(exc, IntegrityError | OperationalError):
        return any(text in message for text in SQLITE_CONFLICTS)
    return False


def is_unavailable(exc: DBAPIError) -> bool:
    if exc.connection_invalidated or isinstance(exc, InterfaceError):
        return True
    state = _sqlstate(exc)
    if state is not None:
        return state.startswith(UNAVAILABLE_CLASSES)
    message = str(exc.orig).lower()
    return isinstance(exc, OperationalError) and any(t in message for t in SQLITE_UNAVAILABLE)


def _sqlstate(exc: DBAPIError) -> str | None:
    state = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    return str(state) if state else None


def _first_line(exc: DBAPIError) -> str:
    text = str(exc.orig or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
