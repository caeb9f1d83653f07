"""Who has opened their Slack App Home, so what changes their pending items republishes it.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 17:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "slack_home_viewers",
        sa.Column("org_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("workspace_id", sa.String(length=32), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stale", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("org_id", "user_id", name=op.f("pk_slack_home_viewers")),
    )
    with op.batch_alter_table("slack_home_viewers", schema=None) as batch_op:
        batch_op.create_index("ix_slack_home_viewers_person", ["person_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("slack_home_viewers", schema=None) as batch_op:
        batch_op.drop_index("ix_slack_home_viewers_person")

    op.drop_table("slack_home_viewers")
