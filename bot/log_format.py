"""One log format for uvicorn, the libraries and the app: text lines, or JSON lines.

`configure_logging` gives the root logger a stderr handler when it has none, and every
root handler without a formatter of its own gets ours and the request id; uvicorn runs with
`log_config=None`, so its loggers reach the same handler. Outside a request the request id
is "-" in text and null in JSON.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

from bot.request_ids import RequestIdFilter

if TYPE_CHECKING:
    from bot.settings import Settings

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"
# Each JSON line: time, level, logger, message, request_id, then whatever `extra=` gave
# (on a failure: platform, team, user, command or action), and exc_info with a traceback.
JSON_FIELDS = ["levelname", "name", "message", "request_id"]
JSON_NAMES = {"levelname": "level", "name": "logger"}
# uvicorn repeats its message with terminal colours in `color_message`.
NOT_SHOWN = [*RESERVED_ATTRS, "color_message"]
# Libraries that log every statement or cursor call at DEBUG (INFO for SQLAlchemy's engine).
CHATTY = ("sqlalchemy", "aiosqlite", "asyncpg")
# Libraries whose INFO lines are routine (APScheduler's every tick, Alembic's plugins).
ROUTINE = ("apscheduler", "alembic.runtime.plugins")


class TextLines(logging.Formatter):
    """One readable line; "-" for the request id outside a request."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def formatMessage(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", None) or "-"
        return TEXT_FORMAT % {**vars(record), "request_id": request_id}


class JsonLines(JsonFormatter):
    """python-json-logger's formatter, keeping the traceback RedactSecrets already scrubbed."""

    def __init__(self) -> None:
        super().__init__(
            JSON_FIELDS, rename_fields=JSON_NAMES, reserved_attrs=NOT_SHOWN, timestamp="time"
        )

    def format(self, record: logging.LogRecord) -> str:
        if not record.exc_text:
            return super().format(record)
        # The filter formatted and scrubbed the exception into exc_text; formatting
        # exc_info again would bring back what it hid.
        exc_info, record.exc_info = record.exc_info, None
        try:
            return super().format(record)
        finally:
            record.exc_info = exc_info


def formatter(log_format: str) -> logging.Formatter:
    """The formatter for CLIENTLOOP_LOG_FORMAT ("text" or "json")."""
    if log_format == "json":
        return JsonLines()
    return TextLines()


def configure_logging(settings: Settings) -> None:
    """Root level, our handler and format, and quieter libraries; redaction is added after."""
    root = logging.getLogger()
    root.setLevel(settings.clientloop_log_level)
    if not root.handlers:
        root.addHandler(logging.StreamHandler())
    for handler in root.handlers:
        if handler.formatter is None:
            handler.setFormatter(formatter(settings.clientloop_log_format))
        if not any(isinstance(f, RequestIdFilter) for f in handler.filters):
            handler.addFilter(RequestIdFilter())
    # Their warnings (a missed tick, a failed connection) still show.
    quiet = max(logging.WARNING, logging.getLevelName(settings.clientloop_log_level))
    for name in ROUTINE if settings.clientloop_log_sql else (*ROUTINE, *CHATTY):
        logging.getLogger(name).setLevel(quiet)
