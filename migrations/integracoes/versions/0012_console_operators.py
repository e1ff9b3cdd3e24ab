"""console: operator accounts and the console's audit trail

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 20:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import carinho.kit.db

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id() -> sa.Column:
    return sa.Column(
        "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
    )


def upgrade() -> None:
    op.create_table(
        "operators",
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("email", sa.String(length=190), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("auth_epoch", sa.Integer(), nullable=False),
        sa.Column("last_login_at", carinho.kit.db.UTCDateTime(), nullable=True),
        _id(),
        sa.Column("created_at", carinho.kit.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", carinho.kit.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operators")),
        sa.UniqueConstraint("email", name=op.f("uq_operators_email")),
    )
    op.create_table(
        "console_audit",
        sa.Column("operator_id", sa.BigInteger(), nullable=True),
        sa.Column("operator_email", sa.String(length=190), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=190), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("created_at", carinho.kit.db.UTCDateTime(), nullable=False),
        _id(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_audit")),
    )
    op.create_index("ix_console_audit_created", "console_audit", ["created_at"])
    op.create_index("ix_console_audit_operator", "console_audit", ["operator_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_console_audit_operator", table_name="console_audit")
    op.drop_index("ix_console_audit_created", table_name="console_audit")
    op.drop_table("console_audit")
    op.drop_table("operators")
