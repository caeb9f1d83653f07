"""Read indexes: one project's items by state, for what waits on whom (pending, Home, digest).

Each flow's `waiting` asks for a project's items in their open states only; with
(project_id, state) the database reads those rows and no decided ones.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 10:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (
    "change_requests",
    "signoff_requests",
    "status_reports",
    "checkins",
    "customer_requests",
    "notices",
    "invitations",
)


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(
                f"ix_{table}_project_state", ["project_id", "state"], unique=False
            )


def downgrade() -> None:
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f"ix_{table}_project_state")
