"""hub alerts: rules (an admin's thresholds) and alerts (pending, open, resolved; one open per key);
the overview's time indexes on finished outbox work and delivery attempts

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import carinho.kit.db

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "hub_alert_rules",
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("window_minutes", sa.Integer(), nullable=False),
        sa.Column("updated_at", carinho.kit.db.UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("kind", name=op.f("pk_hub_alert_rules")),
    )
    op.create_table(
        "hub_alerts",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=80), nullable=False),
        sa.Column("open_key", sa.String(length=130), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("breached_since", carinho.kit.db.UTCDateTime(), nullable=False),
        sa.Column("opened_at", carinho.kit.db.UTCDateTime(), nullable=True),
        sa.Column("resolved_at", carinho.kit.db.UTCDateTime(), nullable=True),
        sa.Column("acknowledged_at", carinho.kit.db.UTCDateTime(), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=120), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hub_alerts")),
    )
    # NULLs never collide, so resolved alerts (open_key NULL) pile up while one key stays open.
    op.create_index("uq_hub_alerts_open_key", "hub_alerts", ["open_key"], unique=True)
    op.create_index("ix_hub_alerts_status_id", "hub_alerts", ["status", "id"])
    # The overview's throughput: work finished per lane, delivery attempts per target, by time.
    op.create_index("ix_outbox_messages_status_completed_at", "outbox_messages", ["status", "completed_at"])
    op.create_index("ix_webhook_delivery_attempts_finished_at", "webhook_delivery_attempts", ["finished_at"])


def downgrade() -> None:
    op.drop_index("ix_webhook_delivery_attempts_finished_at", table_name="webhook_delivery_attempts")
    op.drop_index("ix_outbox_messages_status_completed_at", table_name="outbox_messages")
    op.drop_index("ix_hub_alerts_status_id", table_name="hub_alerts")
    op.drop_index("uq_hub_alerts_open_key", table_name="hub_alerts")
    op.drop_table("hub_alerts")
    op.drop_table("hub_alert_rules")
