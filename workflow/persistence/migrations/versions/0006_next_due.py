"""Scheduler: projects.next_due_at, indexed, so a tick reads only the projects that are due.

Existing open projects are due at once (from when they were created, which is in the
past): the first tick after the upgrade works each of them, oldest first, and plans its
real next moment. Closed projects are never due (NULL).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

projects = sa.table(
    "projects",
    sa.column("state", sa.String(10)),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("next_due_at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_due_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_projects_next_due_at", ["next_due_at", "id"], unique=False)
    op.execute(
        projects.update()
        .where(projects.c.state != "closed")
        .values(next_due_at=projects.c.created_at)
    )


def downgrade() -> None:
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_index("ix_projects_next_due_at")
        batch_op.drop_column("next_due_at")
