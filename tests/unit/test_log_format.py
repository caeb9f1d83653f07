"""Log lines as configured by the CLI: JSON or text, the request id, secrets hidden in JSON
too (message, arguments, `extra=` fields, traceback), libraries that flood kept quiet."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.log_format import CHATTY, configure_logging
from bot.redaction import install_redaction
from bot.request_ids import current
from bot.settings import Settings

BOT_TOKEN = "xoxb-1111-2222-aVeryRealLookingToken"
SIGNING_SECRET = "signing-secret-of-the-unit-tests"
DATABASE_URL = "postgresql+asyncpg://app:pa55w0rd-of-the-db@db.example:5432/app"
LOGGERS = ("apscheduler", "alembic.runtime.plugins", *CHATTY)


@pytest.fixture
def configured() -> Iterator[tuple[io.StringIO, logging.Handler]]:
    """A root handler without a formatter (as `serve` makes one), restored afterwards."""
    out, root = io.StringIO(), logging.getLogger()
    handler, level = logging.StreamHandler(out), root.level
    levels = {name: logging.getLogger(name).level for name in LOGGERS}
    saved = root.handlers[:]
    root.handlers = [handler]
    yield out, handler
    root.handlers, root.level = saved, level
    for name, previous in levels.items():
        logging.getLogger(name).setLevel(previous)


def _set_up(log_format: str, **settings: object) -> Settings:
    chosen = Settings(
        _env_file=None,
        clientloop_log_format=log_format,
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        database_url=DATABASE_URL,
        **settings,  # type: ignore[arg-type]
    )
    configure_logging(chosen)
    install_redaction(chosen)
    return chosen


def _lines(out: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_json_lines_carry_level_logger_message_time_and_a_null_request_id_outside_requests(
    configured: tuple[io.StringIO, logging.Handler],
) -> None:
    out, _ = configured
    _set_up("json")
    logging.getLogger("clientloop").info("started %s", "now")
    [line] = _lines(out)
    assert {k: line[k] for k in ("level", "logger", "message", "request_id")} == {
        "level": "INFO", "logger": "clientloop", "message": "started now", "request_id": None,
    }  # fmt: skip
    assert isinstance(line["time"], str) and line["time"].startswith("20")


def test_json_lines_hide_secrets_in_the_message_its_arguments_extra_fields_and_traceback(
    configured: tuple[io.StringIO, logging.Handler],
) -> None:
    out, _ = configured
    _set_up("json", clientloop_log_level="DEBUG")
    log = logging.getLogger("clientloop.slack")
    log.debug("response: {'access_token': '%s'}", "xoxp-9-8-userToken")
    log.warning("signed with %s", SIGNING_SECRET, extra={"headers": {"Authorization": BOT_TOKEN}})
    try:
        raise ConnectionError(f"cannot reach {DATABASE_URL}")
    except ConnectionError:
        log.exception("the database is down", extra={"team": "T1", "url": DATABASE_URL})
    written = out.getvalue()
    for secret in (BOT_TOKEN, SIGNING_SECRET, "pa55w0rd-of-the-db", "userToken"):
        assert secret not in written
    lines = _lines(out)
    assert [line["level"] for line in lines] == ["DEBUG", "WARNING", "ERROR"]
    assert "[redacted]" in str(lines[1]["headers"])
    assert lines[2]["team"] == "T1" and "[redacted]@db.example" in str(lines[2]["url"])
    assert "ConnectionError" in str(lines[2]["exc_info"])
    assert "app:[redacted]@db.example" in str(lines[2]["exc_info"])


def test_a_line_logged_during_a_request_carries_its_id_in_json_and_text(
    configured: tuple[io.StringIO, logging.Handler],
) -> None:
    out, handler = configured
    _set_up("json")
    token = current.set("the-request-id-1")
    try:
        logging.getLogger("clientloop").warning("inside")
        handler.setFormatter(None)  # type: ignore[arg-type]
        _set_up("text")
        logging.getLogger("clientloop").warning("inside, as text")
    finally:
        current.reset(token)
    logging.getLogger("clientloop").warning("outside, as text")
    first, second, third = out.getvalue().splitlines()
    assert json.loads(first)["request_id"] == "the-request-id-1"
    assert second.endswith(" WARNING clientloop [the-request-id-1]: inside, as text")
    assert third.endswith(" WARNING clientloop [-]: outside, as text")


def test_at_debug_the_database_libraries_stay_quiet_unless_asked(
    configured: tuple[io.StringIO, logging.Handler],
) -> None:
    _set_up("text", clientloop_log_level="DEBUG")
    assert [logging.getLogger(n).getEffectiveLevel() for n in LOGGERS] == [logging.WARNING] * len(
        LOGGERS
    )
    assert logging.getLogger("clientloop").getEffectiveLevel() == logging.DEBUG
    for name in CHATTY:
        logging.getLogger(name).setLevel(logging.NOTSET)
    _set_up("text", clientloop_log_level="DEBUG", clientloop_log_sql=True)
    assert [logging.getLogger(n).getEffectiveLevel() for n in CHATTY] == [logging.DEBUG] * len(
        CHATTY
    )


def test_a_log_format_other_than_text_or_json_is_refused() -> None:
    with pytest.raises(ValueError, match="is not a log format: 'xml'"):
        Settings(_env_file=None, clientloop_log_format="xml")
    assert Settings(_env_file=None, clientloop_log_format="JSON").clientloop_log_format == "json"
