"""slack-sdk's SQL installation and OAuth state stores on our tables, tokens encrypted at rest."""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable, Sequence
from typing import TypeVar

from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from sqlalchemy.ext.asyncio import AsyncEngine

from handlers.slack.token_cipher import BOT_TOKENS, INSTALLATION_TOKENS, TokenCipher
from workflow.persistence.columns import metadata
from workflow.persistence.tables_slack import slack_bots, slack_installations, slack_oauth_states

log = logging.getLogger("clientloop.slack")

STATE_EXPIRATION_SECONDS = 600

Record = TypeVar("Record", Bot, Installation)


class EncryptedInstallationStore(AsyncInstallationStore):
    """Wraps slack-sdk's store: tokens are sealed before every save and opened after every find.

    A wrapper rather than a subclass: the inner store's `async_save` calls its own
    `async_save_bot` with the already sealed tokens, which must not be sealed twice.
    """

    def __init__(self, inner: AsyncSQLAlchemyInstallationStore, cipher: TokenCipher) -> None:
        self.inner, self.cipher = inner, cipher

    @property
    def logger(self) -> logging.Logger:
        return self.inner.logger

    async def async_save(self, installation: Installation) -> None:
        await self.inner.async_save(self._convert(installation, self.cipher.seal))

    async def async_save_bot(self, bot: Bot) -> None:
        await self.inner.async_save_bot(self._convert(bot, self.cipher.seal))

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        bot = await self.inner.async_find_bot(
            enterprise_id=enterprise_id,
            team_id=team_id,
            is_enterprise_install=is_enterprise_install,
        )
        return None if bot is None else self._convert(bot, self.cipher.open)

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        found = await self.inner.async_find_installation(
            enterprise_id=enterprise_id,
            team_id=team_id,
            user_id=user_id,
            is_enterprise_install=is_enterprise_install,
        )
        return None if found is None else self._convert(found, self.cipher.open)

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await self.inner.async_delete_bot(enterprise_id=enterprise_id, team_id=team_id)

    async def async_delete_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
    ) -> None:
        await self.inner.async_delete_installation(
            enterprise_id=enterprise_id, team_id=team_id, user_id=user_id
        )

    @staticmethod
    def _convert(record: Record, change: Callable[[str], str]) -> Record:
        converted = copy.copy(record)
        names = INSTALLATION_TOKENS if isinstance(record, Installation) else BOT_TOKENS
        for name in names:
            value = getattr(record, name, None)
            if value:
                setattr(converted, name, change(value))
        return converted


def installation_store(
    client_id: str, engine: AsyncEngine, secret_key: str, old_keys: Sequence[str] = ()
) -> EncryptedInstallationStore:
    """slack-sdk's async SQL installation store, on our metadata's tables, tokens encrypted
    with `secret_key` (and still readable when sealed with one of `old_keys`)."""
    inner = AsyncSQLAlchemyInstallationStore(client_id=client_id, engine=engine, logger=log)
    inner.metadata = metadata
    inner.installations, inner.bots = slack_installations, slack_bots
    return EncryptedInstallationStore(inner, TokenCipher(secret_key, old_keys))


def oauth_state_store(engine: AsyncEngine) -> AsyncSQLAlchemyOAuthStateStore:
    """slack-sdk's async SQL OAuth state store, on our metadata's table."""
    store = AsyncSQLAlchemyOAuthStateStore(
        expiration_seconds=STATE_EXPIRATION_SECONDS, engine=engine, logger=log
    )
    store.metadata = metadata
    store.oauth_states = slack_oauth_states
    return store
