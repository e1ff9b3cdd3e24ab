"""delivery attempts are recorded before their request: an attempt in flight (`sending`) has no
duration or end yet

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 03:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import carinho.kit.db

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("webhook_delivery_attempts", schema=None) as batch_op:
        batch_op.alter_column("duration_ms", existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column("finished_at", existing_type=carinho.kit.db.UTCDateTime(), nullable=True)


def downgrade() -> None:
    op.execute(
        "UPDATE webhook_delivery_attempts SET status = 'failed', duration_ms = 0, finished_at = started_at"
        " WHERE finished_at IS NULL"
    )
    op.execute("UPDATE webhook_delivery_attempts SET duration_ms = 0 WHERE duration_ms IS NULL")
    with op.batch_alter_table("webhook_delivery_attempts", schema=None) as batch_op:
        batch_op.alter_column("duration_ms", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("finished_at", existing_type=carinho.kit.db.UTCDateTime(), nullable=False)
