"""every event gets a stored UUID (`uid`), the root of its outbound keys (`webhook-id`,
`Idempotency-Key`, the welcome's dedupe key), so no other hub or reset database repeats them;
existing events get one here

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 03:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# 32 random hex digits per row, in one statement on each backend (MariaDB's UUID() is a version 1
# UUID: unique, time- and host-based rather than random, which is all a key needs).
FILL = {
    "sqlite": "lower(hex(randomblob(16)))",
    "postgresql": "replace(gen_random_uuid()::text, '-', '')",
    "mysql": "replace(uuid(), '-', '')",
    "mariadb": "replace(uuid(), '-', '')",
}


def upgrade() -> None:
    with op.batch_alter_table("integration_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("uid", sa.String(length=32), nullable=True))
    fill = FILL[op.get_bind().dialect.name]
    op.execute(f"UPDATE integration_events SET uid = {fill} WHERE uid IS NULL")  # noqa: S608
    with op.batch_alter_table("integration_events", schema=None) as batch_op:
        batch_op.alter_column("uid", existing_type=sa.String(length=32), nullable=False)
        batch_op.create_unique_constraint("uq_integration_events_uid", ["uid"])


def downgrade() -> None:
    with op.batch_alter_table("integration_events", schema=None) as batch_op:
        batch_op.drop_constraint("uq_integration_events_uid", type_="unique")
        batch_op.drop_column("uid")
