"""Slack tables on our metadata: slack-sdk's OAuth stores, and who has opened their App Home.

The columns follow slack-sdk's `SQLAlchemyInstallationStore.build_*_table` and
`SQLAlchemyOAuthStateStore.build_oauth_states_table` (the core may not import slack-sdk,
so they are written out here); the token columns are wider, because they hold tokens
encrypted with CLIENTLOOP_SECRET_KEY, which are longer than the tokens themselves.
Times are naive UTC, as slack-sdk writes and compares them.
"""

from datetime import datetime

from sqlalchemy import Boolean, Column, DateTime, Index, Integer, String, Table, func

from workflow.persistence.columns import UTCDateTime, metadata

SLACK_ID = String(32)
NAME = String(200)
SCOPES = String(1000)
SEALED_TOKEN = String(1000)  # a Fernet token of a Slack token


def _installed_at() -> Column[datetime]:
    return Column("installed_at", DateTime, nullable=False, default=func.now())


slack_installations = Table(
    "slack_installations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("client_id", SLACK_ID, nullable=False),
    Column("app_id", SLACK_ID, nullable=False),
    Column("enterprise_id", SLACK_ID),
    Column("enterprise_name", NAME),
    Column("enterprise_url", NAME),
    Column("team_id", SLACK_ID),
    Column("team_name", NAME),
    Column("bot_token", SEALED_TOKEN),
    Column("bot_id", SLACK_ID),
    Column("bot_user_id", SLACK_ID),
    Column("bot_scopes", SCOPES),
    Column("bot_refresh_token", SEALED_TOKEN),
    Column("bot_token_expires_at", DateTime),
    Column("user_id", SLACK_ID, nullable=False),
    Column("user_token", SEALED_TOKEN),
    Column("user_scopes", SCOPES),
    Column("user_refresh_token", SEALED_TOKEN),
    Column("user_token_expires_at", DateTime),
    Column("incoming_webhook_url", NAME),
    Column("incoming_webhook_channel", NAME),
    Column("incoming_webhook_channel_id", NAME),
    Column("incoming_webhook_configuration_url", NAME),
    Column("is_enterprise_install", Boolean, default=False, nullable=False),
    Column("token_type", SLACK_ID),
    _installed_at(),
    Index(
        "slack_installations_idx",
        "client_id",
        "enterprise_id",
        "team_id",
        "user_id",
        "installed_at",
    ),
)

slack_bots = Table(
    "slack_bots",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("client_id", SLACK_ID, nullable=False),
    Column("app_id", SLACK_ID, nullable=False),
    Column("enterprise_id", SLACK_ID),
    Column("enterprise_name", NAME),
    Column("team_id", SLACK_ID),
    Column("team_name", NAME),
    Column("bot_token", SEALED_TOKEN),
    Column("bot_id", SLACK_ID),
    Column("bot_user_id", SLACK_ID),
    Column("bot_scopes", SCOPES),
    Column("bot_refresh_token", SEALED_TOKEN),
    Column("bot_token_expires_at", DateTime),
    Column("is_enterprise_install", Boolean, default=False, nullable=False),
    _installed_at(),
    Index("slack_bots_idx", "client_id", "enterprise_id", "team_id", "installed_at"),
)

slack_oauth_states = Table(
    "slack_oauth_states",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("state", String(200), nullable=False),
    Column("expire_at", DateTime, nullable=False),
)

# Who has opened their App Home, so a delivery that changes what waits on them republishes
# it (handlers/slack/home_tabs.py): `workspace_id` is the installation whose token publishes,
# (`org_id`, `user_id`) the person's own identity; `stale`: a republish is owed, and due
# once `published_at` is far enough back.
slack_home_viewers = Table(
    "slack_home_viewers",
    metadata,
    Column("org_id", SLACK_ID, primary_key=True),
    Column("user_id", SLACK_ID, primary_key=True),
    Column("workspace_id", SLACK_ID, nullable=False),
    Column("person_id", Integer, nullable=False),
    Column("opened_at", UTCDateTime, nullable=False),
    Column("published_at", UTCDateTime, nullable=False),
    Column("stale", Boolean, nullable=False, default=False),
    Index("ix_slack_home_viewers_person", "person_id"),
)
