"""metrics pre-aggregation

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 21:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import carinho.kit.db

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "metrics_message_hours",
        sa.Column("hour_start", carinho.kit.db.UTCDateTime(), nullable=False),
        sa.Column("inbound", sa.Integer(), nullable=False),
        sa.Column("outbound", sa.Integer(), nullable=False),
        sa.Column("counted_at", carinho.kit.db.UTCDateTime(), nullable=False),
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_metrics_message_hours")),
        sa.UniqueConstraint("hour_start", name=op.f("uq_metrics_message_hours_hour_start")),
    )
    # Indexes on the inbox's tables for the live metrics (declared in inbox/models.py too).
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_conversations_status_level", ["status", "level", "assignee_id", "waiting_since"], unique=False
        )
        batch_op.create_index("ix_conversations_first_response_at", ["first_response_at"], unique=False)
        batch_op.create_index("ix_conversations_resolved_at", ["resolved_at"], unique=False)
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index(
            "ix_messages_created_direction", ["created_at", "direction", "private"], unique=False
        )
    # Partial on SQLite and PostgreSQL (MariaDB has no partial indexes: there it is a plain one).
    op.create_index(
        "ix_messages_failed_at",
        "messages",
        ["failed_at"],
        unique=False,
        sqlite_where=sa.text("failed_at IS NOT NULL"),
        postgresql_where=sa.text("failed_at IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_messages_failed_at", table_name="messages")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index("ix_messages_created_direction")
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_index("ix_conversations_resolved_at")
        batch_op.drop_index("ix_conversations_first_response_at")
        batch_op.drop_index("ix_conversations_status_level")
    op.drop_table("metrics_message_hours")
