"""The sender alone in a process, for the crash test: delivers the outbox until it is killed.

Reads the usual settings from the environment (DATABASE_URL, SLACK_BOT_TOKEN,
SLACK_API_URL, CLIENTLOOP_OUTBOX_LEASE_SECONDS, CLIENTLOOP_SLACK_*), no .env file.
"""

from __future__ import annotations

import asyncio

from slack_sdk.web.async_client import AsyncWebClient

from bot.bootstrap import bootstrap, delivery_options
from bot.settings import load_settings
from handlers.slack.clients import WorkspaceClients
from handlers.slack.notifier import SlackNotifier
from workflow.domain.people import Platform

PAUSE = 0.05


async def main() -> None:
    settings = load_settings(env_file=None)
    assert settings.slack_bot_token is not None, "set SLACK_BOT_TOKEN"
    client = AsyncWebClient(
        base_url=settings.slack_api_url, token=settings.slack_bot_token.get_secret_value()
    )
    notifier = SlackNotifier(WorkspaceClients(settings.slack_api_url, client=client))
    runtime = bootstrap(
        settings.database_url,
        notifiers={Platform.SLACK: notifier},
        deliver_after_commit=False,
        delivery=delivery_options(settings),
    )
    print("sender started", flush=True)
    while True:
        await runtime.sender.deliver_pending()
        await asyncio.sleep(PAUSE)


if __name__ == "__main__":
    asyncio.run(main())
