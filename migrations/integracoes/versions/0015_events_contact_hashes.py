"""integration_events: keyed hashes of the payload's phone and e-mail, and an index on the idempotency
key alone — the console's event search (by contact, by key without its source)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable, no default: a metadata-only change; events stored before have no hashes (not found
    # by contact, found by every other filter).
    op.add_column("integration_events", sa.Column("contact_phone_hash", sa.String(64), nullable=True))
    op.add_column("integration_events", sa.Column("contact_email_hash", sa.String(64), nullable=True))
    for name, column in (
        ("ix_integration_events_phone_hash", "contact_phone_hash"),
        ("ix_integration_events_email_hash", "contact_email_hash"),
    ):
        op.create_index(
            name,
            "integration_events",
            [column, "id"],
            sqlite_where=sa.text(f"{column} IS NOT NULL"),
            postgresql_where=sa.text(f"{column} IS NOT NULL"),
        )
    op.create_index("ix_integration_events_idempotency_key", "integration_events", ["idempotency_key", "id"])


def downgrade() -> None:
    op.drop_index("ix_integration_events_idempotency_key", table_name="integration_events")
    op.drop_index("ix_integration_events_email_hash", table_name="integration_events")
    op.drop_index("ix_integration_events_phone_hash", table_name="integration_events")
    op.drop_column("integration_events", "contact_email_hash")
    op.drop_column("integration_events", "contact_phone_hash")
