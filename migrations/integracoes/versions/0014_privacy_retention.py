"""privacy: integration_events.anonymised_at (retention, erasure) and the hub's data-subject requests

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-08 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import carinho.kit.db

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable, no default: a metadata-only change on every backend.
    op.add_column(
        "integration_events", sa.Column("anonymised_at", carinho.kit.db.UTCDateTime(), nullable=True)
    )
    op.create_table(
        "hub_privacy_requests",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("subject_type", sa.String(length=8), nullable=False),
        sa.Column("subject_masked", sa.String(length=190), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("reference", sa.String(length=190), nullable=True),
        sa.Column("api_key_id", sa.BigInteger(), nullable=True),
        sa.Column("api_key_name", sa.String(length=120), nullable=False),
        sa.Column("calls", sa.BigInteger(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("completed_at", carinho.kit.db.UTCDateTime(), nullable=True),
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("created_at", carinho.kit.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", carinho.kit.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hub_privacy_requests")),
    )
    op.create_index("ix_hub_privacy_requests_created", "hub_privacy_requests", ["created_at"])
    op.create_index("ix_hub_privacy_requests_reference", "hub_privacy_requests", ["kind", "reference"])


def downgrade() -> None:
    op.drop_index("ix_hub_privacy_requests_reference", table_name="hub_privacy_requests")
    op.drop_index("ix_hub_privacy_requests_created", table_name="hub_privacy_requests")
    op.drop_table("hub_privacy_requests")
    op.drop_column("integration_events", "anonymised_at")
