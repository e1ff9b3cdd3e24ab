"""SLA policies, conversation SLA state and breaches

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 21:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import carinho.kit.db

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sla_alert_settings",
        sa.Column("backlog_unassigned_threshold", sa.Integer(), nullable=False),
        sa.Column("backlog_waiting_threshold", sa.Integer(), nullable=False),
        sa.Column("backlog_growth_threshold", sa.Integer(), nullable=False),
        sa.Column("backlog_window_minutes", sa.Integer(), nullable=False),
        sa.Column("send_failures_threshold", sa.Integer(), nullable=False),
        sa.Column("send_failures_window_minutes", sa.Integer(), nullable=False),
        sa.Column("raised", sa.JSON(), nullable=False),
        sa.Column("samples", sa.JSON(), nullable=False),
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("created_at", carinho.kit.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", carinho.kit.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_alert_settings")),
    )
    op.create_table(
        "sla_policies",
        sa.Column("priority", sa.String(length=16), nullable=False),
        sa.Column("first_response_minutes", sa.Integer(), nullable=False),
        sa.Column("next_response_minutes", sa.Integer(), nullable=False),
        sa.Column("resolution_minutes", sa.Integer(), nullable=False),
        sa.Column("at_risk_percent", sa.Integer(), nullable=False),
        sa.Column("pause_while_waiting_customer", sa.Boolean(), nullable=False),
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("created_at", carinho.kit.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", carinho.kit.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_policies")),
        sa.UniqueConstraint("priority", name=op.f("uq_sla_policies_priority")),
    )
    op.create_table(
        "sla_conversations",
        sa.Column("conversation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("priority", sa.String(length=16), nullable=False),
        sa.Column("started_at", carinho.kit.db.UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("paused_since", carinho.kit.db.UTCDateTime(), nullable=True),
        sa.Column("paused_business_minutes", sa.Float(), nullable=False),
        sa.Column("pauses", sa.JSON(), nullable=False),
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("created_at", carinho.kit.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", carinho.kit.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_sla_conversations_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_conversations")),
        sa.UniqueConstraint("conversation_id", name=op.f("uq_sla_conversations_conversation_id")),
    )
    with op.batch_alter_table("sla_conversations", schema=None) as batch_op:
        batch_op.create_index("ix_sla_conversations_status", ["status"], unique=False)

    op.create_table(
        "sla_targets",
        sa.Column("conversation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("target", sa.String(length=16), nullable=False),
        sa.Column("cycle", sa.Integer(), nullable=False),
        sa.Column("priority", sa.String(length=16), nullable=False),
        sa.Column("target_minutes", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", carinho.kit.db.UTCDateTime(), nullable=False),
        sa.Column("at_risk_at", carinho.kit.db.UTCDateTime(), nullable=False),
        sa.Column("due_at", carinho.kit.db.UTCDateTime(), nullable=False),
        sa.Column("paused_since", carinho.kit.db.UTCDateTime(), nullable=True),
        sa.Column("paused_business_minutes", sa.Float(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("at_risk_since", carinho.kit.db.UTCDateTime(), nullable=True),
        sa.Column("breached_at", carinho.kit.db.UTCDateTime(), nullable=True),
        sa.Column("ended_at", carinho.kit.db.UTCDateTime(), nullable=True),
        sa.Column("met_in_time", sa.Boolean(), nullable=True),
        sa.Column("business_minutes", sa.Float(), nullable=True),
        sa.Column("wall_minutes", sa.Float(), nullable=True),
        sa.Column("agent_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("created_at", carinho.kit.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", carinho.kit.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_sla_targets_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_targets")),
        sa.UniqueConstraint("conversation_id", "target", "cycle", name="uq_sla_targets_conversation_cycle"),
    )
    with op.batch_alter_table("sla_targets", schema=None) as batch_op:
        batch_op.create_index("ix_sla_targets_started", ["started_at"], unique=False)
        batch_op.create_index("ix_sla_targets_status_at_risk", ["status", "at_risk_at"], unique=False)
        batch_op.create_index("ix_sla_targets_status_due", ["status", "due_at"], unique=False)
        batch_op.create_index("ix_sla_targets_target_ended", ["target", "ended_at"], unique=False)

    op.create_table(
        "sla_breaches",
        sa.Column("conversation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("target_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("target", sa.String(length=16), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("priority", sa.String(length=16), nullable=False),
        sa.Column("due_at", carinho.kit.db.UTCDateTime(), nullable=False),
        sa.Column("detected_at", carinho.kit.db.UTCDateTime(), nullable=False),
        sa.Column("overdue_business_minutes", sa.Float(), nullable=False),
        sa.Column("ended_at", carinho.kit.db.UTCDateTime(), nullable=True),
        sa.Column("assignee_id", sa.BigInteger(), nullable=True),
        sa.Column("assignee_name", sa.String(length=120), nullable=True),
        sa.Column("level", sa.String(length=4), nullable=False),
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_sla_breaches_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target_id"],
            ["sla_targets.id"],
            name=op.f("fk_sla_breaches_target_id_sla_targets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_breaches")),
        sa.UniqueConstraint("target_id", "revision", name="uq_sla_breaches_target_revision"),
    )
    with op.batch_alter_table("sla_breaches", schema=None) as batch_op:
        batch_op.create_index("ix_sla_breaches_conversation", ["conversation_id"], unique=False)
        batch_op.create_index("ix_sla_breaches_detected", ["detected_at"], unique=False)


def downgrade() -> None:
    # Dropping a table drops its indexes (MariaDB refuses to drop one a foreign key still needs).
    op.drop_table("sla_breaches")
    op.drop_table("sla_targets")
    op.drop_table("sla_conversations")
    op.drop_table("sla_policies")
    op.drop_table("sla_alert_settings")
