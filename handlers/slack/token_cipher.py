"""Slack tokens at rest: sealed under CLIENTLOOP_SECRET_KEY, opened with it or an older key.

Fernet (AES-128-CBC with HMAC-SHA256) through MultiFernet: the first key seals, every
key opens, and `rotate` re-seals under the first. `rotate_sealed_tokens` re-seals every
stored token, which is what `clientloop keys rotate` runs.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import Table, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from workflow.persistence.tables_slack import slack_bots, slack_installations

BOT_TOKENS = ("bot_token", "bot_refresh_token")
INSTALLATION_TOKENS = (*BOT_TOKENS, "user_token", "user_refresh_token")
SEALED_COLUMNS: dict[Table, tuple[str, ...]] = {
    slack_installations: INSTALLATION_TOKENS,
    slack_bots: BOT_TOKENS,
}
UNREADABLE = (
    "cannot be decrypted with CLIENTLOOP_SECRET_KEY or any of CLIENTLOOP_OLD_SECRET_KEYS: "
    "add the key it was stored with to CLIENTLOOP_OLD_SECRET_KEYS (or reinstall the app)"
)


def fernet_for(secret_key: str) -> Fernet:
    """The Fernet of a key setting: any string, its SHA-256 is the 32 bytes Fernet wants."""
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(secret_key.encode()).digest()))


class TokenCipher:
    """Seals with the current key; opens with the current key or any old one."""

    def __init__(self, secret_key: str, old_keys: Sequence[str] = ()) -> None:
        self._current = fernet_for(secret_key)
        self._keys = MultiFernet([self._current, *(fernet_for(key) for key in old_keys)])

    def seal(self, token: str) -> str:
        return self._keys.encrypt(token.encode()).decode()

    def open(self, sealed: str) -> str:
        try:
            return self._keys.decrypt(sealed.encode()).decode()
        except InvalidToken:
            raise ValueError(f"a stored Slack token {UNREADABLE}") from None

    def is_current(self, sealed: str) -> bool:
        """Whether the current key sealed it (then rotating it would change nothing)."""
        try:
            self._current.decrypt(sealed.encode())
        except InvalidToken:
            return False
        return True

    def rotate(self, sealed: str) -> str:
        """The same token sealed under the current key; ValueError when no key opens it."""
        try:
            return self._keys.rotate(sealed.encode()).decode()
        except InvalidToken:
            raise ValueError(f"a stored Slack token {UNREADABLE}") from None


@dataclass(frozen=True)
class Rotation:
    """What `rotate_sealed_tokens` did: tokens re-sealed, and tokens already current."""

    rotated: int
    current: int


async def rotate_sealed_tokens(connection: AsyncConnection, cipher: TokenCipher) -> Rotation:
    """Re-seal every stored token under the current key, in the caller's transaction.

    A token the current key already opens is left as it is, so a second run rotates none.
    """
    rotated = current = 0
    for table, names in SEALED_COLUMNS.items():
        rows = await connection.execute(select(table.c.id, *(table.c[n] for n in names)))
        for row in rows.mappings().all():
            changes = {}
            for name in names:
                sealed = row[name]
                if not sealed:
                    continue
                if cipher.is_current(sealed):
                    current += 1
                    continue
                try:
                    changes[name] = cipher.rotate(sealed)
                except ValueError:
                    where = f"{table.name}.{name} of row {row['id']}"
                    raise ValueError(f"the Slack token in {where} {UNREADABLE}") from None
            if changes:
                await connection.execute(
                    update(table).where(table.c.id == row["id"]).values(**changes)
                )
                rotated += len(changes)
    return Rotation(rotated, current)
