"""escalation rules and escalations

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 21:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import carinho.kit.db

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(
        "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
    )


def _conversation_id() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column("conversation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "escalation_rules",
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("target_level", sa.String(length=4), nullable=False),
        sa.Column("raise_priority", sa.String(length=16), nullable=True),
        sa.Column("notify_operacao", sa.Boolean(), nullable=False),
        sa.Column("opens_emergency", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("keywords", sa.JSON(), nullable=False),
        sa.Column("question_code", sa.String(length=64), nullable=True),
        sa.Column("answer_values", sa.JSON(), nullable=False),
        sa.Column("sla_target", sa.String(length=24), nullable=True),
        sa.Column("threshold", sa.Integer(), nullable=True),
        sa.Column("window_hours", sa.Integer(), nullable=True),
        sa.Column("updated_by_id", sa.BigInteger(), nullable=True),
        _id(),
        sa.Column("created_at", carinho.kit.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", carinho.kit.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalation_rules")),
    )
    with op.batch_alter_table("escalation_rules", schema=None) as batch_op:
        batch_op.create_index("ix_escalation_rules_kind_active", ["kind", "active"], unique=False)

    op.create_table(
        "escalation_rule_firings",
        sa.Column("rule_id", sa.BigInteger(), nullable=False),
        _conversation_id(),
        sa.Column("created_at", carinho.kit.db.UTCDateTime(), nullable=False),
        _id(),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_escalation_rule_firings_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalation_rule_firings")),
        sa.UniqueConstraint(
            "rule_id", "conversation_id", name=op.f("uq_escalation_rule_firings_rule_id_conversation_id")
        ),
    )
    with op.batch_alter_table("escalation_rule_firings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_escalation_rule_firings_conversation_id"), ["conversation_id"], unique=False
        )

    op.create_table(
        "escalations",
        _conversation_id(),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("from_level", sa.String(length=4), nullable=False),
        sa.Column("to_level", sa.String(length=4), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("rule_id", sa.BigInteger(), nullable=True),
        sa.Column("agent_id", sa.BigInteger(), nullable=True),
        sa.Column("assignee_before_id", sa.BigInteger(), nullable=True),
        sa.Column("assignee_after_id", sa.BigInteger(), nullable=True),
        sa.Column("notify_operacao", sa.Boolean(), nullable=False),
        sa.Column("operacao_status", sa.String(length=16), nullable=True),
        sa.Column("operacao_attempts", sa.Integer(), nullable=False),
        sa.Column("operacao_protocol", sa.String(length=64), nullable=True),
        sa.Column("operacao_error", sa.Text(), nullable=True),
        sa.Column("operacao_delivered_at", carinho.kit.db.UTCDateTime(), nullable=True),
        sa.Column("created_at", carinho.kit.db.UTCDateTime(), nullable=False),
        _id(),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_escalations_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalations")),
    )
    with op.batch_alter_table("escalations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_escalations_conversation_created", ["conversation_id", "created_at"], unique=False
        )

    op.create_table(
        "escalation_settings",
        sa.Column("auto_reassign_enabled", sa.Boolean(), nullable=False),
        sa.Column("auto_reassign_minutes", sa.Integer(), nullable=False),
        sa.Column("updated_by_id", sa.BigInteger(), nullable=True),
        _id(),
        sa.Column("created_at", carinho.kit.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", carinho.kit.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalation_settings")),
    )


def downgrade() -> None:
    # Dropping a table drops its indexes; dropping an index first fails on MariaDB when a foreign
    # key relies on it.
    op.drop_table("escalation_settings")
    op.drop_table("escalations")
    op.drop_table("escalation_rule_firings")
    op.drop_table("escalation_rules")
