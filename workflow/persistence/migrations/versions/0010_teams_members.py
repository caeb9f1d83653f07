"""Teams people seen per conversation: their MRI (for refresh.userIds) and their name.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 17:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "teams_members",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("conversation_id", sa.String(length=512), nullable=False),
        sa.Column("aad_object_id", sa.String(length=64), nullable=False),
        sa.Column("mri", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teams_members")),
        sa.UniqueConstraint(
            "tenant_id",
            "conversation_id",
            "aad_object_id",
            name=op.f("uq_teams_members_tenant_id"),
        ),
    )
    with op.batch_alter_table("teams_members", schema=None) as batch_op:
        batch_op.create_index(
            "ix_teams_members_person", ["tenant_id", "aad_object_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("teams_members", schema=None) as batch_op:
        batch_op.drop_index("ix_teams_members_person")

    op.drop_table("teams_members")
