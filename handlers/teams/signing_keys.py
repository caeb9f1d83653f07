"""The Teams SDK's check of inbound tokens, run beside the event loop (its key fetch blocks).

The SDK validates each activity's JWT in a coroutine that never awaits: it fetches the Bot
Framework's signing keys with PyJWKClient (urllib) when it has none cached, or meets a key
id it does not know. On the event loop, that is up to seconds (30 s of timeout) in which no
other request, reply or scheduled job runs, whenever the keys roll over or anyone sends a
token with a made-up key id. Here each check runs on a worker thread, in a loop of its own.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Protocol

from handlers.teams.app import App

VALIDATOR_ATTRIBUTE = "_token_validator"  # where the SDK's HttpServer keeps its validator

log = logging.getLogger("clientloop.teams")


class TokenCheck(Protocol):
    """What the SDK's HttpServer calls on its validator for each activity."""

    async def validate_token(
        self, raw_token: str, service_url: str | None = None
    ) -> dict[str, Any]: ...


class OffTheLoop:
    """The SDK's validator, each check on a worker thread (same claims, same errors)."""

    def __init__(self, inner: TokenCheck) -> None:
        self.inner = inner

    async def validate_token(
        self, raw_token: str, service_url: str | None = None
    ) -> dict[str, Any]:
        check = self.inner.validate_token(raw_token, service_url)
        return await asyncio.to_thread(asyncio.run, check)


def check_tokens_off_the_loop(app: App) -> bool:
    """After `app.initialize()`: the SDK's token check moved off the event loop. False when
    there is none (unauthenticated local mode) or the SDK keeps it elsewhere now."""
    server = app.server
    inner = getattr(server, VALIDATOR_ATTRIBUTE, None)
    if inner is None or isinstance(inner, OffTheLoop):
        return isinstance(inner, OffTheLoop)
    if not callable(getattr(inner, "validate_token", None)):
        log.warning("Teams: the SDK's token validator has no validate_token; left as it is")
        return False
    setattr(server, VALIDATOR_ATTRIBUTE, OffTheLoop(inner))
    return True
