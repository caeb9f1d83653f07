"""The channel's project by (channel, workspace): every request in a channel asks it first.

Without statistics, SQLite answered `workspace_id = ? AND channel_id = ?` through the
(workspace_id, key) unique index, reading every project of the workspace (100k projects:
40 ms for `/loop help`); an index on both columns is the one it takes.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 12:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.create_index(
            "ix_projects_channel_workspace", ["channel_id", "workspace_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_index("ix_projects_channel_workspace")
