"""Infrastructure failures of the command line and server as one line and an exit code.

A person running `clientloop` needs what failed, the setting involved and what to do; the
traceback helps only whoever debugs clientloop itself, so it goes to the DEBUG log.
"""

from __future__ import annotations

import errno
import logging
import socket
import sys

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError

from workflow.domain.errors import Unavailable
from workflow.persistence.errors import is_unavailable

log = logging.getLogger("clientloop")

# Exit codes: 1 when something we depend on did not answer (trying again later may work),
# 2 when a setting or the machine must change first (the code a bad setting exits with too).
UNREACHABLE = 1
CONFIGURATION = 2
# SQLSTATE classes: 28 the login was refused, 3D the database does not exist.
REFUSED_LOGIN, NO_SUCH_DATABASE = "28", "3D"


class Failure(Exception):
    """A failure described for the person running clientloop: `message` and exit `code`."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.message, self.code = message, code

    def report(self) -> int:
        """Print the one line on stderr (the cause's traceback only at DEBUG); the exit code."""
        log.debug("the failure behind the message below", exc_info=self.__cause__ or self)
        print(f"clientloop: {self.message}", file=sys.stderr)
        return self.code


def explain(exc: BaseException, database_url: str) -> Failure | None:
    """The failure `exc` stands for, or None when it is not one of infrastructure (a bug)."""
    if isinstance(exc, Failure):
        return exc
    if type(exc).__name__ == "CommandError" and type(exc).__module__.startswith("alembic"):
        # Alembic's own refusal (an unknown REVISION): its sentence says it all.
        failure = Failure(f"db upgrade: {first_line(exc)}", CONFIGURATION)
        failure.__cause__ = exc
        return failure
    if not isinstance(exc, Unavailable | SQLAlchemyError | OSError):
        return None
    failure = database_failure(exc, database_url)
    failure.__cause__ = exc
    return failure


def database_failure(exc: BaseException, url: str) -> Failure:
    """What went wrong with the database at `url`, naming DATABASE_URL but no password."""
    if isinstance(exc, Unavailable) and exc.__cause__ is not None:
        exc = exc.__cause__  # the unit of work's translation: the driver's error says more
    where, why = f"{safe_url(url)} (DATABASE_URL)", first_line(exc)
    if _backend(url) == "sqlite":
        if "locked" in why:
            return Failure(f"the SQLite database {where} is locked: {why}; try again", UNREACHABLE)
        return Failure(
            f"cannot open the SQLite database {where}: {why}; check that its directory exists "
            "and that this user may write there",
            CONFIGURATION,
        )
    state = _sqlstate(exc)
    if state.startswith(REFUSED_LOGIN):
        return Failure(
            f"the database at {where} refused the login: {why}; check the user name and password",
            CONFIGURATION,
        )
    if state.startswith(NO_SUCH_DATABASE):
        return Failure(
            f"the database at {where} does not exist: {why}; create it or fix the name",
            CONFIGURATION,
        )
    if isinstance(exc, OSError | Unavailable) or (
        isinstance(exc, DBAPIError) and is_unavailable(exc)
    ):
        return Failure(
            f"cannot reach the database at {where}: {why}; check that the server is running "
            "and accepts connections at that host and port",
            UNREACHABLE,
        )
    return Failure(f"the database at {where} failed: {why}", UNREACHABLE)


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to host:port (uvicorn listens on it), or a Failure naming HOST or PORT.

    Bound before the app starts, so a taken port stops `serve` before anything (the
    scheduler above all) has run.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise _bind_failure(exc, host, port) from exc
    return sock


def _bind_failure(exc: OSError, host: str, port: int) -> Failure:
    where, why = f"{host}:{port}", exc.strerror or str(exc)
    if exc.errno == errno.EADDRINUSE:
        advice = "stop the other process or choose another port with PORT or --port"
        return Failure(
            f"cannot listen on {where}: the port is already in use; {advice}", CONFIGURATION
        )
    if exc.errno == errno.EACCES:
        advice = "choose a port above 1023 with PORT or --port"
        return Failure(f"cannot listen on {where}: permission denied; {advice}", CONFIGURATION)
    advice = "set HOST or --host to an address of this machine (e.g. 127.0.0.1 or 0.0.0.0)"
    return Failure(f"cannot listen on {where}: {why}; {advice}", CONFIGURATION)


def safe_url(url: str) -> str:
    """The URL as a person may see it: the password, if any, is ***."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return "(not a database URL)"


def first_line(exc: BaseException) -> str:
    """The driver's own message, first line only (SQLAlchemy adds the SQL and a link)."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _backend(url: str) -> str:
    try:
        return make_url(url).get_backend_name()
    except (ArgumentError, ValueError):
        return ""


def _sqlstate(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    return str(getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None) or "")
