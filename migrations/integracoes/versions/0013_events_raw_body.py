"""integration_events: raw_body, the exact bytes of a Z-API callback (forwarded to atendimento as is)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable, no default: a metadata-only change on every backend (existing events have none).
    op.add_column(
        "integration_events",
        sa.Column("raw_body", sa.Text().with_variant(mysql.LONGTEXT(), "mysql"), nullable=True),
    )


def downgrade() -> None:
    op.drop_column("integration_events", "raw_body")
