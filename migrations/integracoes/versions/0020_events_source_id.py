"""console: the event search by source newest first reads an index backwards and stops
(integration_events (source, id)); the unique (source, idempotency_key) cannot give the id order,
so `/eventos?origem=X` sorted every event of the source (hundreds of thousands) — measured by
bench/run_console.py (docs/benchmarks.md, issue 16)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 07:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0020"
down_revision: str | Sequence[str] | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_integration_events_source_id", "integration_events", ["source", "id"])


def downgrade() -> None:
    op.drop_index("ix_integration_events_source_id", table_name="integration_events")
