"""retention policies and data-subject requests

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 21:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import carinho.kit.db

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id() -> sa.Column:
    return sa.Column(
        "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
    )


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", carinho.kit.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", carinho.kit.db.UTCDateTime(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "retention_policies",
        sa.Column("data_class", sa.String(length=32), nullable=False),
        sa.Column("months", sa.Integer(), nullable=True),
        sa.Column("updated_by_id", sa.BigInteger(), nullable=True),
        _id(),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_policies")),
        sa.UniqueConstraint("data_class", name=op.f("uq_retention_policies_data_class")),
    )
    op.create_table(
        "retention_settings",
        sa.Column("keep_active_conversations", sa.Boolean(), nullable=False),
        sa.Column("keep_open_incidents", sa.Boolean(), nullable=False),
        sa.Column("keep_contracts", sa.Boolean(), nullable=False),
        sa.Column("contract_retention_months", sa.Integer(), nullable=False),
        sa.Column("export_ttl_days", sa.Integer(), nullable=False),
        sa.Column("updated_by_id", sa.BigInteger(), nullable=True),
        _id(),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_settings")),
    )
    op.create_table(
        "retention_runs",
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("requested_by_id", sa.BigInteger(), nullable=True),
        sa.Column("started_at", carinho.kit.db.UTCDateTime(), nullable=False),
        sa.Column("finished_at", carinho.kit.db.UTCDateTime(), nullable=True),
        sa.Column("cutoffs", sa.JSON(), nullable=False),
        sa.Column("batch_size", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=32), nullable=False),
        sa.Column("cursor", sa.BigInteger(), nullable=False),
        sa.Column("batches", sa.Integer(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("audit_through_at", carinho.kit.db.UTCDateTime(), nullable=True),
        sa.Column("audit_through_id", sa.BigInteger(), nullable=False),
        _id(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_runs")),
    )
    with op.batch_alter_table("retention_runs", schema=None) as batch_op:
        batch_op.create_index("ix_retention_runs_status_started", ["status", "started_at"], unique=False)

    op.create_table(
        "privacy_requests",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("subject_type", sa.String(length=8), nullable=False),
        sa.Column("subject_masked", sa.String(length=190), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("requester_type", sa.String(length=16), nullable=False),
        sa.Column("requester_id", sa.BigInteger(), nullable=True),
        sa.Column("requester_name", sa.String(length=120), nullable=False),
        sa.Column("contact_ids", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("export_data", sa.JSON(), nullable=True),
        sa.Column("export_expires_at", carinho.kit.db.UTCDateTime(), nullable=True),
        sa.Column("completed_at", carinho.kit.db.UTCDateTime(), nullable=True),
        _id(),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_requests")),
    )
    with op.batch_alter_table("privacy_requests", schema=None) as batch_op:
        batch_op.create_index("ix_privacy_requests_created", ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("privacy_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_privacy_requests_created")
    op.drop_table("privacy_requests")
    with op.batch_alter_table("retention_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_retention_runs_status_started")
    op.drop_table("retention_runs")
    op.drop_table("retention_settings")
    op.drop_table("retention_policies")
