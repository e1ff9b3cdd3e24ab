"""live change feed

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import carinho.kit.db

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "live_changes",
        sa.Column("conversation_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("created_at", carinho.kit.db.UTCDateTime(), nullable=False),
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_live_changes")),
        # SQLite: ids never reused after the table is pruned empty (readers follow the id).
        sqlite_autoincrement=True,
    )
    op.create_index("ix_live_changes_created_at", "live_changes", ["created_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_live_changes_created_at", table_name="live_changes")
    op.drop_table("live_changes")
