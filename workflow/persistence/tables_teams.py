"""Teams conversation references and the people seen in them, on our metadata.

One row per (tenant, conversation): what the Bot Connector told us when the bot was
installed or first heard from there. Proactive messages go to the row's own `service_url`.
One row per (tenant, conversation, AAD object id) of `teams_members`: the person's MRI
(`29:…`, what Teams wants in a card's `refresh.userIds`) and name, as last seen there.
"""

from sqlalchemy import Boolean, Column, Index, Integer, String, Table, UniqueConstraint

from workflow.persistence.columns import UTCDateTime, metadata

TEAMS_ID = String(64)  # tenant ids and AAD object ids are GUIDs
TEAMS_CONVERSATION = String(512)  # e.g. "19:…@thread.tacv2" or "a:1…" (long)

teams_conversations = Table(
    "teams_conversations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant_id", TEAMS_ID, nullable=False),
    Column("conversation_id", TEAMS_CONVERSATION, nullable=False),
    Column("conversation_type", String(20), nullable=False),
    Column("service_url", String(500), nullable=False),
    Column("bot_id", String(200), nullable=False),
    Column("aad_object_id", TEAMS_ID),
    Column("team_id", TEAMS_CONVERSATION),
    Column("channel_id", TEAMS_CONVERSATION),
    Column("time_zone", String(64)),
    Column("installed", Boolean, nullable=False, default=True),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("tenant_id", "conversation_id"),
    Index("ix_teams_conversations_person", "tenant_id", "aad_object_id"),
)

teams_members = Table(
    "teams_members",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant_id", TEAMS_ID, nullable=False),
    Column("conversation_id", TEAMS_CONVERSATION, nullable=False),
    Column("aad_object_id", TEAMS_ID, nullable=False),
    Column("mri", String(200), nullable=False),
    Column("name", String(200), nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("tenant_id", "conversation_id", "aad_object_id"),
    Index("ix_teams_members_person", "tenant_id", "aad_object_id"),
)
