"""every event gets a stored UUID (`uid`), the root of its outbound keys (`webhook-id`,
`Idempotency-Key`, the welcome's dedupe key), so no other hub or reset database repeats them;
existing events get one here

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 03:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# 32 random hex digits per row, in one statement on each backend (MariaDB's UUID() is a version 1
# UUID: unique, time- and host-based rather than random, which is all a key needs).
FILL = {
    "sqlite": "lower(hex(randomblob(16)))",
    "postgresql": "replace(gen_random_uuid()::text, '-', '')",
    "mysql": "replace(uuid(), '-', '')",
    "mariadb": "replace(uuid(), '-', '')",
}


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.add_column("integration_events", sa.Column("uid", sa.String(length=32), nullable=True))
    op.execute(f"UPDATE integration_events SET uid = {FILL[dialect]} WHERE uid IS NULL")  # noqa: S608
    if dialect == "sqlite":
        # No batch rebuild here: it drops the old table, and with foreign keys on that cascades to
        # every step, delivery and DLQ entry of the events. A unique index gives the same guarantee;
        # NOT NULL stays the application's on SQLite (every insert sets the uid).
        op.create_index("uq_integration_events_uid", "integration_events", ["uid"], unique=True)
        return
    op.alter_column("integration_events", "uid", existing_type=sa.String(length=32), nullable=False)
    op.create_unique_constraint("uq_integration_events_uid", "integration_events", ["uid"])


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.drop_index("uq_integration_events_uid", table_name="integration_events")
    else:
        op.drop_constraint("uq_integration_events_uid", "integration_events", type_="unique")
    op.drop_column("integration_events", "uid")
