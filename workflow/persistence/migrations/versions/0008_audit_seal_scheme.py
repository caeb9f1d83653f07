"""Audit entries name how they are sealed: "sha256" (plain) or "hmac-v1" (keyed).

Every entry written before this revision was sealed with plain sha256, so the column
arrives holding "sha256" for all of them and they verify as before; entries written from
now on are "hmac-v1" wherever CLIENTLOOP_SECRET_KEY is set. Downgrading drops the column:
keyed entries then look like plain ones that were edited, so only downgrade a database
whose trail you are ready to re-verify with the newer release.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 16:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("scheme", sa.String(length=10), server_default="sha256", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_column("scheme")
