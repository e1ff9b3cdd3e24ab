"""satisfaction surveys (NPS/CSAT) and follow-ups

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 21:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import carinho.kit.db

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIGINT_PK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "satisfaction_settings",
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("send_delay_minutes", sa.Integer(), nullable=False),
        sa.Column("reminder_after_hours", sa.Integer(), nullable=False),
        sa.Column("late_after_days", sa.Integer(), nullable=False),
        sa.Column("whatsapp_reply_days", sa.Integer(), nullable=False),
        sa.Column("update_window_days", sa.Integer(), nullable=False),
        sa.Column("comment_window_minutes", sa.Integer(), nullable=False),
        sa.Column("csat_enabled", sa.Boolean(), nullable=False),
        sa.Column("followup_due_hours", sa.Integer(), nullable=False),
        sa.Column("updated_by_id", sa.BigInteger(), nullable=True),
        sa.Column("id", BIGINT_PK, autoincrement=True, nullable=False),
        sa.Column("created_at", carinho.kit.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", carinho.kit.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_satisfaction_settings")),
    )

    op.create_table(
        "satisfaction_surveys",
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("contact_id", BIGINT_PK, nullable=False),
        sa.Column("conversation_id", BIGINT_PK, nullable=False),
        sa.Column("conversation_key", sa.BigInteger(), nullable=True),
        sa.Column("service_id", sa.String(length=64), nullable=True),
        sa.Column("agent_id", sa.BigInteger(), nullable=True),
        sa.Column("level", sa.String(length=4), nullable=True),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("sent_at", carinho.kit.db.UTCDateTime(), nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("reminded_at", carinho.kit.db.UTCDateTime(), nullable=True),
        sa.Column("reminder_message_id", sa.BigInteger(), nullable=True),
        sa.Column("score", sa.SmallInteger(), nullable=True),
        sa.Column("csat", sa.SmallInteger(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("answered_at", carinho.kit.db.UTCDateTime(), nullable=True),
        sa.Column("answer_channel", sa.String(length=16), nullable=True),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("comment_until", carinho.kit.db.UTCDateTime(), nullable=True),
        sa.Column("id", BIGINT_PK, autoincrement=True, nullable=False),
        sa.Column("created_at", carinho.kit.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", carinho.kit.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_satisfaction_surveys_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_satisfaction_surveys_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_satisfaction_surveys")),
        sa.UniqueConstraint("conversation_key", name=op.f("uq_satisfaction_surveys_conversation_key")),
        sa.UniqueConstraint("service_id", name=op.f("uq_satisfaction_surveys_service_id")),
        sa.UniqueConstraint("token", name=op.f("uq_satisfaction_surveys_token")),
    )
    with op.batch_alter_table("satisfaction_surveys", schema=None) as batch_op:
        batch_op.create_index("ix_satisfaction_surveys_answered", ["answered_at"], unique=False)
        batch_op.create_index(
            "ix_satisfaction_surveys_contact_status", ["contact_id", "status"], unique=False
        )
        batch_op.create_index("ix_satisfaction_surveys_conversation", ["conversation_id"], unique=False)
        batch_op.create_index("ix_satisfaction_surveys_status_sent", ["status", "sent_at"], unique=False)

    op.create_table(
        "satisfaction_followups",
        sa.Column("survey_id", BIGINT_PK, nullable=False),
        sa.Column("conversation_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("assignee_id", BIGINT_PK, nullable=True),
        sa.Column("due_at", carinho.kit.db.UTCDateTime(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("done_at", carinho.kit.db.UTCDateTime(), nullable=True),
        sa.Column("done_by_id", sa.BigInteger(), nullable=True),
        sa.Column("id", BIGINT_PK, autoincrement=True, nullable=False),
        sa.Column("created_at", carinho.kit.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", carinho.kit.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignee_id"],
            ["agents.id"],
            name=op.f("fk_satisfaction_followups_assignee_id_agents"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["satisfaction_surveys.id"],
            name=op.f("fk_satisfaction_followups_survey_id_satisfaction_surveys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_satisfaction_followups")),
        sa.UniqueConstraint("survey_id", name=op.f("uq_satisfaction_followups_survey_id")),
    )
    with op.batch_alter_table("satisfaction_followups", schema=None) as batch_op:
        batch_op.create_index("ix_satisfaction_followups_status_due", ["status", "due_at"], unique=False)


def downgrade() -> None:
    # Dropping a table drops its indexes (MariaDB refuses to drop one a foreign key needs).
    op.drop_table("satisfaction_followups")
    op.drop_table("satisfaction_surveys")
    op.drop_table("satisfaction_settings")
