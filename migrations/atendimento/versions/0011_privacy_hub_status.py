"""privacy_requests.hub_status: an erasure passed on to the hub (pending until it confirms)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("privacy_requests", sa.Column("hub_status", sa.String(length=16), nullable=True))
    op.create_index("ix_privacy_requests_hub_status", "privacy_requests", ["hub_status"])


def downgrade() -> None:
    op.drop_index("ix_privacy_requests_hub_status", table_name="privacy_requests")
    op.drop_column("privacy_requests", "hub_status")
