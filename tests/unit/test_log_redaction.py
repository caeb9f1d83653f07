"""The log filter hides secrets by shape and by value, in messages, arguments and tracebacks."""

from __future__ import annotations

import io
import logging

import pytest

from bot.redaction import RedactSecrets, redact

JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJib3QifQ.c2lnbmF0dXJl"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("body: {'access_token': 'xoxb-1-2-abc'}", "body: {'access_token': '[redacted]'}"),
        ("user xoxp-9-8-def, app xapp-1-A2-ghi", "user xoxp-[redacted], app xapp-[redacted]"),
        (
            "refresh xoxe-1-abc and xoxe.xoxb-1-def",
            "refresh xoxe-[redacted] and xoxe.xoxb-[redacted]",
        ),
        (f"Authorization: Bearer {JWT}", "Authorization: Bearer [redacted]"),
        ("{'authorization': 'Basic MTExMTpzZWNyZXQ='}", "{'authorization': 'Basic [redacted]'}"),
        (f"token {JWT} seen", "token [redacted] seen"),
        (
            "grant_type=client_credentials&client_secret=s3cr3t&x=1",
            "grant_type=client_credentials&client_secret=[redacted]&x=1",
        ),
        ('{"client_secret": "s3cr3t"}', '{"client_secret": "[redacted]"}'),
        (
            "postgresql+asyncpg://app:pa55w0rd@db:5432/x",
            "postgresql+asyncpg://app:[redacted]@db:5432/x",
        ),
        (
            "GET /slack/oauth_redirect?code=123.456&state=s",
            "GET /slack/oauth_redirect?code=[redacted]&state=s",
        ),
        ("sealed gAAAAABnXyZ0123456789abcdefghijklmnop==", "sealed [redacted]"),
        ("http://host:8080/path and a@b.example", "http://host:8080/path and a@b.example"),
        ("CR-12 approved by UALICE", "CR-12 approved by UALICE"),
    ],
)
def test_secrets_are_hidden_by_their_shape_and_ordinary_text_is_not(text: str, shown: str) -> None:
    assert redact(text) == shown


def _logged(redactor: RedactSecrets, emit: object) -> str:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(redactor)
    logger = logging.getLogger("tests.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        assert callable(emit)
        emit(logger)
    finally:
        logger.removeHandler(handler)
    return out.getvalue()


def test_a_setting_value_is_hidden_in_arguments_and_tracebacks_whatever_its_shape() -> None:
    key = "plain-looking-secret-key-value"

    def emit(logger: logging.Logger) -> None:
        logger.error("key is %s", key)
        try:
            raise RuntimeError(f"could not use {key}")
        except RuntimeError:
            logger.exception("failed")

    written = _logged(RedactSecrets([key, "short"]), emit)

    assert key not in written
    assert "key is [redacted]" in written and "RuntimeError: could not use [redacted]" in written


def test_short_setting_values_are_left_to_the_patterns() -> None:
    written = _logged(RedactSecrets(["s"]), lambda logger: logger.error("slack says"))

    assert written == "slack says\n"
