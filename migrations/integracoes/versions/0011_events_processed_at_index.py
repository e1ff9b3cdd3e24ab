"""integration_events: index on processed_at (the stats' processing latencies)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Partial on SQLite and PostgreSQL: an event is inserted unprocessed, so the webhooks' inserts do
    # not touch it. MariaDB has no partial indexes: there it is a plain one.
    op.create_index(
        "ix_integration_events_processed_at",
        "integration_events",
        ["processed_at"],
        unique=False,
        sqlite_where=sa.text("processed_at IS NOT NULL"),
        postgresql_where=sa.text("processed_at IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_integration_events_processed_at", table_name="integration_events")
