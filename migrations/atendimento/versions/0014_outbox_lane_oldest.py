"""outbox: (lane, status, available_at) in place of (lane, status), so the oldest due work of a
lane is one index lookup: the console's overview and /health/detailed walked every pending row for
it (at the ingest's saturation hundreds of thousands, ~1 s per refresh beside the ingest) —
measured by bench/run_console.py (docs/benchmarks.md, issue 16). The counts per lane and status
still read the index alone.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 14:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_outbox_messages_lane_status_available_at", "outbox_messages", ["lane", "status", "available_at"]
    )
    op.drop_index("ix_outbox_messages_lane_status", table_name="outbox_messages")


def downgrade() -> None:
    op.create_index("ix_outbox_messages_lane_status", "outbox_messages", ["lane", "status"])
    op.drop_index("ix_outbox_messages_lane_status_available_at", table_name="outbox_messages")
