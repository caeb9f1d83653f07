"""The scheduler keeps people's hours: when each participant joined (no check-in for a week
before that), which decisions each check-in carries (its copy is updated when one settles),
whom an escalation has reached (each recipient in their own working hours), and a digest run
per PM (each PM's digest at their own check-in time).

Existing participants joined when their project was created; existing check-ins carry
nothing known; existing escalations reached everyone; existing digest runs name no PM.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 23:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EMPTY = sa.text("'[]'")


def upgrade() -> None:
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("joined_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE participants SET joined_at = "
        "(SELECT created_at FROM projects WHERE projects.id = participants.project_id)"
    )
    with op.batch_alter_table("checkins", schema=None) as batch_op:
        batch_op.add_column(sa.Column("carried", sa.JSON(), server_default=EMPTY, nullable=False))
    with op.batch_alter_table("chases", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("escalated_to", sa.JSON(), server_default=EMPTY, nullable=False)
        )
    with op.batch_alter_table("digest_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("person_id", sa.Integer(), nullable=True))
        batch_op.drop_constraint("uq_digest_runs_project_id", type_="unique")
        batch_op.create_unique_constraint(
            "uq_digest_runs_project_id", ["project_id", "person_id", "week"]
        )


def downgrade() -> None:
    with op.batch_alter_table("digest_runs", schema=None) as batch_op:
        batch_op.drop_constraint("uq_digest_runs_project_id", type_="unique")
        batch_op.drop_column("person_id")
        batch_op.create_unique_constraint("uq_digest_runs_project_id", ["project_id", "week"])
    with op.batch_alter_table("chases", schema=None) as batch_op:
        batch_op.drop_column("escalated_to")
    with op.batch_alter_table("checkins", schema=None) as batch_op:
        batch_op.drop_column("carried")
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.drop_column("joined_at")
