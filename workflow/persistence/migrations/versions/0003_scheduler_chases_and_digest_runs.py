"""Scheduler: chases (reminders and escalations per person and item) and weekly digest runs.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 13:11:34.044342
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "chases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reminders", sa.Integer(), nullable=False),
        sa.Column("last_reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_chases_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_chases_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chases")),
        sa.UniqueConstraint("kind", "item_id", "person_id", "version", name=op.f("uq_chases_kind")),
    )
    with op.batch_alter_table("chases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chases_project_id"), ["project_id"], unique=False)

    op.create_table(
        "digest_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_digest_runs_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digest_runs")),
        sa.UniqueConstraint("project_id", "week", name=op.f("uq_digest_runs_project_id")),
    )
    with op.batch_alter_table("digest_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_digest_runs_project_id"), ["project_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("digest_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_digest_runs_project_id"))

    op.drop_table("digest_runs")
    with op.batch_alter_table("chases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chases_project_id"))

    op.drop_table("chases")
