"""console lists over a million events: newest first within a status or a type
(integration_events (status, id), (event_type, id) in place of (event_type, created_at)), and the
DLQ's open items newest first and per target system (dead_letters (status, id), (status,
target_system)); the processing latencies read from the index alone (processed_at, created_at) —
measured by bench/run_console.py (docs/benchmarks.md, issue 16)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

PROCESSED = sa.text("processed_at IS NOT NULL")  # partial where the database can (see 0011)

revision: str = "0019"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_integration_events_status_id", "integration_events", ["status", "id"])
    op.create_index("ix_integration_events_type_id", "integration_events", ["event_type", "id"])
    op.drop_index("ix_integration_events_type_created_at", table_name="integration_events")
    op.create_index("ix_dead_letters_status_id", "dead_letters", ["status", "id"])
    op.create_index("ix_dead_letters_status_target_system", "dead_letters", ["status", "target_system"])
    op.create_index(
        "ix_integration_events_processed_at_created_at",
        "integration_events",
        ["processed_at", "created_at"],
        sqlite_where=PROCESSED,
        postgresql_where=PROCESSED,
    )
    op.drop_index("ix_integration_events_processed_at", table_name="integration_events")


def downgrade() -> None:
    op.create_index(
        "ix_integration_events_processed_at",
        "integration_events",
        ["processed_at"],
        sqlite_where=PROCESSED,
        postgresql_where=PROCESSED,
    )
    op.drop_index("ix_integration_events_processed_at_created_at", table_name="integration_events")
    op.drop_index("ix_dead_letters_status_target_system", table_name="dead_letters")
    op.drop_index("ix_dead_letters_status_id", table_name="dead_letters")
    op.create_index(
        "ix_integration_events_type_created_at", "integration_events", ["event_type", "created_at"]
    )
    op.drop_index("ix_integration_events_type_id", table_name="integration_events")
    op.drop_index("ix_integration_events_status_id", table_name="integration_events")
