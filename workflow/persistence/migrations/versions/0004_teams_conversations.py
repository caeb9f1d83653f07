"""Teams conversations: a reference per (tenant, conversation), for proactive messages.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 13:32:46.824414
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "teams_conversations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("conversation_id", sa.String(length=512), nullable=False),
        sa.Column("conversation_type", sa.String(length=20), nullable=False),
        sa.Column("service_url", sa.String(length=500), nullable=False),
        sa.Column("bot_id", sa.String(length=200), nullable=False),
        sa.Column("aad_object_id", sa.String(length=64), nullable=True),
        sa.Column("team_id", sa.String(length=512), nullable=True),
        sa.Column("channel_id", sa.String(length=512), nullable=True),
        sa.Column("time_zone", sa.String(length=64), nullable=True),
        sa.Column("installed", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teams_conversations")),
        sa.UniqueConstraint(
            "tenant_id", "conversation_id", name=op.f("uq_teams_conversations_tenant_id")
        ),
    )
    with op.batch_alter_table("teams_conversations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_teams_conversations_person", ["tenant_id", "aad_object_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("teams_conversations", schema=None) as batch_op:
        batch_op.drop_index("ix_teams_conversations_person")

    op.drop_table("teams_conversations")
