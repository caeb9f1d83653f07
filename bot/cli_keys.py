"""`clientloop keys rotate`: re-seal every stored secret under the current CLIENTLOOP_SECRET_KEY."""

from __future__ import annotations

import argparse
import asyncio
import functools
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from bot.settings import Settings
    from handlers.slack.token_cipher import Rotation

# As in bot.cli, which calls `add_keys_commands` (importing it back would make a cycle).
Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def add_keys_commands(commands: Subparsers, settings: Callable[[], Settings]) -> None:
    """`clientloop keys rotate`; `settings` loads the settings (and sets up logging) as every
    command does."""
    parser = commands.add_parser("keys", help="the keys that encrypt stored secrets")
    actions = parser.add_subparsers(dest="keys_action", required=True, metavar="ACTION")
    actions.add_parser(
        "rotate",
        help="re-encrypt every stored token with CLIENTLOOP_SECRET_KEY "
        "(CLIENTLOOP_OLD_SECRET_KEYS lists the keys they may be under now)",
    ).set_defaults(handler=functools.partial(keys_rotate, settings=settings))


def keys_rotate(_args: argparse.Namespace, settings: Callable[[], Settings]) -> int:
    loaded = settings()
    if not loaded.secret_keys:
        print("clientloop: CLIENTLOOP_SECRET_KEY is not set: nothing to rotate to", file=sys.stderr)
        return 2
    current, *old = loaded.secret_keys
    try:
        done = asyncio.run(_rotate(loaded.database_url, current, old))
    except ValueError as exc:
        print(f"clientloop: nothing rotated: {exc}", file=sys.stderr)
        return 1
    print(f"keys rotated: {done.rotated} token(s) re-encrypted, {done.current} already current")
    return 0


async def _rotate(url: str, current: str, old: list[str]) -> Rotation:
    """One transaction: every token is re-sealed, or (on a token no key opens) none is."""
    from handlers.slack.token_cipher import TokenCipher, rotate_sealed_tokens
    from workflow.persistence.db import make_engine

    engine = make_engine(url)
    try:
        async with engine.begin() as connection:
            return await rotate_sealed_tokens(connection, TokenCipher(current, old))
    finally:
        await engine.dispose()
