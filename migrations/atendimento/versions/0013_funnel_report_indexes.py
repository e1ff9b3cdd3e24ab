"""conversations and funnel_transitions: indexes for the Funil page (board and 90-day report)

Measured by bench/run_supervision.py (docs/benchmarks.md, issue 17): each board column asked for
the 20 most recently active leads of a stage through `ix_conversations_funnel_stage` and sorted
all of that stage's conversations (thousands) to keep 20; the report's count of new leads scanned
`conversations` (no index on created_at); the steps' counts of distinct conversations read each
transition row from the table. Now: (funnel_stage, last_activity_at, id) gives a column's first
20 in index order (and still answers the per-stage counts and the inbox's stage filter, which is
why it replaces the single-column index); created_at is counted in its own index; the transitions'
(to_stage, created_at) index also carries conversation_id and loss_reason_id, so the report's counts
never read the table.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 04:05:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("conversations") as batch_op:
        batch_op.create_index(
            "ix_conversations_funnel_stage_activity", ["funnel_stage", "last_activity_at", "id"], unique=False
        )
        batch_op.drop_index("ix_conversations_funnel_stage")
        batch_op.create_index("ix_conversations_created", ["created_at"], unique=False)
    with op.batch_alter_table("funnel_transitions") as batch_op:
        batch_op.create_index(
            "ix_funnel_transitions_stage_created_conv",
            ["to_stage", "created_at", "conversation_id", "loss_reason_id"],
            unique=False,
        )
        batch_op.drop_index("ix_funnel_transitions_to_stage_created")


def downgrade() -> None:
    with op.batch_alter_table("funnel_transitions") as batch_op:
        batch_op.create_index(
            "ix_funnel_transitions_to_stage_created", ["to_stage", "created_at"], unique=False
        )
        batch_op.drop_index("ix_funnel_transitions_stage_created_conv")
    with op.batch_alter_table("conversations") as batch_op:
        batch_op.drop_index("ix_conversations_created")
        batch_op.create_index("ix_conversations_funnel_stage", ["funnel_stage"], unique=False)
        batch_op.drop_index("ix_conversations_funnel_stage_activity")
