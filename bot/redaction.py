"""Scrubs secrets from log records before any handler writes them: tokens, keys, passwords.

slack-sdk logs whole Web API responses at DEBUG (oauth.v2.access carries the bot and user
tokens), Bolt and the Teams SDK log request headers, and an exception's text may quote a
URL with its password. The filter rewrites each record's message, exception and stack
text once, so every handler after it (stderr, a file, pytest's capture) gets the scrubbed
record. Patterns catch secrets by their shape; the values of our own secret settings are
also replaced wherever they appear, whatever their shape.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.settings import Settings

HIDDEN = "[redacted]"
# A shorter secret setting is left to the patterns: replacing it everywhere would blot out
# ordinary words, and a real secret is longer anyway.
MIN_LITERAL_LENGTH = 8
TOKEN_CHARS = r"[A-Za-z0-9._~+/=-]"
# A record's own attributes (those the filter scrubs, or holding no text) and its message
# once formatted; every other attribute came through `extra=`.
_BARE_RECORD = logging.LogRecord("", 0, "", 0, "", None, None)
STANDARD_ATTRIBUTES = frozenset([*vars(_BARE_RECORD), "message", "asctime"])
SCALARS = (bool, int, float, type(None))
PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Slack: bot, user, app-level, refresh (xoxe), config tokens; the prefix says which.
    (re.compile(r"\b(xox[abposre]|xapp)-[A-Za-z0-9-]+"), rf"\1-{HIDDEN}"),
    # Authorization headers in any quoting: "Authorization: Bearer …", {'Authorization': '…'}.
    (
        re.compile(r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?)((?:bearer|basic)\s+)?[^'\"\s,}]+"),
        rf"\1\2{HIDDEN}",
    ),
    (re.compile(rf"(?i)\b(bearer|basic)\s+{TOKEN_CHARS}{{8,}}"), rf"\1 {HIDDEN}"),
    # A JWT anywhere (the Bot Framework's tokens and its signed activities).
    (re.compile(r"\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"), HIDDEN),
    # client_secret / refresh_token / access_token as form fields, query, JSON or repr.
    (
        re.compile(
            r"(?i)((?:client_secret|refresh_token|access_token)['\"]?\s*[:=]\s*['\"]?)"
            r"[^&'\"\s,}]+"
        ),
        rf"\1{HIDDEN}",
    ),
    # The OAuth code in the redirect's query or the exchange's form: single use, but a
    # code seen before the exchange would install the app in someone's name.
    (re.compile(r"([?&]code=|'code': ')[^&'\"\s]+"), rf"\1{HIDDEN}"),
    # scheme://user:PASSWORD@host (database URLs, proxies).
    (re.compile(r"(\b[A-Za-z][A-Za-z0-9+.-]*://[^:/@\s'\"]*:)[^@/\s'\"]+@"), rf"\1{HIDDEN}@"),
    # A Fernet token (a sealed Slack token): useless without the key, but not ours to show.
    (re.compile(r"\bgAAAAA[A-Za-z0-9_-]{20,}=*"), HIDDEN),
)


def redact(text: str, literals: Iterable[str] = ()) -> str:
    """`text` with every secret it shows replaced by [redacted]."""
    for literal in literals:
        text = text.replace(literal, HIDDEN)
    for pattern, replacement in PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactSecrets(logging.Filter):
    """A handler filter that scrubs the record in place and always lets it through."""

    def __init__(self, literals: Iterable[str] = ()) -> None:
        super().__init__()
        # Longest first, so a secret that contains another is hidden whole.
        usable = {s for s in literals if len(s) >= MIN_LITERAL_LENGTH}
        self.literals = sorted(usable, key=len, reverse=True)

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = redact(record.getMessage(), self.literals), None
        if record.exc_info and not record.exc_text:
            # Formatted here, once, so no handler formats the raw traceback again.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self.literals)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, self.literals)
        for name, value in vars(record).items():
            # What `extra=` added: a JSON line shows it all; a number or None has no secret.
            if name not in STANDARD_ATTRIBUTES and not isinstance(value, SCALARS):
                setattr(record, name, redact(str(value), self.literals))
        return True


def secret_values(settings: Settings) -> list[str]:
    """The values of every secret setting, old secret keys one by one."""
    values = [*settings.secret_keys]
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        if hasattr(value, "get_secret_value"):
            values.append(value.get_secret_value())
    return [v for v in values if v]


def install_redaction(settings: Settings, logger: logging.Logger | None = None) -> RedactSecrets:
    """Put one RedactSecrets filter on every handler of `logger` (the root logger)."""
    redactor = RedactSecrets(secret_values(settings))
    for handler in (logger or logging.getLogger()).handlers:
        if not any(isinstance(f, RedactSecrets) for f in handler.filters):
            handler.addFilter(redactor)
    return redactor
